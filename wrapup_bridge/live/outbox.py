"""The durable outbox: dispositions accepted but not (yet) confirmed applied, in one SQLite file.

Why "record intent, attempt, mark done" rather than "write to the outbox only when an apply fails": a
process can die (deploy, OOM, SIGKILL, a serverless freeze) between accepting an event and hearing back from
Genesys, and then nothing would remember the event. So every disposition with a Genesys write to make is
committed as an ``in-flight`` row, with a lease, *before* the first request; the row is then marked ``done``,
``dead`` or back to ``pending``. Nothing is applied twice because whoever picks the row up again (a drain
after the lease ran out) goes through the sink, which reads the participant's wrap-up before writing: a write
that did land is reported already-applied.

Only that first commit must survive power loss (``synchronous=FULL``). The later marks are committed with
``synchronous=NORMAL``: losing one leaves a row that a drain re-checks and finds applied or re-fails the same
way, never a double write; and it saves an fsync per apply (about 0.3 ms on a typical SSD).

States: ``pending`` (waiting for a drain, not before ``next_attempt_at``), ``in-flight`` (being delivered
until ``lease_until``; a row whose lease ran out belongs to a process that died), ``done`` (applied or
already there), ``dead`` (needs a person: unmapped, rejected, conflict, no target, or gave up retrying).
Several processes may share one file (a webhook server and a CLI drain): claims are atomic and leased.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from wrapup_bridge.core.clock import SYSTEM_CLOCK, Clock
from wrapup_bridge.core.decision import Decision
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.limits import loads_json
from wrapup_bridge.core.sqlite import SQLiteFileError, enable_wal, is_locked, open_file
from wrapup_bridge.live.errors import OutboxError

__all__ = [
    "DEAD",
    "DONE",
    "IN_FLIGHT",
    "PENDING",
    "STATES",
    "Accepted",
    "Outbox",
    "OutboxRow",
    "RetryPolicy",
    "dedup_key",
]

PENDING: Final = "pending"
IN_FLIGHT: Final = "in-flight"
DONE: Final = "done"
DEAD: Final = "dead"
STATES: Final = (PENDING, IN_FLIGHT, DONE, DEAD)

_SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at      REAL NOT NULL,
    updated_at      REAL NOT NULL,
    source          TEXT NOT NULL,
    source_id       TEXT NOT NULL,
    conversation_id TEXT,
    dedup_key       TEXT NOT NULL,
    disposition     TEXT NOT NULL,
    decision        TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'in-flight', 'done', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    lease_until     REAL,
    last_kind       TEXT,
    last_reason     TEXT,
    last_error      TEXT,
    target          TEXT
);
CREATE INDEX IF NOT EXISTS outbox_state_due ON outbox (state, next_attempt_at);
CREATE INDEX IF NOT EXISTS outbox_dedup ON outbox (dedup_key, state);
"""
_COLUMNS = (
    "id, created_at, updated_at, source, source_id, conversation_id, disposition, decision, state, attempts, "
    "next_attempt_at, lease_until, last_kind, last_reason, last_error, target"
)


def dedup_key(disposition: Disposition, decision: Decision) -> str:
    """Same legacy record, same conversation, same code: the same delivery, whatever the notes or timing say."""
    code = decision.code.id if decision.code is not None else ""
    text = "\x1f".join((disposition.source, disposition.source_id, disposition.conversation_id or "", code))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class RetryPolicy:
    """When a row that failed for a passing reason (429, 5xx, time budget) is tried again, and when to give up.

    Waits double from ``initial`` up to ``maximum``; after ``max_attempts`` the row goes dead, so an event that
    can never be delivered (a conversation purged from Genesys) does not circle forever unseen.
    """

    initial: float = 30.0
    maximum: float = 3600.0
    max_attempts: int = 50

    def wait(self, attempts: int) -> float:
        return float(min(self.maximum, self.initial * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class Accepted:
    """The row an accepted disposition lives in; ``duplicate`` when an identical delivery was already under way."""

    id: int
    duplicate: bool = False


@dataclass(frozen=True)
class OutboxRow:
    """One outbox row as stored (times are epoch seconds)."""

    id: int
    created_at: float
    updated_at: float
    source: str
    source_id: str
    conversation_id: str | None
    disposition_json: dict[str, Any]
    decision_json: dict[str, Any]
    state: str
    attempts: int
    next_attempt_at: float
    lease_until: float | None
    last_kind: str | None
    last_reason: str | None
    last_error: dict[str, Any] | None
    #: The target the row was accepted for (``genesys <api base> client <id>`` or ``emulator <org file>``); None
    #: for rows of an outbox written before targets were recorded.
    target: str | None = None
    #: What could not be read in this row (a column edited by hand, a damaged file), or None. Such a row is shown
    #: as it is and never delivered: a drain marks it dead with this reason.
    problem: str | None = None

    @property
    def disposition(self) -> Disposition:
        return Disposition.model_validate(self.disposition_json)

    @property
    def decision(self) -> Decision:
        return Decision.model_validate(self.decision_json)

    def to_json_dict(self) -> dict[str, Any]:
        """The row for ``outbox list --json``: ISO 8601 UTC times, the code it carries, the last result."""
        code = self.decision_json.get("code") or {}
        code = code if isinstance(code, dict) else {}
        return {
            "id": self.id,
            "state": self.state,
            "created_at": _iso(self.created_at),
            "updated_at": _iso(self.updated_at),
            "source": self.source,
            "source_id": self.source_id,
            "conversation_id": self.conversation_id,
            "legacy_code": self.disposition_json.get("code"),
            "code": {"id": code.get("id"), "name": code.get("name")} if code else None,
            "attempts": self.attempts,
            "next_attempt_at": _iso(self.next_attempt_at) if self.state == PENDING else None,
            "last_kind": self.last_kind,
            "last_reason": self.last_reason,
            "last_error": self.last_error,
            "target": self.target,
            "problem": self.problem,
        }


def _iso(epoch: float) -> str:
    try:
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch % 1 * 1000):03d}Z"
    except (OverflowError, OSError, ValueError):  # a time edited to something no clock shows
        return str(epoch)


class _Reader:
    """Reads one row's columns, noting what cannot be read instead of raising (rows can be edited by hand)."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def json(self, value: Any, name: str, *, optional: bool = False) -> Any:
        if value is None and optional:
            return None
        try:
            parsed = loads_json(value)
        except (TypeError, ValueError) as exc:  # not text, not JSON, nested too deep
            self.problems.append(f"its {name} column is not readable JSON ({str(exc).split(':', 1)[0]})")
            return None if optional else {}
        if not optional and not isinstance(parsed, dict):
            self.problems.append(f"its {name} column is not a JSON object")
            return {}
        return parsed

    def number(self, value: Any, name: str, *, optional: bool = False) -> Any:
        if value is None and optional:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        self.problems.append(f"its {name} column is not a number ({value!r})")
        return None if optional else 0

    def text(self, value: Any, name: str, *, optional: bool = False) -> Any:
        if isinstance(value, str) or (value is None and optional):
            return value
        self.problems.append(f"its {name} column is not text")
        return None if optional else str(value)


def _row(v: tuple[Any, ...]) -> OutboxRow:
    read = _Reader()
    return OutboxRow(
        id=v[0],
        created_at=read.number(v[1], "created_at"),
        updated_at=read.number(v[2], "updated_at"),
        source=read.text(v[3], "source"),
        source_id=read.text(v[4], "source_id"),
        conversation_id=read.text(v[5], "conversation_id", optional=True),
        disposition_json=read.json(v[6], "disposition"),
        decision_json=read.json(v[7], "decision"),
        state=v[8],
        attempts=int(read.number(v[9], "attempts")),
        next_attempt_at=read.number(v[10], "next_attempt_at"),
        lease_until=read.number(v[11], "lease_until", optional=True),
        last_kind=read.text(v[12], "last_kind", optional=True),
        last_reason=read.text(v[13], "last_reason", optional=True),
        last_error=read.json(v[14] or None, "last_error", optional=True),
        target=read.text(v[15], "target", optional=True) if len(v) > 15 else None,
        problem="; ".join(read.problems) or None,
    )


def _plus_one(attempts: Any) -> Any:
    """The attempts column after a claim (SQLite added one to a number; anything else is left for ``_row`` to flag)."""
    return attempts + 1 if isinstance(attempts, int) else attempts


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


class Outbox:
    """A SQLite outbox at ``path`` (None: the settings' outbox, ``$WRAPUP_BRIDGE_OUTBOX`` or the default), opened on
    first use; safe to share between threads and processes.

    ``clock`` (a ``core.clock.Clock``: rows are stamped and leases timed on its wall clock, ``time()``) is a seam
    for tests: a drain "an hour later" sees every lease expired.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        clock: Clock = SYSTEM_CLOCK,
        retry: RetryPolicy | None = None,
        busy_timeout: float = 10.0,
        target: str | None = None,
    ) -> None:
        if path is None:
            from wrapup_bridge.services.settings import Settings

            path = Settings.from_env().outbox
        self.path = Path(path)
        #: The target this handle accepts rows for and claims rows of (None: any, and rows record none).
        self.target = target
        self.clock: Clock = clock
        self.retry = retry or RetryPolicy()
        self._busy_timeout = busy_timeout
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def __repr__(self) -> str:
        return f"Outbox({str(self.path)!r})"

    # -- connection ----------------------------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            # Shared between threads: every use holds self._lock.
            db = open_file(self.path, what="outbox", busy_timeout=self._busy_timeout, threads=True)
        except SQLiteFileError as exc:
            raise OutboxError(f"outbox {self.path}: {exc}") from None
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > _SCHEMA_VERSION:
                raise OutboxError(
                    f"outbox {self.path}: schema version {version} was written by a newer wrapup-bridge; upgrade it"
                )
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            foreign = sorted(t for t in tables if t not in ("outbox", "sqlite_sequence"))
            if foreign and "outbox" not in tables:
                raise OutboxError(
                    f"outbox {self.path}: this file is not an outbox (it holds the tables {', '.join(foreign)}; a replay "
                    "ledger?): pass the outbox's own file"
                )
            # Only now that the file is known to be an outbox (or new): WAL rewrites its header. Every commit
            # survives power loss until a caller asks for less (``_transaction(durable=False)``).
            mode = enable_wal(db, "full")
            if mode != "wal":
                raise OutboxError(f"outbox {self.path}: the file system does not support SQLite WAL mode ({mode})")
            db.executescript(_SCHEMA)
            columns = {r[1] for r in db.execute("PRAGMA table_info(outbox)")}
            if "target" not in columns:  # an outbox of schema 1: its rows recorded no target
                db.execute("ALTER TABLE outbox ADD COLUMN target TEXT")
            db.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")
        except sqlite3.Error as exc:
            db.close()
            if self._locked(exc):
                raise OutboxError(f"outbox {self.path}: {self._locked(exc)}") from None
            raise OutboxError(f"outbox {self.path}: not a usable outbox: {exc}") from None
        except OutboxError:
            db.close()
            raise
        return db

    @contextmanager
    def _transaction(self, *, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction (taken at once, so concurrent claimers queue instead of deadlocking)."""
        with self._lock:
            if self._db is None:
                self._db = self._connect()
            db = self._db
            try:
                if not durable:
                    db.execute("PRAGMA synchronous=NORMAL")
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise OutboxError(f"outbox {self.path}: {self._locked(exc) or exc}") from None
            finally:
                if not durable:
                    db.execute("PRAGMA synchronous=FULL")

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._db is None:
                self._db = self._connect()
            try:
                yield self._db
            except sqlite3.Error as exc:
                raise OutboxError(f"outbox {self.path}: {self._locked(exc) or exc}") from None

    def _locked(self, exc: sqlite3.Error) -> str | None:
        """The words for a lock another process held past the busy timeout, or None for any other error."""
        if is_locked(exc):
            return (
                f"locked by another process for more than {self._busy_timeout:g} s (a drain or a server writing to "
                "it?); try again once it is done"
            )
        return None

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- writing ------------------------------------------------------------------------------------------------
    def accept(self, disposition: Disposition, decision: Decision, *, lease_seconds: float) -> Accepted:
        """Record the intent to deliver, durably, as an in-flight row leased to the caller.

        An identical delivery already pending or in flight is not recorded twice: its row is returned with
        ``duplicate=True`` and the caller must not attempt it (the other holder will).
        """
        key = dedup_key(disposition, decision)
        with self._transaction() as db:
            found = db.execute(
                "SELECT id FROM outbox WHERE dedup_key = ? AND state IN ('pending', 'in-flight') ORDER BY id LIMIT 1",
                (key,),
            ).fetchone()
            if found is not None:
                return Accepted(found[0], duplicate=True)
            row_id = self._insert(db, disposition, decision, key, IN_FLIGHT, lease_seconds=lease_seconds)
        return Accepted(row_id)

    def dead_letter(
        self,
        disposition: Disposition,
        decision: Decision,
        *,
        kind: str,
        reason: str,
        error: dict[str, Any] | None = None,
    ) -> int:
        """Keep a disposition no write was attempted for (unmapped, no conversation id) where a person sees it."""
        with self._transaction() as db:
            return self._insert(
                db, disposition, decision, dedup_key(disposition, decision), DEAD, kind=kind, reason=reason, error=error
            )

    def _insert(
        self,
        db: sqlite3.Connection,
        disposition: Disposition,
        decision: Decision,
        key: str,
        state: str,
        *,
        lease_seconds: float | None = None,
        kind: str | None = None,
        reason: str | None = None,
        error: dict[str, Any] | None = None,
    ) -> int:
        now = self.clock.time()
        cursor = db.execute(
            "INSERT INTO outbox (created_at, updated_at, source, source_id, conversation_id, dedup_key, disposition, "
            "decision, state, attempts, next_attempt_at, lease_until, last_kind, last_reason, last_error, target) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                now,
                now,
                disposition.source,
                disposition.source_id,
                disposition.conversation_id,
                key,
                _dumps(disposition.model_dump(mode="json")),
                _dumps(decision.model_dump(mode="json")),
                state,
                1 if state == IN_FLIGHT else 0,
                now,
                now + lease_seconds if lease_seconds is not None else None,
                kind,
                reason,
                _dumps(error) if error is not None else None,
                self.target,
            ),
        )
        row_id = cursor.lastrowid
        if row_id is None:  # pragma: no cover - sqlite always sets it after an INSERT
            raise OutboxError(f"outbox {self.path}: the insert returned no row id")
        return row_id

    def settle(
        self,
        row_id: int,
        state: str,
        *,
        kind: str,
        reason: str,
        error: dict[str, Any] | None = None,
    ) -> str:
        """Record how a delivery attempt ended; returns the state the row is in now.

        ``pending`` schedules the next attempt by the retry policy, or turns the row ``dead`` once
        ``max_attempts`` were made.
        """
        if state not in (PENDING, DONE, DEAD):
            raise ValueError(f"cannot settle a row as {state!r}")
        now = self.clock.time()
        with self._transaction(durable=False) as db:
            due = now
            if state == PENDING:
                found = db.execute("SELECT attempts FROM outbox WHERE id = ?", (row_id,)).fetchone()
                attempts = int(found[0]) if found is not None else 0
                if attempts >= self.retry.max_attempts:
                    state = DEAD
                    reason = f"gave up after {attempts} attempts; the last: {reason}"
                else:
                    due = now + self.retry.wait(attempts)
            cursor = db.execute(
                "UPDATE outbox SET state = ?, updated_at = ?, next_attempt_at = ?, lease_until = NULL, last_kind = ?, "
                "last_reason = ?, last_error = ? WHERE id = ?",
                (state, now, due, kind, reason, _dumps(error) if error is not None else None, row_id),
            )
            if cursor.rowcount != 1:
                raise OutboxError(f"outbox {self.path}: no row {row_id}")
        return state

    def claim(self, *, limit: int, lease_seconds: float, due_only: bool = True, after_id: int = 0) -> list[OutboxRow]:
        """Lease up to ``limit`` rows with ids above ``after_id`` to deliver now, oldest first: pending ones (only
        those due, with ``due_only``) and in-flight ones whose lease ran out (their process died).

        A handle with a ``target`` claims only rows accepted for that target: a row queued for one org is never
        delivered to another (``retarget`` moves rows on purpose)."""
        now = self.clock.time()
        only = "" if self.target is None else " AND target IS ?"
        with self._transaction() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM outbox WHERE id > ?{only} AND ("
                "(state = 'pending' AND (? = 0 OR next_attempt_at <= ?)) OR (state = 'in-flight' AND lease_until < ?)"
                ") ORDER BY id LIMIT ?",
                (after_id, *(() if self.target is None else (self.target,)), 1 if due_only else 0, now, now, limit),
            ).fetchall()
            ids = [r[0] for r in rows]
            db.executemany(
                "UPDATE outbox SET state = 'in-flight', attempts = attempts + 1, lease_until = ?, updated_at = ? "
                "WHERE id = ?",
                [(now + lease_seconds, now, row_id) for row_id in ids],
            )
        return [
            _row((*r[:2], now, *r[3:8], IN_FLIGHT, _plus_one(r[9]), r[10], now + lease_seconds, *r[12:])) for r in rows
        ]

    def targets(self, states: Iterable[str] = (PENDING, IN_FLIGHT)) -> dict[str | None, int]:
        """How many rows in ``states`` were accepted for each target (None: rows that recorded none)."""
        wanted = tuple(states)
        marks = ", ".join("?" for _ in wanted)
        with self._reading() as db:
            found = db.execute(
                f"SELECT target, COUNT(*) FROM outbox WHERE state IN ({marks}) GROUP BY target", wanted
            ).fetchall()
        return {target: int(n) for target, n in found}

    def retarget(self, target: str, *, states: Iterable[str] = (PENDING, IN_FLIGHT)) -> int:
        """Make rows in ``states`` this ``target``'s, on a person's explicit decision; returns how many moved."""
        wanted = tuple(states)
        marks = ", ".join("?" for _ in wanted)
        with self._transaction() as db:
            cursor = db.execute(
                f"UPDATE outbox SET target = ? WHERE state IN ({marks}) AND target IS NOT ?", (target, *wanted, target)
            )
            return cursor.rowcount

    def retry_dead(self, ids: Iterable[int] | None = None) -> int:
        """Move dead rows (all, or ``ids``) back to pending, due now; returns how many moved."""
        now = self.clock.time()
        with self._transaction() as db:
            if ids is None:
                cursor = db.execute(
                    "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ? "
                    "WHERE state = 'dead'",
                    (now, now),
                )
                return cursor.rowcount
            moved = 0
            for row_id in ids:
                cursor = db.execute(
                    "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ? "
                    "WHERE state = 'dead' AND id = ?",
                    (now, now, row_id),
                )
                moved += cursor.rowcount
            return moved

    def purge_done(self, older_than: float) -> int:
        """Delete done rows last updated more than ``older_than`` seconds ago; returns how many."""
        with self._transaction(durable=False) as db:
            cursor = db.execute(
                "DELETE FROM outbox WHERE state = 'done' AND updated_at < ?", (self.clock.time() - older_than,)
            )
            return cursor.rowcount

    # -- reading ------------------------------------------------------------------------------------------------
    def get(self, row_id: int) -> OutboxRow | None:
        with self._reading() as db:
            found = db.execute(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", (row_id,)).fetchone()
        return _row(found) if found is not None else None

    def rows(self, states: Iterable[str] | None = None, *, limit: int | None = None) -> list[OutboxRow]:
        """Rows in ``states`` (all states when None), oldest first."""
        wanted = tuple(states) if states is not None else STATES
        unknown = [s for s in wanted if s not in STATES]
        if unknown:
            raise ValueError(f"unknown outbox state(s) {', '.join(unknown)}; expected: {', '.join(STATES)}")
        marks = ", ".join("?" for _ in wanted)
        with self._reading() as db:
            found = db.execute(
                f"SELECT {_COLUMNS} FROM outbox WHERE state IN ({marks}) ORDER BY id LIMIT ?",
                (*wanted, -1 if limit is None else limit),
            ).fetchall()
        return [_row(r) for r in found]

    def counts(self) -> dict[str, int]:
        """Rows per state (every state present, zero when none)."""
        with self._reading() as db:
            found = dict(db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
        return {state: int(found.get(state, 0)) for state in STATES}
