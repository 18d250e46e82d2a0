"""The one way the ledger and the outbox open SQLite: folders made, wrong places refused in words, WAL with the
durability asked for, a held lock told apart from other errors, existing files never created."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from wrapup_bridge.core.errors import WrapupBridgeError
from wrapup_bridge.core.replay.ledger import Ledger, LedgerError
from wrapup_bridge.core.sqlite import SQLiteFileError, enable_wal, is_locked, open_existing, open_file


def test_open_file_makes_the_folder_and_an_autocommit_connection(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "file.sqlite"
    db = open_file(path, what="ledger", busy_timeout=1.0)
    try:
        assert path.is_file() and db.isolation_level is None
        db.execute("CREATE TABLE t (x)")  # autocommit: no transaction left open
        assert not db.in_transaction
    finally:
        db.close()


def test_open_file_refuses_a_folder_and_a_parent_that_is_a_file(tmp_path: Path) -> None:
    with pytest.raises(SQLiteFileError, match="this is a folder; give the outbox file's path"):
        open_file(tmp_path, what="outbox", busy_timeout=1.0)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(SQLiteFileError, match="is a file, not a folder"):
        open_file(blocker / "x.sqlite", what="ledger", busy_timeout=1.0)
    with pytest.raises(SQLiteFileError, match="cannot make the ledger's folder"):
        open_file(blocker / "deeper" / "x.sqlite", what="ledger", busy_timeout=1.0)
    assert issubclass(SQLiteFileError, WrapupBridgeError)


def test_threads_lets_another_thread_use_the_connection(tmp_path: Path) -> None:
    errors: list[BaseException] = []

    def use(db: sqlite3.Connection) -> None:
        try:
            db.execute("SELECT 1").fetchone()
        except sqlite3.ProgrammingError as exc:
            errors.append(exc)

    for threads in (False, True):
        db = open_file(tmp_path / f"{threads}.sqlite", what="outbox", busy_timeout=1.0, threads=threads)
        worker = threading.Thread(target=use, args=(db,))
        worker.start()
        worker.join()
        db.close()
    assert len(errors) == 1  # only the connection opened without threads refused


@pytest.mark.parametrize(("synchronous", "level"), [("normal", 1), ("full", 2)])
def test_enable_wal_sets_the_durability_asked_for(tmp_path: Path, synchronous: str, level: int) -> None:
    db = open_file(tmp_path / "x.sqlite", what="ledger", busy_timeout=1.0)
    try:
        assert enable_wal(db, synchronous) == "wal"  # type: ignore[arg-type]
        assert db.execute("PRAGMA synchronous").fetchone()[0] == level
    finally:
        db.close()


def test_enable_wal_refuses_an_unknown_level(tmp_path: Path) -> None:
    db = open_file(tmp_path / "x.sqlite", what="ledger", busy_timeout=1.0)
    try:
        with pytest.raises(ValueError, match="normal, full"):
            enable_wal(db, "off; DROP TABLE x")  # type: ignore[arg-type]
    finally:
        db.close()


def test_is_locked_tells_a_held_lock_from_other_errors(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite"
    holder = open_file(path, what="outbox", busy_timeout=1.0)
    waiter = open_file(path, what="outbox", busy_timeout=0.05)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(sqlite3.OperationalError) as caught:
            waiter.execute("BEGIN EXCLUSIVE")
        assert is_locked(caught.value)
        holder.execute("ROLLBACK")
        with pytest.raises(sqlite3.OperationalError) as other:
            waiter.execute("SELECT * FROM no_such_table")
        assert not is_locked(other.value)
    finally:
        holder.close()
        waiter.close()


def test_open_existing_never_creates_a_file(tmp_path: Path) -> None:
    with pytest.raises(sqlite3.OperationalError):
        open_existing(tmp_path / "none.sqlite", busy_timeout=1.0)
    assert not (tmp_path / "none.sqlite").exists()


# -- the ledger keeps its own guarantees and words (the outbox's: tests/live/test_outbox.py) ------------------------------
def test_the_ledger_keeps_its_durability_and_lock_wait(tmp_path: Path) -> None:
    with (
        Ledger(tmp_path / "normal.ledger", "plan-1") as normal,
        Ledger(tmp_path / "full.ledger", "plan-1", synchronous="full") as full,
    ):
        assert normal._db.execute("PRAGMA synchronous").fetchone()[0] == 1
        assert full._db.execute("PRAGMA synchronous").fetchone()[0] == 2
        assert normal._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert normal._db.execute("PRAGMA busy_timeout").fetchone()[0] == 1000


def test_the_ledger_names_its_file_in_its_own_words(tmp_path: Path) -> None:
    folder = tmp_path / "dir.ledger"
    folder.mkdir()
    with pytest.raises(LedgerError, match=r"dir\.ledger: this is a folder; give the ledger file's path"):
        Ledger(folder, "plan-1")
    junk = tmp_path / "junk"
    junk.write_bytes(b"\x00not sqlite" * 200)
    with pytest.raises(LedgerError, match="not a ledger file"):
        Ledger(junk, "plan-1")
    with Ledger(tmp_path / "a.ledger", "plan-1"), pytest.raises(LedgerError, match="ledger is locked"):
        Ledger(tmp_path / "a.ledger", "plan-1")
