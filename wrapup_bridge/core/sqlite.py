"""Opening the package's own SQLite files (the replay ledger, the live outbox) one way.

Both are one file each, written by explicit transactions (``BEGIN IMMEDIATE``) on an autocommit connection, in WAL
mode so that a reader never waits for a writer, with a busy timeout so that a second process waits its turn for a
lock instead of failing at once. Those shared mechanics live here, so the two files cannot drift apart in how they
are opened or in which SQLite errors count as "someone else holds the lock".

What differs stays with each caller: how long to wait (``busy_timeout``), how durable a commit is
(``synchronous``), whether a file that refuses WAL is acceptable, what to check before touching a file that may
belong to someone else, and the words of every error. ``SQLiteFileError`` carries no file name for that reason:
the caller says whose file it is ("outbox ...", "a ledger ...") and raises its own error.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Final, Literal

from wrapup_bridge.core.errors import WrapupBridgeError

__all__ = ["SYNCHRONOUS", "SQLiteFileError", "Synchronous", "enable_wal", "is_locked", "open_existing", "open_file"]

#: How durable a commit is. ``normal`` (in WAL mode) survives a killed process; ``full`` also survives power loss, at
#: one fsync per commit (https://www.sqlite.org/pragma.html#pragma_synchronous).
Synchronous = Literal["normal", "full"]
SYNCHRONOUS: Final[tuple[Synchronous, ...]] = ("normal", "full")


class SQLiteFileError(WrapupBridgeError, OSError):
    """The file cannot be opened where it was named; the message says why, without the file's name (the caller
    names the file and turns this into its own error)."""


def open_file(path: Path, *, what: str, busy_timeout: float, threads: bool = False) -> sqlite3.Connection:
    """An autocommit connection to ``path``, created (with its folder) if missing.

    ``what`` names the file in messages ("outbox", "ledger"); ``busy_timeout`` is how many seconds a statement waits
    for another connection's lock; ``threads`` lets the connection be used from other threads than this one (the
    caller serialises access). Raises ``SQLiteFileError`` for a folder in the file's place, a parent that is a
    file, a folder that cannot be made, or a file SQLite cannot open."""
    parent = path.parent
    if not parent.exists():
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SQLiteFileError(f"cannot make the {what}'s folder: {exc.strerror or exc}") from None
    if not parent.is_dir():
        raise SQLiteFileError(f"{parent} is a file, not a folder")
    if path.is_dir():
        raise SQLiteFileError(f"this is a folder; give the {what} file's path")
    try:
        return sqlite3.connect(path, timeout=busy_timeout, isolation_level=None, check_same_thread=not threads)
    except (OSError, sqlite3.Error) as exc:
        raise SQLiteFileError(f"cannot open: {exc}") from None


def open_existing(path: Path, *, busy_timeout: float) -> sqlite3.Connection:
    """A connection to a file that must already exist (never creates one), for reading another process's file.

    Read-write on purpose: a read-only connection to a WAL database leaves its -wal and -shm files behind when it
    closes. SQLite's own errors propagate (the caller knows what a locked or foreign file means for it)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=busy_timeout)


def enable_wal(db: sqlite3.Connection, synchronous: Synchronous) -> str:
    """Switch ``db`` to WAL mode with the ``synchronous`` level given; return the journal mode in effect, ``"wal"``
    unless the file system kept another (WAL needs shared memory, which some network file systems lack). Call it
    only once the file is known to be the caller's own: switching to WAL rewrites the file's header."""
    if synchronous not in SYNCHRONOUS:
        raise ValueError(f"synchronous must be one of {', '.join(SYNCHRONOUS)}, got {synchronous!r}")
    mode = str(db.execute("PRAGMA journal_mode=WAL").fetchone()[0]).lower()
    db.execute(f"PRAGMA synchronous={synchronous.upper()}")
    return mode


def is_locked(exc: sqlite3.Error) -> bool:
    """``exc`` says another connection held a lock past the busy timeout ("database is locked", SQLITE_BUSY)."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)
