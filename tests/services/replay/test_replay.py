"""The replay service as a library caller uses it, against the in-process emulator and without the CLI: plan ->
apply -> status, a second apply writing nothing, a stale plan, a plan for another target, a target refusing the
credentials, and a retry of the dead letters. Errors are library errors (``ReplayError`` and its kinds), never a
click exit."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from wrapup_bridge.core.errors import WrapupBridgeError
from wrapup_bridge.core.mapping import MappingTable, load_mapping
from wrapup_bridge.core.replay.pipeline import ApplyReport
from wrapup_bridge.core.replay.plan import PlanHeader, PlanSummary
from wrapup_bridge.data import DEMO_ORG, shipped
from wrapup_bridge.emulator import Emulator, EmulatorConfig
from wrapup_bridge.genesys.http import GenesysClient
from wrapup_bridge.services.inputs import adapter_options
from wrapup_bridge.services.replay import (
    DeadLetterRecords,
    PlanOptions,
    ReplayError,
    ReplayPaths,
    StalePlan,
    TargetFailed,
    WrongTarget,
    apply_from_plan,
    drop_resolved,
    plan_from_records,
    replay_status,
    source_records,
)
from wrapup_bridge.services.target import Connection, build_target, connect

INPUTS = (str(shipped("examples/five9/call-log.csv")),)
CATALOG = str(shipped("examples/five9/dispositions.yaml"))


@pytest.fixture
def emulator() -> Emulator:
    return Emulator.from_file(DEMO_ORG, EmulatorConfig(rate_limit=None))


@asynccontextmanager
async def connected(emulator: Emulator | Path) -> AsyncIterator[Connection]:
    async with connect("emulator", emulator, budget=10.0, rate_per_minute=100_000) as connection:
        yield connection


def plan(emulator: Emulator | Path, table: MappingTable, out: Path) -> PlanSummary:
    async def run() -> PlanSummary:
        async with connected(emulator) as connection:
            records = source_records("five9", adapter_options(table, catalog=CATALOG), INPUTS)
            return await plan_from_records(
                records, table=table, connection=connection, out=out, source="five9", inputs=INPUTS
            )

    return asyncio.run(run())


def apply(emulator: Emulator, paths: ReplayPaths, **options: Any) -> tuple[PlanHeader, ApplyReport]:
    async def run() -> tuple[PlanHeader, ApplyReport]:
        async with connected(emulator) as connection:
            return await apply_from_plan(paths, connection, **options)

    return asyncio.run(run())


def test_plan_apply_status_and_a_second_apply_writes_nothing(emulator: Emulator, tmp_path: Path) -> None:
    table = load_mapping(shipped("mappings/five9.yaml"))
    paths = ReplayPaths.beside(tmp_path / "calls.plan.jsonl")
    summary = plan(emulator, table, paths.plan)
    assert summary.items > 0 and paths.plan.is_file()
    assert emulator.write_log == []  # planning writes nothing

    header, report = apply(emulator, paths)
    written = len(emulator.write_log)
    assert report.applied == written > 0
    assert header.target_id == f"emulator {DEMO_ORG.resolve()}"

    status = replay_status(paths)
    assert status.items == summary.items and status.pending == 0
    assert status.applied + status.replaced_system_code == written
    assert status.still_not_applied == report.current_dead_letters
    assert status.complete == (status.still_not_applied == 0)
    assert status.to_dict()["dead_letters"]["entries"] == status.still_not_applied

    _, again = apply(emulator, paths)
    assert len(emulator.write_log) == written  # nothing twice
    assert again.done_before == summary.items


def test_a_plan_is_stale_once_its_table_changed_and_force_applies_it_with_a_warning(
    emulator: Emulator, tmp_path: Path
) -> None:
    mapping = tmp_path / "five9.yaml"
    shutil.copy(shipped("mappings/five9.yaml"), mapping)
    paths = ReplayPaths.beside(tmp_path / "calls.plan.jsonl")
    plan(emulator, load_mapping(mapping), paths.plan)
    mapping.write_text(mapping.read_text(encoding="utf-8") + "\n# reviewed\n", encoding="utf-8")
    with pytest.raises(StalePlan) as stale:
        apply(emulator, paths)
    assert stale.value.reasons == (f"the mapping table {mapping.resolve()} changed since planning",)
    assert emulator.write_log == [] and not paths.ledger.exists()
    warnings: list[str] = []
    apply(emulator, paths, force=True, warn=warnings.append)
    assert any("changed since planning (--force)" in w for w in warnings)
    assert emulator.write_log


def test_a_plan_for_another_target_is_refused_unless_retargeted(emulator: Emulator, tmp_path: Path) -> None:
    table = load_mapping(shipped("mappings/five9.yaml"))
    paths = ReplayPaths.beside(tmp_path / "calls.plan.jsonl")
    other_org = tmp_path / "other-org.yaml"
    shutil.copy(DEMO_ORG, other_org)
    plan(other_org, table, paths.plan)  # made for the emulator serving another org file
    with pytest.raises(WrongTarget, match="--retarget"):
        apply(emulator, paths)
    assert emulator.write_log == []
    _, report = apply(emulator, paths, retarget=True)
    assert report.applied > 0


def test_a_target_refusing_the_credentials_stops_planning_with_one_explanation(
    emulator: Emulator, tmp_path: Path
) -> None:
    target = build_target("emulator", emulator)
    wrong = target.settings.model_copy(update={"client_secret": SecretStr("not-the-secret")})
    table = load_mapping(shipped("mappings/five9.yaml"))
    out = tmp_path / "calls.plan.jsonl"

    async def run() -> None:
        async with GenesysClient(wrong, transport=emulator.transport()) as client:
            connection = Connection(client, target.description, emulator, target.identity)
            records = source_records("five9", adapter_options(table, catalog=CATALOG), INPUTS)
            await plan_from_records(records, table=table, connection=connection, out=out, source="five9", inputs=INPUTS)

    with pytest.raises(TargetFailed) as failed:
        asyncio.run(run())
    message = str(failed.value)
    assert message.startswith(f"{target.description} refused the credentials")
    assert "no plan was made" in message and not out.exists()
    assert isinstance(failed.value, ReplayError) and isinstance(failed.value, WrapupBridgeError)


def test_retrying_dead_letters_plans_them_again_and_keeps_what_is_still_not_applied(
    emulator: Emulator, tmp_path: Path
) -> None:
    table = load_mapping(shipped("mappings/five9.yaml"))
    paths = ReplayPaths.beside(tmp_path / "calls.plan.jsonl")
    plan(emulator, table, paths.plan)
    _, report = apply(emulator, paths)
    dead = report.current_dead_letters
    assert dead > 0  # the example has unmapped values and a call no agent answered
    records = DeadLetterRecords(paths.dead_letters, "five9")
    retry = ReplayPaths.beside(tmp_path / "calls.retry.plan.jsonl")

    async def run() -> None:
        async with connected(emulator) as connection:
            await plan_from_records(
                records, table=table, connection=connection, out=retry.plan, source="five9",
                inputs=(str(paths.dead_letters),), options=PlanOptions(), pin_inputs=False,
            )  # fmt: skip
            await apply_from_plan(retry, connection)

    written = len(emulator.write_log)
    asyncio.run(run())
    assert records.read == dead and len(records.keys_by_line) == dead
    assert len(emulator.write_log) == written  # the causes are not fixed: nothing new applies
    assert drop_resolved(paths.dead_letters, retry, records.keys_by_line) == 0
    assert replay_status(paths).still_not_applied == dead


def test_a_damaged_plan_is_a_replay_error_naming_file_and_line(emulator: Emulator, tmp_path: Path) -> None:
    paths = ReplayPaths.beside(tmp_path / "calls.plan.jsonl")
    plan(emulator, load_mapping(shipped("mappings/five9.yaml")), paths.plan)
    lines = paths.plan.read_bytes().splitlines(keepends=True)
    paths.plan.write_bytes(b"".join([*lines[:2], b"{not json\n", *lines[2:]]))
    with pytest.raises(ReplayError, match=rf"{paths.plan}:3: .*Nothing was applied"):
        apply(emulator, paths)
    assert emulator.write_log == []
    paths.plan.write_bytes(b"".join([b"{not json\n", *lines[1:]]))  # status reads the header only
    with pytest.raises(ReplayError, match=rf"{paths.plan}:1: "):
        replay_status(paths)
