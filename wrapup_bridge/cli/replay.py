"""``wrapup-bridge replay plan|apply|run|retry|status``: historical dispositions onto Genesys conversations, safely.

plan    legacy exports -> a reviewable plan file (what would be written, and why not for the rest)
apply   a plan -> Genesys, with a durable ledger (resume after any crash), dead letters and a report
run     plan + apply in one go (``--dry-run`` stops after the plan)
retry   dead letters -> a new plan and its apply, after the cause was fixed
status  what of a plan is applied, still pending, or dead (by class), from its ledger

The work is ``wrapup_bridge.services.replay``; this module holds the options, the progress display, the printing
and the exit codes. Whatever a user can cause ends in one message and an exit code, never a traceback: a target
that refuses the credentials or a permission, does not answer or times out (exit 2, naming the target and the fix);
a damaged plan or dead-letter file (exit 2, naming the file and line); a path that cannot be written (exit 2,
before anything is applied when it can be known then). Whatever stops a run leaves the ledger consistent: the same
command resumes.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from wrapup_bridge.adapters import SOURCES
from wrapup_bridge.cli._adapters import ADAPTER_FLAGS, adapter_flags, adapter_options, input_errors
from wrapup_bridge.cli._common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, fail_setup, fail_usage, load_or_exit, stderr
from wrapup_bridge.cli._genesys import clients_option, connect, fail_genesys, target_options
from wrapup_bridge.cli._progress import Progress
from wrapup_bridge.core.correlate import CorrelationFileError
from wrapup_bridge.services.replay import (
    DEFAULT_BUDGET,
    DEFAULT_MAX_AGE,
    DeadLetterRecords,
    PlanOptions,
    ReplayError,
    ReplayPaths,
    RetryPolicy,
    StalePlan,
    TargetFailed,
    WrongTarget,
    apply_from_plan,
    default_plan,
    drop_resolved,
    plan_from_records,
    replay_status,
    retry_plan,
    source_records,
    target_for_plan,
)

if TYPE_CHECKING:
    from wrapup_bridge.core.replay.pipeline import ApplyReport
    from wrapup_bridge.core.replay.plan import PlanHeader, PlanSummary
    from wrapup_bridge.services.settings import Settings
    from wrapup_bridge.services.target import TargetKind

__all__ = ["replay"]

EXIT_INTERRUPTED = 130
F = TypeVar("F", bound=Callable[..., Any])


# ------------------------------------------------------------------------------------------ failures, in words
@contextmanager
def _explained() -> Iterator[None]:
    """What the replay service raises, as this command says it: a stale plan lists its reasons (exit 2); a plan
    for another target is a usage error; a target that refuses or does not answer is explained as every command
    explains one (``fail_genesys``); anything else that stops a replay is one ``Error:`` line (exit 2); inputs and
    settings that cannot be used as ``input_errors`` says."""
    with input_errors():
        try:
            yield
        except StalePlan as exc:
            for reason in exc.reasons:
                stderr(f"stale plan: {reason}")
            stderr("refusing to apply a stale plan: make a new plan (replay plan), or pass --force to apply it anyway")
            sys.exit(EXIT_USAGE)
        except WrongTarget as exc:
            fail_usage(str(exc))
        except TargetFailed as exc:
            fail_genesys(exc)
        except ReplayError as exc:
            fail_setup(str(exc))
        except CorrelationFileError as exc:
            fail_setup(str(exc))


def _warn(message: str) -> None:
    stderr(f"warning: {message}")


def _settings(clients_file: Path | None) -> Settings:
    """The environment's settings, with ``--clients FILE`` as the pool's credentials file."""
    from wrapup_bridge.services.settings import Settings

    return Settings.from_env().with_clients_file(clients_file)


# ---------------------------------------------------------------------------------------------------- printing
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


def print_report(
    header: PlanHeader,
    report: ApplyReport,
    paths: ReplayPaths,
    target: str,
    as_json: bool,
    pool: dict[str, Any] | None = None,
) -> None:
    """The apply report; ``pool``: the per-client section (``genesys.pool.pool_usage``) when there is one."""
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
        **({"pool": pool} if pool is not None else {}),
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
    if report.lookups.get("reused"):
        console.print(f"{report.lookups['reused']} targets came from the plan's own lookups: {report.lookups_why}")
    retries = report.retries
    if retries.get("deferred"):
        console.print(
            f"{retries['deferred']} writes failed (5xx, dropped connection) and were re-checked in "
            f"{retries.get('rounds', 0)} batched rounds ({retries.get('precise_rechecks', 0)} one by one): "
            f"{retries.get('confirmed', 0)} had landed, {retries.get('recovered', 0)} applied on a retry, "
            f"{retries.get('gave_up', 0)} still failed"
        )
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
    if pool is not None and len(pool["clients"]) > 1:
        _print_pool(console, pool)
    if report.current_dead_letters:
        console.print(
            f"[yellow]{report.current_dead_letters} records of this plan are not applied; they are in "
            f"{paths.dead_letters}[/] (only what is still not applied: fix the cause, then: wrapup-bridge replay retry "
            f"{paths.dead_letters} --mapping ...; `replay status {paths.plan}` sums it up)"
        )
    console.print(f"took {report.seconds:.1f} s")


def _print_pool(console: Any, pool: dict[str, Any]) -> None:
    """One line per OAuth client of the pool (by id, never a secret), and the org-wide ceiling when it mattered."""
    from rich.markup import escape

    console.print(f"OAuth clients: {len(pool['clients'])}")
    for client in pool["clients"]:
        refused = f", [bold red]{client['refusals']} refused[/]" if client["refusals"] else ""
        console.print(
            escape(
                f"  {client['client_id']}: {client['requests']} requests ({client['share']:.0%}), "
                f"{client['writes']} writes, {client['throttled']} answered 429, {client['retries']} retries"
            )
            + refused
            + escape(f", {client['tokens']} token(s)  [{client['source']}]")
        )
    org = pool["org_rate"]
    if org["org_429s"] or org["configured_per_minute"] is not None:
        console.print(
            f"  org-wide ceiling: {org['per_minute_now'] or 'none'} requests/min now"
            + (f" (configured {org['configured_per_minute']:g})" if org["configured_per_minute"] is not None else "")
            + (f"; {org['org_429s']} 429s that were not a token's own" if org["org_429s"] else "")
        )


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
            click.option(
                "--correlation",
                type=click.Path(dir_okay=False, path_type=Path),
                help="A reviewed `wrapup-bridge correlate` file: records without a conversation id get the one its "
                "matched rows give.",
            ),
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
) -> PlanOptions:
    return PlanOptions(
        overwrite=overwrite,
        historical=not live_acw,
        allowed_check="off" if no_queue_check else "queue",
        system_codes="keep" if keep_system_codes else "replace",
        agent_fallback="last-connected" if agent_fallback == "last-connected" else "none",
    )


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
@clients_option
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
    out = out or default_plan(inputs)
    options = _plan_settings(
        kw["overwrite"], kw["live_acw"], kw["no_queue_check"], kw["keep_system_codes"], kw["agent_fallback"]
    )
    adapter = adapter_options(table, **{k: kw[k] for k in ADAPTER_FLAGS})

    async def run() -> PlanSummary:
        records = source_records(source, adapter, inputs)
        async with connect(
            target, org, budget=kw["budget"] or DEFAULT_BUDGET, pool=True, clients_file=kw["clients_file"]
        ) as connection:
            stderr(f"target: {connection.description}")
            return await plan_from_records(
                records,
                table=table,
                connection=connection,
                out=out,
                source=source,
                inputs=inputs,
                options=options,
                batch_size=kw["batch_size"],
                progress=Progress(enabled=not as_json),
                correlation=kw["correlation"],
            )

    try:
        with _explained():
            summary = asyncio.run(run())
    except KeyboardInterrupt:
        # The plan is written beside its name and moved into place only when whole: an interrupted one is removed.
        stderr(f"interrupted: no plan was made (nothing was written to the target); run the same command to plan {out}")
        sys.exit(EXIT_INTERRUPTED)
    print_summary(summary, out, as_json)


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
    "--concurrency",
    default=4,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Writes in flight at once, per OAuth client.",
)
@click.option("--verify", is_flag=True, help="Read the applied wrap-ups back in batches afterwards.")
@click.option(
    "--no-refresh", is_flag=True, help="Trust the plan's view of each participant instead of re-reading it in batches."
)
@click.option(
    "--fresh-for",
    type=click.FloatRange(min=0),
    default=DEFAULT_MAX_AGE,
    show_default=True,
    help="Seconds a plan's own lookups stand in for re-reading the participants (first apply, not stale; 0: always re-read).",
)
@click.option(
    "--retry-budget",
    type=click.FloatRange(min=0),
    default=RetryPolicy.seconds,
    show_default=True,
    help="Seconds this run may spend re-checking and retrying writes that failed (5xx, dropped connection); 0: none.",
)
@click.option(
    "--retry-attempts",
    type=click.IntRange(1, 20),
    default=RetryPolicy.attempts,
    show_default=True,
    help="Writes sent for one record in this run, the first included (1: no retry within the run).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@_budget_option
@clients_option
@target_options
def apply_command(
    plan: Path, ledger: Path | None, dead_letters: Path | None, force: bool, retarget: bool, concurrency: int,
    verify: bool, no_refresh: bool, fresh_for: float, retry_budget: float, retry_attempts: int, as_json: bool,
    budget: float | None, clients_file: Path | None, target: str, org: Path | None,
) -> None:  # fmt: skip
    """Apply a plan to the target it was made for. Safe to interrupt and run again: finished items are skipped,
    in-flight ones re-checked first. Each item is checked first: one edited after planning (its code is not what the
    mapping gives for its record) is refused and dead-lettered, a line repeated is written once. Without
    GENESYSCLOUD_* set, a plan made for Genesys is refused (never applied to the emulator); --retarget applies it
    elsewhere on purpose. Exit 0 all applied, 1 some records are not (in the dead-letter file), 2 set-up."""
    paths = ReplayPaths.beside(plan, ledger, dead_letters)
    with _explained():
        target, org = target_for_plan(
            paths.plan, cast("TargetKind", target), org, retarget=retarget, settings=_settings(clients_file)
        )
    code = _apply_and_report(
        paths, target, org, force=force, concurrency=concurrency, verify=verify, refresh=not no_refresh,
        as_json=as_json, retarget=retarget, budget=budget, clients_file=clients_file, fresh_for=fresh_for,
        retry=RetryPolicy(seconds=retry_budget, attempts=retry_attempts),
    )  # fmt: skip
    sys.exit(code)


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
    clients_file: Path | None = None,
    fresh_for: float | None = None,
    retry: RetryPolicy | None = None,
) -> int:
    """Apply and print the report; the exit code (0 all applied, 1 some records are not). ``concurrency`` is per
    OAuth client of the pool."""
    from wrapup_bridge.genesys.pool import pool_usage

    pool: dict[str, Any] | None = None

    async def run() -> tuple[PlanHeader, ApplyReport, str]:
        nonlocal pool
        async with connect(
            target, org, budget=budget or DEFAULT_BUDGET, pool=True, clients_file=clients_file
        ) as connection:
            stderr(f"target: {connection.description}")
            try:
                header, report = await apply_from_plan(
                    paths,
                    connection,
                    force=force,
                    retarget=retarget,
                    concurrency=concurrency * connection.pool_size,
                    verify=verify,
                    refresh=refresh,
                    budget=budget,
                    progress=Progress(enabled=not as_json),
                    warn=_warn,
                    fresh_for=fresh_for,
                    retry=retry,
                )
            finally:
                pool = pool_usage(connection.client)
            return header, report, connection.description

    try:
        with _explained():
            header, report, description = asyncio.run(run())
    except KeyboardInterrupt:
        stderr(f"interrupted: the ledger {paths.ledger} is consistent; run {resume} again to resume")
        sys.exit(EXIT_INTERRUPTED)
    print_report(header, report, paths, description, as_json, pool)
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
@click.option(
    "--concurrency",
    default=4,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Writes in flight, per OAuth client.",
)
@click.option("--verify", is_flag=True, help="Read the applied wrap-ups back in batches afterwards.")
@click.option("--json", "as_json", is_flag=True)
@clients_option
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
    clients_file: Path | None,
    **kw: Any,
) -> None:
    """Plan and apply in one go, for when no one reviews the plan (--dry-run: plan only). Exit codes as apply's."""
    out = out or default_plan(inputs)
    ctx.invoke(
        plan_command, out=out, as_json=as_json, inputs=inputs, target=target, org=org, clients_file=clients_file, **kw
    )
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
        clients_file=clients_file,
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
@click.option(
    "--concurrency",
    default=4,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Writes in flight, per OAuth client.",
)
@click.option("--json", "as_json", is_flag=True)
@_budget_option
@clients_option
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
    clients_file: Path | None,
    target: str,
    org: Path | None,
) -> None:
    """Plan and apply the records of a dead-letter file again, after the cause was fixed. The retry is a plan of its
    own (with its ledger and dead letters); afterwards DEADLETTERS keeps only the records the retry did not resolve.
    Exit codes as apply's."""
    table = load_or_exit(mapping)
    source = source or table.source.platform
    out = out or retry_plan(dead_letter_file)
    options = _plan_settings(overwrite, False, no_queue_check, keep_system_codes, agent_fallback)
    records = DeadLetterRecords(dead_letter_file, source, warn=_warn)

    async def run() -> PlanSummary:
        async with connect(
            target, org, budget=budget or DEFAULT_BUDGET, pool=True, clients_file=clients_file
        ) as connection:
            stderr(f"target: {connection.description}")
            return await plan_from_records(
                records, table=table, connection=connection, out=out, source=source or "unknown",
                inputs=(str(dead_letter_file),), options=options, batch_size=50,
                progress=Progress(enabled=not as_json), pin_inputs=False,
            )  # fmt: skip

    with _explained():
        summary = asyncio.run(run())
    print_summary(summary, out, as_json)
    paths = ReplayPaths.beside(out)
    try:
        code = _apply_and_report(
            paths, target, org, force=False, concurrency=concurrency, verify=False, refresh=False, as_json=as_json,
            budget=budget, resume=f"`replay apply {out}`", clients_file=clients_file,
        )  # fmt: skip
    finally:
        _drop_retried(dead_letter_file, paths, records.keys_by_line)
    sys.exit(code)


def _drop_retried(dead_letter_file: Path, paths: ReplayPaths, keys_by_line: dict[int, str]) -> None:
    """The retried dead-letter file keeps only what the retry did not resolve (best effort: said when not)."""
    try:
        dropped = drop_resolved(dead_letter_file, paths, keys_by_line)
    except ReplayError as exc:
        _warn(str(exc))
        return
    if dropped:
        stderr(f"{dead_letter_file}: {dropped} entries resolved by this retry were dropped")


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
    with _explained():
        status = replay_status(ReplayPaths.beside(plan, ledger, dead_letters))
    data = status.to_dict()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        _print_status(data)
    sys.exit(EXIT_OK if status.complete else EXIT_PROBLEMS)


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
