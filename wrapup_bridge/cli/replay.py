"""``wrapup-bridge replay plan|apply|run|retry``: historical dispositions onto Genesys conversations, safely.

plan    legacy exports -> a reviewable plan file (what would be written, and why not for the rest)
apply   a plan -> Genesys, with a durable ledger (resume after any crash), dead letters and a report
run     plan + apply in one go (``--dry-run`` stops after the plan)
retry   dead letters -> a new plan and its apply, after the cause was fixed
status  what of a plan is applied, still pending, or dead (by class), from its ledger

Whatever a user can cause ends in one message and an exit code, never a traceback: a target that refuses the
credentials or a permission, does not answer or times out (exit 2, naming the target and the fix); a damaged plan
or dead-letter file (exit 2, naming the file and line); a path that cannot be written (exit 2, before anything is
applied when it can be known then). Whatever stops a run leaves the ledger consistent: the same command resumes.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sqlite3
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from wrapup_bridge.adapters import SOURCES, AdapterError, AdapterOptions, get_adapter
from wrapup_bridge.cli._adapters import ADAPTER_FLAGS, adapter_flags, adapter_options, build_adapter, usage_errors
from wrapup_bridge.cli._common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    fail_setup,
    fail_usage,
    load_or_exit,
    open_input,
    stderr,
)
from wrapup_bridge.cli._genesys import Connection, connect, target_options
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.mapping import MappingTable
from wrapup_bridge.core.replay.deadletter import (
    DEAD_LETTER_CLASSES,
    Compaction,
    DeadLetterError,
    DeadLetterWriter,
    compact_dead_letters,
    read_dead_letters,
)
from wrapup_bridge.core.replay.ledger import (
    Ledger,
    LedgerError,
    LedgerSnapshot,
    State,
    connect_existing,
    read_ledger,
)
from wrapup_bridge.core.replay.pipeline import (
    ApplyReport,
    Invalid,
    SourceRecord,
    TargetError,
    apply_plan,
    make_plan,
)
from wrapup_bridge.core.replay.plan import (
    PlanError,
    PlanHeader,
    PlanSummary,
    PlanWriter,
    file_sha256,
    new_header,
    open_plan,
    resolve_beside,
)
from wrapup_bridge.core.replay.verify import ItemVerifier

if TYPE_CHECKING:
    from wrapup_bridge.genesys.errors import GenesysError

__all__ = ["ReplayPaths", "apply_from_plan", "plan_from_records", "replay", "source_records"]

EXIT_INTERRUPTED = 130
#: How long one Genesys call may take, retries and waits included, unless --budget says otherwise.
DEFAULT_BUDGET = 60.0
#: Ledger outcomes that settle an item for good: on the participant, or deliberately left alone.
RESOLVED = frozenset({"applied", "replaced-system-code", "already-applied", "skipped"})
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
    adapter = build_adapter(source, options)
    for name in inputs:
        with open_input(name, options.encoding) as stream, usage_errors():
            for result in adapter.read(stream, name=name):
                if isinstance(result, AdapterError):
                    yield name, result.record, Invalid(str(result), raw=result.raw, details=result.to_json_dict())
                else:
                    yield name, None, result


# ------------------------------------------------------------------------------------------ failures, in words
def _target_failure(exc: GenesysError | TargetError, target: str, state: str) -> NoReturn:
    """One message for a target that refuses or does not answer: what, where, the likely fix, and what was left."""
    from wrapup_bridge.genesys.errors import (
        AuthenticationError,
        BudgetExceeded,
        GenesysError,
        PermissionDenied,
        TransportFailure,
    )

    if isinstance(exc, TargetError):
        fail_setup(f"{target}: {exc.reason}\n{state}")
    assert isinstance(exc, GenesysError)
    if isinstance(exc, AuthenticationError):
        what = "refused the credentials"
    elif isinstance(exc, PermissionDenied):
        what = "refused a request the replay needs (a permission is missing)"
    elif isinstance(exc, TransportFailure | BudgetExceeded):
        what = "did not answer"
    else:
        what = "answered with an error"
    fail_setup(f"{target} {what}: {exc}\n{exc.explain()}\n{state}")


@contextmanager
def _answers(target: str, state: Callable[[], str]) -> Iterator[None]:
    """Turn a target that refuses or does not answer into one message (exit 2); ``state`` says what was left."""
    from wrapup_bridge.genesys.errors import GenesysError

    try:
        yield
    except (GenesysError, TargetError) as exc:
        _target_failure(exc, target, state())


def _resume_note(paths: ReplayPaths, command: str = "the same command") -> str:
    return (
        f"The ledger {paths.ledger} holds everything finished so far; run {command} again once this is fixed: it "
        "resumes, and re-checks any write that was under way before writing again."
    )


# ------------------------------------------------------------------------------------------------------ planning
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
    pin_inputs: bool = True,
) -> PlanSummary:
    """Make a plan (``SetupError`` when the target refuses or does not answer, or ``out`` cannot be written: no plan
    is left behind, nothing was written to the target). ``pin_inputs``: record each input's sha256, so a changed
    input makes the plan stale."""
    from wrapup_bridge.genesys.replay import GenesysReplayBackend

    nothing = "Nothing was written to the target and no plan was made; run the same command again once this is fixed."
    backend = GenesysReplayBackend(
        connection.client,
        description=connection.description,
        options=_apply_options(options),
        batch_size=batch_size,
        agent_directory=table.agents,
    )
    try:
        fingerprints = [file_sha256(Path(i).resolve()) for i in inputs if i != "-"] if pin_inputs else []
    except OSError as exc:
        fail_setup(f"cannot read an input to fingerprint it: {exc.strerror or exc} ({exc.filename})")
    with _answers(connection.description, lambda: nothing):
        header = new_header(
            source=source,
            mapping_path=str(Path(table.name).resolve()),
            mapping_sha256=table.sha256,
            catalog_fingerprint=await backend.catalog_fingerprint(),
            target=connection.description,
            target_id=connection.identity or None,
            inputs=fingerprints,
            options=options,
        )
    try:
        writer = PlanWriter(out, header)
    except OSError as exc:
        fail_setup(f"cannot write the plan to {out}: {exc.strerror or exc}. {nothing}")
    try:
        with _progress("planning", None, show_progress) as tick, _answers(connection.description, lambda: nothing):
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
    except OSError as exc:  # the plan being written, or an input being read
        writer.abort()
        where = f"{exc.filename}: " if exc.filename else ""
        fail_setup(f"cannot make the plan {out}: {where}{exc.strerror or exc}. {nothing}")
    except BaseException:
        writer.abort()
        raise
    try:
        return writer.close()
    except OSError as exc:
        writer.abort()
        fail_setup(f"cannot write the plan to {out}: {exc.strerror or exc}. {nothing}")


# ------------------------------------------------------------------------------------------------------ applying
def _open_plan(path: Path, *, check_items: bool = True, note: str = " Nothing was applied.") -> Any:
    try:
        return open_plan(path, check_items=check_items)
    except PlanError as exc:
        fail_setup(f"{exc}.{note}")


def _pinned_table(header: PlanHeader, plan: Path) -> tuple[MappingTable | None, bool]:
    """The mapping table the plan names, and whether it is the one the plan pins (same sha256); None when it is
    gone or no longer loads (the staleness check says so)."""
    from wrapup_bridge.core.mapping import MappingTableError, load_mapping

    try:
        table = load_mapping(resolve_beside(plan, header.mapping_path))
    except (MappingTableError, OSError, ValueError):
        return None, False
    return table, table.sha256 == header.mapping_sha256


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
    budget: float | None = None,
) -> tuple[PlanHeader, ApplyReport]:
    """Apply a plan; ``SetupError`` (exit 2, one message) for whatever stops it: a damaged plan, another target, a
    stale plan, a target that refuses or does not answer, a ledger or dead-letter file that cannot be used. The
    ledger stays consistent and the dead letters current whatever happens."""
    from wrapup_bridge.genesys.replay import GenesysReplayBackend

    plan = _open_plan(paths.plan)
    header: PlanHeader = plan.header
    for warning in plan.warnings:
        stderr(f"warning: {warning}")
    if header.target_id and connection.identity and header.target_id != connection.identity and not retarget:
        fail_usage(
            f"the plan was made for {header.target_id} ({header.target}); this run talks to {connection.identity}. "
            "Apply it where its target is configured, make a new plan for this target, or pass --retarget to apply "
            "it here on purpose"
        )
    table, pinned = _pinned_table(header, paths.plan)
    options = dict(header.options)
    if budget is not None:
        options["budget"] = budget
    backend = GenesysReplayBackend(
        connection.client,
        description=connection.description,
        options=_apply_options(options),
        batch_size=batch_size,
        agent_directory=table.agents if table is not None else {},
    )
    with _answers(connection.description, lambda: "Nothing was applied; run the same command again once it is fixed."):
        stale = await _staleness(header, backend, connection, paths.plan)
    if stale and not force:
        for reason in stale:
            stderr(f"stale plan: {reason}")
        stderr("refusing to apply a stale plan: make a new plan (replay plan), or pass --force to apply it anyway")
        sys.exit(EXIT_USAGE)
    if table is None:
        stderr(
            f"warning: the mapping table {header.mapping_path} cannot be loaded: items are checked against the checks "
            "written with them, not re-derived"
        )
    elif not pinned:
        stderr(
            "warning: the mapping table changed since planning (--force): each item is re-derived with the table as "
            "it is now, and refused when it no longer gives the item's code"
        )
    verifier = ItemVerifier(header, table, table_is_pinned=pinned)
    dead_letters = DeadLetterWriter(paths.dead_letters)
    try:
        dead_letters.check()
    except DeadLetterError as exc:
        fail_setup(f"{exc}. Nothing was applied: pass --dead-letters FILE to put them elsewhere.")
    try:
        ledger = Ledger(paths.ledger, header.plan_id)
    except LedgerError as exc:
        fail_setup(f"{exc}. Nothing was applied.")
    report: ApplyReport | None = None
    compaction: Compaction | None = None
    failure: BaseException | None = None
    try:
        with _progress("applying", plan.summary.items, show_progress) as tick:
            report = await apply_plan(
                header,
                plan.items(),
                backend,
                ledger,
                dead_letters,
                concurrency=concurrency,
                batch_size=batch_size,
                refresh=refresh,
                verify=verify,
                progress=tick,
                verifier=verifier,
            )
    except BaseException as exc:  # re-raised below, once the ledger is closed and the dead letters current
        failure = exc
    dead_letters.close()
    unwritable: str | None = None
    try:
        if not isinstance(failure, DeadLetterError):
            compaction = _make_current(paths.dead_letters, ledger)
    except OSError as exc:
        unwritable = str(exc.strerror or exc)
    except DeadLetterError as exc:
        unwritable = str(exc)
    finally:
        ledger.close()
    if failure is not None:
        _stopped(failure, paths, connection.description)
        raise failure
    if unwritable is not None:
        fail_setup(
            f"cannot rewrite the dead letters {paths.dead_letters} to drop what has since applied: "
            f"{unwritable}. The ledger {paths.ledger} is intact, and the file still lists "
            "every record that did not apply (with older attempts); fix the path and run the same command again."
        )
    assert report is not None
    report.current_dead_letters = compaction.kept if compaction is not None else 0
    return header, report


def _stopped(failure: BaseException, paths: ReplayPaths, target: str) -> None:
    """Say why a run stopped, in one message (exit 2), when the user can do something about it."""
    from wrapup_bridge.genesys.errors import GenesysError

    if isinstance(failure, DeadLetterError):
        fail_setup(
            f"{failure}. Nothing is lost: the ledger {paths.ledger} holds every result recorded so far, and the item "
            "whose dead letter could not be written is finished by the next run (re-checked first if it wrote). Fix "
            "the path (or pass --dead-letters FILE) and run the same command again."
        )
    if isinstance(failure, PlanError):
        fail_setup(f"{failure}. {_resume_note(paths)}")
    if isinstance(failure, GenesysError | TargetError):
        _target_failure(failure, target, _resume_note(paths))


def _make_current(dead_letters: Path, ledger: Ledger) -> Compaction:
    """The dead-letter file rewritten with only what is still not applied, per the ledger."""

    def resolved(key: str) -> bool:
        entry = ledger.get(key)
        return entry is not None and entry.state is State.DONE and entry.outcome in RESOLVED

    return compact_dead_letters(dead_letters, resolved)


async def _staleness(header: PlanHeader, backend: Any, connection: Connection, plan: Path) -> list[str]:
    """Why the plan may no longer say what applying it would do (``--force`` applies it anyway)."""
    reasons = []
    mapping = resolve_beside(plan, header.mapping_path)
    try:
        if not mapping.is_file():
            reasons.append(f"the mapping table {header.mapping_path} it was made with is gone")
        elif hashlib.sha256(mapping.read_bytes()).hexdigest() != header.mapping_sha256:
            reasons.append(f"the mapping table {header.mapping_path} changed since planning")
    except OSError as exc:
        reasons.append(f"the mapping table {header.mapping_path} cannot be read: {exc.strerror or exc}")
    for made_from in header.inputs:
        found = resolve_beside(plan, made_from.path)
        if not found.is_file():
            continue  # an export moved away after planning: the plan holds every record it needs
        try:
            changed = file_sha256(found).sha256 != made_from.sha256
        except OSError as exc:
            reasons.append(f"the input {made_from.path} cannot be read to compare it: {exc.strerror or exc}")
            continue
        if changed:
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
        budget=float(options.get("budget", DEFAULT_BUDGET)),
        system_codes="keep" if options.get("system_codes") == "keep" else "replace",
        agent_fallback="last-connected" if options.get("agent_fallback") == "last-connected" else "none",
    )


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
        "dead_letters": str(paths.dead_letters) if report.dead_lettered or report.current_dead_letters else None,
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
    if report.refused:
        console.print(
            f"[yellow]{report.refused} items were refused: edited after planning, they are not what the mapping "
            "gives for their records[/] (invalid, with the reason, in the dead letters)"
        )
    if report.repeated:
        console.print(f"{report.repeated} plan lines appeared twice; each was written once (counted as duplicate)")
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
    if report.current_dead_letters:
        console.print(
            f"[yellow]{report.current_dead_letters} records of this plan are not applied; they are in "
            f"{paths.dead_letters}[/] (only what is still not applied: fix the cause, then: wrapup-bridge replay retry "
            f"{paths.dead_letters} --mapping ...; `replay status {paths.plan}` sums it up)"
        )
    console.print(f"took {report.seconds:.1f} s")


# ---------------------------------------------------------------------------------------------------- commands
def _budget_option(func: F) -> F:
    return click.option(
        "--budget",
        type=click.FloatRange(min=0.5),
        default=None,
        help=f"Seconds one Genesys call may take, retries and waits included, before the command gives up on the "
        f"target [default: {DEFAULT_BUDGET:g}].",
    )(func)


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
            _budget_option,
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
        "budget": DEFAULT_BUDGET,
        "system_codes": "keep" if keep_system_codes else "replace",
        "agent_fallback": agent_fallback,
    }


@click.group()
def replay() -> None:
    """Replay historical dispositions onto Genesys conversations: plan, review, apply; resumable.

    Exit codes: 0 all good; 1 some records did not apply (they are in the dead-letter file; `replay status` sums
    up); 2 usage or set-up: a target that refuses or does not answer, a damaged plan or dead-letter file, a path
    that cannot be written (the ledger stays consistent: the same command resumes); 130 interrupted."""


@replay.command("plan")
@_plan_options
@click.option(
    "--out", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Plan file (default: beside the first input)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@target_options
@click.argument("inputs", nargs=-1, required=True)
def plan_command(
    out: Path | None, as_json: bool, inputs: tuple[str, ...], target: str, org: Path | None, **kw: Any
) -> None:
    """Make a reviewable plan: each record's decision and the write it would get, checked against the org.
    Exit 0 when the plan is written (whatever its actions), 2 when it cannot be made."""
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
        async with connect(target, org, budget=kw["budget"] or DEFAULT_BUDGET) as connection:
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
@_budget_option
@target_options
def apply_command(
    plan: Path, ledger: Path | None, dead_letters: Path | None, force: bool, retarget: bool, concurrency: int,
    verify: bool, no_refresh: bool, as_json: bool, budget: float | None, target: str, org: Path | None,
) -> None:  # fmt: skip
    """Apply a plan to the target it was made for. Safe to interrupt and run again: finished items are skipped,
    in-flight ones re-checked first. Each item is checked first: one edited after planning (its code is not what the
    mapping gives for its record) is refused and dead-lettered, a line repeated is written once. Without
    GENESYSCLOUD_* set, a plan made for Genesys is refused (never applied to the emulator); --retarget applies it
    elsewhere on purpose. Exit 0 all applied, 1 some records are not (in the dead-letter file), 2 set-up."""
    paths = ReplayPaths.beside(plan, ledger, dead_letters)
    target, org = _plan_target(paths.plan, target, org, retarget)
    code = _apply_and_report(
        paths, target, org, force=force, concurrency=concurrency, verify=verify, refresh=not no_refresh,
        as_json=as_json, retarget=retarget, budget=budget,
    )  # fmt: skip
    sys.exit(code)


def _plan_target(plan: Path, target: str, org: Path | None, retarget: bool) -> tuple[str, Path | None]:
    """``auto`` for existing work means the target the plan was made for: Genesys when the credentials are set, the
    emulator (with the plan's org file) only for a plan made against it; never the emulator for a Genesys plan."""
    if target != "auto" or os.environ.get("GENESYSCLOUD_OAUTHCLIENT_ID"):
        return target, org
    header = _open_plan(plan, check_items=False).header
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
    org: Path | None,
    *,
    force: bool,
    concurrency: int,
    verify: bool,
    refresh: bool,
    as_json: bool,
    retarget: bool = False,
    budget: float | None = None,
    resume: str = "the same command",
) -> int:
    """Apply and print the report; the exit code (0 all applied, 1 some records are not)."""

    async def run() -> tuple[PlanHeader, ApplyReport, str]:
        async with connect(target, org, budget=budget or DEFAULT_BUDGET) as connection:
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
                budget=budget,
            )
            return header, report, connection.description

    try:
        header, report, description = asyncio.run(run())
    except KeyboardInterrupt:
        stderr(f"interrupted: the ledger {paths.ledger} is consistent; run {resume} again to resume")
        sys.exit(EXIT_INTERRUPTED)
    print_report(header, report, paths, description, as_json)
    return EXIT_PROBLEMS if report.dead_lettered or report.current_dead_letters else EXIT_OK


@replay.command("run")
@_plan_options
@click.option(
    "--out", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Plan file (default: beside the first input)."
)
@click.option(
    "--dead-letters",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Dead-letter file (default: beside the plan).",
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
    dead_letters: Path | None,
    dry_run: bool,
    concurrency: int,
    verify: bool,
    as_json: bool,
    inputs: tuple[str, ...],
    target: str,
    org: Path | None,
    **kw: Any,
) -> None:
    """Plan and apply in one go, for when no one reviews the plan (--dry-run: plan only). Exit codes as apply's."""
    out = out or _default_plan(inputs)
    ctx.invoke(plan_command, out=out, as_json=as_json, inputs=inputs, target=target, org=org, **kw)
    if dry_run:
        return
    code = _apply_and_report(
        ReplayPaths.beside(out, dead_letters=dead_letters),
        target,
        org,
        force=False,
        concurrency=concurrency,
        verify=verify,
        refresh=False,
        as_json=as_json,
        budget=kw["budget"],
        resume="the same command (or `replay apply " + str(out) + "`)",
    )
    sys.exit(code)


@replay.command("retry")
@click.argument("dead_letter_file", metavar="DEADLETTERS", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--mapping", "-m", required=True, type=click.Path(dir_okay=False), help="Mapping table (fixed or not).")
@click.option(
    "--source", "-s", type=click.Choice(sorted(SOURCES)), help="Legacy platform, to re-read unreadable records."
)
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Plan file of the retry (default: beside DEADLETTERS, DEADLETTERS.retry[-N].plan.jsonl).",
)
@click.option("--overwrite", is_flag=True)
@click.option("--no-queue-check", is_flag=True)
@click.option("--keep-system-codes", is_flag=True, help="Leave codes Genesys stamped itself (ININ-*) in place.")
@click.option("--agent-fallback", type=click.Choice(["none", "last-connected"]), default="none", show_default=True)
@click.option("--concurrency", default=4, show_default=True, type=click.IntRange(1, 64))
@click.option("--json", "as_json", is_flag=True)
@_budget_option
@target_options
def retry_command(
    dead_letter_file: Path,
    mapping: str,
    source: str | None,
    out: Path | None,
    overwrite: bool,
    no_queue_check: bool,
    keep_system_codes: bool,
    agent_fallback: str,
    concurrency: int,
    as_json: bool,
    budget: float | None,
    target: str,
    org: Path | None,
) -> None:
    """Plan and apply the records of a dead-letter file again, after the cause was fixed. The retry is a plan of its
    own (with its ledger and dead letters); afterwards DEADLETTERS keeps only the records the retry did not resolve.
    Exit codes as apply's."""
    table = load_or_exit(mapping)
    source = source or table.source.platform
    out = out or _retry_plan(dead_letter_file)
    options = _plan_settings(overwrite, False, no_queue_check, keep_system_codes, agent_fallback)
    counts: Counter[str] = Counter()
    keys_by_line: dict[int, str] = {}

    def records() -> Iterator[SourceRecord]:
        adapter = get_adapter(source) if source else None
        try:
            for line_no, entry in read_dead_letters(dead_letter_file, torn=lambda note: stderr(f"warning: {note}")):
                counts["read"] += 1
                if entry.get("key"):
                    keys_by_line[line_no] = str(entry["key"])
                yield _retry_record(line_no, entry, adapter)
        except DeadLetterError as exc:
            fail_setup(f"{exc}. Nothing was retried.")

    async def run() -> PlanSummary:
        async with connect(target, org, budget=budget or DEFAULT_BUDGET) as connection:
            stderr(f"target: {connection.description}")
            return await plan_from_records(
                records(), table=table, connection=connection, out=out, source=source or "unknown",
                inputs=(str(dead_letter_file),), options=options, batch_size=50, show_progress=not as_json,
                pin_inputs=False,
            )  # fmt: skip

    summary = asyncio.run(run())
    print_summary(summary, out, as_json)
    paths = ReplayPaths.beside(out)
    try:
        code = _apply_and_report(
            paths, target, org, force=False, concurrency=concurrency, verify=False, refresh=False, as_json=as_json,
            budget=budget, resume=f"`replay apply {out}`",
        )  # fmt: skip
    finally:
        _resolve_retried(dead_letter_file, paths, keys_by_line)
    sys.exit(code)


def _retry_record(line_no: int, entry: dict[str, Any], adapter: Any) -> SourceRecord:
    where = f"line {line_no}"
    raw_input = entry.get("input")
    name = raw_input if isinstance(raw_input, str) else None
    record = entry.get("record")
    if isinstance(record, dict):
        try:
            return name, where, Disposition.model_validate(record)
        except ValueError as exc:
            return name, where, Invalid(f"dead letter {where}: not a record: {exc}", raw=record)
    raw = entry.get("raw")
    if adapter is not None and isinstance(raw, dict):
        try:
            return name, where, adapter.from_payload(raw, ref=where)
        except AdapterError as exc:
            return name, where, Invalid(str(exc), raw=raw)
        except ValueError as exc:
            return name, where, Invalid(f"dead letter {where}: {exc}", raw=raw)
    return name, where, Invalid(str(entry.get("reason") or "unreadable record"), raw=raw)


def _retry_plan(dead_letter_file: Path) -> Path:
    """``X.retry.plan.jsonl`` beside the dead letters, or ``X.retry-N.plan.jsonl`` when an earlier retry's plan is
    there (each retry is a plan of its own, with its own ledger: an earlier one is kept, not overwritten)."""
    stem = dead_letter_file.name.removesuffix(".jsonl")
    candidate = dead_letter_file.with_name(f"{stem}.retry.plan.jsonl")
    number = 1
    while candidate.exists() or ReplayPaths.beside(candidate).ledger.exists():
        number += 1
        candidate = dead_letter_file.with_name(f"{stem}.retry-{number}.plan.jsonl")
    return candidate


def _resolve_retried(dead_letter_file: Path, paths: ReplayPaths, keys_by_line: dict[int, str]) -> None:
    """Drop from the retried dead-letter file the entries the retry resolved (its ledger shows them applied, already
    there, or skipped on purpose), so it keeps showing what is still not applied. Best effort: when it cannot be
    rewritten, it keeps every entry (a later retry finds them applied)."""
    if not keys_by_line or not paths.plan.is_file() or not paths.ledger.is_file():
        return
    try:
        done = _resolved_keys(paths)
        retried = {keys_by_line[line] for line, resolved in done.items() if resolved and line in keys_by_line}
        if retried:
            result = compact_dead_letters(dead_letter_file, lambda key: key in retried)
            if result.resolved:
                stderr(f"{dead_letter_file}: {result.resolved} entries resolved by this retry were dropped")
    except (OSError, PlanError, LedgerError, DeadLetterError, ValueError, sqlite3.Error) as exc:
        stderr(f"warning: {dead_letter_file} still lists the records this retry applied: {exc}")


def _resolved_keys(paths: ReplayPaths) -> dict[int, bool]:
    """Per dead-letter line the retry plan came from, whether the retry's ledger shows its item resolved."""
    plan = open_plan(paths.plan, check_items=False)
    db = connect_existing(paths.ledger)
    try:
        out: dict[int, bool] = {}
        for item in plan.items():
            position = item.position or ""
            if not position.startswith("line ") or not position.removeprefix("line ").isdigit():
                continue
            row = db.execute("SELECT state, outcome FROM items WHERE key=?", (item.key,)).fetchone()
            out[int(position.removeprefix("line "))] = (
                row is not None and row[0] == State.DONE.value and row[1] in RESOLVED
            )
        return out
    finally:
        db.close()


@replay.command("status")
@click.argument("plan", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--ledger", type=click.Path(dir_okay=False, path_type=Path), help="Ledger file (default: beside the plan)."
)
@click.option(
    "--dead-letters",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Dead-letter file (default: beside the plan).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status_command(plan: Path, ledger: Path | None, dead_letters: Path | None, as_json: bool) -> None:
    """What of a plan is applied, still pending, and dead (by class), from its ledger, with the dead-letter file.
    Talks to no target. Exit 0 when every item is finished and none is dead, 1 when some are pending or dead, 2 when
    the plan or ledger cannot be read."""
    paths = ReplayPaths.beside(plan, ledger, dead_letters)
    opened = _open_plan(paths.plan, check_items=False, note="")
    header: PlanHeader = opened.header
    snapshot: LedgerSnapshot | None = None
    if paths.ledger.exists():
        try:
            snapshot = read_ledger(paths.ledger)
        except LedgerError as exc:
            fail_setup(str(exc))
        if snapshot.plan_id is not None and snapshot.plan_id != header.plan_id:
            fail_setup(f"{paths.ledger} belongs to plan {snapshot.plan_id}, not {header.plan_id} ({paths.plan})")
    status = _status(opened.summary.items, snapshot)
    letters: Counter[str] = Counter()
    letters_problem = None
    if paths.dead_letters.is_file():
        try:
            for _, entry in read_dead_letters(paths.dead_letters):
                if entry.get("plan_id") in (None, header.plan_id):
                    letters[str(entry.get("class") or "unknown")] += 1
        except DeadLetterError as exc:
            letters_problem = str(exc)
    data: dict[str, Any] = {
        "plan": str(paths.plan),
        "plan_id": header.plan_id,
        "target": header.target_id or header.target,
        "items": opened.summary.items,
        "ledger": str(paths.ledger) if snapshot is not None else None,
        **status,
        "dead_letters": {
            "path": str(paths.dead_letters),
            "entries": sum(letters.values()),
            "by_class": dict(letters),
            "problem": letters_problem,
        },
    }
    # What is still not applied: the dead-letter file once made current (a retry may have resolved some of what
    # the ledger counts as dead), or the ledger's count when there is no file to go by.
    still = sum(letters.values()) if paths.dead_letters.is_file() and not letters_problem else status["dead"]["total"]
    data["dead"]["still_not_applied"] = still
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        _print_status(data)
    sys.exit(EXIT_PROBLEMS if status["pending"]["total"] or still else EXIT_OK)


def _status(items: int, snapshot: LedgerSnapshot | None) -> dict[str, Any]:
    finished: Counter[str] = Counter()
    dead: Counter[str] = Counter()
    in_flight = 0
    rows = 0
    for (state, outcome), count in (snapshot.counts if snapshot is not None else Counter()).items():
        rows += count
        if state != State.DONE.value or outcome is None:
            in_flight += count
        elif outcome in DEAD_LETTER_CLASSES:
            dead[outcome] += count
        else:
            finished[outcome] += count
    not_started = max(0, items - rows)
    return {
        "applied": {
            "total": finished["applied"] + finished["replaced-system-code"],
            "applied": finished["applied"],
            "replaced-system-code": finished["replaced-system-code"],
        },
        "already_applied": finished["already-applied"],
        "skipped": finished["skipped"],
        "duplicate": finished["duplicate"],
        "pending": {"total": in_flight + not_started, "not_started": not_started, "in_flight": in_flight},
        "dead": {"total": sum(dead.values()), "by_class": dict(dead), "retried_by_apply": dead["failed"]},
    }


def _print_status(data: dict[str, Any]) -> None:
    def by_class(counts: dict[str, int]) -> str:
        return ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    applied, pending, dead, letters = data["applied"], data["pending"], data["dead"], data["dead_letters"]
    click.echo(f"plan:     {data['plan']} ({data['items']} items, plan {data['plan_id']}, for {data['target']})")
    click.echo(f"ledger:   {data['ledger'] or 'none yet: nothing of this plan was applied'}")
    click.echo(
        f"applied:  {applied['total']}"
        + (f" ({applied['replaced-system-code']} in place of a system code)" if applied["replaced-system-code"] else "")
    )
    click.echo(f"already:  {data['already_applied']} (the code was there before)")
    click.echo(f"skipped:  {data['skipped']} (the mapping leaves them alone)")
    if data["duplicate"]:
        click.echo(f"duplicate: {data['duplicate']} (the same write planned earlier in the plan)")
    click.echo(
        f"pending:  {pending['total']}"
        + (
            f" ({pending['not_started']} not started, {pending['in_flight']} in flight: `replay apply` writes or "
            "re-checks them)"
            if pending["total"]
            else ""
        )
    )
    click.echo(
        f"dead:     {dead['total']}"
        + (f" ({by_class(dead['by_class'])})" if dead["total"] else "")
        + (f"; the {dead['retried_by_apply']} failed are retried by `replay apply`" if dead["retried_by_apply"] else "")
        + (
            f"; {dead['total'] - dead['still_not_applied']} since resolved by `replay retry`"
            if dead["still_not_applied"] < dead["total"]
            else ""
        )
    )
    if letters["problem"]:
        click.echo(f"dead letters: {letters['problem']}")
    elif letters["entries"]:
        click.echo(f"dead letters: {letters['path']}: {letters['entries']} ({by_class(letters['by_class'])})")
    else:
        click.echo(f"dead letters: none ({letters['path']})")


def _default_plan(inputs: tuple[str, ...]) -> Path:
    first = next((i for i in inputs if i != "-"), "stdin")
    return Path(Path(first).name.split(".")[0] + ".plan.jsonl")
