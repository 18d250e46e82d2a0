"""Scoring, never guessing: how well one conversation fits one record, and what the record's fate is.

A candidate's score is the weighted mean of the qualities of the parts both sides know (``time`` always; ``ani``,
``dnis``, ``agent``, ``queue``, ``direction``, ``media`` when both have them): an agreeing part counts 1, a
differing one 0, and time ``1 - |offset| / tolerance``. A part only one side knows is "unknown" and counts for
nothing either way, so a record with fewer facts is judged on those it has. A candidate *fails* when its time is
beyond the tolerance, when a part the table ``require``s differs, or when both sides know the legacy id and it
differs; an equal legacy id is decisive (score 1, other parts evidence only).

``classify`` then decides: ``matched`` only when the best candidate passes the threshold *and* leads the next by
the table's margin; otherwise ``ambiguous`` (those within the margin listed) when something passes, or ``none``
(the nearest by time listed, each with why it failed). Two conversations equally close to a record are therefore
always ``ambiguous``: a person chooses, not the tool.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from wrapup_bridge.core.correlate.candidate import Candidate
from wrapup_bridge.core.correlate.probe import Probe
from wrapup_bridge.core.correlate.result import Correlation, CorrelationStatus, RankedCandidate
from wrapup_bridge.core.correlate.spec import CorrelateSpec
from wrapup_bridge.core.disposition import is_genesys_id

__all__ = [
    "FieldEvidence",
    "Scored",
    "Verdict",
    "classify",
    "score",
    "time_offset",
    "unsearched",
    "window_status",
]

#: How many candidates a correlation lists.
MAX_LISTED = 5
#: A record's media (analytics name) -> the session mediaTypes a conversation of it may have: a callback
#: conversation has voice sessions once the agent dials, a legacy chat or message is a Genesys chat or message.
_MEDIA_FITS: dict[str, frozenset[str]] = {
    "voice": frozenset({"voice"}),
    "callback": frozenset({"callback", "voice"}),
    "email": frozenset({"email"}),
    "message": frozenset({"message", "chat"}),
    "video": frozenset({"video"}),
}


class Verdict(StrEnum):
    OK = "ok"  #: both sides know it and agree
    DIFFERS = "differs"  #: both know it and disagree (counts 0)
    UNKNOWN = "unknown"  #: one side does not know it (does not count)
    FAILS = "fails"  #: disagrees where it must not (beyond the tolerance, a required part, another legacy id)


@dataclass(frozen=True, slots=True)
class FieldEvidence:
    """One part's comparison: ``field`` (time, ani, ...), its ``verdict`` and a human ``detail``."""

    field: str
    verdict: Verdict
    detail: str


@dataclass(frozen=True, slots=True)
class Scored:
    """How one candidate fits one record: ``score`` (0..1, rounded to 3 places), whether it ``failed``, each
    part's ``evidence``, the record's ``time_offset`` (seconds after the compared time, 0 inside the span; None
    without a time) and whether an equal legacy id made it ``decisive``."""

    score: float
    failed: bool
    evidence: tuple[FieldEvidence, ...]
    time_offset: float | None = None
    decisive: bool = False

    @property
    def details(self) -> str:
        """The evidence as one line: every part both sides know, joined by ``; ``."""
        return "; ".join(e.detail for e in self.evidence if e.verdict is not Verdict.UNKNOWN and e.detail)


def time_offset(when: datetime, candidate: Candidate, mode: str) -> float:
    """Seconds from the compared time to ``when``: from the start (``start``), the end (``end``; the start when
    the conversation has no end yet), or the span (``within``: 0 inside, negative before it, positive after)."""
    start, end = candidate.start, candidate.end or candidate.start
    if mode == "start":
        return (when - start).total_seconds()
    if mode == "end":
        return (when - end).total_seconds()
    if when < start:
        return (when - start).total_seconds()
    if when > end:
        return (when - end).total_seconds()
    return 0.0


def score(probe: Probe, candidate: Candidate, spec: CorrelateSpec, agent_ids: frozenset[str] | None = None) -> Scored:
    """How well ``candidate`` fits ``probe`` under ``spec``. ``agent_ids``: the Genesys user ids the record's agent
    resolved to (the service looks e-mails and logins up); None when unknown, and then only an agent key that is
    itself a user id counts."""
    evidence: list[FieldEvidence] = []
    weighed = 0.0
    total = 0.0
    failed = False
    required = set(spec.require)

    decisive = False
    if spec.legacy_id is not None and probe.legacy_id is not None:
        theirs = (
            candidate.external_tag
            if spec.legacy_id.external_tag
            else candidate.attributes.get(spec.legacy_id.attribute or "")
        )
        if theirs is None or not theirs.strip():
            evidence.append(FieldEvidence("legacy_id", Verdict.UNKNOWN, "the call has no legacy id"))
        elif theirs.strip() == probe.legacy_id:
            decisive = True
            evidence.append(FieldEvidence("legacy_id", Verdict.OK, f"legacy id {probe.legacy_id} on the call"))
        else:
            failed = True
            evidence.append(
                FieldEvidence("legacy_id", Verdict.FAILS, f"legacy id {probe.legacy_id}, the call has {theirs.strip()}")
            )

    offset: float | None = None
    if probe.time is None:
        evidence.append(FieldEvidence("time", Verdict.UNKNOWN, "the record has no time"))
        if not decisive:
            failed = True
    else:
        offset = time_offset(probe.time, candidate, spec.time)
        tolerance = spec.tolerance_seconds
        weight = spec.weight("time")
        total += weight
        if abs(offset) > tolerance:
            failed = True
            evidence.append(
                FieldEvidence("time", Verdict.FAILS, f"time off by {abs(offset):.0f} s (tolerance {tolerance} s)")
            )
        else:
            weighed += weight * (1 - abs(offset) / tolerance)
            inside = spec.time == "within" and offset == 0 and candidate.end is not None
            detail = "time within the call" if inside else f"time {offset:+.0f} s"
            if spec.time == "end" and candidate.end is None:
                detail += " (from its start: the call has no end)"
            evidence.append(FieldEvidence("time", Verdict.OK, detail))

    def part(name: str, verdict: Verdict, detail: str) -> None:
        nonlocal weighed, total, failed
        if verdict is Verdict.DIFFERS and name in required:
            verdict = Verdict.FAILS
            failed = True
        if verdict is not Verdict.UNKNOWN:
            total += spec.weight(name)
            weighed += spec.weight(name) if verdict is Verdict.OK else 0.0
        evidence.append(FieldEvidence(name, verdict, detail))

    numbers: tuple[tuple[str, str | None, frozenset[str]], ...] = (
        ("ani", probe.ani, candidate.anis),
        ("dnis", probe.dnis, candidate.dnises),
    )
    for name, number, known in numbers:
        if number is None or not known:
            part(name, Verdict.UNKNOWN, "")
        elif number in known:
            part(name, Verdict.OK, f"{name} {number}")
        else:
            part(name, Verdict.DIFFERS, f"{name} {number}, the call had {', '.join(sorted(known))}")

    ids = agent_ids if agent_ids is not None else frozenset(k for k in probe.agent_keys if is_genesys_id(k))
    shown = probe.agent or next(iter(sorted(ids)), "")
    if not ids or not candidate.user_ids:
        part("agent", Verdict.UNKNOWN, "")
    elif ids & candidate.user_ids:
        part("agent", Verdict.OK, f"agent {shown} is on it")
    else:
        part("agent", Verdict.DIFFERS, f"agent {shown} is not on it")

    queue_shown = probe.queue or probe.queue_id or ""
    if probe.queue_id is None or not candidate.queue_ids:
        part("queue", Verdict.UNKNOWN, "")
    elif probe.queue_id in candidate.queue_ids:
        part("queue", Verdict.OK, f"queue {queue_shown}")
    else:
        part("queue", Verdict.DIFFERS, f"queue {queue_shown} is not on it")

    if probe.direction is None or candidate.direction is None:
        part("direction", Verdict.UNKNOWN, "")
    elif probe.direction == candidate.direction:
        part("direction", Verdict.OK, probe.direction)
    else:
        part("direction", Verdict.DIFFERS, f"{probe.direction}, the call was {candidate.direction}")

    if probe.media is None or not candidate.media:
        part("media", Verdict.UNKNOWN, "")
    elif candidate.media & _MEDIA_FITS.get(probe.media, frozenset({probe.media})):
        part("media", Verdict.OK, probe.media)
    else:
        part("media", Verdict.DIFFERS, f"{probe.media}, the call was {', '.join(sorted(candidate.media))}")

    if decisive:
        return Scored(1.0, False, tuple(evidence), offset, decisive=True)
    value = round(weighed / total, 3) if total > 0 else 0.0
    return Scored(value, failed, tuple(evidence), offset)


def classify(
    probe: Probe,
    scored: Sequence[tuple[Candidate, Scored]],
    spec: CorrelateSpec,
    *,
    input: str | None = None,
    line: int | None = None,
) -> Correlation:
    """The record's correlation from its scored candidates. ``input`` and ``line``: where the record was read.

    - ``no-time``: the record has neither a time nor a legacy id.
    - ``matched``: the best candidate is not failed, scores at least ``threshold`` and leads the next candidate
      that did not fail by at least ``margin`` (reported; alone, its lead is its score). An equal legacy id on
      exactly one candidate is decisive.
    - ``ambiguous``: the best passes but others are within ``margin`` of it (all of those are listed), or two
      candidates carry the record's legacy id.
    - ``none``: nothing passes; the nearest candidates by time are listed, each with why it failed.
    """
    where = {"source": probe.source, "source_id": probe.source_id, "input": input, "line": line}
    if probe.time is None and probe.legacy_id is None:
        return Correlation(
            **where, status=CorrelationStatus.NO_TIME, evidence="the record has no time and no legacy id to search by"
        )
    ranked = sorted(scored, key=_rank)
    alive = [pair for pair in ranked if not pair[1].failed]
    decisive = [pair for pair in alive if pair[1].decisive]
    if len(decisive) > 1:
        return Correlation(
            **where,
            status=CorrelationStatus.AMBIGUOUS,
            score=1.0,
            margin=0.0,
            evidence=f"legacy id {probe.legacy_id} is on {len(decisive)} conversations",
            candidates=_listed(decisive),
        )
    if not alive or (alive[0][1].score < spec.threshold and not alive[0][1].decisive):
        nearest = sorted(ranked, key=_nearness)[:MAX_LISTED]
        if not nearest:
            evidence = f"no conversation within {spec.tolerance_seconds} s of the record's time"
        else:
            evidence = f"none passes (threshold {spec.threshold:g}); nearest: {nearest[0][1].details}"
        return Correlation(**where, status=CorrelationStatus.NONE, evidence=evidence, candidates=_listed(nearest))
    best = alive[0][1]
    second = alive[1][1].score if len(alive) > 1 else 0.0
    lead = round(max(best.score - second, 0.0), 3)
    if best.decisive or lead >= spec.margin:
        return Correlation(
            **where,
            status=CorrelationStatus.MATCHED,
            conversation_id=alive[0][0].conversation_id,
            score=best.score,
            margin=lead,
            evidence=best.details,
            candidates=_listed(ranked),
        )
    close = [pair for pair in alive if pair[1].score >= round(best.score - spec.margin, 3)]
    return Correlation(
        **where,
        status=CorrelationStatus.AMBIGUOUS,
        score=best.score,
        margin=lead,
        evidence=f"{len(close)} conversations score within {spec.margin:g} of each other; best: {best.details}",
        candidates=_listed(close),
    )


def window_status(probe_time: datetime | None, spec: CorrelateSpec, now: datetime) -> CorrelationStatus | None:
    """``before-cutover`` when the record (even with the tolerance) is before the table's ``cutover`` day (UTC),
    ``outside-retention`` when it is older than ``retention_days`` before ``now``; else None (search for it)."""
    if probe_time is None:
        return None
    latest = probe_time + timedelta(seconds=spec.tolerance_seconds)
    if spec.cutover is not None and latest < datetime(
        spec.cutover.year, spec.cutover.month, spec.cutover.day, tzinfo=UTC
    ):
        return CorrelationStatus.BEFORE_CUTOVER
    if spec.retention_days is not None and latest < now - timedelta(days=spec.retention_days):
        return CorrelationStatus.OUTSIDE_RETENTION
    return None


def unsearched(
    probe: Probe, status: CorrelationStatus, spec: CorrelateSpec, *, input: str | None = None, line: int | None = None
) -> Correlation:
    """The correlation of a record that is not searched for (``window_status`` said why, or it has no time)."""
    reasons = {
        CorrelationStatus.BEFORE_CUTOVER: f"the record is before the org's first day on Genesys ({spec.cutover})",
        CorrelationStatus.OUTSIDE_RETENTION: f"the record is older than the {spec.retention_days} days analytics "
        "keep conversations (correlate.retention_days)",
        CorrelationStatus.NO_TIME: (
            f"the record has no time; its legacy id {probe.legacy_id} alone does not say which days to search"
            if probe.legacy_id
            else "the record has no time and no legacy id to search by"
        ),
    }
    return Correlation(
        source=probe.source,
        source_id=probe.source_id,
        status=status,
        evidence=reasons.get(status, ""),
        input=input,
        line=line,
    )


def _rank(pair: tuple[Candidate, Scored]) -> tuple[bool, bool, float, float, str]:
    candidate, scored = pair
    return (not scored.decisive, scored.failed, -scored.score, _distance(scored), candidate.conversation_id)


def _nearness(pair: tuple[Candidate, Scored]) -> tuple[float, float, str]:
    candidate, scored = pair
    return (_distance(scored), -scored.score, candidate.conversation_id)


def _distance(scored: Scored) -> float:
    return math.inf if scored.time_offset is None else abs(scored.time_offset)


def _listed(pairs: Sequence[tuple[Candidate, Scored]]) -> tuple[RankedCandidate, ...]:
    return tuple(
        RankedCandidate(conversation_id=candidate.conversation_id, score=scored.score, evidence=scored.details)
        for candidate, scored in pairs[:MAX_LISTED]
    )
