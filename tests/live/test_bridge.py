"""The Bridge API against the in-process emulator: one Outcome per disposition, the outbox, the time budget."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from pydantic import SecretStr

from tests.live.helpers import (
    ORG,
    RESOLVED,
    TWILIO_MAPPING,
    cid,
    emulator_bridge,
    fast_config,
    task_attributes,
    taskrouter_form,
)
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.mapping import MappingTable, load_mapping
from wrapup_bridge.core.outcome import OutcomeKind
from wrapup_bridge.emulator import Emulator, FaultConfig
from wrapup_bridge.genesys.http import GenesysClient
from wrapup_bridge.genesys.regions import resolve_region
from wrapup_bridge.genesys.settings import GenesysSettings
from wrapup_bridge.live import Bridge, NotADisposition, PayloadError


class Gate:
    """An emulator ``sleep`` that waits only while ``slow`` is set: latency a test can switch off."""

    def __init__(self) -> None:
        self.slow = True

    async def __call__(self, seconds: float) -> None:
        if self.slow:
            await asyncio.sleep(seconds)


def writes_for(bridge: Bridge, n: int) -> list[str | None]:
    assert bridge.emulator is not None
    return [w.code_id for w in bridge.emulator.write_log if w.conversation_id == cid(n)]


def test_applies_once_then_already_applied_and_rows_done(tmp_path: Path) -> None:
    with emulator_bridge(tmp_path / "o.sqlite") as bridge:
        first = bridge.apply_event("twilio", task_attributes(21))
        second = bridge.apply_event("twilio", task_attributes(21))
        assert first.kind is OutcomeKind.APPLIED and first.outbox_state == "done"
        assert second.kind is OutcomeKind.ALREADY_APPLIED and second.outbox_id != first.outbox_id
        assert writes_for(bridge, 21) == [RESOLVED]
        assert first.to_json_dict()["code"] == {"id": RESOLVED, "name": "Resolved"}
        assert bridge.outbox is not None and bridge.outbox.counts()["done"] == 2


def test_unmapped_is_kept_as_a_dead_row_without_calling_genesys(tmp_path: Path) -> None:
    with emulator_bridge(tmp_path / "o.sqlite") as bridge:
        outcome = bridge.apply_event("twilio", task_attributes(22, outcome="Refund Issued"))
        assert outcome.kind is OutcomeKind.UNMAPPED and outcome.outbox_state == "dead"
        assert bridge.emulator is not None and bridge.emulator.requests == {}
        assert bridge.outbox is not None
        (row,) = bridge.outbox.rows(["dead"])
        assert row.id == outcome.outbox_id and row.last_kind == "unmapped"
        assert row.disposition_json["code"] == "Refund Issued"


def test_skip_is_neither_written_nor_kept(tmp_path: Path) -> None:
    with emulator_bridge(tmp_path / "o.sqlite") as bridge:
        # A task that ended with only a completion reason: the table skips it deliberately.
        event = taskrouter_form(23)
        event["TaskAttributes"] = json.dumps({"genesys_conversation_id": cid(23)})
        event["TaskCompletedReason"] = "Task completed"
        outcome = bridge.apply_event("twilio", event)
        assert outcome.kind is OutcomeKind.SKIPPED and outcome.outbox_id is None
        assert bridge.outbox is not None and sum(bridge.outbox.counts().values()) == 0


def test_no_conversation_id_is_no_target_and_kept(tmp_path: Path) -> None:
    attributes = task_attributes(24)
    del attributes["genesys_conversation_id"]
    with emulator_bridge(tmp_path / "o.sqlite") as bridge:
        outcome = bridge.apply_event("twilio", attributes)
        assert outcome.kind is OutcomeKind.NO_TARGET and "conversation id" in outcome.reason
        assert outcome.outbox_state == "dead"
        assert bridge.emulator is not None and bridge.emulator.requests == {}


def test_conversation_id_argument_overrides_the_record(tmp_path: Path) -> None:
    attributes = task_attributes(24)
    del attributes["genesys_conversation_id"]
    with emulator_bridge(tmp_path / "o.sqlite") as bridge:
        outcome = bridge.apply_event("twilio", attributes, conversation_id=cid(25))
        assert outcome.kind is OutcomeKind.APPLIED
        assert writes_for(bridge, 25) == [RESOLVED]


def test_rejection_and_conflict_are_outcomes_and_dead_rows(tmp_path: Path) -> None:
    with emulator_bridge(tmp_path / "o.sqlite") as bridge:
        # Renewal is not assigned to the Billing queue, where conversation 1 was handled.
        rejected = bridge.apply_event("twilio", task_attributes(1, outcome="Renewal"))
        assert rejected.kind is OutcomeKind.REJECTED and "not among" in rejected.reason
        # Conversation 20 already carries Sale.
        conflict = bridge.apply_event("twilio", task_attributes(20))
        assert conflict.kind is OutcomeKind.CONFLICT
        assert {rejected.outbox_state, conflict.outbox_state} == {"dead"}
        assert bridge.emulator is not None and bridge.emulator.write_log == []


def test_unreadable_events_raise_payload_errors_naming_the_field() -> None:
    with emulator_bridge() as bridge:
        with pytest.raises(PayloadError) as no_sid:
            bridge.apply_event("twilio", {"conversations": {"outcome": "Resolved"}})
        assert no_sid.value.field == "sid"
        with pytest.raises(PayloadError) as unknown:
            bridge.apply_event("genesys", {"x": 1})
        assert unknown.value.field == "source"
        with pytest.raises(PayloadError) as bad_id:
            bridge.apply_event("twilio", task_attributes(21), conversation_id="not-a-uuid")
        assert bad_id.value.field == "conversation_id" and "not-a-uuid" in str(bad_id.value)
        with pytest.raises(NotADisposition) as created:
            bridge.apply_event("twilio", taskrouter_form(21, event="task.created"))
        assert created.value.field == "EventType"
        assert bridge.emulator is not None and bridge.emulator.requests == {}


def test_a_source_without_a_table_is_unmapped_and_says_which_tables_exist() -> None:
    with emulator_bridge() as bridge:
        record = Disposition(source="five9", source_id="300", conversation_id=cid(1), code="Sale")
        outcome = bridge.apply(record)
        assert outcome.kind is OutcomeKind.UNMAPPED and "five9" in outcome.reason and "twilio" in outcome.reason


def test_two_tables_for_one_platform_are_refused() -> None:
    with pytest.raises(ValueError, match="two mapping tables for twilio"):
        emulator_bridge(mappings=[TWILIO_MAPPING, load_mapping(TWILIO_MAPPING)])


def test_budget_runs_out_under_latency_queued_then_drained_once(tmp_path: Path) -> None:
    gate = Gate()
    emulator = Emulator.from_file(ORG, fast_config(faults=FaultConfig(latency_ms=400)), sleep=gate)
    with Bridge.for_emulator(emulator, TWILIO_MAPPING, outbox=tmp_path / "o.sqlite", budget=0.3) as bridge:
        queued = bridge.apply_event("twilio", task_attributes(27))
        assert queued.kind is OutcomeKind.QUEUED and queued.outbox_state == "pending"
        assert "time budget of 0.3 s ran out" in queued.reason and f"row {queued.outbox_id}" in queued.reason
        assert emulator.write_log == []

        gate.slow = False
        report = bridge.drain()
        assert report.claimed == 1 and report.states == {"done": 1} and report.clean
        assert report.outcomes[0].kind is OutcomeKind.APPLIED
        assert bridge.drain().claimed == 0
        assert writes_for(bridge, 27) == [RESOLVED]


def test_genesys_unavailable_is_queued_and_without_outbox_failed(tmp_path: Path) -> None:
    config = fast_config(faults=FaultConfig(error_5xx_ratio=1.0))
    kwargs = {"config": config, "budget": 0.5, "backoff_initial": 0.01, "backoff_max": 0.02, "max_attempts": 2}
    with emulator_bridge(tmp_path / "o.sqlite", **kwargs) as bridge:
        queued = bridge.apply_event("twilio", task_attributes(28))
        assert queued.kind is OutcomeKind.QUEUED and queued.error is not None
        assert bridge.outbox is not None and bridge.outbox.counts()["pending"] == 1
    with emulator_bridge(None, **kwargs) as bridge:
        failed = bridge.apply_event("twilio", task_attributes(28))
        assert failed.kind is OutcomeKind.FAILED and failed.outbox_id is None


def test_bad_credentials_are_queued_not_dead(tmp_path: Path) -> None:
    emulator = Emulator.from_file(ORG, fast_config())
    settings = GenesysSettings(
        client_id="demo-client",
        client_secret=SecretStr("wrong-secret"),
        region=resolve_region("http://emulator.invalid"),
        budget=2.0,
    )

    def factory() -> GenesysClient:
        return GenesysClient(settings, transport=emulator.transport())

    with Bridge(TWILIO_MAPPING, client_factory=factory, outbox=tmp_path / "o.sqlite") as bridge:
        outcome = bridge.apply_event("twilio", task_attributes(29))
    # A credentials problem is not the record's fault: once the secret is fixed, a drain delivers it.
    assert outcome.kind is OutcomeKind.QUEUED and outcome.outbox_state == "pending"
    assert "wrong-secret" not in json.dumps(outcome.to_json_dict())


def test_async_twins_and_concurrent_duplicates(tmp_path: Path) -> None:
    with emulator_bridge(tmp_path / "o.sqlite") as bridge:

        async def main() -> list[OutcomeKind]:
            same = task_attributes(30)
            others = [bridge.aapply_event("twilio", task_attributes(n)) for n in (21, 22, 23)]
            outcomes = await asyncio.gather(
                bridge.aapply_event("twilio", same), bridge.aapply_event("twilio", same), *others
            )
            return [o.kind for o in outcomes]

        kinds = asyncio.run(main())
        # The second identical event finds the first in flight and is not sent again.
        assert kinds == [OutcomeKind.APPLIED, OutcomeKind.QUEUED] + [OutcomeKind.APPLIED] * 3
        assert writes_for(bridge, 30) == [RESOLVED]


def test_drain_with_remap_delivers_a_dead_row_after_the_table_is_fixed(tmp_path: Path) -> None:
    outbox = tmp_path / "o.sqlite"
    with emulator_bridge(outbox) as bridge:
        dead = bridge.apply_event("twilio", task_attributes(31, outcome="Fixed"))
        assert dead.kind is OutcomeKind.UNMAPPED
    fixed = MappingTable.from_text(
        "version: 1\nsource: {platform: twilio}\n"
        "codes: {resolved: {id: 50a74cff-026f-4c84-aa8f-f5f8d837115f, name: Resolved}}\n"
        "rules:\n  - when: {code: Fixed}\n    code: resolved\n",
        name="fixed.yaml",
    )
    with emulator_bridge(outbox, mappings=fixed) as bridge:
        assert bridge.outbox is not None
        assert bridge.drain().claimed == 0  # dead rows wait for a person
        assert bridge.outbox.retry_dead() == 1
        report = bridge.drain(remap=True)
        assert report.states == {"done": 1} and writes_for(bridge, 31) == [RESOLVED]


def test_an_unusable_outbox_does_not_stop_delivery(tmp_path: Path) -> None:
    with emulator_bridge(tmp_path) as bridge:  # a directory: SQLite cannot open it
        outcome = bridge.apply_event("twilio", task_attributes(32))
        assert outcome.kind is OutcomeKind.APPLIED
        assert any("not recorded in the outbox" in w for w in outcome.warnings)


def test_closed_bridge_refuses_work() -> None:
    bridge = emulator_bridge()
    bridge.close()
    bridge.close()
    with pytest.raises(RuntimeError, match="closed"):
        bridge.apply_event("twilio", task_attributes(21))


def test_a_conversation_nobody_finished_is_queued_and_a_later_drain_delivers_it(tmp_path: Path) -> None:
    """The agent is still on the call when the legacy side dispositions: nothing to wrap up yet, so the record
    waits in the outbox (never given up, never written on a leg that is not done); after the hang-up, a drain
    writes it once."""
    import textwrap

    from tests.emulator.helpers import HEAD_USERS, cid
    from wrapup_bridge.emulator import EmulatorConfig, derive_id, parse_org

    org = parse_org(
        HEAD_USERS
        + "realism: false\nconversations:\n"
        + textwrap.indent(
            f"- {{id: {cid(1)}, media: voice, queue: Billing, agent: jdoe, start: 2026-03-02T14:00:00Z, end: null}}\n",
            "  ",
        )
    )
    emulator = Emulator(org, EmulatorConfig(rate_limit=100_000))
    table = MappingTable.from_text(
        f"version: 1\ncodes:\n  resolved: {{id: {RESOLVED}, name: Resolved}}\nrules:\n"
        "  - when: {code: Resolved}\n    code: resolved\n",
        name="t.yaml",
    )
    record = Disposition(source="five9", source_id="call-1", conversation_id=cid(1), code="Resolved", agent="jdoe")
    with Bridge.for_emulator(emulator, table, outbox=tmp_path / "o.sqlite") as bridge:
        queued = bridge.apply(record)
        assert queued.kind is OutcomeKind.QUEUED and "still connected" in queued.reason
        assert emulator.write_log == []
        agent = derive_id(cid(1), "agent")
        token = emulator.token_for("demo-client")
        hang_up = asyncio.run(
            _patch(emulator, f"/api/v2/conversations/{cid(1)}/participants/{agent}", {"state": "disconnected"}, token)
        )
        assert hang_up == 202
        report = bridge.drain()
        assert report.states == {"done": 1} and [o.kind for o in report.outcomes] == [OutcomeKind.APPLIED]
    assert [(w.participant_id, w.code_id) for w in emulator.write_log] == [(agent, RESOLVED)]


async def _patch(emulator: Emulator, path: str, body: dict[str, str], token: str) -> int:
    async with emulator.async_client() as client:
        response = await client.patch(path, json=body, headers={"Authorization": f"Bearer {token}"})
        return response.status_code


def test_mapping_work_never_runs_on_the_callers_event_loop(tmp_path: Path) -> None:
    """The table's resolve blocks until a coroutine on the caller's loop has run: were the mapping on that loop,
    the coroutine could never run and the wait would time out (issue 11: a slow rule stalled /healthz)."""
    import threading

    bridge = emulator_bridge(tmp_path / "outbox.db")
    table = bridge.table_for("twilio")
    assert table is not None
    loop_ran = threading.Event()
    waited: list[bool] = []
    original = table.resolve

    def slow_resolve(disposition: Disposition) -> object:
        waited.append(loop_ran.wait(timeout=10))
        return original(disposition)

    object.__setattr__(table, "resolve", slow_resolve)

    async def scenario() -> None:
        async def ticker() -> None:
            await asyncio.sleep(0.01)
            loop_ran.set()

        tick = asyncio.create_task(ticker())
        outcome = await bridge.aapply_event("twilio", task_attributes(1), conversation_id=cid(1))
        await tick
        assert outcome.kind in (OutcomeKind.APPLIED, OutcomeKind.ALREADY_APPLIED)

    try:
        asyncio.run(scenario())
    finally:
        bridge.close()
    assert waited == [True], "the mapping ran on the caller's event loop"


def test_a_payload_the_tables_source_settings_do_not_fit_is_a_payload_error(tmp_path: Path) -> None:
    text = TWILIO_MAPPING.read_text(encoding="utf-8")
    assert "source:" in text
    table = tmp_path / "t.yaml"
    table.write_text(text.replace("source:\n", "source:\n  date_order: mdy\n", 1), encoding="utf-8")
    bridge = emulator_bridge(mappings=table)
    try:
        with pytest.raises(PayloadError, match="source settings do not fit") as caught:
            bridge.apply_event("twilio", task_attributes(1), conversation_id=cid(1))
        assert caught.value.field == "format"
    finally:
        bridge.close()
