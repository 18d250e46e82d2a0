"""When generated conversations start: a period, a weekly and an hourly profile in the org's time zone, and an
order-preserving map from a share of the period's calls to an instant.

A generated org of a million conversations must not list them, yet must answer "which conversations started on
this UTC day?" at once. Conversation ``n`` of ``count`` starts at ``instant((n - 1 + u) / count)`` with ``u`` in
[0, 1) drawn from the seed: the shares are increasing in ``n``, so are the instants (never decreasing: whole
milliseconds may tie, and ties are ordered by id, which also grows with ``n``), and a day's conversations are the
range of ``n`` found by bisecting on the start. The profile is a step function over 15-minute steps of UTC time
(every time zone's offset is a multiple of 15 minutes today), each weighted by the local weekday and hour at its
start, so days that daylight saving time makes 23 or 25 hours long get the calls of their local hours.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

__all__ = ["EPOCH", "STEP_MS", "ArrivalProfile", "ms_of", "utc_of"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: The profile's step: every UTC offset in use is a multiple of it, so a step never spans two local hours.
STEP_MS = 15 * 60 * 1000


def ms_of(moment: datetime) -> int:
    """Unix milliseconds of an aware datetime (exact: no float on the way)."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def utc_of(ms: int) -> datetime:
    """The aware UTC datetime of unix milliseconds."""
    return EPOCH + timedelta(milliseconds=ms)


class ArrivalProfile:
    """How a period's calls spread over its time: ``instant(share)`` for a share in [0, 1), never decreasing."""

    def __init__(
        self, start: datetime, end: datetime, zone: str, daily: Sequence[float], hourly: Sequence[float]
    ) -> None:
        if len(daily) != 7 or len(hourly) != 24:
            raise ValueError("daily needs 7 weights (Monday first) and hourly 24 (local hours 0-23)")
        self.start_ms, self.end_ms = ms_of(start), ms_of(end)
        if self.end_ms <= self.start_ms:
            raise ValueError("the period's end must be after its start")
        tz = ZoneInfo(zone)
        #: Step k covers [starts[k], starts[k + 1]) ms; masses[k] is the calls' weight before it (cumulative).
        self._starts = array("q")
        self._masses = array("d", [0.0])
        first_step = self.start_ms - self.start_ms % STEP_MS
        cursor, total = self.start_ms, 0.0
        for step in range(first_step, self.end_ms, STEP_MS):
            stop = min(step + STEP_MS, self.end_ms)
            local = utc_of(cursor).astimezone(tz)
            weight = daily[local.weekday()] * hourly[local.hour]
            self._starts.append(cursor)
            total += weight * (stop - cursor)
            self._masses.append(total)
            cursor = stop
        self._starts.append(self.end_ms)
        if total <= 0:
            raise ValueError("the daily and hourly weights leave no time in the period for calls")
        self.total = total
        #: The last step with calls: a share so close to 1 that it rounds to the total lands at its end.
        self._last = max(k for k in range(len(self._starts) - 1) if self._masses[k + 1] > self._masses[k])

    def instant_ms(self, share: float) -> int:
        """The unix millisecond by which ``share`` of the period's calls have started (0 <= share < 1).

        Never decreasing in ``share``: within a step the offset is a monotonic float expression floored, and it is
        kept below the next step's start."""
        target = share * self.total
        masses = self._masses
        if target >= self.total:
            return self._starts[self._last + 1] - 1
        # The last step whose calls start at or before the target: never one without calls (its successor would
        # have the same cumulative mass and be found instead).
        k = bisect.bisect_right(masses, target) - 1
        begin, stop = self._starts[k], self._starts[k + 1]
        offset = int((target - masses[k]) / (masses[k + 1] - masses[k]) * (stop - begin))
        return begin + min(max(offset, 0), stop - begin - 1)

    def instant(self, share: float) -> datetime:
        return utc_of(self.instant_ms(share))
