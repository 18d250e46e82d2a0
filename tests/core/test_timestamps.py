"""Unix times: one rule for seconds or milliseconds, and the instants every adapter read before still read the same.

The two detections it replaces are kept here, verbatim, as references: Twilio's (milliseconds at or above 1e11 in
magnitude) and Five9's (10 digits are seconds, 13 are milliseconds). Where their domains meet, the rule kept is
Twilio's magnitude: the only values they disagree on are 13-digit texts with two leading zeros, which Five9 read as
milliseconds in 1970-73 and the magnitude reads as the seconds they are when zero-padded (``0001764000060`` is
2025-11-24T16:01:00Z, the ``Timestamp`` of a TaskRouter sample in examples/twilio).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.conftest import EXAMPLES
from wrapup_bridge.adapters.five9._time import parse_five9_time
from wrapup_bridge.adapters.localtime import TimeSettings, parse_declared
from wrapup_bridge.adapters.twilio._time import parse_instant
from wrapup_bridge.core.timestamps import EPOCH_MS_FROM, from_epoch, is_epoch_ms


def twilio_before(number: float, unit: Literal["auto", "ms"] = "auto") -> datetime | None:
    """adapters/twilio/_time.py ``_from_epoch`` before the shared rule (None: refused)."""
    seconds = number / 1000 if unit == "ms" or abs(number) >= 1e11 else number
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def five9_before(text: str) -> datetime:
    """adapters/five9/_time.py's epoch branch before the shared rule (``text`` is 10 or 13 digits)."""
    seconds = int(text) / 1000 if len(text) == 13 else int(text)
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)


def shared(number: float, ms: bool | None = None) -> datetime | None:
    try:
        return from_epoch(number, ms=ms)
    except (OverflowError, ValueError):
        return None


# Every float a JSON number or a numeric field can hold, and the neighbourhood of the threshold and of the limits.
NUMBERS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(min_value=EPOCH_MS_FROM * 0.999, max_value=EPOCH_MS_FROM * 1.001),
    st.floats(min_value=-1e14, max_value=1e14),
    st.integers(min_value=-(10**14), max_value=10**14),
)


@given(NUMBERS)
@example(EPOCH_MS_FROM)
@example(EPOCH_MS_FROM - 1)
@example(-EPOCH_MS_FROM)
@example(253_402_300_800_000)  # the first millisecond after the year 9999
def test_twilio_numbers_read_as_before(number: float) -> None:
    assert shared(number) == twilio_before(number)
    assert shared(number, ms=True) == twilio_before(number, "ms")
    try:
        read: datetime | None = parse_instant(number)
    except ValueError:
        read = None
    assert read == twilio_before(number)


@given(st.integers(min_value=0, max_value=10**13 - 1))
@example(1_764_000_060)
@example(1_763_997_960_517)
def test_five9_epochs_read_as_before_unless_zero_padded_below_1973(value: int) -> None:
    for text in (f"{value:010d}", f"{value:013d}"):
        if len(text) not in (10, 13):
            continue
        read = parse_five9_time(text)
        assert read.own_offset and read.utc == shared(value)
        if len(text) == 10 or value >= EPOCH_MS_FROM:
            assert read.utc == five9_before(text)


def test_the_one_disagreement_is_settled_by_magnitude() -> None:
    padded = "0001764000060"  # a seconds value zero-padded to 13 digits
    assert five9_before(padded) == datetime(1970, 1, 21, 10, 0, 0, 60000, tzinfo=UTC)
    assert parse_five9_time(padded).utc == datetime(2025, 11, 24, 16, 1, tzinfo=UTC)
    assert parse_instant(padded) == parse_five9_time(padded).utc  # Twilio and Five9 now read it alike


def test_the_real_samples_fall_far_from_the_threshold() -> None:
    sample = (EXAMPLES / "twilio" / "taskrouter-events.txt").read_text(encoding="utf-8")
    assert "Timestamp=1764000060&" in sample and "TimestampMs=1763997960517&" in sample
    assert not is_epoch_ms(1_764_000_060) and is_epoch_ms(1_763_997_960_517)
    assert from_epoch(1_763_997_960_517) == datetime(2025, 11, 24, 15, 26, 0, 517000, tzinfo=UTC)
    assert parse_five9_time("1787328369000").utc == datetime(2026, 8, 21, 16, 6, 9, tzinfo=UTC)


@pytest.mark.parametrize(("fmt", "text", "year"), [("epoch", "100000000000", 5138), ("epoch-ms", "1764000060", 1970)])
def test_a_declared_unit_is_never_second_guessed(fmt: str, text: str, year: int) -> None:
    read = parse_declared(text, TimeSettings(time_format=fmt))
    assert read is not None and read.year == year
