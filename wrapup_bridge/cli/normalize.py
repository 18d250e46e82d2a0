"""``wrapup-bridge normalize``: legacy exports in, one normalized Disposition per line out."""

from __future__ import annotations

import sys

import click

from wrapup_bridge.adapters import SOURCES, AdapterError, AdapterOptions, get_adapter
from wrapup_bridge.cli._common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    MAX_ERRORS_SHOWN,
    JsonLinesWriter,
    fail_usage,
    open_input,
    stderr,
)

__all__ = ["normalize"]


@click.command()
@click.option("--source", "-s", type=click.Choice(sorted(SOURCES)), help="Legacy platform (default: the mapping's).")
@click.option("--format", "fmt", help="Input format, when it should not be detected (see the adapter's formats).")
@click.option(
    "--conversation-id-field",
    help="Where this migration stored the Genesys conversation id: a field path, parameter or CSV column.",
)
@click.option(
    "--catalog",
    type=click.Path(dir_okay=False),
    help="Side file the adapter joins names from (CXone dispositions, Five9 types).",
)
@click.option("--timezone", help="IANA zone for timestamps without an offset (Twilio exports; default UTC).")
@click.option(
    "--mapping",
    "-m",
    type=click.Path(dir_okay=False),
    help="Take --source, --format and --conversation-id-field defaults from this table's 'source:' section.",
)
@click.option("--out", "-o", type=click.Path(dir_okay=False), help="Write JSON lines here instead of stdout.")
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False),
    default="rejects.jsonl",
    show_default=True,
    help="Where records that could not be read go (created only if there are any), with the reason, for a retry.",
)
@click.argument("inputs", nargs=-1, required=True)
def normalize(
    source: str | None,
    fmt: str | None,
    conversation_id_field: str | None,
    catalog: str | None,
    timezone: str | None,
    mapping: str | None,
    out: str | None,
    rejects: str,
    inputs: tuple[str, ...],
) -> None:
    """Read legacy exports (files, or - for stdin) and print one JSON object per disposition.

    Keys: source, source_id, conversation_id, code, fields, notes, agent, media, occurred_at (ISO 8601, UTC).
    Exit code 1 when some records could not be read (they are in --rejects, with the reason).
    """
    if mapping:
        from wrapup_bridge.cli.mapping import load_or_exit

        spec = load_or_exit(mapping).source
        source = source or spec.platform
        fmt = fmt or spec.format
        conversation_id_field = conversation_id_field or spec.conversation_id
    if source is None:
        fail_usage(
            "say which platform the input comes from: --source twilio|five9|cxone (or --mapping with a 'source:')"
        )
    try:
        adapter = get_adapter(
            source,
            AdapterOptions(conversation_id_field=conversation_id_field, format=fmt, catalog=catalog, timezone=timezone),
        )
    except (ValueError, OSError) as exc:
        fail_usage(str(exc))

    output = JsonLinesWriter(out, default=None if out else sys.stdout)
    rejected = JsonLinesWriter(rejects)
    try:
        for name in inputs:
            with open_input(name) as stream:
                for result in adapter.read(stream, name=name if name != "-" else "<stdin>"):
                    if isinstance(result, AdapterError):
                        rejected.write(result.to_json_dict())
                        if rejected.count <= MAX_ERRORS_SHOWN:
                            stderr(f"rejected: {result}")
                    else:
                        output.write(result.to_json_dict())
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
