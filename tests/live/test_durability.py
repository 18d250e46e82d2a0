"""Nothing lost, nothing applied twice: a process killed (SIGKILL) between accepting a disposition and hearing back
from Genesys, and a budget that runs out while the write is at Genesys. The emulator runs on a real socket behind
a gate that holds the wrap-up POST, so the test decides exactly when the write lands, or that it never does."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.live.helpers import ORG, RESOLVED, TWILIO_MAPPING, cid, task_attributes
from wrapup_bridge.core.outcome import OutcomeKind
from wrapup_bridge.emulator import Emulator
from wrapup_bridge.live import Bridge, Outbox
from wrapup_bridge.testing import FakeClock, served

Scope = dict[str, Any]

CHILD = """
import json, sys
from wrapup_bridge.live import Bridge
bridge = Bridge.from_env(sys.argv[1], outbox=sys.argv[2])
print(bridge.apply_event("twilio", json.loads(sys.argv[3])).kind.value, flush=True)
"""


class HoldWrites:
    """ASGI middleware before the emulator: a wrap-up POST is read, announced, and held until released; then it
    is either passed on (Genesys applies it even though its client is gone) or, ``drop_next`` times, dropped (it
    never arrived)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.drop_next = 0

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].endswith("/wrapup"):
            await self.app(scope, receive, send)
            return
        messages = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        self.arrived.set()
        while not self.release.is_set():
            await asyncio.sleep(0.005)
        if self.drop_next > 0:
            self.drop_next -= 1
            await send({"type": "http.response.start", "status": 503, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        replay = iter(messages)

        async def replayed() -> Any:
            return next(replay, {"type": "http.disconnect"})

        await self.app(scope, replayed, send)


@pytest.fixture
def gated() -> Iterator[tuple[Emulator, HoldWrites, dict[str, str]]]:
    emulator = Emulator.from_file(ORG)
    gate = HoldWrites(emulator.app)
    with served(gate) as base_url:
        env = {
            "GENESYSCLOUD_OAUTHCLIENT_ID": "demo-client",
            "GENESYSCLOUD_OAUTHCLIENT_SECRET": "demo-secret",
            "GENESYSCLOUD_API_BASE": base_url,
            "GENESYSCLOUD_LOGIN_BASE": base_url,
        }
        try:
            yield emulator, gate, env
        finally:
            gate.release.set()


def later(hours: float = 1.0) -> FakeClock:
    return FakeClock(time.time() + hours * 3600)


@pytest.mark.parametrize("write_lands", [True, False], ids=["write-landed", "write-lost"])
def test_killed_between_accept_and_apply_then_drained_exactly_once(
    gated: tuple[Emulator, HoldWrites, dict[str, str]], tmp_path: Path, write_lands: bool
) -> None:
    emulator, gate, env = gated
    outbox = tmp_path / "outbox.sqlite"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(TWILIO_MAPPING), str(outbox), json.dumps(task_attributes(33))],
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert gate.arrived.wait(30), "the child never sent its write"
        # The intent was committed before the write left: the row is there, in flight, for whoever comes next.
        (row,) = Outbox(outbox).rows()
        assert row.state == "in-flight" and row.conversation_id == cid(33)
        child.send_signal(signal.SIGKILL)
        assert child.wait(30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
        child.communicate()
    gate.drop_next = 0 if write_lands else 1
    gate.release.set()
    deadline = time.monotonic() + 10
    while write_lands and not emulator.write_log and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(emulator.write_log) == (1 if write_lands else 0)

    # Soon after, the lease has not run out: a drain leaves the row to its (dead) owner.
    with Bridge.from_env(None, outbox=Outbox(outbox), env=env) as bridge:
        assert bridge.drain().claimed == 0
    # Once it has, a drain re-checks through the sink: it reads the participant before writing.
    with Bridge.from_env(None, outbox=Outbox(outbox, clock=later()), env=env) as bridge:
        report = bridge.drain()
    assert report.claimed == 1 and report.states == {"done": 1}, report.outcomes[0].reason
    expected = OutcomeKind.ALREADY_APPLIED if write_lands else OutcomeKind.APPLIED
    assert report.outcomes[0].kind is expected
    writes = [w for w in emulator.write_log if w.conversation_id == cid(33)]
    assert [w.code_id for w in writes] == [RESOLVED]


def test_budget_runs_out_while_the_write_is_at_genesys(
    gated: tuple[Emulator, HoldWrites, dict[str, str]], tmp_path: Path
) -> None:
    emulator, gate, env = gated
    outbox = tmp_path / "outbox.sqlite"
    with Bridge.from_env(TWILIO_MAPPING, outbox=outbox, env=env, budget=0.5) as bridge:
        outcome = bridge.apply_event("twilio", task_attributes(34))
        assert gate.arrived.is_set()
        assert outcome.kind is OutcomeKind.QUEUED and outcome.outbox_state == "pending"
        gate.release.set()  # Genesys finishes the write after the caller gave up on it
        deadline = time.monotonic() + 10
        while not emulator.write_log and time.monotonic() < deadline:
            time.sleep(0.01)
        report = bridge.drain()
    assert report.outcomes[0].kind is OutcomeKind.ALREADY_APPLIED
    assert [w.code_id for w in emulator.write_log] == [RESOLVED]
