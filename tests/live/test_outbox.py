"""The SQLite outbox on its own: states, leases, retries, de-duplication, durability across connections."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.live.helpers import RESOLVED, cid
from wrapup_bridge.core.decision import CodeRef, Decision, DecisionKind
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.live.errors import OutboxError
from wrapup_bridge.live.outbox import Outbox, RetryPolicy
from wrapup_bridge.testing import FakeClock

CODE = CodeRef(alias="resolved", id=RESOLVED, name="Resolved")
MAPPED = Decision(kind=DecisionKind.MAPPED, code=CODE, reason="rule #7 maps it")


#: Where the outbox tests' fake clock starts (unix seconds).
START = 1_800_000_000.0


def record(n: int, notes: str | None = None) -> Disposition:
    return Disposition(source="twilio", source_id=f"WT{n:032d}", conversation_id=cid(n), code="Resolved", notes=notes)


def test_accept_is_committed_in_flight_before_anything_else(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite")
    accepted = box.accept(record(21), MAPPED, lease_seconds=30)
    # Another connection (another process) sees the row at once: it is committed, not buffered.
    with sqlite3.connect(tmp_path / "o.sqlite") as other:
        state, attempts = other.execute("SELECT state, attempts FROM outbox WHERE id = ?", (accepted.id,)).fetchone()
    assert (state, attempts) == ("in-flight", 1)
    assert box.get(accepted.id) is not None
    row = box.get(accepted.id)
    assert row is not None and row.disposition == record(21) and row.decision == MAPPED


def test_journal_is_wal_with_full_sync(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite")
    box.counts()
    with sqlite3.connect(tmp_path / "o.sqlite") as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert box._db is not None and box._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_identical_delivery_in_flight_is_not_accepted_twice(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite")
    first = box.accept(record(21), MAPPED, lease_seconds=30)
    # Notes do not make it another delivery: same record, conversation and code.
    again = box.accept(record(21, notes="more"), MAPPED, lease_seconds=30)
    assert again.duplicate and again.id == first.id
    box.settle(first.id, "done", kind="applied", reason="ok")
    later = box.accept(record(21), MAPPED, lease_seconds=30)
    assert not later.duplicate and later.id != first.id


def test_settle_pending_backs_off_then_gives_up(tmp_path: Path) -> None:
    clock = FakeClock(START)
    box = Outbox(tmp_path / "o.sqlite", clock=clock, retry=RetryPolicy(initial=10, maximum=25, max_attempts=3))
    row_id = box.accept(record(22), MAPPED, lease_seconds=30).id
    assert box.settle(row_id, "pending", kind="failed", reason="503") == "pending"
    row = box.get(row_id)
    assert row is not None and row.next_attempt_at == clock.t + 10 and row.lease_until is None
    # Not due yet: a due-only claim leaves it; a full drain takes it.
    assert box.claim(limit=10, lease_seconds=30) == []
    assert [r.id for r in box.claim(limit=10, lease_seconds=30, due_only=False)] == [row_id]
    assert box.settle(row_id, "pending", kind="failed", reason="503") == "pending"
    row = box.get(row_id)
    assert row is not None and row.next_attempt_at == clock.t + 20 and row.attempts == 2
    clock.t += 20
    assert [r.id for r in box.claim(limit=10, lease_seconds=30)] == [row_id]
    assert box.settle(row_id, "pending", kind="failed", reason="503 again") == "dead"
    row = box.get(row_id)
    assert row is not None and row.state == "dead" and row.last_reason is not None
    assert "gave up after 3 attempts" in row.last_reason and "503 again" in row.last_reason


def test_expired_lease_is_claimed_by_a_drain_and_a_live_one_is_not(tmp_path: Path) -> None:
    clock = FakeClock(START)
    box = Outbox(tmp_path / "o.sqlite", clock=clock)
    row_id = box.accept(record(23), MAPPED, lease_seconds=38).id
    assert box.claim(limit=10, lease_seconds=38, due_only=False) == []
    clock.t += 39
    claimed = box.claim(limit=10, lease_seconds=38, due_only=False)
    assert [r.id for r in claimed] == [row_id]
    assert claimed[0].state == "in-flight" and claimed[0].attempts == 2
    # Claimed again means leased again: a second drainer does not get it.
    assert Outbox(tmp_path / "o.sqlite", clock=clock).claim(limit=10, lease_seconds=38, due_only=False) == []


def test_claim_after_id_and_order(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite")
    ids = []
    for n in (21, 22, 23):
        row_id = box.accept(record(n), MAPPED, lease_seconds=30).id
        box.settle(row_id, "pending", kind="failed", reason="x")
        ids.append(row_id)
    assert [r.id for r in box.claim(limit=2, lease_seconds=30, due_only=False)] == ids[:2]
    assert [r.id for r in box.claim(limit=5, lease_seconds=30, due_only=False, after_id=ids[1])] == ids[2:]


def test_dead_letter_retry_dead_and_counts(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite")
    unmapped = Decision(kind=DecisionKind.UNMAPPED, reason="no rule matched 'Refund'")
    row_id = box.dead_letter(record(24), unmapped, kind="unmapped", reason="no rule matched 'Refund'")
    assert box.counts() == {"pending": 0, "in-flight": 0, "done": 0, "dead": 1}
    listed = box.rows(["dead"])
    assert [r.id for r in listed] == [row_id] and listed[0].to_json_dict()["last_kind"] == "unmapped"
    assert box.retry_dead([row_id + 100]) == 0
    assert box.retry_dead() == 1
    row = box.get(row_id)
    assert row is not None and row.state == "pending" and row.attempts == 0


def test_purge_done_keeps_recent_rows(tmp_path: Path) -> None:
    clock = FakeClock(START)
    box = Outbox(tmp_path / "o.sqlite", clock=clock)
    old = box.accept(record(25), MAPPED, lease_seconds=30).id
    box.settle(old, "done", kind="applied", reason="ok")
    clock.t += 100
    new = box.accept(record(26), MAPPED, lease_seconds=30).id
    box.settle(new, "done", kind="applied", reason="ok")
    assert box.purge_done(older_than=50) == 1
    assert [r.id for r in box.rows(["done"])] == [new]


def test_rows_survive_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "o.sqlite"
    with Outbox(path) as box:
        row_id = box.accept(record(27), MAPPED, lease_seconds=30).id
    with Outbox(path) as reopened:
        row = reopened.get(row_id)
        assert row is not None and row.conversation_id == cid(27)


def test_unknown_state_and_bad_settle_are_refused(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite")
    with pytest.raises(ValueError, match="unknown outbox state"):
        box.rows(["queued"])
    with pytest.raises(ValueError, match="cannot settle"):
        box.settle(1, "in-flight", kind="x", reason="x")
    with pytest.raises(OutboxError, match="no row 99"):
        box.settle(99, "done", kind="applied", reason="x")


def test_newer_schema_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 9")
    with pytest.raises(OutboxError, match=r"o\.sqlite.*newer wrapup-bridge"):
        Outbox(path).counts()


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite"
    path.write_text("not a database, just text that is long enough to have a header" * 20)
    with pytest.raises(OutboxError, match=r"o\.sqlite"):
        Outbox(path).counts()


def test_rows_remember_their_target_and_are_only_claimed_for_it(tmp_path: Path) -> None:
    genesys = "genesys https://api.mypurecloud.ie client c1"
    emulator = "emulator /tmp/org.yaml"
    clock = FakeClock(START)
    queued = Outbox(tmp_path / "o.sqlite", clock=clock, target=genesys)
    row = queued.accept(record(21), MAPPED, lease_seconds=30)
    queued.settle(row.id, "pending", kind="failed", reason="Genesys unreachable")
    clock.t += 3600
    assert queued.get(row.id) is not None and queued.get(row.id).target == genesys  # type: ignore[union-attr]
    other = Outbox(tmp_path / "o.sqlite", clock=clock, target=emulator)
    assert other.claim(limit=10, lease_seconds=30) == []  # never delivered to another target
    assert other.targets() == {genesys: 1}
    assert other.retarget(emulator) == 1  # only on purpose
    assert [r.id for r in other.claim(limit=10, lease_seconds=30)] == [row.id]


def test_an_outbox_of_the_first_schema_gains_the_target_column(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(
            "CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at REAL NOT NULL, updated_at REAL NOT "
            "NULL, source TEXT NOT NULL, source_id TEXT NOT NULL, conversation_id TEXT, dedup_key TEXT NOT NULL, "
            "disposition TEXT NOT NULL, decision TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL "
            "DEFAULT 0, next_attempt_at REAL NOT NULL, lease_until REAL, last_kind TEXT, last_reason TEXT, "
            "last_error TEXT); PRAGMA user_version=1;"
        )
    box = Outbox(path, target="genesys x client y")
    assert box.counts()["pending"] == 0 and box.targets() == {}


def test_a_replay_ledger_is_not_taken_for_an_outbox(tmp_path: Path) -> None:
    path = tmp_path / "five9.ledger.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE items (key TEXT PRIMARY KEY, state TEXT)")
    with pytest.raises(OutboxError, match="not an outbox"):
        Outbox(path).counts()
    with sqlite3.connect(path) as db:
        assert [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["items"]


def test_the_outbox_is_opened_durable_in_wal_with_its_busy_timeout(tmp_path: Path) -> None:
    """Opened through core.sqlite like the ledger, with the outbox's own guarantees: every accept survives power
    loss (synchronous=FULL), WAL, and a lock waited for as long as asked."""
    with Outbox(tmp_path / "o.sqlite", busy_timeout=2.5) as box:
        box.counts()
        db = box._db
        assert db is not None
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 2500


def test_a_path_that_cannot_be_an_outbox_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(OutboxError, match=r"^outbox .*: this is a folder; give the outbox file's path$"):
        Outbox(tmp_path).counts()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(OutboxError, match=r"^outbox .*: .*a-file is a file, not a folder$"):
        Outbox(blocker / "o.sqlite").counts()
    junk = tmp_path / "junk"
    junk.write_bytes(b"\x00not sqlite" * 200)
    with pytest.raises(OutboxError, match="not a usable outbox"):
        Outbox(junk).counts()
