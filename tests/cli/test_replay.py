"""``wrapup-bridge replay`` end to end: the real CLI, the real HTTP stack, the emulator served on loopback and
pointed at through the GENESYSCLOUD_* variables, as it would be with Genesys. Plan, apply and apply again run as
processes of their own, as a user runs them; the other tests run the CLI through click's runner in this process
(in the command's folder, with its variables), which is the same code without an interpreter's start each time."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.replay_harness import invoke_replay
from tests.conftest import EXAMPLES, MAPPINGS, ROOT
from wrapup_bridge.emulator import Emulator, EmulatorConfig


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Emulator, dict[str, str]]]:
    emulator = Emulator.from_file(EXAMPLES / "demo-org.yaml", EmulatorConfig(rate_limit=100_000))
    with emulator.serve() as base_url:
        env = {
            "GENESYSCLOUD_OAUTHCLIENT_ID": "demo-client",
            "GENESYSCLOUD_OAUTHCLIENT_SECRET": "demo-secret",
            "GENESYSCLOUD_API_BASE": base_url,
        }
        yield emulator, env


@pytest.fixture
def emulator(served: tuple[Emulator, dict[str, str]]) -> Emulator:
    served[0].reset()
    return served[0]


def cli(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``replay *args --target genesys`` through click's runner in this process."""
    return invoke_replay(*args, "--target", "genesys", env=env, cwd=cwd)


def process(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m wrapup_bridge replay *args --target genesys`` as a process of its own."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GENESYSCLOUD_")}
    return subprocess.run(
        [sys.executable, "-m", "wrapup_bridge", "replay", *args, "--target", "genesys"],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_plan_review_apply_then_apply_again(
    emulator: Emulator, served: tuple[Emulator, dict[str, str]], tmp_path: Path
) -> None:
    env = served[1]
    mapping = tmp_path / "five9.yaml"
    shutil.copy(MAPPINGS / "five9.yaml", mapping)
    export = str(EXAMPLES / "five9" / "call-log.csv")
    plan = process(env, tmp_path, "plan", "--mapping", str(mapping), export, "--out", "p.plan.jsonl", "--json")
    assert plan.returncode == 0, plan.stderr
    summary = json.loads(plan.stdout)
    # The demo org is realistic: 7 of the agents' after-call work timed out (ININ-WRAP-UP-TIMEOUT), which no agent
    # chose, so those are replaced rather than reported as conflicts.
    assert summary["items"] == 20 and summary["actions"]["write"] == 7
    assert summary["actions"]["replace-system-code"] == 7
    assert emulator.write_log == []  # a plan writes nothing

    applied = process(env, tmp_path, "apply", "p.plan.jsonl", "--json", "--verify")
    assert applied.returncode == 1, applied.stderr  # some records are dead-lettered
    report = json.loads(applied.stdout)
    assert report["outcomes"]["applied"] == 7 and report["outcomes"]["replaced-system-code"] == 7
    assert report["verified"] == {"verified": 14}
    # unmapped, no-target, and rejected by the queue pre-check (skips are not dead letters)
    assert report["dead_lettered"] == 3
    assert len(emulator.write_log) == 14
    letters = [json.loads(line) for line in (tmp_path / "p.deadletter.jsonl").read_text().splitlines()]
    assert {entry["class"] for entry in letters} == {"unmapped", "no-target", "rejected"}
    assert all(entry["record"] and entry["reason"] for entry in letters)

    again = process(env, tmp_path, "apply", "p.plan.jsonl", "--json")
    report = json.loads(again.stdout)
    assert report["outcomes"] == {} and report["done_in_earlier_runs"] == 20
    assert len(emulator.write_log) == 14  # nothing twice


def test_stale_plan_is_refused_unless_forced(
    emulator: Emulator, served: tuple[Emulator, dict[str, str]], tmp_path: Path
) -> None:
    env = served[1]
    mapping = tmp_path / "five9.yaml"
    shutil.copy(MAPPINGS / "five9.yaml", mapping)
    export = str(EXAMPLES / "five9" / "call-log.csv")
    assert cli(env, tmp_path, "plan", "--mapping", str(mapping), export, "--out", "p.plan.jsonl").returncode == 0
    mapping.write_text(mapping.read_text() + "\n# edited after the plan was made\n")
    refused = cli(env, tmp_path, "apply", "p.plan.jsonl")
    assert refused.returncode == 2
    assert "stale plan: the mapping table" in refused.stderr and emulator.write_log == []
    forced = cli(env, tmp_path, "apply", "p.plan.jsonl", "--force", "--json")
    outcomes = json.loads(forced.stdout)["outcomes"]
    assert outcomes["applied"] + outcomes["replaced-system-code"] == 14


def test_dry_run_writes_nothing_and_run_applies(
    emulator: Emulator, served: tuple[Emulator, dict[str, str]], tmp_path: Path
) -> None:
    env = served[1]
    args = ["--mapping", str(MAPPINGS / "cxone.yaml"), "--catalog", str(EXAMPLES / "cxone" / "skill-dispositions.json")]
    export = str(EXAMPLES / "cxone" / "completed-contacts.json")
    dry = cli(env, tmp_path, "run", *args, export, "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    actions = json.loads(dry.stdout.splitlines()[0])["actions"]
    # CXone names agents by number: the mapping's agent directory recognises them; one ACW had timed out.
    assert actions == {"write": 8, "replace-system-code": 1, "skip": 1} and emulator.write_log == []
    run = cli(env, tmp_path, "run", *args, export, "--json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.splitlines()[-1])
    assert report["outcomes"] == {"applied": 8, "replaced-system-code": 1, "skipped": 1}
    assert report["calls_per_applied"] is not None and report["calls_per_applied"] < 2


def test_retry_after_fixing_the_mapping(
    emulator: Emulator, served: tuple[Emulator, dict[str, str]], tmp_path: Path
) -> None:
    env = served[1]
    mapping = tmp_path / "five9.yaml"
    shutil.copy(MAPPINGS / "five9.yaml", mapping)
    export = str(EXAMPLES / "five9" / "call-log.csv")
    assert cli(env, tmp_path, "run", "--mapping", str(mapping), export, "--out", "p.plan.jsonl").returncode == 1
    assert len(emulator.write_log) == 14
    # The ops lead decides what "Spoke To Spouse" means; the migration engineer retries the dead letters.
    fixed = mapping.read_text().replace(
        "  - when: {code: [Callback Scheduled, Call Back Scheduled]}\n    code: follow_up",
        "  - when: {code: [Callback Scheduled, Call Back Scheduled, Spoke To Spouse]}\n    code: follow_up",
    )
    assert fixed != mapping.read_text()
    mapping.write_text(fixed)
    retry = cli(env, tmp_path, "retry", "p.deadletter.jsonl", "--mapping", str(mapping), "--json")
    report = json.loads(retry.stdout.splitlines()[-1])
    assert report["outcomes"]["applied"] == 1, retry.stdout + retry.stderr
    assert len(emulator.write_log) == 15
    assert {w.conversation_id for w in emulator.write_log}.__len__() == 15  # each conversation written once


def test_usage_errors(served: tuple[Emulator, dict[str, str]], tmp_path: Path) -> None:
    env = served[1]
    (tmp_path / "junk.plan.jsonl").write_text("nope\n")
    result = cli(env, tmp_path, "apply", "junk.plan.jsonl")
    assert result.returncode == 2 and "not a wrapup-bridge plan" in result.stderr
    result = cli(env, tmp_path, "plan", "--mapping", str(ROOT / "nope.yaml"), "x.csv")
    assert result.returncode == 2


def _raw(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI without the forced --target of ``cli``."""
    return invoke_replay(*args, env=env, cwd=cwd)


def test_a_plan_remembers_its_target_and_is_never_applied_elsewhere_by_accident(
    emulator: Emulator, served: tuple[Emulator, dict[str, str]], tmp_path: Path
) -> None:
    env = served[1]
    export = str(EXAMPLES / "five9" / "call-log.csv")
    made = cli(env, tmp_path, "plan", "--mapping", str(MAPPINGS / "five9.yaml"), export, "--out", "p.plan.jsonl")
    assert made.returncode == 0, made.stderr
    header = json.loads((tmp_path / "p.plan.jsonl").read_text().splitlines()[0])
    assert header["target_id"] == f"genesys {env['GENESYSCLOUD_API_BASE']} client demo-client"
    assert Path(header["mapping_path"]).is_absolute()
    # A cron job that lost its environment: the emulator is not a fallback for existing work.
    lost = _raw({}, tmp_path, "apply", "p.plan.jsonl")
    assert lost.returncode == 2 and "never falls back to the emulator" in " ".join(lost.stderr.split())
    # Another OAuth client of the same org is another target: refused unless on purpose.
    other = {
        **env,
        "GENESYSCLOUD_OAUTHCLIENT_ID": "readonly-client",
        "GENESYSCLOUD_OAUTHCLIENT_SECRET": "readonly-secret",
    }
    refused = cli(other, tmp_path, "apply", "p.plan.jsonl")
    assert refused.returncode == 2 and "--retarget" in refused.stderr and emulator.write_log == []
    # Applied from another folder, the plan finds its mapping and inputs (paths resolve beside the plan).
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    applied = cli(env, elsewhere, "apply", str(tmp_path / "p.plan.jsonl"), "--json")
    assert applied.returncode == 1, applied.stderr  # some records are dead-lettered, nothing is stale
    assert "stale" not in applied.stderr and len(emulator.write_log) == 14


def test_an_input_changed_since_planning_makes_the_plan_stale(
    emulator: Emulator, served: tuple[Emulator, dict[str, str]], tmp_path: Path
) -> None:
    env = served[1]
    export = tmp_path / "call-log.csv"
    shutil.copy(EXAMPLES / "five9" / "call-log.csv", export)
    assert (
        cli(
            env, tmp_path, "plan", "--mapping", str(MAPPINGS / "five9.yaml"), str(export), "--out", "p.plan.jsonl"
        ).returncode
        == 0
    )
    export.write_text(export.read_text(encoding="utf-8").replace("Payment Taken", "Sale", 1), encoding="utf-8")
    stale = cli(env, tmp_path, "apply", "p.plan.jsonl")
    assert stale.returncode == 2 and "the input" in stale.stderr and "changed since planning" in stale.stderr
    assert emulator.write_log == []
    forced = cli(env, tmp_path, "apply", "p.plan.jsonl", "--force", "--json")
    assert forced.returncode == 1 and len(emulator.write_log) == 14
