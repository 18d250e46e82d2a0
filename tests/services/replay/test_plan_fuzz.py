"""Fuzzing the plan reader where it matters, at apply: a real plan file, damaged at random (cut anywhere, bytes
flipped, lines repeated, removed, swapped or shuffled), is either refused with one clear error naming the file and
line, or applied correctly: nothing applied twice, nothing applied that the mapping does not give for the record.
Never a traceback, never a hang (each apply runs under a generous timeout). In-process against the emulator, so the
examples take milliseconds each (issue 11, points 4 and 7). Through the replay service, as the CLI calls it."""

from __future__ import annotations

import asyncio
import re
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLES, MAPPINGS
from wrapup_bridge.adapters import AdapterOptions
from wrapup_bridge.core.mapping import load_mapping
from wrapup_bridge.core.replay.plan import read_plan
from wrapup_bridge.emulator import Emulator, EmulatorConfig
from wrapup_bridge.services.replay import (
    PlanOptions,
    ReplayError,
    ReplayPaths,
    apply_from_plan,
    plan_from_records,
    source_records,
)
from wrapup_bridge.services.target import Connection, connect

#: A hung apply fails the example instead of the test run (a real one takes well under a second).
APPLY_TIMEOUT = 60.0


@dataclass(frozen=True)
class Original:
    plan: bytes
    #: (conversation, participant, code id) of every write the unmutated plan makes
    writes: frozenset[tuple[str, str, str]]


@asynccontextmanager
async def connected(emulator: Emulator) -> AsyncIterator[Connection]:
    async with connect("emulator", emulator, budget=10.0, rate_per_minute=100_000) as connection:
        yield connection


@pytest.fixture(scope="module")
def emulator() -> Emulator:
    return Emulator.from_file(EXAMPLES / "demo-org.yaml", EmulatorConfig(rate_limit=None))


@pytest.fixture(scope="module")
def original(emulator: Emulator) -> Iterator[Original]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.plan.jsonl"
        table = load_mapping(MAPPINGS / "five9.yaml")
        inputs = (str(EXAMPLES / "five9" / "call-log.csv"),)

        async def make() -> None:
            async with connected(emulator) as connection:
                await plan_from_records(
                    source_records("five9", AdapterOptions(), inputs),
                    table=table,
                    connection=connection,
                    out=path,
                    source="five9",
                    inputs=inputs,
                    options=PlanOptions(),
                )

        asyncio.run(make())
        _, items, _ = read_plan(path)
        writes = frozenset(
            (i.target.conversation_id, i.target.participant_id, i.decision.code.id)
            for i in items
            if i.action.writes and i.target is not None and i.decision is not None and i.decision.code is not None
        )
        assert len(writes) == 14
        yield Original(path.read_bytes(), writes)


@st.composite
def damaged(draw: st.DrawFn, plan: bytes) -> bytes:
    data = plan
    for _ in range(draw(st.integers(1, 3))):
        lines = data.splitlines(keepends=True)
        kind = draw(st.sampled_from(["cut", "flip", "repeat", "remove", "swap", "shuffle"]))
        if kind == "cut":
            data = data[: draw(st.integers(0, len(data)))]
        elif kind == "flip" and data:
            at = draw(st.integers(0, len(data) - 1))
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
        elif kind == "repeat" and lines:
            line = lines[draw(st.integers(0, len(lines) - 1))]
            lines.insert(draw(st.integers(0, len(lines))), line)
            data = b"".join(lines)
        elif kind == "remove" and lines:
            del lines[draw(st.integers(0, len(lines) - 1))]
            data = b"".join(lines)
        elif kind == "swap" and len(lines) > 1:
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            data = b"".join(lines)
        elif kind == "shuffle" and lines:
            data = b"".join(draw(st.permutations(lines)))
    return data


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_damaged_plan_is_refused_with_file_and_line_or_applied_right(
    data: st.DataObject, emulator: Emulator, original: Original
) -> None:
    mutated = data.draw(damaged(original.plan))
    emulator.reset()
    with tempfile.TemporaryDirectory() as folder:
        paths = ReplayPaths.beside(Path(folder) / "p.plan.jsonl")
        paths.plan.write_bytes(mutated)

        async def apply() -> None:
            async with connected(emulator) as connection:
                await asyncio.wait_for(
                    apply_from_plan(paths, connection),
                    APPLY_TIMEOUT,
                )

        try:
            asyncio.run(apply())
        except ReplayError as exc:  # the CLI's exit 2, with this message
            assert re.search(rf"{re.escape(str(paths.plan))}:\d+: ", str(exc)), str(exc)
            assert emulator.write_log == []  # a damaged file is refused before anything is applied
            event("refused, naming the line")
            return
    written = Counter((w.conversation_id, w.participant_id, w.code_id or "") for w in emulator.write_log)
    assert set(written) <= original.writes, set(written) - original.writes  # only what the mapping gives
    assert max(written.values(), default=1) == 1, written  # nothing twice
    assert len({conversation for conversation, _, _ in written}) == len(written)
    event("applied" if len(written) == len(original.writes) else "applied in part (items refused or removed)")


def test_the_unmutated_plan_applies_every_write(emulator: Emulator, original: Original) -> None:
    """The oracle of the fuzz test: the plan as made applies each of its writes once."""
    emulator.reset()
    with tempfile.TemporaryDirectory() as folder:
        paths = ReplayPaths.beside(Path(folder) / "p.plan.jsonl")
        paths.plan.write_bytes(original.plan)

        async def apply() -> None:
            async with connected(emulator) as connection:
                await apply_from_plan(paths, connection)

        asyncio.run(apply())
    assert {(w.conversation_id, w.participant_id, w.code_id) for w in emulator.write_log} == original.writes
    assert len(emulator.write_log) == len(original.writes)
