"""Planning remembers every record before, on disk (pipeline._Seen, a temporary SQLite table), not in Python: a
repeat thousands of records after the first is still found, and what planning holds in Python does not grow with
the number of records (issue 14: a plan's peak memory flat from 10k to 100k records)."""

from __future__ import annotations

import asyncio
import tracemalloc
from collections.abc import Iterator, Sequence
from pathlib import Path

from tests.core.replay.backend import TABLE, FakeBackend, rec
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.outcome import WrapupTarget
from wrapup_bridge.core.replay.pipeline import SourceRecord, Unreachable, make_plan
from wrapup_bridge.core.replay.plan import Action, PlanWriter, new_header, read_plan

COUNT = 6_000
EARLY = 1_000  # where the memory held is first measured


class Measured(FakeBackend):
    """FakeBackend noting the Python memory traced at each batch lookup, by the record count reached."""

    def __init__(self) -> None:
        super().__init__()
        self.traced: dict[int, int] = {}
        self.seen = 0

    async def resolve(self, records: Sequence[Disposition]) -> list[WrapupTarget | Unreachable]:
        self.traced[self.seen] = tracemalloc.get_traced_memory()[0]
        return await super().resolve(records)


def records(backend: Measured) -> Iterator[SourceRecord]:
    for n in range(1, COUNT + 1):
        backend.seen = n
        yield "in.csv", f"line {n}", rec(n)
    # Far repeats: the first record again; the second's conversation with another code; the third's conversation
    # with its code under another call id.
    yield "in.csv", "late 1", rec(1)
    yield "in.csv", "late 2", rec(COUNT + 1, code="Busy", conversation=2)
    yield "in.csv", "late 3", rec(COUNT + 2, conversation=3)


def test_repeats_far_down_the_input_are_found_and_planning_holds_nothing_per_record(tmp_path: Path) -> None:
    backend = Measured()
    header = new_header(source="five9", mapping_path="t.yaml", mapping_sha256=TABLE.sha256, target="fake")
    writer = PlanWriter(tmp_path / "p.plan.jsonl", header)
    tracemalloc.start()
    try:
        asyncio.run(make_plan(records(backend), TABLE, backend, writer, batch_size=50))
    finally:
        tracemalloc.stop()
    writer.close()
    items = list(read_plan(writer.path)[1])
    assert len(items) == COUNT + 3
    first, second, third = items[:3]
    late = {item.position: item for item in items[COUNT:]}
    assert first.action is Action.WRITE and late["late 1"].action is Action.DUPLICATE
    assert late["late 1"].key == first.key
    assert second.action is Action.WRITE and late["late 2"].action is Action.CONFLICT
    assert "item #2 of this plan applies another code" in late["late 2"].reason
    assert third.action is Action.WRITE and late["late 3"].action is Action.DUPLICATE
    assert "item #3 of this plan already applies 'Sale'" in late["late 3"].reason
    # What planning held in Python after EARLY records and after all of them: the same, give or take the batch
    # in flight (a dict of every key and planned write took about half a kilobyte a record: ~2.5 MiB here).
    early = min(v for n, v in backend.traced.items() if n >= EARLY)
    end = max(v for n, v in backend.traced.items() if n >= COUNT - 100)
    assert end - early < 512 << 10, (early, end)
