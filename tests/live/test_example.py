"""The Twilio Functions port runs against the emulator with one command, and answers like the Function did."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from tests.conftest import EXAMPLES

PORT = EXAMPLES / "twilio-functions-port"


def load_port() -> ModuleType:
    spec = importlib.util.spec_from_file_location("set_disposition", PORT / "set_disposition.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_one_command_prints_an_applied_outcome(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin"}  # no GENESYSCLOUD_* credentials: the emulator is the target
    result = subprocess.run(
        [sys.executable, str(PORT / "set_disposition.py")],
        cwd=tmp_path,  # runs from anywhere: paths are relative to the script
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["status"] == 200 and answer["success"] is True
    assert answer["outcome"]["kind"] == "applied" and answer["outcome"]["code"]["name"] == "Resolved"
    assert "NOT Genesys Cloud" in result.stderr


def test_handler_keeps_twilios_argument_order_and_refuses_bad_events() -> None:
    port = load_port()
    try:
        status, body = port.handler({}, {"taskSid": "WT1", "attributesUpdate": "{not json"})
        assert status == 400 and body["field"] == "attributesUpdate"
        status, body = port.handler({}, {"attributesUpdate": json.dumps({"conversations": {"outcome": "Resolved"}})})
        assert status == 400 and body["field"] == "sid"  # no taskSid: the adapter names what it looked for
        event = {**port.DEMO_EVENT, "attributesUpdate": json.dumps({"conversations": {"outcome": "Not a choice"}})}
        status, body = port.handler({}, event)
        assert status == 200 and body["success"] is False and body["outcome"]["kind"] == "unmapped"
    finally:
        for bridge in port._bridges.values():
            bridge.close()


def test_the_node_original_sits_beside_the_port() -> None:
    source = (PORT / "set-disposition.js").read_text(encoding="utf-8")
    assert "exports.handler = async (context, event, callback)" in source
    assert "conversations" in source and "outcome" in source
