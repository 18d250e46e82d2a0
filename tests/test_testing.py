"""wrapup_bridge.testing: each shipped test double does what it says, on the package's own parts."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import pytest

from wrapup_bridge import Bridge, Emulator, EmulatorConfig, OutcomeKind
from wrapup_bridge._optional import MissingDependency, install_hint, require
from wrapup_bridge.core.clock import Clock, utc_now
from wrapup_bridge.core.decision import CodeRef, Decision, DecisionKind
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.genesys.timing import Deadline
from wrapup_bridge.live.auth import FormParams, TwilioSignature
from wrapup_bridge.live.outbox import Outbox
from wrapup_bridge.testing import (
    DEMO_ORG,
    JUNE_2026,
    EmulatorSession,
    FakeClock,
    VirtualClock,
    demo_conversation_id,
    emulated_bridge,
    emulator,
    served,
    sign_twilio_form,
    sign_twilio_json,
)

RESOLVED = "50a74cff-026f-4c84-aa8f-f5f8d837115f"
TOKEN = "twilio-token-4f9c1a77e0b2"


def task_attributes(n: int, outcome: str = "Resolved") -> dict[str, object]:
    """Flex task attributes after the wrap-up form wrote ``outcome`` (what the shipped Twilio table reads)."""
    return {
        "taskSid": f"WTc0ffee000000400080000000000000{n:02d}",
        "genesys_conversation_id": demo_conversation_id(n),
        "conversations": {"outcome": outcome, "queue": "Support"},
    }


# -- the demo org -----------------------------------------------------------------------------------------------------
def test_demo_ids_and_org() -> None:
    assert DEMO_ORG.is_file()
    assert demo_conversation_id(7) == "c0ffee00-0000-4000-8000-000000000007"
    assert demo_conversation_id(7) in DEMO_ORG.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="two digits"):
        demo_conversation_id(100)


# -- FakeClock ----------------------------------------------------------------------------------------------------------
def test_fake_clock_moves_only_when_moved() -> None:
    clock = FakeClock()
    assert clock.time() == clock.monotonic() == JUNE_2026
    clock.advance(5)
    assert clock.time() == JUNE_2026 + 5
    asyncio.run(clock.sleep(2.5))
    assert clock.monotonic() == JUNE_2026 + 7.5 and clock.sleeps == [2.5]
    with pytest.raises(ValueError, match="does not go back"):
        clock.advance(-1)

    still = FakeClock(100.0, advance_on_sleep=False)
    asyncio.run(still.sleep(30))
    assert still.monotonic() == 100.0 and still.sleeps == [30]


def test_the_fake_clocks_are_core_clocks() -> None:
    for clock in (FakeClock(), VirtualClock()):
        assert isinstance(clock, Clock)
        assert clock.time() == clock.monotonic()
    assert utc_now(FakeClock()) == datetime(2026, 6, 1, tzinfo=UTC)


def test_fake_clock_is_a_genesys_client_clock() -> None:
    clock: Clock = FakeClock(1000.0)
    deadline = Deadline(clock, budget=8.0)
    asyncio.run(clock.sleep(3))
    assert deadline.elapsed() == 3 and deadline.remaining() == 5 and not deadline.allows(6)


def test_fake_clock_drives_the_emulator_s_time() -> None:
    """Tokens expire on the clock, and writes are stamped with its time."""
    clock = FakeClock()
    emu = emulator(clock=clock)

    async def scenario() -> tuple[int, int]:
        async with emu.async_client() as client:
            session = await EmulatorSession.login(client)
            first = await session.get(f"/api/v2/conversations/{demo_conversation_id(1)}")
            clock.advance(86_400 * 2)  # two days: longer than any token lives
            second = await session.get(f"/api/v2/conversations/{demo_conversation_id(1)}")
            return first.status_code, second.status_code

    assert asyncio.run(scenario()) == (200, 401)

    with emulated_bridge(clock=FakeClock()) as bridge:
        outcome = bridge.apply_event("twilio", task_attributes(21))
        assert outcome.kind is OutcomeKind.APPLIED
        assert bridge.emulator is not None
        assert bridge.emulator.write_log[-1].time == datetime(2026, 6, 1, tzinfo=UTC)


def test_fake_clock_drives_the_outbox(tmp_path: Path) -> None:
    clock = FakeClock()
    box = Outbox(tmp_path / "o.sqlite", clock=clock)
    code = CodeRef(alias="resolved", id=RESOLVED, name="Resolved")
    decision = Decision(kind=DecisionKind.MAPPED, code=code, reason="rule #1")
    disposition = Disposition(source="twilio", source_id="WT1", conversation_id=demo_conversation_id(21), code="x")
    accepted = box.accept(disposition, decision, lease_seconds=30)
    row = box.get(accepted.id)
    assert row is not None and row.created_at == JUNE_2026 and row.lease_until == JUNE_2026 + 30
    box.close()


# -- VirtualClock -------------------------------------------------------------------------------------------------------
def test_virtual_clock_runs_concurrent_sleeps_in_virtual_time() -> None:
    clock = VirtualClock()
    finished: list[str] = []

    async def task(name: str, *waits: float) -> float:
        for wait in waits:
            await clock.sleep(wait)
        finished.append(name)
        return clock.monotonic()

    async def scenario() -> list[float]:
        return await clock.gather(task("slow", 60), task("fast", 1, 2), task("now", 0))

    assert asyncio.run(scenario()) == [1060.0, 1003.0, 1000.0]
    assert finished == ["now", "fast", "slow"]


def test_virtual_clock_names_a_deadlock() -> None:
    clock = VirtualClock()

    async def scenario() -> None:
        never: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        await clock.gather(never)

    with pytest.raises(RuntimeError, match="blocked on something other than the clock"):
        asyncio.run(scenario())


# -- the emulator and the emulated bridge ------------------------------------------------------------------------------
def test_emulator_settings() -> None:
    assert emulator().config.rate_limit is None  # pacing is off unless asked for
    assert emulator(rate_limit=300, overwrite="reject").config.overwrite == "reject"
    given = EmulatorConfig(rate_limit=10)
    assert emulator(config=given).config == given
    with pytest.raises(ValueError, match="no_such_switch"):
        emulator(no_such_switch=True)


def test_emulated_bridge_applies_to_the_demo_org(tmp_path: Path) -> None:
    with emulated_bridge(outbox=tmp_path / "o.sqlite") as bridge:
        assert isinstance(bridge, Bridge) and "NOT Genesys Cloud" in bridge.description
        first = bridge.apply_event("twilio", task_attributes(21))
        again = bridge.apply_event("twilio", task_attributes(21))
        assert first.kind is OutcomeKind.APPLIED and first.outbox_state == "done"
        assert again.kind is OutcomeKind.ALREADY_APPLIED
        assert bridge.emulator is not None
        assert [(w.conversation_id, w.code_id) for w in bridge.emulator.write_log] == [
            (demo_conversation_id(21), RESOLVED)
        ]


def test_emulated_bridge_on_an_emulator_given() -> None:
    emu = emulator(overwrite="reject")
    with emulated_bridge(emu) as bridge:
        assert bridge.emulator is emu
        assert bridge.apply_event("twilio", task_attributes(22)).kind is OutcomeKind.APPLIED
        conflict = bridge.apply_event("twilio", task_attributes(22, "Not Resolved"))
        assert conflict.kind is OutcomeKind.CONFLICT
    with pytest.raises(TypeError, match="pass them or an Emulator"):
        emulated_bridge(emu, clock=FakeClock())


def test_emulator_session_and_served() -> None:
    emu = Emulator.from_file(DEMO_ORG)

    async def in_process() -> int:
        async with emu.async_client() as client:
            session = await EmulatorSession.login(client)
            return (await session.get("/api/v2/routing/wrapupcodes")).status_code

    assert asyncio.run(in_process()) == 200

    with served(emu.app) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        answer = httpx.post(
            f"{base_url}/oauth/token", data={"grant_type": "client_credentials"}, auth=("demo-client", "demo-secret")
        )
        assert answer.status_code == 200 and answer.json()["access_token"]


# -- Twilio signing -----------------------------------------------------------------------------------------------------
def test_signed_requests_pass_the_webhook_s_check() -> None:
    check = TwilioSignature(TOKEN)
    url = "https://bridge.example.com/twilio/taskrouter"
    params = {"EventType": "task.completed", "TaskSid": "WT1"}
    body, headers = sign_twilio_form(url, params, TOKEN)
    lowered = {k.lower(): v for k, v in headers.items()}
    form = FormParams.from_pairs(parse_qsl(body.decode()))
    assert check.check(url, lowered, form=form) is None
    assert check.check(url, lowered, form=FormParams.from_pairs([("EventType", "task.created")])) is not None

    full, raw, headers = sign_twilio_json(url, {"a": 1}, TOKEN)
    assert check.check(full, {k.lower(): v for k, v in headers.items()}, raw_body=raw.decode()) is None
    assert sign_twilio_json(url, {"a": 1}, "another token")[2] != headers


def test_signing_without_twilio_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "twilio", None)  # as if the package were not installed
    monkeypatch.delitem(sys.modules, "twilio.request_validator", raising=False)
    with pytest.raises(MissingDependency, match=r"needs the twilio package: pip install 'wrapup-bridge\[twilio\]'"):
        sign_twilio_form("https://x.example", {}, TOKEN)


# -- optional dependencies ----------------------------------------------------------------------------------------------
def test_require_names_the_extra() -> None:
    assert install_hint("twilio") == "pip install 'wrapup-bridge[twilio]'"
    with pytest.raises(ValueError, match="unknown extra"):
        install_hint("nope")
    with pytest.raises(MissingDependency) as caught:
        require("no_such_package_xyz.sub", extra="sdk-fidelity", purpose="checking the emulator against the SDK")
    assert str(caught.value) == (
        "checking the emulator against the SDK needs the PureCloudPlatformClientV2 package: "
        "pip install 'wrapup-bridge[sdk-fidelity]'"
    )
    # Both what the import raised and what older callers caught.
    assert isinstance(caught.value, ImportError) and isinstance(caught.value, RuntimeError)
    assert require("json", extra="twilio", purpose="x") is sys.modules["json"]


def test_require_does_not_hide_a_broken_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An installed package that fails to import one of its own dependencies is a broken install, not a missing
    extra: the error propagates as it is."""
    (tmp_path / "half_installed_pkg.py").write_text("import no_such_dependency_xyz\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError) as caught:
        require("half_installed_pkg", extra="twilio", purpose="x")
    assert caught.value.name == "no_such_dependency_xyz" and not isinstance(caught.value, MissingDependency)
