"""``wrapup-bridge outbox``: see what the live bridge could not deliver yet, and deliver it.

``status`` counts rows per state, ``list`` shows them (dead ones with the reason a person must act on), and
``drain`` delivers pending rows, and rows left in flight by a process that died, through the same sink as the
live path: it reads each participant's wrap-up before writing, so a write that did land before a crash is
reported already-applied, never written twice.

Exit codes: 0 all good; 1 problems in the data (``status``: rows not delivered or dead; ``drain``: a row it tried
is left dead or pending, including rows that cannot be read, which it marks dead with the reason); 2 usage or
set-up (no outbox there, a file that is not an outbox, not SQLite or damaged, a lock held longer than
``--lock-timeout``, rows queued for another target, a mapping table or org file that cannot be used).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from wrapup_bridge.cli._bridge import open_bridge
from wrapup_bridge.cli._common import EXIT_PROBLEMS, fail_setup
from wrapup_bridge.cli._genesys import target_options
from wrapup_bridge.cli._progress import Progress

if TYPE_CHECKING:
    from wrapup_bridge.live.outbox import Outbox, OutboxRow
    from wrapup_bridge.live.outcomes import BridgeOutcome
    from wrapup_bridge.services.settings import Settings

__all__ = ["outbox"]

_PATH_OPTION = click.option(
    "--outbox",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Outbox file.  [default: $WRAPUP_BRIDGE_OUTBOX or ./wrapup-bridge-outbox.sqlite]",
)
_LOCK_OPTION = click.option(
    "--lock-timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds to wait while another process (a server, another drain) holds the outbox's lock.",
)


def _outbox_options(func: Any) -> Any:
    return _PATH_OPTION(_LOCK_OPTION(func))


def _existing(path: Path | None, lock_timeout: float, settings: Settings | None = None) -> Outbox:
    """The outbox at ``path`` (``settings.outbox`` when None), opened (so a file that is no outbox stops here,
    exit 2); reading commands never create one where there is none."""
    from wrapup_bridge.live.errors import OutboxError
    from wrapup_bridge.live.outbox import Outbox
    from wrapup_bridge.services.settings import Settings

    resolved = path or (settings or Settings.from_env()).outbox
    if not resolved.is_file():
        fail_setup(f"no outbox at {resolved} (pass --outbox PATH or set WRAPUP_BRIDGE_OUTBOX)")
    box = Outbox(resolved, busy_timeout=lock_timeout)
    try:
        box.counts()
    except OutboxError as exc:
        box.close()
        fail_setup(str(exc))
    return box


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


@click.group()
def outbox() -> None:
    """The live bridge's outbox: dispositions not delivered yet, or needing a person."""


@outbox.command()
@_outbox_options
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def status(path: Path | None, lock_timeout: float, as_json: bool) -> None:
    """Rows per state: pending, in-flight, done, dead (exit 1 when any is waiting or dead)."""
    from wrapup_bridge.live.errors import OutboxError

    box = _existing(path, lock_timeout)
    try:
        counts = box.counts()
        waiting = box.rows(["pending", "in-flight"], limit=1)
    except OutboxError as exc:
        fail_setup(str(exc))
    finally:
        box.close()
    oldest = waiting[0].created_at if waiting else None
    if as_json:
        click.echo(json.dumps({"outbox": str(box.path), "counts": counts, "oldest_waiting_created_at": oldest}))
    else:
        click.echo(f"outbox {box.path}")
        click.echo("  " + ", ".join(f"{n} {state}" for state, n in counts.items()))
        if oldest is not None:
            click.echo(f"  oldest undelivered row waits for {_age(time.time() - oldest)}")
    if counts["dead"] or counts["pending"] or counts["in-flight"]:
        sys.exit(EXIT_PROBLEMS)


@outbox.command("list")
@_outbox_options
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice(["pending", "in-flight", "done", "dead", "all"]),
    help="Rows in this state; repeat for several.  [default: pending, in-flight, dead]",
)
@click.option("--limit", default=100, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per row.")
def list_rows(path: Path | None, lock_timeout: float, states: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Show outbox rows, oldest first, with the last outcome of each."""
    from wrapup_bridge.live.errors import OutboxError
    from wrapup_bridge.live.outbox import STATES

    wanted = STATES if "all" in states else (states or ("pending", "in-flight", "dead"))
    box = _existing(path, lock_timeout)
    try:
        rows = box.rows(wanted, limit=limit)
    except OutboxError as exc:
        fail_setup(str(exc))
    finally:
        box.close()
    for row in rows:
        if as_json:
            click.echo(json.dumps(row.to_json_dict(), ensure_ascii=False))
        else:
            click.echo(_row_line(row))
    if not as_json:
        click.echo(f"{len(rows)} row(s) in {', '.join(wanted)} from {box.path}", err=True)


def _row_line(row: OutboxRow) -> str:
    data = row.to_json_dict()
    code = data["code"]["name"] if data["code"] else "-"
    head = f"#{row.id} {row.state:9} {data['created_at']} {row.source} {row.source_id} -> {code}"
    where = f" conversation {row.conversation_id}" if row.conversation_id else ""
    tail = f"\n    {row.last_kind}: {row.last_reason}" if row.last_reason else ""
    if row.problem:
        tail += f"\n    cannot be read: {row.problem}"
    return f"{head}{where} (attempts {row.attempts}){tail}"


@outbox.command()
@_outbox_options
@click.option(
    "--mapping",
    "mappings",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Decide again with this table (after fixing it) instead of the decision stored when accepted.",
)
@click.option("--limit", type=click.IntRange(min=1), help="Deliver at most this many rows.")
@click.option("--due-only", is_flag=True, help="Only rows whose retry time has come (for cron).")
@click.option("--retry-dead", is_flag=True, help="Move dead rows back to pending first (after fixing the cause).")
@click.option("--budget", default=8.0, show_default=True, type=click.FloatRange(min=0.1), help="Seconds per row.")
@click.option(
    "--retarget",
    is_flag=True,
    help="Deliver rows queued for another target (another org or client, or the emulator) to this one: on purpose "
    "only.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@target_options
def drain(
    path: Path | None,
    lock_timeout: float,
    mappings: tuple[Path, ...],
    limit: int | None,
    due_only: bool,
    retry_dead: bool,
    budget: float,
    retarget: bool,
    as_json: bool,
    target: str,
    org: Path | None,
) -> None:
    """Deliver pending rows (and rows a crashed process left in flight) to the target they were queued for, once
    each. Rows remember their target: without GENESYSCLOUD_* set, rows queued for Genesys Cloud are not drained to
    the emulator (exit 2); --retarget sends rows to another target on purpose."""
    from wrapup_bridge.live.errors import OutboxError
    from wrapup_bridge.live.outbox import DEAD, IN_FLIGHT, PENDING
    from wrapup_bridge.services.settings import Settings

    settings = Settings.from_env()
    box = _existing(path, lock_timeout, settings)
    states = (PENDING, IN_FLIGHT, DEAD) if retry_dead else (PENDING, IN_FLIGHT)
    try:
        queued = box.targets(states)
    except OutboxError as exc:
        fail_setup(str(exc))
    finally:
        box.close()
    target, org = _drain_target(target, org, queued, retarget, settings)
    bridge = open_bridge(
        target, org, mappings, outbox=box.path, budget=budget, lock_timeout=lock_timeout, settings=settings
    )
    assert bridge.outbox is not None and bridge.target is not None
    elsewhere = {t: n for t, n in queued.items() if t != bridge.target}
    if elsewhere and not retarget:
        bridge.close()
        listed = "; ".join(f"{n} row(s) for {t or 'an unrecorded target (an outbox from before targets were kept)'}"
                           for t, n in sorted(elsewhere.items(), key=lambda kv: str(kv[0])))  # fmt: skip
        fail_setup(
            f"{listed}; this drain talks to {bridge.target}. Run it where the rows' target is configured (the live "
            "bridge's GENESYSCLOUD_* environment), or pass --retarget to deliver them to this target on purpose"
        )
    if elsewhere:
        bridge.outbox.retarget(bridge.target, states=states)
    progress = Progress("draining", enabled=not as_json)

    def advance(row: OutboxRow, outcome: BridgeOutcome) -> None:
        progress.advance(1, outcome.outbox_state or "?")

    try:
        moved = bridge.outbox.retry_dead() if retry_dead else 0
        progress.start(total=sum(bridge.outbox.counts()[s] for s in ("pending", "in-flight")))
        report = bridge.drain(limit=limit, due_only=due_only, remap=bool(mappings), progress=advance)
        counts = bridge.outbox.counts()
    except OutboxError as exc:
        fail_setup(str(exc))
    finally:
        progress.stop()
        bridge.close()
    if as_json:
        data: dict[str, Any] = {"outbox": str(box.path), "target": bridge.description, "moved_from_dead": moved}
        click.echo(json.dumps({**data, **report.to_json_dict(), "counts": counts}, ensure_ascii=False))
    else:
        for outcome in report.outcomes:
            if outcome.outbox_state != "done":
                click.echo(_outcome_line(outcome))
        summary = ", ".join(f"{n} {state}" for state, n in sorted(report.states.items())) or "nothing to deliver"
        click.echo(f"drained {report.claimed} row(s) from {box.path} to {bridge.description}: {summary}")
        click.echo("  outbox now: " + ", ".join(f"{n} {state}" for state, n in counts.items()))
    if not report.clean:
        sys.exit(EXIT_PROBLEMS)


def _drain_target(
    target: str, org: Path | None, queued: dict[str | None, int], retarget: bool, settings: Settings
) -> tuple[str, Path | None]:
    """Which target a drain talks to. ``auto`` means the target the rows were queued for: Genesys when the
    credentials are set; the emulator only when every waiting row was queued for it (its org file then); never the
    emulator as a fallback for rows queued for Genesys."""
    from wrapup_bridge.services.target import choose_kind

    if target != "auto" or choose_kind("auto", settings) == "genesys":
        return target, org
    emulated = {t.removeprefix("emulator ") for t in queued if t and t.startswith("emulator ")}
    for_genesys = {t: n for t, n in queued.items() if not (t and t.startswith("emulator "))}
    if for_genesys and not retarget:
        listed = "; ".join(f"{n} row(s) for {t or 'an unrecorded target'}" for t, n in for_genesys.items())
        fail_setup(
            f"{listed}, and GENESYSCLOUD_OAUTHCLIENT_ID is not set here: a drain never falls back to the emulator for "
            "work queued for Genesys. Set the GENESYSCLOUD_* variables the live bridge used (a cron job needs them "
            "too), or pass --target emulator --retarget to deliver them to the emulator on purpose"
        )
    if len(emulated) == 1:
        return "emulator", Path(next(iter(emulated)))
    return "emulator", org


def _outcome_line(outcome: BridgeOutcome) -> str:
    d = outcome.disposition
    who = f"{d.source} {d.source_id}" if d else "?"
    return f"#{outcome.outbox_id} {outcome.outbox_state} {who}: {outcome.kind.value}: {outcome.reason}"
