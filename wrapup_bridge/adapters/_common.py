"""Reading helpers shared by the adapters: JSON documents and CSV files with record positions kept.

Every record carries where it came from ("line 7", "row 12") so an error can say so.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import yaml

from wrapup_bridge.adapters.base import AdapterError
from wrapup_bridge.core.limits import NestingError, loads_json
from wrapup_bridge.core.yamlsource import MAX_YAML_NODES, locate_yaml

__all__ = [
    "BadRow",
    "get_path",
    "iter_csv_cells",
    "iter_csv_rows",
    "iter_json_records",
    "read_side_file",
    "row_dict",
    "text_or_none",
]

# Exports carry long free-text notes; the stdlib default (128 KiB) is enough for any real one, but make the
# limit explicit so a corrupt file fails with a clear error instead of a surprise.
csv.field_size_limit(16 * 1024 * 1024)


def get_path(obj: Any, path: str) -> Any:
    """Follow a dotted path (``conversations.outcome``) through nested mappings; None when any step is missing.

    A key that itself contains dots (``call.disposition_name`` as a flat form parameter) is tried whole first.
    """
    if isinstance(obj, Mapping) and path in obj:
        return obj[path]
    current: Any = obj
    for part in path.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return None
        current = current[part]
    return current


def text_or_none(value: Any) -> str | None:
    """A scalar as text, or None for missing/blank; containers are rendered as compact JSON."""
    if value is None:
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = value
    elif isinstance(value, int | float):
        text = str(value)
    else:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text if text.strip() else None


def iter_json_records(stream: IO[str]) -> Iterator[tuple[str, Any]]:
    """Yield ``(position, value)`` for each record of a JSON document or JSON-lines file.

    Accepts one JSON object, a JSON array of objects, or one JSON value per line. Positions are "item N" for
    arrays and "line N" for JSON lines. A line that is not JSON (or is nested past ``MAX_NESTING``) is yielded
    as ``(position, JSONDecodeError)`` so the caller can report it and go on.
    """
    text = stream.read()
    if text.startswith("\ufeff"):
        text = text[1:]
    stripped = text.strip()
    if not stripped:
        return
    if stripped[0] in "[{":
        try:
            doc = loads_json(stripped)
        except json.JSONDecodeError:  # nesting past the bound too (loads_json's JsonNestingError is one)
            doc = None  # not one document: fall through to JSON lines
        else:
            if isinstance(doc, list):
                for index, item in enumerate(doc, start=1):
                    yield f"item {index}", item
            else:
                yield "line 1", doc
            return
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = loads_json(line)
        except json.JSONDecodeError as exc:
            yield f"line {line_no}", exc
        else:
            yield f"line {line_no}", value


@dataclass(frozen=True)
class BadRow:
    """A CSV row that cannot be read whole: where it starts, why, and its text as in the file (for a retry)."""

    line: int
    reason: str
    raw: str


def iter_csv_rows(stream: IO[str]) -> Iterator[tuple[int, list[str], dict[str, str] | BadRow]]:
    """Yield ``(line_number, header, row)`` for each data row of a CSV file; a row that is not whole is a
    ``BadRow`` in its place, and reading goes on after it.

    Tolerates a UTF-8 BOM, CRLF line ends and quoted fields spanning lines; the line number is where the row
    starts in the file, as a person would find it in an editor. Long rows keep their extra cells under
    ``"_extra_N"`` so nothing is silently dropped. Not whole, so rejected rather than read with blanks: a row
    with fewer cells than the header (a file cut in the middle of its last row, a line break in an unquoted
    field), a file ending inside a quoted field, a field over the size limit. A header the csv module cannot
    read raises ``csv.Error``.
    """
    for line, header, cells in iter_csv_cells(stream):
        yield line, header, cells if isinstance(cells, BadRow) else row_dict(header, cells)


def row_dict(header: list[str], cells: list[str]) -> dict[str, str]:
    """One row of ``iter_csv_cells`` as ``iter_csv_rows`` gives it: header name -> cell, extra cells under
    ``"_extra_N"``."""
    row = dict(zip(header, cells, strict=False))
    for extra in range(len(header), len(cells)):
        row[f"_extra_{extra - len(header) + 1}"] = cells[extra]
    return row


def iter_csv_cells(stream: IO[str]) -> Iterator[tuple[int, list[str], list[str] | BadRow]]:
    """``iter_csv_rows`` with each whole row as its list of cells (at least as many as the header), for a reader
    that maps cells to its own keys once per header instead of building a dict per row (``row_dict`` builds the
    one ``iter_csv_rows`` gives). Same rows, same ``BadRow``s, same line numbers."""
    consumed: list[str] = []
    append = consumed.append

    def lines() -> Iterator[str]:
        for text in stream:
            append(text if len(text) <= _RAW_KEPT else text[:_RAW_KEPT])
            yield text

    reader = csv.reader(lines())
    header: list[str] | None = None
    width = 0
    line_start = 1
    while True:
        consumed.clear()
        row_line = line_start
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line_start = reader.line_num + 1
            if header is None:
                raise
            yield row_line, header, BadRow(row_line, _csv_problem(exc), _raw(consumed))
            continue
        line_start = reader.line_num + 1
        # A blank row (no cell with anything but spacing) is skipped; the first cell usually settles it.
        if not cells or (not cells[0].strip() and not any(c.strip() for c in cells)):
            continue
        if header is None:
            header = [c.lstrip("\ufeff").strip() for c in cells]
            width = len(header)
            continue
        if len(cells) < width:
            problem = _short_row(cells, header, row_line, reader.line_num)
            yield row_line, header, BadRow(row_line, problem, _raw(consumed))
            continue
        # Only a row with an odd count of quotes can be cut inside one; the row's text is joined only for those.
        quotes = consumed[0].count('"') if len(consumed) == 1 else sum(text.count('"') for text in consumed)
        if quotes % 2 and _ends_inside_quotes(raw := _raw(consumed)):
            yield (
                row_line,
                header,
                BadRow(
                    row_line,
                    "the file ends inside a quoted field that opens in this row: the row is cut short "
                    "(a truncated file, or a quote that is never closed)",
                    raw,
                ),
            )
            continue
        yield row_line, header, cells


#: Text of a rejected row kept for the rejects file (a 50 MB field is not copied whole).
_RAW_KEPT = 64 * 1024


def _raw(consumed: list[str]) -> str:
    text = "".join(consumed)
    return text if len(text) <= _RAW_KEPT else text[:_RAW_KEPT] + f"... [cut at {_RAW_KEPT} characters]"


def _csv_problem(exc: csv.Error) -> str:
    message = str(exc)
    if "field larger than field limit" in message:
        return (
            f"a field is larger than {csv.field_size_limit() // (1024 * 1024)} MB, which no real export holds "
            "(a quote that is never closed, or a binary file?); the row is rejected and reading goes on"
        )
    if "new-line character seen in unquoted field" in message:
        return (
            "a line break (a lone carriage return) inside a field that is not quoted: the row cannot be read "
            "whole; it is rejected and reading goes on"
        )
    return f"the row cannot be parsed as CSV ({message}); it is rejected and reading goes on"


def _short_row(cells: list[str], header: list[str], line: int, last_line: int) -> str:
    spans = f" (lines {line}-{last_line})" if last_line > line else ""
    return (
        f"the row has {len(cells)} of the header's {len(header)} columns{spans}: it is cut short (a file cut in the "
        f"middle of a row, or a line break in a field that is not quoted); the first missing column is "
        f"{header[len(cells)]!r}"
    )


def _ends_inside_quotes(raw: str) -> bool:
    """Whether ``raw`` (one record's text) runs out inside a quoted field; an odd count of quotes alone is not
    enough (``5" screen`` in an unquoted field is a literal quote)."""
    try:
        for _ in csv.reader(io.StringIO(raw), strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def read_side_file(path: str, error: type[AdapterError], what: str) -> Any:
    """Parse a side file an adapter joins records with (a disposition catalog): JSON by extension, else YAML (PyYAML's
    safe types, within the nesting and node bounds every YAML input has: ``core.yamlsource``).

    Problems raise ``error`` (the adapter's own type) naming the file and, where the parser knows it, the line.
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(
            f"cannot read the {what}: byte {exc.start} is not UTF-8 (is it a binary file, or saved in another "
            "encoding? save it as UTF-8 JSON or YAML)",
            input_name=path,
        ) from None
    except OSError as exc:
        raise error(f"cannot read the {what}: {exc.strerror or exc}", input_name=path) from None
    try:
        if path.lower().endswith(".json"):
            return loads_json(text)
        located = locate_yaml(text, typed=True)
    except json.JSONDecodeError as exc:
        raise error(f"not valid JSON: {exc.msg}", record=f"line {exc.lineno}", input_name=path) from None
    except (RecursionError, NestingError):
        raise error(f"not read: {NestingError()}", input_name=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        record = f"line {mark.line + 1}" if mark is not None else None
        raise error(f"not valid YAML: {exc}", record=record, input_name=path) from None
    if located.exceeded == "depth":
        raise error(f"not read: {NestingError()}", input_name=path)
    if located.exceeded == "size":  # no line: where the count ran over is inside some alias, not where it is used
        raise error(
            f"not read: more than {MAX_YAML_NODES:,} nodes once its aliases are expanded, which no {what} is",
            input_name=path,
        )
    return located.value
