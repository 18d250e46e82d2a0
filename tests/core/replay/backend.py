"""A scripted replay backend and a small table, shared by the core replay tests (plans, ledger, dead letters):
each pipeline rule is checked without a network."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from wrapup_bridge.core.decision import CodeRef, Decision
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.mapping import MappingTable
from wrapup_bridge.core.outcome import Outcome, OutcomeKind, WrapupTarget
from wrapup_bridge.core.replay.pipeline import Recheck, Unreachable, make_plan
from wrapup_bridge.core.replay.plan import PlanWriter, new_header
from wrapup_bridge.core.replay.retry import Witness

TABLE = MappingTable.from_text(
    """
version: 1
codes:
  sale: {id: 0dd6a32c-c059-4534-97bf-c82d73d9c869, name: Sale}
  busy: {id: 5f1bfb25-5eef-4f8d-bde5-4e17c7836f95, name: Busy}
rules:
  - when: {code: Sale}
    code: sale
  - when: {code: Busy}
    code: busy
  - when: {code: ""}
    skip: nothing chosen
""",
    name="t.yaml",
)
SALE = "0dd6a32c-c059-4534-97bf-c82d73d9c869"


def conv(n: int) -> str:
    return f"c0ffee00-0000-4000-8000-{n:012d}"


def rec(n: int, code: str = "Sale", conversation: int | None = None) -> Disposition:
    cid = conv(conversation if conversation is not None else n)
    return Disposition(source="five9", source_id=f"call-{n}", conversation_id=cid, code=code)


class FakeBackend:
    """Targets for conversations 1..99, some already wrapped; records every write; can fail on demand."""

    description = "fake"

    def __init__(self, *, wrapped: dict[str, str] | None = None, fail: set[str] | None = None) -> None:
        self.wrapped = dict(wrapped or {})
        self.fail = set(fail or ())
        self.writes: list[str] = []
        self.resolves = 0
        self.refreshes = 0
        #: Sizes of the batched re-checks asked for.
        self.rechecks: list[int] = []
        #: Whether the batched lookups are current (False: a witness never shows, as with analytics lagging).
        self.analytics_current = True

    async def catalog_fingerprint(self) -> str | None:
        return "fp-1"

    def _target(self, record: Disposition) -> WrapupTarget | Unreachable:
        cid = record.conversation_id or ""
        if cid.endswith("99"):
            return Unreachable("no agent participant")
        return WrapupTarget(
            conversation_id=cid,
            participant_id=f"p-{cid[-2:]}",
            communication_id=f"m-{cid[-2:]}",
            media=record.media,
            media_path="calls",
            current_code=self.wrapped.get(cid),
        )

    async def resolve(self, records: Sequence[Disposition]) -> list[WrapupTarget | Unreachable]:
        self.resolves += 1
        return [self._target(r) for r in records]

    async def refresh(self, record: Disposition) -> WrapupTarget | Unreachable:
        self.refreshes += 1
        return self._target(record)

    async def recheck(self, records: Sequence[Disposition], witness: Witness | None) -> Recheck:
        self.rechecks.append(len(records))
        witnessed = witness is not None and self.wrapped.get(witness.target.conversation_id) == witness.code_id
        return Recheck([self._target(r) for r in records], witnessed and self.analytics_current)

    async def precheck(self, code: CodeRef, target: WrapupTarget) -> str | None:
        return "not on the queue" if target.conversation_id.endswith("98") else None

    async def apply(self, record: Disposition, decision: Decision, target: WrapupTarget) -> Outcome:
        assert decision.code is not None
        cid = target.conversation_id
        if cid in self.fail:
            return Outcome(kind=OutcomeKind.FAILED, reason="503", disposition=record, decision=decision, target=target)
        current = self.wrapped.get(cid)
        if current == decision.code.id:
            return Outcome(
                kind=OutcomeKind.ALREADY_APPLIED, reason="there", disposition=record, decision=decision, target=target
            )
        self.wrapped[cid] = decision.code.id
        self.writes.append(cid)
        return Outcome(kind=OutcomeKind.APPLIED, reason="ok", disposition=record, decision=decision, target=target)

    async def read_back(self, targets: Sequence[WrapupTarget]) -> list[str | None]:
        return [self.wrapped.get(t.conversation_id) for t in targets]

    def stats(self) -> dict[str, int]:
        return {"GET analytics": self.resolves, "POST media-wrapup": len(self.writes)}


def make(path: Path, records: list, backend: FakeBackend, **kwargs: object) -> None:  # type: ignore[type-arg]
    header = new_header(
        source="five9", mapping_path="t.yaml", mapping_sha256=TABLE.sha256, target="fake", catalog_fingerprint="fp-1"
    )
    writer = PlanWriter(path, header)
    asyncio.run(make_plan(records, TABLE, backend, writer, batch_size=3, **kwargs))  # type: ignore[arg-type]
    writer.close()
