"""``plan_from_records(correlation=...)``: a reviewed correlation file in a plan, against the emulator's demo org.
Its matched rows give records without a conversation id theirs; a record's own id outranks its row; the other
records are no-target with the file's verdict as the reason; an ops lead's settling of an ambiguous row makes it
a write; a bad row stops the plan naming file, line and field; a changed file makes the plan stale."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import MAPPINGS
from tests.services.correlate.demo import (
    CUTOVER,
    DEMO_EXPORT,
    EXPECTED,
    SETTLED,
    conversation,
    edit_csv,
    settle_ambiguous,
)
from wrapup_bridge.core.correlate import CorrelationFileError
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.mapping import MappingTable, load_mapping
from wrapup_bridge.core.replay.pipeline import SourceRecord
from wrapup_bridge.core.replay.plan import PlanItem, PlanSummary, read_plan
from wrapup_bridge.emulator import Emulator, EmulatorConfig
from wrapup_bridge.services.correlate import CorrelateOptions, correlate_records
from wrapup_bridge.services.inputs import adapter_options
from wrapup_bridge.services.replay import (
    ReplayPaths,
    StalePlan,
    apply_from_plan,
    plan_from_records,
    source_records,
)
from wrapup_bridge.services.target import connect
from wrapup_bridge.testing import DEMO_ORG

MATCHED = {i: n for i, (status, n) in EXPECTED.items() if status == "matched"}


@pytest.fixture(scope="module")
def served() -> Emulator:
    return Emulator.from_file(DEMO_ORG, EmulatorConfig(rate_limit=None))


@pytest.fixture
def emulator(served: Emulator) -> Emulator:
    served.reset()
    return served


@pytest.fixture(scope="module")
def five9() -> MappingTable:
    return load_mapping(MAPPINGS / "five9.yaml")


def records(table: MappingTable) -> list[SourceRecord]:
    return list(source_records("five9", adapter_options(table), [str(DEMO_EXPORT)]))


@pytest.fixture(scope="module")
def correlated(served: Emulator, five9: MappingTable, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo export's correlation file, as ``wrapup-bridge correlate --cutover 2026-03-02`` writes it."""
    out = tmp_path_factory.mktemp("correlation") / "matches.csv"

    async def go() -> None:
        async with connect("emulator", served, budget=10.0, rate_per_minute=100_000) as connection:
            await correlate_records(
                records(five9), table=five9, connection=connection, out=out, options=CorrelateOptions(cutover=CUTOVER)
            )

    asyncio.run(go())
    return out


@pytest.fixture
def matches(correlated: Path, tmp_path: Path) -> Path:
    """A copy of the correlation file for a test to review and edit."""
    return Path(shutil.copy(correlated, tmp_path / "matches.csv"))


def plan(
    emulator: Emulator, table: MappingTable, out: Path, correlation: Path, given: list[SourceRecord] | None = None
) -> tuple[PlanSummary, dict[str, PlanItem]]:
    async def go() -> PlanSummary:
        async with connect("emulator", emulator, budget=10.0, rate_per_minute=100_000) as connection:
            return await plan_from_records(
                records(table) if given is None else given,
                table=table,
                connection=connection,
                out=out,
                source="five9",
                inputs=(str(DEMO_EXPORT),),
                correlation=correlation,
            )

    summary = asyncio.run(go())
    _, items, _ = read_plan(out)
    return summary, {item.record.source_id: item for item in items if item.record is not None}


def target_of(item: PlanItem) -> str | None:
    return item.target.conversation_id if item.target is not None else None


def test_matched_rows_fill_the_ids_and_the_others_say_why_they_have_none(
    emulator: Emulator, five9: MappingTable, matches: Path, tmp_path: Path
) -> None:
    summary, items = plan(emulator, five9, tmp_path / "p.plan.jsonl", matches)
    assert dict(summary.actions) == {"write": 10, "no-target": 5}
    assert {i: target_of(item) for i, item in items.items() if item.action == "write"} == {
        i: conversation(n) for i, n in MATCHED.items()
    }
    for source_id, item in items.items():
        if source_id in MATCHED:
            assert item.record is not None and item.record.conversation_id == conversation(MATCHED[source_id])
            continue
        status = EXPECTED[source_id][0]
        assert item.action == "no-target" and item.target is None
        assert item.reason.startswith(f"correlation {status} in {matches}: "), item.reason
    ambiguous = items["300000010315520"].reason
    assert ambiguous.endswith(f"; candidates {conversation(54)}, {conversation(55)}")
    assert "time off by 375 s" in items["300000010315526"].reason
    assert "before the org's first day on Genesys (2026-03-02)" in items["300000009874415"].reason
    assert emulator.write_log == []


def test_a_record_that_carries_its_own_id_keeps_it(
    emulator: Emulator, five9: MappingTable, matches: Path, tmp_path: Path
) -> None:
    """The export outranks the correlation: 300000010315540 carries 58 while its (edited) row says 60."""
    edit_csv(
        matches,
        lambda row: {**row, "conversation_id": conversation(60)} if row["source_id"] == "300000010315540" else row,
    )
    given: list[SourceRecord] = []
    for name, raw, item in records(five9):
        if isinstance(item, Disposition) and item.source_id == "300000010315540":
            item = item.model_copy(update={"conversation_id": conversation(58)})
        given.append((name, raw, item))
    _, items = plan(emulator, five9, tmp_path / "p.plan.jsonl", matches, given)
    assert target_of(items["300000010315540"]) == conversation(58)
    assert target_of(items["300000010315547"]) == conversation(60)  # 60's own record still gets 60


def test_a_record_without_a_row_is_no_target_and_says_so(
    emulator: Emulator, five9: MappingTable, matches: Path, tmp_path: Path
) -> None:
    edit_csv(matches, lambda row: None if row["source_id"] == "300000010315509" else row)
    summary, items = plan(emulator, five9, tmp_path / "p.plan.jsonl", matches)
    assert dict(summary.actions) == {"write": 9, "no-target": 6}
    assert items["300000010315509"].reason == (
        f"no conversation id, and no row in {matches} (run wrapup-bridge correlate on this input again)"
    )


def test_an_ops_lead_settling_the_ambiguous_rows_makes_them_writes(
    emulator: Emulator, five9: MappingTable, matches: Path, tmp_path: Path
) -> None:
    edit_csv(matches, settle_ambiguous)
    paths = ReplayPaths.beside(tmp_path / "p.plan.jsonl")
    summary, items = plan(emulator, five9, paths.plan, matches)
    assert dict(summary.actions) == {"write": 12, "no-target": 3}
    assert {i: target_of(items[i]) for i in SETTLED} == {i: conversation(n) for i, n in SETTLED.items()}

    async def go() -> None:
        async with connect("emulator", emulator, budget=10.0, rate_per_minute=100_000) as connection:
            await apply_from_plan(paths, connection)

    asyncio.run(go())
    written = {w.conversation_id: w.body for w in emulator.write_log}
    assert set(written) == {conversation(n) for n in [*MATCHED.values(), *SETTLED.values()]}
    # docs/correlation-demo.md: "54 gets Caller Abandoned and 55 gets Payment Taken".
    decided = {i: items[i].decision for i in SETTLED}
    codes = {i: d.code.name if d is not None and d.code is not None else None for i, d in decided.items()}
    assert codes == {"300000010315520": "Caller Abandoned", "300000010315521": "Payment Taken"}


@pytest.mark.parametrize(
    ("edit", "line", "field", "words"),
    [
        (
            lambda row: {**row, "status": "matched"} if row["source_id"] == "300000010315520" else row,
            6,
            "conversation_id",
            "status is matched but conversation_id is empty",
        ),
        (
            lambda row: (
                {**row, "conversation_id": "c0ffee00-not-a-uuid"} if row["source_id"] == "300000010315502" else row
            ),
            3,
            "conversation_id",
            "'c0ffee00-not-a-uuid' is not a Genesys conversation id (a UUID)",
        ),
        (
            lambda row: {**row, "source_id": "300000010315502"} if row["source_id"] == "300000010315509" else row,
            4,
            "source_id",
            "five9 record '300000010315502' is listed twice (first on line 3)",
        ),
    ],
    ids=["matched-without-id", "bad-uuid", "duplicate-record"],
)
def test_a_bad_row_stops_the_plan_naming_file_line_and_field(
    emulator: Emulator,
    five9: MappingTable,
    matches: Path,
    tmp_path: Path,
    edit: Callable[[dict[str, str]], dict[str, str] | None],
    line: int,
    field: str,
    words: str,
) -> None:
    edit_csv(matches, edit)
    out = tmp_path / "p.plan.jsonl"
    with pytest.raises(CorrelationFileError) as bad:
        plan(emulator, five9, out, matches)
    assert (bad.value.file, bad.value.line, bad.value.field) == (str(matches), line, field)
    assert str(bad.value).startswith(f"{matches}:{line}: {field}: ")
    assert words in str(bad.value)
    assert not out.exists()


def test_changing_the_correlation_file_after_planning_makes_the_plan_stale(
    emulator: Emulator, five9: MappingTable, matches: Path, tmp_path: Path
) -> None:
    paths = ReplayPaths.beside(tmp_path / "p.plan.jsonl")
    plan(emulator, five9, paths.plan, matches)
    edit_csv(matches, settle_ambiguous)  # reviewed again after planning

    async def go() -> None:
        async with connect("emulator", emulator, budget=10.0, rate_per_minute=100_000) as connection:
            await apply_from_plan(paths, connection)

    with pytest.raises(StalePlan) as stale:
        asyncio.run(go())
    assert any(
        str(matches.resolve()) in reason and "changed since planning" in reason for reason in stale.value.reasons
    )
    assert emulator.write_log == [] and not paths.ledger.exists()
