"""The conversations near a record: fetched a UTC day at a time, kept only while a record may still need them.

The sync details query answers whole UTC days ("conversations that started on a day touched by the interval",
VERIFIED in the SDK's ``ConversationQuery.interval`` docstring), so one search per day serves every record of that
day, and a day is never fetched twice in a run. Records are visited in time order, so days before the one before
the current record can be let go: memory holds at most three days of candidates, whatever the export's length.

A record near midnight may belong to a conversation of the neighbouring day (a call that started at 23:58 and is
recorded at 00:01, or the other way round): the days its search reach touches are all searched. The reach is the
tolerance, widened by ``NEAR`` so that a ``none`` can name its near misses ("time off by 375 s"), and, when the
record's time may fall inside a conversation (``time: within`` or ``end``), by the longest conversation seen.

Reading a whole neighbouring day for the few records near midnight would cost as much as the records' own day
(a dense day's records alone would pay for three days). With a ``stream`` (the day's conversations oldest or
newest first, page by page, SDK ``ConversationQuery.order`` asc/desc), a neighbouring day is read only as far as
the reach goes: its end newest first for a record just after midnight, its start oldest first for one just before,
stopping after the page that passes the reach. The record's own day is read whole; when it was begun as a
neighbour, its oldest-first reading simply goes on, so no page is read twice. When a record's time may fall inside
a conversation, the day before is read whole all the same: a call that started there long before midnight may
still run at the record's time, and only its length (unknown until it is read) says how far back to look.
"""

from __future__ import annotations

import bisect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta

from wrapup_bridge.core.correlate import Candidate

__all__ = ["NEAR_SECONDS", "CandidateWindow", "Fetch", "Stream"]

#: How far beyond the tolerance conversations are still compared, to explain a ``none`` by its near misses.
NEAR_SECONDS = 600.0

#: A whole UTC day's candidates (one search).
Fetch = Callable[[date], Awaitable[list[Candidate]]]
#: A UTC day's candidates as they come, oldest first, or newest first when the flag is true.
Stream = Callable[[date, bool], AsyncIterator[Candidate]]


class _Day:
    """One UTC day's candidates held, and how much of the day they cover.

    Read oldest first up to ``rising_to`` (every conversation that started before it is held) and newest first
    down to ``falling_to`` (every one that started after it is held); ``complete`` once the two meet or either
    reading ends."""

    __slots__ = (
        "by_id",
        "candidates",
        "complete",
        "day",
        "falling",
        "falling_to",
        "longest",
        "rising",
        "rising_to",
        "starts",
    )

    def __init__(self, day: date) -> None:
        self.day = day
        self.by_id: dict[str, Candidate] = {}
        self.candidates: list[Candidate] = []
        self.starts: list[datetime] = []
        self.longest = 0.0
        self.complete = False
        midnight = datetime.combine(day, time(), UTC)
        self.rising_to = midnight
        self.falling_to = midnight + timedelta(days=1)
        self.rising: AsyncIterator[Candidate] | None = None
        self.falling: AsyncIterator[Candidate] | None = None

    def take(self, candidates: Iterable[Candidate]) -> None:
        for candidate in candidates:
            self.by_id.setdefault(candidate.conversation_id, candidate)
        self.candidates = sorted(self.by_id.values(), key=lambda c: (c.start, c.conversation_id))
        self.starts = [c.start for c in self.candidates]
        self.longest = max(
            ((c.end - c.start).total_seconds() for c in self.candidates if c.end is not None), default=0.0
        )

    def covers(self, earliest: datetime, latest: datetime) -> bool:
        return self.complete or latest < self.rising_to or earliest > self.falling_to


class CandidateWindow:
    """Candidates by UTC day; ``around(moment)`` gives those whose start is close enough to matter.

    ``fetch(day)``: the day's candidates (one search), or ``stream(day, newest_first)``: the day's candidates as
    they come, so a neighbouring day is read only as far as the reach (give one of them); ``tolerance``: the
    table's, in seconds; ``inside``: whether a record's time may fall inside a conversation (then conversations
    that started earlier still count). ``aclose()`` ends the readings still open."""

    def __init__(
        self,
        fetch: Fetch | None = None,
        *,
        tolerance: float,
        inside: bool,
        near: float = NEAR_SECONDS,
        stream: Stream | None = None,
    ) -> None:
        if (fetch is None) == (stream is None):
            raise ValueError("CandidateWindow needs fetch or stream, not both")
        self._fetch = fetch
        self._stream = stream
        self._reach = tolerance + near
        self._inside = inside
        self._days: dict[date, _Day] = {}
        self._closing: list[AsyncIterator[Candidate]] = []
        self.days_fetched = 0

    async def around(self, moment: datetime) -> list[Candidate]:
        """Candidates that started from ``reach`` (plus the longest call, when times may be inside one) before
        ``moment`` to ``reach`` after it, oldest first."""
        await self._close_dropped()
        moment = moment.astimezone(UTC)  # the days are UTC days, whatever offset the time was written with
        latest = moment + timedelta(seconds=self._reach)
        earliest = moment - timedelta(seconds=self._reach)
        await self._cover(moment.date(), earliest, latest)
        if self._inside:
            longest = max((d.longest for d in self._days.values()), default=0.0)
            earliest -= timedelta(seconds=longest)
            await self._cover(moment.date(), earliest, latest)
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
            gone = self._days.pop(held)
            self._closing += [r for r in (gone.rising, gone.falling) if r is not None]

    def held(self) -> int:
        """Candidates held now (for the memory figures)."""
        return sum(len(d.candidates) for d in self._days.values())

    async def aclose(self) -> None:
        """End the readings still open (a day read only in part)."""
        for held in self._days.values():
            self._closing += [r for r in (held.rising, held.falling) if r is not None]
            held.rising = held.falling = None
        await self._close_dropped()

    async def _close_dropped(self) -> None:
        while self._closing:
            reading = self._closing.pop()
            close = getattr(reading, "aclose", None)
            if close is not None:
                await close()

    async def _cover(self, own: date, earliest: datetime, latest: datetime) -> None:
        for day in _days_between(earliest.date(), latest.date()):
            held = self._days.get(day)
            if held is None:
                held = self._days[day] = _Day(day)
                self.days_fetched += 1
            if held.complete:
                continue
            if self._fetch is not None:
                held.take(await self._fetch(day))
                held.complete = True
            elif day == own or (day < own and self._inside):
                await self._rise(held, None)
            elif held.covers(earliest, latest):
                continue
            elif day < own:
                await self._fall(held, earliest)
            else:
                await self._rise(held, latest)

    async def _rise(self, held: _Day, latest: datetime | None) -> None:
        """Read ``held`` oldest first until a conversation starts after ``latest`` (None: to the end)."""
        assert self._stream is not None
        if held.rising is None:
            held.rising = self._stream(held.day, False)
        read: list[Candidate] = []
        ended = True
        async for candidate in held.rising:
            read.append(candidate)
            held.rising_to = max(held.rising_to, candidate.start)
            if latest is not None and candidate.start > latest:
                ended = False
                break
        self._settle(held, read, ended)

    async def _fall(self, held: _Day, earliest: datetime) -> None:
        """Read ``held`` newest first until a conversation starts before ``earliest``."""
        assert self._stream is not None
        if held.falling is None:
            held.falling = self._stream(held.day, True)
        read: list[Candidate] = []
        ended = True
        async for candidate in held.falling:
            read.append(candidate)
            held.falling_to = min(held.falling_to, candidate.start)
            if candidate.start < earliest:
                ended = False
                break
        self._settle(held, read, ended)

    def _settle(self, held: _Day, read: list[Candidate], ended: bool) -> None:
        if read:
            held.take(read)
        if ended or held.rising_to > held.falling_to:
            held.complete = True
            self._closing += [r for r in (held.rising, held.falling) if r is not None]
            held.rising = held.falling = None


def _days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
