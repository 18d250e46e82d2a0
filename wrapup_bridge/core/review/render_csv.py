"""The review for spreadsheets: the rule table as CSV, one row per rule, in file order, with its hits; and each
other table-shaped section of the report (Correlation, Proposed vs existing, What Terraform would create, Outbound
flags) as a CSV of its own beside it.

Columns: ``rule, line, when, action, code_alias, code_name, code_id, skip_reason, notes, hits, share, findings``
(``hits``/``share`` empty without history; ``findings`` lists ``severity kind`` pairs for that rule, ``; ``-joined).
The sections are other tables, not rows of this one: a spreadsheet or a script reading "one row per rule" must not
meet a row that is no rule, so each goes to a file beside it (``section_csv_path``: ``rules.csv`` ->
``rules.correlation.csv``, ``rules.proposals.csv``, ``rules.terraform.csv``, ``rules.outbound.csv``), written only
when the report has the section (``section_csvs``). Their columns, stable like the rule table's:

- ``CORRELATION_COLUMNS``: ``part`` is decision, setting, field, weight, queue or finding; ``key`` the setting, the
  record's part, the legacy queue or the finding's kind; ``default`` yes when the table does not write it;
  ``meaning`` what it means (a queue: the org's name for it or its status; a finding: the message).
- ``PROPOSAL_COLUMNS``: one row per legacy value of the history, most records first, every value (the page lists
  the first 100 and those that differ): ``label`` code-high, code-low, skip or todo; ``proposed`` the code's name,
  ``skip`` or ``TODO``; ``confidence`` for a proposed code; ``decided`` what the table decides for the value's
  records, ``text xN`` pairs ``; ``-joined, most records first; ``differing`` the records decided otherwise than
  proposed; ``same`` yes when none is. Records of values past the tally's limit are one last row, ``label``
  untracked (their values are not kept, so not listed one by one).
- ``TERRAFORM_COLUMNS``: ``part`` is command (the command that writes the files, in ``meaning``), code (a wrap-up
  code to create: its Terraform ``resource``, its division and why), queue (one row per queue and code it must
  allow: ``code_id`` for an existing code, ``resource`` for a new one), remark (left to a person, with its table
  line) or note (the catalog lists no queues: assignments not worked out); ``rules`` the rule numbers, ``, ``-joined,
  with ``fallback`` for the unmapped fallback.
- ``OUTBOUND_COLUMNS``: ``part`` is listing (the legacy dispositions listing read, in ``meaning``), org (``kind``
  read or not-read, with the version or why not), finding (``kind``, ``severity``, the message; conflicts first),
  code (one row per code the table decides: ``wanted`` its flags and ``meaning`` why; with the org's mapping read,
  ``kind`` added, changed, removed or unchanged and ``now`` its flags there) or default-set (the flags of codes
  without an entry: ``wanted`` empty when the table leaves the org's). Flags are written ``A + B``, ``(no flags)``
  for none, ``no entry`` when the code has no entry (the org's defaultSet applies).

A cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'`` so a spreadsheet shows
it as text instead of running it as a formula: legacy values, code names and messages come from exports and tables.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from wrapup_bridge.core.authoring.terraform import CODE_RESOURCE
from wrapup_bridge.core.outbound.flags import flags_text
from wrapup_bridge.core.review.report import ReviewReport

__all__ = [
    "CORRELATION_COLUMNS",
    "CSV_COLUMNS",
    "CSV_SECTIONS",
    "OUTBOUND_COLUMNS",
    "PROPOSAL_COLUMNS",
    "TERRAFORM_COLUMNS",
    "correlation_csv_path",
    "render_correlation_csv",
    "render_csv",
    "render_outbound_csv",
    "render_proposals_csv",
    "render_terraform_csv",
    "section_csv_path",
    "section_csvs",
]

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
CORRELATION_COLUMNS = ("part", "key", "value", "default", "line", "meaning")
PROPOSAL_COLUMNS = (
    "value",
    "records",
    "label",
    "proposed",
    "code_id",
    "confidence",
    "reason",
    "decided",
    "differing",
    "same",
)
TERRAFORM_COLUMNS = (
    "part",
    "resource",
    "code_name",
    "code_id",
    "division",
    "queue_name",
    "queue_id",
    "aliases",
    "rules",
    "line",
    "meaning",
)
OUTBOUND_COLUMNS = (
    "part",
    "kind",
    "severity",
    "code_name",
    "code_id",
    "alias",
    "disposition",
    "now",
    "wanted",
    "meaning",
)
#: The sections written beside the rule table, in the page's order: each names its file (``section_csv_path``).
CSV_SECTIONS = ("correlation", "proposals", "terraform", "outbound")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _table(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return out.getvalue()


def render_csv(report: ReviewReport) -> str:
    return _table(
        CSV_COLUMNS,
        (
            (
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
            for row in report.rule_rows()
        ),
    )


def section_csv_path(rules_csv: str | Path, section: str) -> Path:
    """Where a section's CSV goes beside the rule table's: ``rules.csv`` -> ``rules.<section>.csv``."""
    path = Path(rules_csv)
    return path.with_name(f"{path.stem if path.suffix.lower() == '.csv' else path.name}.{section}.csv")


def correlation_csv_path(rules_csv: str | Path) -> Path:
    """Where the correlation CSV goes beside the rule table's: ``rules.csv`` -> ``rules.correlation.csv``."""
    return section_csv_path(rules_csv, "correlation")


def section_csvs(report: ReviewReport) -> list[tuple[str, str, str]]:
    """``(section, what it holds, CSV text)`` for each section the report has, in the page's order; ``section``
    names the file (``section_csv_path``)."""
    rendered = [
        ("correlation", "CSV correlation settings", render_correlation_csv(report)),
        ("proposals", "CSV proposed vs existing", render_proposals_csv(report)),
        ("terraform", "CSV of what Terraform would create", render_terraform_csv(report)),
        ("outbound", "CSV outbound flags", render_outbound_csv(report)),
    ]
    return [(section, what, text) for section, what, text in rendered if text is not None]


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
    return _table(CORRELATION_COLUMNS, rows)


def render_proposals_csv(report: ReviewReport) -> str | None:
    """The report's "Proposed vs existing" section as CSV (``PROPOSAL_COLUMNS``), or None when it has none."""
    review = report.proposals
    if review is None:
        return None
    rows: list[Sequence[object]] = [
        (
            row.value,
            row.records,
            row.label,
            row.proposed,
            row.code_id,
            f"{row.confidence:.6f}" if row.confidence is not None else None,
            row.reason,
            "; ".join(f"{text} x{records}" for text, records in row.decided),
            row.differing,
            _yes(row.agrees),
        )
        for row in review.rows
    ]
    if review.untracked:
        label = f"(values past the first {len(review.rows):,})"
        rows.append((label, review.untracked, "untracked", "TODO", *[None] * (len(PROPOSAL_COLUMNS) - 4)))
    return _table(PROPOSAL_COLUMNS, rows)


def render_terraform_csv(report: ReviewReport) -> str | None:
    """The report's "What Terraform would create" section as CSV (``TERRAFORM_COLUMNS``), or None when it has
    none."""
    review = report.terraform
    if review is None:
        return None
    plan = review.plan
    rows: list[tuple[object, ...]] = [("command", *[None] * 9, review.command)]
    for code in plan.new_codes:
        rows.append(
            (
                "code",
                f"{CODE_RESOURCE}.{code.label}",
                code.name,
                None,
                code.division_name or code.division_id,
                None,
                None,
                ", ".join(code.aliases),
                _rules(code.rules, code.fallback),
                code.line,
                code.division_reason,
            )
        )
    for need in plan.queues:
        for allowed in need.codes:
            rows.append(
                (
                    "queue",
                    f"{CODE_RESOURCE}.{allowed.label}" if allowed.label is not None else None,
                    allowed.name,
                    allowed.id,
                    need.queue.division,
                    need.queue.name,
                    need.queue.id,
                    None,
                    _rules(allowed.rules, False),
                    None,
                    "allow the new code on the queue" if allowed.label is not None else "allow the code on the queue",
                )
            )
    if not plan.queues_checked:
        rows.append(("note", *[None] * 9, "the catalog lists no queues: queue assignments were not worked out"))
    rows += [("remark", *[None] * 8, remark.line, remark.message) for remark in plan.remarks]
    return _table(TERRAFORM_COLUMNS, rows)


def render_outbound_csv(report: ReviewReport) -> str | None:
    """The report's "Outbound flags" section as CSV (``OUTBOUND_COLUMNS``), or None when it has none."""
    review = report.outbound
    if review is None:
        return None
    desired, diff = review.desired, review.diff
    rows: list[tuple[object, ...]] = [
        ("listing", *[None] * 8, review.legacy_catalog or "no legacy listing named"),
        (
            ("org", "read", *[None] * 7, f"read at version {review.current_version}")
            if diff is not None
            else ("org", "not-read", *[None] * 7, review.not_read)
        ),
    ]
    rows += [
        ("finding", f.kind.value, f.severity, None, f.code_id, None, f.disposition, None, None, f.message)
        for f in review.findings
    ]
    changes = {change.code_id.lower(): change for change in diff.changes} if diff is not None else {}
    unchanged = {code_id.lower() for code_id in diff.unchanged} if diff is not None else set()
    for code_id, entry in desired.entries.items():
        wanted = None if entry.flags is None else tuple(flag.value for flag in entry.flags)
        change = changes.get(code_id.lower())
        if change is not None:
            kind, now = change.kind.value, _flags(change.before)
        elif code_id.lower() in unchanged:
            kind, now = "unchanged", _flags(wanted)
        else:
            kind, now = None, None
        rows.append(
            ("code", kind, None, entry.code.name, code_id, entry.code.alias, None, now, _flags(wanted), entry.why)
        )
    if desired.default_set is not None:
        kind = None if diff is None else "changed" if diff.default_set is not None else "unchanged"
        wanted_set, meaning = flags_text(f.value for f in desired.default_set), "set by outbound.default_set"
    else:
        kind, wanted_set, meaning = None, None, "left as the org has it (the table does not set it)"
    now_set = flags_text(review.current_default_set) if review.current_default_set is not None else None
    rows.append(("default-set", kind, None, None, None, None, None, now_set, wanted_set, meaning))
    return _table(OUTBOUND_COLUMNS, rows)


def _flags(flags: tuple[str, ...] | None) -> str:
    return "no entry" if flags is None else flags_text(flags)


def _rules(numbers: Iterable[int], fallback: bool) -> str:
    return ", ".join([*(str(n) for n in numbers), *(["fallback"] if fallback else [])])


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
