"""``wrapup-bridge normalize``: legacy exports in, one normalized Disposition per line out.

Reading is ``services.inputs`` (the one inputs -> adapter path the replay and the review share); this module adds
the options, where the lines and the rejects go, and the exit codes.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from wrapup_bridge.adapters import SOURCES, AdapterError
from wrapup_bridge.cli._adapters import adapter_flags, adapter_options, build_adapter, input_errors
from wrapup_bridge.cli._common import EXIT_OK, EXIT_PROBLEMS, MAX_ERRORS_SHOWN, JsonLinesWriter, fail_usage, stderr

__all__ = ["OUTPUT_BATCH", "normalize"]

#: Normalized records written (and flushed) together; a kill -9 loses at most these, never half a line.
OUTPUT_BATCH = 256


@click.command()
@click.option("--source", "-s", type=click.Choice(sorted(SOURCES)), help="Legacy platform (default: the mapping's).")
@adapter_flags
@click.option(
    "--mapping",
    "-m",
    type=click.Path(dir_okay=False),
    help="Take the source and the export's shape (format, fields, time zone, ...) from this table's 'source:'.",
)
@click.option("--out", "-o", type=click.Path(dir_okay=False), help="Write JSON lines here instead of stdout.")
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False),
    default="rejects.jsonl",
    show_default=True,
    help="Where records that could not be read go (created only if there are any), with the reason, for a retry.",
)
@click.option(
    "--explain-format",
    is_flag=True,
    help="Say which format and envelope each input is, and which field each value of its first records came from; "
    "normalize nothing.",
)
@click.option("--list-presets", is_flag=True, help="Print the named export variants --preset takes, and exit.")
@click.argument("inputs", nargs=-1)
def normalize(
    source: str | None,
    mapping: str | None,
    out: str | None,
    rejects: str,
    explain_format: bool,
    list_presets: bool,
    inputs: tuple[str, ...],
    **flags: Any,
) -> None:
    """Read legacy exports (files, or - for stdin) and print one JSON object per disposition.

    Keys: source, source_id, conversation_id, code, fields, notes, agent, media, occurred_at (ISO 8601, UTC).
    Exit code 1 when some records could not be read (they are in --rejects, with the reason).
    """
    if list_presets:
        from wrapup_bridge.core.mapping.presets import PRESETS

        click.echo("\n\n".join(p.render() for p in PRESETS.values() if source is None or p.platform == source))
        sys.exit(EXIT_OK)
    if not inputs:
        fail_usage("give the exports to read (files, or - for stdin)")
    table = None
    if mapping:
        from wrapup_bridge.cli._common import load_or_exit

        table = load_or_exit(mapping)
        source = source or table.source.platform
    if source is None and flags.get("preset"):
        from wrapup_bridge.core.mapping.presets import preset_named

        try:
            source = preset_named(flags["preset"]).platform
        except ValueError as exc:
            fail_usage(f"--preset: {exc}")
    if source is None:
        fail_usage(
            "say which platform the input comes from: --source twilio|five9|cxone (or --mapping with a 'source:')"
        )
    options = adapter_options(table, source, **flags)
    adapter = build_adapter(source, options)
    if explain_format:
        _explain(adapter, inputs, options.encoding)
        return

    from wrapup_bridge.services.inputs import read_inputs

    output = JsonLinesWriter(out, default=None if out else sys.stdout, what="output file")
    rejected = JsonLinesWriter(rejects, what="rejects file")
    # Records are written OUTPUT_BATCH lines at a time (one write, one flush: a flush per line cost about a sixth
    # of a Five9 run), whole lines only; the lines read before a reject or a failure are written before it is told.
    batch: list[str] = []
    try:
        with input_errors():
            try:
                for record in read_inputs(adapter, inputs, encoding=options.encoding):
                    result = record.result
                    if isinstance(result, AdapterError):
                        output.write_lines(batch)
                        batch.clear()
                        rejected.write(result.to_json_dict())
                        if rejected.count <= MAX_ERRORS_SHOWN:
                            stderr(f"rejected: {result}")
                    else:
                        batch.append(result.to_json_line())
                        if len(batch) >= OUTPUT_BATCH:
                            output.write_lines(batch)
                            batch.clear()
            finally:
                output.write_lines(batch)
    finally:
        output.close()
        rejected.close()
    for reason, count in sorted(_skipped(adapter).items()):
        stderr(f"skipped {count}: {reason} (not a disposition)")
    if rejected.count:
        more = f" ({rejected.count - MAX_ERRORS_SHOWN} more not shown)" if rejected.count > MAX_ERRORS_SHOWN else ""
        stderr(f"{output.count} records normalized; {rejected.count} rejected{more}, kept with reasons in {rejects}")
        sys.exit(EXIT_PROBLEMS)
    stderr(f"{output.count} records normalized")
    sys.exit(EXIT_OK)


def _skipped(adapter: object) -> dict[str, int]:
    """What the adapter read but deliberately did not turn into records (non-disposition events, late legs)."""
    skipped = dict(getattr(adapter, "skipped", None) or {})
    stats = getattr(adapter, "stats", None)
    late = getattr(stats, "late_legs_dropped", 0)
    if late:
        skipped["empty transfer-leg rows of calls already emitted"] = late
    return skipped


def _explain(adapter: Any, inputs: tuple[str, ...], encoding: str | None) -> None:
    """``--explain-format``: what each input was read as, and where the values of its first records came from."""
    from wrapup_bridge.services.inputs import open_input, shown_name

    explain = getattr(adapter, "explain", None)
    if explain is None:
        fail_usage(f"the {adapter.source} adapter cannot explain its formats yet")
    for name in inputs:
        with input_errors(), open_input(name, encoding) as stream:
            report = explain(stream, name=shown_name(name))
        click.echo(report.render())
