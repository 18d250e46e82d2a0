"""Target resolution over real-shaped GET /api/v2/conversations/{id} documents."""

from __future__ import annotations

from typing import Any

from wrapup_bridge.core.disposition import Disposition, Media
from wrapup_bridge.core.outcome import WrapupTarget
from wrapup_bridge.genesys.target import NoTarget, resolve_target

CID = "c0ffee00-0000-4000-8000-000000000001"
JDOE = "ea96e66b-d684-474a-b09a-cdcde48041e6"
ASMITH = "cc734f07-942c-400c-afa3-584189f688b7"
BILLING = "e0284275-ec9b-4fde-a99c-648c9c1726bc"
SUPPORT = "32f46174-fc86-4b1c-a519-6bd0bcde15a0"


def agent(
    pid: str, user: str, name: str, queue: str, *, calls: list[dict[str, Any]] | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "id": pid,
        "purpose": "agent",
        "userId": user,
        "name": name,
        "queueId": queue,
        "queueName": {BILLING: "Billing", SUPPORT: "Support"}[queue],
        "calls": calls if calls is not None else [{"id": f"comm-{pid}", "state": "disconnected"}],
        **extra,
    }


def conversation(*participants: dict[str, Any]) -> dict[str, Any]:
    customer = {"id": "p-customer", "purpose": "customer", "calls": [{"id": "comm-cust", "state": "disconnected"}]}
    acd = {"id": "p-acd", "purpose": "acd", "queueId": BILLING, "calls": [{"id": "comm-acd"}]}
    return {"id": CID, "participants": [customer, acd, *participants]}


def record(**kwargs: Any) -> Disposition:
    return Disposition(source="five9", source_id="1", conversation_id=CID, code="Sale", **kwargs)


def test_single_agent_voice_call() -> None:
    target = resolve_target(conversation(agent("p-1", JDOE, "Jane Doe", BILLING)), record())
    assert isinstance(target, WrapupTarget)
    assert (target.participant_id, target.communication_id, target.media_path) == ("p-1", "comm-p-1", "calls")
    assert target.queue_id == BILLING and target.user_id == JDOE and target.current_code is None


def test_no_agent_participant_is_an_explicit_no_target() -> None:
    result = resolve_target(conversation(), record())
    assert isinstance(result, NoTarget)
    assert "no agent participant" in result.reason
    assert any("customer" in p for p in result.participants)


def test_transfer_picks_the_named_agent_then_queue_then_last() -> None:
    first = agent("p-1", JDOE, "Jane Doe", BILLING, endTime="2026-08-21T16:03:00Z")
    second = agent("p-2", ASMITH, "Alex Smith", SUPPORT, endTime="2026-08-21T16:09:00Z")
    conv = conversation(first, second)
    assert _pid(resolve_target(conv, record(agent=JDOE))) == "p-1"  # Genesys user id
    assert _pid(resolve_target(conv, record(agent="jdoe"), agent_directory={"jdoe": JDOE})) == "p-1"  # directory
    assert _pid(resolve_target(conv, record(agent="jdoe", fields={"agent_name": "JANE  DOE"}))) == "p-1"  # name
    assert _pid(resolve_target(conv, record(fields={"queue": "billing"}))) == "p-1"  # queue name
    assert _pid(resolve_target(conv, record(fields={"queue_id": BILLING.upper()}))) == "p-1"  # queue id
    assert _pid(resolve_target(conv, record(agent="nobody"))) == "p-2"  # last agent


def test_latest_communication_of_the_media_and_current_wrapup() -> None:
    calls = [
        {"id": "old", "connectedTime": "2026-08-21T16:00:00Z", "disconnectedTime": "2026-08-21T16:01:00Z"},
        {"id": "new", "connectedTime": "2026-08-21T16:02:00Z", "disconnectedTime": "2026-08-21T16:05:00Z"},
    ]
    wrapped = agent(
        "p-1",
        JDOE,
        "Jane Doe",
        BILLING,
        calls=calls,
        wrapup={"code": "0dd6a32c-c059-4534-97bf-c82d73d9c869", "name": "Sale"},
    )
    target = resolve_target(conversation(wrapped), record())
    assert isinstance(target, WrapupTarget)
    assert target.communication_id == "new"
    assert target.current_code == "0dd6a32c-c059-4534-97bf-c82d73d9c869" and target.current_name == "Sale"


def test_media_guessed_wrong_falls_back_to_what_the_agent_handled() -> None:
    messaging = agent("p-1", JDOE, "Jane Doe", SUPPORT, calls=[], messages=[{"id": "msg-1", "type": "webmessaging"}])
    target = resolve_target(conversation(messaging), record(media=Media.VOICE))
    assert isinstance(target, WrapupTarget)
    assert (target.media, target.media_path, target.communication_id) == (Media.MESSAGE, "messages", "msg-1")
    social = agent("p-2", JDOE, "Jane Doe", SUPPORT, calls=[], socialExpressions=[{"id": "soc-1"}])
    target = resolve_target(conversation(social), record(media=Media.SOCIAL))
    assert isinstance(target, WrapupTarget) and target.media_path == "socials"


def test_agent_without_any_communication_is_no_target() -> None:
    bare = agent("p-1", JDOE, "Jane Doe", BILLING, calls=[])
    result = resolve_target(conversation(bare), record())
    assert isinstance(result, NoTarget) and "has no voice communication" in result.reason


def test_agent_purpose_without_user_is_not_a_target() -> None:
    ghost = {"id": "p-x", "purpose": "agent", "calls": [{"id": "c"}]}
    assert isinstance(resolve_target(conversation(ghost), record()), NoTarget)


def _pid(target: WrapupTarget | NoTarget) -> str:
    assert isinstance(target, WrapupTarget), target
    return target.participant_id
