"""Every command through every failure a user can cause: one clear message and the documented exit code, never a
traceback (issue 11). The real CLI runs in a subprocess, as a user or a cron job runs it.

Failure classes: a Genesys target refusing the credentials (401) or a permission (403), unreachable, or silent
(timeout); inputs that are corrupt, binary or nested thousands deep; output paths that cannot be written (a file
where a folder should be, a full disk). Exit codes: 2 when the command cannot run as set up (files, targets,
settings), 1 when it ran and found problems in the data; ``doctor`` reports what it finds with 1.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, MAPPINGS, ROOT

CLI = [sys.executable, "-m", "wrapup_bridge"]
CONVERSATION = "c0ffee00-0000-4000-8000-000000000001"
TABLE = str(MAPPINGS / "five9.yaml")
CALL_LOG = str(EXAMPLES / "five9" / "call-log.csv")
CXONE = str(EXAMPLES / "cxone" / "completed-contacts.json")
ORG = str(EXAMPLES / "demo-org.yaml")


def run(args: list[str], *, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [*CLI, *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr[-3000:]
    return result


def assert_clear(result: subprocess.CompletedProcess[str], code: int, *needles: str) -> None:
    """The exit code, and a message that says what went wrong in words a person can act on."""
    output = result.stdout + result.stderr
    assert result.returncode == code, output[-2000:]
    for needle in needles:
        assert re.search(needle, output, re.IGNORECASE), (needle, output[-2000:])


# --------------------------------------------------------------------------------------- broken files and paths
@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inputs")
    (folder / "binary.bin").write_bytes(bytes(range(256)) * 8)
    (folder / "corrupt.yaml").write_text("version: 1\ncodes: [unclosed\n", encoding="utf-8")
    (folder / "corrupt.json").write_text('{"wrapupCodes": [', encoding="utf-8")
    (folder / "deep.json").write_text("[" * 30_000 + "]" * 30_000, encoding="utf-8")
    (folder / "deep.yaml").write_text("version: 1\ncodes: " + "[" * 3_000 + "]" * 3_000 + "\n", encoding="utf-8")
    (folder / "a-file").write_text("", encoding="utf-8")
    return folder


# (command line with {f} for the inputs folder, exit code, what the message must say)
FILE_CASES = [
    # corrupt / binary / deep exports
    ("normalize --source five9 {f}/binary.bin", 2, r"binary\.bin: line \d+, byte offset \d+"),
    ("normalize --source twilio {f}/binary.bin", 2, r"not valid utf-8"),
    ("normalize --source cxone {f}/deep.json", 1, r"nested more than 64 levels"),
    ("normalize --source twilio {f}/deep.json", 1, r"nested more than 64 levels"),
    ("normalize --source cxone {f}/corrupt.json", 1, r"rejected"),
    ("normalize --source cxone --catalog {f}/binary.bin " + CXONE, 2, r"not UTF-8"),
    ("normalize --source cxone --catalog {f}/deep.json " + CXONE, 2, r"nested more than 64"),
    ("normalize --source five9 --encoding nope " + CALL_LOG, 2, r"unknown encoding"),
    # mapping tables
    ("normalize --mapping {f}/binary.bin " + CALL_LOG, 2, r"not valid UTF-8"),
    ("mapping validate {f}/corrupt.yaml", 1, r"corrupt\.yaml:\d+: YAML syntax error"),
    ("mapping validate {f}/deep.yaml", 1, r"nested more than 64"),
    ("mapping validate {f}/binary.bin", 1, r"not valid UTF-8"),
    ("mapping explain {f}/deep.yaml Sale", 2, r"nested more than 64"),
    ("mapping explain " + TABLE + " --record @{f}/binary.bin", 2, r"not UTF-8"),
    ("mapping explain " + TABLE + " --record @{f}/deep.json", 2, r"nested more than 64"),
    ("mapping explain " + TABLE + " --record '{{\"code\":NaN}}'", 2, r"NaN is not a JSON value"),
    (
        "mapping explain " + TABLE + " --record '{{\"code\":5}}'",
        2,
        r"field 'code': input should be text \(got a number 5\)",
    ),
    ("mapping coverage " + TABLE + " {f}/binary.bin", 2, r"byte offset"),
    ("mapping diff " + TABLE + " {f}/corrupt.yaml", 2, r"YAML syntax error"),
    # catalogs and org files
    ("mapping check " + TABLE + " --catalog {f}/binary.bin", 2, r"not text"),
    ("mapping check " + TABLE + " --catalog {f}/deep.json", 2, r"nested more than 64"),
    ("mapping check " + TABLE + " --catalog {f}/corrupt.json", 2, r"is not JSON"),
    ("mapping report " + TABLE + " --catalog {f}/binary.bin --out {f}/r.html", 2, r"not text"),
    ("emulator --org {f}/binary.bin --port 0", 2, r"not UTF-8"),
    ("emulator --org {f}/corrupt.yaml --port 0", 2, r"not valid YAML"),
    ("catalog export --org {f}/deep.yaml", 2, r"nest(ed|ing)"),
    ("doctor --explain-error @{f}/binary.bin", 2, r"not UTF-8"),
    ("doctor --explain-request 'POST /api/v2/conversations/x' --body @{f}/deep.json", 2, r"nested more than 64"),
    # paths that cannot be written
    ("normalize --source five9 --rejects {f}/a-file/rejects.jsonl {f}/binary.bin", 2, r"is not a folder"),
    ("normalize --source five9 --out /dev/full " + CALL_LOG, 2, r"No space left"),
    ("mapping coverage " + TABLE + " --rejects {f}/a-file/x.jsonl " + CALL_LOG, 2, r"is not a folder"),
    ("mapping report " + TABLE + " --out {f}/a-file/r.html", 2, r"cannot write the HTML report"),
    ("mapping report " + TABLE + " --out {f}/r.html --csv /dev/full", 2, r"cannot write the CSV"),
    ("catalog export --org " + ORG + " --out {f}/a-file/x.json", 2, r"cannot write"),
    ("demo --root " + str(ROOT) + " --out {f}/a-file/demo", 2, r"cannot create the demo folder"),
]


@pytest.mark.parametrize(("line", "code", "says"), FILE_CASES, ids=[c[0].split(" {")[0] for c in FILE_CASES])
def test_bad_files_and_paths_are_one_clear_message(files: Path, line: str, code: int, says: str) -> None:
    import shlex

    result = run(shlex.split(line.format(f=files)), cwd=files)  # default outputs (rejects.jsonl) land there
    assert_clear(result, code, says)


# ------------------------------------------------------------------------------------- Genesys that says no
def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def emulator_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The emulator over real HTTP, with one more OAuth client that has no permissions at all."""
    folder = tmp_path_factory.mktemp("org")
    org = (EXAMPLES / "demo-org.yaml").read_text(encoding="utf-8")
    org = org.replace(
        "oauth_clients:\n",
        "oauth_clients:\n  - client_id: no-roles\n    client_secret: no-roles-secret\n    name: No roles\n"
        "    permissions: []\n"
        "  - client_id: no-view\n    client_secret: no-view-secret\n    name: Codes but no conversations\n"
        "    permissions: [routing:wrapupCode:view, routing:queue:view, conversation:participant:wrapup]\n",
    )
    (folder / "org.yaml").write_text(org, encoding="utf-8")
    port = _free_port()
    process = subprocess.Popen(
        [*CLI, "emulator", "--org", str(folder / "org.yaml"), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                assert time.monotonic() < deadline, "the emulator did not start"
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def genesys_env(base: str, client: str = "demo-client", secret: str = "demo-secret") -> dict[str, str]:
    return {
        "GENESYSCLOUD_OAUTHCLIENT_ID": client,
        "GENESYSCLOUD_OAUTHCLIENT_SECRET": secret,
        "GENESYSCLOUD_API_BASE": base,
        "GENESYSCLOUD_REGION": "",
    }


# (command, exit code on a set-up failure); doctor diagnoses, so what it finds is exit 1
GENESYS_COMMANDS = [
    ("catalog export --target genesys", 2),
    ("mapping check " + TABLE + " --live --target genesys", 2),
    ("mapping report " + TABLE + " --live --target genesys --out {tmp}/r.html", 2),
    (f"doctor --conversation {CONVERSATION} --code 'Payment Taken' --target genesys", 1),
]


@pytest.mark.parametrize(
    ("line", "code"), GENESYS_COMMANDS, ids=[" ".join(c[0].split(" ")[:2]) for c in GENESYS_COMMANDS]
)
@pytest.mark.parametrize("failure", ["401", "403"])
def test_a_target_that_refuses_the_credentials_or_a_permission(
    emulator_url: str, tmp_path: Path, line: str, code: int, failure: str
) -> None:
    import shlex

    if failure == "401":
        env, says = genesys_env(emulator_url, secret="wrong"), r"refused the client id/secret"
    else:
        env, says = genesys_env(emulator_url, "no-roles", "no-roles-secret"), r"permission"
    result = run(shlex.split(line.format(tmp=tmp_path)), env=env, cwd=tmp_path)
    assert_clear(result, code, says)


def test_a_target_that_cannot_be_reached_or_never_answers(tmp_path: Path) -> None:
    """A closed port, and a listener that accepts and never answers: every command gives up within its budget
    with the cause. The commands run side by side, so the suite waits for one budget, not one per command."""
    import shlex

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    targets = {
        "unreachable": (f"http://127.0.0.1:{_free_port()}", r"no answer from 127\.0\.0\.1"),
        "timeout": (f"http://127.0.0.1:{silent.getsockname()[1]}", r"time budget|timed out|timeout"),
    }
    try:
        running = []
        for failure, (base, says) in targets.items():
            env = {**os.environ, **genesys_env(base)}
            for line, code in GENESYS_COMMANDS:
                folder = tmp_path / f"{failure}-{len(running)}"
                folder.mkdir()
                process = subprocess.Popen(
                    [*CLI, *shlex.split(line.format(tmp=folder))],
                    cwd=folder,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                running.append((failure, line, code, says, process))
        for failure, line, code, says, process in running:
            out, err = process.communicate(timeout=120)
            assert "Traceback" not in out + err, (failure, line, err[-3000:])
            assert process.returncode == code, (failure, line, err[-2000:])
            assert re.search(says, out + err, re.IGNORECASE), (failure, line, err[-2000:])
    finally:
        silent.close()


def test_a_plan_made_without_the_permission_to_read_conversations_stops_with_exit_2(
    emulator_url: str, tmp_path: Path
) -> None:
    """The client reads the codes but not the conversations (no conversation:communication:view, no analytics): the
    plan stops on the first refusal naming the permission, instead of planning every record as no-target."""
    result = run(
        ["replay", "plan", "--mapping", TABLE, CALL_LOG, "--target", "genesys", "--out", str(tmp_path / "p.jsonl")],
        env=genesys_env(emulator_url, "no-view", "no-view-secret"),
        cwd=tmp_path,
    )
    assert_clear(result, 2, r"permission")
    assert not (tmp_path / "p.jsonl").exists()
