"""The emulator on a real socket (uvicorn on 127.0.0.1, a free port); the ``emulator`` command that serves it is
tested in tests/cli/test_emulator.py."""

from __future__ import annotations

import httpx
import pytest

from tests.emulator.helpers import RESOLVED, cid
from wrapup_bridge.emulator import Emulator, EmulatorConfig, FaultConfig, Org, derive_id

PID, COMM = derive_id(cid(1), "agent"), derive_id(cid(1), "agent", "voice")
WRAPUP = f"/api/v2/conversations/calls/{cid(1)}/participants/{PID}/communications/{COMM}/wrapup"


def _login(client: httpx.Client) -> dict[str, str]:
    response = client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=("demo-client", "demo-secret")
    )
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_served_on_loopback(demo_org: Org) -> None:
    emu = Emulator(demo_org)
    with emu.serve() as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=base_url) as client:
            headers = _login(client)
            conversation = client.get(f"/api/v2/conversations/{cid(1)}", headers=headers)
            assert conversation.status_code == 200 and conversation.json()["id"] == cid(1)
            assert conversation.headers["inin-ratelimit-allowed"] == "300"
            assert client.post(WRAPUP, json={"code": RESOLVED}, headers=headers).status_code == 202
        # Another client (as a test in another process would) reads the write log and the counters.
        with httpx.Client(base_url=base_url) as other:
            writes = other.get("/_emulator/writes").json()["writes"]
            assert [w["code_id"] for w in writes] == [RESOLVED]
            assert other.get("/_emulator/stats").json()["requests"]["POST /oauth/token"] == 1
            assert other.post("/_emulator/reset").status_code == 200
    assert emu.write_log == []


@pytest.mark.parametrize("applied", [True, False])
def test_dropped_connection_under_uvicorn(demo_org: Org, applied: bool) -> None:
    config = EmulatorConfig(faults=FaultConfig(drop_ratio=1.0, drop_applied_ratio=1.0 if applied else 0.0))
    emu = Emulator(demo_org, config)
    with emu.serve() as base_url, httpx.Client(base_url=base_url) as client:
        headers = _login(client)
        # The announced body never comes: the client sees the connection closed early (RemoteProtocolError), or
        # reset (ReadError) when the server closed it with the request body still unread, which a loaded machine
        # sometimes shows when the call was not processed.
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            client.post(WRAPUP, json={"code": RESOLVED}, headers=headers)
        # The server is still fine after a drop.
        assert client.get("/_emulator/stats").json()["faults"] == {"drop": 1}
    assert [(r.code_id, r.dropped) for r in emu.write_log] == ([(RESOLVED, True)] if applied else [])
