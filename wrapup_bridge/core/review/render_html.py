"""The review as one self-contained HTML page: inline CSS, no script, no font or image from anywhere.

Ops leads open it from a mail attachment or a ticket, often offline, so everything is in the file and readable
without JavaScript; coverage bars are plain CSS widths. Every text that reaches the page goes through
``html.escape``: legacy values come straight from exports and may hold anything, markup included.
"""

from __future__ import annotations

from html import escape

from wrapup_bridge.core.authoring.terraform import CODE_RESOURCE, QueueNeed
from wrapup_bridge.core.outbound.flags import flags_text
from wrapup_bridge.core.review.correlation import CorrelationPlace, CorrelationQueue, CorrelationReview
from wrapup_bridge.core.review.coverage import KINDS, CoverageSummary, ValueCount
from wrapup_bridge.core.review.diff import DiffResult
from wrapup_bridge.core.review.findings import Finding
from wrapup_bridge.core.review.report import ReviewReport, RuleRow
from wrapup_bridge.core.review.report_authoring import OutboundReview, ProposalReview, ProposalRow, TerraformReview

__all__ = ["render_html"]

VALUES_SHOWN = 100
TOP_UNMAPPED = 20

_CSS = """
:root{--fg:#1d232b;--muted:#5b6672;--line:#d9dee4;--bg:#fff;--soft:#f4f6f8;--mapped:#2f7d4f;--skip:#4a78b5;
--fallback:#c08a13;--unmapped:#c23b32;--error:#b3261e;--warning:#8a5a00;--info:#4a5560}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--fg);
background:var(--bg)}
main{max-width:1180px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 10px;border-bottom:2px solid var(--line);
padding-bottom:4px}h3{font-size:16px;margin:20px 0 8px}
code,.mono{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
.sub{color:var(--muted);margin:0 0 16px}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0;padding:12px 16px;
background:var(--soft);border-radius:6px}
dl.meta dt{color:var(--muted)}dl.meta dd{margin:0;overflow-wrap:anywhere}
.verdict{margin:16px 0 0;padding:10px 14px;border-radius:6px;font-weight:600}
.verdict.fail{background:#fbe9e7;color:var(--error)}.verdict.ok{background:#e7f4ec;color:var(--mapped)}
table{border-collapse:collapse;width:100%;margin:4px 0 8px}
th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid var(--line)}
th{font-size:13px;color:var(--muted);font-weight:600;background:var(--soft)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tbody tr:nth-child(even){background:#fafbfc}
.badge{display:inline-block;padding:1px 7px;border-radius:10px;font-size:12px;font-weight:700;color:#fff;
white-space:nowrap}
.badge.error{background:var(--error)}.badge.warning{background:var(--warning)}.badge.info{background:var(--info)}
tr.has-error td:first-child{box-shadow:inset 4px 0 var(--error)}
tr.has-warning td:first-child{box-shadow:inset 4px 0 var(--warning)}
tr.differs td:first-child{box-shadow:inset 4px 0 var(--warning)}
tr.outbound-finding.error td:first-child{box-shadow:inset 4px 0 var(--error)}
.kind{color:var(--muted);font-size:12px}
.figures{display:flex;flex-wrap:wrap;gap:10px;list-style:none;padding:0;margin:8px 0 12px}
.figures li{background:var(--soft);border-radius:6px;padding:8px 14px;min-width:130px}
.figures .num{display:block;font-size:22px;font-weight:700}
.figures .pct{color:var(--muted)}
.bar{display:flex;height:22px;border-radius:4px;overflow:hidden;background:var(--line);margin:6px 0}
.bar span{display:block;height:100%}
.seg-mapped,.dot-mapped{background:var(--mapped)}.seg-skip,.dot-skip{background:var(--skip)}
.seg-fallback,.dot-fallback{background:var(--fallback)}.seg-unmapped,.dot-unmapped{background:var(--unmapped)}
.legend{display:flex;gap:16px;flex-wrap:wrap;font-size:13px;color:var(--muted);margin:0 0 8px;padding:0;
list-style:none}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px}
.hitbar{display:block;height:6px;background:var(--line);border-radius:3px;margin-top:3px;min-width:60px}
.hitbar span{display:block;height:100%;background:var(--mapped);border-radius:3px}
.hitbar.skip span{background:var(--skip)}
.zero{color:var(--unmapped);font-weight:600}
.none{color:var(--mapped);font-weight:600}
.muted{color:var(--muted)}
td.id code{white-space:nowrap;font-size:12px}
code.spell{white-space:pre-wrap}
.default{display:inline-block;margin-left:6px;padding:0 6px;border:1px solid var(--line);border-radius:10px;
font-size:12px;color:var(--muted);white-space:nowrap}
.decision{padding:10px 14px;background:var(--soft);border-radius:6px}
td code.key{white-space:nowrap}
#correlation-weights{width:auto;min-width:360px}
footer{margin-top:40px;color:var(--muted);font-size:13px}
@media print{main{max-width:none;padding:0}h2{break-after:avoid}tr{break-inside:avoid}}
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def _width(share: float) -> str:
    return f"{max(0.0, min(share, 1.0)) * 100:.3f}%"


def render_html(report: ReviewReport) -> str:
    table = report.table
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Mapping review: {_e(table.name)}</title>",
        f"<style>{_CSS}</style></head><body><main>",
        _header(report),
        _findings(report.check.findings),
        _coverage(report.coverage),
        _rules(report, report.rule_rows()),
        _codes(report),
        _correlation(report.correlation),
        _proposals(report.proposals),
        _terraform(report.terraform),
        _outbound(report.outbound),
        _values(report.coverage),
    ]
    if report.diff is not None:
        parts.append(_diff(report.diff))
    parts.append(
        f"<footer>Generated {_e(report.generated_at)} by wrapup-bridge {_e(report.tool_version)} from "
        f"<code>{_e(table.name)}</code> (sha256 <code>{_e(table.sha256)}</code>).</footer>"
    )
    parts.append("</main></body></html>\n")
    return "\n".join(parts)


def _header(report: ReviewReport) -> str:
    table = report.table
    rows = []
    for label, value in report.metadata():
        if label == "sha256":
            rows.append(f'<dt>{_e(label)}</dt><dd><code id="sha256">{_e(value)}</code></dd>')
        else:
            rows.append(f"<dt>{_e(label)}</dt><dd>{_e(value)}</dd>")
    counts = report.check.counts
    verdict = [f"{counts['error']} errors", f"{counts['warning']} warnings"]
    coverage = report.coverage
    if coverage is not None:
        unmapped = coverage.kinds.get("unmapped", 0)
        verdict.append(f"{coverage.records:,} records, {unmapped:,} unmapped ({_pct(coverage.share(unmapped))})")
        if coverage.rejected:
            verdict.append(f"{coverage.rejected:,} unreadable")
    if report.outbound_conflicts:
        n = report.outbound_conflicts
        verdict.append(f"{n} outbound {'conflict' if n == 1 else 'conflicts'}")
    if report.diff is not None:
        changed = len(report.diff.changes)
        verdict.append(
            f"{changed} {'value changes' if changed == 1 else 'values change'} against {report.diff.old.name}"
        )
    state = "fail" if report.failed else "ok"
    lead = "Problems found" if report.failed else "No blocking problems"
    return (
        f"<header><h1>Mapping review: {_e(table.name)}</h1>"
        f'<p class="sub">What each legacy value becomes in Genesys Cloud, checked against the org and history.</p>'
        f'<dl class="meta">{"".join(rows)}</dl>'
        f'<p class="verdict {state}" id="verdict">{lead}: {_e(", ".join(verdict))}</p></header>'
    )


def _badge(finding: Finding) -> str:
    return f'<span class="badge {finding.severity.value}">{_e(finding.severity.value)}</span>'


def _findings(findings: list[Finding]) -> str:
    head = '<section id="findings"><h2>Findings</h2>'
    if not findings:
        return head + '<p class="none">No problems found.</p></section>'
    rows = "".join(
        f'<tr class="finding {f.severity.value}"><td>{_badge(f)}</td><td class="num">line {f.line}</td>'
        f'<td><span class="kind">{_e(f.kind.value)}</span></td><td>{_e(f.message)}</td></tr>'
        for f in findings
    )
    return (
        head + '<table class="findings"><thead><tr><th>Severity</th><th class="num">Where</th><th>Kind</th>'
        f"<th>What to do</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _coverage(coverage: CoverageSummary | None) -> str:
    head = '<section id="coverage"><h2>Coverage over history</h2>'
    if coverage is None:
        return (
            head
            + '<p class="muted">No history given (pass --history FILE...): hits per rule not counted.</p></section>'
        )
    figures = [
        f'<li id="cov-records"><span class="num">{coverage.records:,}</span>records read</li>',
    ]
    for kind in KINDS:
        count = coverage.kinds.get(kind.value, 0)
        figures.append(
            f'<li id="cov-{kind.value}"><span class="num">{count:,}</span>{_e(kind.value)} '
            f'<span class="pct">({_pct(coverage.share(count))})</span></li>'
        )
    figures.append(f'<li id="cov-rejected"><span class="num">{coverage.rejected:,}</span>unreadable (rejected)</li>')
    segments = "".join(
        f'<span class="seg-{k.value}" style="width:{_width(coverage.share(coverage.kinds.get(k.value, 0)))}" '
        f'title="{_e(k.value)}"></span>'
        for k in KINDS
        if coverage.kinds.get(k.value, 0)
    )
    label = ", ".join(f"{k.value} {_pct(coverage.share(coverage.kinds.get(k.value, 0)))}" for k in KINDS)
    legend = "".join(f'<li><i class="dot-{k.value}"></i>{_e(k.value)}</li>' for k in KINDS)
    never = coverage.never_hit
    never_text = (
        f'<p>Rules never hit: <span class="zero">{_e(", ".join(f"#{r.number} (line {r.line})" for r in never))}</span></p>'
        if never
        else "<p>Every rule was hit at least once.</p>"
    )
    untracked = (
        f'<p class="muted">{coverage.untracked_records:,} records had values beyond the first '
        f"{coverage.distinct_values:,} distinct ones: counted above, not listed below.</p>"
        if coverage.untracked_records
        else ""
    )
    return (
        head
        + f'<p class="muted">From {_e(", ".join(coverage.inputs) or "(stdin)")}.</p>'
        + f'<ul class="figures">{"".join(figures)}</ul>'
        + f'<div class="bar" role="img" aria-label="{_e(label)}">{segments}</div>'
        + f'<ul class="legend">{legend}</ul>'
        + never_text
        + untracked
        + _top_unmapped(coverage)
        + "</section>"
    )


def _spellings(value: ValueCount) -> str:
    # pre-wrap: spellings that differ only in spacing must look different
    shown = ", ".join(f'<code class="spell">{_e(repr(raw))}</code>&nbsp;×{count:,}' for raw, count in value.spellings)
    if value.other_spellings:
        shown += f' <span class="muted">+{value.other_spellings:,} in other spellings</span>'
    if value.spellings_approximate:
        shown += ' <span class="muted">(approximate: many spellings)</span>'
    return shown


def _alike(value: ValueCount) -> str:
    if value.known:
        return "the table names this value, but its rules need other field values"
    return _e(", ".join(repr(s) for s in value.suggestions)) or '<span class="muted">none</span>'


def _top_unmapped(coverage: CoverageSummary) -> str:
    top = coverage.top_unmapped(TOP_UNMAPPED)
    if not top:
        return '<h3>Top unmapped values</h3><p class="none">No record ended unmapped.</p>'
    rows = "".join(
        f'<tr class="unmapped-value"><td><code>{_e(v.display)}</code></td><td>{_spellings(v)}</td>'
        f'<td class="num">{v.unmapped:,}</td><td class="num">{_pct(coverage.share(v.unmapped))}</td>'
        f"<td>{_alike(v)}</td></tr>"
        for v in top
    )
    return (
        '<h3>Top unmapped values</h3><table id="unmapped-table"><thead><tr><th>Legacy value</th><th>Spellings seen'
        '</th><th class="num">Records</th><th class="num">Share</th><th>Values the table knows that look alike</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _rule_row(row: RuleRow) -> str:
    severities = {f.severity.value for f in row.findings}
    css = "rule" + (" has-error" if "error" in severities else " has-warning" if "warning" in severities else "")
    if row.action == "map":
        then = f"{_e(row.code_name)} <span class='muted'>({_e(row.alias)})</span>"
        code_id = f"<code>{_e(row.code_id)}</code>"
    else:
        then = f"<em>skip</em>: {_e(row.skip_reason)}"
        code_id = '<span class="muted">-</span>'
    notes = _e(row.notes or "")
    notes += "".join(f"<br>{_badge(f)} <span class='kind'>{_e(f.kind.value)}</span>" for f in row.findings)
    if row.hits is None or row.share is None:
        hits = '<span class="muted">-</span>'
    else:
        bar = f'<span class="hitbar{" skip" if row.action == "skip" else ""}"><span style="width:{_width(row.share)}"></span></span>'
        number = '<span class="zero">0</span>' if row.hits == 0 else f"{row.hits:,} ({_pct(row.share)})"
        hits = f"{number}{bar}"
    return (
        f'<tr class="{css}" id="rule-{row.number}"><td class="num">#{row.number}</td><td class="num">{row.line}</td>'
        f'<td><code>{_e(row.when)}</code></td><td>{then}</td><td class="id">{code_id}</td><td>{notes}</td>'
        f'<td class="num">{hits}</td></tr>'
    )


def _rules(report: ReviewReport, rows: list[RuleRow]) -> str:
    table = report.table
    body = "".join(_rule_row(row) for row in rows)
    policy = table.unmapped
    coverage = report.coverage
    policy_text = policy.action.value
    if policy.code:
        code = table.codes[policy.code]
        policy_text += f" to {code.name} ({code.id})"
    hits = f" - {coverage.policy_hits:,} records in history" if coverage is not None else ""
    return (
        f'<section id="rules"><h2>Rules ({len(rows)})</h2>'
        '<p class="muted">Tried top to bottom; the first whose conditions all hold wins. Values compare ignoring '
        "case, spacing, smart quotes and invisible characters.</p>"
        '<table id="rule-table"><thead><tr><th class="num">#</th><th class="num">Line</th><th>When</th>'
        '<th>Then (Genesys wrap-up code)</th><th>Code id</th><th>Notes and findings</th><th class="num">Hits</th>'
        f"</tr></thead><tbody>{body}</tbody></table>"
        f'<p id="policy">Records no rule matches: <strong>{_e(policy_text)}</strong>{_e(hits)}.</p></section>'
    )


def _codes(report: ReviewReport) -> str:
    rows = []
    for code in report.check.codes:
        queues = (
            '<span class="muted">unknown</span>'
            if code.queues is None
            else (_e(", ".join(code.queues)) or '<span class="zero">none</span>')
        )
        used = ", ".join(f"#{n}" for n in code.rules) + (" fallback" if code.fallback else "")
        status_css = {"missing": "zero", "drift": "zero"}.get(code.status, "")
        rows.append(
            f'<tr class="code"><td>{_e(code.alias)}<br><span class="muted">line {code.line}</span></td>'
            f'<td>{_e(code.name)}</td><td class="id"><code>{_e(code.id)}</code></td>'
            f"<td>{_e(code.catalog_name or '')}</td><td>{_e(code.division or '')}</td><td>{queues}</td>"
            f"<td>{_e(used) or '<span class=zero>unused</span>'}</td>"
            f'<td class="{status_css}">{_e(code.status)}</td></tr>'
        )
    return (
        '<section id="codes"><h2>Genesys wrap-up codes</h2><table id="code-table"><thead><tr><th>Alias</th>'
        "<th>Name in the table</th><th>Id</th><th>Name in Genesys</th><th>Division</th><th>Allowed on queues</th>"
        f"<th>Used by rules</th><th>Status</th></tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _values(coverage: CoverageSummary | None) -> str:
    if coverage is None:
        return ""
    shown = coverage.values[:VALUES_SHOWN]
    rows = "".join(
        f'<tr class="value"><td><code>{_e(v.display)}</code></td><td>{_spellings(v)}</td>'
        f'<td class="num">{v.count:,}</td><td class="num">{_pct(coverage.share(v.count))}</td>'
        f"<td>{_e(', '.join(f'{k} {n:,}' for k, n in v.kinds.items()))}</td>"
        f"<td>{_e(', '.join(f'#{r}' if r else 'policy' for r in sorted(v.rules)))}</td></tr>"
        for v in shown
    )
    more = (
        f'<p class="muted">{len(coverage.values) - len(shown):,} less frequent values not shown (see --json).</p>'
        if len(coverage.values) > len(shown)
        else ""
    )
    return (
        f'<section id="values"><h2>Legacy values seen ({coverage.distinct_values:,} distinct)</h2>'
        '<table id="value-table"><thead><tr><th>Value</th><th>Spellings seen</th><th class="num">Records</th>'
        '<th class="num">Share</th><th>Became</th><th>Rules</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>{more}</section>"
    )


def _diff(diff: DiffResult) -> str:
    changes = diff.changes
    history = diff.history
    moved = f" {history.moved:,} of {history.records:,} records in history move." if history is not None else ""
    head = (
        f'<section id="diff"><h2>Changes against {_e(diff.old.name)}</h2>'
        f"<p>Old table sha256 <code>{_e(diff.old.sha256)}</code>. {len(changes)} of {len(diff.rows)} legacy values "
        f"change.{_e(moved)}</p>"
    )
    if not changes:
        return head + '<p class="none">No legacy value changes its outcome.</p></section>'
    rows = "".join(
        f'<tr class="change"><td><code>{_e(r.value)}</code></td><td>{_e(r.old)}</td><td>{_e(r.new)}</td>'
        f'<td class="num">{"-" if r.moved is None else f"{r.moved:,}"}</td></tr>'
        for r in changes
    )
    return (
        head + '<table id="diff-table"><thead><tr><th>Legacy value</th><th>Before</th><th>After</th>'
        f'<th class="num">Records moved</th></tr></thead><tbody>{rows}</tbody></table></section>'
    )


def _default(default: bool, what: str = "default") -> str:
    return f' <span class="default">{_e(what)}</span>' if default else ""


def _line(line: int | None) -> str:
    return f'<td class="num">{line}</td>' if line is not None else '<td class="num"><span class="muted">-</span></td>'


def _correlation(review: CorrelationReview | None) -> str:
    """The ``correlate:`` section in effect: how records without a conversation id are matched, and its findings."""
    if review is None:
        return ""
    platform = review.platform or "the platform named by correlate --source"
    if review.section:
        intro = (
            "How <code>wrapup-bridge correlate</code> matches records that have no conversation id to Genesys "
            f"conversations, as the table's <code>correlate:</code> section (line {review.line}) sets it. A setting "
            f"the section does not write is the default, marked{_default(True)}; fields are read where {_e(platform)} "
            "exports keep them unless the section places them."
        )
    else:
        intro = (
            "This table has no <code>correlate:</code> section: <code>wrapup-bridge correlate</code> with it "
            f"matches {_e(platform)} records that have no conversation id with the defaults below."
        )
    findings = (
        '<table class="correlation-findings"><thead><tr><th>Severity</th><th class="num">Where</th><th>Kind</th>'
        "<th>What to do</th></tr></thead><tbody>"
        + "".join(
            f'<tr class="correlation-finding {f.severity.value}"><td>{_badge(f)}</td><td class="num">line {f.line}'
            f'</td><td><span class="kind">{_e(f.kind.value)}</span></td><td>{_e(f.message)}</td></tr>'
            for f in review.findings
        )
        + "</tbody></table>"
        if review.findings
        else '<p class="none">No findings about correlation.</p>'
    )
    settings = "".join(
        f'<tr class="setting"><td><code class="key">{_e(s.key)}</code></td><td>{_e(s.value)}{_default(s.default)}</td>'
        f"{_line(s.line)}<td>{_e(s.meaning)}</td></tr>"
        for s in review.settings
    )
    places = "".join(_place_row(p, review.platform) for p in review.places)
    weights = "".join(
        f'<tr class="weight"><td>{_e(w.part)}</td><td class="num">{w.weight:g}{_default(w.default)}</td>'
        f"{_line(w.line)}</tr>"
        for w in review.weights
    )
    return (
        '<section id="correlation"><h2>Correlation</h2>'
        f'<p class="muted">{intro}</p>'
        f'<p class="decision" id="correlation-decision">A record is {_e(review.decision)}.</p>'
        f"{findings}"
        '<h3>Settings</h3><table id="correlation-settings"><thead><tr><th>Setting</th><th>In effect</th>'
        f'<th class="num">Line</th><th>What it means</th></tr></thead><tbody>{settings}</tbody></table>'
        '<h3>Where each part of a record is read</h3><table id="correlation-fields"><thead><tr><th>Part</th>'
        f'<th>Record fields, tried in order</th><th class="num">Line</th><th>What it is</th></tr></thead>'
        f"<tbody>{places}</tbody></table>"
        '<h3>Weights</h3><p class="muted">A conversation\'s score is the weighted mean of the parts both the record '
        "and the conversation know: an agreeing part counts 1, a differing one 0, the time 1 - offset / tolerance. "
        "A part only one side knows counts for nothing either way.</p>"
        '<table id="correlation-weights"><thead><tr><th>Part</th><th class="num">Weight</th><th class="num">Line'
        f"</th></tr></thead><tbody>{weights}</tbody></table>"
        f"{_queues(review.queues)}</section>"
    )


def _place_row(place: CorrelationPlace, platform: str | None) -> str:
    if not place.places:
        read = '<span class="muted">where the platform given by correlate --source keeps it</span>'
    else:
        read = " or ".join(f"<code>{_e(p)}</code>" for p in place.places)
        read += _default(place.default, f"default for {platform}")
    if not place.used:
        read += ' <span class="muted">(not read: the section sets no legacy_id)</span>'
    return f'<tr class="place"><td>{_e(place.part)}</td><td>{read}</td>{_line(place.line)}<td>{_e(place.meaning)}</td></tr>'


def _queues(queues: tuple[CorrelationQueue, ...]) -> str:
    if not queues:
        return (
            '<h3>Queues</h3><p class="muted">No legacy queue is mapped to a Genesys queue (<code>queues:</code>): '
            "a record's queue is not compared.</p>"
        )
    shown = {
        "unknown": '<span class="zero">not a queue of the org</span>',
        "not-checked": '<span class="muted">not checked (no org catalog)</span>',
    }
    rows = "".join(
        f'<tr class="correlation-queue"><td>{_e(q.legacy)}</td><td class="id"><code>{_e(q.queue_id)}</code></td>'
        f"<td>{_e(q.genesys_name) if q.status == 'ok' else shown[q.status]}</td>{_line(q.line)}</tr>"
        for q in queues
    )
    return (
        '<h3>Queues</h3><table id="correlation-queues"><thead><tr><th>Legacy queue</th><th>Genesys queue id</th>'
        f'<th>Queue in Genesys</th><th class="num">Line</th></tr></thead><tbody>{rows}</tbody></table>'
    )


# ------------------------------------------------------------------------ authoring sections (report_authoring)
def _severity_badge(severity: str) -> str:
    return f'<span class="badge {_e(severity)}">{_e(severity)}</span>'


def _decided_text(decided: tuple[tuple[str, int], ...]) -> str:
    if len(decided) == 1:
        return decided[0][0]
    return ", ".join(f"{text} ×{records:,}" for text, records in decided)


def _proposal_row(row: ProposalRow) -> str:
    if row.confidence is not None:
        level = "high" if row.label == "code-high" else "LOW"
        confidence = f'{row.confidence:.2f} <span class="kind">{level}</span>'
        proposed = f"{_e(row.proposed)}<br><code>{_e(row.code_id)}</code>"
    else:
        confidence = '<span class="muted">-</span>'
        proposed = f"<em>{_e(row.proposed)}</em>"
    if row.agrees:
        verdict = '<span class="none">same</span>'
    else:
        share = "" if row.differing == row.records else f" ({row.differing:,} of {row.records:,} records)"
        verdict = f'<span class="badge warning">differs</span>{_e(share)}'
    return (
        f'<tr class="proposal {"agrees" if row.agrees else "differs"}"><td><code>{_e(row.value)}</code></td>'
        f'<td class="num">{row.records:,}</td><td>{proposed}</td><td class="num">{confidence}</td>'
        f"<td>{_e(row.reason)}</td><td>{_e(_decided_text(row.decided))}</td><td>{verdict}</td></tr>"
    )


def _proposals(review: ProposalReview | None) -> str:
    """Proposed vs existing: what `mapping init` would propose for each legacy value beside the table's decision."""
    if review is None:
        return ""
    differing = review.differing
    shown = [row for number, row in enumerate(review.rows) if number < VALUES_SHOWN or not row.agrees]
    more = (
        f'<p class="muted">{len(review.rows) - len(shown):,} less frequent values that agree are not shown.</p>'
        if len(shown) < len(review.rows)
        else ""
    )
    untracked = (
        f" {review.untracked:,} records of values past the first {len(review.rows):,} were not proposed."
        if review.untracked
        else ""
    )
    summary = (
        f"{review.agreed_records:,} of {review.records:,} records decided alike; {len(differing)} of "
        f"{len(review.rows)} legacy values differ.{untracked}"
    )
    return (
        '<section id="proposals"><h2>Proposed vs existing</h2>'
        '<p class="muted">What <code>wrapup-bridge mapping init</code> would propose for each legacy value of the '
        f"history from the org's codes ({_e(review.catalog)}), beside what this table decides. A difference is a "
        "question for the review, not an error: names cannot know a campaign, a queue or a business decision; the "
        "table's people may. Decided alike: the same code, both skip, or both leave the records unmapped (a TODO "
        "leaves them for a person).</p>"
        f'<p class="decision" id="proposals-summary">{_e(summary)}</p>'
        '<table id="proposal-table"><thead><tr><th>Legacy value</th><th class="num">Records</th>'
        '<th>mapping init proposes</th><th class="num">Confidence</th><th>Why</th><th>The table decides</th>'
        f"<th>Same?</th></tr></thead><tbody>{''.join(_proposal_row(r) for r in shown)}</tbody></table>{more}"
        "</section>"
    )


def _terraform(review: TerraformReview | None) -> str:
    """What Terraform would create: the codes the table names and the org lacks, the queue assignments its rules
    need (`mapping terraform`'s plan), and the command that writes the files."""
    if review is None:
        return ""
    plan = review.plan
    parts = [
        '<section id="terraform"><h2>What Terraform would create</h2>'
        '<p class="muted">What the table needs and the org lacks, as <code>wrapup-bridge mapping terraform</code> '
        "works it out: wrap-up codes to create (resources of the Genesys Cloud provider) and codes to allow on "
        "queues (written as comments: declaring an existing queue in Terraform would manage all of it). Nothing is "
        "applied; after <code>terraform apply</code>, <code>wrapup-bridge mapping sync</code> puts the new ids into "
        "the table.</p>"
        f'<p class="decision">Write it with: <code id="terraform-command">{_e(review.command)}</code></p>'
    ]
    if plan.new_codes:
        rows = "".join(
            f'<tr class="new-code"><td><code>{_e(CODE_RESOURCE)}.{_e(c.label)}</code></td><td>{_e(c.name)}</td>'
            f"<td>{_e(c.division_name or c.division_id or 'none (all divisions)')}"
            f'<br><span class="muted">{_e(c.division_reason)}</span></td>'
            f"<td>{_e(', '.join(c.aliases))}<br><span class='muted'>line {c.line}</span></td>"
            f"<td>{_e(_uses(c.rules, c.fallback))}</td></tr>"
            for c in plan.new_codes
        )
        parts.append(
            f"<h3>Codes to create ({len(plan.new_codes)})</h3>"
            '<table id="terraform-codes"><thead><tr><th>Resource</th><th>Code name</th><th>Division</th>'
            f"<th>Table aliases</th><th>Used by</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    if plan.queues:
        rows = "".join(
            f'<tr class="queue-need"><td>{_e(need.queue.name)}<br><code>{_e(need.queue.id)}</code></td>'
            f"<td>{_e(need.queue.division or '')}</td><td>{_queue_codes(need)}</td></tr>"
            for need in plan.queues
        )
        parts.append(
            f"<h3>Queue assignments ({len(plan.queues)} queues)</h3>"
            '<table id="terraform-queues"><thead><tr><th>Queue</th><th>Division</th><th>Codes to allow, and the '
            f"rules that need them</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    if not plan.queues_checked:
        parts.append('<p class="muted">The catalog lists no queues: queue assignments were not worked out.</p>')
    if plan.remarks:
        items = "".join(f'<li class="terraform-remark">line {r.line}: {_e(r.message)}</li>' for r in plan.remarks)
        parts.append(f'<h3>Left to you</h3><ul id="terraform-remarks">{items}</ul>')
    parts.append("</section>")
    return "".join(parts)


def _uses(rules: tuple[int, ...], fallback: bool) -> str:
    used = [f"#{n}" for n in rules] + (["the unmapped fallback"] if fallback else [])
    return ", ".join(used) or "no rule (on no queue)"


def _queue_codes(need: QueueNeed) -> str:
    return "<br>".join(
        f"{_e(code.name)} "
        + ('<span class="kind">new</span>' if code.label is not None else f"<code>{_e(code.id)}</code>")
        + f' <span class="muted">({_e(_uses(code.rules, False))})</span>'
        for code in need.codes
    )


def _flags(flags: tuple[str, ...] | None) -> str:
    if flags is None:
        return "no entry (the org's defaultSet applies)"
    return flags_text(flags)


def _outbound(review: OutboundReview | None) -> str:
    """Outbound flags: what the table's ``outbound:`` section gives each code, its conflicts, and the diff with
    the org's current mapping when it was read."""
    if review is None:
        return ""
    listing = (
        f"the legacy listing <code>{_e(review.legacy_catalog)}</code>" if review.legacy_catalog else "no legacy listing"
    )
    parts = [
        '<section id="outbound"><h2>Outbound flags</h2>'
        '<p class="muted">The flags the dialer applies after each code (Genesys\'s outbound wrap-up code mapping), '
        f"as the table's <code>outbound:</code> section and rules give them, from {listing}. "
        "<code>wrapup-bridge outbound plan</code> shows the same diff against the org, and "
        "<code>outbound apply</code> sets it.</p>"
    ]
    if review.findings:
        rows = "".join(
            f'<tr class="outbound-finding {_e(f.severity)}"><td>{_severity_badge(f.severity)}</td>'
            f'<td><span class="kind">{_e(f.kind.value)}</span></td><td>{_e(f.message)}</td></tr>'
            for f in review.findings
        )
        parts.append(
            '<table id="outbound-findings"><thead><tr><th>Severity</th><th>Kind</th><th>What to do</th></tr>'
            f"</thead><tbody>{rows}</tbody></table>"
        )
    else:
        parts.append('<p class="none">No findings about the outbound flags.</p>')
    desired = review.desired
    rows = "".join(
        f'<tr class="outbound-desired"><td>{_e(entry.code.name)}</td><td class="id"><code>{_e(code_id)}</code></td>'
        f"<td>{_e(_flags(None if entry.flags is None else tuple(f.value for f in entry.flags)))}</td>"
        f"<td>{_e(entry.why)}</td></tr>"
        for code_id, entry in desired.entries.items()
    )
    default_set = (
        f"defaultSet (codes without an entry): {flags_text(f.value for f in desired.default_set)}, set by the table."
        if desired.default_set is not None
        else "defaultSet (codes without an entry): left as the org has it (the table does not set it)."
    )
    parts.append(
        f"<h3>Flags per code ({len(desired.entries)})</h3>"
        '<table id="outbound-desired"><thead><tr><th>Code</th><th>Id</th><th>Flags</th><th>Why</th></tr></thead>'
        f'<tbody>{rows}</tbody></table><p id="outbound-default-set">{_e(default_set)}</p>'
    )
    parts.append(_outbound_diff(review))
    parts.append("</section>")
    return "".join(parts)


def _outbound_diff(review: OutboundReview) -> str:
    diff = review.diff
    if diff is None:
        return (
            f'<h3>Against the org</h3><p class="muted" id="outbound-not-read">{_e(review.not_read)}. The flags and '
            "conflicts above are shown without the diff.</p>"
        )
    read = f"The org's mapping, read at version {review.current_version}"
    read += f", defaultSet {flags_text(review.current_default_set or ())}."
    if diff.empty:
        return f'<h3>Against the org</h3><p>{_e(read)}</p><p class="none" id="outbound-diff">The org\'s mapping already says all of this.</p>'
    rows = "".join(
        f'<tr class="outbound-change {_e(c.kind.value)}"><td>{_e(c.kind.value)}</td><td>{_e(c.code_name)}</td>'
        f'<td class="id"><code>{_e(c.code_id)}</code></td><td>{_e(_flags(c.before))}</td>'
        f"<td>{_e(_flags(c.after))}</td><td>{_e(c.why)}</td></tr>"
        for c in diff.changes
    )
    if diff.default_set is not None:
        rows += (
            '<tr class="outbound-change changed"><td>changed</td><td>defaultSet</td><td></td>'
            f"<td>{_e(flags_text(diff.default_set.before))}</td><td>{_e(flags_text(diff.default_set.after))}</td>"
            "<td>outbound.default_set</td></tr>"
        )
    names = {code_id.lower(): entry.code.name for code_id, entry in review.desired.entries.items()}
    right = ", ".join(names.get(code_id.lower(), code_id) for code_id in diff.unchanged)
    already = f'<p id="outbound-unchanged">Already right: {_e(right)}.</p>' if right else ""
    return (
        f"<h3>Against the org ({len(diff.changes) + (diff.default_set is not None)} changes)</h3><p>{_e(read)}</p>"
        '<table id="outbound-diff"><thead><tr><th>Change</th><th>Code</th><th>Id</th><th>Now</th><th>Wanted</th>'
        f"<th>Why</th></tr></thead><tbody>{rows}</tbody></table>{already}"
    )
