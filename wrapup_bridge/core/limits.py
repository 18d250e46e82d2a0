"""Bounds on what a document may be, so no input can crash a parser or a command with it.

Python's JSON parser and PyYAML's composer recurse once per nesting level: a body nested a few thousand deep
raises ``RecursionError`` (a 500 on the wire, a traceback on the command line), and a structure just under the
interpreter's limit can still blow up code that walks it later. No record any platform produces comes near
``MAX_NESTING`` (a Genesys analytics conversation, the deepest real shape, is 8 levels), so anything deeper is
refused as the input error it is, with the same ``NestingError`` whichever parser met it.
"""

from __future__ import annotations

import json
import math
from typing import Any

from wrapup_bridge.core.errors import WrapupBridgeError

__all__ = ["MAX_NESTING", "JsonNestingError", "NestingError", "check_nesting", "loads_json"]

#: Deepest nesting of lists/objects accepted in JSON and YAML inputs (a real record is under 10).
MAX_NESTING = 64


class NestingError(WrapupBridgeError, ValueError):
    """A document nested deeper than ``MAX_NESTING`` (or too deep for the parser at all)."""

    def __init__(self, limit: int = MAX_NESTING) -> None:
        ValueError.__init__(self, _nesting_message(limit))  # not super(): JsonNestingError's MRO differs
        self.limit = limit


def _nesting_message(limit: int) -> str:
    return f"nested more than {limit} levels deep, which nothing real is; refused"


class JsonNestingError(NestingError, json.JSONDecodeError):
    """Deep nesting met while parsing JSON: a ``json.JSONDecodeError`` too, so every handler of invalid JSON
    reports it the same way (position 0: where it got too deep is not worth a second parse)."""

    def __init__(self, doc: str, limit: int = MAX_NESTING) -> None:
        json.JSONDecodeError.__init__(self, _nesting_message(limit), doc[:200], 0)
        self.limit = limit

    def __str__(self) -> str:
        return self.msg  # "line 1 column 1 (char 0)" would point nowhere useful


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
    """``json.loads`` for input: deep nesting is ``JsonNestingError`` (a ``NestingError`` and a
    ``json.JSONDecodeError``); ``NaN``, ``Infinity`` and numbers too large
    for a float (``1e999``), which Python accepts but JSON does not, are ``json.JSONDecodeError`` like any
    other invalid JSON, instead of becoming dispositions ``nan`` and ``inf``."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise JsonNestingError(_text(text), limit) from None
    except _NotJsonNumber as exc:
        doc = _text(text)
        raise json.JSONDecodeError(str(exc), doc, max(0, doc.find(exc.literal))) from None
    # A document cannot nest deeper than it has brackets: the usual record (a dozen) skips the walk over every
    # value, which would otherwise cost about a third of reading it.
    opening = text.count(b"[") + text.count(b"{") if isinstance(text, bytes) else text.count("[") + text.count("{")
    if opening > limit:
        try:
            check_nesting(value, limit)
        except NestingError:
            raise JsonNestingError(_text(text), limit) from None
    return value


def _text(text: str | bytes) -> str:
    return text if isinstance(text, str) else text[:400].decode("utf-8", "replace")


class _NotJsonNumber(ValueError):
    """``NaN``, ``Infinity`` or a number too large met by the parser; private: ``loads_json`` turns it into a
    ``json.JSONDecodeError`` before it leaves this module."""

    def __init__(self, literal: str, why: str) -> None:
        super().__init__(f"{literal} {why}")
        self.literal = literal


def _refuse_constant(literal: str) -> Any:
    raise _NotJsonNumber(literal, "is not a JSON value (JSON has no NaN or Infinity)")


def _finite_float(literal: str) -> float:
    number = float(literal)
    if math.isinf(number):
        raise _NotJsonNumber(literal, "is too large for a number")
    return number
