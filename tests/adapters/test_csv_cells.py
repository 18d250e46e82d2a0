"""``iter_csv_cells`` (issue 14: rows as lists, for a reader that maps cells once per header) and the
``iter_csv_rows`` now built on it give the rows, ``BadRow``s and line numbers the row reader gave before: held
against that reader, kept here verbatim, on generated CSV text (quotes, blank and short and long rows, CR, LF and
CRLF, a BOM, a file cut inside a quoted field)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import IO

from hypothesis import example, given, settings
from hypothesis import strategies as st

from wrapup_bridge.adapters._common import (
    _RAW_KEPT,
    BadRow,
    _csv_problem,
    _ends_inside_quotes,
    _raw,
    _short_row,
    iter_csv_cells,
    iter_csv_rows,
    row_dict,
)


def reference_rows(stream: IO[str]) -> Iterator[tuple[int, list[str], dict[str, str] | BadRow]]:
    """``iter_csv_rows`` as it was before issue 14 (commit 2f58d55), word for word."""
    consumed: list[str] = []

    def lines() -> Iterator[str]:
        for text in stream:
            consumed.append(text if len(text) <= _RAW_KEPT else text[:_RAW_KEPT])
            yield text

    reader = csv.reader(lines())
    header: list[str] | None = None
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
        if header is None:
            if not any(c.strip() for c in cells):
                continue
            header = [c.lstrip("\ufeff").strip() for c in cells]
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < len(header):
            problem = _short_row(cells, header, row_line, reader.line_num)
            yield row_line, header, BadRow(row_line, problem, _raw(consumed))
            continue
        if sum(text.count('"') for text in consumed) % 2 and _ends_inside_quotes(raw := _raw(consumed)):
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
        row = {name: cells[i] for i, name in enumerate(header)}
        for extra in range(len(header), len(cells)):
            row[f"_extra_{extra - len(header) + 1}"] = cells[extra]
        yield row_line, header, row


def read_all(reader: object, text: str) -> list[object] | tuple[str, str]:
    try:
        return list(reader(io.StringIO(text, newline="")))  # type: ignore[operator]
    except csv.Error as exc:
        return ("csv.Error", str(exc))


#: Pieces CSV text is made of: cells, separators, quotes in and around cells, every kind of line end, spacing.
PIECES = st.sampled_from(
    ["a", "Sale", "", " ", "\t", ",", ",,", '"', '""', '"x,y"', '"multi\nline"', '5" screen', "\n", "\r\n", "\r",
     "\ufeff", "ü", "CALL ID", "\x00"]
)  # fmt: skip


@settings(max_examples=500)
@given(st.lists(PIECES, max_size=40).map("".join))
# a row over two lines whose first line alone has an even count of quotes, cut inside its second quoted field
@example('A,B,C,D\n5" x,"open\nend",z"z,"open again')
def test_rows_and_bad_rows_are_those_the_row_reader_gave(text: str) -> None:
    expected = read_all(reference_rows, text)
    assert read_all(iter_csv_rows, text) == expected
    if isinstance(expected, tuple):
        assert read_all(iter_csv_cells, text) == expected
    else:
        rebuilt = [
            (line, header, row_dict(header, row) if isinstance(row, list) else row)
            for line, header, row in iter_csv_cells(io.StringIO(text, newline=""))
        ]
        assert rebuilt == expected


def test_cells_of_a_whole_row_are_at_least_as_many_as_the_header() -> None:
    text = "A,B,C\n1,2,3\n4,5,6,7\n8,9\n"
    rows = list(iter_csv_cells(io.StringIO(text, newline="")))
    assert [row for _, _, row in rows[:2]] == [["1", "2", "3"], ["4", "5", "6", "7"]]
    assert isinstance(rows[2][2], BadRow)
    assert row_dict(["A", "B", "C"], ["4", "5", "6", "7"]) == {"A": "4", "B": "5", "C": "6", "_extra_1": "7"}
