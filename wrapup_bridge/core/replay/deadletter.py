"""Dead letters: every record a replay could not (or chose not to) apply, with why, ready for a retry.

One JSON object per line: the plan it came from, the item key, the original record (or the unreadable raw
record), the decision, the outcome kind as the reason class, the reason in words, the Genesys error envelope
and correlation id. ``replay retry`` reads this file back; lines are flushed and fsynced one by one, so a crash
loses none (a crash between writing a line and recording it in the ledger can repeat a line; retry dedups by key).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

__all__ = ["DEAD_LETTER_CLASSES", "DeadLetterWriter", "read_dead_letters"]

#: Outcome kinds (and plan actions) that land in the dead-letter file.
DEAD_LETTER_CLASSES = frozenset({"unmapped", "no-target", "rejected", "conflict", "failed", "invalid"})


class DeadLetterWriter:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.count = 0
        self._handle: IO[str] | None = None

    def write(self, entry: dict[str, Any]) -> None:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("a", encoding="utf-8")
        entry = {"at": datetime.now(UTC).isoformat(), **entry}
        self._handle.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self.count += 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def read_dead_letters(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, entry)`` for each readable line; the newest line wins for a repeated key."""
    latest: dict[str, tuple[int, dict[str, Any]]] = {}
    with Path(path).open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue  # a torn last line after a crash
            if isinstance(entry, dict):
                latest[str(entry.get("key") or f"line-{line_no}")] = (line_no, entry)
    yield from sorted(latest.values(), key=lambda pair: pair[0])
