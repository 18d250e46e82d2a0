"""Regular expressions in mapping tables, matched in linear time whatever the rule or the value.

A mapping regex is written by an operations lead and run on values from exports and webhooks nobody controls.
Python's backtracking engine takes exponential time on patterns like ``(a+)+$`` (a 28-character value once blocked
the webhook's event loop for 21 s). Mapping regexes therefore run on RE2 (Google's engine, through its maintained
``google-re2`` binding), whose matching time is linear in the value's length by construction. RE2 has no
backreferences and no lookaround; a pattern that needs them is refused when the table loads, with its line.

A big table holds hundreds of patterns on the disposition itself, and each new disposition value must be tried
against all of them once. ``PatternSet`` does that in one pass per kind (an RE2 set), with each pattern's own test
kept as the reference and as the way back whenever a set cannot answer.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from typing import Any

from wrapup_bridge.core.errors import WrapupBridgeError

__all__ = ["PatternSet", "RegexError", "compile_glob", "compile_regex", "glob_to_re2"]


#: Lone surrogates; compiled by ``re`` (and cached there) the first time a value holds one, not on import.
_SURROGATES = "[\ud800-\udfff]"


class RegexError(WrapupBridgeError, ValueError):
    """A mapping regex the linear-time engine cannot take; the message says why."""


def _options(*, case_sensitive: bool = False) -> Any:
    import re2

    options = re2.Options()
    options.case_sensitive = case_sensitive
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
        try:
            return search(value) is not None
        except UnicodeEncodeError:  # a lone surrogate (JSON can carry "\ud800"): not text, read as U+FFFD
            return search(re.sub(_SURROGATES, "\ufffd", value)) is not None

    return matches


def compile_glob(pattern: str) -> Callable[[str], object]:
    """A shell-style match of the whole value (``*``, ``?``, ``[abc]``), case as written: what ``fnmatch`` means."""
    return re.compile(fnmatch.translate(pattern)).match


def glob_to_re2(pattern: str) -> str | None:
    """``pattern`` as an RE2 pattern matching exactly the values ``compile_glob(pattern)`` matches (anchored at
    both ends by the set), or None when it has a character class: ``fnmatch``'s reading of ``[`` (``[!...]``,
    ``]`` first, ranges dropped when reversed, an unclosed ``[`` as a literal) stays with ``fnmatch`` itself."""
    import re2

    if "[" in pattern:
        return None
    parts: list[str] = []
    for piece in re.split(r"(\*+|\?)", pattern):
        if piece.startswith("*"):
            parts.append(".*")
        elif piece == "?":
            parts.append(".")
        elif piece:
            parts.append(re2.escape(piece))
    return "(?s:" + "".join(parts) + ")"


class PatternSet:
    """Globs and regexes, each with an id, tried against a value together: ``matching(value)`` is the set of ids
    whose pattern matches, exactly what testing each with ``compile_glob`` / ``compile_regex`` gives.

    Globs go to one RE2 set anchored at both ends, regexes to one searching set (case-insensitive, like
    ``compile_regex``). A set that cannot answer for a value (RE2 gives up when a value needs more memory than
    its budget) is noticed by its sentinel, a pattern matching everything, missing from the answer; the
    patterns are then tried one by one, as they are for a value that is not valid UTF-8 text and for globs with
    a character class.
    """

    def __init__(self, *, set_from: int = 1) -> None:
        """``set_from``: the fewest patterns of one kind that go to an RE2 set. A kind with fewer is tried one by
        one (the same answers: each pattern's own test is the reference), so a table with a glob or two never loads
        RE2 (~2 ms of a serverless cold start; its regexes load it anyway, each one being an RE2 regex)."""
        self._set_from = max(1, set_from)
        self._globs: list[tuple[int, str, Callable[[str], object]]] = []
        self._regexes: list[tuple[int, str, Callable[[str], object]]] = []
        self._count = 0
        self._sets: list[tuple[Any, list[int], list[tuple[int, Callable[[str], object]]]]] = []
        self._loose: list[tuple[int, Callable[[str], object]]] = []

    def add_glob(self, pattern: str, test: Callable[[str], object] | None = None) -> int:
        """Add a glob (as it is matched: normalized); ``test`` is its own match, when already compiled."""
        self._globs.append((self._count, pattern, test or compile_glob(pattern)))
        self._count += 1
        return self._count - 1

    def add_regex(self, pattern: str, test: Callable[[str], object] | None = None) -> int:
        """Add a regex (as written); ``test`` is its own search, when already compiled (``RegexError`` if bad)."""
        self._regexes.append((self._count, pattern, test or compile_regex(pattern)))
        self._count += 1
        return self._count - 1

    def compile(self) -> PatternSet:
        """Build the sets; call once, after the last ``add_*``."""
        self._sets, self._loose = [], []
        few = [kind for kind in (self._globs, self._regexes) if len(kind) < self._set_from]
        for patterns in few:
            self._loose.extend((ident, test) for ident, _, test in patterns)
        if len(few) == 2:
            return self
        import re2

        kinds = (
            (self._globs, re2.Set.FullMatchSet, True, "(?s:.*)", glob_to_re2),
            (self._regexes, re2.Set.SearchSet, False, "", lambda pattern: pattern),
        )
        for patterns, make, case_sensitive, sentinel, translate in kinds:
            if not patterns or len(patterns) < self._set_from:
                continue
            rset = make(_options(case_sensitive=case_sensitive))
            rset.Add(sentinel)  # index 0: in every answer the set gives
            ids: list[int] = [-1]
            members: list[tuple[int, Callable[[str], object]]] = []
            for ident, pattern, test in patterns:
                translated = translate(pattern)
                try:
                    if translated is None:
                        raise re2.error("no RE2 form")
                    rset.Add(translated)
                except re2.error:
                    self._loose.append((ident, test))
                    continue
                ids.append(ident)
                members.append((ident, test))
            try:
                rset.Compile()
            except re2.error:  # beyond RE2's memory budget for one set: every pattern on its own
                self._loose.extend(members)
                continue
            self._sets.append((rset, ids, members))
        return self

    def matching(self, value: str) -> set[int]:
        """The ids of every pattern that matches ``value``."""
        found = {ident for ident, test in self._loose if test(value)}
        try:
            data = value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: each pattern says for itself, as it always did
            data = None
        for rset, ids, members in self._sets:
            hits = rset.Match(data) if data is not None else None
            if hits is None or 0 not in hits:  # no answer from the set: every member on its own
                found.update(ident for ident, test in members if test(value))
            else:
                found.update(ids[index] for index in hits if index)
        return found
