"""Small helpers the sub-commands share: exit codes, input opening, JSON lines, and error reporting."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NoReturn, TextIO

import click

__all__ = [
    "EXIT_OK",
    "EXIT_PROBLEMS",
    "EXIT_USAGE",
    "MAX_ERRORS_SHOWN",
    "JsonLinesWriter",
    "fail_usage",
    "open_input",
    "stderr",
]

EXIT_OK = 0  #: all good
EXIT_PROBLEMS = 1  #: the command ran and found problems (rejected records, broken table, unmapped values...)
EXIT_USAGE = 2  #: bad arguments or configuration

#: Unreadable records printed on stderr before the rest is only counted (all are kept in the rejects file).
MAX_ERRORS_SHOWN = 20


def stderr(message: str) -> None:
    click.echo(message, err=True)


def fail_usage(message: str) -> NoReturn:
    """Stop with exit code 2 and a one-line reason."""
    raise click.UsageError(message)


@contextmanager
def open_input(name: str) -> Iterator[IO[str]]:
    """Open a legacy export for reading: ``-`` is stdin; UTF-8 with a BOM tolerated; universal newlines off so
    the CSV reader sees CRLF itself."""
    if name == "-":
        yield sys.stdin
        return
    path = Path(name)
    if not path.is_file():
        fail_usage(f"input {name!r} does not exist or is not a file")
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as handle:
        yield handle


class JsonLinesWriter:
    """Append JSON objects one per line, flushed per record so a crash loses at most the line being written."""

    def __init__(self, path: str | None, *, default: TextIO | None = None) -> None:
        self.path = path
        self.count = 0
        self._handle: TextIO | None = default
        self._owned = False

    def write(self, obj: dict[str, Any]) -> None:
        if self._handle is None:
            if self.path is None:
                raise RuntimeError("no destination for JSON lines")
            self._handle = Path(self.path).open("a", encoding="utf-8")  # noqa: SIM115 - closed in close()
            self._owned = True
        self._handle.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
        self._handle.flush()
        self.count += 1

    def close(self) -> None:
        if self._owned and self._handle is not None:
            self._handle.close()
        self._handle = None
