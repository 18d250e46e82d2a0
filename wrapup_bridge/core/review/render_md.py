"""The review as Markdown, for a pull request or a ticket: the same sections as the HTML page.

Legacy values may hold anything, so every cell is escaped for Markdown (``|``, backticks, emphasis, brackets)
and for the HTML that Markdown renderers pass through (``<``, ``>``, ``&``); newlines become spaces.
"""

from __future__ import annotations

import re

from wrapup_bridge.core.authoring.terraform import CODE_RESOURCE
from wrapup_bridge.core.outbound.flags import flags_text
from wrapup_bridge.core.review.correlation import CorrelationReview
from wrapup_bridge.core.review.coverage import KINDS, CoverageSummary, ValueCount
from wrapup_bridge.core.review.diff import DiffResult
from wrapup_bridge.core.review.report import ReviewReport
from wrapup_bridge.core.review.report_authoring import OutboundReview, ProposalReview, TerraformReview

__all__ = ["md_escape", "render_markdown"]

VALUES_SHOWN = 100
#: Characters that change meaning inside a table cell or a list item (line starts are never a value here).
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_escape(value: object) -> str:
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", text)


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return [*lines, ""]


def render_markdown(report: ReviewReport) -> str:
    table = report.table
    lines = [f"# Mapping review: {md_escape(table.name)}", ""]
    for label, value in report.metadata():
        lines.append(f"- **{md_escape(label)}**: {md_escape(value)}")
    counts = report.check.counts
    conflicts = report.outbound_conflicts
    outbound = f", {conflicts} outbound {'conflict' if conflicts == 1 else 'conflicts'}" if conflicts else ""
    lines += ["", f"**{'Problems found' if report.failed else 'No blocking problems'}**: "
              f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} notes{outbound}.", ""]  # fmt: skip
    lines += ["## Findings", ""]
    if report.check.findings:
        lines += _table(
            ["Severity", "Line", "Kind", "What to do"],
            [[f.severity.value, str(f.line), f.kind.value, md_escape(f.message)] for f in report.check.findings],
        )
    else:
        lines += ["No problems found.", ""]
    lines += _coverage(report.coverage)
    lines += ["## Rules", ""]
    rows = []
    for row in report.rule_rows():
        then = (
            f"{md_escape(row.code_name)} ({md_escape(row.alias)})"
            if row.action == "map"
            else f"skip: {md_escape(row.skip_reason)}"
        )
        hits = "-" if row.hits is None or row.share is None else f"{row.hits:,} ({_pct(row.share)})"
        findings = "; ".join(f"{f.severity.value} {f.kind.value}" for f in row.findings)
        notes = " ".join(x for x in (md_escape(row.notes or ""), md_escape(findings)) if x)
        rows.append(
            [f"#{row.number}", str(row.line), md_escape(row.when), then, md_escape(row.code_id or "-"), notes, hits]
        )
    lines += _table(["#", "Line", "When", "Then", "Code id", "Notes and findings", "Hits"], rows)
    lines += ["## Genesys wrap-up codes", ""]
    lines += _table(
        ["Alias", "Name in the table", "Id", "Name in Genesys", "Division", "Allowed on queues", "Rules", "Status"],
        [
            [
                md_escape(c.alias),
                md_escape(c.name),
                md_escape(c.id),
                md_escape(c.catalog_name or ""),
                md_escape(c.division or ""),
                "unknown" if c.queues is None else md_escape(", ".join(c.queues) or "none"),
                md_escape(", ".join(f"#{n}" for n in c.rules) + (" fallback" if c.fallback else "") or "unused"),
                c.status,
            ]
            for c in report.check.codes
        ],
    )
    lines += _correlation(report.correlation)
    lines += _proposals(report.proposals)
    lines += _terraform(report.terraform)
    lines += _outbound(report.outbound)
    if report.diff is not None:
        lines += _diff(report.diff)
    return "\n".join(lines).rstrip() + "\n"


def _marked(text: str, default: bool) -> str:
    return f"{text} (default)" if default else text


def _line(line: int | None) -> str:
    return str(line) if line is not None else "-"


def _correlation(review: CorrelationReview | None) -> list[str]:
    """The ``correlate:`` section in effect, as the HTML page's Correlation section shows it."""
    if review is None:
        return []
    platform = review.platform or "the platform named by correlate --source"
    lines = ["## Correlation", ""]
    if review.section:
        lines.append(
            f"How `wrapup-bridge correlate` matches records that have no conversation id, as the table's `correlate:` "
            f"section (line {review.line}) sets it; settings it does not write are marked (default), fields are read "
            f"where {md_escape(platform)} exports keep them unless the section places them."
        )
    else:
        lines.append(
            f"This table has no `correlate:` section: `wrapup-bridge correlate` with it matches {md_escape(platform)} "
            "records that have no conversation id with the defaults below."
        )
    lines += ["", f"**A record is {md_escape(review.decision)}.**", ""]
    if review.findings:
        lines += _table(
            ["Severity", "Line", "Kind", "What to do"],
            [[f.severity.value, str(f.line), f.kind.value, md_escape(f.message)] for f in review.findings],
        )
    else:
        lines += ["No findings about correlation.", ""]
    lines += _table(
        ["Setting", "In effect", "Line", "What it means"],
        [
            [md_escape(s.key), _marked(md_escape(s.value), s.default), _line(s.line), md_escape(s.meaning)]
            for s in review.settings
        ],
    )
    places = []
    for place in review.places:
        read = (
            " or ".join(md_escape(p) for p in place.places)
            if place.places
            else "where the platform given by correlate --source keeps it"
        )
        if place.places and place.default:
            read += f" (default for {md_escape(platform)})"
        if not place.used:
            read += " (not read: the section sets no legacy\\_id)"
        places.append([md_escape(place.part), read, _line(place.line), md_escape(place.meaning)])
    lines += _table(["Part", "Record fields, tried in order", "Line", "What it is"], places)
    lines += [
        "A conversation's score is the weighted mean of the parts both the record and the conversation know: an "
        "agreeing part counts 1, a differing one 0, the time 1 - offset / tolerance; a part only one side knows "
        "counts for nothing either way.",
        "",
    ]
    lines += _table(
        ["Part", "Weight", "Line"],
        [[md_escape(w.part), _marked(f"{w.weight:g}", w.default), _line(w.line)] for w in review.weights],
    )
    if review.queues:
        shown = {"unknown": "not a queue of the org", "not-checked": "not checked (no org catalog)"}
        lines += _table(
            ["Legacy queue", "Genesys queue id", "Queue in Genesys", "Line"],
            [
                [
                    md_escape(q.legacy),
                    md_escape(q.queue_id),
                    md_escape(q.genesys_name) if q.status == "ok" else shown[q.status],
                    _line(q.line),
                ]
                for q in review.queues
            ],
        )
    else:
        lines += ["No legacy queue is mapped to a Genesys queue (`queues:`): a record's queue is not compared.", ""]
    return lines


def _coverage(coverage: CoverageSummary | None) -> list[str]:
    lines = ["## Coverage over history", ""]
    if coverage is None:
        return [*lines, "No history given: hits per rule not counted.", ""]
    lines.append(f"From {md_escape(', '.join(coverage.inputs) or '(stdin)')}: {coverage.records:,} records read, "
                 f"{coverage.rejected:,} unreadable.")  # fmt: skip
    lines.append("")
    lines += _table(
        ["Outcome", "Records", "Share"],
        [
            [k.value, f"{coverage.kinds.get(k.value, 0):,}", _pct(coverage.share(coverage.kinds.get(k.value, 0)))]
            for k in KINDS
        ],
    )
    never = coverage.never_hit
    lines.append("Rules never hit: " + (", ".join(f"#{r.number} (line {r.line})" for r in never) if never else "none."))
    lines += ["", "### Top unmapped values", ""]
    top = coverage.top_unmapped()
    if not top:
        lines += ["No record ended unmapped.", ""]
    else:
        lines += _unmapped_table(coverage, top)
    lines += [f"### Legacy values seen ({coverage.distinct_values:,} distinct)", ""]
    shown = coverage.values[:VALUES_SHOWN]
    lines += _table(
        ["Value", "Spellings seen", "Records", "Share", "Became", "Rules"],
        [
            [
                md_escape(v.display),
                md_escape(", ".join(f"{raw!r} x{count:,}" for raw, count in v.spellings)),
                f"{v.count:,}",
                _pct(coverage.share(v.count)),
                md_escape(", ".join(f"{k} {n:,}" for k, n in v.kinds.items())),
                ", ".join(f"#{r}" if r else "policy" for r in sorted(v.rules)),
            ]
            for v in shown
        ],
    )
    if len(coverage.values) > len(shown):
        lines += [f"{len(coverage.values) - len(shown):,} less frequent values not shown (see --json).", ""]
    return lines


def _unmapped_table(coverage: CoverageSummary, top: list[ValueCount]) -> list[str]:
    return _table(
        ["Legacy value", "Spellings seen", "Records", "Share", "Look-alikes the table knows"],
        [
            [
                md_escape(v.display),
                md_escape(", ".join(f"{raw!r} x{count:,}" for raw, count in v.spellings)),
                f"{v.unmapped:,}",
                _pct(coverage.share(v.unmapped)),
                "named by the table; its rules need other field values"
                if v.known
                else md_escape(", ".join(repr(s) for s in v.suggestions)),
            ]
            for v in top
        ],
    )


def _diff(diff: DiffResult) -> list[str]:
    lines = [f"## Changes against {md_escape(diff.old.name)}", ""]
    history = diff.history
    summary = f"{len(diff.changes)} of {len(diff.rows)} legacy values change."
    if history is not None:
        summary += f" {history.moved:,} of {history.records:,} records in history move."
    lines += [summary, ""]
    if diff.changes:
        lines += _table(
            ["Legacy value", "Before", "After", "Records moved"],
            [
                [md_escape(r.value), md_escape(r.old), md_escape(r.new), "-" if r.moved is None else f"{r.moved:,}"]
                for r in diff.changes
            ],
        )
    return lines


# ------------------------------------------------------------------------ authoring sections (report_authoring)
def _proposals(review: ProposalReview | None) -> list[str]:
    """Proposed vs existing, as the HTML page shows it."""
    if review is None:
        return []
    lines = [
        "## Proposed vs existing",
        "",
        f"What `wrapup-bridge mapping init` would propose for each legacy value of the history from the org's codes "
        f"({md_escape(review.catalog)}), beside what this table decides. A difference is a question for the review, "
        "not an error: names cannot know a campaign, a queue or a business decision; the table's people may.",
        "",
        f"**{review.agreed_records:,} of {review.records:,} records decided alike; {len(review.differing)} of "
        f"{len(review.rows)} legacy values differ.**"
        + (
            f" {review.untracked:,} records of values past the first ones were not proposed."
            if review.untracked
            else ""
        ),
        "",
    ]
    shown = [row for number, row in enumerate(review.rows) if number < VALUES_SHOWN or not row.agrees]
    rows = []
    for row in shown:
        if row.confidence is not None:
            proposed = f"{md_escape(row.proposed)} ({md_escape(row.code_id)})"
            confidence = f"{row.confidence:.2f} {'high' if row.label == 'code-high' else 'LOW'}"
        else:
            proposed, confidence = md_escape(row.proposed), "-"
        decided = (
            row.decided[0][0]
            if len(row.decided) == 1
            else ", ".join(f"{text} x{records:,}" for text, records in row.decided)
        )
        if row.agrees:
            same = "same"
        elif row.differing == row.records:
            same = "**differs**"
        else:
            same = f"**differs** ({row.differing:,} of {row.records:,} records)"
        rows.append(
            [
                md_escape(row.value),
                f"{row.records:,}",
                proposed,
                confidence,
                md_escape(row.reason),
                md_escape(decided),
                same,
            ]
        )
    lines += _table(
        ["Legacy value", "Records", "mapping init proposes", "Confidence", "Why", "The table decides", "Same?"], rows
    )
    if len(shown) < len(review.rows):
        lines += [f"{len(review.rows) - len(shown):,} less frequent values that agree are not shown.", ""]
    return lines


def _terraform(review: TerraformReview | None) -> list[str]:
    """What Terraform would create, as the HTML page shows it."""
    if review is None:
        return []
    plan = review.plan
    lines = [
        "## What Terraform would create",
        "",
        "What the table needs and the org lacks, as `wrapup-bridge mapping terraform` works it out: wrap-up codes to "
        "create and codes to allow on queues (written as comments). Nothing is applied; after `terraform apply`, "
        "`wrapup-bridge mapping sync` puts the new ids into the table.",
        "",
        f"Write it with: {md_escape(review.command)}",
        "",
    ]
    if plan.new_codes:
        lines += [f"### Codes to create ({len(plan.new_codes)})", ""]
        lines += _table(
            ["Resource", "Code name", "Division", "Table aliases", "Used by"],
            [
                [
                    md_escape(f"{CODE_RESOURCE}.{c.label}"),
                    md_escape(c.name),
                    md_escape(f"{c.division_name or c.division_id or 'none (all divisions)'} ({c.division_reason})"),
                    md_escape(f"{', '.join(c.aliases)} (line {c.line})"),
                    md_escape(_uses(c.rules, c.fallback)),
                ]
                for c in plan.new_codes
            ],
        )
    if plan.queues:
        lines += [f"### Queue assignments ({len(plan.queues)} queues)", ""]
        lines += _table(
            ["Queue", "Division", "Codes to allow, and the rules that need them"],
            [
                [
                    md_escape(f"{need.queue.name} ({need.queue.id})"),
                    md_escape(need.queue.division or ""),
                    md_escape(
                        "; ".join(
                            f"{code.name} ({'new' if code.label is not None else code.id}; {_uses(code.rules, False)})"
                            for code in need.codes
                        )
                    ),
                ]
                for need in plan.queues
            ],
        )
    if not plan.queues_checked:
        lines += ["The catalog lists no queues: queue assignments were not worked out.", ""]
    if plan.remarks:
        lines += ["### Left to you", ""]
        lines += [f"- line {r.line}: {md_escape(r.message)}" for r in plan.remarks]
        lines.append("")
    return lines


def _uses(rules: tuple[int, ...], fallback: bool) -> str:
    used = [f"#{n}" for n in rules] + (["the unmapped fallback"] if fallback else [])
    return ", ".join(used) or "no rule (on no queue)"


def _flags(flags: tuple[str, ...] | None) -> str:
    return "no entry (the org's defaultSet applies)" if flags is None else flags_text(flags)


def _outbound(review: OutboundReview | None) -> list[str]:
    """Outbound flags, as the HTML page shows them."""
    if review is None:
        return []
    listing = f"the legacy listing {md_escape(review.legacy_catalog)}" if review.legacy_catalog else "no legacy listing"
    lines = [
        "## Outbound flags",
        "",
        "The flags the dialer applies after each code (Genesys's outbound wrap-up code mapping), as the table's "
        f"`outbound:` section and rules give them, from {listing}. `wrapup-bridge outbound plan` shows the same diff "
        "against the org, and `outbound apply` sets it.",
        "",
    ]
    if review.findings:
        lines += _table(
            ["Severity", "Kind", "What to do"],
            [[f.severity, f.kind.value, md_escape(f.message)] for f in review.findings],
        )
    else:
        lines += ["No findings about the outbound flags.", ""]
    desired = review.desired
    lines += [f"### Flags per code ({len(desired.entries)})", ""]
    lines += _table(
        ["Code", "Id", "Flags", "Why"],
        [
            [
                md_escape(entry.code.name),
                md_escape(code_id),
                md_escape(_flags(None if entry.flags is None else tuple(f.value for f in entry.flags))),
                md_escape(entry.why),
            ]
            for code_id, entry in desired.entries.items()
        ],
    )
    lines += [
        md_escape(
            f"defaultSet (codes without an entry): {flags_text(f.value for f in desired.default_set)}, set by the table."
            if desired.default_set is not None
            else "defaultSet (codes without an entry): left as the org has it (the table does not set it)."
        ),
        "",
    ]
    diff = review.diff
    if diff is None:
        return [
            *lines,
            "### Against the org",
            "",
            f"{md_escape(review.not_read)}. The flags and conflicts above are shown without the diff.",
            "",
        ]
    read = (
        f"The org's mapping, read at version {review.current_version}, defaultSet "
        f"{flags_text(review.current_default_set or ())}."
    )
    if diff.empty:
        return [
            *lines,
            "### Against the org",
            "",
            md_escape(read),
            "",
            "The org's mapping already says all of this.",
            "",
        ]
    lines += [
        f"### Against the org ({len(diff.changes) + (diff.default_set is not None)} changes)",
        "",
        md_escape(read),
        "",
    ]
    rows = [
        [
            c.kind.value,
            md_escape(c.code_name),
            md_escape(c.code_id),
            md_escape(_flags(c.before)),
            md_escape(_flags(c.after)),
            md_escape(c.why),
        ]
        for c in diff.changes
    ]
    if diff.default_set is not None:
        rows.append(
            ["changed", "defaultSet", "", md_escape(flags_text(diff.default_set.before)),
             md_escape(flags_text(diff.default_set.after)), "outbound.default\\_set"]
        )  # fmt: skip
    lines += _table(["Change", "Code", "Id", "Now", "Wanted", "Why"], rows)
    names = {code_id.lower(): entry.code.name for code_id, entry in desired.entries.items()}
    right = ", ".join(names.get(code_id.lower(), code_id) for code_id in diff.unchanged)
    if right:
        lines += [f"Already right: {md_escape(right)}.", ""]
    return lines
