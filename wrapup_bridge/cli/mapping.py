"""``wrapup-bridge mapping ...``: validate a table, explain a decision, publish the file format's JSON Schema,
review a table for operations leads (check against the org, coverage over history, diff, report), and author one
(``init``, ``terraform``, ``sync``: their own modules, registered lazily in ``AUTHORING_COMMANDS``).

The review commands are thin: the work is in ``wrapup_bridge.services.review`` (over ``core.review``) and the org
comes from ``services.catalog``; here are only arguments, reading history through the adapters (rejected records
kept in a rejects file, as ``normalize`` does), output and exit codes (0 all good, 1 problems found, 2 usage or
configuration error).
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from wrapup_bridge.cli import LazyGroup
from wrapup_bridge.cli._adapters import adapter_flags, adapter_options, build_adapter, input_errors
from wrapup_bridge.cli._common import (
    EXIT_PROBLEMS,
    EXIT_USAGE,
    MAX_ERRORS_SHOWN,
    JsonLinesWriter,
    fail_usage,
    load_or_exit,
    run_on_target,
    stderr,
)
from wrapup_bridge.cli._org_catalog import catalog_options, org_catalog
from wrapup_bridge.core.decision import Decision, DecisionKind
from wrapup_bridge.core.disposition import Disposition, Media
from wrapup_bridge.core.mapping import MappingDocument, MappingTable, MappingTableError, load_mapping
from wrapup_bridge.core.mapping.table import Explanation

if TYPE_CHECKING:
    from wrapup_bridge.adapters import AdapterError
    from wrapup_bridge.core.review import CheckResult, CoverageSummary, OrgCatalog, ReviewedTable, ReviewReport
    from wrapup_bridge.services.review import InputHistory

__all__ = ["mapping"]

F = TypeVar("F", bound=Callable[..., Any])


#: The authoring commands (issue 15), each in its own module, imported only when invoked.
AUTHORING_COMMANDS = {
    "init": "wrapup_bridge.cli.mapping_init:init",
    "terraform": "wrapup_bridge.cli.mapping_terraform:terraform",
    "sync": "wrapup_bridge.cli.mapping_sync:sync",
}


@click.group(cls=LazyGroup, lazy=AUTHORING_COMMANDS)
def mapping() -> None:
    """Work with mapping tables (legacy disposition -> Genesys wrap-up code): validate, explain, review against the
    org and history, and author them (init from history, terraform for what the org lacks, sync ids by name)."""


@mapping.command()
@click.argument("tables", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per table.")
def validate(tables: tuple[str, ...], as_json: bool) -> None:
    """Check that each table loads: syntax, keys, ids, aliases, regexes. Exit 1 when any has problems."""
    failed = 0
    for path in tables:
        try:
            table = load_mapping(path)
        except MappingTableError as exc:
            failed += 1
            if as_json:
                problems = [
                    {"file": p.file, "line": p.line, "path": p.path, "message": p.message} for p in exc.problems
                ]
                click.echo(json.dumps({"table": path, "ok": False, "problems": problems}))
            else:
                click.echo(str(exc))
            continue
        summary = {
            "table": path,
            "ok": True,
            "sha256": table.sha256,
            "codes": len(table.codes),
            "rules": len(table.rules),
            "unmapped": table.unmapped.action.value,
        }
        if as_json:
            click.echo(json.dumps(summary))
        else:
            click.echo(
                f"ok: {path}: {len(table.codes)} codes, {len(table.rules)} rules, unmapped -> "
                f"{table.unmapped.action.value}; sha256 {table.sha256}"
            )
    if failed:
        sys.exit(EXIT_PROBLEMS)


@mapping.command()
def schema() -> None:
    """Print the JSON Schema of the mapping file format (for editors; also shipped in the package)."""
    click.echo(json.dumps(MappingDocument.model_json_schema(), indent=2, ensure_ascii=False))


def _parse_fields(pairs: tuple[str, ...]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            fail_usage(f"--field takes KEY=VALUE, got {pair!r}")
        fields[key.strip()] = value
    return fields


def _record_from_json(text: str) -> Disposition:
    if text.startswith("@"):
        try:
            with open(text[1:], encoding="utf-8-sig") as handle:
                text = handle.read()
        except UnicodeDecodeError as exc:
            fail_usage(f"cannot read {text[1:]!r}: byte {exc.start} is not UTF-8 (a record is JSON text)")
        except OSError as exc:
            fail_usage(f"cannot read {text[1:]!r}: {exc.strerror}")
    elif text == "-":
        text = sys.stdin.read()
    from wrapup_bridge.core.limits import loads_json

    try:
        data = loads_json(text)
    except json.JSONDecodeError as exc:
        fail_usage(f"--record is not JSON: {exc}")
    if not isinstance(data, dict):
        fail_usage("--record must be a JSON object (one line of `wrapup-bridge normalize` output)")
    data.setdefault("source", "manual")
    data.setdefault("source_id", "explain")
    data.setdefault("code", "")
    from pydantic import ValidationError

    from wrapup_bridge.core.validation_text import validation_in_words

    try:
        return Disposition.model_validate(data)
    except ValidationError as exc:
        fail_usage(f"--record is not a disposition: {validation_in_words(exc)}")


def _decision_dict(decision: Decision) -> dict[str, Any]:
    return decision.model_dump(mode="json")


def _explanation_dict(record: Disposition, explanation: Explanation, table: MappingTable) -> dict[str, Any]:
    return {
        "table": table.name,
        "sha256": table.sha256,
        "record": record.to_json_dict(),
        "decision": _decision_dict(explanation.decision),
        "rules_tried": [
            {
                "rule": trace.rule.number,
                "line": trace.rule.line,
                "matched": trace.matched,
                "conditions": [
                    {
                        "key": c.key,
                        "value": c.raw,
                        "normalized": c.normalized,
                        "condition": c.condition.to_yaml(),
                        "matched": c.matched,
                    }
                    for c in trace.conditions
                ],
            }
            for trace in explanation.traces
        ],
    }


@mapping.command()
@click.argument("table_path", metavar="MAPPING", type=click.Path(dir_okay=False))
@click.argument("value", required=False)
@click.option("--record", help="A normalized record as JSON (a line of `normalize` output), @FILE, or - for stdin.")
@click.option(
    "--field", "fields", multiple=True, metavar="KEY=VALUE", help="A field for rules that match on more than the code."
)
@click.option("--media", type=click.Choice([m.value for m in Media]), help="The record's media (default voice).")
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON.")
@click.option("--all-rules", is_flag=True, help="Also list rules whose first condition did not match.")
def explain(
    table_path: str,
    value: str | None,
    record: str | None,
    fields: tuple[str, ...],
    media: str | None,
    as_json: bool,
    all_rules: bool,
) -> None:
    """Say which rule a legacy VALUE (or a whole --record) matches, which Genesys code it gets, or why none.

    Exit 1 when the record ends unmapped.
    """
    table = load_or_exit(table_path)
    if (value is None) == (record is None):
        fail_usage("give either a legacy VALUE or --record JSON")
    if record is not None:
        disposition = _record_from_json(record)
        if fields or media:
            extra = {**disposition.fields, **_parse_fields(fields)}
            disposition = disposition.model_copy(update={"fields": extra, "media": Media(media or disposition.media)})
    else:
        assert value is not None
        disposition = Disposition(
            source=table.source.platform or "manual",
            source_id="explain",
            code=value,
            fields=_parse_fields(fields),
            media=Media(media) if media else Media.VOICE,
        )
    explanation = table.explain(disposition)
    decision = explanation.decision
    if as_json:
        click.echo(json.dumps(_explanation_dict(disposition, explanation, table), ensure_ascii=False, indent=2))
    else:
        click.echo(f"{table.name} (sha256 {table.sha256[:12]}...)")
        click.echo(f"record: code={disposition.code!r}" + "".join(f" {k}={v!r}" for k, v in disposition.fields.items()))
        for trace in explanation.traces:
            first_failed = next((c for c in trace.conditions if not c.matched), None)
            if not all_rules and first_failed is not None and first_failed is trace.conditions[0]:
                continue
            mark = "MATCH" if trace.matched else "no"
            click.echo(f"  rule #{trace.rule.number} (line {trace.rule.line}): {mark}")
            for c in trace.conditions:
                verdict = "yes" if c.matched else "NO"
                click.echo(
                    f"      {c.key}: {c.raw!r} -> {c.normalized!r} vs {c.condition.kind.value} "
                    f"{list(c.condition.values)}: {verdict}"
                )
        code = decision.code
        click.echo(f"decision: {decision.kind.value}: {decision.reason}")
        if code is not None:
            click.echo(f"  Genesys wrap-up code: {code.name!r} id {code.id} (alias {code.alias})")
        elif decision.kind is DecisionKind.UNMAPPED:
            close = table.suggestions(disposition.code)
            if close:
                click.echo(f"  values this table does know that look alike: {', '.join(repr(c) for c in close)}")
    if decision.kind is DecisionKind.UNMAPPED:
        sys.exit(EXIT_PROBLEMS)


# ============================================================================================ review commands
def _reviewed_or_exit(path: str) -> ReviewedTable:
    from wrapup_bridge.core.review import load_reviewed

    try:
        return load_reviewed(path)
    except MappingTableError as exc:
        stderr(str(exc))
        sys.exit(EXIT_USAGE)


def _catalog_options(func: F) -> F:
    """``--catalog FILE`` (a `catalog export` snapshot) or ``--live`` (with --target/--org), for check and report."""
    return catalog_options(
        func, catalog_help="Org snapshot from `wrapup-bridge catalog export` to check codes and queues against."
    )


_org_catalog = org_catalog


def _history_options(func: F) -> F:
    """How to read legacy exports: the same options as `normalize` (the side file is --legacy-catalog here, as
    --catalog is the org's catalog), defaults from the table's `source:`."""
    options = [
        click.option(
            "--rejects",
            type=click.Path(dir_okay=False),
            default="rejects.jsonl",
            show_default=True,
            help="Where records that could not be read go (created only if there are any), with the reason.",
        ),
        adapter_flags(catalog_flag="--legacy-catalog"),
        click.option("--source", "-s", help="Legacy platform: twilio, five9, cxone (default: the table's source:)."),
    ]
    for option in options:
        func = option(func)
    return func


@dataclass
class _HistoryReader:
    """A ``services.review.InputHistory`` whose unreadable records go to the rejects file (the first ones also on
    stderr), with a count at the end; what reading raises becomes an exit code."""

    history: InputHistory
    rejects_path: str

    @property
    def inputs(self) -> tuple[str, ...]:
        return self.history.inputs

    @property
    def rejected(self) -> int:
        return self.history.rejected

    @classmethod
    def build(
        cls, table: MappingTable, inputs: tuple[str, ...], *, source: str | None, rejects: str, **flags: Any
    ) -> _HistoryReader:
        from wrapup_bridge.services.review import InputHistory

        platform = source or table.source.platform
        if platform is None:
            fail_usage(
                f"say which platform the history comes from: --source twilio|five9|cxone ({table.name} has no source:)"
            )
        options = adapter_options(table, platform, **flags)
        adapter = build_adapter(platform, options)
        return cls(InputHistory(adapter, inputs, options.encoding), rejects)

    def __iter__(self) -> Iterator[Disposition]:
        writer = JsonLinesWriter(self.rejects_path, what="rejects file")

        def keep(error: AdapterError) -> None:
            writer.write(error.to_json_dict())
            if self.rejected <= MAX_ERRORS_SHOWN:
                stderr(f"rejected: {error}")

        self.history.on_reject = keep
        try:
            with input_errors():
                yield from self.history
        finally:
            writer.close()
        if self.rejected:
            stderr(f"{self.rejected} records could not be read; kept with reasons in {self.rejects_path}")


def _pct(part: int, whole: int) -> str:
    return f"{(part / whole * 100) if whole else 0.0:5.1f}%"


@mapping.command()
@click.argument("table_path", metavar="MAPPING", type=click.Path(dir_okay=False))
@_catalog_options
@click.option("--json", "as_json", is_flag=True, help="Print findings and codes as one JSON object.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
def check(
    table_path: str, catalog_file: str | None, live: bool, target: str, org: Path | None, as_json: bool, strict: bool
) -> None:
    """Check a table against the org and itself: code ids exist, names have not drifted, divisions, which queues
    allow each code (and the queue of queue-scoped rules), rules that can never match, duplicates, unused aliases.

    Every finding names its YAML line. Exit 1 when there are errors (or warnings, with --strict).
    """
    from wrapup_bridge.services.review import check as check_reviewed

    reviewed = _reviewed_or_exit(table_path)
    result = check_reviewed(reviewed, _org_catalog(catalog_file, live, target, org))
    if as_json:
        click.echo(json.dumps(result.to_dict(strict=strict), indent=2, ensure_ascii=False))
    else:
        _print_check(result)
    if result.failed(strict=strict):
        sys.exit(EXIT_PROBLEMS)


def _print_check(result: CheckResult) -> None:
    table = result.table.table
    for finding in result.findings:
        click.echo(f"{table.name}:{finding.line}: {finding.severity.value} [{finding.kind.value}] {finding.message}")
    if not result.findings:
        click.echo("no findings")
    click.echo("codes:")
    for code in result.codes:
        queues = "queues unknown" if code.queues is None else f"allowed on: {', '.join(code.queues) or 'no queue'}"
        division = f"division {code.division}; " if code.division else ""
        users = ", ".join(f"#{n}" for n in code.rules) + (" fallback" if code.fallback else "")
        click.echo(
            f"  {code.alias} (line {code.line}): {code.name!r} {code.id} [{code.status}] {division}{queues}; "
            f"rules: {users or 'none'}"
        )
    counts = result.counts
    catalog = result.catalog
    against = f"{catalog.source}, fingerprint {catalog.fingerprint}" if catalog else "no org catalog"
    click.echo(f"checked {table.name} (sha256 {table.sha256}) against {against}")
    click.echo(f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} notes")


@mapping.command()
@click.argument("table_path", metavar="MAPPING", type=click.Path(dir_okay=False))
@click.argument("inputs", metavar="HISTORY...", nargs=-1, required=True)
@_history_options
@click.option(
    "--catalog",
    "legacy_catalog_alias",
    type=click.Path(dir_okay=False),
    help="Same as --legacy-catalog (the adapter's side file, as in `normalize --catalog`).",
)
@click.option("--top", default=20, show_default=True, help="How many unmapped values to list.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole coverage (every value) as JSON.")
def coverage(
    table_path: str,
    inputs: tuple[str, ...],
    source: str | None,
    legacy_catalog_alias: str | None,
    rejects: str,
    top: int,
    as_json: bool,
    **flags: Any,
) -> None:
    """Run legacy exports (HISTORY files, or - for stdin) through the table: legacy values with their spellings and
    counts, mapped/unmapped/skip/fallback shares, hits per rule, rules never hit, the top unmapped values.

    Streams: memory depends on the number of distinct values, not of records. Exit 1 when records end unmapped or
    cannot be read. (--catalog is accepted as the side file, as in `normalize`.)
    """
    from wrapup_bridge.services.review import coverage_of

    table = load_or_exit(table_path)
    if legacy_catalog_alias and not flags.get("adapter_catalog"):
        flags["adapter_catalog"] = legacy_catalog_alias
    reader = _HistoryReader.build(table, inputs, source=source, rejects=rejects, **flags)
    summary = coverage_of(table, reader, suggest=top)
    if as_json:
        out = {"table": table.name, "sha256": table.sha256, **summary.to_dict(top=top)}
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        _print_coverage(table, summary, top)
    if summary.kinds.get("unmapped", 0) or summary.rejected:
        sys.exit(EXIT_PROBLEMS)


def _print_coverage(table: MappingTable, summary: CoverageSummary, top: int) -> None:
    from wrapup_bridge.core.review.describe import rule_outcome_text, rule_when_text

    records = summary.records
    click.echo(f"{table.name} (sha256 {table.sha256})")
    click.echo(f"history: {', '.join(summary.inputs)}: {records} records, {summary.rejected} unreadable")
    for kind, count in summary.kinds.items():
        click.echo(f"  {kind:<9} {count:>9}  {_pct(count, records)}")
    click.echo("hits per rule:")
    for rule, hits in zip(table.rules, summary.rules, strict=True):
        click.echo(
            f"  #{rule.number:<3} line {rule.line:<4} {hits.hits:>9}  {_pct(hits.hits, records)}  "
            f"{rule_when_text(rule)} -> {rule_outcome_text(rule)}"
        )
    click.echo(f"  no rule (table policy: {table.unmapped.action.value}): {summary.policy_hits}")
    never = summary.never_hit
    click.echo("rules never hit: " + (", ".join(f"#{r.number} (line {r.line})" for r in never) or "none"))
    unmapped = summary.top_unmapped(top)
    click.echo("top unmapped values:" + ("" if unmapped else " none"))
    for value in unmapped:
        spellings = ", ".join(f"{raw!r} x{count}" for raw, count in value.spellings)
        alike = f"; looks like {', '.join(repr(s) for s in value.suggestions)}" if value.suggestions else ""
        if value.known:
            alike = "; the table names this value, but its rules need other field values"
        click.echo(
            f"  {value.display!r}: {value.unmapped} records ({_pct(value.unmapped, records).strip()}); spellings {spellings}{alike}"
        )
    more = f", {summary.untracked_records} records beyond the tracked values" if summary.untracked_records else ""
    click.echo(f"{summary.distinct_values} distinct legacy values{more} (--json lists them all)")


@mapping.command()
@click.argument("old_path", metavar="OLD", type=click.Path(dir_okay=False))
@click.argument("new_path", metavar="NEW", type=click.Path(dir_okay=False))
@click.option("--history", "history", multiple=True, help="A legacy export to count moved records in (repeatable).")
@_history_options
@click.option("--all", "show_all", is_flag=True, help="List unchanged values too.")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
def diff(
    old_path: str,
    new_path: str,
    history: tuple[str, ...],
    source: str | None,
    rejects: str,
    show_all: bool,
    as_json: bool,
    **flags: Any,
) -> None:
    """Per legacy value, what OLD decides and what NEW decides (code name and id, skip or unmapped); only the
    changes unless --all. With --history, how many records each change moves (each record resolved by both).

    History is read with NEW's source: settings unless overridden. Exit 1 only when history records cannot be read.
    """
    from wrapup_bridge.services.review import diff_of, history_table

    old, new = load_or_exit(old_path), load_or_exit(new_path)
    reader: _HistoryReader | None = None
    if history:
        reader = _HistoryReader.build(history_table(old, new), history, source=source, rejects=rejects, **flags)
    result = diff_of(old, new, reader)
    moves = result.history
    if as_json:
        click.echo(json.dumps(result.to_dict(include_all=show_all), indent=2, ensure_ascii=False))
    else:
        rows = result.rows if show_all else result.changes
        click.echo(f"old: {old.name} (sha256 {old.sha256})")
        click.echo(f"new: {new.name} (sha256 {new.sha256})")
        for row in rows:
            mark = "changed" if row.changed or row.moved else "same"
            moved = f" [{row.moved} of {row.seen} records move]" if row.moved is not None else ""
            click.echo(f"  {row.value!r}: {mark}{moved}")
            click.echo(f"      old: {row.old}")
            click.echo(f"      new: {row.new}")
        summary = f"{len(result.changes)} of {len(result.rows)} legacy values change"
        if moves is not None:
            summary += f"; {moves.moved} of {moves.records} records in history move"
        click.echo(summary)
    if reader is not None and reader.rejected:
        sys.exit(EXIT_PROBLEMS)


def _write(path: str, text: str, what: str) -> None:
    if path == "-":
        click.echo(text, nl=False)
        return
    try:
        Path(path).write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        fail_usage(f"cannot write the {what} to {path!r}: {exc.strerror or exc}")
    stderr(f"wrote the {what} to {path}")


def _write_section_csvs(csv_path: str, report: ReviewReport) -> None:
    """The report's sections as CSVs beside the rule table's file, one each for the sections it has. With stdout,
    which holds the rule table only, say that they were not written. A section's file that this report did not write
    (an earlier report's) is named, not deleted: it is someone's file, and a stale one must not pass for this one."""
    from wrapup_bridge.core.review.render_csv import CSV_SECTIONS, section_csv_path, section_csvs

    sections = section_csvs(report)
    if csv_path == "-":
        if sections:
            names = ", ".join(section for section, _, _ in sections)
            stderr(f"the {names} CSV not written: each goes beside a rule table file (--csv FILE), not to stdout")
        return
    for section, what, text in sections:
        _write(str(section_csv_path(csv_path, section)), text, what)
    written = {section for section, _, _ in sections}
    for section in CSV_SECTIONS:
        other = section_csv_path(csv_path, section)
        if section not in written and other.exists():
            stderr(f"{other} is not this report's: it has no {section} section (the file is left as it was)")


@mapping.command()
@click.argument("table_path", metavar="MAPPING", type=click.Path(dir_okay=False))
@click.option("--history", "history", multiple=True, help="A legacy export for coverage and hits (repeatable).")
@_history_options
@_catalog_options
@click.option("--against", "against", type=click.Path(dir_okay=False), help="An older table to show the changes from.")
@click.option("--out", "-o", default="report.html", show_default=True, help="The HTML report (- for stdout).")
@click.option("--md", "md_path", help="Also write the report as Markdown (- for stdout).")
@click.option(
    "--csv",
    "csv_path",
    help="Also write the rule table with hits as CSV (- for stdout), and beside a file each other section the "
    "report has as NAME.correlation.csv, NAME.proposals.csv, NAME.terraform.csv and NAME.outbound.csv.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as problems (exit 1).")
def report(
    table_path: str,
    history: tuple[str, ...],
    source: str | None,
    rejects: str,
    catalog_file: str | None,
    live: bool,
    target: str,
    org: Path | None,
    against: str | None,
    out: str,
    md_path: str | None,
    csv_path: str | None,
    strict: bool,
    **flags: Any,
) -> None:
    """Write one self-contained HTML page reviewing a table (works offline, no script): its sha256 and review
    metadata, the check's findings first, the rule table with code names, ids and hits, coverage bars, the top
    unmapped values, and the changes against --against. --md and --csv write the same as Markdown / CSV (the
    sections beside the rule table's CSV file, one CSV each).

    With the org (--catalog or --live) it also shows what `mapping init` would propose beside the table's
    decisions (with --history) and what `mapping terraform` would create; a table with an `outbound:` section gets
    its flags per code, diffed with the org's current mapping with --live.

    Exit 1 when the report shows problems: errors (warnings too with --strict), unmapped or unreadable records,
    outbound conflicts.
    """
    from wrapup_bridge.core.review.render_csv import render_csv
    from wrapup_bridge.core.review.render_html import render_html
    from wrapup_bridge.core.review.render_md import render_markdown
    from wrapup_bridge.services.review import OutboundOrg, build_report, read_report_org

    reviewed = _reviewed_or_exit(table_path)
    table = reviewed.table
    old = load_or_exit(against) if against else None
    outbound_org: OutboundOrg | None = None
    catalog: OrgCatalog | None
    if live and not catalog_file:  # the org read now, its outbound mapping too when the table has a section
        wants = table.document.outbound is not None
        catalog, outbound_org = run_on_target(target, org, lambda c: read_report_org(c, outbound=wants))
        org_option = shlex.join(["--live", "--target", target, *(["--org", str(org)] if org else [])])
    else:
        catalog = _org_catalog(catalog_file, live, target, org)
        org_option = shlex.join(["--catalog", catalog_file or "CATALOG"])
    reader = _HistoryReader.build(table, history, source=source, rejects=rejects, **flags) if history else None
    result = build_report(
        reviewed,
        catalog=catalog,
        history=reader,
        against=old,
        strict=strict,
        outbound_org=outbound_org,
        org_option=org_option,
    )
    _write(out, render_html(result), "HTML report")
    if md_path:
        _write(md_path, render_markdown(result), "Markdown report")
    if csv_path:
        _write(csv_path, render_csv(result), "CSV rule table")
        _write_section_csvs(csv_path, result)
    counts = result.check.counts
    stderr(
        f"{table.name} sha256 {table.sha256}: {counts['error']} errors, {counts['warning']} warnings"
        + (
            f"; {result.coverage.records} records, {result.coverage.kinds.get('unmapped', 0)} unmapped"
            if result.coverage is not None
            else ""
        )
        + (
            f"; {result.outbound_conflicts} outbound conflict{'' if result.outbound_conflicts == 1 else 's'}"
            if result.outbound_conflicts
            else ""
        )
    )
    if result.failed:
        sys.exit(EXIT_PROBLEMS)
