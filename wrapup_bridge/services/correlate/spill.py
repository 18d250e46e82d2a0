"""Records waiting to be correlated, kept on disk by UTC day so that memory stays flat in the record count.

Exports come in any order (a Five9 report sorted by campaign, several files of one period); the search goes day
by day (the sync details query answers whole UTC days). Holding every record until its day comes up would make a
run's memory grow with the export, so each is written to a scratch SQLite file and read back one day at a time, in
time order. The file is scratch: no journal, no fsync, deleted when the run ends however it ends.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from wrapup_bridge.core.disposition import Disposition

__all__ = ["RecordSpill", "SpilledRecord"]

SpilledRecord = tuple[str | None, Disposition]


class RecordSpill:
    """``add`` records as they are read; ``days()`` then ``records(day)`` in time order. ``folder``: where the
    scratch file goes (the system's temporary folder by default)."""

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        handle, name = tempfile.mkstemp(prefix="wrapup-bridge-correlate-", suffix=".sqlite", dir=folder)
        os.close(handle)
        self.path = Path(name)
        self.count = 0
        self._db = sqlite3.connect(self.path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute(
            "CREATE TABLE records (day TEXT NOT NULL, t REAL NOT NULL, n INTEGER PRIMARY KEY, input TEXT, record TEXT)"
        )
        self._db.execute(
            "CREATE TABLE seen (source TEXT, source_id TEXT, PRIMARY KEY (source, source_id)) WITHOUT ROWID"
        )
        self._db.execute("BEGIN")

    def first_time(self, source: str, source_id: str) -> bool:
        """Remember the record (source, source_id); False when it was met before (overlapping exports list a record
        twice, and a correlation file holds one row per record). On disk, like the records: memory stays flat."""
        return self._db.execute("INSERT OR IGNORE INTO seen VALUES (?, ?)", (source, source_id)).rowcount == 1

    def add(self, when: datetime, input_name: str | None, disposition: Disposition) -> None:
        """Keep ``disposition`` under the UTC day of ``when`` (aware; any offset)."""
        self.count += 1
        day = when.astimezone(UTC).date().isoformat()
        self._db.execute(
            "INSERT INTO records VALUES (?, ?, ?, ?, ?)",
            (day, when.timestamp(), self.count, input_name, json.dumps(disposition.to_json_dict())),
        )

    def days(self) -> list[date]:
        """The UTC days that have records, oldest first (ends the writing)."""
        if self._db.in_transaction:
            self._db.execute("COMMIT")
            self._db.execute("CREATE INDEX by_day ON records (day, t, n)")
        return [date.fromisoformat(row[0]) for row in self._db.execute("SELECT DISTINCT day FROM records ORDER BY day")]

    def records(self, day: date) -> Iterator[SpilledRecord]:
        """The records of ``day`` in time order (ties in the order they were read)."""
        rows = self._db.execute("SELECT input, record FROM records WHERE day = ? ORDER BY t, n", (day.isoformat(),))
        for input_name, text in rows:
            yield input_name, Disposition.model_validate(json.loads(text))

    def close(self) -> None:
        self._db.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
