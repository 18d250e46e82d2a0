"""The review's rule table as CSV, for spreadsheets: one row per rule, in file order, with its hits; and the
report's Correlation section as a second CSV of its own.

Columns: ``rule, line, when, action, code_alias, code_name, code_id, skip_reason, notes, hits, share, findings``
(``hits``/``share`` empty without history; ``findings`` lists ``severity kind`` pairs for that rule, ``; ``-joined).
The correlation settings are another table (``CORRELATION_COLUMNS``), not rows of this one: a spreadsheet or a
script reading "one row per rule" must not meet a row that is no rule, so they go to a file beside it
(``correlation_csv_path``). A cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a
leading ``'`` so a spreadsheet shows it as text instead of running it as a formula.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from wrapup_bridge.core.review.report import ReviewReport

__all__ = ["CORRELATION_COLUMNS", "CSV_COLUMNS", "correlation_csv_path", "render_correlation_csv", "render_csv"]

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
#: The correlation CSV: ``part`` is decision, setting, field, weight, queue or finding; ``key`` the setting,
#: the record's part, the legacy queue or the finding's kind; ``default`` yes when the table does not write it;
#: ``meaning`` what it means (a queue: the org's name for it or its status; a finding: the message).
CORRELATION_COLUMNS = ("part", "key", "value", "default", "line", "meaning")
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


def correlation_csv_path(rules_csv: str | Path) -> Path:
    """Where the correlation CSV goes beside the rule table's: ``rules.csv`` -> ``rules.correlation.csv``."""
    path = Path(rules_csv)
    return path.with_name(f"{path.stem if path.suffix.lower() == '.csv' else path.name}.correlation.csv")


def render_correlation_csv(report: ReviewReport) -> str | None:
    """The report's Correlation section as CSV (``CORRELATION_COLUMNS``), or None when the report has none."""
    review = report.correlation
    if review is None:
        return None
    rows: list[tuple[object, ...]] = []
    judged = {s.key: s for s in review.settings}
    rows.append(
        (
            "decision",
            "matched",
            review.decision,
            _yes(judged["threshold"].default and judged["margin"].default),
            None,
            "when a record is matched (threshold and margin)",
        )
    )
    rows += [("setting", s.key, s.value, _yes(s.default), s.line, s.meaning) for s in review.settings]
    for place in review.places:
        value = " | ".join(place.places)
        meaning = place.meaning + ("" if place.used else " (not read: the section sets no legacy_id)")
        rows.append(("field", place.part, value, _yes(place.default), place.line, meaning))
    rows += [("weight", w.part, f"{w.weight:g}", _yes(w.default), w.line, None) for w in review.weights]
    rows += [("queue", q.legacy, q.queue_id, "no", q.line, q.genesys_name or q.status) for q in review.queues]
    rows += [("finding", f.kind.value, f.severity.value, None, f.line, f.message) for f in review.findings]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CORRELATION_COLUMNS)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return out.getvalue()


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
