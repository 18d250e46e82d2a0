"""A record exported twice shares its item key with the first: the repeat's ``duplicate`` row never hides a failed
write from the next apply (the pipeline with a scripted backend, no network)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from tests.core.replay.backend import TABLE, conv
from wrapup_bridge.core.decision import CodeRef, Decision
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.outcome import Outcome, OutcomeKind, WrapupTarget
from wrapup_bridge.core.replay.deadletter import DeadLetterWriter
from wrapup_bridge.core.replay.ledger import Ledger
from wrapup_bridge.core.replay.pipeline import Recheck, Unreachable, apply_plan, make_plan
from wrapup_bridge.core.replay.plan import Action, PlanWriter, new_header, read_plan
from wrapup_bridge.core.replay.retry import Witness


class ScriptedBackend:
    """Enough of a ReplayBackend for the pipeline's own rules: every conversation has one agent; writes to the
    conversations in ``failing`` fail (as a 503 would), the rest land and are counted."""

    description = "scripted backend"

    def __init__(self, failing: set[str]) -> None:
        self.failing = failing
        self.codes: dict[str, str] = {}
        self.writes: Counter[str] = Counter()

    def _target(self, record: Disposition) -> WrapupTarget:
        cid = record.conversation_id or ""
        code = self.codes.get(cid)
        return WrapupTarget(
            conversation_id=cid, participant_id=f"p-{cid}", communication_id=f"m-{cid}", media=record.media,
            media_path="calls", current_code=code,
        )  # fmt: skip

    async def catalog_fingerprint(self) -> str | None:
        return None

    async def resolve(self, records: Sequence[Disposition]) -> list[WrapupTarget | Unreachable]:
        return [self._target(r) for r in records]

    async def refresh(self, record: Disposition) -> WrapupTarget | Unreachable:
        return self._target(record)

    async def recheck(self, records: Sequence[Disposition], witness: Witness | None) -> Recheck:
        return Recheck([self._target(r) for r in records])  # never vouched for: what is absent is read precisely

    async def precheck(self, code: CodeRef, target: WrapupTarget) -> str | None:
        return None

    async def apply(self, record: Disposition, decision: Decision, target: WrapupTarget) -> Outcome:
        assert decision.code is not None
        cid = target.conversation_id
        if cid in self.failing:
            kind, reason = OutcomeKind.FAILED, "not delivered: 503 service.unavailable"
        elif self.codes.get(cid) == decision.code.id:
            kind, reason = OutcomeKind.ALREADY_APPLIED, "already there"
        else:
            self.codes[cid] = decision.code.id
            self.writes[cid] += 1
            kind, reason = OutcomeKind.APPLIED, "applied"
        return Outcome(kind=kind, reason=reason, disposition=record, decision=decision, target=target)

    async def read_back(self, targets: Sequence[WrapupTarget]) -> list[str | None]:
        return [self.codes.get(t.conversation_id) for t in targets]

    def stats(self) -> dict[str, int]:
        return {}


def test_a_repeated_record_never_hides_a_failed_write_from_the_next_apply(tmp_path: Path) -> None:
    """The repeat of a record shares its item key; its ``duplicate`` row must not overwrite the write's outcome
    (a ``failed`` that the next ``apply`` has to retry), and every plan item keeps a ledger row of its own."""
    table = TABLE
    first, second = conv(1), conv(2)
    records = [
        Disposition(source="five9", source_id="call-1", conversation_id=first, code="Sale"),
        Disposition(source="five9", source_id="call-2", conversation_id=second, code="Busy"),
        Disposition(source="five9", source_id="call-1", conversation_id=first, code="Sale"),  # exported twice
    ]
    backend = ScriptedBackend(failing={first})
    header = new_header(source="five9", mapping_path="m.yaml", mapping_sha256=table.sha256, target="scripted")
    writer = PlanWriter(tmp_path / "p.plan.jsonl", header)
    asyncio.run(make_plan([("in", None, r) for r in records], table, backend, writer, batch_size=1))
    writer.close()
    assert [i.action for i in read_plan(writer.path)[1]] == [Action.WRITE, Action.WRITE, Action.DUPLICATE]

    def apply_once() -> dict[str, int]:
        with Ledger(tmp_path / "p.ledger.sqlite", header.plan_id) as ledger:
            items = read_plan(writer.path)[1]
            report = asyncio.run(apply_plan(header, items, backend, ledger, dead, batch_size=1))
        return dict(report.outcomes)

    dead = DeadLetterWriter(tmp_path / "p.deadletter.jsonl")
    assert apply_once() == {"failed": 1, "applied": 1, "duplicate": 1}
    backend.failing.clear()  # the outage is over; the operator runs apply again
    assert apply_once() == {"applied": 1}
    dead.close()
    assert backend.writes == {first: 1, second: 1}
    db = sqlite3.connect(tmp_path / "p.ledger.sqlite")  # what is on disk, whatever the Ledger class believes
    try:
        outcomes = [outcome for (outcome,) in db.execute("SELECT outcome FROM items")]
    finally:
        db.close()
    assert len(outcomes) == len(records)
    assert Counter(outcomes) == {"applied": 2, "duplicate": 1}
