"""``wrapup-bridge correlate``: find the Genesys conversation of legacy records that never stored its id.

The work is ``wrapup_bridge.services.correlate``; this module holds the options, the progress display, the
printing and the exit codes: 0 every record without an id is matched, 1 some are not (they are in the unmatched
file, with why), 2 usage or set-up (a target that refuses or does not answer, a file that cannot be written),
130 interrupted. Nothing is ever written to Genesys.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from wrapup_bridge.adapters import SOURCES
from wrapup_bridge.cli._adapters import ADAPTER_FLAGS, adapter_flags, adapter_options, input_errors
from wrapup_bridge.cli._common import EXIT_OK, EXIT_PROBLEMS, fail_setup, fail_usage, load_or_exit, stderr
from wrapup_bridge.cli._genesys import connect, fail_genesys, target_options
from wrapup_bridge.cli._progress import Progress
from wrapup_bridge.services.correlate import CorrelateError, CorrelateOptions, correlate_records, default_paths

if TYPE_CHECKING:
    from wrapup_bridge.services.correlate import CorrelateSummary

__all__ = ["correlate"]

EXIT_INTERRUPTED = 130
DEFAULT_BUDGET = 120.0

#: The table's correlate: keys the options override, by the option that sets each (for error messages).
OPTION_OF = {
    "default_country": "--default-country",
    "tolerance_seconds": "--tolerance",
    "cutover": "--cutover",
    "api": "--api",
}
#: Statuses in the order the summary lists them.
ORDER = ("matched", "ambiguous", "none", "before-cutover", "outside-retention", "no-time", "invalid")


def _day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@click.command("correlate")
@click.option("--source", "-s", type=click.Choice(sorted(SOURCES)), help="Legacy platform (default: the mapping's).")
@click.option(
    "--mapping",
    "-m",
    required=True,
    type=click.Path(dir_okay=False),
    help="Mapping table: its correlate: section, agent directory and source: settings.",
)
@adapter_flags
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Correlation file: .csv for a spreadsheet, else JSON lines [default: <first input>.correlation.csv].",
)
@click.option(
    "--unmatched",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where records that are not matched go, with their class and evidence [default: <out>.unmatched.jsonl].",
)
@click.option(
    "--default-country", help="ISO country of numbers written without one (overrides correlate.default_country)."
)
@click.option(
    "--tolerance", type=click.IntRange(min=1), help="Seconds a record's time may be off (overrides the table)."
)
@click.option("--cutover", callback=_day, help="The org's first day on Genesys, YYYY-MM-DD (overrides the table).")
@click.option(
    "--api",
    type=click.Choice(["auto", "query", "jobs"]),
    help="The sync details query (day by day, 100 per page) or the async details jobs (overrides the table).",
)
@click.option("--page-size", type=click.IntRange(1, 1000), help="Conversations per page of the details query [100].")
@click.option(
    "--no-narrow",
    is_flag=True,
    help="Read every conversation of the records' days, not only those of their media and dialled numbers.",
)
@click.option(
    "--budget",
    type=click.FloatRange(min=0.5),
    default=None,
    help=f"Seconds one Genesys call may take, retries and waits included [default: {DEFAULT_BUDGET:g}].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@target_options
@click.argument("inputs", nargs=-1, required=True)
def correlate(
    inputs: tuple[str, ...],
    out: Path | None,
    unmatched: Path | None,
    as_json: bool,
    target: str,
    org: Path | None,
    **kw: Any,
) -> None:
    """Find the Genesys conversation of each legacy record that carries no conversation id, from its time, numbers,
    direction, media, queue and agent (and the legacy id, where Genesys holds it), and write a reviewable file.

    Each record is `matched` (one conversation, clearly ahead), `ambiguous` (the close ones listed), `none` (the
    near misses, with why), `before-cutover`, `outside-retention`, `no-time` or `invalid`. Review the file (a row
    may be settled by hand: status matched and the conversation id), then: wrapup-bridge replay plan INPUTS
    --mapping TABLE --correlation FILE. Reads Genesys only; one details query per day of records, 100 per page."""
    table = load_or_exit(kw["mapping"])
    source = kw["source"] or table.source.platform
    if not source:
        fail_usage("say which platform the input comes from: --source (or a 'source:' section in the mapping)")
    out_path, unmatched_path = default_paths(inputs, out, unmatched)
    options = CorrelateOptions(
        default_country=kw["default_country"],
        tolerance_seconds=kw["tolerance"],
        cutover=kw["cutover"],
        api=cast(Any, kw["api"]),
        page_size=kw["page_size"],
        narrow=not kw["no_narrow"],
    )
    try:
        options.spec(table.correlate)
    except ValueError as exc:
        fail_usage(_option_problem(exc))
    adapter = adapter_options(table, **{k: kw[k] for k in ADAPTER_FLAGS})

    async def run() -> CorrelateSummary:
        from wrapup_bridge.services.replay import source_records

        records = source_records(source, adapter, inputs)
        async with connect(target, org, budget=kw["budget"] or DEFAULT_BUDGET) as connection:
            stderr(f"target: {connection.description}")
            return await correlate_records(
                records,
                table=table,
                connection=connection,
                out=out_path,
                unmatched=unmatched_path,
                options=options,
                progress=Progress(enabled=not as_json),
            )

    try:
        with input_errors():
            try:
                summary = asyncio.run(run())
            except CorrelateError as exc:
                fail_setup(str(exc))
            except Exception as exc:
                from wrapup_bridge.genesys.errors import GenesysError
                from wrapup_bridge.services.replay import TargetFailed

                if isinstance(exc, GenesysError | TargetFailed):
                    fail_genesys(exc)
                raise
    except KeyboardInterrupt:
        stderr("interrupted: no correlation file was made (nothing was written to Genesys); run the same command again")
        sys.exit(EXIT_INTERRUPTED)
    _print(summary, inputs, kw["mapping"], as_json)
    sys.exit(EXIT_PROBLEMS if summary.not_matched else EXIT_OK)


def _option_problem(exc: ValueError) -> str:
    """Why an option does not fit the table's ``correlate:`` section, named by the option (``--default-country:
    'XX' is not a country code ...``), without pydantic's codes and links."""
    from pydantic import ValidationError

    if not isinstance(exc, ValidationError):
        return f"an option does not fit the table's correlate: section: {exc}"
    problems = []
    for error in exc.errors(include_url=False):
        key = str(error["loc"][0]) if error.get("loc") else ""
        message = str(error.get("msg") or "invalid").removeprefix("Value error, ")
        where = OPTION_OF.get(key) or (f"correlate.{key}" if key else "the table's correlate: section")
        problems.append(f"{where}: {message}")
    return "; ".join(problems)


def _print(summary: CorrelateSummary, inputs: tuple[str, ...], mapping: str, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(summary.to_json_dict(), ensure_ascii=False))
        return
    click.echo(f"correlation: {summary.out} ({summary.records} records without a conversation id)")
    for status in ORDER:
        if summary.counts.get(status):
            click.echo(f"  {status:<18} {summary.counts[status]}")
    if summary.carried:
        click.echo(f"  (and {summary.carried} records that carry their conversation id: left out)")
    if summary.repeated:
        click.echo(f"  (and {summary.repeated} records listed again in the inputs: one row each)")
    calls = summary.total_calls
    per = f"; {calls / summary.records:.3f} per record" if summary.records else ""
    parts = ", ".join(f"{k} {v}" for k, v in sorted(summary.calls.items()))
    click.echo(
        f"API requests: {calls} ({parts}){per}; {summary.conversations} conversations read over {summary.days} days"
    )
    if summary.not_matched:
        click.echo(f"not matched: {summary.not_matched} records, with why, in {summary.unmatched}")
    shown = " ".join(inputs)
    click.echo(
        f"next: review {summary.out} (settle a row by hand: status matched + conversation_id), then\n"
        f"  wrapup-bridge replay plan {shown} --mapping {mapping} --correlation {summary.out}"
    )
    click.echo(f"took {summary.seconds:.1f} s")
