"""The sink and the replay backend on real conversation shapes served by the emulator (real HTTP client,
Genesys's paths): the handled agent is chosen, never a leg that rang out; a record naming another agent gets
no target; system codes are replaced (or kept) and a refusal is explained; a conversation nobody finished is
retried, not given up."""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import SecretStr

from tests.emulator.helpers import HEAD_USERS, JDOE, KCHEN, RESOLVED, cid
from wrapup_bridge.core.decision import CodeRef, Decision, DecisionKind
from wrapup_bridge.core.disposition import Disposition, Media
from wrapup_bridge.core.mapping import MappingTable
from wrapup_bridge.core.outcome import OutcomeKind
from wrapup_bridge.core.replay.deadletter import DeadLetterWriter
from wrapup_bridge.core.replay.ledger import Ledger
from wrapup_bridge.core.replay.pipeline import apply_plan, make_plan
from wrapup_bridge.core.replay.plan import Action, PlanWriter, new_header, read_plan
from wrapup_bridge.emulator import Emulator, EmulatorConfig, derive_id, parse_org
from wrapup_bridge.genesys.http import GenesysClient
from wrapup_bridge.genesys.regions import resolve_region
from wrapup_bridge.genesys.replay import GenesysReplayBackend
from wrapup_bridge.genesys.settings import GenesysSettings
from wrapup_bridge.genesys.sink import ApplyOptions, GenesysSink

T = TypeVar("T")
CODE = CodeRef(alias="resolved", id=RESOLVED, name="Resolved")
DECISION = Decision(kind=DecisionKind.MAPPED, code=CODE, reason="test")

#: 1: jdoe rang out, kchen declined, then jdoe answered; ACW timed out (ININ-WRAP-UP-TIMEOUT).
#: 2: kchen answered after jdoe rang out; no wrap-up yet.
#: 3: a callback: four alerts rang out for jdoe, the fifth is still alerting.
#: 4: jdoe is still on the call.
#: 5: nobody answered: jdoe rang out, kchen declined.
CONVERSATIONS = f"""\
- id: {cid(1)}
  media: voice
  queue: Billing
  agent: jdoe
  start: 2026-03-02T14:00:00Z
  end: 2026-03-02T14:05:00Z
  acw: timeout
  missed_alerts: [{{agent: jdoe}}, {{agent: kchen, ended: client}}]
- {{id: {cid(2)}, media: voice, queue: Billing, agent: kchen, start: 2026-03-02T15:00:00Z,
   end: 2026-03-02T15:05:00Z, acw: pending, missed_alerts: [{{agent: jdoe, wrapup: ININ-WRAP-UP-TIMEOUT}}]}}
- {{id: {cid(3)}, media: callback, queue: Billing, agent: jdoe, start: 2026-03-02T16:00:00Z, end: null,
   agent_state: alerting, missed_alerts: 4}}
- {{id: {cid(4)}, media: voice, queue: Billing, agent: jdoe, start: 2026-03-02T17:00:00Z, end: null,
   missed_alerts: 0}}
- {{id: {cid(5)}, media: voice, queue: Billing, agent: null, start: 2026-03-02T18:00:00Z,
   end: 2026-03-02T18:01:00Z, missed_alerts: [{{agent: jdoe}}, {{agent: kchen, ended: client}}]}}
"""


def emulator(**config: Any) -> Emulator:
    org = parse_org(HEAD_USERS + "realism: false\nconversations:\n" + textwrap.indent(CONVERSATIONS, "  "))
    return Emulator(org, EmulatorConfig(rate_limit=100_000, **config))


def record(n: int, agent: str | None = None, media: Media = Media.VOICE) -> Disposition:
    return Disposition(
        source="five9", source_id=f"call-{n}", conversation_id=cid(n), code="x", agent=agent, media=media
    )


def with_client(emu: Emulator, body: Callable[[GenesysClient], Awaitable[T]]) -> T:
    settings = GenesysSettings(
        client_id="demo-client",
        client_secret=SecretStr("demo-secret"),
        region=resolve_region("http://emulator.invalid"),
        budget=5.0,
        rate_per_minute=100_000,
    )

    async def main() -> T:
        async with GenesysClient(settings, transport=emu.transport()) as client:
            return await body(client)

    return asyncio.run(main())


def apply(emu: Emulator, disposition: Disposition, **options: Any) -> Any:
    async def body(client: GenesysClient) -> Any:
        return await GenesysSink(client, options=ApplyOptions(**options)).apply(disposition, DECISION)

    return with_client(emu, body)


def test_the_agent_who_answered_gets_the_wrapup_not_a_leg_that_rang_out() -> None:
    emu = emulator()
    outcome = apply(emu, record(2))
    assert outcome.kind is OutcomeKind.APPLIED, outcome.reason
    assert [(w.conversation_id, w.participant_id) for w in emu.write_log] == [(cid(2), derive_id(cid(2), "agent"))]
    assert outcome.target.user_id == KCHEN and outcome.target.missed_legs == 1


def test_the_record_names_its_agent_by_login_and_the_users_are_looked_up_once() -> None:
    emu = emulator()

    async def body(client: GenesysClient) -> list[Any]:
        sink = GenesysSink(client)
        return [
            await sink.apply(record(2, agent="kchen"), DECISION),
            await sink.apply(record(1, agent="jdoe"), DECISION),
        ]

    first, second = with_client(emu, body)
    assert first.kind is OutcomeKind.APPLIED and second.kind is OutcomeKind.REPLACED_SYSTEM_CODE
    # Conversation 2's agents (kchen answered, jdoe rang out) are looked up together; 1 needs nobody new.
    assert emu.requests.get("GET /api/v2/users", 0) == 1


def test_a_record_naming_an_agent_who_did_not_handle_it_writes_nothing() -> None:
    emu = emulator()
    outcome = apply(emu, record(2, agent="jdoe"))  # jdoe only rang out on conversation 2
    assert outcome.kind is OutcomeKind.NO_TARGET and "handled by Kevin Chen" in outcome.reason
    assert emu.write_log == []
    fallback = apply(emu, record(2, agent="nobody@example.com"), agent_fallback="last-connected")
    assert fallback.kind is OutcomeKind.APPLIED and any("agent fallback" in w for w in fallback.warnings)


def test_system_codes_are_replaced_kept_or_refused_and_explained() -> None:
    replaced = apply(emulator(), record(1))
    assert replaced.kind is OutcomeKind.REPLACED_SYSTEM_CODE and "in place of ININ-WRAP-UP-TIMEOUT" in replaced.reason
    emu = emulator()
    kept = apply(emu, record(1), system_codes="keep")
    assert kept.kind is OutcomeKind.SKIPPED and "kept as asked" in kept.reason and emu.write_log == []
    emu = emulator(system_code_overwrite="reject", rejection_status=422)
    refused = apply(emu, record(1))
    assert refused.kind is OutcomeKind.REJECTED and emu.write_log == []
    assert "refused to replace ININ-WRAP-UP-TIMEOUT" in refused.reason and "--keep-system-codes" in refused.reason
    assert refused.error is not None and refused.error["status"] == 422


def test_conversations_nobody_finished_are_retryable_and_nobody_connected_is_final() -> None:
    emu = emulator()
    callback = apply(emu, record(3, media=Media.CALLBACK))
    assert callback.kind is OutcomeKind.FAILED and "still alerting" in callback.reason
    assert "4 alert(s) rang out" in callback.reason
    on_call = apply(emu, record(4))
    assert on_call.kind is OutcomeKind.FAILED and "still connected" in on_call.reason
    nobody = apply(emu, record(5))
    assert nobody.kind is OutcomeKind.NO_TARGET
    assert "no agent ever connected (1 alert(s) rang out, 1 declined)" in nobody.reason
    assert emu.write_log == []


def test_replay_plans_wait_for_an_unfinished_conversation_then_writes_once_it_is_handled(tmp_path: Path) -> None:
    emu = emulator()
    table = MappingTable.from_text(
        f"version: 1\ncodes:\n  resolved: {{id: {RESOLVED}, name: Resolved}}\n"
        "rules:\n  - when: {code: x}\n    code: resolved\n",
        name="m.yaml",
    )
    records = [(None, str(n), record(n)) for n in (1, 2, 4, 5)]

    async def plan(client: GenesysClient) -> dict[str, int]:
        backend = GenesysReplayBackend(client, description="emulator")
        writer = PlanWriter(tmp_path / "p.plan.jsonl", new_header(source="five9", mapping_path="m.yaml",
                                                                  mapping_sha256=table.sha256, target="emulator"))  # fmt: skip
        await make_plan(records, table, backend, writer, batch_size=10)
        writer.close()
        return backend.stats()

    stats = with_client(emu, plan)
    header, items, _ = read_plan(tmp_path / "p.plan.jsonl")
    actions = {item.record.conversation_id: item.action for item in items if item.record}
    assert actions == {
        cid(1): Action.REPLACE_SYSTEM_CODE,
        cid(2): Action.WRITE,
        cid(4): Action.WAIT,
        cid(5): Action.NO_TARGET,
    }
    assert stats["GET analytics"] == 1

    async def apply_all(client: GenesysClient) -> dict[str, int]:
        backend = GenesysReplayBackend(client, description="emulator")
        ledger = Ledger(tmp_path / "p.ledger.sqlite", header.plan_id)
        letters = DeadLetterWriter(tmp_path / "p.deadletter.jsonl")
        try:
            _, fresh, _ = read_plan(tmp_path / "p.plan.jsonl")
            report = await apply_plan(header, fresh, backend, ledger, letters)
        finally:
            letters.close()
            ledger.close()
        return dict(report.outcomes)

    first = with_client(emu, apply_all)
    assert first == {"replaced-system-code": 1, "applied": 1, "failed": 1, "no-target": 1}
    # The agent hangs up (PATCH state disconnected): the conversation is handled; the next run writes it.
    agent = derive_id(cid(4), "agent")

    async def hang_up(client: GenesysClient) -> None:
        await client.patch_json(f"/api/v2/conversations/{cid(4)}/participants/{agent}", {"state": "disconnected"})

    with_client(emu, hang_up)
    assert with_client(emu, apply_all) == {"applied": 1}
    assert sorted(w.conversation_id for w in emu.write_log) == [cid(1), cid(2), cid(4)]


def test_users_of_a_whole_batch_are_looked_up_in_one_call(tmp_path: Path) -> None:
    emu = emulator()

    async def body(client: GenesysClient) -> dict[str, int]:
        backend = GenesysReplayBackend(client, description="emulator")
        targets = await backend.resolve([record(1, agent="jdoe"), record(2, agent="kchen"), record(5, agent="jdoe")])
        assert [getattr(t, "user_id", None) for t in targets] == [JDOE, KCHEN, None]
        return backend.stats()

    stats = with_client(emu, body)
    assert stats["users_lookups"] == 1 and stats["missed_alerts_passed_over"] == 3


def test_a_users_lookup_that_does_not_answer_leaves_the_record_retryable_not_final() -> None:
    """Genesys busy (503) while the record's agent is looked up: the record is not 'unmatched' for good; the next
    attempt looks the users up again and writes (issue 11: nothing lost)."""
    from wrapup_bridge.genesys.errors import Unavailable
    from wrapup_bridge.genesys.users import USERS_PATH

    emu = emulator()

    async def body(client: GenesysClient) -> list[Any]:
        real_get = client.get_json
        busy = {"left": 1}

        async def flaky_get(path: str, *args: Any, **kwargs: Any) -> Any:
            if path == USERS_PATH and busy["left"]:
                busy["left"] -= 1
                raise Unavailable(status=503, code="service.unavailable", message="busy", method="GET", path=path)
            return await real_get(path, *args, **kwargs)

        client.get_json = flaky_get  # type: ignore[method-assign]
        sink = GenesysSink(client)
        return [
            await sink.apply(record(2, agent="kchen"), DECISION),
            await sink.apply(record(2, agent="kchen"), DECISION),
        ]

    first, second = with_client(emu, body)
    assert first.kind is OutcomeKind.FAILED, first.reason
    assert "users lookup did not answer" in first.reason and "a later run looks again" in first.reason
    assert second.kind is OutcomeKind.APPLIED, second.reason
    assert [w.conversation_id for w in emu.write_log] == [cid(2)]
