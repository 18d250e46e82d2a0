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
always ``ambiguous``, whatever the margin (a lead of 0 is never enough): a person chooses, not the tool.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import NamedTuple, Protocol, TypeVar

from wrapup_bridge.core.correlate.candidate import Candidate
from wrapup_bridge.core.correlate.probe import Probe
from wrapup_bridge.core.correlate.result import Correlation, CorrelationStatus, RankedCandidate
from wrapup_bridge.core.correlate.spec import DEFAULT_WEIGHTS, CorrelateSpec
from wrapup_bridge.core.disposition import is_genesys_id

__all__ = [
    "FieldEvidence",
    "Quick",
    "Scored",
    "Verdict",
    "classify",
    "score",
    "score_many",
    "shortlist",
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


def score(
    probe: Probe,
    candidate: Candidate,
    spec: CorrelateSpec,
    agent_ids: frozenset[str] | None = None,
    *,
    explain: bool = True,
) -> Scored:
    """How well ``candidate`` fits ``probe`` under ``spec``. ``agent_ids``: the Genesys user ids the record's agent
    resolved to (the service looks e-mails and logins up); None when unknown, and then only an agent key that is
    itself a user id counts. ``explain=False``: the same score, failure and offset without the evidence (no text
    is built: the service scores every conversation near a record so, then explains those ``shortlist`` keeps)."""
    weights, required = _weights(spec)
    evidence: list[FieldEvidence] | None = [] if explain else None
    weighed = 0.0
    total = 0.0
    failed = False

    decisive = False
    if spec.legacy_id is not None and probe.legacy_id is not None:
        theirs = (
            candidate.external_tag
            if spec.legacy_id.external_tag
            else candidate.attributes.get(spec.legacy_id.attribute or "")
        )
        if theirs is None or not theirs.strip():
            if evidence is not None:
                evidence.append(FieldEvidence("legacy_id", Verdict.UNKNOWN, "the call has no legacy id"))
        elif theirs.strip() == probe.legacy_id:
            decisive = True
            if evidence is not None:
                evidence.append(FieldEvidence("legacy_id", Verdict.OK, f"legacy id {probe.legacy_id} on the call"))
        else:
            failed = True
            if evidence is not None:
                evidence.append(
                    FieldEvidence(
                        "legacy_id", Verdict.FAILS, f"legacy id {probe.legacy_id}, the call has {theirs.strip()}"
                    )
                )

    offset: float | None = None
    if probe.time is None:
        if evidence is not None:
            evidence.append(FieldEvidence("time", Verdict.UNKNOWN, "the record has no time"))
        if not decisive:
            failed = True
    else:
        offset = time_offset(probe.time, candidate, spec.time)
        tolerance = spec.tolerance_seconds
        weight = weights["time"]
        total += weight
        if abs(offset) > tolerance:
            failed = True
            if evidence is not None:
                evidence.append(
                    FieldEvidence("time", Verdict.FAILS, f"time off by {abs(offset):.0f} s (tolerance {tolerance} s)")
                )
        else:
            weighed += weight * (1 - abs(offset) / tolerance)
            if evidence is not None:
                inside = spec.time == "within" and offset == 0 and candidate.end is not None
                detail = "time within the call" if inside else f"time {offset:+.0f} s"
                if spec.time == "end" and candidate.end is None:
                    detail += " (from its start: the call has no end)"
                evidence.append(FieldEvidence("time", Verdict.OK, detail))

    ids = agent_ids if agent_ids is not None else frozenset(k for k in probe.agent_keys if is_genesys_id(k))
    # Each part's verdict, in the order the parts are weighed (the sums, and so the rounding, never change).
    verdicts = (
        ("ani", _among(probe.ani, candidate.anis)),
        ("dnis", _among(probe.dnis, candidate.dnises)),
        (
            "agent",
            Verdict.UNKNOWN
            if not ids or not candidate.user_ids
            else Verdict.OK
            if ids & candidate.user_ids
            else Verdict.DIFFERS,
        ),
        ("queue", _among(probe.queue_id, candidate.queue_ids)),
        (
            "direction",
            Verdict.UNKNOWN
            if probe.direction is None or candidate.direction is None
            else Verdict.OK
            if probe.direction == candidate.direction
            else Verdict.DIFFERS,
        ),
        (
            "media",
            Verdict.UNKNOWN
            if probe.media is None or not candidate.media
            else Verdict.OK
            if candidate.media & _MEDIA_FITS.get(probe.media, frozenset({probe.media}))
            else Verdict.DIFFERS,
        ),
    )
    for name, verdict in verdicts:
        given = verdict
        if verdict is Verdict.OK:
            total += weights[name]
            weighed += weights[name]
        elif verdict is Verdict.DIFFERS:
            total += weights[name]
            if name in required:
                given = Verdict.FAILS
                failed = True
        if evidence is not None:
            evidence.append(FieldEvidence(name, given, _detail(name, given, probe, candidate, ids)))

    explained = tuple(evidence) if evidence is not None else ()
    if decisive:
        return Scored(1.0, False, explained, offset, decisive=True)
    value = round(weighed / total, 3) if total > 0 else 0.0
    return Scored(value, failed, explained, offset)


def _among(value: str | None, known: frozenset[str]) -> Verdict:
    if value is None or not known:
        return Verdict.UNKNOWN
    return Verdict.OK if value in known else Verdict.DIFFERS


def _detail(name: str, verdict: Verdict, probe: Probe, candidate: Candidate, ids: frozenset[str]) -> str:
    """The human text of one part's verdict (empty when it is unknown)."""
    if verdict is Verdict.UNKNOWN:
        return ""
    ok = verdict is Verdict.OK
    if name in ("ani", "dnis"):
        number = probe.ani if name == "ani" else probe.dnis
        known = candidate.anis if name == "ani" else candidate.dnises
        return f"{name} {number}" if ok else f"{name} {number}, the call had {', '.join(sorted(known))}"
    if name == "agent":
        shown = probe.agent or next(iter(sorted(ids)), "")
        return f"agent {shown} is on it" if ok else f"agent {shown} is not on it"
    if name == "queue":
        queue_shown = probe.queue or probe.queue_id or ""
        return f"queue {queue_shown}" if ok else f"queue {queue_shown} is not on it"
    if name == "direction":
        return str(probe.direction) if ok else f"{probe.direction}, the call was {candidate.direction}"
    return str(probe.media) if ok else f"{probe.media}, the call was {', '.join(sorted(candidate.media))}"


#: The last spec's weights and required parts (one slot: a run scores every candidate under the same spec).
_LAST_SPEC: list[tuple[CorrelateSpec, dict[str, float], frozenset[str]]] = []


def _weights(spec: CorrelateSpec) -> tuple[dict[str, float], frozenset[str]]:
    if _LAST_SPEC and _LAST_SPEC[0][0] is spec:
        return _LAST_SPEC[0][1], _LAST_SPEC[0][2]
    weights = {name: spec.weight(name) for name in DEFAULT_WEIGHTS}
    required = frozenset(spec.require)
    _LAST_SPEC[:] = [(spec, weights, required)]
    return weights, required


class Quick(NamedTuple):
    """A score without its evidence (``score_many``): what ``shortlist`` sorts by. A tuple, cheap to make by
    the hundred for every record."""

    score: float
    failed: bool
    time_offset: float | None
    decisive: bool


class _Ranked(Protocol):
    @property
    def score(self) -> float: ...
    @property
    def failed(self) -> bool: ...
    @property
    def time_offset(self) -> float | None: ...
    @property
    def decisive(self) -> bool: ...


def score_many(
    probe: Probe, candidates: Sequence[Candidate], spec: CorrelateSpec, agent_ids: frozenset[str] | None = None
) -> list[Quick]:
    """What ``score(probe, c, spec, agent_ids)`` says of each candidate's score, failure, offset and decisiveness,
    without evidence, the record's side read once: the service compares each record with every conversation near
    it (hundreds on a busy line), so this is the loop that costs. The same sums in the same order as ``score``, so
    the same rounding (held against it by tests)."""
    weights, required = _weights(spec)
    w_time, w_ani, w_dnis, w_agent = weights["time"], weights["ani"], weights["dnis"], weights["agent"]
    w_queue, w_direction, w_media = weights["queue"], weights["direction"], weights["media"]
    tolerance = spec.tolerance_seconds
    mode = spec.time
    legacy = spec.legacy_id if probe.legacy_id is not None else None
    when = probe.time
    ani, dnis, queue_id, direction, media = probe.ani, probe.dnis, probe.queue_id, probe.direction, probe.media
    ids = agent_ids if agent_ids is not None else frozenset(k for k in probe.agent_keys if is_genesys_id(k))
    fits = _MEDIA_FITS.get(media, frozenset({media})) if media is not None else frozenset()
    need_ani, need_dnis, need_agent = "ani" in required, "dnis" in required, "agent" in required
    need_queue, need_direction, need_media = "queue" in required, "direction" in required, "media" in required
    out: list[Quick] = []
    for candidate in candidates:
        failed = False
        decisive = False
        if legacy is not None:
            theirs = candidate.external_tag if legacy.external_tag else candidate.attributes.get(legacy.attribute or "")
            if theirs is not None and theirs.strip():
                if theirs.strip() == probe.legacy_id:
                    decisive = True
                else:
                    failed = True
        weighed = 0.0
        total = 0.0
        offset: float | None = None
        if when is None:
            if not decisive:
                failed = True
        else:
            offset = time_offset(when, candidate, mode)
            total += w_time
            distance = abs(offset)
            if distance > tolerance:
                failed = True
            else:
                weighed += w_time * (1 - distance / tolerance)
        if ani is not None and candidate.anis:
            total += w_ani
            if ani in candidate.anis:
                weighed += w_ani
            elif need_ani:
                failed = True
        if dnis is not None and candidate.dnises:
            total += w_dnis
            if dnis in candidate.dnises:
                weighed += w_dnis
            elif need_dnis:
                failed = True
        if ids and candidate.user_ids:
            total += w_agent
            if ids & candidate.user_ids:
                weighed += w_agent
            elif need_agent:
                failed = True
        if queue_id is not None and candidate.queue_ids:
            total += w_queue
            if queue_id in candidate.queue_ids:
                weighed += w_queue
            elif need_queue:
                failed = True
        if direction is not None and candidate.direction is not None:
            total += w_direction
            if direction == candidate.direction:
                weighed += w_direction
            elif need_direction:
                failed = True
        if media is not None and candidate.media:
            total += w_media
            if candidate.media & fits:
                weighed += w_media
            elif need_media:
                failed = True
        if decisive:
            out.append(Quick(1.0, False, offset, True))
        else:
            out.append(Quick(round(weighed / total, 3) if total > 0 else 0.0, failed, offset, False))
    return out


_Pair = TypeVar("_Pair", bound=tuple[Candidate, _Ranked])


def shortlist(scored: Sequence[_Pair]) -> list[_Pair]:
    """The pairs of ``scored`` (candidates with their ``Scored`` or ``Quick``) that ``classify`` can use: every
    candidate that did not fail, and the first ``MAX_LISTED`` by rank and by nearness (the only ones it lists).
    ``classify`` of the shortlist (explained) is the ``classify`` of them all, so a record among hundreds of
    conversations needs only these explained."""
    keep: set[int] = set()
    by_rank: list[tuple[bool, bool, float, float, str, int]] = []
    by_nearness: list[tuple[float, float, str, int]] = []
    for i, (candidate, result) in enumerate(scored):
        if not result.failed:
            keep.add(i)
        distance = math.inf if result.time_offset is None else abs(result.time_offset)
        cid = candidate.conversation_id
        by_rank.append((not result.decisive, result.failed, -result.score, distance, cid, i))
        by_nearness.append((distance, -result.score, cid, i))
    keep.update(key[-1] for key in heapq.nsmallest(MAX_LISTED, by_rank))
    keep.update(key[-1] for key in heapq.nsmallest(MAX_LISTED, by_nearness))
    return [scored[i] for i in sorted(keep)]


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
    if best.decisive or (lead >= spec.margin and (lead > 0 or len(alive) == 1)):
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
