"""The sink against the in-process emulator: the real HTTP client, Genesys's paths and envelopes, and each
UNSURE rule switched both ways. Nothing applied twice, nothing written when it should not be."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from pydantic import SecretStr

from tests.conftest import EXAMPLES
from wrapup_bridge.core.decision import CodeRef, Decision, DecisionKind
from wrapup_bridge.core.disposition import Disposition, Media
from wrapup_bridge.core.outcome import Outcome, OutcomeKind
from wrapup_bridge.emulator import Emulator, EmulatorConfig
from wrapup_bridge.emulator.config import FaultConfig
from wrapup_bridge.genesys.http import GenesysClient
from wrapup_bridge.genesys.regions import resolve_region
from wrapup_bridge.genesys.settings import GenesysSettings
from wrapup_bridge.genesys.sink import ApplyOptions, GenesysSink

T = TypeVar("T")
ORG = EXAMPLES / "demo-org.yaml"

PAYMENT = CodeRef(alias="payment_taken", id="dd1c84e4-4fa9-40d7-81ac-e0d9a2729d41", name="Payment Taken")
RESOLVED = CodeRef(alias="resolved", id="50a74cff-026f-4c84-aa8f-f5f8d837115f", name="Resolved")
SALE = CodeRef(alias="sale", id="0dd6a32c-c059-4534-97bf-c82d73d9c869", name="Sale")
OTHER = CodeRef(alias="other", id="0cab9e0c-7015-4b96-9819-e59f32cd0700", name="Other")  # on no queue


def conv(n: int) -> str:
    return f"c0ffee00-0000-4000-8000-{n:012d}"


def record(n: int | None, **kwargs: Any) -> Disposition:
    return Disposition(
        source="five9", source_id=f"call-{n}", conversation_id=conv(n) if n else None, code="x", **kwargs
    )


def mapped(code: CodeRef) -> Decision:
    return Decision(kind=DecisionKind.MAPPED, code=code, reason="test")


def run_with(
    config: EmulatorConfig | None, body: Callable[[GenesysSink, Emulator], Awaitable[T]], **options: Any
) -> tuple[T, Emulator]:
    # Pacing to 300 requests/minute is the rate limiter's business (tested on its own); here it would only slow.
    config = (config or EmulatorConfig()).model_copy(update={"rate_limit": 100_000})
    emulator = Emulator.from_file(ORG, config)
    settings = GenesysSettings(
        client_id="demo-client",
        client_secret=SecretStr("demo-secret"),
        region=resolve_region("http://emulator.invalid"),
        budget=5.0,
        backoff_initial=0.01,
        backoff_max=0.05,
        rate_per_minute=100_000,
    )

    async def main() -> T:
        async with GenesysClient(settings, transport=emulator.transport()) as client:
            return await body(GenesysSink(client, options=ApplyOptions(**options)), emulator)

    return asyncio.run(main()), emulator


def apply_one(
    disposition: Disposition, decision: Decision, config: EmulatorConfig | None = None, **options: Any
) -> tuple[Outcome, Emulator]:
    async def body(sink: GenesysSink, _: Emulator) -> Outcome:
        return await sink.apply(disposition, decision)

    return run_with(config, body, **options)


def test_applies_once_then_reports_already_applied() -> None:
    async def body(sink: GenesysSink, emulator: Emulator) -> list[Outcome]:
        first = await sink.apply(record(1), mapped(PAYMENT))
        second = await sink.apply(record(1), mapped(PAYMENT))
        return [first, second]

    (first, second), emulator = run_with(None, body)
    assert first.kind is OutcomeKind.APPLIED, first.reason
    assert first.target is not None and first.target.media_path == "calls"
    assert first.correlation_id
    assert second.kind is OutcomeKind.ALREADY_APPLIED
    writes = emulator.write_log
    assert len(writes) == 1
    assert writes[0].code_id == PAYMENT.id and writes[0].conversation_id == conv(1)
    assert writes[0].path.startswith(f"/api/v2/conversations/calls/{conv(1)}/participants/")
    assert writes[0].body == {"code": PAYMENT.id, "name": "Payment Taken"}


def test_messaging_conversation_uses_the_messages_endpoint_whatever_media_the_adapter_guessed() -> None:
    outcome, emulator = apply_one(record(31, media=Media.VOICE), mapped(RESOLVED))
    assert outcome.kind is OutcomeKind.APPLIED, outcome.reason
    assert emulator.write_log[0].path.startswith(f"/api/v2/conversations/messages/{conv(31)}/")


def test_conflict_without_overwrite_writes_nothing_and_overwrite_replaces() -> None:
    outcome, emulator = apply_one(record(20), mapped(RESOLVED))
    assert outcome.kind is OutcomeKind.CONFLICT and "'Sale'" in outcome.reason
    assert emulator.write_log == []
    outcome, emulator = apply_one(record(20), mapped(SALE))
    assert outcome.kind is OutcomeKind.ALREADY_APPLIED
    outcome, emulator = apply_one(record(12), mapped(SALE), overwrite=True)
    assert outcome.kind is OutcomeKind.APPLIED


def test_overwrite_refused_by_genesys_is_reported_as_rejected() -> None:
    config = EmulatorConfig(overwrite="reject", rejection_status=409)
    outcome, emulator = apply_one(record(20), mapped(RESOLVED), config, overwrite=True, allowed_check="off")
    assert outcome.kind is OutcomeKind.REJECTED
    assert outcome.error is not None and outcome.error["status"] == 409 and outcome.error.get("explanation")
    assert outcome.correlation_id
    assert emulator.write_log == []


def test_no_agent_participant_and_unknown_conversation_are_no_target() -> None:
    outcome, emulator = apply_one(record(19), mapped(PAYMENT))
    assert outcome.kind is OutcomeKind.NO_TARGET and "no agent participant" in outcome.reason
    missing = Disposition(
        source="five9", source_id="x", conversation_id="deadbeef-0000-4000-8000-000000000000", code="x"
    )
    outcome, _ = apply_one(missing, mapped(PAYMENT))
    assert outcome.kind is OutcomeKind.NO_TARGET and "not found" in outcome.reason
    assert outcome.error is not None and outcome.error["status"] == 404
    outcome, _ = apply_one(record(None), mapped(PAYMENT))
    assert outcome.kind is OutcomeKind.NO_TARGET and "no Genesys conversation id" in outcome.reason
    assert emulator.write_log == []


def test_code_not_on_the_queue_is_caught_before_writing() -> None:
    outcome, emulator = apply_one(record(2), mapped(OTHER))
    assert outcome.kind is OutcomeKind.REJECTED and "checked before writing" in outcome.reason
    assert emulator.write_log == []


@pytest.mark.parametrize("status", [400, 409, 422])
def test_without_the_precheck_genesys_rejection_is_reported_with_its_envelope(status: int) -> None:
    config = EmulatorConfig(queue_codes_enforced=True, rejection_status=status)
    outcome, emulator = apply_one(record(2), mapped(OTHER), config, allowed_check="off")
    assert outcome.kind is OutcomeKind.REJECTED
    assert outcome.error is not None
    assert outcome.error["status"] == status and outcome.error["code"] and outcome.error.get("contextId")
    assert emulator.write_log == []


def test_queue_assignment_not_enforced_lets_the_write_through() -> None:
    config = EmulatorConfig(queue_codes_enforced=False)
    outcome, emulator = apply_one(record(2), mapped(OTHER), config, allowed_check="off")
    # Conversation 2's after-call work timed out: the write replaces ININ-WRAP-UP-TIMEOUT, no agent's choice.
    assert outcome.kind is OutcomeKind.REPLACED_SYSTEM_CODE, outcome.reason
    assert "in place of ININ-WRAP-UP-TIMEOUT" in outcome.reason
    assert len(emulator.write_log) == 1


def test_unknown_code_id_and_name_drift() -> None:
    ghost = CodeRef(alias="ghost", id="00000000-0000-4000-8000-00000000dead", name="Ghost")
    outcome, _ = apply_one(record(1), mapped(ghost))
    assert outcome.kind is OutcomeKind.REJECTED and "does not exist in this org" in outcome.reason
    renamed = CodeRef(alias="payment_taken", id=PAYMENT.id, name="Payment Received")
    outcome, _emulator = apply_one(record(1), mapped(renamed))
    assert outcome.kind is OutcomeKind.APPLIED
    assert any("name drift" in w and "'Payment Taken'" in w for w in outcome.warnings)


def test_unmapped_and_skip_make_no_calls() -> None:
    unmapped = Decision(kind=DecisionKind.UNMAPPED, reason="no rule matches")
    skip = Decision(kind=DecisionKind.SKIP, reason="rule #3 skips it")
    outcome, emulator = apply_one(record(1), unmapped)
    assert outcome.kind is OutcomeKind.UNMAPPED
    assert sum(emulator.requests.values()) == 0
    outcome, emulator = apply_one(record(1), skip)
    assert outcome.kind is OutcomeKind.SKIPPED
    assert sum(emulator.requests.values()) == 0


def test_late_write_window_rejection_is_explained() -> None:
    config = EmulatorConfig(late_write_window_seconds=60)
    outcome, emulator = apply_one(record(1), mapped(PAYMENT), config)
    assert outcome.kind is OutcomeKind.REJECTED
    assert outcome.error is not None and outcome.error.get("explanation")
    assert emulator.write_log == []


def test_dropped_connections_never_cause_a_second_write_and_a_second_pass_completes() -> None:
    """Drops before and after the write is applied: ambiguous writes are settled by re-reading, never repeated."""
    config = EmulatorConfig(faults=FaultConfig(seed=11, drop_ratio=0.35, drop_applied_ratio=0.5))
    work = [(n, PAYMENT if n <= 10 else SALE) for n in range(1, 19)]

    async def body(sink: GenesysSink, emulator: Emulator) -> tuple[list[Outcome], list[Outcome]]:
        first = [await sink.apply(record(n), mapped(code)) for n, code in work]
        emulator.runtime.faults.config = FaultConfig()  # the network heals; a person re-runs the failed ones
        second = [await sink.apply(record(n), mapped(code)) for n, code in work]
        return first, second

    (first, second), emulator = run_with(config, body)
    assert {o.kind for o in first} <= {OutcomeKind.APPLIED, OutcomeKind.REPLACED_SYSTEM_CODE, OutcomeKind.FAILED}
    assert any(o.kind is OutcomeKind.FAILED for o in first) or any(o.warnings for o in first)
    for before, after in zip(first, second, strict=True):
        expected = (
            {OutcomeKind.ALREADY_APPLIED}
            if before.kind.wrote
            else {
                OutcomeKind.APPLIED,
                OutcomeKind.REPLACED_SYSTEM_CODE,
                OutcomeKind.ALREADY_APPLIED,  # the "failed" write had in fact landed before the drop
            }
        )
        assert after.kind in expected, (before, after)
    per_conversation: dict[str, int] = {}
    for write in emulator.write_log:
        per_conversation[write.conversation_id] = per_conversation.get(write.conversation_id, 0) + 1
    assert per_conversation == {conv(n): 1 for n, _ in work}


def test_verify_reads_the_wrapup_back() -> None:
    outcome, _emulator = apply_one(record(4), mapped(PAYMENT), verify=True)
    assert outcome.kind.wrote and "verified" in outcome.reason
