"""``wrapup-bridge replay`` through every failure a user can cause: one clear message and the documented exit code,
never a traceback, and the ledger left so the same command resumes (issue 11, points 4, 7 and 8).

Failure classes: the target refuses the credentials (401) or a permission (403), is unreachable (a closed loopback
port) or silent (a loopback socket that accepts and never answers); a corrupt, binary or deeply nested file where
the command reads one (the export for plan/run, the plan for apply, the dead letters for retry); a path that cannot
be written (a file where a folder should be, or a full disk: /dev/full).

The commands run through the real CLI in this process (click's runner, in the command's folder, with its
environment), against the emulator served on loopback: every cell of the table that way, and one cell of each
command once more as a process of its own, side by side, as a user or a cron job runs it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli.replay_harness import invoke_replay
from tests.conftest import EXAMPLES, MAPPINGS
from wrapup_bridge.core.replay.plan import read_plan
from wrapup_bridge.emulator import Burst429, Emulator, EmulatorConfig, FaultConfig
from wrapup_bridge.emulator.faults import FaultPlan

FIVE9 = str(MAPPINGS / "five9.yaml")
CALL_LOG = str(EXAMPLES / "five9" / "call-log.csv")
CXONE = ("--mapping", str(MAPPINGS / "cxone.yaml"), "--catalog", str(EXAMPLES / "cxone" / "skill-dispositions.json"))
#: A client of the test org whose roles cannot even read the wrap-up codes (403 on the first call of a plan).
NO_CATALOG = ("no-catalog-client", "no-catalog-secret")
#: Short enough that an unreachable or silent target is given up on in seconds (the default is 60 s).
BUDGET = ("--budget", "2")
#: What a binary file looks like (a PNG signature, then every byte value).
BINARY = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16


@dataclass
class Served:
    emulator: Emulator
    base_url: str
    org: Path

    def env(self, client: tuple[str, str] = ("demo-client", "demo-secret"), base: str | None = None) -> dict[str, str]:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("GENESYSCLOUD_")}
        return {
            **clean,
            "GENESYSCLOUD_OAUTHCLIENT_ID": client[0],
            "GENESYSCLOUD_OAUTHCLIENT_SECRET": client[1],
            "GENESYSCLOUD_API_BASE": base or self.base_url,
        }


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    org = tmp_path_factory.mktemp("org") / "org.yaml"
    text = (EXAMPLES / "demo-org.yaml").read_text(encoding="utf-8")
    extra = (
        f"oauth_clients:\n  - client_id: {NO_CATALOG[0]}\n    client_secret: {NO_CATALOG[1]}\n"
        "    name: Reads analytics only\n    permissions: [analytics:conversationDetail:view]\n"
    )
    org.write_text(text.replace("oauth_clients:\n", extra, 1), encoding="utf-8")
    # 401 (not 400) for refused client credentials, as some login hosts answer.
    emulator = Emulator.from_file(org, EmulatorConfig(rate_limit=100_000, token_error_status=401))
    with emulator.serve() as base_url:
        yield Served(emulator, base_url, org)


@pytest.fixture
def fresh(served: Served) -> Served:
    served.emulator.reset()
    with served.emulator.runtime.lock:
        served.emulator.runtime.faults = FaultPlan(FaultConfig())
    return served


cli = invoke_replay


def cli_process(*args: str, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    """``python -m wrapup_bridge replay *args`` started as a process of its own (wait with ``communicate``)."""
    return subprocess.Popen(
        [sys.executable, "-m", "wrapup_bridge", "replay", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there once the probe is closed


@pytest.fixture(scope="module")
def silent_port() -> Iterator[str]:
    """A loopback socket that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(2)
    for connection in held:
        connection.close()
    server.close()


@pytest.fixture
def plan(fresh: Served, tmp_path: Path) -> Path:
    """A plan of the Five9 example made for the served org by its full client (nothing applied yet)."""
    made = cli("plan", "--mapping", FIVE9, CALL_LOG, "--out", "p.plan.jsonl", "--target", "genesys", "--json",
               env=fresh.env(), cwd=tmp_path)  # fmt: skip
    assert made.returncode == 0, made.stderr
    return tmp_path / "p.plan.jsonl"


def dead_letters_from(plan: Path) -> Path:
    """A dead-letter file holding the plan's writes as failed (what an outage leaves)."""
    header, items, _ = read_plan(plan)
    lines = []
    for item in items:
        if item.action.writes and item.record is not None:
            entry = {"plan_id": header.plan_id, "key": item.key, "n": item.n, "class": "failed", "reason": "503"}
            lines.append(json.dumps({**entry, "record": item.record.to_json_dict()}))
    path = plan.with_name("p.deadletter.jsonl")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------- every subcommand, every class
CLASSES = ["401", "403", "unreachable", "timeout", "corrupt", "binary", "unwritable", "deep"]
COMMANDS = ["plan", "run", "apply", "retry"]
#: (command, class) -> (exit code, what the message must say)
EXPECTED: dict[tuple[str, str], tuple[int, str]] = {
    **{(c, "401"): (2, r"refused the credentials.*GENESYSCLOUD_OAUTHCLIENT_SECRET") for c in COMMANDS},
    ("plan", "403"): (2, r"refused a request the replay needs \(a permission is missing\).*routing:wrapupCode:view"),
    **{(c, "403"): (2, r"lacks a permission \(conversation:participant:wrapup\).*ledger") for c in COMMANDS[1:]},
    **{(c, "unreachable"): (2, r"did not answer.*no answer from 127\.0\.0\.1") for c in COMMANDS},
    **{(c, "timeout"): (2, r"did not answer.*time budget of 2 s ran out") for c in COMMANDS},
    ("plan", "corrupt"): (0, r"invalid +1"),  # an unreadable record is planned as invalid, never lost
    ("run", "corrupt"): (1, r"invalid"),  # ... and dead-lettered by the apply
    ("apply", "corrupt"): (2, r"p\.plan\.jsonl:4: not JSON .*Nothing was applied"),
    ("retry", "corrupt"): (2, r"p\.deadletter\.jsonl:2: not JSON .*Nothing was retried"),
    ("plan", "binary"): (2, r"binary\.csv.*(utf-8|UTF-8)"),
    ("run", "binary"): (2, r"binary\.csv.*(utf-8|UTF-8)"),
    ("apply", "binary"): (2, r"binary\.plan\.jsonl:1: not a wrapup-bridge plan"),
    ("retry", "binary"): (2, r"binary\.jsonl:1: not UTF-8 text"),
    ("plan", "unwritable"): (2, r"cannot write the plan to .*a-file/p\.plan\.jsonl"),
    ("run", "unwritable"): (2, r"cannot write the dead letters to /dev/full: No space left.*Nothing is lost"),
    ("apply", "unwritable"): (2, r"cannot write the dead letters to /dev/full: No space left.*Nothing is lost"),
    ("retry", "unwritable"): (2, r"cannot write the plan to .*a-file/r\.plan\.jsonl"),
    ("plan", "deep"): (0, r"invalid +1"),
    ("run", "deep"): (1, r"invalid"),
    ("apply", "deep"): (2, r"p\.plan\.jsonl:4: not a plan line: nested more than"),
    ("retry", "deep"): (2, r"p\.deadletter\.jsonl:2: nested more than"),
}


def _case(
    command: str, kind: str, served: Served, tmp: Path, closed: str, silent: str
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of one cell of the table."""
    env = served.env()
    if kind == "401":
        env = served.env(("demo-client", "wrong-secret"))
    elif kind == "403":
        env = served.env(NO_CATALOG if command == "plan" else ("readonly-client", "readonly-secret"))
    elif kind == "unreachable":
        env = served.env(base=closed)
    elif kind == "timeout":
        env = served.env(base=silent)
    five9 = ["--mapping", FIVE9, CALL_LOG]
    (tmp / "a-file").write_text("", encoding="utf-8")
    (tmp / "binary.csv").write_bytes(BINARY)
    (tmp / "corrupt.json").write_text('{"totalRecords": 2, "completedContacts": [{"contactId": 1, "skill', "utf-8")
    (tmp / "deep.json").write_text("[" * 30_000 + "]" * 30_000, encoding="utf-8")
    needs_plan = command in ("apply", "retry")
    if needs_plan:
        made = cli("plan", *five9, "--out", "p.plan.jsonl", "--target", "genesys", env=served.env(), cwd=tmp)
        assert made.returncode == 0, made.stderr
    plan = tmp / "p.plan.jsonl"
    if command in ("plan", "run"):
        inputs = {
            "corrupt": [*CXONE, str(tmp / "corrupt.json")],
            "deep": [*CXONE, str(tmp / "deep.json")],
            "binary": ["--mapping", FIVE9, "--source", "five9", str(tmp / "binary.csv")],
        }.get(kind, five9)
        out = str(tmp / "a-file" / "p.plan.jsonl") if (kind, command) == ("unwritable", "plan") else "p.plan.jsonl"
        extra = ["--dead-letters", "/dev/full"] if (kind, command) == ("unwritable", "run") else []
        return [command, *inputs, "--out", out, *extra, "--target", "genesys", *BUDGET], env
    if command == "apply":
        lines = plan.read_text(encoding="utf-8").splitlines(keepends=True)
        if kind == "corrupt":
            lines[3] = lines[3][:70] + "\n"
        elif kind == "deep":
            lines[3] = "[" * 30_000 + "]" * 30_000 + "\n"
        plan.write_text("".join(lines), encoding="utf-8")
        target = plan
        if kind == "binary":
            target = tmp / "binary.plan.jsonl"
            target.write_bytes(BINARY)
        extra = ["--dead-letters", "/dev/full"] if kind == "unwritable" else []
        retarget = ["--retarget"] if kind in ("403", "unreachable", "timeout") else []  # another client or host
        return ["apply", str(target), *extra, *retarget, "--target", "genesys", *BUDGET], env
    letters = dead_letters_from(plan)
    if kind in ("corrupt", "deep"):
        lines = letters.read_text(encoding="utf-8").splitlines(keepends=True)
        lines[1] = lines[1][:50] + "\n" if kind == "corrupt" else "[" * 30_000 + "]" * 30_000 + "\n"
        letters.write_text("".join(lines), encoding="utf-8")
    if kind == "binary":
        letters = tmp / "binary.jsonl"
        letters.write_bytes(BINARY)
    out = ["--out", str(tmp / "a-file" / "r.plan.jsonl")] if kind == "unwritable" else []
    return ["retry", str(letters), "--mapping", FIVE9, *out, "--target", "genesys", *BUDGET], env


def assert_expected(command: str, kind: str, code: int, stdout: str, stderr: str) -> None:
    expected_code, message = EXPECTED[(command, kind)]
    output = " ".join((stdout + stderr).split())
    assert code == expected_code, output[-3000:]
    assert re.search(message, output, re.DOTALL), (message, output[-3000:])
    if expected_code == 2 and kind in ("401", "403", "unreachable", "timeout"):
        assert "Error: the API at http://127.0.0.1:" in output  # the message names the target (a custom base URL)
        assert sum(line.startswith("Error:") for line in stderr.splitlines()) == 1  # one message


@pytest.mark.parametrize("kind", CLASSES)
@pytest.mark.parametrize("command", COMMANDS)
def test_no_traceback_one_clear_message_and_the_exit_code(
    command: str, kind: str, fresh: Served, tmp_path: Path, closed_port: str, silent_port: str
) -> None:
    if kind == "unwritable" and command in ("run", "apply") and not Path("/dev/full").exists():
        pytest.skip("needs /dev/full")
    args, env = _case(command, kind, fresh, tmp_path, closed_port, silent_port)
    result = cli(*args, env=env, cwd=tmp_path)
    assert_expected(command, kind, result.returncode, result.stdout, result.stderr)


#: One cell of each command, each of another class, again as a process of its own.
AS_PROCESSES = [("plan", "binary"), ("run", "403"), ("apply", "unreachable"), ("retry", "timeout")]


def test_as_processes_of_their_own_too(fresh: Served, tmp_path: Path, closed_port: str, silent_port: str) -> None:
    """The same table, run as a user or a cron job runs it: ``python -m wrapup_bridge`` with its environment and
    folder, nothing printed after the message, not even at exit. The cells run side by side."""
    started = []
    for command, kind in AS_PROCESSES:
        folder = tmp_path / f"{command}-{kind}"
        folder.mkdir()
        args, env = _case(command, kind, fresh, folder, closed_port, silent_port)
        started.append((command, kind, cli_process(*args, env=env, cwd=folder)))
    for command, kind, process in started:
        stdout, stderr = process.communicate(timeout=120)
        assert "Traceback" not in stdout + stderr, (command, kind, stderr[-4000:])
        assert_expected(command, kind, process.returncode, stdout, stderr)


# ------------------------------------------------------------------------------------- a stopped run resumes
def test_a_run_stopped_by_a_missing_permission_resumes_once_it_is_granted(fresh: Served, plan: Path) -> None:
    refused = cli("apply", str(plan), "--retarget", "--target", "genesys", "--json",
                  env=fresh.env(("readonly-client", "readonly-secret")), cwd=plan.parent)  # fmt: skip
    assert refused.returncode == 2 and fresh.emulator.write_log == []
    resumed = cli("apply", str(plan), "--target", "genesys", "--json", env=fresh.env(), cwd=plan.parent)
    assert resumed.returncode == 1, resumed.stderr  # the example has records that never apply (dead letters)
    report = json.loads(resumed.stdout)
    assert report["outcomes"]["applied"] + report["outcomes"]["replaced-system-code"] == 14
    assert report["rechecked_in_flight"] >= 1  # the writes that met the 403 were re-checked before writing
    assert len(fresh.emulator.write_log) == 14 and len({w.conversation_id for w in fresh.emulator.write_log}) == 14


def test_a_dead_letter_file_that_fills_up_mid_run_loses_nothing(fresh: Served, plan: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full")
    full = cli(
        "apply", str(plan), "--dead-letters", "/dev/full", "--target", "genesys", env=fresh.env(), cwd=plan.parent
    )
    assert full.returncode == 2 and "Nothing is lost" in full.stderr
    again = cli("apply", str(plan), "--target", "genesys", "--json", env=fresh.env(), cwd=plan.parent)
    assert again.returncode == 1, again.stderr
    totals = json.loads(again.stdout)["ledger_totals"]
    assert sum(totals.values()) == 20 and totals["unmapped"] == 1 and totals["no-target"] == 1
    letters = [json.loads(line) for line in plan.with_name("p.deadletter.jsonl").read_text().splitlines()]
    assert sorted(e["class"] for e in letters) == ["no-target", "rejected", "unmapped"]
    assert len(fresh.emulator.write_log) == 14


# ------------------------------------------------------------------------------------------ verified plans
def test_an_item_edited_by_hand_is_refused_and_a_copied_line_is_written_once(fresh: Served, plan: Path) -> None:
    lines = plan.read_text(encoding="utf-8").splitlines(keepends=True)
    first = json.loads(lines[1])
    assert first["action"] == "write" and first["decision"]["code"]["name"] == "Payment Taken"
    resolved = "50a74cff-026f-4c84-aa8f-f5f8d837115f"
    lines[1] = lines[1].replace(first["decision"]["code"]["id"], resolved)  # "Resolved" instead of "Payment Taken"
    lines.insert(3, lines[2])  # a line copied by hand
    plan.write_text("".join(lines), encoding="utf-8")
    applied = cli("apply", str(plan), "--target", "genesys", "--json", env=fresh.env(), cwd=plan.parent)
    assert applied.returncode == 1, applied.stderr
    assert "the plan holds 21 item lines, its summary says 20" in " ".join(applied.stderr.split())
    report = json.loads(applied.stdout)
    assert report["refused_as_edited"] == 1 and report["repeated_lines"] == 1
    written = {w.conversation_id: w.code_id for w in fresh.emulator.write_log}
    assert first["record"]["conversation_id"] not in written  # neither as edited nor as planned
    assert len(fresh.emulator.write_log) == len(written) == 13  # each conversation once, the copied line too
    letters = [json.loads(line) for line in plan.with_name("p.deadletter.jsonl").read_text().splitlines()]
    (edited,) = [e for e in letters if e["class"] == "invalid"]
    assert edited["reason"] == (
        f"item edited after planning: the mapping gives 'Payment Taken' ({first['decision']['code']['id']}) for "
        f"'Payment Taken', the item says {resolved}; it was not applied"
    )
    # The record is intact: a retry re-derives it with the mapping and applies the right code.
    retry = cli("retry", "p.deadletter.jsonl", "--mapping", FIVE9, "--target", "genesys", "--json",
                env=fresh.env(), cwd=plan.parent)  # fmt: skip
    assert retry.returncode == 1, retry.stderr  # the other dead letters still do not apply
    assert {w.conversation_id: w.code_id for w in fresh.emulator.write_log}[first["record"]["conversation_id"]] == (
        first["decision"]["code"]["id"]
    )


# ------------------------------------------------------------------------------ dead letters current, status
def test_dead_letters_after_resumes_hold_only_what_is_still_not_applied(fresh: Served, plan: Path) -> None:
    cwd = plan.parent
    # An overload: after a few calls Genesys asks for 30 s of quiet (429, Retry-After: 30), longer than a call may
    # wait (--budget 1): the writes after it fail, retryable. One write at a time keeps the calls in a fixed order.
    storm = Burst429(every=3, length=3, retry_after_seconds=30)
    with fresh.emulator.runtime.lock:
        fresh.emulator.runtime.faults = FaultPlan(FaultConfig(burst_429=storm))
    first = cli("apply", str(plan), "--target", "genesys", "--budget", "1", "--concurrency", "1", "--no-refresh",
                "--json", env=fresh.env(), cwd=cwd)  # fmt: skip
    assert first.returncode == 1, first.stderr
    failed = json.loads(first.stdout)["outcomes"].get("failed", 0)
    assert failed >= 5, first.stdout
    letters_path = plan.with_name("p.deadletter.jsonl")
    assert sum(1 for _ in letters_path.open()) == failed + 3  # every failure, and the 3 real problems
    status = cli("status", str(plan), "--json", cwd=cwd, env=fresh.env())
    assert status.returncode == 1
    data = json.loads(status.stdout)
    assert data["dead"]["by_class"]["failed"] == failed and data["dead"]["retried_by_apply"] == failed
    with fresh.emulator.runtime.lock:  # the outage ends
        fresh.emulator.runtime.faults = FaultPlan(FaultConfig())
    second = cli("apply", str(plan), "--target", "genesys", "--json", env=fresh.env(), cwd=cwd)
    assert second.returncode == 1, second.stderr
    letters = [json.loads(line) for line in letters_path.read_text().splitlines()]
    assert sorted(e["class"] for e in letters) == ["no-target", "rejected", "unmapped"]  # the truth, once each
    assert json.loads(second.stdout)["dead_letters_now"] == 3
    assert len(fresh.emulator.write_log) == len({w.conversation_id for w in fresh.emulator.write_log}) == 14
    status = cli("status", str(plan), cwd=cwd, env=fresh.env())
    assert status.returncode == 1
    text = " ".join(status.stdout.split())
    assert "applied: 14 (7 in place of a system code)" in text and "pending: 0" in text
    assert "dead: 3 (no-target 1, rejected 1, unmapped 1)" in text
    assert "p.deadletter.jsonl: 3 (" in text
    # Nothing lost: every item of the plan has its row, and every row that is not applied has its dead letter.
    rows = sqlite3.connect(plan.with_name("p.ledger.sqlite")).execute("SELECT key, outcome FROM items").fetchall()
    assert len(rows) == 20
    dead_keys = {k for k, outcome in rows if outcome in ("no-target", "rejected", "unmapped")}
    assert dead_keys == {e["key"] for e in letters}


def test_status_before_any_apply_and_of_files_that_cannot_be_read(fresh: Served, plan: Path) -> None:
    cwd = plan.parent
    before = cli("status", str(plan), "--json", cwd=cwd, env=fresh.env())
    assert before.returncode == 1  # nothing applied yet: everything pending
    data = json.loads(before.stdout)
    assert data["ledger"] is None and data["pending"] == {"total": 20, "not_started": 20, "in_flight": 0}
    damaged = plan.with_name("x.plan.jsonl")
    damaged.write_bytes(b"\x00\x01binary")
    refused = cli("status", str(damaged), cwd=cwd, env=fresh.env())
    assert refused.returncode == 2 and "x.plan.jsonl:1: not a wrapup-bridge plan" in refused.stderr
    plan.with_name("junk.sqlite").write_bytes(b"\x00" * 4096)
    refused = cli("status", str(plan), "--ledger", "junk.sqlite", cwd=cwd, env=fresh.env())
    assert refused.returncode == 2 and "junk.sqlite" in refused.stderr


def test_retry_works_on_the_compacted_file_again_and_again(fresh: Served, tmp_path: Path) -> None:
    mapping = tmp_path / "five9.yaml"
    shutil.copy(FIVE9, mapping)
    env = fresh.env()
    run = cli("run", "--mapping", str(mapping), CALL_LOG, "--out", "p.plan.jsonl", "--target", "genesys", env=env,
              cwd=tmp_path)  # fmt: skip
    assert run.returncode == 1, run.stderr
    first = cli("retry", "p.deadletter.jsonl", "--mapping", str(mapping), "--target", "genesys", env=env, cwd=tmp_path)
    assert first.returncode == 1  # nothing fixed yet: the same three do not apply
    assert (tmp_path / "p.deadletter.retry.plan.jsonl").exists()
    mapping.write_text(
        mapping.read_text().replace(
            "  - when: {code: [Callback Scheduled, Call Back Scheduled]}\n    code: follow_up",
            "  - when: {code: [Callback Scheduled, Call Back Scheduled, Spoke To Spouse]}\n    code: follow_up",
        )
    )
    second = cli("retry", "p.deadletter.jsonl", "--mapping", str(mapping), "--target", "genesys", "--json", env=env,
                 cwd=tmp_path)  # fmt: skip
    assert second.returncode == 1, second.stderr
    assert (tmp_path / "p.deadletter.retry-2.plan.jsonl").exists()  # the first retry's plan and ledger are kept
    assert json.loads(second.stdout.splitlines()[-1])["outcomes"]["applied"] == 1
    letters = [json.loads(line) for line in (tmp_path / "p.deadletter.jsonl").read_text().splitlines()]
    assert sorted(e["class"] for e in letters) == ["no-target", "rejected"]  # the retried one is resolved
    assert len(fresh.emulator.write_log) == 15
