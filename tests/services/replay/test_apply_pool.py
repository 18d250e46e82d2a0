"""``apply_from_plan`` through a pool of OAuth clients: the library's ``ApplyReport`` carries what each client did
(``ApplyReport.pool``), as the CLI's report does, and a plain client's report has no such section. Against the
in-process emulator (a generated org with three OAuth clients)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from tests.cli.replay_scenario import make_org, pool_clients, write_scenario
from wrapup_bridge.adapters import AdapterOptions
from wrapup_bridge.core.mapping import load_mapping
from wrapup_bridge.core.replay.clients import PoolReport
from wrapup_bridge.core.replay.pipeline import ApplyReport
from wrapup_bridge.emulator import Emulator, EmulatorConfig
from wrapup_bridge.services.replay import ReplayPaths, apply_from_plan, plan_from_records, source_records
from wrapup_bridge.services.target import build_target, connect, open_connection

COUNT = 30


def planned(tmp_path: Path, emulator: Emulator) -> ReplayPaths:
    scenario = write_scenario(tmp_path, COUNT, seed=5)
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


def apply_with(emulator: Emulator, paths: ReplayPaths, clients: int) -> ApplyReport:
    ids = [client_id for client_id, _ in pool_clients(clients)] if clients > 1 else []
    target = build_target("emulator", emulator, clients=ids, budget=10.0, rate_per_minute=100_000)

    async def run() -> ApplyReport:
        async with open_connection(target) as connection:
            return (await apply_from_plan(paths, connection, batch_size=10, concurrency=4 * max(1, clients)))[1]

    return asyncio.run(run())


def test_the_librarys_report_says_what_each_oauth_client_of_the_pool_did(tmp_path: Path) -> None:
    emulator = Emulator(make_org(COUNT, clients=3), EmulatorConfig(rate_limit=None))
    report = apply_with(emulator, planned(tmp_path, emulator), clients=3)
    assert report.applied == COUNT
    pool = report.pool
    assert isinstance(pool, PoolReport)
    assert [c.client_id for c in pool.clients] == ["demo-client", "pool-2", "pool-3"]
    assert sum(c.writes for c in pool.clients) == COUNT == len(emulator.write_log)
    assert {c.client_id: c.writes for c in pool.clients} == {
        client: sum(w.client_id == client for w in emulator.write_log) for client in ("demo-client", "pool-2", "pool-3")
    }
    assert sum(c.requests for c in pool.clients) == sum(v for k, v in report.calls.items() if " " in k)
    assert all(c.throttled == c.retries == c.refusals == 0 and c.tokens == 1 for c in pool.clients)
    assert pool.refused == () and pool.org_rate.org_429s == 0
    # The same section in the report's dict, which is JSON as it is.
    data = json.loads(json.dumps(report.to_dict()))
    assert data["pool"] == pool.to_dict()
    assert [c["writes"] for c in data["pool"]["clients"]] == [c.writes for c in pool.clients]


def test_a_plain_clients_report_has_no_pool_section(tmp_path: Path) -> None:
    emulator = Emulator(make_org(COUNT), EmulatorConfig(rate_limit=None))
    report = apply_with(emulator, planned(tmp_path, emulator), clients=1)
    assert report.applied == COUNT
    assert report.pool is None and "pool" not in report.to_dict()
