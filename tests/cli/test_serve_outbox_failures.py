"""``serve`` and every ``outbox`` command through each failure a user can cause: one clear message, the documented
exit code (2 set-up or usage, 1 problems in the data), never a traceback.

The commands run through the real CLI (click's runner, as the other CLI tests do); ``serve`` only up to the point
where it would listen, since every failure here is found before that.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.live.helpers import API_TOKEN, ORG, TWILIO_MAPPING, emulator_bridge, task_attributes
from wrapup_bridge.cli import main
from wrapup_bridge.core.outcome import OutcomeKind
from wrapup_bridge.emulator import Emulator
from wrapup_bridge.live import Bridge
from wrapup_bridge.testing import served

OUTBOX_COMMANDS = [
    ["outbox", "status"],
    ["outbox", "list"],
    ["outbox", "drain", "--target", "emulator", "--org", str(ORG)],
]
CLEAN_ENV = {
    "GENESYSCLOUD_OAUTHCLIENT_ID": "",
    "GENESYSCLOUD_OAUTHCLIENT_SECRET": "",
    "GENESYSCLOUD_REGION": "",
    "GENESYSCLOUD_API_BASE": "",
    "TWILIO_AUTH_TOKEN": "",
    "WRAPUP_BRIDGE_FIVE9_SECRET": "",
    "WRAPUP_BRIDGE_API_TOKEN": API_TOKEN,
    "WRAPUP_BRIDGE_OUTBOX": "",
}


def invoke(args: list[str], env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, args, env={**CLEAN_ENV, **(env or {})})


def assert_clean_exit(result: Result, code: int, *words: str) -> None:
    """Exit ``code``, a message with ``words``, and nothing that looks like a crash."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    text = " ".join(result.output.split())
    for word in words:
        assert word in text, result.output


def serve(*args: str, env: dict[str, str] | None = None) -> Result:
    return invoke(["serve", "--target", "emulator", "--org", str(ORG), "--port", "0", *args], env)


# -- files that are not an outbox ---------------------------------------------------------------------------------
def _junk(tmp: Path) -> Path:
    path = tmp / "junk.sqlite"
    path.write_bytes(bytes(range(256)) * 20)
    return path


def _text(tmp: Path) -> Path:
    path = tmp / "notes.txt"
    path.write_text("dispositions to look at on Monday\n", encoding="utf-8")
    return path


def _ledger(tmp: Path) -> Path:
    path = tmp / "plan.ledger.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE items (key TEXT PRIMARY KEY, state TEXT)")
    return path


def _newer(tmp: Path) -> Path:
    path = tmp / "newer.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version=99")
    return path


NOT_AN_OUTBOX = {
    "binary junk": (_junk, "not a usable outbox"),
    "a text file": (_text, "not a usable outbox"),
    "another SQLite file": (_ledger, "not an outbox"),
    "a newer schema": (_newer, "newer wrapup-bridge"),
}


@pytest.mark.parametrize("command", OUTBOX_COMMANDS, ids=lambda c: c[1])
@pytest.mark.parametrize("case", sorted(NOT_AN_OUTBOX))
def test_outbox_commands_refuse_a_file_that_is_not_an_outbox(tmp_path: Path, command: list[str], case: str) -> None:
    make, words = NOT_AN_OUTBOX[case]
    path = make(tmp_path)
    before = path.read_bytes()
    assert_clean_exit(invoke([*command, "--outbox", str(path)]), 2, str(path), words)
    assert path.read_bytes() == before  # refused, not turned into an outbox


@pytest.mark.parametrize("case", sorted(NOT_AN_OUTBOX))
def test_serve_refuses_a_file_that_is_not_an_outbox_before_listening(tmp_path: Path, case: str) -> None:
    make, words = NOT_AN_OUTBOX[case]
    path = make(tmp_path)
    assert_clean_exit(serve("--outbox", str(path)), 2, str(path), words, "--no-outbox")


@pytest.mark.parametrize("command", [*OUTBOX_COMMANDS, ["serve"]], ids=lambda c: c[-1] if len(c) < 3 else c[1])
def test_an_outbox_where_no_file_can_be(tmp_path: Path, command: list[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    path = blocker / "outbox.sqlite"
    result = serve("--outbox", str(path)) if command == ["serve"] else invoke([*command, "--outbox", str(path)])
    assert_clean_exit(result, 2, str(path))


@pytest.mark.parametrize("command", OUTBOX_COMMANDS, ids=lambda c: c[1])
def test_a_missing_outbox_or_a_folder(tmp_path: Path, command: list[str]) -> None:
    assert_clean_exit(invoke([*command, "--outbox", str(tmp_path / "none.sqlite")]), 2, "no outbox at")
    assert_clean_exit(invoke([*command, "--outbox", str(tmp_path)]), 2, "is a directory")
    assert not (tmp_path / "none.sqlite").exists()


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Another process's exclusive lock on ``path`` (a thread's connection stands in for it)."""
    ready, done = threading.Event(), threading.Event()

    def hold() -> None:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        db.execute("BEGIN EXCLUSIVE")
        ready.set()
        done.wait(30)
        db.execute("ROLLBACK")
        db.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        yield
    finally:
        done.set()
        thread.join(10)


@pytest.mark.parametrize("command", OUTBOX_COMMANDS, ids=lambda c: c[1])
def test_a_locked_outbox(tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "o.sqlite"
    with emulator_bridge(path) as bridge:
        bridge.apply_event("twilio", task_attributes(21))
    with locked(path):
        result = invoke([*command, "--outbox", str(path), "--lock-timeout", "0.2"])
    assert_clean_exit(result, 2, "locked by another process", "try again")


# -- rows that cannot be read -------------------------------------------------------------------------------------
def _damaged(path: Path) -> None:
    """Three rows: pending with a disposition that is not JSON, dead with one nested 100 deep, done with an error
    column that is not JSON, as a hand edit or a damaged file leaves them."""
    with emulator_bridge(path) as bridge:
        for n in (21, 22):
            assert bridge.apply_event("twilio", task_attributes(n, outcome="Fixed Later")).kind is OutcomeKind.UNMAPPED
        assert bridge.apply_event("twilio", task_attributes(23)).kind is OutcomeKind.APPLIED
    with sqlite3.connect(path) as db:
        db.execute("UPDATE outbox SET disposition = '{not json', state = 'pending' WHERE id = 1")
        db.execute("UPDATE outbox SET disposition = ? WHERE id = 2", ("[" * 100 + "]" * 100,))
        db.execute("UPDATE outbox SET last_error = 'oops', created_at = 'yesterday' WHERE id = 3")


def test_damaged_rows_are_shown_and_never_delivered(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite"
    _damaged(path)
    assert_clean_exit(invoke(["outbox", "status", "--outbox", str(path)]), 1, "1 pending", "1 dead")
    listed = invoke(["outbox", "list", "--outbox", str(path), "--state", "all"])
    assert_clean_exit(listed, 0, "cannot be read: its disposition column is not readable JSON")
    assert "nested more than 64 levels" in listed.output and "its created_at column is not a number" in listed.output
    rows = [
        json.loads(line) for line in invoke(["outbox", "list", "--outbox", str(path), "--json"]).output.splitlines()
    ]
    assert [bool(r["problem"]) for r in rows] == [True, True]
    drained = invoke(["outbox", "drain", "--outbox", str(path), "--retry-dead", *OUTBOX_COMMANDS[2][2:]])
    assert_clean_exit(drained, 1, "outbox row 1 cannot be read", "outbox row 2 cannot be read", "2 dead")


# -- drains that meet a refusing or absent Genesys ----------------------------------------------------------------
def _queued_for(path: Path, env: dict[str, str]) -> None:
    unreachable = {**env, "GENESYSCLOUD_API_BASE": "http://127.0.0.1:9"}
    with Bridge.from_env(TWILIO_MAPPING, outbox=path, env=unreachable, budget=0.5, max_attempts=1) as bridge:
        assert bridge.apply_event("twilio", task_attributes(24)).kind is OutcomeKind.QUEUED


def test_a_drain_refused_401_or_unreachable_leaves_rows_pending(tmp_path: Path) -> None:
    emulator = Emulator.from_file(ORG)
    with served(emulator.app) as url:
        creds = {"GENESYSCLOUD_OAUTHCLIENT_ID": "demo-client", "GENESYSCLOUD_OAUTHCLIENT_SECRET": "demo-secret"}
        for name, base in (("refused", url), ("unreachable", "http://127.0.0.1:9")):
            path = tmp_path / f"{name}.sqlite"
            _queued_for(path, creds)
            env = {**creds, "GENESYSCLOUD_API_BASE": base, "GENESYSCLOUD_LOGIN_BASE": base}
            if name == "refused":
                env["GENESYSCLOUD_OAUTHCLIENT_SECRET"] = "wrong-secret"
            drained = invoke(["outbox", "drain", "--outbox", str(path), "--budget", "1", "--retarget"], env)
            assert_clean_exit(drained, 1, "1 pending")
    assert emulator.write_log == []


# -- serve's own set-up -------------------------------------------------------------------------------------------
def test_serve_refuses_what_it_cannot_serve_with(tmp_path: Path) -> None:
    junk = _junk(tmp_path)
    assert_clean_exit(serve(env={"WRAPUP_BRIDGE_API_TOKEN": ""}), 2, "nothing to serve")
    assert_clean_exit(serve("--mapping", str(tmp_path / "none.yaml")), 2, "none.yaml")
    assert_clean_exit(serve("--mapping", str(junk)), 2, "junk.sqlite")
    assert_clean_exit(invoke(["serve", "--target", "emulator", "--org", str(junk)]), 2, "junk.sqlite")
    assert_clean_exit(invoke(["serve", "--target", "emulator", "--org", str(tmp_path / "x.yaml")]), 2, "not found")
    assert_clean_exit(invoke(["serve", "--target", "genesys"]), 2, "GENESYSCLOUD_OAUTHCLIENT_ID")


@pytest.mark.parametrize(
    ("args", "env", "words"),
    [
        (["--port", "65536"], {}, ["--port"]),
        (["--port", "http"], {}, ["--port"]),
        (["--host", "256.0.0.1"], {}, ["cannot listen on 256.0.0.1"]),
        (["--host", "no-such-host.invalid"], {}, ["cannot listen on no-such-host.invalid"]),
        (["--public-url", "hooks.example.com"], {}, ["--public-url", "not a base URL"]),
        (["--public-url", "https://hooks.example.com?x=1"], {}, ["without a query string"]),
        (["--public-url", "https://hooks.example.com:99999"], {}, ["not a URL"]),
        (["--header-timeout", "0"], {}, ["--header-timeout"]),
        ([], {"WRAPUP_BRIDGE_BODY_TIMEOUT": "soon"}, ["--body-timeout"]),
        ([], {"WRAPUP_BRIDGE_MAX_CONNECTIONS": "0"}, ["--max-connections"]),
        (["--keep-alive-timeout", "-1"], {}, ["--keep-alive-timeout"]),
    ],
)
def test_serve_refuses_bad_addresses_and_settings(
    tmp_path: Path, args: list[str], env: dict[str, str], words: list[str]
) -> None:
    result = serve("--outbox", str(tmp_path / "o.sqlite"), *args, env=env)
    assert_clean_exit(result, 2, *words)


def test_serve_s_limits_come_from_its_options_then_settings_then_defaults() -> None:
    from wrapup_bridge.cli.serve import _server_limits
    from wrapup_bridge.live.server import ServerLimits
    from wrapup_bridge.services.settings import Settings

    settings = Settings.from_env({"WRAPUP_BRIDGE_BODY_TIMEOUT": "soon", "WRAPUP_BRIDGE_MAX_CONNECTIONS": "3"})
    # --body-timeout given: its unusable variable is not even read; the variable sets max_connections.
    assert _server_limits(settings, None, 2.0, None, None) == ServerLimits(body_timeout=2.0, max_connections=3)
    assert _server_limits(Settings.from_env({}), None, None, None, 9) == ServerLimits(max_connections=9)


def test_serve_on_a_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        outbox = tmp_path / "o.sqlite"
        result = invoke(["serve", "--target", "emulator", "--org", str(ORG), "--port", port, "--outbox", str(outbox)])
    assert_clean_exit(result, 2, f"cannot listen on 127.0.0.1:{port}")
    assert not outbox.exists()  # nothing is left behind


def test_serve_as_a_process_stops_before_listening_with_one_line(tmp_path: Path) -> None:
    """The same, end to end: what an operator sees on the terminal."""
    junk = _junk(tmp_path)
    command = [sys.executable, "-m", "wrapup_bridge", "serve", "--target", "emulator", "--org", str(ORG)]
    command += ["--mapping", str(TWILIO_MAPPING)]
    env = {"PATH": "/usr/bin:/bin", "WRAPUP_BRIDGE_API_TOKEN": API_TOKEN}
    done = subprocess.run(
        [*command, "--outbox", str(junk)],
        check=False,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [f"Error: outbox {junk}: not a usable outbox: file is not a database "
                                                "(pass --outbox FILE, or --no-outbox to serve without one)"]  # fmt: skip
