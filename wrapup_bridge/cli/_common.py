"""Small helpers the sub-commands share: exit codes, JSON lines, and error reporting (inputs are opened by
``services.inputs``, their errors turned into exit codes by ``cli._adapters.input_errors``)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, TypeVar, Unpack

import click

if TYPE_CHECKING:
    from wrapup_bridge.core.mapping import MappingTable
    from wrapup_bridge.genesys.settings import GenesysOverrides
    from wrapup_bridge.services.target import Connection

__all__ = [
    "EXIT_OK",
    "EXIT_PROBLEMS",
    "EXIT_USAGE",
    "MAX_ERRORS_SHOWN",
    "JsonLinesWriter",
    "SetupError",
    "fail_setup",
    "fail_usage",
    "load_or_exit",
    "run_on_target",
    "stderr",
]

EXIT_OK = 0  #: all good
EXIT_PROBLEMS = 1  #: the command ran and found problems (rejected records, broken table, unmapped values...)
EXIT_USAGE = 2  #: bad arguments or configuration

#: Unreadable records printed on stderr before the rest is only counted (all are kept in the rejects file).
MAX_ERRORS_SHOWN = 20

T = TypeVar("T")


def stderr(message: str) -> None:
    click.echo(message, err=True)


def fail_usage(message: str) -> NoReturn:
    """Stop with exit code 2 and a one-line reason, after the command's usage line (a wrong argument)."""
    raise click.UsageError(message)


class SetupError(click.ClickException):
    """The command cannot run as set up (an unreadable or unwritable file, a wrong encoding, an unreachable or
    refusing target): ``Error: <message>`` and exit 2, without the usage text that would suggest a typo.

    Deliberately not a ``WrapupBridgeError``: it is click's way out of a command (click prints it and exits),
    made by the CLI from the library's errors; the library never raises it and its callers never see it."""

    exit_code = 2


def fail_setup(message: str) -> NoReturn:
    """Stop with exit code 2 and one clear message about the set-up (files, encodings, targets)."""
    raise SetupError(message)


class JsonLinesWriter:
    """JSON objects one per line, flushed per record (or per batch of records given to ``write_lines``) so a crash
    loses at most the lines being written, never half a line written before.

    A named file holds this run's lines only: one left by an earlier run is emptied at the start (a rejects file
    holds this run's rejects, not every run's), a new one is only created when there is something to write, and
    an unwritable path fails before anything is read, with ``what`` naming the file's role."""

    def __init__(self, path: str | None, *, default: TextIO | None = None, what: str = "output file") -> None:
        self.path = path
        self.what = what
        self.count = 0
        self._handle: TextIO | None = default
        self._owned = False
        self._failed = False
        if default is None and path is not None:
            target = Path(path)
            if target.exists() or target.is_symlink():
                self._open()
            elif not target.parent.is_dir():
                fail_setup(f"cannot write the {what} {path}: {target.parent} is not a folder")
            elif not os.access(target.parent, os.W_OK):
                fail_setup(f"cannot write the {what} {path}: the folder is not writable")

    def _open(self) -> None:
        try:
            self._handle = Path(str(self.path)).open("w", encoding="utf-8")  # noqa: SIM115 - closed in close()
        except OSError as exc:
            fail_setup(f"cannot write the {self.what} {self.path}: {exc.strerror or exc}")
        self._owned = True

    def write(self, obj: dict[str, Any]) -> None:
        self.write_lines([json.dumps(obj, ensure_ascii=False, default=str)])

    def write_lines(self, lines: list[str]) -> None:
        """JSON objects already encoded as ``write`` encodes them (``json.dumps(obj, ensure_ascii=False,
        default=str)``), each without its newline: one write and one flush for all of them."""
        if not lines:
            return
        if self._handle is None:
            if self.path is None:
                raise RuntimeError("no destination for JSON lines")
            self._open()
        assert self._handle is not None
        try:
            self._handle.write("\n".join(lines) + "\n")
            self._handle.flush()
        except OSError as exc:
            self._failed = True
            fail_setup(f"cannot write the {self.what} {self.path or '<stdout>'}: {exc.strerror or exc}")
        self.count += len(lines)

    def close(self) -> None:
        handle, self._handle = self._handle, None
        if self._owned and handle is not None:
            try:
                handle.close()
            except OSError as exc:
                if not self._failed:  # a failure already reported by write() is not reported twice
                    fail_setup(f"cannot write the {self.what} {self.path}: {exc.strerror or exc}")


def load_or_exit(path: str) -> MappingTable:
    """Load a table or print every problem with file:line and exit 2 (a broken table is a configuration error)."""
    from wrapup_bridge.core.mapping import MappingTableError, load_mapping

    try:
        return load_mapping(path)
    except MappingTableError as exc:
        stderr(str(exc))
        sys.exit(EXIT_USAGE)


def run_on_target(
    target: str,
    org: Path | None,
    work: Callable[[Connection], Awaitable[T]],
    *,
    budget: float | None = None,
    **overrides: Unpack[GenesysOverrides],
) -> T:
    """Run the async ``work`` of a command on a connection to its ``--target``/``--org``: a target that cannot be
    set up, and a Genesys failure, end the command with their exit code and one ``Error:`` line, never a
    traceback (anything else is re-raised as the bug it is)."""
    import asyncio

    from wrapup_bridge.cli._genesys import connect, fail_genesys

    async def run() -> T:
        async with connect(target, org, budget=budget, **overrides) as connection:
            return await work(connection)

    try:
        return asyncio.run(run())
    except Exception as exc:  # GenesysError explained, anything else (click's exits included) re-raised
        fail_genesys(exc)
