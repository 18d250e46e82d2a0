"""Dead letters: every record a replay could not (or chose not to) apply, with why, ready for a retry.

One JSON object per line: the plan it came from, the item key, the original record (or the unreadable raw
record), the decision, the outcome kind as the reason class, the reason in words, the Genesys error envelope
and correlation id. ``replay retry`` reads this file back.

During a run, lines are appended, flushed and fsynced one by one, before the ledger records the item as finished,
so a crash loses none (a crash between the two can repeat a line; readers keep the newest per key). At the end of
each run the file is made current (``compact_dead_letters``): rewritten atomically (temporary file, fsync, rename)
with the newest entry per key, without the entries whose key the ledger now shows applied (or resolved on purpose,
by a retry). So after resumes it holds what is still not applied, not the history of every transient failure.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from wrapup_bridge.core.clock import utc_now
from wrapup_bridge.core.errors import WrapupBridgeError
from wrapup_bridge.core.limits import MAX_NESTING, NestingError, loads_json

__all__ = [
    "DEAD_LETTER_CLASSES",
    "Compaction",
    "DeadLetterError",
    "DeadLetterWriter",
    "compact_dead_letters",
    "read_dead_letters",
]

#: Outcome kinds (and plan actions) that land in the dead-letter file.
DEAD_LETTER_CLASSES = frozenset({"unmapped", "no-target", "rejected", "conflict", "failed", "invalid"})

#: Longest dead-letter line read (one record with its error body).
MAX_LINE_BYTES = 32 << 20
_NESTING = MAX_NESTING + 8


class DeadLetterError(WrapupBridgeError):
    """The dead-letter file cannot be written or read; the message names it (and the line)."""


class DeadLetterWriter:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.count = 0
        self._handle: IO[str] | None = None

    def check(self) -> None:
        """Make sure entries can be written (and the file rewritten when made current) before anything is applied:
        ``DeadLetterError`` otherwise. Leaves no file behind that was not there."""
        existed = self.path.exists()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8"):
                pass
        except OSError as exc:
            raise DeadLetterError(f"cannot write the dead letters to {self.path}: {exc.strerror or exc}") from None
        if not existed:
            self.path.unlink(missing_ok=True)
        if not os.access(self.path.parent, os.W_OK):
            raise DeadLetterError(
                f"cannot write the dead letters to {self.path}: its folder is not writable (the file is rewritten at "
                "the end of each run, to drop what has since applied)"
            )

    def write(self, entry: dict[str, Any]) -> None:
        entry = {"at": utc_now().isoformat(), **entry}
        line = json.dumps(entry, ensure_ascii=False, default=str) + "\n"
        try:
            if self._handle is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._handle = self.path.open("a", encoding="utf-8")
            self._handle.write(line)
            self._handle.flush()
            os.fsync(self._handle.fileno())
        except OSError as exc:
            raise DeadLetterError(f"cannot write the dead letters to {self.path}: {exc.strerror or exc}") from None
        self.count += 1

    def close(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):  # a failed flush was reported by write(); the ledger holds the rest
                self._handle.close()
            self._handle = None


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as handle:
        number = 0
        while raw := handle.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                raise DeadLetterError(
                    f"{path}:{number}: a line longer than {MAX_LINE_BYTES >> 20} MiB: not a dead letter"
                )
            yield number, raw


def _entry(raw: bytes) -> dict[str, Any] | str:
    """The entry of one line, or why it is not one."""
    try:
        value = loads_json(raw.decode("utf-8"), _NESTING)
    except UnicodeDecodeError as exc:
        return f"not UTF-8 text (byte {exc.start + 1} of the line)"
    except NestingError as exc:  # before JSONDecodeError: the nesting error is one too
        return str(exc)
    except json.JSONDecodeError as exc:
        return f"not JSON ({exc.msg} at column {exc.colno})"
    if not isinstance(value, dict):
        return f"a JSON {type(value).__name__}, not a dead-letter object"
    return value


def read_dead_letters(
    path: str | Path, *, torn: Callable[[str], None] | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, entry)`` for each entry; the newest line wins for a repeated key.

    A last line cut in the middle (a crash while it was written: its item is not finished in the ledger, so the next
    apply redoes it) is passed over, and said through ``torn``; any other line that is not an entry raises
    ``DeadLetterError`` naming the file and line (nothing is skipped silently)."""
    path = Path(path)
    latest: dict[str, tuple[int, dict[str, Any]]] = {}
    try:
        for line_no, raw in _lines(path):
            if not raw.strip():
                continue
            entry = _entry(raw)
            if isinstance(entry, str):
                if raw.endswith(b"\n"):
                    raise DeadLetterError(f"{path}:{line_no}: {entry}: the dead-letter file is damaged")
                if torn is not None:  # no newline: the last line, cut by a crash while it was written
                    torn(f"{path}:{line_no}: the last line was cut short (a crash while it was written); passed over")
                continue
            latest[str(entry.get("key") or f"line-{line_no}")] = (line_no, entry)
    except OSError as exc:
        raise DeadLetterError(f"{path}: cannot read the dead letters: {exc.strerror or exc}") from None
    yield from sorted(latest.values(), key=lambda pair: pair[0])


@dataclass(frozen=True)
class Compaction:
    """What making a dead-letter file current did."""

    kept: int
    resolved: int = 0  #: entries dropped because the ledger shows their key applied (or resolved on purpose)
    superseded: int = 0  #: older entries of a key with a newer one
    torn: int = 0  #: a cut last line (a crash artefact) dropped
    rewritten: bool = False

    @property
    def dropped(self) -> int:
        return self.resolved + self.superseded + self.torn


def compact_dead_letters(path: str | Path, resolved: Callable[[str], bool]) -> Compaction:
    """Rewrite ``path`` atomically with only what is still not applied: the newest entry per key, none whose key
    ``resolved`` says was applied (or resolved on purpose). Lines that are not entries are kept as they are (never
    lose what cannot be read), except a cut last line (a crash artefact). Nothing is rewritten when nothing would
    change. ``OSError`` when the file cannot be read or rewritten (the old file is then left as it was)."""
    path = Path(path)
    if not path.is_file():
        return Compaction(0)
    keys: list[str | None] = []
    newest: dict[str, int] = {}
    last_torn = False
    for line_no, raw in _lines(path):
        entry = _entry(raw) if raw.strip() else "blank"
        key = str(entry.get("key")) if isinstance(entry, dict) and entry.get("key") else None
        keys.append(key)
        if key is not None:
            newest[key] = line_no
        last_torn = isinstance(entry, str) and entry != "blank" and not raw.endswith(b"\n")
    done = {key for key in newest if resolved(key)}
    keep: list[bool] = []
    counts = {"resolved": 0, "superseded": 0, "torn": 0}
    for line_no, key in enumerate(keys, start=1):
        if key is None:
            torn = last_torn and line_no == len(keys)
            keep.append(not torn)
            counts["torn"] += torn
        elif newest[key] != line_no:
            keep.append(False)
            counts["superseded"] += 1
        elif key in done:
            keep.append(False)
            counts["resolved"] += 1
        else:
            keep.append(True)
    kept = sum(1 for k, flag in zip(keys, keep, strict=True) if flag and k is not None)
    if all(keep):
        return Compaction(kept)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as out:
            for line_no, raw in _lines(path):
                if line_no <= len(keep) and keep[line_no - 1] and raw.strip():
                    out.write(raw if raw.endswith(b"\n") else raw + b"\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    _fsync_folder(path.parent)
    return Compaction(kept, rewritten=True, **counts)


def _fsync_folder(folder: Path) -> None:
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass  # some file systems cannot fsync a folder; the rename is still atomic
    finally:
        os.close(handle)
