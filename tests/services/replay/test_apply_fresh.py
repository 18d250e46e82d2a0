"""``apply_from_plan`` decides whether the plan's own lookups stand in for reading the targets again: a plan made
moments ago and applied for the first time writes with no lookup call at all; a resumed, aged or forced one reads
again. Against the in-process emulator (a generated org) with the client's own call counts."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.cli.replay_scenario import make_org, write_scenario
from wrapup_bridge.adapters import AdapterOptions
from wrapup_bridge.core.mapping import load_mapping
from wrapup_bridge.core.replay.ledger import Ledger
from wrapup_bridge.core.replay.pipeline import ApplyReport
from wrapup_bridge.core.replay.plan import read_plan
from wrapup_bridge.emulator import Emulator, EmulatorConfig
from wrapup_bridge.services.replay import ReplayPaths, apply_from_plan, plan_from_records, source_records
from wrapup_bridge.services.target import connect

COUNT = 30


def planned(tmp_path: Path, emulator: Emulator) -> ReplayPaths:
    scenario = write_scenario(tmp_path, COUNT, seed=7)
    table = load_mapping(scenario.mapping)
    options = AdapterOptions(conversation_id_field=table.source.conversation_id, format=table.source.format)

    async def run() -> None:
        async with connect("emulator", emulator, budget=10.0, rate_per_minute=100_000) as connection:
            await plan_from_records(
                source_records("five9", options, (str(scenario.call_log),)), table=table, connection=connection,
                out=scenario.plan, source="five9", inputs=(str(scenario.call_log),), batch_size=10,
            )  # fmt: skip

    asyncio.run(run())
    return ReplayPaths.beside(scenario.plan)


def apply(emulator: Emulator, paths: ReplayPaths, **options: Any) -> ApplyReport:
    async def run() -> ApplyReport:
        async with connect("emulator", emulator, budget=10.0, rate_per_minute=100_000) as connection:
            return (await apply_from_plan(paths, connection, batch_size=10, **options))[1]

    return asyncio.run(run())


def test_a_plan_applied_right_away_writes_without_a_lookup(tmp_path: Path) -> None:
    emulator = Emulator(make_org(COUNT), EmulatorConfig(rate_limit=None))
    paths = planned(tmp_path, emulator)
    report = apply(emulator, paths)
    assert report.applied == COUNT and report.lookups == {"reused": COUNT}
    assert "GET analytics" not in report.calls and "GET conversation" not in report.calls, report.calls
    assert report.calls["POST media-wrapup"] == COUNT
    assert len(emulator.write_log) == COUNT


def test_a_resumed_an_aged_and_a_forced_plan_read_the_targets_again(tmp_path: Path) -> None:
    emulator = Emulator(make_org(COUNT), EmulatorConfig(rate_limit=None))
    paths = planned(tmp_path / "resumed", emulator)
    header, items, _ = read_plan(paths.plan)
    first = next(iter(items))
    with Ledger(paths.ledger, header.plan_id) as ledger:  # an earlier run finished one item
        ledger.record(first.key, first.n, "skipped", "by hand")
    report = apply(emulator, paths)
    assert report.lookups == {"reread": COUNT - 1} and report.calls["GET analytics"] == 3
    assert "earlier run of this plan is in the ledger" in report.lookups_why

    emulator.reset()
    paths = planned(tmp_path / "aged", emulator)
    report = apply(emulator, paths, fresh_for=0.0)
    assert report.lookups == {"reread": COUNT} and "more than 0 s" in report.lookups_why

    emulator.reset()
    paths = planned(tmp_path / "forced", emulator)
    paths.plan.with_name("mapping.yaml").write_text(
        paths.plan.with_name("mapping.yaml").read_text() + "# changed\n", encoding="utf-8"
    )
    report = apply(emulator, paths, force=True)
    assert report.lookups == {"reread": COUNT} and "stale" in report.lookups_why
    assert report.applied == COUNT
