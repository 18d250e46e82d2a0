"""``wrapup-bridge emulator``: its switches over the org file's section, bad input with exit code 2, and serving
as a real process until interrupted."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from tests.emulator.helpers import DEMO_ORG
from wrapup_bridge.cli import main
from wrapup_bridge.emulator import Emulator, EmulatorConfig


def _login(client: httpx.Client) -> dict[str, str]:
    response = client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=("demo-client", "demo-secret")
    )
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _served_config(monkeypatch: pytest.MonkeyPatch, org: Path, *switches: str) -> EmulatorConfig:
    """The configuration ``wrapup-bridge emulator`` serves with, read where it would start serving (on port 0)."""
    served: list[EmulatorConfig] = []
    monkeypatch.setattr(Emulator, "run", lambda self, sock: served.append(self.config))
    result = CliRunner().invoke(main, ["emulator", "--org", str(org), "--port", "0", *switches])
    assert result.exit_code == 0, result.output
    assert len(served) == 1
    return served[0]


def test_switches_layer_over_the_file_section(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    org = tmp_path / "org.yaml"
    section = "\nemulator: {overwrite: reject, faults: {seed: 4, drop_ratio: 0.1}}\n"
    org.write_text(DEMO_ORG.read_text(encoding="utf-8") + section, encoding="utf-8")
    switches = ["--rate-limit", "10", "--window", "5", "--seed", "9", "--burst-429", "10:2:3", "--no-queue-codes"]
    config = _served_config(monkeypatch, org, *switches, "--rejection-status", "422", "--session-differs")
    assert config.overwrite == "reject" and config.rate_limit == 10 and config.rate_window_seconds == 5.0
    assert config.queue_codes_enforced is False and config.rejection_status == 422
    assert config.analytics_session_is_communication is False
    assert config.faults.seed == 9 and config.faults.drop_ratio == 0.1
    assert config.faults.burst_429 is not None and config.faults.burst_429.retry_after_seconds == 3
    assert _served_config(monkeypatch, DEMO_ORG, "--rate-limit", "0").rate_limit is None
    assert _served_config(monkeypatch, DEMO_ORG) == EmulatorConfig()


def test_command_reports_bad_input_with_exit_code_2(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(main, ["emulator", "--org", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2 and "cannot read the file" in missing.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        textwrap.dedent("""\
        divisions: [{id: 48ddf357-eb7e-4766-9706-7cc07753a7de, name: Home}]
        queues: [{id: e0284275-ec9b-4fde-a99c-648c9c1726bc, name: Billing, wrapup_codes: [Nope]}]
        """),
        encoding="utf-8",
    )
    result = runner.invoke(main, ["emulator", "--org", str(bad)])
    assert result.exit_code == 2 and "bad.yaml:2: queues[0].wrapup_codes[0]: no wrap-up code" in result.output
    burst = runner.invoke(main, ["emulator", "--org", str(DEMO_ORG), "--burst-429", "often"])
    assert burst.exit_code == 2 and "EVERY:LENGTH" in burst.output


def test_command_serves_until_interrupted() -> None:
    command = [
        sys.executable,
        "-m",
        "wrapup_bridge",
        "emulator",
        "--org",
        str(DEMO_ORG),
        "--port",
        "0",
        "--seed",
        "3",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        banner = []
        for line in process.stdout:
            banner.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        text = "".join(banner)
        assert "Genesys Cloud EMULATOR" in text and "NOT Genesys Cloud" in text
        assert "demo-client / demo-secret" in text and "readonly-client / readonly-secret" in text
        base_url = next(line.split()[2] for line in banner if line.strip().startswith("base URL"))
        with httpx.Client(base_url=base_url) as client:
            headers = _login(client)
            assert client.get("/api/v2/routing/queues", headers=headers).status_code == 200
            stats = json.loads(client.get("/_emulator/stats").text)
            assert stats["requests"]["GET /api/v2/routing/queues"] == 1
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "emulator stopped after 2 requests" in out
