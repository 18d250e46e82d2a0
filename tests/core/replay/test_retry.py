"""Failed writes are re-checked in batches and retried within the run (``core.replay.retry``), never written twice.

A scripted backend answers each write as the script says: ``ok``; ``lost`` (applied, but the answer never came:
a dropped connection after the write); ``500`` (not applied, answered 500); ``down`` (no answer, not applied).
The apply's clock is virtual: pauses between rounds take no time."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.core.replay.backend import SALE, FakeBackend, conv, make, rec
from wrapup_bridge.core.decision import Decision
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.outcome import Outcome, OutcomeKind, WrapupTarget
from wrapup_bridge.core.replay.deadletter import DeadLetterWriter, read_dead_letters
from wrapup_bridge.core.replay.ledger import Ledger, State
from wrapup_bridge.core.replay.pipeline import ApplyReport, apply_plan
from wrapup_bridge.core.replay.plan import read_plan
from wrapup_bridge.core.replay.retry import Deferred, RetryPolicy, RetryQueue, Witness, retryable_failure

AMBIGUOUS = {"type": "AmbiguousWrite", "retryable": False, "status": 500, "message": "outcome unknown"}
NO_ANSWER = {"type": "TransportFailure", "retryable": True, "message": "no answer"}


class Clock:
    """Virtual time: each reading moves it on a little, a sleep moves it on by the sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        self.now += 0.001
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class FlakyBackend(FakeBackend):
    """Answers the n-th write to a conversation as ``script[conversation][n]`` says (``ok`` once the script ends)."""

    def __init__(self, script: dict[str, list[str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.script = {cid: list(steps) for cid, steps in script.items()}
        self.sent: list[str] = []  # every write request, landed or not

    async def apply(self, record: Disposition, decision: Decision, target: WrapupTarget) -> Outcome:
        cid = target.conversation_id
        steps = self.script.get(cid) or []
        step = steps.pop(0) if steps else "ok"
        self.sent.append(cid)
        if step == "ok":
            return await super().apply(record, decision, target)
        if step == "lost":
            await super().apply(record, decision, target)  # it landed ...
        error = NO_ANSWER if step == "down" else AMBIGUOUS
        return Outcome(  # ... but the answer says nothing of it
            kind=OutcomeKind.FAILED, reason=f"{step}", disposition=record, decision=decision, target=target, error=error
        )


def run(
    tmp_path: Path, backend: FakeBackend, count: int = 8, *, policy: RetryPolicy | None = None, batch_size: int = 4
) -> tuple[ApplyReport, Clock, list[dict[str, Any]]]:
    path = tmp_path / "p.plan.jsonl"
    if not path.exists():
        make(path, [("in", None, rec(n)) for n in range(1, count + 1)], FakeBackend())
    header, items, _ = read_plan(path)
    clock = Clock()
    policy = policy or RetryPolicy(witness_margin=0.0)
    dead = DeadLetterWriter(tmp_path / "d.jsonl")
    with Ledger(tmp_path / "l.sqlite", header.plan_id) as ledger:
        report = asyncio.run(
            apply_plan(
                header, items, backend, ledger, dead, batch_size=batch_size, retry=policy, clock=clock,
                sleep=clock.sleep,
            )
        )  # fmt: skip
    dead.close()
    letters = [entry for _, entry in read_dead_letters(tmp_path / "d.jsonl")] if (tmp_path / "d.jsonl").exists() else []
    return report, clock, letters


def test_failed_writes_are_rechecked_together_and_the_landed_one_is_not_written_again(tmp_path: Path) -> None:
    backend = FlakyBackend({conv(2): ["lost"], conv(3): ["500"], conv(5): ["500", "down"], conv(7): ["lost"]})
    report, clock, letters = run(tmp_path, backend)

    assert report.outcomes == {"applied": 8} and letters == [] and report.dead_lettered == 0
    assert sorted(backend.writes) == [conv(n) for n in range(1, 9)]  # every conversation written once
    assert backend.sent.count(conv(2)) == 1 and backend.sent.count(conv(7)) == 1  # landed: found, not re-sent
    assert backend.sent.count(conv(3)) == 2 and backend.sent.count(conv(5)) == 3
    retries = report.retries
    assert retries["deferred"] == 5 and retries["confirmed"] == 2 and retries["recovered"] == 2
    assert retries.get("gave_up", 0) == 0
    # Re-checks come in batches (a round takes up to batch_size - 1 items, room for the witness), not one each.
    assert sum(backend.rechecks) == retries["rechecked"] and len(backend.rechecks) == retries["rounds"] < 5
    assert max(backend.rechecks) > 1
    # Only conversation 5's second failure, the run's last, has no accepted write after it to vouch for the
    # lookup: it alone is read precisely.
    assert retries["precise_rechecks"] == 1 == backend.refreshes
    assert clock.slept and all(s >= 0 for s in clock.slept)


def test_without_a_witness_in_view_each_failed_write_is_read_precisely_before_a_rewrite(tmp_path: Path) -> None:
    backend = FlakyBackend({conv(2): ["lost"], conv(3): ["500"], conv(6): ["500"]})
    backend.analytics_current = False  # the batched lookup may lag: it never shows the witness
    report, _, letters = run(tmp_path, backend)

    assert report.outcomes == {"applied": 8} and letters == []
    assert sorted(backend.writes) == [conv(n) for n in range(1, 9)]
    assert backend.sent.count(conv(2)) == 1  # found applied by the precise read, never re-sent
    # The landed write showed up in the batched lookup already (it shows codes that are there); the two that did
    # not land were read one by one before being written again.
    assert report.retries["precise_rechecks"] == 2 == backend.refreshes


def test_a_witness_sent_too_soon_after_the_failure_does_not_vouch(tmp_path: Path) -> None:
    backend = FlakyBackend({conv(3): ["500"]})
    report, _, _ = run(tmp_path, backend, policy=RetryPolicy(witness_margin=3600.0))
    assert report.outcomes == {"applied": 8}
    assert report.retries["precise_rechecks"] == 1 == backend.refreshes


def test_what_is_still_failing_when_the_attempts_run_out_is_a_dead_letter(tmp_path: Path) -> None:
    backend = FlakyBackend({conv(4): ["500"] * 10})
    report, _, letters = run(tmp_path, backend, policy=RetryPolicy(attempts=3, witness_margin=0.0))

    assert report.outcomes == {"applied": 7, "failed": 1} and report.dead_lettered == 1
    assert backend.sent.count(conv(4)) == 3 and conv(4) not in backend.writes
    [letter] = letters
    assert letter["class"] == "failed" and letter["retryable"] is True
    assert "written 3 time(s) in this run" in letter["reason"] and letter["error"]["type"] == "AmbiguousWrite"
    assert report.retries["gave_up"] == 1


def test_a_spent_time_budget_ends_the_retries(tmp_path: Path) -> None:
    backend = FlakyBackend({conv(4): ["500"] * 100})
    report, clock, letters = run(tmp_path, backend, policy=RetryPolicy(seconds=5.0, attempts=20, witness_margin=0.0))
    assert report.outcomes == {"applied": 7, "failed": 1}
    assert "retry budget is spent" in letters[0]["reason"]
    assert 2 < backend.sent.count(conv(4)) < 20 and report.retries["seconds"] <= 5.0 + max(clock.slept)


def test_one_attempt_means_no_retry_and_failures_without_an_error_wait_for_the_next_run(tmp_path: Path) -> None:
    backend = FlakyBackend({conv(2): ["500"]})
    report, _, letters = run(tmp_path, backend, policy=RetryPolicy(attempts=1))
    assert (
        report.outcomes == {"applied": 7, "failed": 1} and backend.rechecks == [] and "deferred" not in report.retries
    )
    assert "written" not in letters[0]["reason"]

    plain = FakeBackend(fail={conv(1)})  # a failure with no error envelope (nobody finished the conversation)
    report, _, _ = run(tmp_path / "b", plain)
    assert report.outcomes == {"applied": 7, "failed": 1} and plain.rechecks == []


def test_a_run_stopped_while_writes_wait_for_a_retry_leaves_them_in_flight_for_the_next(tmp_path: Path) -> None:
    class Stopping(FlakyBackend):
        async def recheck(self, records: Any, witness: Any) -> Any:
            raise KeyboardInterrupt

    backend = Stopping({conv(2): ["lost"], conv(3): ["500"]})
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path, backend)
    path = tmp_path / "p.plan.jsonl"
    header, items, _ = read_plan(path)
    keys = {i.n: i.key for i in items}
    with Ledger(tmp_path / "l.sqlite", header.plan_id) as ledger:
        states = {n: ledger.get(key) for n, key in keys.items()}
    assert {n for n, e in states.items() if e is not None and e.state is State.IN_FLIGHT} == {2, 3}

    resumed = FakeBackend(wrapped=dict(backend.wrapped))  # what is on the participants now
    report, _, _ = run(tmp_path, resumed)
    assert report.rechecked == 2 and report.outcomes == {"already-applied": 1, "applied": 1}
    assert resumed.writes == [conv(3)]  # the landed one is found there, not written again


def test_the_queue_rules() -> None:
    policy = RetryPolicy(attempts=3, pause=0.5, max_pause=2.0, witness_margin=1.0, seconds=10.0)
    now = [100.0]
    queue = RetryQueue(policy, lambda: now[0])
    target = WrapupTarget(conversation_id="c", participant_id="p", communication_id="m", media="voice",
                          media_path="calls")  # fmt: skip
    failed = Outcome(kind=OutcomeKind.FAILED, reason="x", error=AMBIGUOUS)
    assert retryable_failure(failed) and retryable_failure(failed.model_copy(update={"error": NO_ANSWER}))
    assert not retryable_failure(failed.model_copy(update={"error": None}))
    assert not retryable_failure(failed.model_copy(update={"error": {"type": "Rejected", "retryable": False}}))
    item: Any = None
    deferred = Deferred(item, target, failed, failed_at=100.0)
    assert queue.may_retry(deferred) and queue.pause_before([deferred]) == 1.0  # never shorter than the margin
    deferred.attempts = 3
    assert queue.pause_before([deferred]) == 2.0  # doubled with each retry, capped
    deferred.attempts = 1
    later = Deferred(item, target, failed, failed_at=100.8)
    queue.waiting.extend([deferred, later])
    assert not queue.ready(2)  # two wait, but the second failed less than the margin ago
    now[0] = 101.9
    assert queue.ready(2) and not queue.ready(3)
    assert queue.take(5, ready_before=100.5) == [deferred] and list(queue.waiting) == [later]
    assert queue.take(5) == [later]
    deferred.attempts = 3
    assert not queue.may_retry(deferred)
    deferred.attempts, queue.spent = 1, 10.0
    assert queue.pause_before([deferred]) == 0.0  # never past the budget
    assert not queue.may_retry(deferred)
    queue.accepted(101.5, target, "code")
    queue.accepted(100.5, target, "older")  # an earlier write accepted later does not replace the newest
    assert queue.witness == Witness(101.5, target, "code")
    assert queue.covered(deferred, queue.witness) and not queue.covered(
        Deferred(item, target, failed, 100.6), queue.witness
    )
    with pytest.raises(ValueError, match="attempts >= 1"):
        RetryPolicy(attempts=0)
    assert not RetryPolicy(attempts=1).enabled and not RetryPolicy(seconds=0).enabled


def test_an_earlier_runs_unfinished_writes_are_rechecked_in_batches_not_one_by_one(tmp_path: Path) -> None:
    """After a kill -9 a batch of rows is in flight (intents are committed a batch at a time): the next run re-checks
    them with its retry rounds, in batched lookups, and writes again only those that did not land."""
    path = tmp_path / "p.plan.jsonl"
    make(path, [("in", None, rec(n)) for n in range(1, 13)], FakeBackend())
    header, items, _ = read_plan(path)
    with Ledger(tmp_path / "l.sqlite", header.plan_id) as ledger:  # the killed run: 1-8 sent, 1-4 landed
        ledger.begin_many((i.key, i.n) for i in items if i.n <= 8)
    backend = FakeBackend(wrapped={conv(n): SALE for n in range(1, 5)})
    report, _, letters = run(tmp_path, backend)

    assert report.rechecked == 8 and letters == []
    assert report.outcomes == {"already-applied": 4, "applied": 8}
    assert sorted(backend.writes) == [conv(n) for n in range(5, 13)]  # 1-4 never written again
    retries = report.retries
    assert retries["from_earlier_runs"] == 8 and retries["confirmed"] == 4
    # Batched lookups (rounds of batch_size - 1 = 3); the first round comes before this run wrote anything, so one
    # of it is read precisely and written again to vouch for the others: one GET, not one each.
    assert max(backend.rechecks) == 3 and len(backend.rechecks) < 8, (backend.rechecks, retries)
    assert backend.refreshes == retries["precise_rechecks"] == 1, retries
