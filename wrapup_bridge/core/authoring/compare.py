"""How much of a history a proposed table decides as a reference table does: ``mapping init --compare``.

The measure is per record, with the real mapping engine on both sides: each record is resolved by the reference
table as it is read (its rules may look at any field: campaign, queue, outcome source ...), and by the proposed
table once its text exists. Two decisions agree when both apply the same Genesys code id (mapped or fallback),
both skip, or both leave the record unmapped (no rule: a dead letter for a person); ``Comparison`` counts the three
apart, so the share can also be read without the last (``strict_share``).

The proposed table's rules look at the legacy value alone (``render`` writes ``when: {code: ...}``), or at it and a
signal's field (``system.signal``: a Twilio ``failed`` call's SIP status), which the value's tally key includes; so
every record of one key gets the decision its first record gets: the proposed side is resolved once per key, on that
record, and memory stays flat in the record count (per value: one record and a count per reference
decision). ``Agreement.against`` checks that premise and refuses a table whose rules look at anything else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wrapup_bridge.core.authoring.system import SIGNAL_FIELDS
from wrapup_bridge.core.decision import Decision, DecisionKind
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.mapping import MappingTable

__all__ = ["Agreement", "Comparison", "Difference", "decision_key", "decision_text"]

#: What a proposed rule's ``when:`` may look at (as the engine names its keys): the value, a signal's field.
_PROPOSED_KEYS = frozenset({"code", *(f"fields.{name}" for name in SIGNAL_FIELDS)})
UNMAPPED = "unmapped"
SKIP = "skip"


def decision_key(decision: Decision) -> str:
    """What two decisions must share to agree: ``code:<id>`` (lower case) for a code, else ``skip`` or
    ``unmapped``."""
    if decision.applies and decision.code is not None:
        return f"code:{decision.code.id.lower()}"
    return SKIP if decision.kind is DecisionKind.SKIP else UNMAPPED


def decision_text(decision: Decision) -> str:
    """A decision as a reviewer reads it in a difference: the code's name, skip, or unmapped."""
    if decision.applies and decision.code is not None:
        fallback = " (the unmapped fallback)" if decision.kind is DecisionKind.FALLBACK else ""
        return f"{decision.code.name}{fallback}"
    return "skip" if decision.kind is DecisionKind.SKIP else "unmapped (dead letter)"


@dataclass(frozen=True)
class Difference:
    """Records of one legacy value that the two tables decide differently."""

    value: str  #: the value as its first record spells it
    records: int
    proposed: str
    reference: str


@dataclass(frozen=True)
class Comparison:
    """Agreement over a history: records, how many agree (by kind), and what differs, most records first."""

    reference: str  #: the reference table's name
    records: int
    same_code: int
    both_skip: int
    both_unmapped: int
    differences: tuple[Difference, ...]

    @property
    def agreed(self) -> int:
        return self.same_code + self.both_skip + self.both_unmapped

    @property
    def share(self) -> float:
        """Records decided alike (same code, both skip, or both unmapped), over all records."""
        return self.agreed / self.records if self.records else 0.0

    @property
    def strict_share(self) -> float:
        """Records given the same code or skipped by both, over all records (both unmapped not counted)."""
        return (self.same_code + self.both_skip) / self.records if self.records else 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "reference": self.reference,
            "records": self.records,
            "agreed": self.agreed,
            "share": round(self.share, 6),
            "same_code": self.same_code,
            "both_skip": self.both_skip,
            "both_unmapped": self.both_unmapped,
            "strict_share": round(self.strict_share, 6),
            "differences": [
                {"value": d.value, "records": d.records, "proposed": d.proposed, "reference": d.reference}
                for d in self.differences
            ],
        }


@dataclass
class _Value:
    sample: Disposition
    decisions: dict[str, int] = field(default_factory=dict)  #: reference decision key -> records
    texts: dict[str, str] = field(default_factory=dict)  #: reference decision key -> its text


@dataclass
class Agreement:
    """Resolves each record of a history with ``reference`` as it is read (``add``), then compares with the
    proposed table (``against``)."""

    reference: MappingTable
    _values: dict[str, _Value] = field(default_factory=dict, repr=False)
    _untracked: dict[str, int] = field(default_factory=dict, repr=False)
    _untracked_texts: dict[str, str] = field(default_factory=dict, repr=False)
    records: int = 0

    def add(self, key: str | None, disposition: Disposition) -> None:
        """One record, counted under its value's ``key`` (``Tally.add``'s answer; None: a value past the tally's
        limit, which the proposed table has no rule for)."""
        self.records += 1
        decision = self.reference.resolve(disposition)
        ref = decision_key(decision)
        if key is None:
            self._untracked[ref] = self._untracked.get(ref, 0) + 1
            self._untracked_texts.setdefault(ref, decision_text(decision))
            return
        value = self._values.get(key)
        if value is None:
            value = self._values[key] = _Value(disposition)
        value.decisions[ref] = value.decisions.get(ref, 0) + 1
        value.texts.setdefault(ref, decision_text(decision))

    def against(self, proposed: MappingTable) -> Comparison:
        """The comparison with ``proposed``, a table whose rules look only at ``code`` (``ValueError``
        otherwise: its decision could then differ between records of one value)."""
        for rule in proposed.rules:
            keys = {m.key for m in rule.matchers}
            if "code" not in keys or not keys <= _PROPOSED_KEYS:
                raise ValueError(f"rule #{rule.number} of {proposed.name} looks at more than the legacy value")
        same_code = both_skip = both_unmapped = 0
        differences: list[Difference] = []

        def tally(ref: str, count: int, mine: str, mine_text: str, ref_text: str, shown: str) -> None:
            nonlocal same_code, both_skip, both_unmapped
            if ref != mine:
                differences.append(Difference(shown, count, mine_text, ref_text))
            elif mine == SKIP:
                both_skip += count
            elif mine == UNMAPPED:
                both_unmapped += count
            else:
                same_code += count

        for value in self._values.values():
            decision = proposed.resolve(value.sample)
            mine, mine_text = decision_key(decision), decision_text(decision)
            for ref, count in value.decisions.items():
                tally(ref, count, mine, mine_text, value.texts[ref], value.sample.code)
        for ref, count in self._untracked.items():
            tally(ref, count, UNMAPPED, "unmapped (dead letter)", self._untracked_texts[ref], "(untracked values)")
        differences.sort(key=lambda d: (-d.records, d.value, d.reference))
        return Comparison(self.reference.name, self.records, same_code, both_skip, both_unmapped, tuple(differences))
