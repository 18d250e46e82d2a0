"""``mapping coverage``: what history says about a table, streamed so a 10M-row export costs no more memory than
a small one.

Memory grows with the number of *distinct* legacy values (a few hundred in real exports), never with records:
each value keeps its counts, the decisions it got, and at most ``SPELLING_SLOTS`` raw spellings (a space-saving
counter: exact while a value has that few spellings, the heaviest ones kept with upper-bound counts past that).
Past ``max_values`` distinct values (free text in the disposition column) the rest are counted, not listed.
Values are keyed by ``MappingTable.normalized``, the one normalization the table matches with.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from wrapup_bridge.core.decision import Decision, DecisionKind
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.mapping import MappingTable

__all__ = ["SPELLING_SLOTS", "Coverage", "CoverageSummary", "RuleHits", "ValueCount"]

SPELLING_SLOTS = 8
SPELLINGS_SHOWN = 5
DEFAULT_MAX_VALUES = 100_000
KINDS = (DecisionKind.MAPPED, DecisionKind.SKIP, DecisionKind.FALLBACK, DecisionKind.UNMAPPED)


class _ValueStats:
    """Counts for one normalized legacy value; small and fixed-size whatever the number of records."""

    __slots__ = ("approximate", "count", "kinds", "rules", "spellings")

    def __init__(self) -> None:
        self.count = 0
        self.kinds: dict[DecisionKind, int] = {}
        self.rules: dict[int, int] = {}  # rule number (0: the unmapped policy) -> records; bounded by the table
        self.spellings: dict[str, int] = {}
        self.approximate = False

    def add(self, raw: str, decision: Decision) -> None:
        self.count += 1
        self.kinds[decision.kind] = self.kinds.get(decision.kind, 0) + 1
        number = decision.rule.number if decision.rule is not None else 0
        self.rules[number] = self.rules.get(number, 0) + 1
        spellings = self.spellings
        if raw in spellings:
            spellings[raw] += 1
        elif len(spellings) < SPELLING_SLOTS:
            spellings[raw] = 1
        else:  # space-saving: the new spelling inherits the smallest slot's count (an upper bound)
            smallest = min(spellings, key=spellings.__getitem__)
            spellings[raw] = spellings.pop(smallest) + 1
            self.approximate = True


@dataclass(frozen=True)
class ValueCount:
    """One legacy value seen in history: its normalized form, its spellings, what it became and how often."""

    normalized: str
    count: int
    spellings: tuple[tuple[str, int], ...]
    spellings_approximate: bool
    kinds: dict[str, int]
    rules: dict[int, int]
    suggestions: tuple[str, ...] = ()
    known: bool = False  #: the table names this value exactly: its rules wanted other field values

    @property
    def display(self) -> str:
        """The most frequent raw spelling, which is what people recognise."""
        return self.spellings[0][0] if self.spellings else self.normalized

    @property
    def unmapped(self) -> int:
        return self.kinds.get(DecisionKind.UNMAPPED.value, 0)

    @property
    def other_spellings(self) -> int:
        """Records spelled in a way not among ``spellings`` (an upper-bound guess when approximate)."""
        return max(0, self.count - sum(count for _, count in self.spellings))

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.normalized,
            "count": self.count,
            "spellings": [{"raw": raw, "count": count} for raw, count in self.spellings],
            "spellings_approximate": self.spellings_approximate,
            "other_spellings": self.other_spellings,
            "decisions": self.kinds,
            "rules": {str(k): v for k, v in sorted(self.rules.items())},
            "suggestions": list(self.suggestions),
            "known": self.known,
        }


@dataclass(frozen=True)
class RuleHits:
    number: int
    line: int
    hits: int


@dataclass(frozen=True)
class CoverageSummary:
    """Totals, shares, hits per rule, rules never hit and the top unmapped values, ready to print or render."""

    records: int
    kinds: dict[str, int]
    rejected: int
    rules: tuple[RuleHits, ...]
    policy_hits: int
    values: tuple[ValueCount, ...]
    distinct_values: int
    untracked_records: int  #: records whose value came after ``max_values`` distinct ones: counted, not listed
    inputs: tuple[str, ...]

    def share(self, count: int) -> float:
        return count / self.records if self.records else 0.0

    @property
    def never_hit(self) -> tuple[RuleHits, ...]:
        return tuple(r for r in self.rules if r.hits == 0)

    def top_unmapped(self, limit: int = 20) -> list[ValueCount]:
        unmapped = [v for v in self.values if v.unmapped]
        unmapped.sort(key=lambda v: (-v.unmapped, v.normalized))
        return unmapped[:limit]

    def hits_of(self, number: int) -> int:
        return next((r.hits for r in self.rules if r.number == number), 0)

    def to_dict(self, *, top: int = 20) -> dict[str, Any]:
        return {
            "inputs": list(self.inputs),
            "records": self.records,
            "rejected": self.rejected,
            "decisions": self.kinds,
            "shares": {kind: round(self.share(count), 6) for kind, count in self.kinds.items()},
            "rules": [
                {"rule": r.number, "line": r.line, "hits": r.hits, "share": round(self.share(r.hits), 6)}
                for r in self.rules
            ],
            "policy_hits": self.policy_hits,
            "rules_never_hit": [r.number for r in self.never_hit],
            "top_unmapped": [v.to_dict() for v in self.top_unmapped(top)],
            "values": [v.to_dict() for v in self.values],
            "distinct_values": self.distinct_values,
            "untracked_records": self.untracked_records,
        }


@dataclass
class Coverage:
    """Accumulates decisions over a stream of records: ``add`` each (or ``add_rejected``), then ``summary()``."""

    table: MappingTable
    max_values: int = DEFAULT_MAX_VALUES
    records: int = 0
    rejected: int = 0
    inputs: list[str] = field(default_factory=list)
    _kinds: Counter[DecisionKind] = field(default_factory=Counter)
    _rule_hits: Counter[int] = field(default_factory=Counter)
    _values: dict[str, _ValueStats] = field(default_factory=dict)
    _untracked_records: int = 0

    def resolve(self, disposition: Disposition) -> Decision:
        """Resolve with the table and count the result; returns the decision for callers that need it too."""
        decision = self.table.resolve(disposition)
        self.add(disposition, decision)
        return decision

    def add(self, disposition: Disposition, decision: Decision) -> None:
        self.records += 1
        self._kinds[decision.kind] += 1
        if decision.rule is not None:
            self._rule_hits[decision.rule.number] += 1
        key = self.table.normalized(disposition.code)
        stats = self._values.get(key)
        if stats is None:
            if len(self._values) >= self.max_values:
                self._untracked_records += 1
                return
            stats = self._values[key] = _ValueStats()
        stats.add(disposition.code, decision)

    def add_rejected(self) -> None:
        """A record the adapter could not read: counted (and kept in the rejects file by the caller)."""
        self.rejected += 1

    def summary(self, *, suggest: int = 20) -> CoverageSummary:
        """The totals so far; look-alike known values are suggested for the ``suggest`` top unmapped values."""
        table = self.table
        rules = tuple(RuleHits(r.number, r.line, self._rule_hits.get(r.number, 0)) for r in table.rules)
        ordered = sorted(self._values.items(), key=lambda item: (-item[1].count, item[0]))
        top_unmapped = {
            key
            for key, _ in sorted(
                ((k, s.kinds.get(DecisionKind.UNMAPPED, 0)) for k, s in self._values.items()),
                key=lambda item: (-item[1], item[0]),
            )[:suggest]
        }
        known = {table.normalized(v) for v in table.known_code_values()}
        values = []
        for key, stats in ordered:
            spellings = tuple(sorted(stats.spellings.items(), key=lambda s: (-s[1], s[0]))[:SPELLINGS_SHOWN])
            suggestions: tuple[str, ...] = ()
            if key in top_unmapped and stats.kinds.get(DecisionKind.UNMAPPED):
                alike = table.suggestions(spellings[0][0] if spellings else key)
                suggestions = tuple(s for s in alike if table.normalized(s) != key)
            values.append(
                ValueCount(
                    normalized=key,
                    count=stats.count,
                    spellings=spellings,
                    spellings_approximate=stats.approximate,
                    kinds={k.value: stats.kinds[k] for k in KINDS if stats.kinds.get(k)},
                    rules=dict(stats.rules),
                    suggestions=suggestions,
                    known=key in known,
                )
            )
        tracked = sum(v.count for v in values)
        return CoverageSummary(
            records=self.records,
            kinds={k.value: self._kinds.get(k, 0) for k in KINDS},
            rejected=self.rejected,
            rules=rules,
            policy_hits=self.records - sum(self._rule_hits.values()),
            values=tuple(values),
            distinct_values=len(values),
            untracked_records=self.records - tracked,
            inputs=tuple(self.inputs),
        )
