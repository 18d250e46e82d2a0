"""The arrival profile of generated conversations: instants never go back as the share grows, stay in the period,
follow the local weekday and hour across daylight-saving switches (a 23-hour day gets 23 hours of calls), and
never land in an hour without weight, even for a share that rounds to the whole period."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from wrapup_bridge.emulator.profile import STEP_MS, ArrivalProfile, ms_of, utc_of

NEW_YORK = ZoneInfo("America/New_York")
FLAT_DAYS, FLAT_HOURS = [1.0] * 7, [1.0] * 24
#: 9 to 17 local time, weekdays only.
OFFICE_DAYS = [1.0] * 5 + [0.0, 0.0]
OFFICE_HOURS = [0.0] * 9 + [1.0] * 8 + [0.0] * 7


def _shares(count: int) -> list[float]:
    draw = random.Random(5)
    return [(i + draw.random()) / count for i in range(count)]


def test_instants_never_decrease_and_stay_in_the_period() -> None:
    start = datetime(2026, 3, 1, 5, 7, 3, 250_000, tzinfo=UTC)  # not on a step
    end = datetime(2026, 3, 20, 13, 1, tzinfo=UTC)
    profile = ArrivalProfile(start, end, "America/New_York", [1, 1, 1, 1, 1, 0.3, 0.1], [0.1] * 8 + [1] * 16)
    instants = [profile.instant_ms(share) for share in _shares(50_000)]
    assert instants == sorted(instants)
    assert ms_of(start) <= instants[0] and instants[-1] < ms_of(end)
    assert profile.instant_ms(0.0) == ms_of(start)


def test_local_hours_and_weekdays_are_kept_across_both_daylight_saving_switches() -> None:
    start = datetime(2026, 3, 1, tzinfo=NEW_YORK)
    end = datetime(2026, 11, 15, tzinfo=NEW_YORK)
    profile = ArrivalProfile(start, end, "America/New_York", OFFICE_DAYS, OFFICE_HOURS)
    local = [profile.instant(share).astimezone(NEW_YORK) for share in _shares(40_000)]
    assert {moment.hour for moment in local} == set(range(9, 17))
    assert {moment.weekday() for moment in local} == set(range(5))
    # The same local hours on both sides of each switch (EST is UTC-5, EDT UTC-4).
    assert {m.utcoffset().total_seconds() / 3600 for m in local} == {-5.0, -4.0}  # type: ignore[union-attr]
    assert all(m.hour >= 9 for m in local if m.date() in (date(2026, 3, 9), date(2026, 11, 2)))


def test_a_23_hour_day_gets_23_hours_of_calls() -> None:
    start = datetime(2026, 3, 7, tzinfo=NEW_YORK)
    end = datetime(2026, 3, 10, tzinfo=NEW_YORK)  # 24 + 23 + 24 local hours
    profile = ArrivalProfile(start, end, "America/New_York", FLAT_DAYS, FLAT_HOURS)
    assert profile.total == pytest.approx(71 * 3_600_000)
    days = Counter(profile.instant(share).astimezone(NEW_YORK).date() for share in _shares(71_000))
    assert days == {date(2026, 3, 7): 24_000, date(2026, 3, 8): 23_000, date(2026, 3, 9): 24_000}


def test_a_share_that_rounds_to_the_whole_period_lands_in_its_last_hour_with_calls() -> None:
    start = datetime(2026, 3, 2, tzinfo=NEW_YORK)
    end = datetime(2026, 3, 3, tzinfo=NEW_YORK)
    profile = ArrivalProfile(start, end, "America/New_York", FLAT_DAYS, OFFICE_HOURS)
    last = profile.instant(1 - 2**-53).astimezone(NEW_YORK)
    assert (last.hour, last.minute) == (16, 59)
    assert profile.instant_ms(1.0) == ms_of(datetime(2026, 3, 2, 17, tzinfo=NEW_YORK)) - 1
    # Steps are 15 minutes of UTC time: a zone with a 45-minute offset still weighs whole local hours.
    kathmandu = ArrivalProfile(start, end, "Asia/Kathmandu", FLAT_DAYS, OFFICE_HOURS)
    hours = {kathmandu.instant(s).astimezone(ZoneInfo("Asia/Kathmandu")).hour for s in _shares(5000)}
    assert hours == set(range(9, 17))
    assert STEP_MS == 900_000 and utc_of(0) == datetime(1970, 1, 1, tzinfo=UTC)


def test_weights_that_leave_no_time_are_refused() -> None:
    start, end = datetime(2026, 3, 7, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC)  # a Saturday and a Sunday
    with pytest.raises(ValueError, match="no time in the period"):
        ArrivalProfile(start, end, "UTC", OFFICE_DAYS, FLAT_HOURS)
    with pytest.raises(ValueError, match="after its start"):
        ArrivalProfile(end, start, "UTC", FLAT_DAYS, FLAT_HOURS)
