"""Plan and apply a replay, independent of where it writes.

The Genesys specifics (batch target lookup, pre-write checks, the write itself) sit behind ``ReplayBackend``;
this module holds the order of things that makes a replay reviewable and safe to re-run:

planning   records -> mapping decision -> targets looked up in batches -> one planned action per record
applying   plan -> stale check -> per item: refuse it if it is not what planning made (``verify``); once per
           run (a line repeated by hand is written once); skip if the ledger says done; if it was in flight or
           failed in an earlier run, hand it to the retry rounds (re-checked before any write); per batch: the
           plan's own targets when the plan is fresh (``fresh``), else read what is on the participants now;
           record the batch's intents (one commit); write; record the results (one commit); a write that failed
           without a clear answer (5xx, no answer) waits for a retry round (``retry``): re-checked in batches,
           written again if it did not land, within a budget; dead-letter what did not apply, with why.

A target that refuses everything (credentials refused, a permission missing) or stops answering stops the run with
``TargetError`` instead of dead-lettering every record with the same answer: what was finished is in the ledger,
the write that met it stays in flight (re-checked first by the next run), the rest is untouched.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from wrapup_bridge.core.decision import CodeRef, Decision
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.errors import WrapupBridgeError
from wrapup_bridge.core.mapping.table import MappingTable
from wrapup_bridge.core.outcome import Outcome, OutcomeKind, WrapupTarget, is_system_code
from wrapup_bridge.core.replay.clients import PoolReport
from wrapup_bridge.core.replay.deadletter import DEAD_LETTER_CLASSES, DeadLetterWriter
from wrapup_bridge.core.replay.fresh import PlanFreshness
from wrapup_bridge.core.replay.ledger import Ledger, State
from wrapup_bridge.core.replay.plan import Action, PlanHeader, PlanItem, PlanWriter, item_key
from wrapup_bridge.core.replay.retry import Deferred, RetryPolicy, RetryQueue, Witness, retryable_failure
from wrapup_bridge.core.replay.verify import ItemVerifier

__all__ = [
    "ApplyReport",
    "Invalid",
    "Recheck",
    "ReplayBackend",
    "TargetError",
    "Unreachable",
    "apply_plan",
    "make_plan",
    "target_refusal",
]

#: Writes in a row that got no answer at all (after the client's own retries) before a run stops: the target is
#: down or unreachable, and every further item would only wait out its time budget to fail the same way.
NO_ANSWER_LIMIT = 8


@dataclass(frozen=True)
class Invalid:
    """A legacy record the adapter could not read, carried into the plan so it is not lost."""

    message: str
    raw: Any = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Unreachable:
    """Why a record has no target: permanent (no such conversation, no agent) or ``transient`` (Genesys did not
    answer in time: a retry may find it)."""

    reason: str
    transient: bool = False
    #: The error met looking the conversation up (``GenesysError.to_dict()``), when there was one.
    error: dict[str, Any] | None = None


class TargetError(WrapupBridgeError):
    """The target refuses what every record needs (``refused``: credentials, a permission) or stopped answering
    (``unreachable``): the run stops, one message instead of a dead letter per record."""

    def __init__(self, reason: str, *, kind: str = "refused", error: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind
        self.error = error


def target_refusal(error: Any) -> str | None:
    """Why an error means the target refuses *every* request of the run (not this record only), or None: a 401
    (credentials refused or revoked), or a 403 naming a permission the OAuth client's roles lack."""
    if not isinstance(error, dict):
        return None
    status = error.get("status")
    # In a pool of OAuth clients the refused one is named (by id: ``oauthClient``); the others may be fine.
    client = error.get("oauthClient")
    if status == 401 or error.get("type") == "AuthenticationError":
        return f"the credentials of OAuth client {client!r} were refused" if client else "the credentials were refused"
    missing = error.get("missingPermissions")
    if status == 403 and (missing or error.get("code") in ("missing.permissions", "missing.any.permissions")):
        named = f" ({', '.join(str(m) for m in missing)})" if isinstance(missing, list) and missing else ""
        who = f"OAuth client {client!r} of the pool" if client else "the OAuth client"
        return f"{who} lacks a permission{named}"
    return None


#: (input name, position in it, the record or why it is unreadable)
SourceRecord = tuple[str | None, str | None, Disposition | Invalid]


@dataclass(frozen=True)
class Recheck:
    """What a batched re-check of failed writes found: each record's target now, in order, and whether the witness
    write (``core.replay.retry``) shows on its participant in the same lookup."""

    targets: list[WrapupTarget | Unreachable]
    witnessed: bool = False


class ReplayBackend(Protocol):
    """What a replay needs from the place it writes to (Genesys Cloud, or the emulator)."""

    description: str

    async def catalog_fingerprint(self) -> str | None: ...

    async def resolve(self, records: Sequence[Disposition]) -> list[WrapupTarget | Unreachable]:
        """Targets for records that carry a conversation id, in order, or why there is none."""
        ...

    async def refresh(self, record: Disposition) -> WrapupTarget | Unreachable:
        """One precise lookup (the conversation itself): for items whose write may or may not have landed."""
        ...

    async def recheck(self, records: Sequence[Disposition], witness: Witness | None) -> Recheck:
        """Targets for records whose writes failed, looked up in batches as ``resolve`` does, with the witness's
        conversation in the same calls: whether it shows the witness's code says the lookup is current."""
        ...

    async def precheck(self, code: CodeRef, target: WrapupTarget) -> str | None:
        """Why the write would be refused before sending it (unknown code, not allowed on the queue), or None."""
        ...

    async def apply(self, record: Disposition, decision: Decision, target: WrapupTarget) -> Outcome:
        """Write (the backend still honours the target's current code: same -> already-applied, other -> conflict)."""
        ...

    async def read_back(self, targets: Sequence[WrapupTarget]) -> list[str | None]:
        """The code id now on each target (None: none visible yet)."""
        ...

    def stats(self) -> dict[str, int]: ...


# ------------------------------------------------------------------------------------------------------ planning
class _Seen:
    """What planning remembers of the records before: every item key, and the write planned per conversation.

    Both must hold for the whole input (a repeat far down a long export must not be planned twice), which in
    dicts costs about half a kilobyte per record (a 100k-record plan peaked at 1.7x the RSS of a 10k one). A
    private temporary SQLite database keeps them on disk behind a small page cache: memory stays flat however
    long the export, for a few microseconds per record. The cache is 1 MiB: one of 2 MiB was still filling at 10k
    records, a third of what a 100k-record plan held beyond a 10k one once the rest was flat (issue 14), and
    halving it costs under a microsecond a record.
    """

    def __init__(self) -> None:
        self._db = sqlite3.connect("", isolation_level=None)  # "": a temporary file, deleted when closed
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-1024"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.execute("CREATE TABLE keys (key TEXT PRIMARY KEY) WITHOUT ROWID")
        self._db.execute("CREATE TABLE writes (conversation TEXT PRIMARY KEY, code TEXT, n INTEGER) WITHOUT ROWID")
        self._db.execute("BEGIN")  # never committed: nothing here outlives the plan

    def first_time(self, key: str) -> bool:
        """Remember ``key``; False when an earlier record had it."""
        return self._db.execute("INSERT OR IGNORE INTO keys VALUES (?)", (key,)).rowcount == 1

    def write_for(self, conversation_id: str) -> tuple[str, int] | None:
        """(code id, item number) of the write already planned for the conversation, if any."""
        row = self._db.execute("SELECT code, n FROM writes WHERE conversation=?", (conversation_id,)).fetchone()
        return (str(row[0]), int(row[1])) if row is not None else None

    def plan_write(self, conversation_id: str, code_id: str, n: int) -> None:
        self._db.execute("INSERT OR REPLACE INTO writes VALUES (?, ?, ?)", (conversation_id, code_id, n))

    def close(self) -> None:
        self._db.close()


async def make_plan(
    records: Iterable[SourceRecord],
    table: MappingTable,
    backend: ReplayBackend,
    writer: PlanWriter,
    *,
    batch_size: int = 100,
    overwrite: bool = False,
    keep_system_codes: bool = False,
    progress: Callable[[int], None] | None = None,
    missing_id_reason: Callable[[Disposition], str | None] | None = None,
) -> None:
    """Stream ``records`` into ``writer``: one item per record, targets looked up ``batch_size`` at a time.

    ``overwrite``: replace another agent's code; ``keep_system_codes``: leave codes Genesys stamped itself
    (``ININ-*``) in place, which are otherwise replaced (no agent chose them); ``missing_id_reason``: why a record
    has no conversation id, in words (a correlation file's verdict), when there is more to say than the default."""
    # Every key seen (a repeated record is a duplicate), and per conversation the write already planned for it:
    # a second record for the same conversation must not silently replace the first one's code.
    seen = _Seen()
    try:
        await _make_plan(
            records, table, backend, writer, seen, batch_size, overwrite, keep_system_codes, progress, missing_id_reason
        )
    finally:
        seen.close()


async def _make_plan(
    records: Iterable[SourceRecord],
    table: MappingTable,
    backend: ReplayBackend,
    writer: PlanWriter,
    seen: _Seen,
    batch_size: int,
    overwrite: bool,
    keep_system_codes: bool,
    progress: Callable[[int], None] | None,
    missing_id_reason: Callable[[Disposition], str | None] | None = None,
) -> None:
    # Items in input order: finished ones, or the fields of one that waits for its target lookup.
    window: list[PlanItem | dict[str, Any]] = []
    pending = 0
    n = 0

    async def flush() -> None:
        nonlocal pending
        lookups = [w for w in window if isinstance(w, dict)]
        targets = await backend.resolve([w["record"] for w in lookups]) if lookups else []
        found = dict(zip((w["n"] for w in lookups), targets, strict=True))
        for entry in window:
            if isinstance(entry, PlanItem):
                writer.add(entry)
            else:
                writer.add(await _planned(entry, found[entry["n"]], backend, overwrite, keep_system_codes))
        window.clear()
        pending = 0

    for input_name, position, record in records:
        n += 1
        if progress is not None:
            progress(n)
        if isinstance(record, Invalid):
            key = item_key(None, None, fallback=f"{input_name}|{position}|{record.message}")
            window.append(
                PlanItem(
                    n=n,
                    key=key,
                    action=Action.INVALID,
                    reason=record.message,
                    input=input_name,
                    position=position,
                    raw=record.raw,
                )
            )
            continue
        decision = table.resolve(record)
        code = decision.code
        key = item_key(record, code.id if code else None)
        base: dict[str, Any] = {
            "n": n,
            "key": key,
            "input": input_name,
            "position": position,
            "record": record,
            "decision": decision,
        }
        if not seen.first_time(key):
            window.append(
                PlanItem(action=Action.DUPLICATE, reason="the same write is planned earlier in this plan", **base)
            )
        elif code is None or not decision.applies:
            action = Action.UNMAPPED if decision.kind.value == "unmapped" else Action.SKIP
            window.append(PlanItem(action=action, reason=decision.reason, **base))
        elif not record.conversation_id:
            window.append(
                PlanItem(
                    action=Action.NO_TARGET,
                    reason=(missing_id_reason(record) if missing_id_reason is not None else None)
                    or "the record carries no Genesys conversation id (set the mapping's source.conversation_id "
                    "or --conversation-id-field, or correlate it: wrapup-bridge correlate)",
                    **base,
                )
            )
        elif (earlier := seen.write_for(record.conversation_id)) is not None:
            same = earlier[0] == code.id
            window.append(
                PlanItem(
                    action=Action.DUPLICATE if same or overwrite else Action.CONFLICT,
                    reason=(
                        f"item #{earlier[1]} of this plan already applies {code.name!r} to this conversation"
                        if same
                        else f"item #{earlier[1]} of this plan applies another code to this conversation; "
                        + ("the later record wins when applied" if overwrite else f"{code.name!r} would replace it")
                    ),
                    **base,
                )
            )
            if overwrite and not same:
                window[-1] = base
                pending += 1
                seen.plan_write(record.conversation_id, code.id, n)
        else:
            window.append(base)
            pending += 1
            seen.plan_write(record.conversation_id, code.id, n)
        if pending >= batch_size:
            await flush()
    await flush()


async def _planned(
    base: dict[str, Any],
    target: WrapupTarget | Unreachable,
    backend: ReplayBackend,
    overwrite: bool,
    keep_system_codes: bool = False,
) -> PlanItem:
    """The action for a record whose target lookup came back (``base``: its PlanItem fields so far)."""
    decision: Decision = base["decision"]
    code = decision.code
    assert code is not None
    if isinstance(target, Unreachable):
        if (refusal := target_refusal(target.error)) is not None:
            raise TargetError(f"{refusal}, so planning stopped. {target.reason}", error=target.error)
        if target.transient:
            return PlanItem(action=Action.WAIT, reason=f"no target yet: {target.reason}", **base)
        return PlanItem(action=Action.NO_TARGET, reason=target.reason, **base)
    base["target"] = target
    current = (target.current_code or "").lower()
    system = is_system_code(target.current_code)
    if current == code.id:
        return PlanItem(action=Action.ALREADY_APPLIED, reason=f"the participant already carries {code.name!r}", **base)
    if system and keep_system_codes:
        return PlanItem(
            action=Action.SKIP,
            reason=f"the participant carries {target.current_code}, a code Genesys stamped itself; kept as asked "
            "(--keep-system-codes)",
            **base,
        )
    if current and not system and not overwrite:
        return PlanItem(
            action=Action.CONFLICT,
            reason=f"the participant already carries another wrap-up ({target.current_name or current}); "
            f"plan with --overwrite to replace it with {code.name!r}",
            **base,
        )
    refusal = await backend.precheck(code, target)
    if refusal is not None:
        return PlanItem(action=Action.REJECTED, reason=refusal, **base)
    chosen = f" ({target.fallback})" if target.fallback else ""
    if system:
        return PlanItem(
            action=Action.REPLACE_SYSTEM_CODE,
            reason=f"replace {target.current_code} (stamped by Genesys, no agent chose it) with {code.name!r}{chosen}",
            **base,
        )
    if current:
        return PlanItem(
            action=Action.OVERWRITE,
            reason=f"replace {target.current_name or current} with {code.name!r}{chosen}",
            **base,
        )
    return PlanItem(
        action=Action.WRITE,
        reason=f"apply {code.name!r} to {target.media_path} {target.communication_id}{chosen}",
        **base,
    )


# ------------------------------------------------------------------------------------------------------ applying
@dataclass
class ApplyReport:
    """What one ``apply`` run did, and the ledger's totals over every run of the plan."""

    outcomes: Counter[str] = field(default_factory=Counter)
    done_before: int = 0
    rechecked: int = 0
    dead_lettered: int = 0
    #: items refused because they are not what planning made (counted as ``invalid`` too)
    refused: int = 0
    #: plan lines met a second time in this run (a line repeated by hand; counted as ``duplicate`` too)
    repeated: int = 0
    #: entries in the dead-letter file once the run made it current (set by whoever compacts it)
    current_dead_letters: int = 0
    verified: Counter[str] = field(default_factory=Counter)
    totals: Counter[str] = field(default_factory=Counter)
    calls: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    interrupted: bool = False
    #: Write items whose target came from the plan's own lookups (``reused``: a fresh plan) or from a read right
    #: before writing (``reread``), and why (``core.replay.fresh``).
    lookups: Counter[str] = field(default_factory=Counter)
    lookups_why: str = ""
    #: What the in-run retry rounds did (``core.replay.retry.RetryQueue.to_dict``).
    retries: dict[str, Any] = field(default_factory=dict)
    #: Ledger commits this run made (group commit: about two per batch, not two per write).
    ledger_commits: int = 0
    #: What each OAuth client did, when the run sent through a pool of them (``core.replay.clients``; set by
    #: whoever holds the client, as ``services.replay.apply_from_plan`` does); None otherwise.
    pool: PoolReport | None = None

    @property
    def applied(self) -> int:
        """Writes Genesys accepted this run (in place of a system code or not)."""
        return sum(self.outcomes.get(kind.value, 0) for kind in OutcomeKind if kind.wrote)

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcomes": dict(self.outcomes),
            "done_in_earlier_runs": self.done_before,
            "rechecked_in_flight": self.rechecked,
            "dead_lettered": self.dead_lettered,
            "refused_as_edited": self.refused,
            "repeated_lines": self.repeated,
            "dead_letters_now": self.current_dead_letters,
            "verified": dict(self.verified),
            "ledger_totals": dict(self.totals),
            "api_calls": self.calls,
            "plan_lookups": {**dict(self.lookups), "why": self.lookups_why},
            "in_run_retries": self.retries,
            "ledger_commits": self.ledger_commits,
            "seconds": round(self.seconds, 3),
            "interrupted": self.interrupted,
            **({"pool": self.pool.to_dict()} if self.pool is not None else {}),
        }


_ACTION_OUTCOME = {
    Action.ALREADY_APPLIED: OutcomeKind.ALREADY_APPLIED,
    Action.CONFLICT: OutcomeKind.CONFLICT,
    Action.SKIP: OutcomeKind.SKIPPED,
    Action.UNMAPPED: OutcomeKind.UNMAPPED,
    Action.NO_TARGET: OutcomeKind.NO_TARGET,
    Action.REJECTED: OutcomeKind.REJECTED,
}


async def apply_plan(
    header: PlanHeader,
    items: Iterable[PlanItem],
    backend: ReplayBackend,
    ledger: Ledger,
    dead_letters: DeadLetterWriter,
    *,
    concurrency: int = 4,
    batch_size: int = 100,
    refresh: bool = True,
    verify: bool = False,
    progress: Callable[[int, str], None] | None = None,
    verifier: ItemVerifier | None = None,
    freshness: PlanFreshness | None = None,
    retry: RetryPolicy | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> ApplyReport:
    """Apply a plan's items; safe to interrupt and run again (see ``ledger``).

    ``refresh``: read the targets again right before writing (in batches), unless ``freshness`` says the plan's
    own lookups are fresh (``core.replay.fresh``); without ``refresh`` the plan's view is trusted. ``retry``: how
    failed writes are re-checked and retried within this run (``core.replay.retry``; default ``RetryPolicy()``).
    ``verifier`` refuses items that are not what planning made (dead-lettered as ``invalid``, never applied as
    edited). ``clock``/``sleep`` are seams for tests. Raises ``TargetError`` when the target refuses every write or
    stops answering (see the module)."""
    run = _Apply(
        header,
        backend,
        ledger,
        dead_letters,
        concurrency=concurrency,
        batch_size=batch_size,
        refresh=refresh,
        verify=verify,
        progress=progress,
        freshness=freshness,
        retry=RetryQueue(retry or RetryPolicy(), clock),
        clock=clock,
        sleep=sleep,
    )
    return await run.run(items, verifier)


class _Apply:
    """One ``apply`` run: the order of things in ``apply_plan``, with the state it keeps between items."""

    def __init__(
        self,
        header: PlanHeader,
        backend: ReplayBackend,
        ledger: Ledger,
        dead_letters: DeadLetterWriter,
        *,
        concurrency: int,
        batch_size: int,
        refresh: bool,
        verify: bool,
        progress: Callable[[int, str], None] | None,
        freshness: PlanFreshness | None,
        retry: RetryQueue,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self.header = header
        self.backend = backend
        self.ledger = ledger
        self.dead_letters = dead_letters
        self.batch_size = max(1, batch_size)
        self.refresh = refresh
        self.verify = verify
        self.progress = progress
        self.freshness = freshness
        self.retry = retry
        self.clock = clock
        self.sleep = sleep
        self.report = ApplyReport()
        self.limit = asyncio.Semaphore(max(1, concurrency))
        self.applied: list[tuple[WrapupTarget, str]] = []  # (target, code id written), for --verify
        self.stopping: list[BaseException] = []  # what stops the run; writes not yet sent are left for the next run
        self.no_answer = 0  # writes in a row that got no answer at all
        self.batch: list[PlanItem] = []
        self.batched: set[str] = set()  # keys of the batch being gathered: no ledger row yet
        self.unsent: list[str] = []  # keys whose intent a stopping run made but whose write it never sent
        self.resumed: set[str] = set()  # keys of earlier runs' unfinished items, waiting for a retry round
        self.started = clock()

    async def run(self, items: Iterable[PlanItem], verifier: ItemVerifier | None) -> ApplyReport:
        report = self.report
        started = time.monotonic()
        commits = self.ledger.commits
        if self.refresh and self.freshness is not None:
            report.lookups_why = self.freshness.why()
        elif not self.refresh:
            report.lookups_why = "asked to trust the plan's view (no refresh)"
        else:
            report.lookups_why = "re-read right before writing"
        try:
            for item in items:
                await self.item(item, verifier)
                if len(self.batch) >= self.batch_size:
                    await self.run_batch()
                if self.retry.ready(max(1, self.batch_size - 1)):
                    await self.retry_round()
            await self.run_batch()
            while self.retry.waiting:
                await self.retry_round(final=True)
            self.ledger.commit()
            if self.verify and self.applied:
                await self.read_back()
        except (asyncio.CancelledError, KeyboardInterrupt):
            report.interrupted = True
            raise
        finally:
            report.seconds = time.monotonic() - started
            report.totals = self.ledger.outcome_counts()
            report.calls = self.backend.stats()
            report.retries = self.retry.to_dict()
            if self.retry.waiting:  # stopped with writes waiting for a retry: in flight, the next run re-checks them
                report.retries["left_in_flight"] = len(self.retry.waiting)
            report.ledger_commits = self.ledger.commits - commits
        return report

    # -- one plan item ---------------------------------------------------------------------------------------------
    async def item(self, item: PlanItem, verifier: ItemVerifier | None) -> None:
        report, ledger = self.report, self.ledger
        refusal = verifier.refusal(item) if verifier is not None else None
        key = _refused_key(item) if refusal is not None else _ledger_key(item)
        entry = ledger.get(key)  # one indexed read: memory stays flat on a resumed million-item plan
        if key in self.batched or key in self.resumed or (entry is not None and entry.this_run):  # the same line again
            report.repeated += 1
            report.outcomes[Action.DUPLICATE.value] += 1
            self.advance(Action.DUPLICATE.value)
            return
        if entry is not None and entry.state is State.DONE and entry.outcome != OutcomeKind.FAILED.value:
            report.done_before += 1
            self.advance("done earlier")
            return
        if refusal is not None:
            _record_refused(item, key, refusal, self.header, ledger, self.dead_letters, report, self.progress)
            return
        if not item.action.writes:
            if entry is None or entry.outcome == OutcomeKind.FAILED.value:
                kind = _ACTION_OUTCOME.get(item.action)
                if kind is None:  # invalid / duplicate: no Outcome kind of their own
                    _record_nonwrite(item, self.header, ledger, self.dead_letters, report, self.progress)
                else:
                    self.settle(item, _planned_outcome(item, kind, item.reason, item.target))
            return
        if entry is not None:  # in flight when a run died, or failed before: re-checked before any write
            report.rechecked += 1
            assert item.record is not None
            if item.target is not None and self.retry.policy.enabled:
                # Into the retry rounds: re-checked in batches with the others, a write of this run vouching for
                # the lookup (or the conversation read precisely), written again only if it did not land.
                was = "in flight when an earlier run stopped" if entry.state is State.IN_FLIGHT else entry.reason
                outcome = _planned_outcome(item, OutcomeKind.FAILED, was or "failed in an earlier run", item.target)
                self.retry.defer(Deferred(item, item.target, outcome, self.started, attempts=0))
                self.retry.count("from_earlier_runs")
                self.resumed.add(key)
                return
            target = await self.backend.refresh(item.record)
            if isinstance(target, Unreachable):
                self.unreachable(item, target)
                return
            ledger.begin(item.key, item.n)  # durable intent before the request leaves
            await self.gather([self.send(item, target, 1)])
            return
        self.batch.append(item)
        self.batched.add(key)

    def advance(self, kind: str) -> None:
        if self.progress is not None:
            self.progress(1, kind)

    def settle(self, item: PlanItem, outcome: Outcome) -> None:
        kind = outcome.kind.value
        self.report.outcomes[kind] += 1
        dead = kind in DEAD_LETTER_CLASSES
        if dead:
            self.dead_letters.write(_dead_letter(self.header, item, outcome))  # fsynced before the ledger row
            self.report.dead_lettered += 1
        self.ledger.finish(item.key, item.n, outcome, dead_lettered=dead)
        if self.verify and outcome.kind.wrote and outcome.target and item.decision and item.decision.code:
            self.applied.append((outcome.target, item.decision.code.id))
        self.advance(kind)

    def unreachable(self, item: PlanItem, target: Unreachable) -> None:
        """Settle an item whose target cannot be had, or stop the run when the answer refuses every item."""
        if (refusal := target_refusal(target.error)) is not None:
            raise TargetError(f"{refusal}, so the run stopped. {target.reason}", error=target.error)
        kind = OutcomeKind.FAILED if target.transient else OutcomeKind.NO_TARGET
        self.settle(item, _planned_outcome(item, kind, target.reason, None, target.error))

    def unanswered(self, outcome: Outcome) -> None:
        """Count writes in a row without an answer; stop when the target looks down."""
        error = outcome.error or {}
        if outcome.kind is OutcomeKind.FAILED and _no_answer(error):
            self.no_answer += 1
            if self.no_answer >= NO_ANSWER_LIMIT:
                raise TargetError(
                    f"{self.no_answer} writes in a row got no answer, so the run stopped. {outcome.reason}",
                    kind="unreachable",
                    error=error,
                )
        else:
            self.no_answer = 0

    # -- writing ---------------------------------------------------------------------------------------------------
    async def send(self, item: PlanItem, target: WrapupTarget, attempt: int, *, new_row: bool = False) -> None:
        """One write whose intent is already durable in the ledger: settle it, or defer it to a retry round.
        ``new_row``: its ledger row was made by this batch's intents (no earlier row)."""
        assert item.record is not None and item.decision is not None
        async with self.limit:
            if self.stopping:
                if new_row:  # never sent, and nothing before: its intent is withdrawn (see ``gather``)
                    self.unsent.append(item.key)
                return  # else its row stays in flight and the next run re-checks it
            try:
                sent_at = self.clock()
                outcome = await self.backend.apply(item.record, item.decision, target)
                if (refusal := target_refusal(outcome.error)) is not None:
                    # Left in flight: whether or not it landed, the next run re-checks it before writing.
                    raise TargetError(
                        f"{refusal}: no write can succeed, so the run stopped. {outcome.reason}", error=outcome.error
                    )
                code = item.decision.code
                if outcome.kind.wrote and code is not None:
                    self.retry.accepted(sent_at, outcome.target or target, code.id)
                    if attempt > 1:
                        self.retry.count("recovered")
                deferred = Deferred(item, target, outcome, self.clock(), attempt)
                if retryable_failure(outcome) and self.retry.policy.enabled and self.retry.may_retry(deferred):
                    self.retry.defer(deferred)  # its row stays in flight until a round settles it
                elif attempt > 1 and outcome.kind is OutcomeKind.FAILED:
                    self.give_up(deferred)
                else:
                    self.settle(item, outcome)
                self.unanswered(outcome)
            except BaseException as exc:
                self.stopping.append(exc)
                raise

    async def gather(self, writes: list[Coroutine[Any, Any, None]]) -> None:
        """Run ``writes`` together; every one ends (or is not started) before this does, so nothing is left running
        behind a failure to write into a closed ledger. Commits their results, then raises the first failure."""
        results = await asyncio.gather(*writes, return_exceptions=True)
        if self.unsent:  # a stopping run: what it provably never sent is not left for the next run to re-check
            self.ledger.withdraw(self.unsent)
            self.unsent.clear()
        self.ledger.commit()
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def targets_for(self, batch: list[PlanItem]) -> list[WrapupTarget | Unreachable]:
        """The targets of a batch: the plan's own when it is fresh (or not to be refreshed), else read again."""
        records = [_record(i) for i in batch]
        if not self.refresh:
            if reused := sum(1 for i in batch if i.target is not None):
                self.report.lookups["reused"] += reused
            return [i.target or await self.backend.refresh(r) for i, r in zip(batch, records, strict=True)]
        reuse = self.freshness is not None and self.freshness.fresh()
        needed = [n for n, i in enumerate(batch) if not reuse or i.target is None]
        looked = await self.backend.resolve([records[n] for n in needed]) if needed else []
        found: dict[int, WrapupTarget | Unreachable] = dict(zip(needed, looked, strict=True))
        if len(needed) < len(batch):
            self.report.lookups["reused"] += len(batch) - len(needed)
        if needed:
            self.report.lookups["reread"] += len(needed)
        return [found[n] if n in found else batch[n].target or Unreachable("no target") for n in range(len(batch))]

    async def run_batch(self) -> None:
        batch = self.batch
        if not batch:
            return
        try:
            targets = await self.targets_for(batch)
            writes: list[tuple[PlanItem, WrapupTarget]] = []
            for item, target in zip(batch, targets, strict=True):
                if isinstance(target, Unreachable):
                    self.unreachable(item, target)
                else:
                    writes.append((item, target))
            # The intent of every write of the batch, durable in one commit before the first of them is sent.
            self.ledger.begin_many((item.key, item.n) for item, _ in writes)
        finally:
            self.batch = []
            self.batched.clear()
        await self.gather([self.send(item, target, 1, new_row=True) for item, target in writes])

    # -- retry rounds ----------------------------------------------------------------------------------------------
    async def retry_round(self, *, final: bool = False) -> None:
        """Re-check up to a batch of deferred writes in one batched lookup and write again those that did not land.

        During the first pass (``final`` False) only writes that failed at least the witness margin ago are taken,
        without pausing: a write of the pass sent since vouches for them. At the end every deferred write is taken,
        after a pause that also lets the margin pass, so a write sent in the round vouches for the rest."""
        queue = self.retry
        limit = max(1, self.batch_size - 1)  # and the witness: one lookup call for the round
        due = queue.take(limit) if final else queue.take(limit, ready_before=self.clock() - queue.policy.witness_margin)
        if not due:
            return
        started = self.clock()
        try:
            keep = []
            for deferred in due:
                if queue.may_retry(deferred):
                    keep.append(deferred)
                else:
                    self.give_up(deferred)
            if not keep:
                return
            if final:
                await self.sleep(queue.pause_before(keep))
            queue.rounds += 1
            for deferred in keep:
                deferred.rechecks += 1
            unsure = await self.recheck(keep)
            if unsure and not self.vouched_for(unsure):
                # Nothing written late enough to vouch for these: settle one the precise way and write it again;
                # once it shows in the lookup, it vouches for the others (one GET, not one each).
                await self.rewrite([(unsure[0], await self.precisely(unsure[0]))])
                unsure = unsure[1:]
            if unsure and self.vouched_for(unsure):
                unsure = await self.recheck(unsure)
            await self.rewrite([(deferred, await self.precisely(deferred)) for deferred in unsure])
        finally:
            self.ledger.commit()
            queue.spent += self.clock() - started

    def vouched_for(self, deferred: list[Deferred]) -> bool:
        """The newest accepted write was sent late enough after each of ``deferred`` failed."""
        witness = self.retry.witness
        return witness is not None and all(self.retry.covered(d, witness) for d in deferred)

    async def recheck(self, deferred: list[Deferred]) -> list[Deferred]:
        """One batched re-check of ``deferred`` with the witness: settle or write again what it vouches for; the
        ones it cannot vouch for (absent, and no witness seen late enough) are returned."""
        queue = self.retry
        witness = queue.witness
        checked = await self.backend.recheck([_record(d.item) for d in deferred], witness)
        queue.count("rechecked", len(deferred))
        unsure: list[Deferred] = []
        again: list[tuple[Deferred, WrapupTarget | Unreachable]] = []
        for item, now in zip(deferred, checked.targets, strict=True):
            vouched = checked.witnessed and witness is not None and queue.covered(item, witness)
            if isinstance(now, WrapupTarget) and not vouched and not self.carries(item, now):
                unsure.append(item)  # absent in the lookup may only mean not there *yet*
            else:
                again.append((item, now))
        await self.rewrite(again)
        return unsure

    async def precisely(self, deferred: Deferred) -> WrapupTarget | Unreachable:
        """The target read the authoritative way (the conversation itself), for a re-check nothing vouches for."""
        self.retry.count("precise_rechecks")
        return await self.backend.refresh(_record(deferred.item))

    def carries(self, deferred: Deferred, now: WrapupTarget) -> bool:
        code = deferred.item.decision.code if deferred.item.decision is not None else None
        return code is not None and (now.current_code or "").lower() == code.id

    async def rewrite(self, checked: list[tuple[Deferred, WrapupTarget | Unreachable]]) -> None:
        """Settle what the re-checks say ended (landed, no target); write the rest again, intents first."""
        writes: list[tuple[Deferred, WrapupTarget]] = []
        for deferred, now in checked:
            target = self.landed(deferred, now)
            if target is not None:
                writes.append((deferred, target))
        if writes:
            self.ledger.begin_many((d.item.key, d.item.n) for d, _ in writes)
            self.retry.count("rewritten", len(writes))
            await self.gather([self.send(d.item, target, d.attempts + 1) for d, target in writes])

    def landed(self, deferred: Deferred, now: WrapupTarget | Unreachable) -> WrapupTarget | None:
        """Settle ``deferred`` when its re-check says how it ended; else the target to write it to again."""
        item = deferred.item
        if isinstance(now, Unreachable):
            if target_refusal(now.error) is not None:
                self.unreachable(item, now)  # raises: the target refuses every item
            if now.transient and self.retry.may_retry(deferred):
                deferred.failed_at = self.clock()
                self.retry.waiting.append(deferred)
            elif now.transient:
                self.give_up(deferred)
            else:
                self.unreachable(item, now)
            return None
        if self.carries(deferred, now):
            self.confirm(deferred, now)
            return None
        return now  # not there: write again (the write path still honours another code now on the participant)

    def confirm(self, deferred: Deferred, now: WrapupTarget) -> None:
        """The deferred write landed after all: settle it as written, once."""
        item, first = deferred.item, deferred.target
        assert item.decision is not None and item.decision.code is not None
        self.retry.count("confirmed")
        if not deferred.attempts:  # an earlier run's write: there already, not written by this run
            code = item.decision.code.name
            reason = f"the participant already carries {code!r}: the write of an earlier run landed"
            self.settle(item, _planned_outcome(item, OutcomeKind.ALREADY_APPLIED, reason, now))
            return
        kind = OutcomeKind.REPLACED_SYSTEM_CODE if first.current_is_system else OutcomeKind.APPLIED
        self.settle(
            item,
            Outcome(
                kind=kind,
                reason=f"applied {item.decision.code.name!r}: the write's answer was lost or an error "
                f"({deferred.outcome.reason}), and re-checking showed the code on the participant",
                disposition=item.record,
                decision=item.decision,
                target=first,
                warnings=deferred.outcome.warnings,
            ),
        )

    def give_up(self, deferred: Deferred) -> None:
        """No more tries in this run: the last failure is the item's outcome (a dead letter; the next run retries)."""
        self.retry.count("gave_up")
        spent = "" if self.retry.budget_left() > 0 else "; the run's retry budget is spent"
        outcome = deferred.outcome
        reason = f"{outcome.reason} (written {deferred.attempts} time(s) in this run{spent})"
        self.settle(deferred.item, outcome.model_copy(update={"reason": reason}))

    async def read_back(self) -> None:
        for start in range(0, len(self.applied), self.batch_size):
            chunk = self.applied[start : start + self.batch_size]
            seen = await self.backend.read_back([target for target, _ in chunk])
            for (_, expected), code in zip(chunk, seen, strict=True):
                if code is None:
                    self.report.verified["not visible yet"] += 1
                else:
                    self.report.verified["verified" if code.lower() == expected else "another code"] += 1


def _record(item: PlanItem) -> Disposition:
    """The record of a write item (every write item has one: ``verify`` refuses one without)."""
    assert item.record is not None, f"write item {item.n} has no record"
    return item.record


def _no_answer(error: dict[str, Any]) -> bool:
    """No HTTP answer came at all (``GenesysError.to_dict()``): a transport failure, or a time budget that ran out
    waiting for one (not one spent waiting out a rate limit, which is an answer)."""
    if error.get("type") == "TransportFailure":
        return True
    if error.get("type") != "BudgetExceeded":
        return False
    last = error.get("lastError")
    return str(error.get("lastSeen", "")).startswith("no answer") or (
        isinstance(last, dict) and last.get("type") == "TransportFailure"
    )


def _refused_key(item: PlanItem) -> str:
    """The ledger row of an item refused as edited: its own, so it never overwrites (or stands in for) the row of
    the genuine item whose key it carries."""
    return f"{item.key}/edited-{item.n}"


def _record_refused(
    item: PlanItem,
    key: str,
    reason: str,
    header: PlanHeader,
    ledger: Ledger,
    dead_letters: DeadLetterWriter,
    report: ApplyReport,
    progress: Callable[[int, str], None] | None,
) -> None:
    kind = Action.INVALID.value
    report.outcomes[kind] += 1
    report.refused += 1
    dead_letters.write(
        {
            "plan_id": header.plan_id,
            "key": key,
            "n": item.n,
            "class": kind,
            "reason": reason,
            "retryable": False,
            "input": item.input,
            "position": item.position,
            "record": item.record.to_json_dict() if item.record else None,
            "decision": item.decision.model_dump(mode="json") if item.decision else None,
            "raw": item.raw,
        }
    )
    report.dead_lettered += 1
    ledger.record(key, item.n, kind, reason, dead_lettered=True)
    if progress is not None:
        progress(1, kind)


def _ledger_key(item: PlanItem) -> str:
    """The item's ledger row. A repeated record (``duplicate``) shares its key with the item that writes; on that
    row its outcome would replace the writer's, so a failed write would read as finished and never be retried."""
    return f"{item.key}/{item.n}" if item.action is Action.DUPLICATE else item.key


def _planned_outcome(
    item: PlanItem,
    kind: OutcomeKind,
    reason: str,
    target: WrapupTarget | None,
    error: dict[str, Any] | None = None,
) -> Outcome:
    return Outcome(
        kind=kind, reason=reason, disposition=item.record, decision=item.decision, target=target, error=error
    )


def _record_nonwrite(
    item: PlanItem,
    header: PlanHeader,
    ledger: Ledger,
    dead_letters: DeadLetterWriter,
    report: ApplyReport,
    progress: Callable[[int, str], None] | None,
) -> None:
    kind = item.action.value
    report.outcomes[kind] += 1
    dead = kind in DEAD_LETTER_CLASSES
    if dead:
        dead_letters.write(
            {
                "plan_id": header.plan_id,
                "key": item.key,
                "n": item.n,
                "class": kind,
                "reason": item.reason,
                "input": item.input,
                "position": item.position,
                "raw": item.raw,
            }
        )
        report.dead_lettered += 1
    ledger.record(_ledger_key(item), item.n, kind, item.reason, dead_lettered=dead)
    if progress is not None:
        progress(1, kind)


def _dead_letter(header: PlanHeader, item: PlanItem, outcome: Outcome) -> dict[str, Any]:
    return {
        "plan_id": header.plan_id,
        "key": item.key,
        "n": item.n,
        "class": outcome.kind.value,
        "reason": outcome.reason,
        "retryable": outcome.kind is OutcomeKind.FAILED,
        "input": item.input,
        "position": item.position,
        "record": item.record.to_json_dict() if item.record else None,
        "decision": item.decision.model_dump(mode="json") if item.decision else None,
        "target": outcome.target.model_dump(mode="json") if outcome.target else None,
        "error": outcome.error,
        "correlation_id": outcome.correlation_id,
        "warnings": list(outcome.warnings),
    }
