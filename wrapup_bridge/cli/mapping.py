"""``wrapup-bridge mapping ...``: validate a table, explain a decision, publish the file format's JSON Schema."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from wrapup_bridge.cli._common import EXIT_PROBLEMS, EXIT_USAGE, fail_usage, stderr
from wrapup_bridge.core.decision import Decision, DecisionKind
from wrapup_bridge.core.disposition import Disposition, Media
from wrapup_bridge.core.mapping import MappingDocument, MappingTable, MappingTableError, load_mapping
from wrapup_bridge.core.mapping.table import Explanation

__all__ = ["load_or_exit", "mapping"]


def load_or_exit(path: str) -> MappingTable:
    """Load a table or print every problem with file:line and exit 2 (a broken table is a configuration error)."""
    try:
        return load_mapping(path)
    except MappingTableError as exc:
        stderr(str(exc))
        sys.exit(EXIT_USAGE)


@click.group()
def mapping() -> None:
    """Work with mapping tables (legacy disposition -> Genesys wrap-up code)."""


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
            with open(text[1:], encoding="utf-8") as handle:
                text = handle.read()
        except OSError as exc:
            fail_usage(f"cannot read {text[1:]!r}: {exc.strerror}")
    elif text == "-":
        text = sys.stdin.read()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        fail_usage(f"--record is not JSON: {exc}")
    if not isinstance(data, dict):
        fail_usage("--record must be a JSON object (one line of `wrapup-bridge normalize` output)")
    data.setdefault("source", "manual")
    data.setdefault("source_id", "explain")
    data.setdefault("code", "")
    try:
        return Disposition.model_validate(data)
    except ValueError as exc:
        fail_usage(f"--record is not a disposition: {exc}")


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
