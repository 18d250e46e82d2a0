"""From a history's legacy values to one proposal each: a Genesys code (with a confidence), a skip, or a TODO.

``Tally`` counts a stream of records by legacy value (keyed by ``normalize_text``, the normalization the mapping
table matches with), in memory that grows with the number of *distinct* values, never with records: per value a
count, at most ``SPELLING_SLOTS`` raw spellings (a space-saving counter, exact while a value has that few), how
many of its records carry no outcome (``system.skip_reason``) and one such reason. Past ``max_values`` distinct
values (free text in the disposition column) the rest are counted, not proposed.

``propose`` then decides each value, most frequent first:

- **skip** when every record of the value carries no outcome (blank, Five9 ``No Disposition``, Twilio task
  reasons ...): the reason is the rule's ``skip:`` text;
- records whose outcome is named by a second field (``system.signal``: a Twilio ``failed`` call's SIP status) are
  counted apart from the bare value, under the value and the signal, and proposed for the signal's phrase; they
  come just before the bare value, so the rule that names the field is read first;
- **code** when the org's closest code (``similarity.NameIndex.rank`` over the codes' names) scores at least the
  minimum confidence and clearly leads the next one (by ``AMBIGUITY_MARGIN``); ``high`` from
  ``HIGH_CONFIDENCE`` (a same name, a reviewed synonym, the same words), else it asks for a closer look;
- **TODO** otherwise: nothing close enough, or two codes equally close (never a guess between them). The best
  candidates are kept to show the reviewer.

Pure: the org's codes are ``core.review.orgview.CatalogCode`` values handed in; nothing is read or written here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from wrapup_bridge.core.authoring.similarity import THRESHOLD, Match, NameIndex, Score, Synonyms
from wrapup_bridge.core.authoring.system import Signal, signal, skip_reason
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.normalize import normalize_text
from wrapup_bridge.core.review.orgview import CatalogCode

__all__ = [
    "AMBIGUITY_MARGIN",
    "DEFAULT_MAX_VALUES",
    "DEFAULT_MIN_CONFIDENCE",
    "HIGH_CONFIDENCE",
    "SPELLING_SLOTS",
    "Candidate",
    "Proposal",
    "ProposalKind",
    "TalliedValue",
    "Tally",
    "propose",
]

SPELLING_SLOTS = 8  #: raw spellings kept per value (the most frequent, exact while there are no more)
DEFAULT_MAX_VALUES = 5_000  #: distinct values proposed; past them records are counted only
DEFAULT_MIN_CONFIDENCE = 0.6  #: a code is proposed from this confidence (never under similarity.THRESHOLD)
HIGH_CONFIDENCE = 0.85  #: from here a proposal is "high": the same name, a reviewed synonym or the same words
AMBIGUITY_MARGIN = 0.05  #: the best code must lead the next by this much, or the value is a TODO
CANDIDATES_KEPT = 3
_SIGNAL_SEPARATOR = "\x1f"  #: between a value and its signal's key in a tally key (no normalized text holds it)


class _Stats:
    """One legacy value's counts: small and fixed-size whatever the number of records."""

    __slots__ = ("approximate", "count", "signal", "skip_reason", "skipped", "spellings")

    def __init__(self, signal: Signal | None = None) -> None:
        self.signal = signal
        self.count = 0
        self.skipped = 0
        self.skip_reason: str | None = None
        self.spellings: dict[str, int] = {}
        self.approximate = False

    def add(self, raw: str, reason: str | None) -> None:
        self.count += 1
        if reason is not None:
            self.skipped += 1
            if self.skip_reason is None:
                self.skip_reason = reason
        spellings = self.spellings
        if raw in spellings:
            spellings[raw] += 1
        elif len(spellings) < SPELLING_SLOTS:
            spellings[raw] = 1
        else:  # space-saving: the new spelling inherits the smallest slot's count (an upper bound)
            smallest = min(spellings, key=lambda s: (spellings[s], s))
            spellings[raw] = spellings.pop(smallest) + 1
            self.approximate = True


@dataclass(frozen=True)
class TalliedValue:
    """One legacy value of a history: its key (the normalized value, and the signal's key when a second field
    names the outcome), its raw spellings (most frequent first), its record count, how many of them carry no
    outcome (with the first such reason), and the signal its records share, if any."""

    normalized: str
    count: int
    spellings: tuple[tuple[str, int], ...]
    spellings_approximate: bool
    skipped: int
    skip_reason: str | None
    signal: Signal | None = None

    @property
    def base(self) -> str:
        """The normalized legacy value, without the signal's key."""
        return self.normalized.partition(_SIGNAL_SEPARATOR)[0]

    @property
    def display(self) -> str:
        """The most frequent raw spelling, as people know the value (ties: the first in sorted order)."""
        return self.spellings[0][0] if self.spellings else self.base

    @property
    def label(self) -> str:
        """The value as a reviewer reads it: ``failed (sip_response_code 404, 484, 604)`` when a signal splits it."""
        if self.signal is None:
            return self.display
        return f"{self.display} ({self.signal.field} {', '.join(self.signal.values)})"


def _keyed(disposition: Disposition) -> tuple[str, Signal | None]:
    found = signal(disposition)
    code = normalize_text(disposition.code)
    return (code if found is None else f"{code}{_SIGNAL_SEPARATOR}{found.key}"), found


@dataclass
class Tally:
    """Counts a history's records by legacy value: ``add`` each, then ``values()``."""

    max_values: int = DEFAULT_MAX_VALUES
    records: int = 0
    untracked: int = 0  #: records of values past ``max_values``: counted, not proposed
    _values: dict[str, _Stats] = field(default_factory=dict, repr=False)

    def key(self, disposition: Disposition) -> str:
        """The value a record is counted under: the mapping table's normalization of its code, followed by the
        signal's key when a second field names the outcome (``system.signal``)."""
        return _keyed(disposition)[0]

    def add(self, disposition: Disposition) -> str | None:
        """Count one record; returns the key it was counted under, or None when past ``max_values``."""
        self.records += 1
        key, found = _keyed(disposition)
        stats = self._values.get(key)
        if stats is None:
            if len(self._values) >= self.max_values:
                self.untracked += 1
                return None
            stats = self._values[key] = _Stats(found)
        stats.add(disposition.code, skip_reason(disposition))
        return key

    def __len__(self) -> int:
        return len(self._values)

    def values(self) -> list[TalliedValue]:
        """Every value, most frequent first (ties by normalized text: the same order for the same history). The
        values a signal splits off a legacy value come together, just before the bare one (a rule naming the signal's
        field must be read before the rule for the bare value), ranked by the records of all of them."""
        out = []
        totals: dict[str, int] = {}
        for key, stats in self._values.items():
            spellings = tuple(sorted(stats.spellings.items(), key=lambda s: (-s[1], s[0])))
            value = TalliedValue(
                key, stats.count, spellings, stats.approximate, stats.skipped, stats.skip_reason, stats.signal
            )
            out.append(value)
            base = key.partition(_SIGNAL_SEPARATOR)[0]
            totals[base] = totals.get(base, 0) + stats.count

        def order(v: TalliedValue) -> tuple[int, str, int, int, str]:
            return (-totals[v.base], v.base, v.signal is None, -v.count, v.normalized)

        out.sort(key=order)
        return out


class ProposalKind(StrEnum):
    CODE = "code"  #: a Genesys code is proposed
    SKIP = "skip"  #: the records carry no outcome: leave them alone
    TODO = "todo"  #: no code is close enough, or two are equally close: a person decides


@dataclass(frozen=True)
class Candidate:
    """An org code considered for a value: the code and how close its name is."""

    code: CatalogCode
    score: Score

    @property
    def confidence(self) -> float:
        return self.score.score


@dataclass(frozen=True)
class Proposal:
    """What ``mapping init`` proposes for one legacy value, and why (``reason``, in words)."""

    value: TalliedValue
    kind: ProposalKind
    reason: str
    code: CatalogCode | None = None
    confidence: float = 0.0
    candidates: tuple[Candidate, ...] = ()

    @property
    def high(self) -> bool:
        return self.kind is ProposalKind.CODE and self.confidence >= HIGH_CONFIDENCE

    @property
    def label(self) -> str:
        """``code-high``, ``code-low``, ``skip`` or ``todo``: the proposal's kind as the summary counts it."""
        if self.kind is ProposalKind.CODE:
            return "code-high" if self.high else "code-low"
        return self.kind.value


def _unique_codes(codes: Iterable[CatalogCode]) -> list[CatalogCode]:
    """The org's codes once each (by id, lower case), in a fixed order: by normalized name, then id."""
    seen: dict[str, CatalogCode] = {}
    for code in codes:
        seen.setdefault(code.id.lower(), code)
    return sorted(seen.values(), key=lambda c: (normalize_text(c.name), c.id.lower()))


def _candidates(matches: Sequence[Match], codes: Sequence[CatalogCode]) -> tuple[Candidate, ...]:
    return tuple(Candidate(codes[m.index], m.score) for m in matches)


def propose(
    values: Iterable[TalliedValue],
    codes: Iterable[CatalogCode],
    synonyms: Synonyms | None = None,
    *,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> list[Proposal]:
    """One proposal per value, in the order given (``Tally.values()``: most frequent first). ``min_confidence``
    below ``similarity.THRESHOLD`` is raised to it: no code is ever proposed from a weaker match."""
    if not 0.0 <= min_confidence <= 1.0:
        raise ValueError(f"min_confidence must be between 0 and 1, got {min_confidence}")
    floor = max(min_confidence, THRESHOLD)
    org = _unique_codes(codes)
    index = NameIndex([c.name for c in org], synonyms)  # the codes' names read once, for every value
    proposals = []
    for value in values:
        if value.skipped == value.count and value.skip_reason is not None:
            proposals.append(Proposal(value, ProposalKind.SKIP, value.skip_reason, confidence=1.0))
            continue
        wording = value.display if value.signal is None else value.signal.phrase
        nearest = _candidates(index.rank(wording, limit=CANDIDATES_KEPT), org)
        proposals.append(_decide(value, nearest, floor))
    return proposals


def _decide(value: TalliedValue, nearest: tuple[Candidate, ...], floor: float) -> Proposal:
    """A code when the nearest one reaches ``floor`` and leads the next by ``AMBIGUITY_MARGIN``; else a TODO that
    names the nearest (shown, never proposed)."""
    mixed = ""
    if value.skipped:
        mixed = f"; {value.skipped} of its {value.count} records carry no outcome ({value.skip_reason})"
    shown = tuple(c for c in nearest if c.confidence > 0)
    if not shown or shown[0].confidence < floor:
        best = f" (best: {shown[0].code.name} {shown[0].confidence:.2f})" if shown else ""
        return Proposal(value, ProposalKind.TODO, f"no code is close{best}{mixed}", candidates=shown)
    first = shown[0]
    tied = [c for c in shown if first.confidence - c.confidence < AMBIGUITY_MARGIN]
    if len(tied) > 1:
        names = " or ".join(f"{c.code.name} {c.confidence:.2f}" for c in tied)
        return Proposal(value, ProposalKind.TODO, f"codes equally close: {names}{mixed}", candidates=shown)
    reason = f"{first.score.basis} ({first.score.detail}){mixed}"
    if value.signal is not None:
        reason = f"{value.signal.why}; {reason}"
    return Proposal(value, ProposalKind.CODE, reason, first.code, first.confidence, shown)
