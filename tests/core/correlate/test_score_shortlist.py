"""``score(..., explain=False)``, ``score_many`` and ``shortlist``: the service scores every conversation near a
record without building evidence, then explains only the shortlist. Both must be invisible in the result: the quiet
scores (one by one or many at once) are the explained ones without their evidence, and ``classify`` of the
shortlist is ``classify`` of them all (same status,
conversation, score, margin, evidence and listed candidates), on crowds of conversations that agree and differ in
every part, under every time mode, required parts and legacy ids."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from wrapup_bridge.core.correlate.candidate import Candidate
from wrapup_bridge.core.correlate.probe import Probe
from wrapup_bridge.core.correlate.score import MAX_LISTED, classify, score, score_many, shortlist
from wrapup_bridge.core.correlate.spec import CorrelateSpec, LegacyIdSpec

T0 = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
CALLERS = ("+19045550101", "+13175550142", "+12025550177")
LINES = ("+18005550100", "+18005550200")
USERS = ("ea96e66b-d684-474a-b09a-cdcde48041e6", "cc734f07-942c-400c-afa3-584189f688b7")
QUEUES = ("e0284275-ec9b-4fde-a99c-648c9c1726bc", "32f46174-fc86-4b1c-a519-6bd0bcde15a0")
TAGS = ("L-1", "L-2")


def maybe(values: tuple[str, ...]) -> st.SearchStrategy[str | None]:
    return st.one_of(st.none(), st.sampled_from(values))


def some(values: tuple[str, ...]) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(values), max_size=2)


@st.composite
def candidates(draw: st.DrawFn) -> Candidate:
    """A conversation within 20 min of T0, with or without an end, each part known or not."""
    start = T0 + timedelta(seconds=draw(st.integers(-1_200, 1_200)))
    seconds = draw(st.one_of(st.none(), st.integers(0, 900)))
    return Candidate(
        conversation_id=str(uuid.UUID(int=draw(st.integers(1, 2**40)))),
        start=start,
        end=start + timedelta(seconds=seconds) if seconds is not None else None,
        direction=draw(maybe(("inbound", "outbound"))),
        media=draw(some(("voice", "callback", "chat"))),
        anis=draw(some(CALLERS)),
        dnises=draw(some(LINES)),
        queue_ids=draw(some(QUEUES)),
        user_ids=draw(some(USERS)),
        external_tag=draw(maybe(TAGS)),
    )


@st.composite
def probes(draw: st.DrawFn) -> Probe:
    seconds = draw(st.one_of(st.none(), st.integers(-300, 300)))
    return Probe(
        source="five9",
        source_id="300000010270801",
        time=T0 + timedelta(seconds=seconds) if seconds is not None else None,
        ani=draw(maybe(CALLERS)),
        dnis=draw(maybe(LINES)),
        direction=draw(maybe(("inbound", "outbound"))),  # type: ignore[arg-type]
        media=draw(maybe(("voice", "callback", "message"))),
        queue="Billing",
        queue_id=draw(maybe(QUEUES)),
        agent="jdoe",
        agent_keys=draw(st.frozensets(st.sampled_from(("jdoe", USERS[0])), max_size=2)),
        legacy_id=draw(maybe(TAGS)),
    )


@st.composite
def specs(draw: st.DrawFn) -> CorrelateSpec:
    return CorrelateSpec(
        time=draw(st.sampled_from(["start", "end", "within"])),
        tolerance_seconds=draw(st.sampled_from([30, 120, 600])),
        require=draw(st.lists(st.sampled_from(["ani", "dnis", "agent", "queue"]), unique=True, max_size=2)),
        legacy_id=draw(st.sampled_from([None, LegacyIdSpec(external_tag=True)])),
        margin=draw(st.sampled_from([0.0, 0.15, 0.3])),
    )


@settings(max_examples=300, deadline=None)
@given(probes(), st.lists(candidates(), max_size=3 * MAX_LISTED), specs(), st.one_of(st.none(), some(USERS)))
def test_the_shortlist_classifies_as_all_of_them_and_the_quiet_score_is_the_explained_one(
    probe: Probe, crowd: list[Candidate], spec: CorrelateSpec, agent_ids: frozenset[str] | None
) -> None:
    explained = [(c, score(probe, c, spec, agent_ids)) for c in crowd]
    quiet = [(c, score(probe, c, spec, agent_ids, explain=False)) for c in crowd]
    for (_, loud), (_, silent) in zip(explained, quiet, strict=True):
        assert silent.evidence == ()
        assert (silent.score, silent.failed, silent.time_offset, silent.decisive) == (
            loud.score,
            loud.failed,
            loud.time_offset,
            loud.decisive,
        )
    many = score_many(probe, crowd, spec, agent_ids)
    assert [(s.score, s.failed, s.time_offset, s.decisive) for _, s in quiet] == [tuple(q) for q in many]
    assert [c for c, _ in shortlist(quiet)] == [c for c, _ in shortlist(list(zip(crowd, many, strict=True)))]
    short = shortlist(quiet)
    assert len(short) <= len(crowd)
    assert sum(1 for _, s in quiet if not s.failed) + 2 * MAX_LISTED >= len(short)
    again = [(c, score(probe, c, spec, agent_ids)) for c, _ in short]
    assert classify(probe, again, spec) == classify(probe, explained, spec)


def test_a_crowd_of_failed_conversations_is_cut_to_those_listed() -> None:
    """300 conversations that all fail (another caller): only the first five by rank and by nearness remain."""
    spec = CorrelateSpec(require=["ani"])
    probe = Probe(source="five9", source_id="1", time=T0, ani=CALLERS[0], dnis=LINES[0])
    crowd = [
        Candidate(
            conversation_id=f"c0ffee00-0000-4000-8000-{n:012d}",
            start=T0 + timedelta(seconds=7 * n - 1_000),
            end=T0 + timedelta(seconds=7 * n - 800),
            anis=frozenset({CALLERS[1]}),
            dnises=frozenset({LINES[n % 2]}),
        )
        for n in range(300)
    ]
    quiet = list(zip(crowd, score_many(probe, crowd, spec), strict=True))
    short = shortlist(quiet)
    assert 1 <= len(short) <= 2 * MAX_LISTED
    explained = [(c, score(probe, c, spec)) for c in crowd]
    assert classify(probe, [(c, score(probe, c, spec)) for c, _ in short], spec) == classify(probe, explained, spec)
