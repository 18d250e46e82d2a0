"""Retrying dead letters: the records of a dead-letter file planned and applied again, after the cause was fixed.

A retry is a plan of its own (with its ledger and dead letters), so it is reviewable and resumable like any other.
Afterwards the retried file keeps only what the retry did not resolve, so it always lists what is still not
applied, and a second retry does not try again what the first one settled.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wrapup_bridge.services.replay.errors import ReplayError

if TYPE_CHECKING:
    from wrapup_bridge.adapters import Adapter
    from wrapup_bridge.core.replay.pipeline import SourceRecord
    from wrapup_bridge.services.replay.paths import ReplayPaths

__all__ = ["DeadLetterRecords", "drop_resolved"]

_log = logging.getLogger(__name__)


class DeadLetterRecords:
    """The records of a dead-letter file, as a plan's source records: a record that was read is planned again; a
    raw one is read again with ``source``'s adapter (after a fix of the table's ``source:`` or of the adapter);
    what still cannot be read stays invalid, with its reason.

    Iterating remembers which dead-letter line each key came from (``keys_by_line``), for ``drop_resolved``. A
    damaged file raises ``ReplayError`` (nothing is retried); a torn last line is skipped, told to ``warn``."""

    def __init__(self, path: Path, source: str | None = None, *, warn: Callable[[str], None] | None = None) -> None:
        self.path = path
        self.source = source
        self.warn = warn or _log.warning
        self.read = 0
        self.keys_by_line: dict[int, str] = {}

    def __iter__(self) -> Iterator[SourceRecord]:
        from wrapup_bridge.core.replay.deadletter import DeadLetterError, read_dead_letters
        from wrapup_bridge.services.inputs import build_adapter

        adapter = build_adapter(self.source) if self.source else None
        try:
            for line_no, entry in read_dead_letters(self.path, torn=self.warn):
                self.read += 1
                if entry.get("key"):
                    self.keys_by_line[line_no] = str(entry["key"])
                yield _record(line_no, entry, adapter)
        except DeadLetterError as exc:
            raise ReplayError(f"{exc}. Nothing was retried.") from exc


def _record(line_no: int, entry: dict[str, Any], adapter: Adapter | None) -> SourceRecord:
    from wrapup_bridge.adapters import AdapterError
    from wrapup_bridge.core.disposition import Disposition
    from wrapup_bridge.core.replay.pipeline import Invalid

    where = f"line {line_no}"
    raw_input = entry.get("input")
    name = raw_input if isinstance(raw_input, str) else None
    record = entry.get("record")
    if isinstance(record, dict):
        try:
            return name, where, Disposition.model_validate(record)
        except ValueError as exc:
            return name, where, Invalid(f"dead letter {where}: not a record: {exc}", raw=record)
    raw = entry.get("raw")
    if adapter is not None and isinstance(raw, dict):
        try:
            return name, where, adapter.from_payload(raw, ref=where)
        except AdapterError as exc:
            return name, where, Invalid(str(exc), raw=raw)
        except ValueError as exc:
            return name, where, Invalid(f"dead letter {where}: {exc}", raw=raw)
    return name, where, Invalid(str(entry.get("reason") or "unreadable record"), raw=raw)


def drop_resolved(dead_letter_file: Path, paths: ReplayPaths, keys_by_line: dict[int, str]) -> int:
    """Drop from the retried ``dead_letter_file`` the entries the retry of ``paths`` resolved (its ledger shows
    them applied, already there, or skipped on purpose); how many were dropped. ``ReplayError`` when the file
    cannot be rewritten: it then keeps every entry (a later retry finds them applied), nothing is lost."""
    from wrapup_bridge.core.replay.deadletter import DeadLetterError, compact_dead_letters
    from wrapup_bridge.core.replay.ledger import LedgerError
    from wrapup_bridge.core.replay.plan import PlanError

    if not keys_by_line or not paths.plan.is_file() or not paths.ledger.is_file():
        return 0
    try:
        done = _resolved_lines(paths)
        retried = {keys_by_line[line] for line, resolved in done.items() if resolved and line in keys_by_line}
        if not retried:
            return 0
        return compact_dead_letters(dead_letter_file, lambda key: key in retried).resolved
    except (OSError, PlanError, LedgerError, DeadLetterError, ValueError, sqlite3.Error) as exc:
        raise ReplayError(f"{dead_letter_file} still lists the records this retry applied: {exc}") from exc


def _resolved_lines(paths: ReplayPaths) -> dict[int, bool]:
    """Per dead-letter line the retry plan came from, whether the retry's ledger shows its item resolved."""
    from wrapup_bridge.core.replay.ledger import State, connect_existing
    from wrapup_bridge.core.replay.plan import open_plan
    from wrapup_bridge.services.replay.apply import RESOLVED

    plan = open_plan(paths.plan, check_items=False)
    db = connect_existing(paths.ledger)
    try:
        out: dict[int, bool] = {}
        for item in plan.items():
            position = item.position or ""
            if not position.startswith("line ") or not position.removeprefix("line ").isdigit():
                continue
            row = db.execute("SELECT state, outcome FROM items WHERE key=?", (item.key,)).fetchone()
            out[int(position.removeprefix("line "))] = (
                row is not None and row[0] == State.DONE.value and row[1] in RESOLVED
            )
        return out
    finally:
        db.close()
