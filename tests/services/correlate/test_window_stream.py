"""CandidateWindow with a ``stream``: a neighbouring day is read page by page only as far as the reach goes (its
end newest first, its start oldest first), the record's own day whole, a day begun as a neighbour goes on where
it stopped (no page read twice); whatever is read, ``around`` gives what the whole-day ``fetch`` gives."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from wrapup_bridge.core.correlate import Candidate
from wrapup_bridge.services.correlate.window import NEAR_SECONDS, CandidateWindow

TOLERANCE = 120.0
REACH = TOLERANCE + NEAR_SECONDS
PAGE = 10


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=UTC)


def call(n: int, start: datetime, seconds: float | None = 180.0) -> Candidate:
    end = start + timedelta(seconds=seconds) if seconds is not None else None
    return Candidate(conversation_id=f"c0ffee00-0000-4000-8000-{n:012d}", start=start, end=end)


class Org:
    """Candidates by UTC start day, served whole (``fetch``) or in pages of ``PAGE`` (``stream``); counts the
    pages each reading asks for, and the readings closed."""

    def __init__(self, calls: list[Candidate]) -> None:
        self.by_day: dict[date, list[Candidate]] = {}
        for c in calls:
            self.by_day.setdefault(c.start.date(), []).append(c)
        self.pages: list[tuple[date, str]] = []
        self.closed = 0

    async def fetch(self, day: date) -> list[Candidate]:
        self.pages.append((day, "whole"))
        return list(self.by_day.get(day, []))

    async def stream(self, day: date, newest_first: bool) -> AsyncIterator[Candidate]:
        ordered = sorted(self.by_day.get(day, []), key=lambda c: (c.start, c.conversation_id), reverse=newest_first)
        try:
            for number in range(len(ordered) // PAGE + 1):
                self.pages.append((day, "desc" if newest_first else "asc"))
                for candidate in ordered[number * PAGE : (number + 1) * PAGE]:
                    yield candidate
        finally:
            self.closed += 1


def busy_day(day: int, first: int = 0) -> list[Candidate]:
    """A call every 3 minutes all day (480 calls, 49 pages)."""
    return [call(first + n, at(day, 0) + timedelta(minutes=3 * n, seconds=30)) for n in range(480)]


def span_distance(candidate: Candidate, moment: datetime) -> float:
    """Seconds from ``moment`` to the call (0 inside it)."""
    end = candidate.end or candidate.start
    if moment < candidate.start:
        return (candidate.start - moment).total_seconds()
    return max(0.0, (moment - end).total_seconds())


def ids(found: list[Candidate]) -> list[str]:
    return [c.conversation_id for c in found]


def test_just_after_midnight_only_the_end_of_the_day_before_is_read() -> None:
    org = Org(busy_day(5) + busy_day(6, 1000))
    window = CandidateWindow(tolerance=TOLERANCE, inside=False, stream=org.stream)
    whole = CandidateWindow(org.fetch, tolerance=TOLERANCE, inside=False)

    async def go() -> tuple[list[Candidate], list[Candidate]]:
        return await window.around(at(6, 0, 2)), await whole.around(at(6, 0, 2))

    found, expected = asyncio.run(go())
    assert ids(found) == ids(expected) and found[0].start.date() == date(2026, 3, 5)
    assert org.pages.count((date(2026, 3, 5), "desc")) == 1  # 12 min of a day: one page, newest first
    assert (date(2026, 3, 5), "asc") not in org.pages


def test_just_before_midnight_the_next_day_is_begun_and_later_goes_on_without_reading_a_page_twice() -> None:
    org = Org(busy_day(5) + busy_day(6, 1000))
    window = CandidateWindow(tolerance=TOLERANCE, inside=False, stream=org.stream)

    async def go() -> list[str]:
        late = await window.around(at(5, 23, 58))
        window.forget_before(date(2026, 3, 6))
        await window.around(at(6, 12))
        return ids(late)

    late = asyncio.run(go())
    assert any(i.endswith("000000001000") for i in late)  # 00:00:30 on day 6
    day6 = [p for p in org.pages if p[0] == date(2026, 3, 6)]
    assert day6 == [(date(2026, 3, 6), "asc")] * 49  # one page first, the other 48 when day 6's records came
    assert window.days_fetched == 2


def test_inside_the_day_before_is_read_whole_and_the_next_day_in_part() -> None:
    """``time: within``: a call of the day before may run past midnight however early it started (its length is
    unknown until it is read), so that day is read whole; the next day's calls start after the record's reach
    whatever their length, so its start is enough."""
    calls = [*busy_day(5), call(9000, at(5, 21, 0), seconds=3.5 * 3600), *busy_day(6, 1000)]
    org = Org(calls)
    window = CandidateWindow(tolerance=TOLERANCE, inside=True, stream=org.stream)

    async def go() -> tuple[list[str], list[str]]:
        early = await window.around(at(6, 0, 5))
        window.forget_before(date(2026, 3, 6))
        return ids(early), ids(await window.around(at(6, 23, 58)))

    early, _ = asyncio.run(go())
    assert "c0ffee00-0000-4000-8000-000000009000" in early  # 21:00 to 00:30, the record at 00:05
    assert org.pages.count((date(2026, 3, 5), "asc")) == 49 and (date(2026, 3, 5), "desc") not in org.pages
    assert org.pages.count((date(2026, 3, 7), "asc")) == 1


def test_aclose_ends_the_readings_left_open_and_forget_before_lets_them_go() -> None:
    org = Org(busy_day(5) + busy_day(7, 2000))
    window = CandidateWindow(tolerance=TOLERANCE, inside=False, stream=org.stream)

    async def go() -> None:
        await window.around(at(5, 23, 59))  # day 6 (empty) read whole; day 5 whole
        await window.around(at(7, 0, 1))  # day 7 whole, day 6 known
        window.forget_before(date(2026, 3, 8))
        await window.aclose()

    asyncio.run(go())
    assert org.closed == len({(d, o) for d, o in org.pages})  # every reading begun was closed


def test_fetch_or_stream_one_of_them() -> None:
    org = Org([])
    for kwargs in ({}, {"stream": org.stream}):
        try:
            CandidateWindow(org.fetch if kwargs else None, tolerance=TOLERANCE, inside=False, **kwargs)
        except ValueError as exc:
            assert "fetch or stream" in str(exc)
        else:
            raise AssertionError("a window needs exactly one way to read days")


@st.composite
def orgs(draw: st.DrawFn) -> tuple[list[Candidate], list[datetime]]:
    """Up to 120 calls over 3 days, crowded near the midnights, and up to 30 record times in time order."""
    midnights = [at(5, 0), at(6, 0), at(7, 0)]
    calls = []
    for n in range(draw(st.integers(0, 120))):
        base = draw(st.sampled_from(midnights))
        offset = draw(st.integers(-7_200, 7_200))
        seconds = draw(st.one_of(st.none(), st.integers(0, 5_400)))
        calls.append(call(n, base + timedelta(seconds=offset), seconds))
    moments = sorted(
        draw(st.sampled_from(midnights)) + timedelta(seconds=draw(st.integers(-3_600, 3_600)))
        for _ in range(draw(st.integers(1, 30)))
    )
    return calls, moments


@settings(max_examples=150, deadline=None)
@given(orgs(), st.booleans())
def test_streamed_or_fetched_whole_the_same_candidates_are_given(
    scene: tuple[list[Candidate], list[datetime]], inside: bool
) -> None:
    calls, moments = scene
    streamed = CandidateWindow(tolerance=TOLERANCE, inside=inside, stream=Org(calls).stream)
    whole = CandidateWindow(Org(calls).fetch, tolerance=TOLERANCE, inside=inside, near=NEAR_SECONDS)

    async def go() -> None:
        for moment in moments:
            for window in (streamed, whole):
                window.forget_before(moment.date())
            got, want = await streamed.around(moment), await whole.around(moment)
            if inside:
                # The whole window widens by the longest call of every day it holds, the next day's too, though
                # those start after the record; the streamed one by those of the days before and of the record's
                # own. Every conversation that runs within the reach of the record is in both.
                assert set(ids(got)) <= set(ids(want))
                assert set(ids(got)) >= {c.conversation_id for c in want if span_distance(c, moment) <= REACH}
            else:
                assert ids(got) == ids(want)
        await streamed.aclose()

    asyncio.run(go())
