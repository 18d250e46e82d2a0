"""What the analytics endpoints keep between requests: the conversations ordered by start once, the async jobs,
and the last selections of the details query, so a day-sliced read of a large org neither scans every
conversation nor re-evaluates its filters for each page.

Conversations never appear or disappear and never change their start between resets (the org file is fixed;
writes change wrap-ups, states and ends), so the order by start is built once, on the first query, and a reset
starts a new ``AnalyticsState``. What a write can change (an end, a segment, a wrap-up) is always read from the
live conversation: the index only narrows which conversations are looked at, to a superset of the answer.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from wrapup_bridge.emulator.state import ConversationState

__all__ = ["AnalyticsState", "StartIndex"]

#: How many details-query selections are kept for paging (each is a list of conversation ids).
_SELECTIONS_KEPT = 16


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


class StartIndex:
    """The conversations in (start, id) order, for the two ways an interval selects them."""

    def __init__(self, conversations: Mapping[str, ConversationState]) -> None:
        self.ordered = sorted(conversations.values(), key=lambda c: (c.start_time, c.id))
        self._starts = [c.start_time for c in self.ordered]
        ended = (c.end_time - c.start_time for c in self.ordered if c.end_time is not None)
        #: The longest ended conversation: one active at an instant started at most this long before it.
        self._longest = max([timedelta(0), *ended])
        #: Conversations still active when the index was built (a PATCH may end them later; ends are re-read).
        self._open = [c for c in self.ordered if c.end_time is None]

    def started_on(self, first: date, last: date) -> list[ConversationState]:
        """Those that started on a UTC day from ``first`` to ``last`` (both included), in order."""
        low = bisect.bisect_left(self._starts, _midnight(first))
        high = bisect.bisect_left(self._starts, _midnight(last + timedelta(days=1)))
        return self.ordered[low:high]

    def active_during(self, start: datetime, end: datetime) -> list[ConversationState]:
        """Those active during [start, end): started before ``end`` and not ended before ``start``, in order."""
        earliest = start - self._longest
        low = bisect.bisect_left(self._starts, earliest)
        high = bisect.bisect_left(self._starts, end)
        found = self.ordered[low:high]
        older_open = [c for c in self._open if c.start_time < earliest]
        if older_open:
            found = sorted([*older_open, *found], key=lambda c: (c.start_time, c.id))
        return [c for c in found if c.end_time is None or c.end_time >= start]


@dataclass
class AnalyticsState:
    """The analytics side of one emulator run (a reset replaces it)."""

    #: Async details jobs by id (emulator.analytics_jobs).
    jobs: dict[str, Any] = field(default_factory=dict)
    #: Details-query selections by query (emulator.analytics_query): (version, conversation ids).
    selections: OrderedDict[str, tuple[int, list[str]]] = field(default_factory=OrderedDict)
    #: Bumped before every write to a conversation: a selection made before it is not reused.
    version: int = 0
    _index: StartIndex | None = None

    def index(self, conversations: Mapping[str, ConversationState]) -> StartIndex:
        """The start index of ``conversations`` (the runtime's, which a reset replaces with this state)."""
        if self._index is None:
            self._index = StartIndex(conversations)
        return self._index

    def changed(self) -> None:
        """A conversation is about to change: selections made so far are stale."""
        self.version += 1

    def remember(self, key: str, ids: list[str]) -> None:
        self.selections[key] = (self.version, ids)
        self.selections.move_to_end(key)
        while len(self.selections) > _SELECTIONS_KEPT:
            self.selections.popitem(last=False)

    def recall(self, key: str) -> list[str] | None:
        """The selection made for ``key`` since the last change, if any."""
        found = self.selections.get(key)
        return found[1] if found is not None and found[0] == self.version else None
