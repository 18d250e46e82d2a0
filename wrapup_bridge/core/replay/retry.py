"""Retrying failed writes within the run that met the failure, so one run finishes under faults.

A write answered 500, 503 without ``Retry-After``, or whose connection dropped, may or may not have landed (Genesys
answers a wrap-up write ``202``: it is processed behind the answer). Before this, such a write was re-read alone
(one GET each), dead-lettered when the re-read did not show it, and left for the next run. Now ``apply`` defers it
here, leaves its ledger row in flight (a crash meanwhile means the next run re-checks it, exactly as before), and
later re-checks every deferred write of a round in one batched lookup, then writes again only those that did not
land, inside a budget of time and of attempts. What is still unresolved when the budget is spent is a dead letter.

Whether a write that did not show up in analytics really did not land depends on analytics being current, and
Genesys documents no bound on its lag (UNSURE; the emulator's ``analytics_lag_seconds`` plays both sides). So a
re-check is trusted only with a *witness*: a write of this same run that Genesys accepted, sent at least
``witness_margin`` seconds after the deferred write failed, whose conversation rides in the same analytics call.
When analytics shows the witness's code, it has absorbed writes up to the witness's, so the deferred write's
absence means it did not land (assumed: analytics absorbs writes in about the order they were made; UNSURE). When
no witness covers a deferred write, or analytics does not show the witness yet, that write is re-read the precise
way (the conversation itself) before anything is written again. A write that shows up is never written twice.

The rounds also take what an earlier run left unfinished (rows in flight after a kill, or failed): re-checked the
same way, in batches, a write of this run vouching for the lookup, instead of one conversation read at a time. When
nothing vouches for a round (nothing written late enough yet), one of its writes is read precisely and written
again, and then vouches for the rest.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wrapup_bridge.core.outcome import Outcome, OutcomeKind, WrapupTarget
from wrapup_bridge.core.replay.plan import PlanItem

__all__ = ["Deferred", "RetryPolicy", "RetryQueue", "Witness", "retryable_failure"]


@dataclass(frozen=True)
class RetryPolicy:
    """How much a run spends retrying its own failed writes.

    ``seconds``: the most time spent in retry rounds (their pauses, re-checks and writes) beyond the first pass;
    ``attempts``: the most writes sent for one item in one run, the first included (1 turns in-run retries off);
    ``pause``: the wait before the first round after a failure, doubled each round up to ``max_pause``;
    ``witness_margin``: how much later than a failure a witness write must have been sent (see the module)."""

    seconds: float = 120.0
    attempts: int = 4
    pause: float = 0.25
    max_pause: float = 8.0
    witness_margin: float = 1.0

    def __post_init__(self) -> None:
        if self.seconds < 0 or self.attempts < 1 or self.pause < 0 or self.witness_margin < 0:
            raise ValueError(f"a retry policy needs seconds >= 0, attempts >= 1, pause >= 0 and margin >= 0: {self}")

    @property
    def enabled(self) -> bool:
        return self.attempts > 1 and self.seconds > 0


def retryable_failure(outcome: Outcome) -> bool:
    """A failed write worth trying again within the run: no answer, a 5xx, a rate limit or a budget that ran out,
    or a write whose outcome is unknown (``GenesysError.to_dict()``: ``retryable``, or ``AmbiguousWrite``).
    A failure without an error (a conversation nobody finished handling yet) waits for a later run."""
    if outcome.kind is not OutcomeKind.FAILED or not isinstance(outcome.error, dict):
        return False
    return bool(outcome.error.get("retryable")) or outcome.error.get("type") == "AmbiguousWrite"


@dataclass
class Deferred:
    """A write of this run that failed and waits for a retry round; its ledger row stays in flight."""

    item: PlanItem
    #: Where the failed write went (what the participant carried then, to tell our write from another's).
    target: WrapupTarget
    outcome: Outcome
    #: ``time.monotonic()`` when the failure came back.
    failed_at: float
    #: Writes sent for the item in this run so far (0: an earlier run's, in flight or failed when it stopped).
    attempts: int = 1
    #: Retry rounds that re-checked it (bounded like the writes, so a target that keeps not answering ends).
    rechecks: int = 0


@dataclass(frozen=True)
class Witness:
    """A write of this run Genesys accepted: when it was sent, where, and the code it wrote."""

    sent_at: float
    target: WrapupTarget
    code_id: str


@dataclass
class RetryQueue:
    """The deferred writes of a run, the newest accepted write (the witness), and the time rounds have spent."""

    policy: RetryPolicy
    clock: Callable[[], float] = time.monotonic
    waiting: deque[Deferred] = field(default_factory=deque)
    witness: Witness | None = None
    spent: float = 0.0
    rounds: int = 0
    #: What the rounds did, for the report: ``deferred``, ``rechecked``, ``precise_rechecks``, ``confirmed``,
    #: ``rewritten``, ``recovered`` (applied on a retry), ``gave_up``.
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def defer(self, deferred: Deferred) -> None:
        self.waiting.append(deferred)
        self.count("deferred")

    def accepted(self, sent_at: float, target: WrapupTarget, code_id: str) -> None:
        """A write sent at ``sent_at`` was accepted: the newest such write is the witness of later re-checks."""
        if self.witness is None or sent_at >= self.witness.sent_at:
            self.witness = Witness(sent_at, target, code_id)

    def budget_left(self) -> float:
        return self.policy.seconds - self.spent

    def may_retry(self, deferred: Deferred) -> bool:
        """Another round may re-check ``deferred`` (and write it again) in this run."""
        attempts = self.policy.attempts
        return deferred.attempts < attempts and deferred.rechecks < attempts and self.budget_left() > 0

    def take(self, limit: int, *, ready_before: float | None = None) -> list[Deferred]:
        """The oldest ``limit`` deferred writes, for one round; with ``ready_before``, only those that failed
        before that time (the queue is in the order of the failures)."""
        out: list[Deferred] = []
        while self.waiting and len(out) < limit:
            if ready_before is not None and self.waiting[0].failed_at > ready_before:
                break
            out.append(self.waiting.popleft())
        return out

    def ready(self, limit: int) -> bool:
        """Enough deferred writes failed at least the witness margin ago to fill a round (``limit``), or so many
        wait that they should not wait longer."""
        if len(self.waiting) >= 4 * limit:
            return True
        if len(self.waiting) < limit:
            return False
        return self.waiting[limit - 1].failed_at <= self.clock() - self.policy.witness_margin

    def pause_before(self, due: list[Deferred]) -> float:
        """How long to wait before re-checking ``due``: until ``pause`` (doubled for each retry the most tried of
        them went through, capped), and at least the witness margin, after the newest failure among them (so a
        write sent then vouches for them all), never past the budget."""
        doubled = self.policy.pause * 2.0 ** min(max(d.attempts - 1 + d.rechecks for d in due), 16)
        pause = max(self.policy.witness_margin, min(self.policy.max_pause, doubled))
        newest = max(d.failed_at for d in due)
        return max(0.0, min(newest + pause - self.clock(), self.budget_left()))

    def covered(self, deferred: Deferred, witness: Witness) -> bool:
        """``witness`` was sent late enough after ``deferred`` failed to vouch for a re-check of it."""
        return witness.sent_at >= deferred.failed_at + self.policy.witness_margin

    def to_dict(self) -> dict[str, Any]:
        return {"rounds": self.rounds, "seconds": round(self.spent, 3), **self.counts}
