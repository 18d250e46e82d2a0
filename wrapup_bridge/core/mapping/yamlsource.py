"""Reading a mapping table's YAML so that every value still knows its line.

PyYAML's ``safe_load`` forgets positions and silently keeps the *last* of two equal keys, which in a table
reviewed by people means a rule quietly vanishing. Tables are therefore read as plain data by the shared reader
(``core.yamlsource``): the line of every key and list item is kept (so validation errors can say ``file:line``),
duplicate keys are reported, and every plain scalar stays *text* (``None`` only for an explicit null). Text is what
a legacy disposition is, so ``code: 404``, ``abandoned: yes`` or ``campaign: 1.10`` mean exactly what they look
like instead of an int, a bool or the float 1.1; typed settings (``version: 1``, dates) are converted by the schema
afterwards. This module only words what goes wrong for a table's author, and never raises.

Tables are read with libyaml when PyYAML has it (six times quicker: a 3,000-rule table's YAML in about 0.1 s of
CPU instead of 0.6 s), which gives every key and item the same line as PyYAML's own parser. Whatever libyaml
refuses, and what its reading cannot settle alike (nesting past the bound, directives), is read again by PyYAML's
parser, whose syntax messages name what it found ("but got ':'") and which the table's author is shown, as before.
"""

from __future__ import annotations

import re

import yaml

from wrapup_bridge.core.limits import MAX_NESTING, NestingError
from wrapup_bridge.core.yamlsource import LocatedYaml, YamlProblem, libyaml_bounds_nesting, locate_yaml

__all__ = ["LocatedYaml", "YamlProblem", "load_located_yaml", "read_with_libyaml", "read_with_pyyaml"]

#: Why a tag such as ``!include`` or ``!!python/name:...`` is refused: read as text it would mean something else.
_TAG_REFUSAL = "a mapping table is plain data (write the value as text; tables cannot include other files or run code)"


#: Text that libyaml and PyYAML's parser read differently (found by reading both ways, see
#: tests/core/mapping/test_yaml_readers.py): a tab (PyYAML refuses it outside quotes and comments), a byte order
#: mark, a directive (``%YAML 1.2``: libyaml takes it), a tag (PyYAML's tag runs on over ',' '[' ']'; ``!`` alone
#: on an empty value is null to PyYAML), a block scalar's header followed by '#' (``>#``: PyYAML refuses it).
#: The patterns are compiled by ``re`` (and cached there) when a text first holds their mark, not on import.
_PYYAML_ONLY = (
    ("\t", None),
    ("\ufeff", None),
    ("%", r"(?:^|[\r\n\x85\u2028\u2029])%"),
    ("!", r"(?<![^\s\[\]{},])!"),
    ("#", r"[|>][-+0-9]*#"),
)


def _pyyaml_only(text: str) -> bool:
    """Whether ``text`` holds anything of ``_PYYAML_ONLY`` (a plain ``in`` first: the regexes are the slow part)."""
    return any(mark in text and (pattern is None or re.search(pattern, text)) for mark, pattern in _PYYAML_ONLY)


def read_with_libyaml(text: str) -> LocatedYaml | None:
    """``text`` read by libyaml when it is a well-formed table-shaped document (a mapping, no problem found while
    reading), else None: then PyYAML's own parser must read it, so that whatever a table's author is told about
    the YAML stays in PyYAML's words and on PyYAML's lines. Also None without libyaml (or with one lacking its
    nesting bound), and for what libyaml accepts but PyYAML refuses or reads otherwise (``_PYYAML_ONLY``,
    ``LocatedYaml.pyyaml_may_differ``)."""
    if not libyaml_bounds_nesting() or _pyyaml_only(text):
        return None
    try:
        located = locate_yaml(text, fast=True, tag_refusal=_TAG_REFUSAL)
    except Exception:  # whatever libyaml refuses, PyYAML's parser reads again and words
        return None
    if located.problems or located.pyyaml_may_differ or not isinstance(located.value, dict):
        return None
    return located


def load_located_yaml(text: str) -> LocatedYaml:
    """Parse ``text``; syntax errors come back as problems (with their line) rather than exceptions."""
    located = read_with_libyaml(text)
    return located if located is not None else read_with_pyyaml(text)


def read_with_pyyaml(text: str) -> LocatedYaml:
    """``text`` read by PyYAML's own parser, syntax errors as problems in its words (with their line)."""
    try:
        # PyYAML's own parser, not libyaml's: its syntax messages name what it found ("but got ':'").
        return locate_yaml(text, tag_refusal=_TAG_REFUSAL)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        message = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        return LocatedYaml(None, problems=[YamlProblem(line, f"YAML syntax error: {message}")])
    except yaml.YAMLError as exc:
        return LocatedYaml(None, problems=[YamlProblem(1, f"YAML error: {exc}")])
    except NestingError:
        return LocatedYaml(None, problems=[YamlProblem(1, f"document {NestingError(MAX_NESTING)}")])
