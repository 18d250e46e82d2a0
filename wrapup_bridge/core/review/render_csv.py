"""The review's rule table as CSV, for spreadsheets: one row per rule, in file order, with its hits.

Columns: ``rule, line, when, action, code_alias, code_name, code_id, skip_reason, notes, hits, share, findings``
(``hits``/``share`` empty without history; ``findings`` lists ``severity kind`` pairs for that rule, ``; ``-joined).
A cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'`` so a spreadsheet
shows it as text instead of running it as a formula.
"""

from __future__ import annotations

import csv
import io

from wrapup_bridge.core.review.report import ReviewReport

__all__ = ["CSV_COLUMNS", "render_csv"]

CSV_COLUMNS = (
    "rule",
    "line",
    "when",
    "action",
    "code_alias",
    "code_name",
    "code_id",
    "skip_reason",
    "notes",
    "hits",
    "share",
    "findings",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def render_csv(report: ReviewReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in report.rule_rows():
        writer.writerow(
            [
                _cell(value)
                for value in (
                    row.number,
                    row.line,
                    row.when,
                    row.action,
                    row.alias,
                    row.code_name,
                    row.code_id,
                    row.skip_reason,
                    row.notes,
                    row.hits,
                    f"{row.share:.6f}" if row.share is not None else None,
                    "; ".join(f"{f.severity.value} {f.kind.value}" for f in row.findings),
                )
            ]
        )
    return out.getvalue()
