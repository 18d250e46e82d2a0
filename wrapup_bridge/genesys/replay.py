"""Genesys side of a replay: targets looked up in batches, checks before writing, writes through the sink.

Cost is the point. Looking each conversation up (``GET /api/v2/conversations/{id}``) before each write costs two
calls per disposition; the forum recipe (GET conversation + GET code + POST) three. Here:

- targets come from analytics conversation details, ``batch_size`` conversations per call
  (``GET /api/v2/analytics/conversations/details?id=a,b,...``): participants, their sessions (media), queues and
  any wrap-up already applied. A batch Genesys refuses with 400 is split in halves (the maximum number of ids per
  call is not documented);
- that the analytics ``sessionId`` is the conversation API's communication id is UNSURE; it is used
  optimistically, and when a write against such a communication is answered 404, the target is looked up the
  authoritative way (``GET /api/v2/conversations/{id}``) and the write retried once. ``stats()`` counts how often;
- conversations analytics does not return yet (it lags by seconds to minutes) are looked up one by one;
- the participant is the agent who handled the interaction (``target``: never a leg whose alert rang out, never
  another agent than the record names); when records name agents by login or name, the users of a whole batch
  are looked up in one call (``GET /api/v2/users?id=...``), each user once per run;
- the code catalog and each queue's assigned codes are loaded once and cached.

So a replay costs about one POST per applied disposition, plus one analytics call per batch at planning and, unless
the plan is fresh (``core.replay.fresh``), one per batch at apply time (a look at what is on each participant right
before writing). Writes whose outcome is unknown (a 5xx, a dropped connection) are not re-read one by one here
(``recheck_later``): ``recheck`` looks them up in batches, with a witness write in the same call.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from wrapup_bridge.core.decision import CodeRef, Decision, DecisionKind
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.outcome import Outcome, OutcomeKind, WrapupTarget
from wrapup_bridge.core.replay.pipeline import Recheck, Unreachable
from wrapup_bridge.core.replay.retry import Witness
from wrapup_bridge.genesys.catalog import WrapupCatalog
from wrapup_bridge.genesys.details import conversation_from_analytics
from wrapup_bridge.genesys.errors import GenesysError, NotFound, Rejected
from wrapup_bridge.genesys.http import GenesysClient
from wrapup_bridge.genesys.sink import ApplyOptions, GenesysSink
from wrapup_bridge.genesys.target import NoTarget, users_to_look_up

__all__ = ["GenesysReplayBackend", "conversation_from_analytics"]


class GenesysReplayBackend:
    """``ReplayBackend`` for Genesys Cloud (or the emulator), over one ``GenesysClient``."""

    def __init__(
        self,
        client: GenesysClient,
        *,
        description: str,
        options: ApplyOptions | None = None,
        batch_size: int = 50,
        agent_directory: Mapping[str, str] | None = None,
        use_analytics: bool = True,
        recheck_later: bool = False,
    ) -> None:
        """``recheck_later``: a write whose outcome is unknown comes back ``failed`` for the pipeline to re-check in
        a batch (``recheck``), instead of being re-read alone by the sink at once."""
        self.client = client
        self.description = description
        self.catalog = WrapupCatalog(client)
        if recheck_later:
            options = replace(options or ApplyOptions(), settle_ambiguous=False)
        self.sink = GenesysSink(client, catalog=self.catalog, options=options, agent_directory=agent_directory)
        self.users = self.sink.users
        self.batch_size = max(1, batch_size)
        self.agent_directory = dict(agent_directory or {})
        self.use_analytics = use_analytics
        self.counts: Counter[str] = Counter()

    # -- ReplayBackend ---------------------------------------------------------------------------------------------
    async def catalog_fingerprint(self) -> str | None:
        await self.catalog.load()
        return self.catalog.fingerprint()

    async def resolve(self, records: Sequence[Disposition]) -> list[WrapupTarget | Unreachable]:
        return (await self._lookup(records))[0]

    async def recheck(self, records: Sequence[Disposition], witness: Witness | None) -> Recheck:
        """``resolve`` for records whose writes failed, with the witness's conversation first in the first analytics
        call: what that call shows on the witness's participant was current when the records after it were read."""
        first = witness.target.conversation_id if witness is not None else None
        targets, found = await self._lookup(records, first)
        self.counts["recheck_lookups"] += len(records)
        witnessed = False
        if witness is not None and (details := found.get(witness.target.conversation_id)) is not None:
            code = _code_on(details, witness.target.participant_id)
            witnessed = code is not None and code.lower() == witness.code_id
        return Recheck(targets, witnessed)

    async def _lookup(
        self, records: Sequence[Disposition], first: str | None = None
    ) -> tuple[list[WrapupTarget | Unreachable], dict[str, Mapping[str, Any]]]:
        """Targets for ``records`` (analytics in batches, users in one call) and the analytics answers by id;
        ``first``: a conversation read first, in the first call."""
        ids = sorted({r.conversation_id for r in records if r.conversation_id})
        if first is not None:
            ids = [first, *(cid for cid in ids if cid != first)]
        found: dict[str, Mapping[str, Any]] = {}
        if self.use_analytics:
            for start in range(0, len(ids), self.batch_size):
                await self._analytics(ids[start : start + self.batch_size], found)
        shaped = {cid: conversation_from_analytics(details) for cid, details in found.items()}
        needed: set[str] = set()
        for record in records:
            conversation = shaped.get(record.conversation_id or "")
            if conversation is not None:
                needed |= users_to_look_up(
                    conversation, record, agent_directory=self.agent_directory, known=self.users.known
                )
        if needed:
            await self.users.lookup(needed)  # one batched call for the whole batch, not one per record
        results: list[WrapupTarget | Unreachable] = []
        for record in records:
            results.append(await self._target(record, shaped))
        return results, found

    async def refresh(self, record: Disposition) -> WrapupTarget | Unreachable:
        return await self._by_conversation(record)

    async def precheck(self, code: CodeRef, target: WrapupTarget) -> str | None:
        probe = Disposition(source="replay", source_id="precheck", conversation_id=target.conversation_id, code="")
        refusal = await self.sink.precheck(
            probe, Decision(kind=DecisionKind.MAPPED, code=code, reason="precheck"), target
        )
        return refusal.reason if refusal is not None else None

    async def apply(self, record: Disposition, decision: Decision, target: WrapupTarget) -> Outcome:
        outcome = await self.sink.apply_to(record, decision, target)
        if target.resolved_by == "analytics" and _write_not_found(outcome):
            # The analytics sessionId was not the communication id (UNSURE in public sources): ask the
            # conversation itself and retry once.
            self.counts["analytics_session_fallbacks"] += 1
            fresh = await self._by_conversation(record)
            if isinstance(fresh, Unreachable):
                kind = OutcomeKind.FAILED if fresh.transient else OutcomeKind.NO_TARGET
                return outcome.model_copy(update={"kind": kind, "reason": fresh.reason})
            outcome = await self.sink.apply_to(record, decision, fresh)
        return outcome

    async def read_back(self, targets: Sequence[WrapupTarget]) -> list[str | None]:
        ids = sorted({t.conversation_id for t in targets})
        found: dict[str, Mapping[str, Any]] = {}
        for start in range(0, len(ids), self.batch_size):
            await self._analytics(ids[start : start + self.batch_size], found)
        codes: list[str | None] = []
        for target in targets:
            details = found.get(target.conversation_id)
            codes.append(_code_on(details, target.participant_id) if details is not None else None)
        return codes

    def stats(self) -> dict[str, int]:
        counts = dict(self.counts)
        if self.users.calls:
            counts["users_lookups"] = self.users.calls
        return {**dict(self.client.sent), **counts}

    # -- lookups ---------------------------------------------------------------------------------------------------
    async def _analytics(self, ids: list[str], found: dict[str, Mapping[str, Any]]) -> None:
        if not ids:
            return
        try:
            body = await self.client.get_json("/api/v2/analytics/conversations/details", params={"id": ",".join(ids)})
        except Rejected as exc:
            if exc.status == 400 and len(ids) > 1:  # too many ids for one call (the limit is undocumented): split
                self.counts["analytics_batch_splits"] += 1
                half = len(ids) // 2
                await self._analytics(ids[:half], found)
                await self._analytics(ids[half:], found)
                return
            self.counts["analytics_unavailable"] += 1
            return  # fall back to per-conversation lookups
        except GenesysError:
            self.counts["analytics_unavailable"] += 1
            return
        for conversation in (body or {}).get("conversations") or []:
            if isinstance(conversation, Mapping) and conversation.get("conversationId"):
                found[str(conversation["conversationId"])] = conversation

    async def _target(self, record: Disposition, shaped: Mapping[str, Mapping[str, Any]]) -> WrapupTarget | Unreachable:
        if not record.conversation_id:
            return Unreachable("the record carries no Genesys conversation id")
        conversation = shaped.get(record.conversation_id)
        if conversation is None:
            if self.use_analytics:
                self.counts["analytics_missing_conversations"] += 1
            return await self._by_conversation(record)
        choice = await self.sink.choose(conversation, record)
        target = choice.result
        if isinstance(target, NoTarget):
            if target.retryable:
                # Someone is still alerting or connected in analytics, which lags behind: ask the conversation.
                return await self._by_conversation(record)
            return Unreachable(target.reason)
        self._count_choice(target)
        return target.model_copy(update={"resolved_by": "analytics"})

    async def _by_conversation(self, record: Disposition) -> WrapupTarget | Unreachable:
        self.counts["conversation_lookups"] += 1
        try:
            conversation = await self.client.get_json(f"/api/v2/conversations/{record.conversation_id}")
        except NotFound:
            return Unreachable(
                f"conversation {record.conversation_id} was not found in this org (wrong org or region, a mistyped id, "
                "or past the API's retention)"
            )
        except GenesysError as exc:
            return Unreachable(
                f"could not read conversation {record.conversation_id}: {exc}",
                transient=exc.retryable,
                error=exc.to_dict(),  # a 401/403 here stops the run (target_refusal), not a dead letter per record
            )
        choice = await self.sink.choose(conversation, record)
        target = choice.result
        if isinstance(target, NoTarget):
            return Unreachable(target.reason, transient=target.retryable)
        self._count_choice(target)
        return target

    def _count_choice(self, target: WrapupTarget) -> None:
        if target.fallback:
            self.counts["agent_fallbacks"] += 1
        if target.missed_legs:
            self.counts["missed_alerts_passed_over"] += target.missed_legs


def _code_on(details: Mapping[str, Any], participant_id: str) -> str | None:
    """The wrap-up code analytics shows on one participant of a conversation's details, or None."""
    code = None
    for participant in conversation_from_analytics(details)["participants"]:
        if participant.get("id") == participant_id and participant.get("wrapup"):
            code = participant["wrapup"]["code"]
    return code if isinstance(code, str) else None


def _write_not_found(outcome: Outcome) -> bool:
    error = outcome.error or {}
    return outcome.kind is OutcomeKind.REJECTED and error.get("status") == 404
