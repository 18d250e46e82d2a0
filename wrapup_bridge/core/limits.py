"""Bounds on what a document may be, so no input can crash a parser or a command with it.

Python's JSON parser and PyYAML's composer recurse once per nesting level: a body nested a few thousand deep
raises ``RecursionError`` (a 500 on the wire, a traceback on the command line), and a structure just under the
interpreter's limit can still blow up code that walks it later. No record any platform produces comes near
``MAX_NESTING`` (a Genesys analytics conversation, the deepest real shape, is 8 levels), so anything deeper is
refused as the input error it is, with the same ``NestingError`` whichever parser met it.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["MAX_NESTING", "NestingError", "check_nesting", "loads_json"]

#: Deepest nesting of lists/objects accepted in JSON and YAML inputs (a real record is under 10).
MAX_NESTING = 64


class NestingError(ValueError):
    """A document nested deeper than ``MAX_NESTING`` (or too deep for the parser at all)."""

    def __init__(self, limit: int = MAX_NESTING) -> None:
        super().__init__(f"nested more than {limit} levels deep (no real record is); refused")
        self.limit = limit


def check_nesting(value: Any, limit: int = MAX_NESTING) -> None:
    """Raise ``NestingError`` when lists/dicts in ``value`` nest deeper than ``limit``; iterative, so it cannot
    itself run out of stack."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict):
            children: Any = current.values()
        elif isinstance(current, list | tuple):
            children = current
        else:
            continue
        if depth >= limit:
            raise NestingError(limit)
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list | tuple))


def loads_json(text: str | bytes, limit: int = MAX_NESTING) -> Any:
    """``json.loads`` that refuses deep nesting with ``NestingError`` (``json.JSONDecodeError`` stays as is)."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise NestingError(limit) from None
    check_nesting(value, limit)
    return value
