"""The durable ledger of a replay: intent recorded before each write, the result after it.

It is what makes ``replay apply`` safe to kill and run again. For every item that writes, the ledger holds
``pending`` -> ``in-flight`` (committed *before* the request leaves) -> ``done`` (committed after the answer,
with the outcome). After a crash, ``kill -9`` or Ctrl-C:

- ``done`` items are skipped;
- ``in-flight`` items may or may not have been applied, so they are re-checked against Genesys (the participant's
  current wrap-up) before any re-write, never blindly written again;
- everything else is simply not done yet.

SQLite in WAL mode; ``synchronous=NORMAL`` survives a killed process (what the reliability tests do), ``full``
also survives power loss at a few milliseconds per commit. The ledger belongs to one plan (its ``plan_id``) and
refuses another.

Group commit. A commit per row cost two commits per write (8.5 % of a run's CPU). Rows are now written into one
open transaction and committed together, and the rule that makes a kill safe is kept by *where* commits happen:

- ``begin_many`` records the intent of a whole batch and commits before returning, and ``apply`` sends no write
  of the batch before it returns. So every request that ever left has its in-flight row on disk first: the
  intent-before-write guarantee is per write as before, only its commit is shared by the batch.
- ``finish``/``record`` (results) are not committed at once: ``commit`` (the end of a batch), the next
  ``begin_many``, a full group (``GROUP``) or ``close`` commits them. A kill loses at most the results since the
  last commit; their rows are still in flight on disk, so the next run re-checks them on the participant before
  writing (a write that landed is counted already-applied, never sent again). Losing a result costs a re-check,
  never a second write.
- A dead letter is fsynced to its file when written, before the result that names it is even executed, as before.
- A run that stops (a target refusing every write) takes back the intents of the batch's writes it never sent
  (``withdraw``: only rows this run made, in flight after one intent), so the next run re-checks only what left.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from wrapup_bridge.core.clock import utc_now
from wrapup_bridge.core.errors import WrapupBridgeError
from wrapup_bridge.core.outcome import Outcome
from wrapup_bridge.core.sqlite import SQLiteFileError, Synchronous, enable_wal, is_locked, open_existing, open_file

__all__ = [
    "GROUP",
    "Ledger",
    "LedgerEntry",
    "LedgerError",
    "LedgerSnapshot",
    "State",
    "connect_existing",
    "read_ledger",
]


class LedgerError(WrapupBridgeError, ValueError):
    """The ledger cannot be used for this plan (another plan's, or unreadable)."""


class State(StrEnum):
    IN_FLIGHT = "in-flight"  #: the write may have left; re-check before writing again
    DONE = "done"  #: finished with an outcome (which may be a failure to retry later)


@dataclass(frozen=True)
class LedgerEntry:
    key: str
    n: int
    state: State
    outcome: str | None
    reason: str | None
    attempts: int
    dead_lettered: bool
    #: Written by the run that has this ledger open (a plan line met twice in one run is written once).
    this_run: bool = False


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    key TEXT PRIMARY KEY,
    n INTEGER NOT NULL,
    state TEXT NOT NULL,
    outcome TEXT,
    reason TEXT,
    error TEXT,
    correlation_id TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    dead_lettered INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    run TEXT
);
"""
_COLUMNS = "key, n, state, outcome, reason, attempts, dead_lettered, run"
_BEGIN = (
    "INSERT INTO items(key, n, state, attempts, updated_at, run) VALUES (?, ?, ?, 1, ?, ?) "
    "ON CONFLICT(key) DO UPDATE SET state=excluded.state, attempts=items.attempts + 1, "
    "updated_at=excluded.updated_at, run=excluded.run"
)
_RECORD = (
    "INSERT INTO items(key, n, state, outcome, reason, error, correlation_id, dead_lettered, updated_at, run) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET state=excluded.state, "
    "outcome=excluded.outcome, reason=excluded.reason, error=excluded.error, "
    "correlation_id=excluded.correlation_id, dead_lettered=MAX(items.dead_lettered, excluded.dead_lettered), "
    "updated_at=excluded.updated_at, run=excluded.run"
)
_WITHDRAW = "DELETE FROM items WHERE key=? AND state=? AND run=? AND attempts=1 AND outcome IS NULL"
#: Results that may wait for a commit: a plan of skips and dead letters commits every GROUP rows at least.
GROUP = 512


def _now() -> str:
    return utc_now().isoformat()


class Ledger:
    """One plan's ledger file. Not shared between processes: one ``apply`` at a time per plan (locked)."""

    def __init__(self, path: str | Path, plan_id: str, *, synchronous: Synchronous = "normal") -> None:
        self.path = Path(path)
        self.plan_id = plan_id
        #: This run's id, on every row it writes.
        self.run = uuid.uuid4().hex
        try:
            self._db = open_file(self.path, what="ledger", busy_timeout=1.0)
        except SQLiteFileError as exc:
            raise LedgerError(f"{self.path}: {exc}") from None
        try:
            # A file system without WAL keeps its rollback journal: slower, as safe (one process writes a ledger).
            enable_wal(self._db, synchronous)
            self._db.executescript(_SCHEMA)
            columns = {str(row[1]) for row in self._db.execute("PRAGMA table_info(items)")}
            # An exclusive lock for the whole run: a second `apply` of the same plan must not interleave writes.
            self._db.execute("PRAGMA locking_mode=EXCLUSIVE")
            self._db.execute("BEGIN IMMEDIATE")
            if "run" not in columns:  # a ledger made before runs were told apart
                self._db.execute("ALTER TABLE items ADD COLUMN run TEXT")
            row = self._db.execute("SELECT value FROM meta WHERE key='plan_id'").fetchone()
            if row is None:
                self._db.execute("INSERT INTO meta(key, value) VALUES ('plan_id', ?)", (plan_id,))
            self._db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if is_locked(exc):
                raise LedgerError(
                    f"{self.path}: another `replay apply` of this plan is running (the ledger is locked)"
                ) from None
            raise LedgerError(f"{self.path}: cannot open the ledger: {exc}") from None
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{self.path}: not a ledger file: {exc}") from None
        if row is not None and row[0] != plan_id:
            self._db.close()
            raise LedgerError(
                f"{self.path} belongs to plan {row[0]}, not {plan_id}; use the ledger made with this plan, or another path"
            )
        #: Statements executed since the last commit (0: no transaction open).
        self._pending = 0
        #: Commits made (what group commit saves: a test and the benchmark read it).
        self.commits = 0

    def close(self) -> None:
        """Commit what is pending, then close."""
        try:
            self.commit()
        finally:
            self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------------------------------
    def _entry(self, row: Any) -> LedgerEntry:
        return LedgerEntry(row[0], row[1], State(row[2]), row[3], row[4], row[5], bool(row[6]), row[7] == self.run)

    def get(self, key: str) -> LedgerEntry | None:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM items WHERE key=?", (key,)).fetchone()
        return None if row is None else self._entry(row)

    def entries(self) -> dict[str, LedgerEntry]:
        """Every entry by key (a few hundred bytes each; plans of millions are read in one pass at start)."""
        return {row[0]: self._entry(row) for row in self._db.execute(f"SELECT {_COLUMNS} FROM items")}

    def outcome_counts(self) -> Counter[str]:
        rows = self._db.execute("SELECT COALESCE(outcome, state), COUNT(*) FROM items GROUP BY 1")
        return Counter({str(k): int(v) for k, v in rows})

    def has_rows(self) -> bool:
        """Anything recorded yet (by an earlier run, or this one)."""
        return bool(self._db.execute("SELECT EXISTS(SELECT 1 FROM items)").fetchone()[0])

    # -- writing (group commit: see the module) ---------------------------------------------------------------------
    def _execute(self, sql: str, args: tuple[Any, ...]) -> None:
        if not self._pending:
            self._db.execute("BEGIN IMMEDIATE")
        self._db.execute(sql, args)
        self._pending += 1

    def commit(self) -> None:
        """Make everything recorded so far durable (one commit)."""
        if self._pending:
            self._db.execute("COMMIT")
            self._pending = 0
            self.commits += 1

    def begin(self, key: str, n: int) -> None:
        """Record the intent to write, durably, before the request is sent (commits)."""
        self.begin_many(((key, n),))

    def begin_many(self, items: Iterable[tuple[str, int]]) -> None:
        """Record the intent to write each ``(key, n)``, durably, in one commit: call it before any of their
        requests is sent (with whatever results are pending)."""
        now, run = _now(), self.run
        for key, n in items:
            self._execute(_BEGIN, (key, n, State.IN_FLIGHT.value, now, run))
        self.commit()

    def withdraw(self, keys: Iterable[str]) -> None:
        """Take back the intent of writes that were never sent (a stopping run), so the next run does not re-check
        them. Only a row this run made, still in flight after one intent: anything older keeps its row."""
        for key in keys:
            self._execute(_WITHDRAW, (key, State.IN_FLIGHT.value, self.run))

    def finish(self, key: str, n: int, outcome: Outcome, *, dead_lettered: bool = False) -> None:
        """Record the result of an item (written or not); committed with its group."""
        self.record(
            key,
            n,
            outcome.kind.value,
            outcome.reason,
            error=outcome.error,
            correlation_id=outcome.correlation_id,
            dead_lettered=dead_lettered,
        )

    def record(
        self,
        key: str,
        n: int,
        outcome: str,
        reason: str,
        *,
        error: dict[str, Any] | None = None,
        correlation_id: str | None = None,
        dead_lettered: bool = False,
    ) -> None:
        """Record an item as done with ``outcome``; committed with its group (at most ``GROUP`` rows wait)."""
        self._execute(
            _RECORD,
            (
                key,
                n,
                State.DONE.value,
                outcome,
                reason,
                json.dumps(error) if error is not None else None,
                correlation_id,
                int(dead_lettered),
                _now(),
                self.run,
            ),
        )
        if self._pending >= GROUP:
            self.commit()


@dataclass(frozen=True)
class LedgerSnapshot:
    """What a ledger says, read without taking it over (``replay status``)."""

    path: Path
    plan_id: str | None
    #: (state, outcome) -> rows; outcome is None for rows still in flight
    counts: Counter[tuple[str, str | None]] = field(default_factory=Counter)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def connect_existing(path: Path) -> sqlite3.Connection:
    """A plain connection to an existing ledger, for reading (never creates one; see ``core.sqlite.open_existing``)."""
    return open_existing(path, busy_timeout=1.0)


def read_ledger(path: str | Path) -> LedgerSnapshot:
    """Read a ledger's totals, read-only; ``LedgerError`` when it is locked by a running apply or is not a ledger."""
    path = Path(path)
    if not path.is_file():
        raise LedgerError(f"{path}: no ledger here (nothing of this plan was applied yet, or it lives elsewhere)")
    try:
        db = connect_existing(path)
        try:
            row = db.execute("SELECT value FROM meta WHERE key='plan_id'").fetchone()
            rows = db.execute("SELECT state, outcome, COUNT(*) FROM items GROUP BY 1, 2").fetchall()
        finally:
            db.close()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            raise LedgerError(
                f"{path}: a `replay apply` of this plan is running (the ledger is locked); ask again when it ends"
            ) from None
        raise LedgerError(f"{path}: cannot read the ledger: {exc}") from None
    except sqlite3.DatabaseError as exc:
        raise LedgerError(f"{path}: not a ledger file: {exc}") from None
    counts: Counter[tuple[str, str | None]] = Counter({(str(state), outcome): int(n) for state, outcome, n in rows})
    return LedgerSnapshot(path, str(row[0]) if row else None, counts)
