"""Applying a plan: the writes it holds, once each, to the target it was made for, resumable after any stop.

Before anything is written the plan is read whole (a damaged line refuses it, naming the line), its target is
compared with this run's (work is never sent elsewhere unless asked), and it is checked for staleness (the table,
an input or the org's catalog changed since planning). Each item is then verified against the pinned table,
applied through the ledger (done items skipped, in-flight ones re-checked first) and, when it does not apply,
dead-lettered with why. Whatever stops a run, the ledger stays consistent and the dead-letter file is made current
(only what is still not applied), so running the same thing again resumes.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wrapup_bridge.services.replay.errors import ReplayError, StalePlan, TargetFailed, WrongTarget
from wrapup_bridge.services.replay.options import PlanOptions
from wrapup_bridge.services.replay.plan import target_answers

if TYPE_CHECKING:
    from wrapup_bridge.core.mapping import MappingTable
    from wrapup_bridge.core.replay.deadletter import Compaction
    from wrapup_bridge.core.replay.ledger import Ledger
    from wrapup_bridge.core.replay.pipeline import ApplyReport
    from wrapup_bridge.core.replay.plan import PlanFile, PlanHeader
    from wrapup_bridge.core.replay.retry import RetryPolicy
    from wrapup_bridge.services.replay.paths import ReplayPaths
    from wrapup_bridge.services.replay.progress import Progress
    from wrapup_bridge.services.settings import Settings
    from wrapup_bridge.services.target import Connection, TargetKind

__all__ = ["RESOLVED", "apply_from_plan", "open_plan_or_fail", "staleness", "target_for_plan"]

_log = logging.getLogger(__name__)

#: Ledger outcomes that settle an item for good: on the participant, or deliberately left alone.
RESOLVED = frozenset({"applied", "replaced-system-code", "already-applied", "skipped"})


def resume_note(paths: ReplayPaths) -> str:
    return (
        f"The ledger {paths.ledger} holds everything finished so far; run the same command again once this is "
        "fixed: it resumes, and re-checks any write that was under way before writing again."
    )


def open_plan_or_fail(path: Path, *, check_items: bool = True, note: str = " Nothing was applied.") -> PlanFile:
    """The plan at ``path``, checked (every line, with ``check_items``); ``ReplayError`` naming the file and line."""
    from wrapup_bridge.core.replay.plan import PlanError, open_plan

    try:
        return open_plan(path, check_items=check_items)
    except PlanError as exc:
        raise ReplayError(f"{exc}.{note}") from exc


def target_for_plan(
    plan: Path,
    kind: TargetKind,
    org: Path | None,
    *,
    retarget: bool = False,
    settings: Settings | None = None,
) -> tuple[TargetKind, Path | None]:
    """What applying ``plan`` talks to when asked for ``kind``. ``auto`` for existing work means the target the
    plan was made for: Genesys when the credentials are set, the emulator (with the plan's org file) only for a plan
    made against it; never the emulator for a plan made for Genesys (``WrongTarget``, unless ``retarget``)."""
    from wrapup_bridge.services.settings import Settings

    settings = settings or Settings.from_env()
    if kind != "auto" or settings.has_genesys_credentials:
        return kind, org
    header = open_plan_or_fail(plan, check_items=False).header
    made_for = header.target_id or ""
    if made_for.startswith("emulator "):
        recorded = Path(made_for.removeprefix("emulator "))
        return "emulator", recorded if recorded.is_file() else org
    if made_for.startswith("genesys ") and not retarget:
        raise WrongTarget(
            f"the plan was made for {made_for} ({header.target}) and GENESYSCLOUD_OAUTHCLIENT_ID is not set here: "
            "applying existing work never falls back to the emulator. Set the GENESYSCLOUD_* variables of that org, or "
            "pass --target emulator --retarget to apply it to the emulator on purpose"
        )
    return kind, org


def _pinned_table(header: PlanHeader, plan: Path) -> tuple[MappingTable | None, bool]:
    """The mapping table the plan names, and whether it is the one the plan pins (same sha256); None when it is
    gone or no longer loads (the staleness check says so)."""
    from wrapup_bridge.core.mapping import MappingTableError, load_mapping
    from wrapup_bridge.core.replay.plan import resolve_beside

    try:
        table = load_mapping(resolve_beside(plan, header.mapping_path))
    except (MappingTableError, OSError, ValueError):
        return None, False
    return table, table.sha256 == header.mapping_sha256


async def staleness(header: PlanHeader, backend: Any, connection: Connection, plan: Path) -> list[str]:
    """Why the plan may no longer say what applying it would do (``force`` applies it anyway)."""
    from wrapup_bridge.core.replay.plan import file_sha256, resolve_beside

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


async def apply_from_plan(
    paths: ReplayPaths,
    connection: Connection,
    *,
    force: bool = False,
    retarget: bool = False,
    concurrency: int = 4,
    verify: bool = False,
    refresh: bool = True,
    batch_size: int = 50,
    budget: float | None = None,
    progress: Progress | None = None,
    warn: Callable[[str], None] | None = None,
    fresh_for: float | None = None,
    retry: RetryPolicy | None = None,
) -> tuple[PlanHeader, ApplyReport]:
    """Apply the plan of ``paths`` through ``connection``; the report of this run (with the plan's header), with
    what each OAuth client did (``ApplyReport.pool``) when the connection sends through a pool of them.

    ``force``: apply a stale plan; ``retarget``: apply a plan made for another target here; ``refresh``: re-read
    what is on the participants in batches instead of trusting the plan's view, unless the plan is fresh: made less
    than ``fresh_for`` seconds ago (default ``core.replay.fresh.DEFAULT_MAX_AGE``; 0: always re-read), not stale,
    and applied for the first time (``core.replay.fresh``); ``retry``: how failed writes are re-checked and retried
    within the run (``core.replay.retry.RetryPolicy``; default: its defaults); ``verify``: read the writes back;
    ``budget``: seconds one call may take (else the plan's). ``warn`` hears what the caller should know but that
    does not stop the run (default: this module's logger).

    Raises ``WrongTarget``, ``StalePlan``, ``TargetFailed`` or ``ReplayError`` for whatever stops it, each saying
    what was left: before the first write (a damaged plan, another target, a stale plan, a ledger of another plan,
    a dead-letter file that cannot be written) nothing was applied; later, the ledger holds what was finished and
    the dead-letter file is current. Anything else (an interrupt) passes through after the same clean-up."""
    from wrapup_bridge.core.replay.deadletter import DeadLetterError, DeadLetterWriter
    from wrapup_bridge.core.replay.fresh import DEFAULT_MAX_AGE, PlanFreshness
    from wrapup_bridge.core.replay.ledger import Ledger, LedgerError
    from wrapup_bridge.core.replay.pipeline import apply_plan
    from wrapup_bridge.core.replay.retry import RetryPolicy
    from wrapup_bridge.core.replay.verify import ItemVerifier
    from wrapup_bridge.genesys.pool import pool_report
    from wrapup_bridge.genesys.replay import GenesysReplayBackend

    say = warn or _log.warning
    plan = open_plan_or_fail(paths.plan)
    header = plan.header
    for warning in plan.warnings:
        say(warning)
    if header.target_id and connection.identity and not connection.answers_to(header.target_id) and not retarget:
        raise WrongTarget(
            f"the plan was made for {header.target_id} ({header.target}); this run talks to {connection.identity}. "
            "Apply it where its target is configured, make a new plan for this target, or pass --retarget to apply "
            "it here on purpose"
        )
    table, pinned = _pinned_table(header, paths.plan)
    policy = retry or RetryPolicy()
    backend = GenesysReplayBackend(
        connection.client,
        description=connection.description,
        options=PlanOptions.from_dict(header.options).apply_options(budget),
        batch_size=batch_size,
        agent_directory=table.agents if table is not None else {},
        recheck_later=policy.enabled,
    )
    with target_answers(
        connection.description, lambda: "Nothing was applied; run the same command again once it is fixed."
    ):
        stale = await staleness(header, backend, connection, paths.plan)
    if stale and not force:
        raise StalePlan(stale)
    if table is None:
        say(
            f"the mapping table {header.mapping_path} cannot be loaded: items are checked against the checks "
            "written with them, not re-derived"
        )
    elif not pinned:
        say(
            "the mapping table changed since planning (--force): each item is re-derived with the table as "
            "it is now, and refused when it no longer gives the item's code"
        )
    verifier = ItemVerifier(header, table, table_is_pinned=pinned)
    dead_letters = DeadLetterWriter(paths.dead_letters)
    try:
        dead_letters.check()
    except DeadLetterError as exc:
        raise ReplayError(f"{exc}. Nothing was applied: pass --dead-letters FILE to put them elsewhere.") from exc
    try:
        ledger = Ledger(paths.ledger, header.plan_id)
    except LedgerError as exc:
        raise ReplayError(f"{exc}. Nothing was applied.") from exc
    not_fresh = []
    if stale:
        not_fresh.append("the plan is stale (applied with --force): the targets are read again")
    if ledger.has_rows():
        not_fresh.append("an earlier run of this plan is in the ledger: the targets are read again")
    freshness = PlanFreshness(header.created_at, DEFAULT_MAX_AGE if fresh_for is None else fresh_for, tuple(not_fresh))
    report: ApplyReport | None = None
    compaction: Compaction | None = None
    failure: BaseException | None = None
    if progress is not None:
        progress.start("applying", plan.summary.items)
    try:
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
            progress=progress.advance if progress is not None else None,
            verifier=verifier,
            freshness=freshness,
            retry=policy,
        )
    except BaseException as exc:  # re-raised below, once the ledger is closed and the dead letters current
        failure = exc
    finally:
        if progress is not None:
            progress.stop()
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
        stopped = _stopped(failure, paths, connection.description)
        if stopped is failure:
            raise failure
        raise stopped from failure
    if unwritable is not None:
        raise ReplayError(
            f"cannot rewrite the dead letters {paths.dead_letters} to drop what has since applied: "
            f"{unwritable}. The ledger {paths.ledger} is intact, and the file still lists "
            "every record that did not apply (with older attempts); fix the path and run the same command again."
        )
    assert report is not None
    report.current_dead_letters = compaction.kept if compaction is not None else 0
    report.pool = pool_report(connection.client)
    return header, report


def _stopped(failure: BaseException, paths: ReplayPaths, target: str) -> BaseException:
    """What to raise for what stopped a run: a ``ReplayError`` saying why and what was left, when the caller can
    do something about it; else the failure itself (an interrupt, a bug)."""
    from wrapup_bridge.core.replay.deadletter import DeadLetterError
    from wrapup_bridge.core.replay.pipeline import TargetError
    from wrapup_bridge.core.replay.plan import PlanError
    from wrapup_bridge.genesys.errors import GenesysError

    if isinstance(failure, DeadLetterError):
        return ReplayError(
            f"{failure}. Nothing is lost: the ledger {paths.ledger} holds every result recorded so far, and the item "
            "whose dead letter could not be written is finished by the next run (re-checked first if it wrote). Fix "
            "the path (or pass --dead-letters FILE) and run the same command again."
        )
    if isinstance(failure, PlanError):
        return ReplayError(f"{failure}. {resume_note(paths)}")
    if isinstance(failure, GenesysError | TargetError):
        return TargetFailed(failure, target, resume_note(paths))
    return failure


def _make_current(dead_letters: Path, ledger: Ledger) -> Compaction:
    """The dead-letter file rewritten with only what is still not applied, per the ledger."""
    from wrapup_bridge.core.replay.deadletter import compact_dead_letters
    from wrapup_bridge.core.replay.ledger import State

    def resolved(key: str) -> bool:
        entry = ledger.get(key)
        return entry is not None and entry.state is State.DONE and entry.outcome in RESOLVED

    return compact_dead_letters(dead_letters, resolved)
