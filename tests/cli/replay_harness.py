"""Running ``wrapup-bridge replay`` the way an operator does, in its own process, against a served emulator.

The reliability tests kill, interrupt and fault the apply process, so it must be a real process talking HTTP
to a real socket; the emulator stays in the test process so its write log (what the server really applied,
including writes applied just before a dropped connection) is the ground truth the tests count against.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.cli.process import invoke
from tests.cli.replay_scenario import CLIENT, Scenario
from tests.conftest import ROOT
from wrapup_bridge.core.replay.plan import PlanItem, read_plan
from wrapup_bridge.emulator import Emulator, FaultConfig
from wrapup_bridge.emulator.faults import FaultPlan

__all__ = [
    "LedgerRow",
    "Planned",
    "apply_args",
    "cli_env",
    "dead_letters",
    "expire_tokens",
    "finish",
    "invoke_replay",
    "ledger_rows",
    "plan_args",
    "planned_writes",
    "report_of",
    "run_cli",
    "set_faults",
    "start_cli",
    "wait_for_writes",
    "write_counts",
    "writes_so_far",
]

#: Generous ceiling for one CLI run; a hung run fails the test instead of hanging CI.
CLI_TIMEOUT = 120.0


def cli_env(base_url: str) -> dict[str, str]:
    """The environment that points ``--target genesys`` at the served emulator (and at nothing else)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GENESYSCLOUD_")}
    return {
        **clean,
        "GENESYSCLOUD_OAUTHCLIENT_ID": CLIENT[0],
        "GENESYSCLOUD_OAUTHCLIENT_SECRET": CLIENT[1],
        "GENESYSCLOUD_API_BASE": base_url,
        "PYTHONUNBUFFERED": "1",
    }


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "wrapup_bridge", "replay", *args]


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _command(*args), cwd=ROOT, env=env, capture_output=True, text=True, timeout=CLI_TIMEOUT, check=False
    )


def invoke_replay(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """``wrapup-bridge replay *args`` through click's runner in this process, in ``cwd``, with the GENESYSCLOUD_*
    variables of ``env`` only (``tests.cli.process.invoke``): as the process would run, quicker."""
    return invoke("replay", *args, env={k: v for k, v in env.items() if k.startswith("GENESYSCLOUD_")}, cwd=cwd)


def _default_sigint() -> None:
    # A test run started in the background (`make test &`, a CI runner's job) inherits SIGINT as *ignored*, and a
    # Python started that way never turns Ctrl-C into KeyboardInterrupt: give the child the default disposition.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_cli(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        _command(*args),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,  # noqa: PLW1509 - only resets a signal disposition before exec
    )


def plan_args(scenario: Scenario) -> tuple[str, ...]:
    return (
        "plan",
        "--mapping",
        str(scenario.mapping),
        "--out",
        str(scenario.plan),
        "--target",
        "genesys",
        "--json",
        str(scenario.call_log),
    )


def apply_args(scenario: Scenario, *extra: str) -> tuple[str, ...]:
    return ("apply", str(scenario.plan), "--target", "genesys", "--json", *extra)


@dataclass(frozen=True)
class Planned:
    """One planned write: the item key and where and what it writes."""

    key: str
    conversation_id: str
    participant_id: str
    code_id: str


def planned_writes(plan: Path) -> tuple[str, dict[str, Planned]]:
    """The plan id and its write items by key (asserting the plan is all writes: the fixtures make it so)."""
    header, items, _ = read_plan(plan)
    out: dict[str, Planned] = {}
    for item in items:
        assert item.action.writes, f"item {item.n} of {plan} is {item.action.value}: {item.reason}"
        out[item.key] = _planned(item)
    return header.plan_id, out


def _planned(item: PlanItem) -> Planned:
    assert item.target is not None and item.decision is not None and item.decision.code is not None
    return Planned(item.key, item.target.conversation_id, item.target.participant_id, item.decision.code.id)


def write_counts(emulator: Emulator) -> Counter[tuple[str, str, str]]:
    """Writes the emulator applied, by (conversation, participant, code), dropped connections included."""
    return Counter((w.conversation_id, w.participant_id, w.code_id or "") for w in emulator.write_log)


def writes_so_far(emulator: Emulator) -> int:
    with emulator.runtime.lock:
        return len(emulator.runtime.write_log)


def wait_for_writes(
    emulator: Emulator,
    target: int,
    process: subprocess.Popen[str],
    timeout: float = 60.0,
    *,
    or_timeout: bool = False,
) -> bool:
    """Wait until the emulator holds ``target`` writes (or, with ``or_timeout``, until ``timeout`` passes, whichever
    comes first); False if ``process`` ended first. Without ``or_timeout`` a timeout is a failure."""
    deadline = time.monotonic() + timeout
    while writes_so_far(emulator) < target:
        if process.poll() is not None:
            return False
        if time.monotonic() > deadline:
            if or_timeout:
                return True
            process.kill()
            raise AssertionError(f"no {target} writes within {timeout} s (have {writes_so_far(emulator)})")
        time.sleep(0.0005)
    return True


def finish(process: subprocess.Popen[str], sig: int | None = None) -> tuple[int, str, str]:
    """Send ``sig`` (if any), wait for the process and return its exit code and output."""
    if sig is not None and process.poll() is None:
        process.send_signal(sig)
    try:
        stdout, stderr = process.communicate(timeout=CLI_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        stdout, stderr = process.communicate()
        raise AssertionError(f"the apply process did not end after signal {sig}: {stderr[-2000:]}") from None
    return process.returncode, stdout, stderr


def report_of(stdout: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    return data


@dataclass(frozen=True)
class LedgerRow:
    state: str
    outcome: str | None
    dead_lettered: bool
    attempts: int


def ledger_rows(path: Path) -> dict[str, LedgerRow]:
    """Every ledger row by key, read with plain SQLite (what is on disk, whatever the Ledger class believes)."""
    db = sqlite3.connect(path)
    try:
        rows = db.execute("SELECT key, state, outcome, dead_lettered, attempts FROM items").fetchall()
    finally:
        db.close()
    return {key: LedgerRow(state, outcome, bool(dead), attempts) for key, state, outcome, dead, attempts in rows}


def dead_letters(path: Path) -> dict[str, dict[str, Any]]:
    """The newest dead-letter line per item key (a re-run may append a newer one for the same key)."""
    latest: dict[str, dict[str, Any]] = {}
    if not path.exists():
        return latest
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            latest[entry["key"]] = entry
    return latest


def set_faults(emulator: Emulator, faults: FaultConfig) -> None:
    """Change the emulator's injected faults from now on (a run that meets two kinds of 429 storm)."""
    with emulator.runtime.lock:
        emulator.runtime.faults = FaultPlan(faults)


def expire_tokens(emulator: Emulator) -> int:
    """Expire every issued token now, before its announced lifetime (revoked, or the server's clock ran ahead)."""
    runtime = emulator.runtime
    with runtime.lock:
        now = runtime.time()
        live = [t for t in runtime.tokens.values() if t.expires_at > now]
        for token in live:
            token.expires_at = now
    return len(live)
