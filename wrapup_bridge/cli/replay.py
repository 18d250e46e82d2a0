"""``wrapup-bridge replay plan|apply|run|retry``: historical dispositions onto Genesys conversations, safely.

plan   legacy exports -> a reviewable plan file (what would be written, and why not for the rest)
apply  a plan -> Genesys, with a durable ledger (resume after any crash), dead letters and a report
run    plan + apply in one go (``--dry-run`` stops after the plan)
retry  dead letters -> a new plan and its apply, after the cause was fixed
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from wrapup_bridge.adapters import SOURCES, AdapterError, AdapterOptions, get_adapter
from wrapup_bridge.cli._adapters import ADAPTER_FLAGS, adapter_flags, adapter_options, usage_errors
from wrapup_bridge.cli._common import EXIT_PROBLEMS, EXIT_USAGE, fail_usage, open_input, stderr
from wrapup_bridge.cli._genesys import Connection, connect, target_options
from wrapup_bridge.cli.mapping import load_or_exit
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.mapping import MappingTable
from wrapup_bridge.core.replay.deadletter import DeadLetterWriter, read_dead_letters
from wrapup_bridge.core.replay.ledger import Ledger, LedgerError
from wrapup_bridge.core.replay.pipeline import ApplyReport, Invalid, SourceRecord, apply_plan, make_plan
from wrapup_bridge.core.replay.plan import (
    PlanError,
    PlanHeader,
    PlanSummary,
    PlanWriter,
    file_sha256,
    new_header,
    read_plan,
)

__all__ = ["ReplayPaths", "apply_from_plan", "plan_from_records", "replay", "source_records"]

EXIT_INTERRUPTED = 130
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class ReplayPaths:
    """Where a plan's companions live: the ledger and the dead letters sit beside the plan by default."""

    plan: Path
    ledger: Path
    dead_letters: Path

    @classmethod
    def beside(cls, plan: Path, ledger: Path | None = None, dead_letters: Path | None = None) -> ReplayPaths:
        stem = plan.name.removesuffix(".jsonl").removesuffix(".plan")
        return cls(
            plan,
            ledger or plan.with_name(f"{stem}.ledger.sqlite"),
            dead_letters or plan.with_name(f"{stem}.deadletter.jsonl"),
        )


# ------------------------------------------------------------------------------------------------------- shared
def source_records(source: str, options: AdapterOptions, inputs: tuple[str, ...]) -> Iterator[SourceRecord]:
    """Stream every input through the adapter; unreadable records become ``Invalid`` items, never lost."""
    try:
        adapter = get_adapter(source, options)
    except (ValueError, OSError) as exc:
        fail_usage(str(exc))
    for name in inputs:
        with open_input(name, options.encoding) as stream, usage_errors():
            for result in adapter.read(stream, name=name):
                if isinstance(result, AdapterError):
                    yield name, result.record, Invalid(str(result), raw=result.raw, details=result.to_json_dict())
                else:
                    yield name, None, result


async def plan_from_records(
    records: Iterator[SourceRecord],
    *,
    table: MappingTable,
    connection: Connection,
    out: Path,
    source: str,
    inputs: tuple[str, ...],
    options: dict[str, Any],
    batch_size: int,
    show_progress: bool,
) -> PlanSummary:
    from wrapup_bridge.genesys.replay import GenesysReplayBackend

    backend = GenesysReplayBackend(
        connection.client,
        description=connection.description,
        options=_apply_options(options),
        batch_size=batch_size,
        agent_directory=table.agents,
    )
    header = new_header(
        source=source,
        mapping_path=str(Path(table.name).resolve()),
        mapping_sha256=table.sha256,
        catalog_fingerprint=await backend.catalog_fingerprint(),
        target=connection.description,
        target_id=connection.identity or None,
        inputs=[file_sha256(Path(i).resolve()) for i in inputs if i != "-"],
        options=options,
    )
    writer = PlanWriter(out, header)
    try:
        with _progress("planning", None, show_progress) as tick:
            await make_plan(
                records,
                table,
                backend,
                writer,
                batch_size=batch_size,
                overwrite=bool(options.get("overwrite")),
                keep_system_codes=options.get("system_codes") == "keep",
                progress=lambda n: tick(1, ""),
            )
    except BaseException:
        writer.abort()
        raise
    return writer.close()


async def apply_from_plan(
    paths: ReplayPaths,
    connection: Connection,
    *,
    force: bool,
    concurrency: int,
    verify: bool,
    refresh: bool,
    show_progress: bool,
    batch_size: int = 50,
    retarget: bool = False,
) -> tuple[PlanHeader, ApplyReport]:
    from wrapup_bridge.genesys.replay import GenesysReplayBackend

    try:
        header, items, summary = read_plan(paths.plan)
    except PlanError as exc:
        fail_usage(str(exc))
    if header.target_id and connection.identity and header.target_id != connection.identity and not retarget:
        fail_usage(
            f"the plan was made for {header.target_id} ({header.target}); this run talks to {connection.identity}. "
            "Apply it where its target is configured, make a new plan for this target, or pass --retarget to apply "
            "it here on purpose"
        )
    backend = GenesysReplayBackend(
        connection.client,
        description=connection.description,
        options=_apply_options(header.options),
        batch_size=batch_size,
        agent_directory=_agent_directory(header),
    )
    stale = await _staleness(header, backend, connection, paths.plan)
    if stale and not force:
        for reason in stale:
            stderr(f"stale plan: {reason}")
        stderr("refusing to apply a stale plan: make a new plan (replay plan), or pass --force to apply it anyway")
        sys.exit(EXIT_USAGE)
    try:
        ledger = Ledger(paths.ledger, header.plan_id)
    except LedgerError as exc:
        fail_usage(str(exc))
    dead_letters = DeadLetterWriter(paths.dead_letters)
    try:
        with _progress("applying", summary.items, show_progress) as tick:
            report = await apply_plan(
                header,
                items,
                backend,
                ledger,
                dead_letters,
                concurrency=concurrency,
                batch_size=batch_size,
                refresh=refresh,
                verify=verify,
                progress=tick,
            )
    finally:
        dead_letters.close()
        ledger.close()
    return header, report


async def _staleness(header: PlanHeader, backend: Any, connection: Connection, plan: Path) -> list[str]:
    """Why the plan may no longer say what applying it would do (``--force`` applies it anyway)."""
    from wrapup_bridge.core.replay.plan import resolve_beside

    reasons = []
    mapping = resolve_beside(plan, header.mapping_path)
    if not mapping.is_file():
        reasons.append(f"the mapping table {header.mapping_path} it was made with is gone")
    elif hashlib.sha256(mapping.read_bytes()).hexdigest() != header.mapping_sha256:
        reasons.append(f"the mapping table {header.mapping_path} changed since planning")
    for made_from in header.inputs:
        found = resolve_beside(plan, made_from.path)
        if not found.is_file():
            continue  # an export moved away after planning: the plan holds every record it needs
        if file_sha256(found).sha256 != made_from.sha256:
            reasons.append(
                f"the input {made_from.path} changed since planning (its records may differ from the plan's)"
            )
    fingerprint = await backend.catalog_fingerprint()
    if header.catalog_fingerprint and fingerprint != header.catalog_fingerprint:
        reasons.append("the org's wrap-up code catalog changed since planning (codes added, renamed or removed)")
    if not header.target_id and header.target != connection.description:
        reasons.append(f"it was made against {header.target}, not {connection.description}")
    return reasons


def _apply_options(options: dict[str, Any]) -> Any:
    from wrapup_bridge.genesys.sink import ApplyOptions

    return ApplyOptions(
        overwrite=bool(options.get("overwrite")),
        historical=bool(options.get("historical", True)),
        allowed_check=options.get("allowed_check", "queue"),
        send_notes=bool(options.get("send_notes", True)),
        budget=float(options.get("budget", 60.0)),
        system_codes="keep" if options.get("system_codes") == "keep" else "replace",
        agent_fallback="last-connected" if options.get("agent_fallback") == "last-connected" else "none",
    )


def _agent_directory(header: PlanHeader) -> dict[str, str]:
    """The agent directory of the mapping the plan was made with (apply re-reads participants with it)."""
    from wrapup_bridge.core.mapping import MappingTableError, load_mapping

    try:
        return load_mapping(header.mapping_path).agents
    except MappingTableError:
        return {}  # the staleness check reports the missing or broken table


class _progress:
    """A rich progress bar on stderr (rate and ETA), or nothing when output is for a script."""

    def __init__(self, label: str, total: int | None, enabled: bool) -> None:
        self.label, self.total, self.enabled = label, total, enabled and sys.stderr.isatty()
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Callable[[int, str], None]:
        if not self.enabled:
            return lambda advance, kind: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        self._bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            "{task.fields[rate]}",
            TimeRemainingColumn(),
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task(self.label, total=self.total, rate="")

        def tick(advance: int, kind: str) -> None:
            self._bar.update(self._task, advance=advance)
            task = self._bar.tasks[0]
            if task.speed:
                self._bar.update(self._task, rate=f"{task.speed:.1f}/s")

        return tick

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


def print_summary(summary: PlanSummary, out: Path, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"plan": str(out), **summary.model_dump(mode="json")}, ensure_ascii=False))
        return
    click.echo(f"plan: {out} ({summary.items} records)")
    for action, count in sorted(summary.actions.items(), key=lambda kv: -kv[1]):
        click.echo(f"  {action:<16} {count}")
    if summary.codes:
        click.echo("  writes by Genesys code: " + ", ".join(f"{name} {n}" for name, n in sorted(summary.codes.items())))
    if summary.top_unmapped:
        click.echo("  top unmapped values: " + ", ".join(f"{v!r} x{n}" for v, n in summary.top_unmapped))


def print_report(header: PlanHeader, report: ApplyReport, paths: ReplayPaths, target: str, as_json: bool) -> None:
    applied = report.applied
    calls = sum(v for k, v in report.calls.items() if " " in k)  # "METHOD kind" entries are HTTP requests
    data = {
        "plan": str(paths.plan),
        "plan_id": header.plan_id,
        "target": target,
        "ledger": str(paths.ledger),
        "dead_letters": str(paths.dead_letters) if report.dead_lettered else None,
        "calls_per_applied": round(calls / applied, 3) if applied else None,
        **report.to_dict(),
    }
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    table = Table(title=f"replay report: {paths.plan.name}", title_justify="left")
    table.add_column("outcome")
    table.add_column("this run", justify="right")
    table.add_column("all runs", justify="right")
    for kind in sorted(set(report.outcomes) | set(report.totals)):
        table.add_row(kind, str(report.outcomes.get(kind, 0)), str(report.totals.get(kind, 0)))
    console.print(f"target: {target}")
    console.print(table)
    if report.done_before:
        console.print(f"{report.done_before} items were finished by an earlier run (ledger {paths.ledger})")
    if report.rechecked:
        console.print(f"{report.rechecked} items in flight or failed before were re-checked against Genesys first")
    if report.verified:
        console.print("read back: " + ", ".join(f"{n} {k}" for k, n in report.verified.items()))
    fallbacks = report.calls.get("agent_fallbacks", 0)
    if fallbacks:
        console.print(
            f"[yellow]{fallbacks} written on the last agent who connected, not the agent the record names[/] "
            "(--agent-fallback last-connected)"
        )
    api = ", ".join(f"{k} {v}" for k, v in sorted(report.calls.items()) if k != "agent_fallbacks")
    console.print(
        f"API requests: {calls} ({api})" + (f"; {calls / applied:.2f} per applied disposition" if applied else "")
    )
    if report.dead_lettered:
        console.print(f"[yellow]{report.dead_lettered} records did not apply; they are in {paths.dead_letters}[/] "
                      f"(fix the cause, then: wrapup-bridge replay retry {paths.dead_letters} --mapping ...)")  # fmt: skip
    console.print(f"took {report.seconds:.1f} s")


# ---------------------------------------------------------------------------------------------------- commands
def _plan_options(func: F) -> F:
    for option in reversed(
        [
            click.option(
                "--source", "-s", type=click.Choice(sorted(SOURCES)), help="Legacy platform (default: the mapping's)."
            ),
            click.option(
                "--mapping", "-m", required=True, type=click.Path(dir_okay=False), help="Mapping table (YAML)."
            ),
            adapter_flags,
            click.option("--overwrite", is_flag=True, help="Replace a different code already on the participant."),
            click.option(
                "--live-acw", is_flag=True, help="Let writes update the wrap-up end time (default for replays: don't)."
            ),
            click.option("--no-queue-check", is_flag=True, help="Do not pre-check that the queue allows the code."),
            click.option(
                "--keep-system-codes",
                is_flag=True,
                help="Leave codes Genesys stamped itself (ININ-WRAP-UP-TIMEOUT, ...) in place; by default they are "
                "replaced, as no agent chose them.",
            ),
            click.option(
                "--agent-fallback",
                type=click.Choice(["none", "last-connected"]),
                default="none",
                show_default=True,
                help="When the record names an agent who did not handle the conversation: no target (none), or the "
                "last agent who connected (counted in the report).",
            ),
            click.option(
                "--batch-size",
                default=50,
                show_default=True,
                type=click.IntRange(1, 100),
                help="Conversations per analytics lookup.",
            ),
        ]
    ):
        func = option(func)
    return func


def _plan_settings(
    overwrite: bool,
    live_acw: bool,
    no_queue_check: bool,
    keep_system_codes: bool = False,
    agent_fallback: str = "none",
) -> dict[str, Any]:
    return {
        "overwrite": overwrite,
        "historical": not live_acw,
        "allowed_check": "off" if no_queue_check else "queue",
        "budget": 60.0,
        "system_codes": "keep" if keep_system_codes else "replace",
        "agent_fallback": agent_fallback,
    }


@click.group()
def replay() -> None:
    """Replay historical dispositions onto Genesys conversations: plan, review, apply; resumable."""


@replay.command("plan")
@_plan_options
@click.option(
    "--out", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Plan file (default: beside the first input)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@target_options
@click.argument("inputs", nargs=-1, required=True)
def plan_command(out: Path | None, as_json: bool, inputs: tuple[str, ...], target: str, org: Path, **kw: Any) -> None:
    """Make a reviewable plan: each record's decision and the write it would get, checked against the org."""
    table = load_or_exit(kw["mapping"])
    source = kw["source"] or table.source.platform
    if not source:
        fail_usage("say which platform the input comes from: --source (or a 'source:' section in the mapping)")
    out = out or _default_plan(inputs)
    options = _plan_settings(
        kw["overwrite"], kw["live_acw"], kw["no_queue_check"], kw["keep_system_codes"], kw["agent_fallback"]
    )
    options_ = adapter_options(table, **{k: kw[k] for k in ADAPTER_FLAGS})

    async def run() -> PlanSummary:
        async with connect(target, org, budget=60.0) as connection:
            stderr(f"target: {connection.description}")
            return await plan_from_records(
                source_records(source, options_, inputs),
                table=table,
                connection=connection,
                out=out,
                source=source,
                inputs=inputs,
                options=options,
                batch_size=kw["batch_size"],
                show_progress=not as_json,
            )

    print_summary(asyncio.run(run()), out, as_json)


@replay.command("apply")
@click.argument("plan", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--ledger", type=click.Path(dir_okay=False, path_type=Path), help="Ledger file (default: beside the plan)."
)
@click.option(
    "--dead-letters",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Dead-letter file (default: beside the plan).",
)
@click.option(
    "--force", is_flag=True, help="Apply even if the mapping, an input or the catalog changed since planning."
)
@click.option(
    "--retarget",
    is_flag=True,
    help="Apply a plan made for another target (another org or client, or the emulator) here.",
)
@click.option(
    "--concurrency", default=4, show_default=True, type=click.IntRange(1, 64), help="Writes in flight at once."
)
@click.option("--verify", is_flag=True, help="Read the applied wrap-ups back in batches afterwards.")
@click.option(
    "--no-refresh", is_flag=True, help="Trust the plan's view of each participant instead of re-reading it in batches."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@target_options
def apply_command(
    plan: Path, ledger: Path | None, dead_letters: Path | None, force: bool, retarget: bool, concurrency: int,
    verify: bool, no_refresh: bool, as_json: bool, target: str, org: Path,
) -> None:  # fmt: skip
    """Apply a plan to the target it was made for. Safe to interrupt and run again: finished items are skipped,
    in-flight ones re-checked first. Without GENESYSCLOUD_* set, a plan made for Genesys is refused (never applied to
    the emulator); --retarget applies it elsewhere on purpose."""
    paths = ReplayPaths.beside(plan, ledger, dead_letters)
    target, org = _plan_target(paths.plan, target, org, retarget)
    _apply_and_report(
        paths, target, org, force=force, concurrency=concurrency, verify=verify, refresh=not no_refresh,
        as_json=as_json, retarget=retarget,
    )  # fmt: skip


def _plan_target(plan: Path, target: str, org: Path, retarget: bool) -> tuple[str, Path]:
    """``auto`` for existing work means the target the plan was made for: Genesys when the credentials are set, the
    emulator (with the plan's org file) only for a plan made against it; never the emulator for a Genesys plan."""
    import os

    if target != "auto" or os.environ.get("GENESYSCLOUD_OAUTHCLIENT_ID"):
        return target, org
    try:
        header, _, _ = read_plan(plan)
    except PlanError as exc:
        fail_usage(str(exc))
    made_for = header.target_id or ""
    if made_for.startswith("emulator "):
        recorded = Path(made_for.removeprefix("emulator "))
        return "emulator", recorded if recorded.is_file() else org
    if made_for.startswith("genesys ") and not retarget:
        fail_usage(
            f"the plan was made for {made_for} ({header.target}) and GENESYSCLOUD_OAUTHCLIENT_ID is not set here: "
            "applying existing work never falls back to the emulator. Set the GENESYSCLOUD_* variables of that org, or "
            "pass --target emulator --retarget to apply it to the emulator on purpose"
        )
    return target, org


def _apply_and_report(
    paths: ReplayPaths,
    target: str,
    org: Path,
    *,
    force: bool,
    concurrency: int,
    verify: bool,
    refresh: bool,
    as_json: bool,
    retarget: bool = False,
) -> None:
    async def run() -> tuple[PlanHeader, ApplyReport, str]:
        async with connect(target, org, budget=60.0) as connection:
            stderr(f"target: {connection.description}")
            header, report = await apply_from_plan(
                paths,
                connection,
                force=force,
                concurrency=concurrency,
                verify=verify,
                refresh=refresh,
                show_progress=not as_json,
                retarget=retarget,
            )
            return header, report, connection.description

    try:
        header, report, description = asyncio.run(run())
    except KeyboardInterrupt:
        stderr(f"interrupted: the ledger {paths.ledger} is consistent; run the same command again to resume")
        sys.exit(EXIT_INTERRUPTED)
    print_report(header, report, paths, description, as_json)
    if report.dead_lettered:
        sys.exit(EXIT_PROBLEMS)


@replay.command("run")
@_plan_options
@click.option(
    "--out", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Plan file (default: beside the first input)."
)
@click.option("--dry-run", is_flag=True, help="Make and summarise the plan; write nothing to Genesys.")
@click.option("--concurrency", default=4, show_default=True, type=click.IntRange(1, 64))
@click.option("--verify", is_flag=True, help="Read the applied wrap-ups back in batches afterwards.")
@click.option("--json", "as_json", is_flag=True)
@target_options
@click.argument("inputs", nargs=-1, required=True)
@click.pass_context
def run_command(
    ctx: click.Context,
    /,
    out: Path | None,
    dry_run: bool,
    concurrency: int,
    verify: bool,
    as_json: bool,
    inputs: tuple[str, ...],
    target: str,
    org: Path,
    **kw: Any,
) -> None:
    """Plan and apply in one go, for when no one reviews the plan (--dry-run: plan only)."""
    out = out or _default_plan(inputs)
    ctx.invoke(plan_command, out=out, as_json=as_json, inputs=inputs, target=target, org=org, **kw)
    if dry_run:
        return
    _apply_and_report(
        ReplayPaths.beside(out),
        target,
        org,
        force=False,
        concurrency=concurrency,
        verify=verify,
        refresh=False,
        as_json=as_json,
    )


@replay.command("retry")
@click.argument("dead_letter_file", metavar="DEADLETTERS", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--mapping", "-m", required=True, type=click.Path(dir_okay=False), help="Mapping table (fixed or not).")
@click.option(
    "--source", "-s", type=click.Choice(sorted(SOURCES)), help="Legacy platform, to re-read unreadable records."
)
@click.option("--overwrite", is_flag=True)
@click.option("--no-queue-check", is_flag=True)
@click.option("--keep-system-codes", is_flag=True, help="Leave codes Genesys stamped itself (ININ-*) in place.")
@click.option("--agent-fallback", type=click.Choice(["none", "last-connected"]), default="none", show_default=True)
@click.option("--concurrency", default=4, show_default=True, type=click.IntRange(1, 64))
@click.option("--json", "as_json", is_flag=True)
@target_options
def retry_command(
    dead_letter_file: Path,
    mapping: str,
    source: str | None,
    overwrite: bool,
    no_queue_check: bool,
    keep_system_codes: bool,
    agent_fallback: str,
    concurrency: int,
    as_json: bool,
    target: str,
    org: Path,
) -> None:
    """Plan and apply the records of a dead-letter file again, after the cause was fixed."""
    table = load_or_exit(mapping)
    source = source or table.source.platform
    out = dead_letter_file.with_name(dead_letter_file.name.removesuffix(".jsonl") + ".retry.plan.jsonl")
    options = _plan_settings(overwrite, False, no_queue_check, keep_system_codes, agent_fallback)
    counts: Counter[str] = Counter()

    def records() -> Iterator[SourceRecord]:
        adapter = get_adapter(source) if source else None
        for line_no, entry in read_dead_letters(dead_letter_file):
            counts["read"] += 1
            where = f"line {line_no}"
            record = entry.get("record")
            if isinstance(record, dict):
                try:
                    yield entry.get("input"), where, Disposition.model_validate(record)
                    continue
                except ValueError as exc:
                    yield entry.get("input"), where, Invalid(f"dead letter {where}: not a record: {exc}", raw=record)
                    continue
            raw = entry.get("raw")
            if adapter is not None and isinstance(raw, dict):
                try:
                    yield entry.get("input"), where, adapter.from_payload(raw, ref=where)
                    continue
                except AdapterError as exc:
                    yield entry.get("input"), where, Invalid(str(exc), raw=raw)
                    continue
            yield entry.get("input"), where, Invalid(str(entry.get("reason") or "unreadable record"), raw=raw)

    async def run() -> PlanSummary:
        async with connect(target, org, budget=60.0) as connection:
            return await plan_from_records(
                records(), table=table, connection=connection, out=out, source=source or "unknown",
                inputs=(str(dead_letter_file),), options=options, batch_size=50, show_progress=not as_json,
            )  # fmt: skip

    summary = asyncio.run(run())
    print_summary(summary, out, as_json)
    _apply_and_report(
        ReplayPaths.beside(out),
        target,
        org,
        force=False,
        concurrency=concurrency,
        verify=False,
        refresh=False,
        as_json=as_json,
    )


def _default_plan(inputs: tuple[str, ...]) -> Path:
    first = next((i for i in inputs if i != "-"), "stdin")
    return Path(Path(first).name.split(".")[0] + ".plan.jsonl")
