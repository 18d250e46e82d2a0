"""One task, one disposition: folding the TaskRouter events of one task in a file into one record.

A capture of TaskRouter events holds several events per task that carry its disposition:
``reservation.completed`` (naming the worker) and ``task.completed`` (naming none) for every completed task,
sometimes a wrap-up event that already holds the outcome, and Event Streams redeliveries. A replay must see one
record per task, so a file's events are grouped by TaskSid:

- the record of the event of highest ``taskrouter.RANK`` wins (``task.completed``/``task.canceled`` over
  ``reservation.completed`` over a wrap-up event; the later one among equals);
- when the winner names no agent (task events never do), the agent and its full name come from the task's
  other events, the highest-ranked (then latest) that names one, wrap-up events without an outcome included;
- ``fields["folded_events"]`` lists the events folded (file order, pipe-joined) when there were several; the
  events not chosen are counted in the adapter's ``skipped``;
- an event of the task that could not be read makes the whole task one error, holding every event's raw
  input, so a fix and retry cannot produce a second record for the same task.

Memory is bounded as in the Five9 Call Log grouping: a task stays open until ``window`` further input records
(default ``TASK_WINDOW``) have passed without another of its events, or the end of the file; records come out in
the order of each task's first event, and when more than ``2 * window`` tasks are open the oldest is emitted
anyway. The reader remembers the last ``EMITTED_MEMORY`` emitted TaskSids: a later event of such a task that
would not have won (a ``reservation.completed`` after its ``task.completed``) is counted in ``skipped``; one that
would have won is an error naming the TaskSid (sort the capture by TaskSid or time and read it again). Events
of one task are normally adjacent (TaskRouter sends them within milliseconds), so the window is rarely felt.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from wrapup_bridge.adapters.base import TwilioRecordError
from wrapup_bridge.adapters.twilio._record import NoDisposition
from wrapup_bridge.adapters.twilio.taskrouter import RANK
from wrapup_bridge.core.disposition import Disposition

__all__ = ["EMITTED_MEMORY", "TASK_WINDOW", "Folder", "Item"]

TASK_WINDOW = 1000
EMITTED_MEMORY = 50_000


@dataclass
class Item:
    """One input record as read: its result, where its values came from, and the task it belongs to."""

    position: str
    result: Disposition | TwilioRecordError
    places: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    task_sid: str | None = None
    raw: Any = None

    event: str = field(init=False, default="")
    rank: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        said = _said(self)
        self.event = said.fields.get("event_type", "").strip().lower() if said is not None else ""
        self.rank = RANK.get(self.event, 0) if isinstance(self.result, Disposition) else 0


@dataclass
class _Task:
    sid: str
    items: list[tuple[int, Item]]
    last: int


class Folder:
    """Groups TaskRouter items by TaskSid within a bounded window; everything else passes through in order."""

    def __init__(
        self,
        skip: Callable[[str], None],
        window: int = TASK_WINDOW,
        input_name: str | None = None,
        *,
        trace: bool = False,
    ) -> None:
        self._skip = skip
        self.window = max(1, window)
        self.input_name = input_name
        self.trace = trace  # say where a folded record's values came from (``explain``)
        self._pending: OrderedDict[tuple[str, Any], _Task | Item] = OrderedDict()
        self._emitted: OrderedDict[str, tuple[int, str, int]] = OrderedDict()  # sid -> (rank, event, ordinal)

    def push(self, item: Item, ordinal: int) -> Iterator[Item]:
        """Take one read record (its ``ordinal`` counts every input record) and yield the items now due."""
        result = item.result
        if isinstance(result, NoDisposition) and (result.partial is None or item.task_sid is None):
            self._skip(result.skip_key)
        elif item.task_sid is None:
            self._pending[("at", ordinal)] = item
        else:
            sid = item.task_sid
            task = self._pending.get(("task", sid))
            if isinstance(task, _Task):
                task.items.append((ordinal, item))
                task.last = ordinal
            elif sid in self._emitted:
                late = self._late(item, ordinal, *self._emitted[sid])
                if late is not None:
                    self._pending[("at", ordinal)] = late
            else:
                self._pending[("task", sid)] = _Task(sid, [(ordinal, item)], ordinal)
        yield from self._drain(ordinal)

    def finish(self) -> Iterator[Item]:
        """Everything still held, at the end of the input."""
        while self._pending:
            _, head = self._pending.popitem(last=False)
            yield from self._emit(head)

    def _drain(self, ordinal: int) -> Iterator[Item]:
        while self._pending:
            key, head = next(iter(self._pending.items()))
            if isinstance(head, _Task) and ordinal - head.last < self.window and len(self._pending) <= 2 * self.window:
                return
            del self._pending[key]
            yield from self._emit(head)

    def _emit(self, head: _Task | Item) -> Iterator[Item]:
        if isinstance(head, Item):
            yield head
            return
        folded = self._fold(head)
        if folded is not None:
            if isinstance(folded.result, Disposition):
                best = max(head.items, key=lambda pair: (pair[1].rank, pair[0]))
                self._emitted[head.sid] = (best[1].rank, best[1].event, head.last)
                if len(self._emitted) > EMITTED_MEMORY:
                    self._emitted.popitem(last=False)
            yield folded

    def _fold(self, task: _Task) -> Item | None:
        items = [item for _, item in task.items]
        errors = [item for item in items if not isinstance(item.result, Disposition | NoDisposition)]
        partials = [item for item in items if isinstance(item.result, NoDisposition)]
        for item in partials:
            assert isinstance(item.result, NoDisposition)
            self._skip(item.result.skip_key)
        if errors:
            return _held_back(errors[0], items)
        chosen_pair = max(
            ((o, i) for o, i in task.items if isinstance(i.result, Disposition)),
            key=lambda pair: (pair[1].rank, pair[0]),
            default=None,
        )
        if chosen_pair is None:
            return None
        chosen = chosen_pair[1]
        assert isinstance(chosen.result, Disposition)
        record = chosen.result
        for item in items:
            if item is not chosen and isinstance(item.result, Disposition):
                self._skip(f"{item.event} events folded into their task's {chosen.event} record")
        if len(items) == 1:
            return chosen
        places = dict(chosen.places)
        fields = dict(record.fields)
        fields["folded_events"] = "|".join(item.event for item in items)
        update: dict[str, Any] = {"fields": fields}
        if record.agent is None:
            donors: list[tuple[int, int, Item, Disposition]] = []
            for o, i in task.items:
                said = _said(i)
                if i is not chosen and said is not None and said.agent is not None:
                    donors.append((RANK.get(i.event, 0), o, i, said))
            if donors:
                _, _, donor, said = max(donors, key=lambda t: (t[0], t[1]))
                update["agent"] = said.agent
                if "agent_name" in said.fields and "agent_name" not in fields:
                    fields["agent_name"] = said.fields["agent_name"]
                if self.trace:
                    for key in ("agent", "fields.agent_name"):
                        where = donor.places.get(key, "the worker")
                        places[key] = f"{where} ({donor.event}, {donor.position})"
        if self.trace:
            places["fields.folded_events"] = f"{len(items)} events of TaskSid {task.sid}: " + ", ".join(
                f"{i.event} ({i.position})" for i in items
            )
        notes = [note for item in items for note in item.notes]
        return Item(chosen.position, record.model_copy(update=update), places, notes, task.sid, [i.raw for i in items])

    def _late(self, item: Item, ordinal: int, rank: int, event: str, last: int) -> Item | None:
        """An event of a task whose record was already emitted: counted when it would not have won, else an error."""
        if isinstance(item.result, NoDisposition):
            self._skip(item.result.skip_key)
            return None
        if not isinstance(item.result, Disposition):
            return item
        if item.rank <= rank:
            self._skip(
                f"{item.event} events of tasks already emitted (more than {self.window} records after the task's "
                "other events, so not folded)"
            )
            return None
        sid = item.task_sid
        error = TwilioRecordError(
            f"this {item.event} of TaskSid {sid} arrived {ordinal - last} records after the task's {event}, beyond "
            f"the {self.window}-record folding window, so the task's record was already emitted from its {event} "
            "and this event could not be folded into it; sort the capture by TaskSid or time and read it again",
            record=f"{item.position} (TaskSid {sid})",
            field="TaskSid",
            input_name=self.input_name,
            raw=item.raw,
        )
        return Item(item.position, error, {}, item.notes, sid, item.raw)


def _said(item: Item) -> Disposition | None:
    """What an item's record said: its Disposition, or what a skipped wrap-up event carried."""
    if isinstance(item.result, Disposition):
        return item.result
    partial = getattr(item.result, "partial", None)
    return partial if isinstance(partial, Disposition) else None


def _held_back(first: Item, items: list[Item]) -> Item:
    error = first.result
    assert isinstance(error, TwilioRecordError)
    if len(items) == 1:
        return first
    held = TwilioRecordError(
        f"{error.message} (the task's {len(items) - 1} other event(s) are held back with it, so that a fix and "
        "retry reads the task whole)",
        record=error.record,
        field=error.field,
        input_name=error.input_name,
        raw=[item.raw for item in items],
    )
    return Item(first.position, held, first.places, [n for i in items for n in i.notes], first.task_sid, held.raw)
