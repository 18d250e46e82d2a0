"""Legacy exports in, one result per record out: the one path from input files through an adapter.

Every job that reads exports (``replay plan``, ``normalize``, the mapping review's coverage, the demo) needs the
same three things, written here once so a setting, an input and a bad record mean the same thing everywhere:

- ``adapter_options``: a run's settings over the mapping table's ``source:`` section (and a preset under both);
- ``open_input``: an export opened for reading, strictly decoded (a wrong encoding stops with file, line and byte
  offset instead of turning ``Pagé`` into a code no rule matches);
- ``read_inputs``: every record of every input, as a ``Disposition`` or the ``AdapterError`` that says which record,
  where and why, with its raw text, so one bad row in a million is kept for a retry and the rest goes on.

Library code: errors are raised, never printed, and the caller (a CLI command, the demo, a test) decides what they
mean for it. ``OptionError`` is a setting that cannot be used, ``InputError`` an input that cannot be opened;
``wrapup_bridge.adapters.textinput.InputDecodeError`` (raised while reading) an input in another encoding.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, NamedTuple

from wrapup_bridge.core.errors import WrapupBridgeError

if TYPE_CHECKING:
    from wrapup_bridge.adapters import Adapter, AdapterError, AdapterOptions
    from wrapup_bridge.adapters.fields import FieldMap
    from wrapup_bridge.core.disposition import Disposition
    from wrapup_bridge.core.mapping import MappingTable

__all__ = [
    "STDIN",
    "InputError",
    "InputRecord",
    "OptionError",
    "adapter_options",
    "build_adapter",
    "check_encoding",
    "open_input",
    "read_inputs",
    "shown_name",
]

#: The input name that means standard input.
STDIN = "-"


class OptionError(WrapupBridgeError, ValueError):
    """A setting of the run or of the table's ``source:`` cannot be used (an unknown encoding, format or preset, a
    conversation id placed twice, an option the input's format has no use for): nothing is read with it."""


class InputError(WrapupBridgeError, OSError):
    """An input cannot be opened: it does not exist, is not a file, or cannot be read."""


class InputRecord(NamedTuple):
    """One record of one input: the ``Disposition`` read, or the ``AdapterError`` that says why it could not be
    (with the record's position, its raw text and a rejects-file line: ``to_json_dict()``)."""

    input: str
    result: Disposition | AdapterError

    @property
    def rejected(self) -> bool:
        from wrapup_bridge.core.disposition import Disposition

        return not isinstance(self.result, Disposition)


def shown_name(name: str) -> str:
    """How an input is named in records and messages (``<stdin>`` for ``-``)."""
    return "<stdin>" if name == STDIN else name


def check_encoding(encoding: str) -> str:
    """The canonical name of a declared encoding, checked before any input is opened (``OptionError``)."""
    from wrapup_bridge.core.encodings import check_encoding as canonical

    try:
        return canonical(encoding)
    except ValueError as exc:
        raise OptionError(f"--encoding: {exc}") from None


def adapter_options(
    table: MappingTable | None = None,
    platform: str | None = None,
    *,
    format: str | None = None,
    conversation_id_field: str | None = None,
    catalog: str | None = None,
    fields: Iterable[str] | FieldMap = (),
    timezone: str | None = None,
    time_format: str | None = None,
    date_order: str | None = None,
    region: str | None = None,
    encoding: str | None = None,
    preset: str | None = None,
) -> AdapterOptions:
    """The adapter options of one run: the run's settings (None: not given) over the table's ``source:`` section,
    both over a preset (the run's, else the table's; checked against ``platform``).

    ``fields``: a ``FieldMap`` or ``KEY=PLACE`` assignments as ``--field`` takes them. A table's ``catalog`` is read
    relative to the table's folder. Raises ``OptionError`` naming the setting that cannot be used."""
    from wrapup_bridge.adapters import FieldMap, options_for

    try:
        field_map = fields if isinstance(fields, FieldMap) else FieldMap.from_assignments(fields)
        return options_for(
            table.source if table is not None else None,
            table_dir=str(Path(table.name).parent) if table is not None else None,
            format=format,
            conversation_id_field=conversation_id_field,
            catalog=catalog,
            fields=field_map,
            timezone=timezone,
            time_format=time_format,
            date_order=date_order,
            region=region,
            encoding=check_encoding(encoding) if encoding else None,
            preset=preset,
            platform=platform,
        )
    except OptionError:
        raise
    except ValueError as exc:
        raise OptionError(str(exc)) from None


def build_adapter(source: str, options: AdapterOptions | None = None) -> Adapter:
    """The adapter for ``source`` with ``options``; ``OptionError`` for options it cannot take (an unknown format is
    named by its option, ``--format``, on every platform)."""
    from wrapup_bridge.adapters import AdapterError, get_adapter

    try:
        return get_adapter(source, options)
    except AdapterError as exc:
        raise OptionError(f"--{exc.field}: {exc.message}" if exc.field == "format" else str(exc)) from None
    except (ValueError, OSError) as exc:  # an unknown source; a catalog side file that cannot be read
        raise OptionError(str(exc)) from None


@contextmanager
def open_input(name: str, encoding: str | None = None) -> Iterator[IO[str]]:
    """An export opened for reading: ``-`` is stdin; decoded strictly in ``encoding`` (UTF-8, BOM tolerated, by
    default), so bytes in another encoding raise ``InputDecodeError`` (file, line, byte offset and the encoding to
    declare) when they are read; universal newlines off, so the CSV reader sees CRLF and quoted line breaks."""
    from wrapup_bridge.adapters.textinput import decoded

    if encoding is not None:
        check_encoding(encoding)
    if name == STDIN:
        yield decoded(sys.stdin.buffer, name=shown_name(name), encoding=encoding)
        return
    path = Path(name)
    if not path.is_file():
        raise InputError(f"input {name!r} does not exist or is not a file")
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read input {name!r}: {exc.strerror or exc}") from exc
    with raw:
        yield decoded(raw, name=name, encoding=encoding)


def read_inputs(adapter: Adapter, inputs: Iterable[str], *, encoding: str | None = None) -> Iterator[InputRecord]:
    """Stream every record of every input through ``adapter``, in order: each is yielded, read or rejected, never
    dropped. An option the adapter finds it cannot use once it sees an input's format is an ``OptionError``."""
    from wrapup_bridge.adapters import AdapterOptionError

    for name in inputs:
        with open_input(name, encoding) as stream:
            try:
                for result in adapter.read(stream, name=shown_name(name)):
                    yield InputRecord(name, result)
            except AdapterOptionError as exc:
                raise OptionError(str(exc)) from None
