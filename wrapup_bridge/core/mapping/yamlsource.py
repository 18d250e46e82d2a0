"""Reading a mapping table's YAML so that every value still knows its line.

PyYAML's ``safe_load`` forgets positions and silently keeps the *last* of two equal keys, which in a table
reviewed by people means a rule quietly vanishing. This reader walks PyYAML's node graph instead: it records
the line of every key and list item (so validation errors can say ``file:line``), reports duplicate keys, and
keeps every plain scalar as *text* (``None`` only for an explicit null). Text is what a legacy disposition is,
so ``code: 404``, ``abandoned: yes`` or ``campaign: 1.10`` mean exactly what they look like instead of an int,
a bool or the float 1.1; typed settings (``version: 1``, dates) are converted by the schema afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from wrapup_bridge.core.limits import NestingError

__all__ = ["LocatedYaml", "YamlProblem", "load_located_yaml"]

Path = tuple[str | int, ...]

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


@dataclass(frozen=True)
class YamlProblem:
    """Something wrong in the YAML text itself (syntax, duplicate key), with its 1-based line."""

    line: int
    message: str
    path: Path = ()


@dataclass
class LocatedYaml:
    """The document as plain Python values, plus the line each key/item starts on."""

    value: Any
    lines: dict[Path, int] = field(default_factory=dict)
    problems: list[YamlProblem] = field(default_factory=list)
    nodes_seen: int = 0

    def line_of(self, path: Path) -> int:
        """The line of the deepest known node on ``path`` (1 when nothing on it is known)."""
        for cut in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:cut]))
            if line is not None:
                return line
        return 1


def load_located_yaml(text: str) -> LocatedYaml:
    """Parse ``text``; syntax errors come back as problems (with their line) rather than exceptions."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        message = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        return LocatedYaml(None, problems=[YamlProblem(line, f"YAML syntax error: {message}")])
    except yaml.YAMLError as exc:
        return LocatedYaml(None, problems=[YamlProblem(1, f"YAML error: {exc}")])
    except RecursionError:
        return LocatedYaml(None, problems=[YamlProblem(1, f"document {NestingError(_MAX_DEPTH)}")])
    located = LocatedYaml(None)
    if root is None:
        return located
    located.lines[()] = root.start_mark.line + 1
    located.value = _to_python(root, (), located, depth=0)
    return located


_MAX_DEPTH = 64
# Anchors and aliases let a few lines expand into billions of nodes ("billion laughs"); no real table comes near this.
_MAX_NODES = 1_000_000


#: Tags a table may carry: YAML's own scalar and collection types. Anything else (``!include``,
#: ``!!python/name:...``, ``!!binary``) would be silently read as text by this loader; a table is data, so it is
#: refused with its line instead.
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)


def _to_python(node: yaml.Node, path: Path, located: LocatedYaml, depth: int) -> Any:
    located.nodes_seen += 1
    if node.tag not in _PLAIN_TAGS and not (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":merge")):
        shown = node.tag.replace("tag:yaml.org,2002:", "!!")
        located.problems.append(
            YamlProblem(
                node.start_mark.line + 1,
                f"YAML tag {shown} is not supported: a mapping table is plain data (write the value as text; "
                "tables cannot include other files or run code)",
                path,
            )
        )
        return None
    if depth > _MAX_DEPTH or located.nodes_seen > _MAX_NODES:
        if not located.problems or "too large" not in located.problems[-1].message:
            located.problems.append(
                YamlProblem(node.start_mark.line + 1, "document is too large or too deeply nested", path)
            )
        return None
    if isinstance(node, yaml.ScalarNode):
        if node.style is None and node.tag != "tag:yaml.org,2002:str" and node.value in _NULLS:
            return None
        return str(node.value)
    if isinstance(node, yaml.SequenceNode):
        items: list[Any] = []
        for index, child in enumerate(node.value):
            child_path = (*path, index)
            located.lines[child_path] = child.start_mark.line + 1
            items.append(_to_python(child, child_path, located, depth + 1))
        return items
    if isinstance(node, yaml.MappingNode):
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                located.problems.append(YamlProblem(line, "keys must be plain text, not lists or mappings", path))
                continue
            if key_node.tag == "tag:yaml.org,2002:merge":
                located.problems.append(YamlProblem(line, "YAML merge keys ('<<') are not supported here", path))
                continue
            key = str(key_node.value)
            child_path = (*path, key)
            if key in mapping:
                first = located.lines.get(child_path, line)
                located.problems.append(
                    YamlProblem(line, f"duplicate key {key!r} (first defined on line {first})", child_path)
                )
                continue
            located.lines[child_path] = line
            mapping[key] = _to_python(value_node, child_path, located, depth + 1)
        return mapping
    located.problems.append(YamlProblem(node.start_mark.line + 1, "unsupported YAML node", path))
    return None
