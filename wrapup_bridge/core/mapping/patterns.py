"""Regular expressions in mapping tables, matched in linear time whatever the rule or the value.

A mapping regex is written by an operations lead and run on values from exports and webhooks nobody controls.
Python's backtracking engine takes exponential time on patterns like ``(a+)+$`` (a 28-character value once blocked
the webhook's event loop for 21 s). Mapping regexes therefore run on RE2 (Google's engine, through its maintained
``google-re2`` binding), whose matching time is linear in the value's length by construction. RE2 has no
backreferences and no lookaround; a pattern that needs them is refused when the table loads, with its line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wrapup_bridge.core.errors import WrapupBridgeError

__all__ = ["RegexError", "compile_regex"]


class RegexError(WrapupBridgeError, ValueError):
    """A mapping regex the linear-time engine cannot take; the message says why."""


def _options() -> Any:
    import re2

    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False  # the reason comes back in the exception; nothing on stderr
    return options


def compile_regex(pattern: str) -> Callable[[str], bool]:
    """A case-insensitive search for ``pattern`` (True when it matches anywhere in the value)."""
    import re2

    try:
        compiled = re2.compile(pattern, options=_options())
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        hint = ""
        if any(token in pattern for token in ("(?=", "(?!", "(?<=", "(?<!")) or (
            "\\" in pattern and any(f"\\{d}" in pattern for d in "123456789")
        ):
            hint = " (lookaround and backreferences are not supported: they are what makes matching exponential)"
        raise RegexError(f"invalid regex {pattern!r}: {reason}{hint}") from None
    search = compiled.search

    def matches(value: str) -> bool:
        return search(value) is not None

    return matches
