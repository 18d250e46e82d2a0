"""``mapping init --extend``: rules for the legacy values a reviewed table has no rule for, added to its own text.

A migration runs in waves. The table was reviewed against the first exports; a later export brings values no rule
names, and their records meet ``unmapped:`` (the dead letters, or the fallback code: either way no rule decided
them). ``Missing`` reads such a history once against the table with the real engine and counts, by legacy value
(``propose.Tally``'s keys, a signal's split values included), only the records the table decides with no rule;
``propose`` proposes for them as ``mapping init`` does, and ``extend_text`` adds the proposals to the table's text:

- new code aliases at the end of ``codes:`` for the proposed codes the table does not name yet (a code it already
  names keeps its alias), unique against the table's aliases;
- the new rules at the end of ``rules:``, with the comments ``render`` writes (records, spellings, confidence,
  reason), and the TODO values as ``render``'s commented block, all under a header saying they are proposed.

The table is a reviewed document, so it is never re-serialised: the insertion points come from the YAML nodes'
marks (as ``sync`` finds an id) and everything else, comments, layout, a byte order mark and the line ends, stays
byte for byte. An empty ``codes: {}`` or ``rules: []`` is opened into a block; any other flow-style section is
refused (``ExtendRefused``), as are anchors where text goes. New rules go after every old rule, so they can only
catch records no old rule matched; ``prove`` still checks it on the result, read again with the real loader: the
old codes and rules hold the same text and load the same, the rest of the document is equal, and every record of
the history gets the decision it had (those a rule decided) or the one its value's new rule gives. Either the
result passes, or nothing is written.

The check is exact for every record in memory that grows with the distinct combinations of what the rules look
at (the normalized values of every ``when:`` key, the code and the signal's field), not with the records: the
engine decides each combination one way. A TODO value whose rule skeleton the table already lists (``mapping
init``'s or an earlier ``--extend``'s block) is not listed again, so extending twice with one history adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from wrapup_bridge.core.authoring.compare import decision_text
from wrapup_bridge.core.authoring.propose import DEFAULT_MAX_VALUES, Proposal, ProposalKind, Tally
from wrapup_bridge.core.authoring.render import (
    TODO_HEADER,
    code_aliases,
    code_line,
    rule_lines,
    safe_lines,
    todo_lines,
)
from wrapup_bridge.core.authoring.system import SIGNAL_FIELDS
from wrapup_bridge.core.decision import Decision
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.errors import WrapupBridgeError
from wrapup_bridge.core.mapping import MappingTable, MappingTableError
from wrapup_bridge.core.mapping.table import record_value
from wrapup_bridge.core.review.orgview import CatalogCode

__all__ = ["ExtendContext", "ExtendRefused", "Extension", "Missing", "extend_text", "prove"]

PROVENANCE = "PROPOSED by `wrapup-bridge mapping init --extend`"
_BOM = "\ufeff"


class ExtendRefused(WrapupBridgeError, ValueError):
    """The table cannot be extended safely (what and where in the message): nothing is to be written."""


@dataclass
class _Group:
    """Records the engine decides alike in both tables: one sample, the count, the old table's decision."""

    sample: Disposition
    key: str | None  #: the tally key of records no rule decided (None: decided by a rule, or untracked)
    before: Decision
    records: int = 0


@dataclass
class Missing:
    """Reads a history against ``table`` (``add`` each record): tallies the records no rule decides, counts those
    a rule does by value, and keeps what ``prove`` needs to check every record again."""

    table: MappingTable
    max_values: int = DEFAULT_MAX_VALUES
    records: int = 0
    decided: int = 0  #: records a rule of the table decided
    tally: Tally = field(init=False)
    #: value key -> records a rule decided (values that also have records no rule decided are the ones shown)
    decided_by_value: dict[str, int] = field(default_factory=dict, repr=False)
    _groups: dict[tuple[Any, ...], _Group] = field(default_factory=dict, repr=False)
    _keys: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.tally = Tally(max_values=self.max_values)
        looked_at = {m.key for rule in self.table.rules for m in rule.matchers}
        self._keys = tuple(sorted(looked_at | {"code", "source", *(f"fields.{f}" for f in SIGNAL_FIELDS)}))

    def add(self, disposition: Disposition) -> None:
        self.records += 1
        decision = self.table.resolve(disposition)
        key: str | None = None
        if decision.rule is not None:
            self.decided += 1
            value = self.tally.key(disposition)
            if value in self.decided_by_value or len(self.decided_by_value) < self.max_values:
                self.decided_by_value[value] = self.decided_by_value.get(value, 0) + 1
        else:
            key = self.tally.add(disposition)
        normalized = self.table.normalized
        projection = (key, tuple(normalized(record_value(disposition, k)) for k in self._keys))
        group = self._groups.get(projection)
        if group is None:
            group = self._groups[projection] = _Group(disposition, key, decision)
        group.records += 1

    @property
    def keys(self) -> tuple[str, ...]:
        """What the engine's decisions depend on, as its condition keys (``code``, ``fields.campaign`` ...)."""
        return self._keys

    def groups(self) -> Iterable[_Group]:
        return self._groups.values()


@dataclass(frozen=True)
class ExtendContext:
    """What the header of the proposed block says: the history read, the org's codes, the settings."""

    platform: str | None
    inputs: tuple[str, ...] = ()
    records: int = 0
    rejected: int = 0
    catalog: str = ""
    fingerprint: str | None = None
    min_confidence: float = 0.6


@dataclass(frozen=True)
class Extension:
    """The extended text and what went into it."""

    old_text: str
    text: str
    rules: tuple[Proposal, ...]  #: proposals written as rules, in file order
    todo: tuple[Proposal, ...]  #: TODO values listed
    todo_listed_before: tuple[Proposal, ...]  #: TODO values the table already lists: not listed again
    codes_added: tuple[tuple[str, CatalogCode], ...]
    codes_reused: tuple[tuple[str, CatalogCode], ...]
    rule_numbers: Mapping[str, int]  #: value key -> the number of its new rule

    @property
    def changed(self) -> bool:
        return self.text != self.old_text


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    text: str


def _problem(name: str, node: yaml.Node | None, message: str) -> ExtendRefused:
    line = f":{node.start_mark.line + 1}" if node is not None else ""
    return ExtendRefused(f"{name}{line}: {message}: nothing was written")


def _child(node: yaml.Node | None, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return key_node, value_node
    return None


def _compose(text: str, name: str) -> yaml.Node:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)  # marks count characters of ``text`` (a BOM included)
    except yaml.YAMLError as exc:
        raise ExtendRefused(
            f"{name}: not one YAML document the extension can edit ({exc}): nothing was written"
        ) from None
    if not isinstance(root, yaml.MappingNode):
        raise ExtendRefused(f"{name}: the top level is not a mapping: nothing was written")
    return root


def _content_end(text: str, name: str, container: yaml.Node) -> int:
    """Where ``container``'s last content ends: a block node's end mark is the next token's start, past comments
    and blank lines that follow it, so the end is found from its last leaf."""
    node = container
    while isinstance(node, yaml.MappingNode | yaml.SequenceNode) and not node.flow_style and node.value:
        last = node.value[-1]
        child = last[1] if isinstance(node, yaml.MappingNode) else last
        if child.start_mark.index < node.start_mark.index:  # a YAML alias: its marks are the anchor's, elsewhere
            raise _problem(name, container, "its last entry is a YAML alias (*name): add the entries by hand")
        node = child
    end = node.end_mark.index
    while end > node.start_mark.index and text[end - 1] in " \t\r\n":
        end -= 1  # block scalars end past their line breaks, and past the next line's indentation
    return end


def _line_after(text: str, name: str, container: yaml.Node) -> int:
    """Where the line after ``container``'s last content starts (after a comment that ends that line)."""
    newline = text.find("\n", _content_end(text, name, container))
    return len(text) if newline < 0 else newline + 1


def _insert(text: str, at: int, lines: Sequence[str], newline: str) -> _Edit:
    block = newline.join(lines) + newline
    if at == len(text) and text and not text.endswith("\n"):
        block = newline + block
    return _Edit(at, at, block)


def _indented(lines: Iterable[str], column: int) -> list[str]:
    """``render``'s lines (two-space indent) at ``column``."""
    return [line if not line else " " * column + line[2:] for line in safe_lines(lines)]


def _open_empty_flow(text: str, name: str, key: yaml.Node, node: yaml.Node, token: str) -> tuple[_Edit, int]:
    """Remove an empty ``{}``/``[]`` (on its key's line) so block entries can follow: the edit and where the next
    line starts."""
    start, end = node.start_mark.index, node.end_mark.index
    if text[start:end] != token or node.start_mark.line != key.start_mark.line:
        raise _problem(name, node, f"it is written in a way --extend does not edit: write it as {token} or a block")
    newline = text.find("\n", end)
    stop = len(text) if newline < 0 else newline
    if not text[end:stop].strip():  # nothing after it on the line: no trailing spaces left behind either
        while start > 0 and text[start - 1] in " \t":
            start -= 1
        end = stop - (1 if text[start:stop].endswith("\r") else 0)
    return _Edit(start, end, ""), (len(text) if newline < 0 else newline + 1)


def _flow_refusal(name: str, node: yaml.Node, what: str) -> ExtendRefused:
    example = "- when: ..." if what == "rules" else "alias: {id: ..., name: ...}"
    return _problem(
        name,
        node,
        f"{what}: is written in flow style ({'[...]' if what == 'rules' else '{...}'}): --extend adds entries with "
        f"their comments as block lines; write {what}: as a block ({example}, one per line) first",
    )


def _value_column(node: yaml.MappingNode, indent: int, aliases: Iterable[str]) -> int:
    """The alias width (colon included) that lines new ``codes:`` entries up with the table's own, when it aligns
    its values in one column; else no padding."""
    columns: list[int] = [v.start_mark.column for k, v in node.value if v.start_mark.line == k.start_mark.line]
    longest = max((len(a) + 1 for a in aliases), default=1)
    if columns and len(set(columns)) == 1 and columns[0] - indent - 1 >= longest:
        return int(columns[0]) - indent - 1
    return longest


def _listed_skeletons(text: str) -> set[str]:
    """The commented rule skeletons (``# - when: ...``) the table already holds, stripped."""
    return {line.strip() for line in text.splitlines() if line.lstrip().startswith("# - when:")}


def _header(context: ExtendContext, missing: Missing, rules: int, todo: int) -> list[str]:
    inputs = ", ".join(context.inputs) or "no input"
    codes = context.catalog or "an unnamed org"
    if context.fingerprint:
        codes += f" (fingerprint {context.fingerprint})"
    return [
        "",
        f"  # --- {PROVENANCE}: nothing is applied until a person has reviewed every rule.",
        f"  # History: {context.records} records of {context.platform or 'an unnamed platform'}, "
        f"{context.rejected} unreadable: {inputs}.",
        f"  # Genesys codes: {codes}.",
        f"  # {missing.tally.records} records matched no rule above: {rules} rules and {todo} TODO for their values, "
        "each with",
        "  # its records (those no rule above matched), spellings, proposed code and confidence, as `mapping init` "
        "writes",
        f"  # them (docs/authoring.md: from 0.85 high, under it LOW: check those first; under "
        f"{context.min_confidence:.2f}, a TODO).",
    ]


def extend_text(
    text: str,
    *,
    name: str,
    table: MappingTable,
    missing: Missing,
    proposals: Sequence[Proposal],
    context: ExtendContext,
) -> Extension:
    """``text`` (the table ``table`` was loaded from, named ``name``) with ``proposals`` (``propose`` over
    ``missing.tally.values()``) added as the module docstring says; ``ExtendRefused`` when it cannot be done by
    insertion alone. Not yet checked: ``prove`` does that."""
    listed = _listed_skeletons(text)
    records = context.records
    ruled = [p for p in proposals if p.kind is not ProposalKind.TODO]
    todo: list[Proposal] = []
    before: list[Proposal] = []
    for p in proposals:
        if p.kind is ProposalKind.TODO:
            skeleton = safe_lines(todo_lines(p, records))[2].strip()
            (before if skeleton in listed else todo).append(p)
    existing: dict[str, str] = {}
    for alias, ref in table.codes.items():
        existing.setdefault(ref.id.lower(), alias)
    new_codes: list[CatalogCode] = []
    reused: dict[str, tuple[str, CatalogCode]] = {}
    for p in ruled:
        if p.code is None:
            continue
        key = p.code.id.lower()
        if key in existing:
            reused.setdefault(key, (existing[key], p.code))
        elif all(c.id.lower() != key for c in new_codes):
            new_codes.append(p.code)
    added = code_aliases(new_codes, taken=table.codes)
    aliases = {**{k: a for k, (a, _) in reused.items()}, **added}
    rule_numbers = {p.value.normalized: len(table.rules) + i + 1 for i, p in enumerate(ruled)}
    extension = Extension(
        old_text=text,
        text=text,
        rules=tuple(ruled),
        todo=tuple(todo),
        todo_listed_before=tuple(before),
        codes_added=tuple((added[c.id.lower()], c) for c in new_codes),
        codes_reused=tuple(reused.values()),
        rule_numbers=rule_numbers,
    )
    if not ruled and not todo:
        return extension
    newline = "\r\n" if "\r\n" in text else "\n"
    root = _compose(text, name)
    edits: list[_Edit] = []
    if new_codes:
        edits += _codes_edits(text, name, root, [(added[c.id.lower()], c) for c in new_codes], newline)
    block = _header(context, missing, len(ruled), len(todo))
    for p in ruled:
        block += _rule_block(p, records, aliases, missing)
    if todo:
        block += ["", *TODO_HEADER]
        for p in todo:
            block += todo_lines(p, records)
    edits += _rules_edits(text, name, root, block, bool(ruled), newline)
    new_text = text
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        new_text = new_text[: edit.start] + edit.text + new_text[edit.end :]
    return Extension(**{**extension.__dict__, "text": new_text})


def _rule_block(proposal: Proposal, records: int, aliases: Mapping[str, str], missing: Missing) -> list[str]:
    lines = rule_lines(proposal, records, aliases)
    decided = missing.decided_by_value.get(proposal.value.normalized, 0)
    if decided:
        n = f"{decided} more record" + ("" if decided == 1 else "s")
        lines.insert(1, f"  # {n} of this value are decided by the rules above; this rule takes only the rest.")
    return lines


def _codes_edits(
    text: str, name: str, root: yaml.Node, new: Sequence[tuple[str, CatalogCode]], newline: str
) -> list[_Edit]:
    found = _child(root, "codes")
    if found is None:
        raise _problem(name, root, "the table has no codes: section to add the proposed codes to")
    key, node = found
    if not isinstance(node, yaml.MappingNode):
        raise _problem(name, node, "codes: is not a mapping")
    comment = f"  # --- {PROVENANCE}: the codes of the rules proposed at the end of rules:."
    if node.flow_style:
        if node.value:
            raise _flow_refusal(name, node, "codes")
        edit, at = _open_empty_flow(text, name, key, node, "{}")
        width = max(len(alias) + 1 for alias, _ in new)
        return [edit, _insert(text, at, _indented([comment, *(code_line(a, c, width) for a, c in new)], 2), newline)]
    indent = node.value[0][0].start_mark.column
    width = _value_column(node, indent, (alias for alias, _ in new))
    lines = _indented([comment, *(code_line(a, c, width) for a, c in new)], indent)
    return [_insert(text, _line_after(text, name, node), lines, newline)]


def _rules_edits(text: str, name: str, root: yaml.Node, block: list[str], rules: bool, newline: str) -> list[_Edit]:
    found = _child(root, "rules")
    if found is None:
        raise _problem(name, root, "the table has no rules: section to add the proposed rules to (add `rules: []`)")
    key, node = found
    if not isinstance(node, yaml.SequenceNode):
        raise _problem(name, node, "rules: is not a list")
    if node.flow_style:
        if node.value:
            raise _flow_refusal(name, node, "rules")
        if not rules:  # TODO comments only: after the line, `[]` kept
            newline_at = text.find("\n", node.end_mark.index)
            at = len(text) if newline_at < 0 else newline_at + 1
            return [_insert(text, at, _indented(block, 2), newline)]
        edit, at = _open_empty_flow(text, name, key, node, "[]")
        return [edit, _insert(text, at, _indented(block, 2), newline)]
    return [_insert(text, _line_after(text, name, node), _indented(block, node.start_mark.column), newline)]


# ------------------------------------------------------------------------------------------ the proof
def _identity(decision: Decision) -> tuple[Any, ...]:
    """What must not change for a record a rule decided: kind, code, rule number and notes, and the reason (with
    the rule named without its line: inserted codes move the rules down, never renumber them)."""
    rule = decision.rule
    reason = decision.reason.replace(str(rule), f"rule #{rule.number}") if rule is not None else decision.reason
    code = (decision.code.alias, decision.code.id, decision.code.name) if decision.code is not None else None
    return (decision.kind, code, rule.number if rule else None, rule.notes if rule else None, reason)


def _spans(text: str, name: str, node: yaml.Node) -> list[str]:
    """The text of each entry of a section (codes' ``alias: value``, each rule), as written."""
    if isinstance(node, yaml.MappingNode):
        return [text[k.start_mark.index : _content_end(text, name, v)] for k, v in node.value]
    if isinstance(node, yaml.SequenceNode):
        return [text[item.start_mark.index : _content_end(text, name, item)] for item in node.value]
    return []


def prove(extension: Extension, *, name: str, table: MappingTable, missing: Missing) -> MappingTable:
    """The extended table, loaded, once it is shown safe (module docstring); ``ExtendRefused`` saying what is not."""
    old_text, new_text = extension.old_text, extension.text
    try:
        extended = MappingTable.from_text(new_text.removeprefix(_BOM), name=name)
    except MappingTableError as exc:
        raise ExtendRefused(f"the extended table would not load (nothing was written):\n{exc}") from None
    if list(extended.codes)[: len(table.codes)] != list(table.codes) or any(
        extended.codes[a] != ref for a, ref in table.codes.items()
    ):
        raise ExtendRefused(f"{name}: the extension would change the table's codes: nothing was written")
    added = {alias for alias, _ in extension.codes_added}
    if set(extended.codes) - set(table.codes) != added:
        raise ExtendRefused(f"{name}: the extension would add other codes than proposed: nothing was written")
    old_rules, new_rules = table.rules, extended.rules
    if len(new_rules) != len(old_rules) + len(extension.rules) or any(
        new_rules[i].spec != rule.spec for i, rule in enumerate(old_rules)
    ):
        raise ExtendRefused(f"{name}: the extension would change the table's rules: nothing was written")
    same = {"codes": table.document.codes, "rules": table.document.rules}
    if extended.document.model_copy(update=same) != table.document:
        raise ExtendRefused(f"{name}: the extension would change more than codes: and rules:: nothing was written")
    old_root, new_root = _compose(old_text, name), _compose(new_text, name)
    for section in ("codes", "rules"):
        before, after = _child(old_root, section), _child(new_root, section)
        old_spans = _spans(old_text, name, before[1]) if before else []
        if after is None or _spans(new_text, name, after[1])[: len(old_spans)] != old_spans:
            raise ExtendRefused(f"{name}: the text of {section}: would change: nothing was written")
    new_keys = {m.key for rule in new_rules[len(old_rules) :] for m in rule.matchers}
    if not new_keys <= set(missing.keys):
        raise ExtendRefused(f"{name}: a proposed rule looks at {sorted(new_keys - set(missing.keys))}: not proven")
    wrong = []
    for group in missing.groups():
        decision = extended.resolve(group.sample)
        if not _as_expected(group, decision, extension):
            wrong.append((group, decision))
    if wrong:
        count = sum(g.records for g, _ in wrong)
        group, decision = wrong[0]
        raise ExtendRefused(
            f"{name}: the extended table would decide {count} records of the history differently (first: "
            f"{group.sample.code!r}, {decision_text(group.before)} before, {decision_text(decision)} after): "
            "nothing was written"
        )
    return extended


def _as_expected(group: _Group, decision: Decision, extension: Extension) -> bool:
    """A record a rule decided: the same decision; one no rule decided: its value's new rule, else as before."""
    if group.before.rule is None and group.key is not None and group.key in extension.rule_numbers:
        return decision.rule is not None and decision.rule.number == extension.rule_numbers[group.key]
    return _identity(decision) == _identity(group.before)
