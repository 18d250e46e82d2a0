"""What the analytics endpoints keep between requests: the conversations ordered by start once, the async jobs,
and the last selections of the details query, so a day-sliced read of a large org neither scans every
conversation nor re-evaluates its filters for each page.

Conversations never appear or disappear and never change their start between resets (the org file is fixed;
writes change wrap-ups, states and ends), so the order by start is built once, on the first query, and a reset
starts a new ``AnalyticsState``. What a write can change (an end, a segment, a wrap-up) is always read from the
live conversation: the index only narrows which conversations are looked at, to a superset of the answer.
Generated conversations (emulator.generate) are never listed here: their starts never decrease with their ``n``,
so an interval's are a range of ``n`` found by bisection, and a selection holds that range (emulator.picked).
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from wrapup_bridge.emulator.picked import Concat, Merged, Picked, Refs
from wrapup_bridge.emulator.profile import ms_of
from wrapup_bridge.emulator.state import ConversationState, building
from wrapup_bridge.emulator.store import Conversations

__all__ = ["AnalyticsState", "StartIndex"]

#: How many details-query selections are kept for paging.
_SELECTIONS_KEPT = 16


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _ceil_ms(moment: datetime) -> int:
    """The first whole millisecond at or after ``moment``: a generated start (whole ms) is before ``moment`` iff
    it is before this."""
    return ms_of(moment) + (1 if moment.microsecond % 1000 else 0)


class StartIndex:
    """The conversations in (start, id) order, for the two ways an interval selects them: the listed ones sorted
    once, the generated ones by bisection on their starts (emulator.generate)."""

    def __init__(self, conversations: Conversations) -> None:
        self._conversations = conversations
        self._generator = conversations.generator
        self.ordered = sorted(conversations.listed.values(), key=lambda c: (c.start_time, c.id))
        self._starts = [c.start_time for c in self.ordered]
        ended = (c.end_time - c.start_time for c in self.ordered if c.end_time is not None)
        #: The longest ended conversation: one active at an instant started at most this long before it.
        self._longest = max([timedelta(0), *ended])
        #: Conversations still active when the index was built (a PATCH may end them later; ends are re-read).
        self._open = [c for c in self.ordered if c.end_time is None]

    def _picked(self, listed: list[ConversationState], generated: Refs | None) -> Picked:
        if generated is None or not len(generated):
            return Picked(self._conversations, listed)
        if not listed:
            return Picked(self._conversations, generated)
        assert self._generator is not None
        return Picked(self._conversations, Merged(listed, generated, self._generator.key))

    def started_on(self, first: date, last: date) -> Picked:
        """Those that started on a UTC day from ``first`` to ``last`` (both included), in order."""
        since, until = _midnight(first), _midnight(last + timedelta(days=1))
        low = bisect.bisect_left(self._starts, since)
        high = bisect.bisect_left(self._starts, until)
        generated = self._generator.started_between(ms_of(since), ms_of(until)) if self._generator else None
        return self._picked(self.ordered[low:high], generated)

    def active_during(self, start: datetime, end: datetime, not_before: datetime | None = None) -> Picked:
        """Those active during [start, end): started before ``end`` (and not before ``not_before``) and not ended
        before ``start``, in order."""
        earliest = start - self._longest
        low = bisect.bisect_left(self._starts, earliest)
        high = bisect.bisect_left(self._starts, end)
        found = self.ordered[low:high]
        older_open = [c for c in self._open if c.start_time < earliest]
        if older_open:
            found = sorted([*older_open, *found], key=lambda c: (c.start_time, c.id))
        listed = [
            c
            for c in found
            if (c.end_time is None or c.end_time >= start) and (not_before is None or c.start_time >= not_before)
        ]
        return self._picked(listed, self._generated_during(start, end, not_before))

    def _generated_during(self, start: datetime, end: datetime, not_before: datetime | None) -> Refs | None:
        """The generated conversations active during [start, end): those that started before ``start`` and had not
        ended (at most the longest duration before it), then every one that started in the interval. A generated
        conversation's start and end never change (its writes are wrap-ups)."""
        generator = self._generator
        if generator is None:
            return None
        # Whole milliseconds: a generated time t is at or after ``start`` iff t >= _ceil_ms(start).
        begins = _ceil_ms(start)
        earliest, since = begins - generator.longest_ms, begins
        if not_before is not None:
            earliest, since = max(earliest, _ceil_ms(not_before)), max(since, _ceil_ms(not_before))
        near = generator.started_between(earliest, since)
        still = [n for n in near if generator.end_ms(n) >= begins]
        return Concat(still, generator.started_between(since, _ceil_ms(end)))


@dataclass
class AnalyticsState:
    """The analytics side of one emulator run (a reset replaces it)."""

    #: Async details jobs by id (emulator.analytics_jobs).
    jobs: dict[str, Any] = field(default_factory=dict)
    #: Details-query selections by query (emulator.analytics_query): (version, the selection).
    selections: OrderedDict[str, tuple[int, Picked]] = field(default_factory=OrderedDict)
    #: Bumped before every write to a conversation: a selection made before it is not reused.
    version: int = 0
    _index: StartIndex | None = None

    def index(self, conversations: Conversations) -> StartIndex:
        """The start index of ``conversations`` (the runtime's, which a reset replaces with this state)."""
        if self._index is None:
            # With the collector paused: sorting a large listed org allocates a key per conversation, and the
            # collections that triggers walk every live object (seconds for 100,000 listed conversations).
            with building():
                self._index = StartIndex(conversations)
        return self._index

    def changed(self) -> None:
        """A conversation is about to change: selections made so far are stale."""
        self.version += 1

    def remember(self, key: str, picked: Picked) -> None:
        self.selections[key] = (self.version, picked)
        self.selections.move_to_end(key)
        while len(self.selections) > _SELECTIONS_KEPT:
            self.selections.popitem(last=False)

    def recall(self, key: str) -> Picked | None:
        """The selection made for ``key`` since the last change, if any."""
        found = self.selections.get(key)
        return found[1] if found is not None and found[0] == self.version else None
