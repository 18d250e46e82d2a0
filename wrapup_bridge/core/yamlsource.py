"""YAML read once, with the line of every key and list item, within bounds that no input can break.

Two kinds of file are written by hand and must point at ``file:line`` when they are wrong: mapping tables and
emulator org files. They differ in what their values are: a table's scalars are text (``code: 404`` is the
disposition "404", ``abandoned: yes`` is "yes"), an org file's are PyYAML's safe types (dates, numbers) that its
schema expects. They do not differ in what must never happen while reading them: a few lines of anchors expanding
into billions of nodes ("billion laughs": seven lines took 40 s and millions of line entries before this bound),
nesting deep enough to exhaust the stack, or an error that cannot say where. This module is that common part, so
the bounds are the same for both; each caller words its own messages.

Reading with libyaml (``fast``) is several times quicker than PyYAML's own Python parser (a 3,000-rule table:
about 0.1 s instead of 0.6 s of CPU) and gives every node the same line; what differs is the wording of syntax
errors, so a caller that shows those reads again without ``fast`` when libyaml refuses the text.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from wrapup_bridge.core.limits import MAX_NESTING, NestingError

__all__ = ["MAX_YAML_NODES", "KeyPath", "LocatedYaml", "YamlProblem", "libyaml_bounds_nesting", "locate_yaml"]

#: A key path into a document: mapping keys and list indexes, from the top (``("rules", 2, "when")``).
KeyPath = tuple[str | int, ...]

#: Most nodes a document may have once its aliases are expanded; no real table or org file comes near it.
MAX_YAML_NODES = 1_000_000

#: The problem either bound gives (the mapping table's wording, which its tests and users know).
TOO_LARGE = "document is too large or too deeply nested"

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})

#: YAML's own scalar and collection types: the only tags plain data may carry.
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"

try:  # libyaml parses several times faster; its syntax messages are terser than PyYAML's own
    _FAST_LOADER: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment,misc,unused-ignore]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _FAST_LOADER = yaml.SafeLoader

_SPECIAL_PLAIN = {"<<": _MERGE_TAG, "=": "tag:yaml.org,2002:value", **dict.fromkeys(_NULLS, "tag:yaml.org,2002:null")}


def _plain_resolve(self: Any, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
    """The tag of an untagged node, as far as plain reading tells tags apart: what the safe resolver makes a null,
    a merge key or the ``value`` type of an unquoted scalar; every other scalar text (the safe resolver's ints,
    floats, dates and booleans are plain tags too, which plain reading keeps as text all the same). Its regexes
    are most of what reading a table with libyaml costs."""
    if kind is yaml.ScalarNode:
        return _SPECIAL_PLAIN.get(value, _STR_TAG) if implicit[0] else _STR_TAG
    return "tag:yaml.org,2002:seq" if kind is yaml.SequenceNode else "tag:yaml.org,2002:map"


#: libyaml for plain reading: the same nodes, tags told apart only as far as plain reading needs.
_FAST_PLAIN_LOADER: type[yaml.SafeLoader] = type("_FastPlainLoader", (_FAST_LOADER,), {"resolve": _plain_resolve})

#: Deeper than libyaml's own nesting bound (1,000 levels since its 2020 sources), far below the C stack's.
_PROBE_DEPTH = 1_100


@functools.cache
def libyaml_bounds_nesting() -> bool:
    """True when PyYAML has libyaml and libyaml refuses nesting past its own bound rather than composing it.

    PyYAML composes libyaml's nodes recursively in C, where Python's recursion limit does not apply; a libyaml
    with the bound raises a ``yaml.YAMLError`` long before the stack is at risk. Checked once, on first use (a
    libyaml built without the bound composes the probe, 1,100 levels, safely, and is then not used for text
    nobody has checked).
    """
    if _FAST_LOADER is yaml.SafeLoader:
        return False
    probe = "[" * _PROBE_DEPTH + "]" * _PROBE_DEPTH
    try:
        yaml.compose(probe, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        return True
    return False  # pragma: no cover - depends on the libyaml PyYAML was built with


@dataclass(frozen=True)
class YamlProblem:
    """Something wrong in the YAML text itself (duplicate key, refused tag, a bound), with its 1-based line."""

    line: int
    message: str
    path: KeyPath = ()


@dataclass
class LocatedYaml:
    """The document as Python values, plus the line each key and list item starts on."""

    value: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)
    problems: list[YamlProblem] = field(default_factory=list)
    nodes_seen: int = 0
    #: Which bound the document broke, if any: the callers word "too deep" and "too large" differently.
    exceeded: Literal["depth", "size"] | None = None
    #: The text holds what libyaml and PyYAML's own parser read differently, so a caller that must say what PyYAML
    #: says reads it again with ``fast`` off: a plain scalar of a flow collection holding a '?' (``{code: Why?}``,
    #: which PyYAML refuses: "expected ',' or '}', but got '?'").
    pyyaml_may_differ: bool = False

    def line_of(self, path: KeyPath) -> int:
        """The line of the deepest known node on ``path`` (1 when nothing on it is known)."""
        for cut in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:cut]))
            if line is not None:
                return line
        return 1


def locate_yaml(text: str, *, typed: bool = False, fast: bool = False, tag_refusal: str = "") -> LocatedYaml:
    """Parse ``text`` into values and their lines, within ``MAX_NESTING`` levels and ``MAX_YAML_NODES`` nodes.

    Plain (the default): every scalar is text (``None`` only for an unquoted null), and what plain data cannot
    hold is a problem with its line rather than a silent surprise: a duplicate key (PyYAML keeps the *last*, so a
    reviewed rule would vanish), a key that is not text, a merge key, a tag other than YAML's own (the problem
    says ``YAML tag !x is not supported: {tag_refusal}``). ``typed``: values are what PyYAML's safe loader makes
    of them (dates, ints, last duplicate wins, merges applied), and are only built when no bound was broken.

    ``fast`` parses with libyaml when PyYAML has it. A broken bound is a problem (see ``exceeded``), never an
    exception; text that is not YAML raises ``yaml.YAMLError`` (typed, so does what the safe loader refuses), and
    nesting too deep for the parser itself raises ``NestingError``.
    """
    try:
        loader = (_FAST_LOADER if typed else _FAST_PLAIN_LOADER) if fast else yaml.SafeLoader
        root = yaml.compose(text, Loader=loader)
    except RecursionError:
        raise NestingError(MAX_NESTING) from None
    located = LocatedYaml(None)
    if root is None:
        return located
    located.lines[()] = root.start_mark.line + 1
    walk = _Walk(located, typed, tag_refusal)
    value = walk.visit(root, (), 0)
    if not typed:
        located.value = value
    elif located.exceeded is None:
        located.value = walk.constructor.construct_document(root)
    return located


class _Walk:
    """One pass over the node graph: lines, bounds, and (plain) the values; aliases are walked where they are
    used, so the node count is the expanded one."""

    def __init__(self, located: LocatedYaml, typed: bool, tag_refusal: str) -> None:
        self.located = located
        self.typed = typed
        self.tag_refusal = tag_refusal
        #: Typed: builds the values once the walk is done; it merges ``<<`` keys first, so lines follow the merge.
        self.constructor = yaml.constructor.SafeConstructor()

    def problem(self, node: yaml.Node, message: str, path: KeyPath) -> None:
        self.located.problems.append(YamlProblem(node.start_mark.line + 1, message, path))

    def visit(self, node: yaml.Node, path: KeyPath, depth: int) -> Any:
        located = self.located
        located.nodes_seen += 1
        if not self.typed and node.tag not in _PLAIN_TAGS and not _is_merge_scalar(node):
            shown = node.tag.replace("tag:yaml.org,2002:", "!!")
            self.problem(node, f"YAML tag {shown} is not supported: {self.tag_refusal}", path)
            return None
        if depth > MAX_NESTING or located.nodes_seen > MAX_YAML_NODES:
            if located.exceeded is None:
                located.exceeded = "depth" if depth > MAX_NESTING else "size"
                self.problem(node, TOO_LARGE, path)
            return None
        if isinstance(node, yaml.ScalarNode):
            # A plain scalar's style is None from PyYAML's parser, '' from libyaml's.
            if self.typed or (not node.style and node.tag != _STR_TAG and node.value in _NULLS):
                return None
            return str(node.value)
        if isinstance(node, yaml.SequenceNode):
            if node.flow_style:
                self.flow_scalars(child for child in node.value)
            items: list[Any] = []
            for index, child in enumerate(node.value):
                child_path = (*path, index)
                located.lines.setdefault(child_path, child.start_mark.line + 1)
                items.append(self.visit(child, child_path, depth + 1))
            return items
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        self.problem(node, "unsupported YAML node", path)
        return None

    def flow_scalars(self, children: Iterable[yaml.Node]) -> None:
        for child in children:
            if isinstance(child, yaml.ScalarNode) and not child.style and "?" in child.value:
                self.located.pyyaml_may_differ = True

    def mapping(self, node: yaml.MappingNode, path: KeyPath, depth: int) -> dict[str, Any]:
        located = self.located
        if self.typed:
            self.constructor.flatten_mapping(node)  # merged keys keep the line they are written on
        if node.flow_style:
            self.flow_scalars(child for pair in node.value for child in pair)
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                # Typed: the safe loader refuses such a key itself (unhashable), with its own message.
                if not self.typed:
                    self.problem(key_node, "keys must be plain text, not lists or mappings", path)
                continue
            if key_node.tag == _MERGE_TAG and not self.typed:
                self.problem(key_node, "YAML merge keys ('<<') are not supported here", path)
                continue
            key = str(key_node.value)
            child_path = (*path, key)
            if key in mapping and not self.typed:
                first = located.lines.get(child_path, line)
                self.problem(key_node, f"duplicate key {key!r} (first defined on line {first})", child_path)
                continue
            located.lines[child_path] = line  # typed: the last of two equal keys is the one kept, and shown
            mapping[key] = self.visit(value_node, child_path, depth + 1)
        return mapping


def _is_merge_scalar(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":merge")
