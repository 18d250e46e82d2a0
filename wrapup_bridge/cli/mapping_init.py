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
    EXIT_USAGE,
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
    from wrapup_bridge.core.review import OrgCatalog
    from wrapup_bridge.services.authoring.init import ExtendResult, InitResult
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
    "--extend",
    "extend_path",
    type=click.Path(dir_okay=False),
    help="A reviewed table: propose rules only for the values of HISTORY no rule of it decides, added to its own "
    "text (comments and layout kept); its source: gives the history's shape. The output is the whole table.",
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
    extend_path: str | None,
    rejects: str,
    as_json: bool,
    **flags: Any,
) -> None:
    """Propose a mapping table from HISTORY (legacy exports, or - for stdin) and the org's wrap-up codes.

    One rule per legacy value, most frequent first, with its record count and raw spellings as comments; the code
    whose name is closest (same name, reviewed synonyms, similar words), with a confidence; values that carry no
    outcome (blank, Five9 No Disposition, Twilio task reasons ...) as skip; a TODO where no code is close. The
    table is valid as written (`mapping check` reviews it at once) and applies nothing. Same inputs, same bytes.

    With --extend TABLE, the history is read against a reviewed table instead: only the values whose records no
    rule of it decides get proposals (new rules at the end of its rules:, new code aliases at the end of its codes:,
    with the same comments), written into its text with every other byte kept; the result is checked to decide
    every record the table decided as it did, or nothing is written. The output may be TABLE itself with --force.

    Exit 1 when some records could not be read (they are in --rejects); 2 on a usage or set-up error (or when
    --extend cannot extend the table safely: nothing is written).
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
    if extend_path is not None:
        if shape_path:
            fail_usage("--extend TABLE reads the history as TABLE's source: says: leave out --mapping")
        if compare_path:
            fail_usage(
                "--compare measures a proposal made from names alone; to see what --extend changes, run "
                "`wrapup-bridge mapping diff TABLE EXTENDED --history HISTORY`"
            )
        extend_text, extended = _read_extended(extend_path)
    shape = load_or_exit(shape_path) if shape_path else None
    if extend_path is not None:
        shape = extended
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
    if extend_path is not None:
        _extend(
            history,
            rejects,
            table_path=Path(extend_path),
            text=extend_text,
            catalog=catalog,
            platform=platform,
            synonyms=synonyms,
            min_confidence=min_confidence,
            out_path=out_path,
            as_json=as_json,
            catalog_file=catalog_file,
        )
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

    result: InitResult = _reading(history, rejects, propose_table, **kwargs)
    return result


def _reading(history: InputHistory, rejects: str, job: Callable[..., Any], **kwargs: Any) -> Any:
    """``job(history, **kwargs)``, the history's unreadable records kept in ``rejects`` (the first ones on stderr,
    each naming its file and line) and counted; what reading raises becomes an exit code."""
    writer = JsonLinesWriter(rejects, what="rejects file")

    def keep(error: AdapterError) -> None:
        writer.write(error.to_json_dict())
        if history.rejected <= MAX_ERRORS_SHOWN:
            stderr(f"rejected: {error}")

    history.on_reject = keep
    try:
        with input_errors():
            result = job(history, **kwargs)
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


# ------------------------------------------------------------------------------------------ --extend
def _read_extended(path: str) -> tuple[str, MappingTable]:
    """The reviewed table's text exactly (a byte order mark and line ends kept) and the table it loads as; a table
    that cannot be read or does not load stops with every problem and exit 2."""
    from wrapup_bridge.core.mapping import MappingTable, MappingTableError
    from wrapup_bridge.services.authoring.sync import read_table_text

    try:
        text = read_table_text(path)
        return text, MappingTable.from_text(text.removeprefix("\ufeff"), name=path)
    except OSError as exc:
        fail_setup(f"cannot read the table {path}: {exc.strerror or exc}")
    except MappingTableError as exc:
        stderr(str(exc))
        sys.exit(EXIT_USAGE)


def _extend(
    history: InputHistory,
    rejects: str,
    *,
    table_path: Path,
    text: str,
    catalog: OrgCatalog,
    out_path: Path | None,
    as_json: bool,
    catalog_file: str | None,
    **kwargs: Any,
) -> None:
    """``mapping init --extend``: the extended table to ``out_path`` (stdout when None), the summary, the exit."""
    from wrapup_bridge.core.authoring.extend import ExtendRefused
    from wrapup_bridge.services.authoring.init import extend_table

    try:
        result: ExtendResult = _reading(
            history, rejects, extend_table, catalog=catalog, text=text, name=str(table_path), **kwargs
        )
    except ExtendRefused as exc:
        stderr(f"Error: cannot extend {table_path}: {exc}")
        sys.exit(EXIT_USAGE)
    in_place = out_path is not None and out_path.resolve() == table_path.resolve()
    if out_path is None:
        click.echo(result.text, nl=False)
    elif not (in_place and not result.changed):
        if in_place:
            _replace_table(table_path, text, result.text)
        else:
            _write_atomically(out_path, result.text)
    out = str(out_path) if out_path is not None else STDOUT
    if as_json:
        click.echo(json.dumps({"out": out, **result.to_dict()}, indent=2, ensure_ascii=False))
    else:
        _print_extend_summary(result, out, catalog_file, in_place=in_place, err=out_path is None)
    sys.exit(EXIT_PROBLEMS if result.rejected else EXIT_OK)


def _replace_table(path: Path, old: str, new: str) -> None:
    """Write the extended table over the reviewed one, whole, keeping its permissions, if it still holds what was
    read (someone may have edited it meanwhile)."""
    from wrapup_bridge.services.authoring.sync import replace_if_unchanged

    try:
        written = replace_if_unchanged(path, old, new)
    except OSError as exc:
        fail_setup(f"cannot write the table {path}: {exc.strerror or exc}")
    if not written:
        fail_setup(f"{path} changed while the history was read: nothing written; run --extend again")


def _print_extend_summary(
    result: ExtendResult, out: str, catalog_file: str | None, *, in_place: bool, err: bool
) -> None:
    def say(line: str) -> None:
        click.echo(line, err=err)

    extension = result.extension
    say(
        f"mapping init --extend {result.table.name}: {result.records} records ({', '.join(result.inputs)}), "
        f"{result.rejected} unreadable; {result.decided} decided by the table's rules, {result.missing} by no rule "
        f"({len(result.proposals)} distinct legacy values)"
    )
    if not result.proposals:
        say("the table already has a rule for every value of this history; nothing was added")
    elif not result.changed:
        say(
            f"nothing new to add: the {len(extension.todo_listed_before)} values with no rule are already listed as "
            "TODO in the table (their records meet unmapped:)"
        )
    else:
        counts = result.counts
        say(f"org codes: {result.catalog}")
        say(
            f"added: {len(extension.rules)} rules ({counts['code-high']} codes with high confidence, "
            f"{counts['code-low']} low: check them, {counts['skip']} skip), {len(extension.todo)} TODO listed"
            + (f" ({len(extension.todo_listed_before)} already listed)" if extension.todo_listed_before else "")
        )
        new = ", ".join(f"{alias} ({code.name})" for alias, code in extension.codes_added) or "none"
        say(
            f"codes: {len(extension.codes_added)} new aliases: {new}; {len(extension.codes_reused)} of the table's reused"
        )
        say("every record the table's rules decided keeps its decision (checked with the engine on the result)")
    if result.untracked:
        say(f"  {result.untracked} records had values past the tracked ones: no rule, they meet unmapped:")
    where = "stdout" if out == STDOUT else out
    if in_place and not result.changed:
        say(f"{out} was left as it was; nothing was applied.")
    else:
        check = f"--catalog {catalog_file}" if catalog_file else "--live"
        say(f"wrote the table to {where}; nothing was applied. Review it: wrapup-bridge mapping check {out} {check}")
