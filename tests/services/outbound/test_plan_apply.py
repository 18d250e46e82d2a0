"""outbound plan/apply as library code on the in-process emulator: the plan file round-trips and refuses edits;
apply writes once, then nothing; a version that moves between the preflight and the PUT is refused as stale
(nothing changed); a PUT whose answer never came is read back, never sent again; a read-back that does not show a
change (an org that merges instead of replacing) is reported."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import MAPPINGS
from wrapup_bridge.core.mapping import MappingTable, load_mapping
from wrapup_bridge.core.replay.plan import PlanError
from wrapup_bridge.emulator import Emulator, EmulatorConfig
from wrapup_bridge.genesys.http import GenesysClient
from wrapup_bridge.services.outbound.apply import ApplyResult, apply_plan, record_path
from wrapup_bridge.services.outbound.plan import OutboundPlan, make_plan, read_plan, write_plan
from wrapup_bridge.services.replay.errors import StalePlan
from wrapup_bridge.services.target import Connection, build_target, connect
from wrapup_bridge.testing import DEMO_ORG

PUT = "PUT /api/v2/outbound/wrapupcodemappings"
BUSY = "5f1bfb25-5eef-4f8d-bde5-4e17c7836f95"


def emulator(**config: Any) -> Emulator:
    return Emulator.from_file(DEMO_ORG, EmulatorConfig(rate_limit=100_000, **config))


def plan_on(emu: Emulator, tmp_path: Path, table: MappingTable | None = None) -> Path:
    async def go() -> OutboundPlan:
        async with connect("emulator", emu) as connection:
            return await make_plan(connection, table or load_mapping(MAPPINGS / "five9.yaml"))

    out = tmp_path / "o.plan.json"
    write_plan(asyncio.run(go()), out)
    return out


def apply_on(emu: Emulator, plan: Path, **kwargs: Any) -> ApplyResult:
    async def go() -> ApplyResult:
        async with connect("emulator", emu) as connection:
            return await apply_plan(connection, plan, **kwargs)

    return asyncio.run(go())


def puts(emu: Emulator) -> dict[str, int]:
    return dict(emu.stats()["statuses"].get(PUT, {}))


def test_the_plan_file_round_trips_and_refuses_edits(tmp_path: Path) -> None:
    plan_file = plan_on(emulator(), tmp_path)
    plan = read_plan(plan_file)
    assert plan.version == 4 and len(plan.diff.changes) == 6 and plan.catalog is not None
    assert plan.catalog.endswith("examples/five9/dispositions.yaml") and plan.catalog_sha256
    assert plan.to_json() == json.loads(plan_file.read_text())
    data = json.loads(plan_file.read_text())
    data["version"] = 5
    plan_file.write_text(json.dumps(data))
    with pytest.raises(PlanError, match="changed after it was made"):
        read_plan(plan_file)
    plan_file.write_text("{not json")
    with pytest.raises(PlanError, match=r"o\.plan\.json:1: not an outbound plan"):
        read_plan(plan_file)
    with pytest.raises(PlanError, match="cannot read the plan"):
        read_plan(tmp_path / "missing.json")


def test_apply_writes_once_then_nothing(tmp_path: Path) -> None:
    emu = emulator()
    plan_file = plan_on(emu, tmp_path)
    first = apply_on(emu, plan_file)
    assert (first.outcome, first.writes, first.version_before, first.version_after) == ("applied", 1, 4, 5)
    assert first.problems == [] and first.record == record_path(plan_file)
    second = apply_on(emu, plan_file)
    assert (second.outcome, second.writes) == ("nothing-to-change", 0)
    assert puts(emu) == {"200": 1}
    assert [json.loads(line)["event"] for line in record_path(plan_file).read_text().splitlines()] == [
        "put",
        "applied",
        "nothing-to-change",
    ]


class _SavedMeanwhile(httpx.AsyncBaseTransport):
    """The emulator's transport, but someone saves the mapping just before our PUT arrives."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.inner = emu.transport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            with self.emu.runtime.lock:
                self.emu.runtime.outbound.version += 1
        return await self.inner.handle_async_request(request)


@pytest.mark.parametrize("status", [409, 400])
def test_a_version_that_moves_before_the_put_is_stale(tmp_path: Path, status: int) -> None:
    emu = emulator(outbound_version_conflict_status=status)
    plan_file = plan_on(emu, tmp_path)
    target = build_target("emulator", emu)

    async def go() -> ApplyResult:
        async with GenesysClient(target.settings, transport=_SavedMeanwhile(emu)) as client:
            connection = Connection(client, target.description, emu, target.identity, target.identities)
            return await apply_plan(connection, plan_file)

    with pytest.raises(StalePlan, match="changed since it was read") as caught:
        asyncio.run(go())
    assert "run `wrapup-bridge outbound plan` again" in caught.value.reasons[0]
    assert puts(emu) == {str(status): 1} and emu.runtime.outbound.history == []
    events = [json.loads(line)["event"] for line in record_path(plan_file).read_text().splitlines()]
    assert events == ["put", "stale"]


class _AnswerLost(httpx.AsyncBaseTransport):
    """The emulator's transport, but the connection drops after the PUT was applied, before its answer."""

    def __init__(self, emu: Emulator) -> None:
        self.inner = emu.transport()
        self.puts = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "PUT":
            self.puts += 1
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        return response


def test_a_put_without_an_answer_is_read_back_not_resent(tmp_path: Path) -> None:
    emu = emulator()
    plan_file = plan_on(emu, tmp_path)
    target = build_target("emulator", emu)
    transport = _AnswerLost(emu)

    async def go() -> ApplyResult:
        async with GenesysClient(target.settings, transport=transport) as client:
            connection = Connection(client, target.description, emu, target.identity, target.identities)
            return await apply_plan(connection, plan_file)

    result = asyncio.run(go())
    assert result.outcome == "applied" and result.writes == 1 and transport.puts == 1
    assert "got no answer" in result.problems[0] and "shows it was applied" in result.problems[0]
    assert len(emu.runtime.outbound.history) == 1  # one PUT reached the org


def test_an_org_that_merges_does_not_show_a_removal(tmp_path: Path) -> None:
    text = (
        (MAPPINGS / "five9.yaml").read_text().replace("    do_not_call: [CONTACT_UNCALLABLE]\n", "    busy: default\n")
    )
    table = MappingTable.from_text(text, name=str(MAPPINGS / "five9.yaml"))
    emu = emulator(outbound_put="merge")
    plan_file = plan_on(emu, tmp_path, table)
    assert any(c.code_id == BUSY and c.kind == "removed" for c in read_plan(plan_file).diff.changes)
    result = apply_on(emu, plan_file)
    assert result.outcome == "not-verified" and result.writes == 1
    assert result.problems == [
        f"after the PUT, Genesys still reads - Busy ({BUSY}): (no flags) -> no entry (the org's defaultSet applies)"
    ]
    # The replace reading (the default) removes it.
    emu = emulator()
    assert apply_on(emu, plan_on(emu, tmp_path, table)).outcome == "applied"
