"""The conversations near a record: fetched a UTC day at a time, kept only while a record may still need them.

The sync details query answers whole UTC days ("conversations that started on a day touched by the interval",
VERIFIED in the SDK's ``ConversationQuery.interval`` docstring), so one search per day serves every record of that
day, and a day is never fetched twice in a run. Records are visited in time order, so days before the one before
the current record can be let go: memory holds at most three days of candidates, whatever the export's length.

A record near midnight may belong to a conversation of the neighbouring day (a call that started at 23:58 and is
recorded at 00:01, or the other way round): the days its search reach touches are all fetched. The reach is the
tolerance, widened by ``NEAR`` so that a ``none`` can name its near misses ("time off by 375 s"), and, when the
record's time may fall inside a conversation (``time: within`` or ``end``), by the longest conversation seen.
"""

from __future__ import annotations

import bisect
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, date, datetime, timedelta

from wrapup_bridge.core.correlate import Candidate

__all__ = ["NEAR_SECONDS", "CandidateWindow"]

#: How far beyond the tolerance conversations are still compared, to explain a ``none`` by its near misses.
NEAR_SECONDS = 600.0

Fetch = Callable[[date], Awaitable[list[Candidate]]]


class _Day:
    __slots__ = ("candidates", "longest", "starts")

    def __init__(self, candidates: Iterable[Candidate]) -> None:
        self.candidates = sorted(candidates, key=lambda c: (c.start, c.conversation_id))
        self.starts = [c.start for c in self.candidates]
        self.longest = max(
            ((c.end - c.start).total_seconds() for c in self.candidates if c.end is not None), default=0.0
        )


class CandidateWindow:
    """Candidates by UTC day; ``around(moment)`` gives those whose start is close enough to matter.

    ``fetch(day)``: the day's candidates (one search); ``tolerance``: the table's, in seconds; ``inside``: whether
    a record's time may fall inside a conversation (then conversations that started earlier still count)."""

    def __init__(self, fetch: Fetch, *, tolerance: float, inside: bool, near: float = NEAR_SECONDS) -> None:
        self._fetch = fetch
        self._reach = tolerance + near
        self._inside = inside
        self._days: dict[date, _Day] = {}
        self.days_fetched = 0

    async def around(self, moment: datetime) -> list[Candidate]:
        """Candidates that started from ``reach`` (plus the longest call, when times may be inside one) before
        ``moment`` to ``reach`` after it, oldest first."""
        moment = moment.astimezone(UTC)  # the days are UTC days, whatever offset the time was written with
        latest = moment + timedelta(seconds=self._reach)
        earliest = moment - timedelta(seconds=self._reach)
        for day in _days_between(earliest.date(), latest.date()):
            await self._load(day)
        if self._inside:
            longest = max((d.longest for d in self._days.values()), default=0.0)
            earliest -= timedelta(seconds=longest)
            for day in _days_between(earliest.date(), latest.date()):
                await self._load(day)
        found: list[Candidate] = []
        for day in _days_between(earliest.date(), latest.date()):
            held = self._days[day]
            low = bisect.bisect_left(held.starts, earliest)
            high = bisect.bisect_right(held.starts, latest)
            found.extend(held.candidates[low:high])
        return found

    def forget_before(self, day: date) -> None:
        """Let go of the days before the one before ``day`` (records come in time order)."""
        keep_from = day - timedelta(days=1)
        for held in [d for d in self._days if d < keep_from]:
            del self._days[held]

    def held(self) -> int:
        """Candidates held now (for the memory figures)."""
        return sum(len(d.candidates) for d in self._days.values())

    async def _load(self, day: date) -> None:
        if day not in self._days:
            self._days[day] = _Day(await self._fetch(day))
            self.days_fetched += 1


def _days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
