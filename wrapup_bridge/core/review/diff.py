"""``mapping diff``: what a change to the table changes, per legacy value, and with history how many records move.

A value's meaning in a table is more than one decision when rules also test fields ("Callback Scheduled" is a
dialer callback for Sales campaigns, a follow-up otherwise), so each value is described by its *branches*: the
rules its code reaches, in order, with their remaining conditions, down to the first unconditional one or the
unmapped policy. Two tables agree on a value when the branches have the same conditions and outcomes; rule
numbers and lines do not matter (moving a rule within its own value's branch list is no change of meaning).
With history each record is resolved by both tables, which counts exactly the records a change moves.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from wrapup_bridge.core.decision import Decision
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.mapping import MappingTable
from wrapup_bridge.core.mapping.schema import ConditionKind
from wrapup_bridge.core.mapping.table import CompiledRule, Matcher
from wrapup_bridge.core.normalize import normalize_text
from wrapup_bridge.core.review.describe import condition_text, decision_text, outcome_key

__all__ = ["Branch", "DiffHistory", "DiffResult", "DiffRow", "diff_tables", "value_branches"]

DEFAULT_MAX_VALUES = 100_000


@dataclass(frozen=True)
class Branch:
    conditions: tuple[Matcher, ...]  #: the rule's conditions other than ``code``; empty for the last branch
    decision: Decision
    rule: CompiledRule | None  #: None: the table's unmapped policy

    def key(self) -> tuple[frozenset[tuple[str, str, frozenset[str]]], tuple[str, str | None]]:
        conditions = frozenset(
            (
                m.key,
                m.condition.kind.value,
                m.exact
                if m.condition.kind is ConditionKind.EXACT
                else frozenset(
                    normalize_text(v) if m.condition.kind is ConditionKind.GLOB else v for v in m.condition.values
                ),
            )
            for m in self.conditions
        )
        return conditions, outcome_key(self.decision)


def value_branches(table: MappingTable, normalized: str, raw: str) -> tuple[Branch, ...]:
    """The rules a record with this code can reach, in file order, ending with one that needs nothing more."""
    branches: list[Branch] = []
    for rule in table.rules:
        if not all(m.matches(normalized) for m in rule.matchers if m.key == "code"):
            continue
        rest = tuple(m for m in rule.matchers if m.key != "code")
        branches.append(Branch(rest, rule.decision, rule))
        if not rest:
            return tuple(branches)
    probe = Disposition(source="review", source_id="diff", code=raw)
    branches.append(Branch((), table.unmatched_decision(probe), None))
    return tuple(branches)


def branches_text(branches: tuple[Branch, ...]) -> str:
    if len(branches) == 1:
        return decision_text(branches[0].decision)
    parts = [
        f"if {', '.join(condition_text(m) for m in b.conditions)}: {decision_text(b.decision)}" for b in branches[:-1]
    ]
    parts.append(f"otherwise: {decision_text(branches[-1].decision)}")
    return "; ".join(parts)


@dataclass(frozen=True)
class DiffRow:
    value: str  #: as written (table spelling, else the most frequent spelling in history)
    normalized: str
    old: str
    new: str
    old_rules: tuple[int, ...]
    new_rules: tuple[int, ...]
    changed: bool
    seen: int | None = None  #: records with this value in history; None without history
    moved: int | None = None  #: of those, records whose outcome differs between the tables
    transitions: tuple[tuple[str, str, int], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "normalized": self.normalized,
            "old": self.old,
            "new": self.new,
            "old_rules": list(self.old_rules),
            "new_rules": list(self.new_rules),
            "changed": self.changed,
            "seen": self.seen,
            "moved": self.moved,
            "transitions": [{"old": o, "new": n, "records": c} for o, n, c in self.transitions],
        }


class _Moves:
    __slots__ = ("moved", "raw", "seen", "transitions")

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.seen = 0
        self.moved = 0
        self.transitions: Counter[tuple[str, str]] = Counter()


@dataclass
class DiffHistory:
    """Both tables' decisions per record of a history stream, counted per normalized value (memory per value)."""

    old: MappingTable
    new: MappingTable
    max_values: int = DEFAULT_MAX_VALUES
    records: int = 0
    moved: int = 0
    untracked_records: int = 0
    _values: dict[str, _Moves] = field(default_factory=dict)

    def add(self, disposition: Disposition, new_decision: Decision | None = None) -> None:
        """Count one record; pass the new table's decision when the caller already has it."""
        new = new_decision or self.new.resolve(disposition)
        old = self.old.resolve(disposition)
        self.records += 1
        changed = outcome_key(old) != outcome_key(new)
        self.moved += changed
        key = self.new.normalized(disposition.code)
        moves = self._values.get(key)
        if moves is None:
            if len(self._values) >= self.max_values:
                self.untracked_records += 1
                return
            moves = self._values[key] = _Moves(disposition.code)
        moves.seen += 1
        if changed:
            moves.moved += 1
            moves.transitions[(decision_text(old), decision_text(new))] += 1


@dataclass(frozen=True)
class DiffResult:
    old: MappingTable
    new: MappingTable
    rows: tuple[DiffRow, ...]
    history: DiffHistory | None = None

    @property
    def changes(self) -> tuple[DiffRow, ...]:
        return tuple(r for r in self.rows if r.changed or (r.moved or 0) > 0)

    def to_dict(self, *, include_all: bool = False) -> dict[str, Any]:
        rows = self.rows if include_all else self.changes
        history = self.history
        return {
            "old": {"table": self.old.name, "sha256": self.old.sha256},
            "new": {"table": self.new.name, "sha256": self.new.sha256},
            "values_compared": len(self.rows),
            "values_changed": len(self.changes),
            "history": None
            if history is None
            else {"records": history.records, "moved": history.moved, "untracked_records": history.untracked_records},
            "rows": [r.to_dict() for r in rows],
        }


def diff_tables(old: MappingTable, new: MappingTable, history: DiffHistory | None = None) -> DiffResult:
    """Compare every value either table names exactly (and every value seen in ``history``)."""
    values: dict[str, str] = {}
    for table in (old, new):
        for raw in table.known_code_values():
            values.setdefault(normalize_text(raw), raw)
    seen = history._values if history is not None else {}
    for key, counted in seen.items():
        values.setdefault(key, counted.raw)
    rows = []
    for key, raw in values.items():
        old_branches = value_branches(old, key, raw)
        new_branches = value_branches(new, key, raw)
        moves = seen.get(key)
        rows.append(
            DiffRow(
                value=raw,
                normalized=key,
                old=branches_text(old_branches),
                new=branches_text(new_branches),
                old_rules=tuple(b.rule.number for b in old_branches if b.rule is not None),
                new_rules=tuple(b.rule.number for b in new_branches if b.rule is not None),
                changed=[b.key() for b in old_branches] != [b.key() for b in new_branches],
                seen=(moves.seen if moves else 0) if history is not None else None,
                moved=(moves.moved if moves else 0) if history is not None else None,
                transitions=tuple((o, n, c) for (o, n), c in moves.transitions.most_common()) if moves else (),
            )
        )
    if history is not None:
        rows.sort(key=lambda r: (-(r.moved or 0), -(r.seen or 0), r.normalized))
    return DiffResult(old, new, tuple(rows), history)
