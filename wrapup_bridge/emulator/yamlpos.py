"""Org-file YAML with the line each key came from, so org-file errors can name a line.

The reading itself is the shared one (``core.yamlsource``), with the same nesting and size bounds as mapping
tables; an org file keeps PyYAML's safe types (its schema expects dates and numbers) and libyaml's speed on large
files. What is org-specific is here: errors raised rather than collected (``org.parse_org`` words them), a missing
key having no line, and key paths written as ``queues[2].wrapup_codes[0]``.
"""

from __future__ import annotations

from typing import Any

import yaml

from wrapup_bridge.core.limits import MAX_NESTING, NestingError
from wrapup_bridge.core.yamlsource import MAX_YAML_NODES, KeyPath, locate_yaml

__all__ = ["KeyPath", "format_path", "line_of", "load_yaml_with_lines"]


def load_yaml_with_lines(text: str) -> tuple[Any, dict[KeyPath, int]]:
    """Parse ``text`` once; return the data and a map from key path to its 1-based line number.

    Raises ``yaml.YAMLError`` for what is not YAML (or is more than ``MAX_YAML_NODES`` nodes once its aliases are
    expanded, with the line where it got there) and ``NestingError`` for nesting beyond ``MAX_NESTING``."""
    located = locate_yaml(text, typed=True, fast=True)
    if located.exceeded == "depth":
        raise NestingError(MAX_NESTING)
    if located.exceeded == "size":
        line = located.problems[0].line
        raise yaml.MarkedYAMLError(
            problem=f"more than {MAX_YAML_NODES:,} nodes once its aliases are expanded, which no org file is",
            problem_mark=yaml.Mark("<unicode string>", 0, line - 1, 0, None, 0),
        )
    return located.value, located.lines


def line_of(path: KeyPath, lines: dict[KeyPath, int]) -> int | None:
    """The line of ``path``, or of its nearest ancestor that the file spells out (a missing key has none)."""
    for end in range(len(path), -1, -1):
        line = lines.get(path[:end])
        if line is not None and (end > 0 or not path):
            return line
    return None


def format_path(path: KeyPath) -> str:
    """``("queues", 2, "wrapup_codes", 0)`` -> ``queues[2].wrapup_codes[0]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(top level)"
