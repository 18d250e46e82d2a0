"""CandidateWindow: a UTC day's candidates fetched once, the neighbouring day's too when a record is near
midnight (either way), days behind the records let go, and conversations that started long before a record
still seen when the record's time may fall inside one (``inside``), by the longest call held."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta, timezone

from wrapup_bridge.core.correlate import Candidate
from wrapup_bridge.services.correlate.window import NEAR_SECONDS, CandidateWindow

TOLERANCE = 120.0
REACH = TOLERANCE + NEAR_SECONDS


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=UTC)


def call(name: str, start: datetime, seconds: float | None = 180.0) -> Candidate:
    end = start + timedelta(seconds=seconds) if seconds is not None else None
    return Candidate(conversation_id=name, start=start, end=end)


class Org:
    """Candidates by the UTC day they started on, and the days asked for (in order)."""

    def __init__(self, *calls: Candidate) -> None:
        self.by_day: dict[date, list[Candidate]] = {}
        for c in calls:
            self.by_day.setdefault(c.start.date(), []).append(c)
        self.asked: list[date] = []

    async def fetch(self, day: date) -> list[Candidate]:
        self.asked.append(day)
        return list(self.by_day.get(day, []))


def around(window: CandidateWindow, moment: datetime) -> list[str]:
    return [c.conversation_id for c in asyncio.run(window.around(moment))]


def test_each_day_is_fetched_once_however_many_records_it_has() -> None:
    org = Org(call("a", at(5, 9)), call("b", at(5, 12)), call("c", at(5, 15)))
    window = CandidateWindow(org.fetch, tolerance=TOLERANCE, inside=False)
    assert around(window, at(5, 9, 1)) == ["a"]
    assert around(window, at(5, 12, 2)) == ["b"]
    assert around(window, at(5, 15, 3)) == ["c"]
    assert around(window, at(5, 18)) == []
    assert org.asked == [date(2026, 3, 5)]
    assert window.days_fetched == 1
    assert window.held() == 3


def test_only_conversations_that_started_within_the_reach_are_given_oldest_first() -> None:
    moment = at(5, 12)
    org = Org(
        call("too-early", moment - timedelta(seconds=REACH + 1)),
        call("early-edge", moment - timedelta(seconds=REACH)),
        call("late", moment + timedelta(seconds=30)),
        call("before", moment - timedelta(seconds=5)),
        call("late-edge", moment + timedelta(seconds=REACH)),
        call("too-late", moment + timedelta(seconds=REACH + 1)),
    )
    window = CandidateWindow(org.fetch, tolerance=TOLERANCE, inside=False)
    assert around(window, moment) == ["early-edge", "before", "late", "late-edge"]


def test_a_record_just_after_midnight_sees_the_call_that_started_before_it_on_the_day_before() -> None:
    """Recorded at 00:01, the call started at 23:58 the day before: the details query answers by the day a
    conversation started, so the day before is searched too."""
    org = Org(call("yesterday", at(5, 23, 58)), call("today", at(6, 0, 5)))
    window = CandidateWindow(org.fetch, tolerance=TOLERANCE, inside=False)
    assert around(window, at(6, 0, 1)) == ["yesterday", "today"]
    assert sorted(org.asked) == [date(2026, 3, 5), date(2026, 3, 6)]


def test_a_record_just_before_midnight_sees_the_call_that_started_after_it_on_the_next_day() -> None:
    """``time: start`` (not inside): recorded at 23:59:30, the call started at 00:00:40 the next day."""
    org = Org(call("tomorrow", at(6, 0, 0, 40)))
    window = CandidateWindow(org.fetch, tolerance=TOLERANCE, inside=False)
    assert around(window, at(5, 23, 59, 30)) == ["tomorrow"]
    assert sorted(org.asked) == [date(2026, 3, 5), date(2026, 3, 6)]


def test_a_record_far_from_midnight_fetches_its_own_day_only() -> None:
    org = Org(call("noon", at(5, 12)))
    window = CandidateWindow(org.fetch, tolerance=TOLERANCE, inside=False)
    around(window, at(5, 0, 0) + timedelta(seconds=REACH))  # the reach ends exactly at midnight: still one day
    around(window, at(6, 0, 0) - timedelta(seconds=REACH + 1))
    assert org.asked == [date(2026, 3, 5)]


def test_a_time_written_with_another_offset_is_placed_on_its_utc_day() -> None:
    pacific = timezone(timedelta(hours=-8))
    org = Org(call("late", at(6, 0, 51, 40)))
    window = CandidateWindow(org.fetch, tolerance=TOLERANCE, inside=False)
    assert around(window, datetime(2026, 3, 5, 16, 52, 2, tzinfo=pacific)) == ["late"]
    assert org.asked == [date(2026, 3, 6)]


def test_days_two_behind_the_records_are_let_go_and_the_day_before_is_kept() -> None:
    org = Org(call("d4", at(4, 12)), call("d5", at(5, 12)), call("d6", at(6, 12)), call("d7", at(7, 0, 5)))
    window = CandidateWindow(org.fetch, tolerance=TOLERANCE, inside=False)
    for day in (4, 5, 6):
        window.forget_before(date(2026, 3, day))
        around(window, at(day, 12))
    assert window.held() == 2  # day 4 went when the records reached day 6
    window.forget_before(date(2026, 3, 7))
    assert window.held() == 1  # day 6 stays: a record just after midnight may need it
    assert around(window, at(7, 0, 1)) == ["d7"]
    assert window.held() == 2
    assert org.asked == [date(2026, 3, d) for d in (4, 5, 6, 7)]  # day 6 was not fetched again


def test_inside_sees_a_long_call_that_started_well_before_the_record() -> None:
    """``time: within`` or ``end``: a record logged 2 h into a 3 h call belongs to it, though the call started far
    beyond the reach; the window widens by the longest call it holds."""
    long_call = call("long", at(5, 10), seconds=3 * 3600)
    org = Org(long_call, call("short", at(5, 11, 50)))
    inside = CandidateWindow(org.fetch, tolerance=TOLERANCE, inside=True)
    assert around(inside, at(5, 12)) == ["long", "short"]
    start_only = CandidateWindow(Org(long_call, call("short", at(5, 11, 50))).fetch, tolerance=TOLERANCE, inside=False)
    assert around(start_only, at(5, 12)) == ["short"]


def test_inside_widens_into_the_day_before_by_the_longest_call_held() -> None:
    """A record at 00:20 inside a call that started at 23:30 the day before (50 min): the day before is fetched
    for the reach, and its long call widens the window back to its start."""
    org = Org(call("overnight", at(5, 23, 30), seconds=50 * 60), call("d6", at(6, 0, 10), seconds=60))
    window = CandidateWindow(org.fetch, tolerance=TOLERANCE, inside=True)
    around(window, at(5, 23, 59))  # an earlier record fetched day 5
    assert around(window, at(6, 0, 20)) == ["overnight", "d6"]


def test_a_call_without_an_end_does_not_widen_the_window() -> None:
    org = Org(call("open", at(5, 9), seconds=None), call("noon", at(5, 12)))
    window = CandidateWindow(org.fetch, tolerance=TOLERANCE, inside=True)
    assert around(window, at(5, 12, 5)) == ["noon"]
