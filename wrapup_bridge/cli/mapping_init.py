"""``wrapup-bridge mapping init``: write a first mapping table for review, from history and the org's codes.

The work is ``services.authoring.init`` (read the history once, propose one rule per legacy value, render a valid
table); this module adds the options (the history's shape as ``normalize`` takes it, the org from a ``catalog
export`` file or read now), where the table and the unreadable records go, the summary and the exit codes: 0 the
table was written, 1 it was written but some records could not be read (kept in ``--rejects`` with file and line),
2 a usage or set-up error (nothing written). Nothing is ever applied.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.core import ParameterSource

from wrapup_bridge.adapters import SOURCES
from wrapup_bridge.cli._adapters import adapter_flags, adapter_options, build_adapter, input_errors
from wrapup_bridge.cli._common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    MAX_ERRORS_SHOWN,
    JsonLinesWriter,
    fail_setup,
    fail_usage,
    load_or_exit,
    stderr,
)
from wrapup_bridge.cli._genesys import target_options
from wrapup_bridge.cli._org_catalog import required_org_catalog
from wrapup_bridge.core.authoring.propose import DEFAULT_MIN_CONFIDENCE
from wrapup_bridge.core.authoring.similarity import THRESHOLD

if TYPE_CHECKING:
    from wrapup_bridge.adapters import AdapterError
    from wrapup_bridge.core.mapping import MappingTable
    from wrapup_bridge.services.authoring.init import InitResult
    from wrapup_bridge.services.review import InputHistory

__all__ = ["init"]

STDOUT = "-"
F = TypeVar("F", bound=Callable[..., Any])


def _history_flags(func: F) -> F:
    """The options that describe the history's shape, as ``normalize`` has them; the adapter's side file is
    ``--legacy-catalog`` here (``--catalog`` is the org's codes, as in the mapping review commands)."""
    decorated: F = adapter_flags(catalog_flag="--legacy-catalog")(func)
    return decorated


@click.command()
@click.argument("inputs", metavar="HISTORY...", nargs=-1, required=True)
@click.option("--source", "-s", type=click.Choice(sorted(SOURCES)), help="Legacy platform of the history.")
@_history_flags
@click.option(
    "--mapping",
    "-m",
    "shape_path",
    type=click.Path(dir_okay=False),
    help="Read the history as this table's 'source:' says (platform, format, fields, time zone, ...).",
)
@click.option(
    "--catalog",
    "catalog_file",
    type=click.Path(dir_okay=False),
    help="The org's codes: a snapshot from `wrapup-bridge catalog export`.",
)
@click.option(
    "--live",
    is_flag=True,
    help="Read the org's codes now (Genesys with GENESYSCLOUD_*, else the emulator); --target or --org imply it.",
)
@target_options
@click.option("--out", "-o", default=STDOUT, show_default=True, help="Where the proposed table goes (- for stdout).")
@click.option("--force", is_flag=True, help="Replace --out when it exists.")
@click.option(
    "--min-confidence",
    type=click.FloatRange(THRESHOLD, 1.0),
    default=DEFAULT_MIN_CONFIDENCE,
    show_default=True,
    help=f"Propose a code only from this confidence (at least {THRESHOLD}); below it the value is a TODO.",
)
@click.option(
    "--synonyms",
    "synonyms_file",
    type=click.Path(dir_okay=False),
    help="A reviewed synonyms list to use instead of the shipped one (docs/authoring.md).",
)
@click.option(
    "--compare",
    "compare_path",
    type=click.Path(dir_okay=False),
    help="A reviewed table: print the share of records the proposal decides as it does (same code, both skip, "
    "both unmapped). It also gives the history's shape when --mapping does not.",
)
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False),
    default="rejects.jsonl",
    show_default=True,
    help="Where records that could not be read go (created only if there are any), with the reason.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON (the table must go to --out FILE).")
@click.pass_context
def init(
    ctx: click.Context,
    /,
    inputs: tuple[str, ...],
    source: str | None,
    shape_path: str | None,
    catalog_file: str | None,
    live: bool,
    target: str,
    org: Path | None,
    out: str,
    force: bool,
    min_confidence: float,
    synonyms_file: str | None,
    compare_path: str | None,
    rejects: str,
    as_json: bool,
    **flags: Any,
) -> None:
    """Propose a mapping table from HISTORY (legacy exports, or - for stdin) and the org's wrap-up codes.

    One rule per legacy value, most frequent first, with its record count and raw spellings as comments; the code
    whose name is closest (same name, reviewed synonyms, similar words), with a confidence; values that carry no
    outcome (blank, Five9 No Disposition, Twilio task reasons ...) as skip; a TODO where no code is close. The
    table is valid as written (`mapping check` reviews it at once) and applies nothing. Same inputs, same bytes.

    Exit 1 when some records could not be read (they are in --rejects); 2 on a usage or set-up error.
    """
    if as_json and out == STDOUT:
        fail_usage("--json prints the summary on stdout: give --out FILE for the table")
    out_path = None if out == STDOUT else Path(out)
    if out_path is not None:
        _check_out(out_path, force)
    live = live or any(
        ctx.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
        for name in ("target", "org")
    )
    if catalog_file and live:
        fail_usage("give either --catalog FILE or --live (--target/--org), not both")
    if not catalog_file and not live:
        fail_usage("say where the org's codes come from: --catalog FILE (`catalog export`) or --live")
    shape = load_or_exit(shape_path) if shape_path else None
    compare = load_or_exit(compare_path) if compare_path else None
    platform = _platform(source, shape, compare, flags.get("preset"))
    if shape is not None and shape.source.platform not in (None, platform):
        fail_usage(f"--source {platform} and --mapping {shape.name} (platform {shape.source.platform}) disagree")
    if shape is None and compare is not None and compare.source.platform in (None, platform):
        shape = compare
    options = adapter_options(shape, platform, **flags)
    adapter = build_adapter(platform, options)

    from wrapup_bridge.services.authoring.init import load_synonyms, shipped_synonyms, source_settings
    from wrapup_bridge.services.inputs import OptionError
    from wrapup_bridge.services.review import InputHistory

    try:
        synonyms = load_synonyms(synonyms_file)
    except OptionError as exc:
        fail_setup(str(exc))
    catalog = required_org_catalog(catalog_file, live, target, org, why="the proposal names the org's codes")
    settings = source_settings(options, relative_to=out_path.parent if out_path is not None else None)
    if shape is not None and shape.source.media is not None:
        settings["media"] = shape.source.media.value
    history = InputHistory(adapter, inputs, options.encoding)
    result = _run(
        history,
        rejects,
        catalog=catalog,
        platform=platform,
        synonyms=synonyms,
        synonyms_name=synonyms_file or str(shipped_synonyms().name) + " (shipped)",
        min_confidence=min_confidence,
        source=settings,
        compare=compare,
        name=out if out_path is not None else "<proposed table>",
    )
    if out_path is None:
        click.echo(result.text, nl=False)
    else:
        _write_atomically(out_path, result.text)
    if as_json:
        click.echo(json.dumps({"out": out, **result.to_dict()}, indent=2, ensure_ascii=False))
    else:
        _print_summary(result, platform, out, catalog_file, err=out_path is None)
    sys.exit(EXIT_PROBLEMS if result.rejected else EXIT_OK)


def _platform(source: str | None, shape: MappingTable | None, compare: MappingTable | None, preset: str | None) -> str:
    """The history's platform: --source, else --mapping's, else --compare's, else --preset's."""
    platform = source or (shape.source.platform if shape else None) or (compare.source.platform if compare else None)
    if platform is None and preset:
        from wrapup_bridge.core.mapping.presets import preset_named

        try:
            platform = preset_named(preset).platform
        except ValueError as exc:
            fail_usage(f"--preset: {exc}")
    if platform is None:
        fail_usage("say which platform the history comes from: --source twilio|five9|cxone (or --mapping TABLE)")
    return platform


def _check_out(path: Path, force: bool) -> None:
    """Refuse an --out that exists (without --force) or cannot be written, before anything is read."""
    if (path.exists() or path.is_symlink()) and not force:
        fail_usage(f"--out {path} exists: give --force to replace it, or another path")
    if path.is_dir():
        fail_usage(f"--out {path} is a folder")
    folder = path.parent
    if not folder.is_dir():
        fail_setup(f"cannot write the table {path}: {folder} is not a folder")
    if not os.access(folder, os.W_OK):
        fail_setup(f"cannot write the table {path}: the folder is not writable")


def _write_atomically(path: Path, text: str) -> None:
    """The whole table or nothing: written beside ``path``, then renamed over it."""
    from wrapup_bridge.core.files import replace_atomically

    try:
        replace_atomically(path, text.encode("utf-8"))
    except OSError as exc:
        fail_setup(f"cannot write the table {path}: {exc.strerror or exc}")


def _run(history: InputHistory, rejects: str, **kwargs: Any) -> InitResult:
    """``propose_table`` over ``history``, its unreadable records kept in ``rejects`` (the first ones on stderr,
    each naming its file and line) and counted; what reading raises becomes an exit code."""
    from wrapup_bridge.services.authoring.init import propose_table

    writer = JsonLinesWriter(rejects, what="rejects file")

    def keep(error: AdapterError) -> None:
        writer.write(error.to_json_dict())
        if history.rejected <= MAX_ERRORS_SHOWN:
            stderr(f"rejected: {error}")

    history.on_reject = keep
    try:
        with input_errors():
            result = propose_table(history, **kwargs)
    finally:
        writer.close()
    if result.rejected:
        more = f" ({result.rejected - MAX_ERRORS_SHOWN} more not shown)" if result.rejected > MAX_ERRORS_SHOWN else ""
        stderr(f"{result.rejected} records could not be read{more}; kept with reasons in {rejects}")
    return result


def _pct(part: int, whole: int) -> str:
    return f"{(part / whole * 100) if whole else 0.0:.1f}%"


def _print_summary(result: InitResult, platform: str, out: str, catalog_file: str | None, *, err: bool) -> None:
    def say(line: str) -> None:
        click.echo(line, err=err)

    counts, records = result.counts, result.record_counts
    say(
        f"mapping init: {result.records} records of {platform} history ({', '.join(result.inputs)}), "
        f"{result.rejected} unreadable; {len(result.proposals)} distinct legacy values"
    )
    say(f"org codes: {result.catalog}")
    say(
        f"proposals: {counts['code-high'] + counts['code-low']} codes ({counts['code-high']} high confidence, "
        f"{counts['code-low']} low: check them), {counts['skip']} skip, {counts['todo']} TODO (no code close enough)"
    )
    total = result.records
    say(
        f"records: {records['code-high'] + records['code-low']} to a code ({_pct(records['code-high'] + records['code-low'], total)}), "
        f"{records['skip']} skipped ({_pct(records['skip'], total)}), {records['todo']} TODO ({_pct(records['todo'], total)})"
    )
    if result.untracked:
        say(f"  {result.untracked} records had values past the tracked ones: no rule, they meet unmapped:")
    where = "stdout" if out == STDOUT else out
    check = f"--catalog {catalog_file}" if catalog_file else "--live"
    say(
        f"wrote the proposed table to {where}; nothing was applied. Review it: wrapup-bridge mapping check {out} {check}"
    )
    comparison = result.comparison
    if comparison is not None:
        say(
            f"compared with {comparison.reference}: {comparison.agreed} of {comparison.records} records decided alike "
            f"({_pct(comparison.agreed, comparison.records)}): same code {comparison.same_code}, both skip "
            f"{comparison.both_skip}, both unmapped {comparison.both_unmapped}; same code or both skip only: "
            f"{_pct(comparison.same_code + comparison.both_skip, comparison.records)}"
        )
        for diff in comparison.differences:
            say(f"  differs: {diff.value!r} x{diff.records}: proposed {diff.proposed}, table {diff.reference}")
