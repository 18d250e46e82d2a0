"""``wrapup-bridge serve`` as a real process on loopback, and without a secret to serve with."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from click.testing import CliRunner

from tests.conftest import ROOT
from tests.live.helpers import API_TOKEN, ORG, TWILIO_MAPPING, task_attributes
from wrapup_bridge.cli import main


def test_serve_runs_under_uvicorn_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GENESYSCLOUD_", "TWILIO_", "WRAPUP_BRIDGE_"))}
    env["WRAPUP_BRIDGE_API_TOKEN"] = API_TOKEN
    command = [sys.executable, "-m", "wrapup_bridge", "serve", "--port", "0", "--target", "emulator"]
    command += ["--org", str(ORG), "--outbox", str(tmp_path / "o.sqlite"), "--mapping", str(TWILIO_MAPPING)]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        banner = []
        for line in server.stdout:
            banner.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        text = "".join(banner)
        assert "NOT Genesys Cloud" in text and "POST http://127.0.0.1:" in text
        match = re.search(r"GET (http://127\.0\.0\.1:\d+)/healthz", text)
        assert match is not None, text
        base = match.group(1)
        assert httpx.get(f"{base}/healthz", timeout=30).json()["endpoints"] == ["/v1/dispositions"]
        event = {"source": "twilio", "payload": task_attributes(21)}
        headers = {"Authorization": f"Bearer {API_TOKEN}"}
        answer = httpx.post(f"{base}/v1/dispositions", json=event, headers=headers, timeout=30)
        assert answer.status_code == 200 and answer.json()["kind"] == "applied"
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    assert server.returncode == 0, err
    assert "POST /v1/dispositions -> 200 applied" in err
    assert API_TOKEN not in err and API_TOKEN not in text


def test_serve_without_any_secret_is_a_usage_error() -> None:
    env = {"TWILIO_AUTH_TOKEN": "", "WRAPUP_BRIDGE_FIVE9_SECRET": "", "WRAPUP_BRIDGE_API_TOKEN": ""}
    result = CliRunner().invoke(main, ["serve", "--target", "emulator", "--org", str(ORG)], env=env)
    assert result.exit_code == 2 and "nothing to serve" in result.output
