"""YAML loading that remembers where each key came from, so org-file errors can name a line."""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["KeyPath", "format_path", "line_of", "load_yaml_with_lines"]

KeyPath = tuple[str | int, ...]

try:  # the C loader is several times faster on large org files
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment,misc,unused-ignore]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


def load_yaml_with_lines(text: str) -> tuple[Any, dict[KeyPath, int]]:
    """Parse ``text`` once; return the data and a map from key path to its 1-based line number."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    lines: dict[KeyPath, int] = {}
    _walk(node, (), lines)
    return data, lines


def _walk(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            child = (*path, key)
            lines[child] = key_node.start_mark.line + 1
            _walk(value_node, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines)


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
