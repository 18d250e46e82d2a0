"""Applying one decided disposition to Genesys Cloud: find the target, check first, write once, say what happened.

The order is what keeps a wrap-up from being wrong or applied twice:

1. nothing to apply (unmapped, skip) or nowhere to apply it (no conversation id) ends before any call;
2. the code is checked against the org's catalog (it exists; its name still matches the table, else a drift
   warning) and, where the assignment is known, against the codes the participant's queue allows;
3. ``GET /api/v2/conversations/{id}`` gives the agent participant that handled the interaction (never one
   whose alert rang out; never another agent than the one the record names), its communication, the media
   path and the wrap-up already there: the same code means ``already-applied`` and no write; a code Genesys
   stamped itself (``ININ-WRAP-UP-TIMEOUT``, ...) is no agent's choice and is replaced
   (``replaced-system-code``) unless asked to keep it; another agent's code means ``conflict`` and no write,
   unless overwrite was asked;
4. the write goes to the media-specific endpoint (``POST .../{media}/{cid}/participants/{pid}/communications/
   {commId}/wrapup``) or, if configured, ``PATCH .../participants/{pid}`` with ``{"wrapup": ...}``;
5. a write whose connection dropped after sending is re-read before anyone writes again; ``verify`` reads the
   communication's wrap-up back.

Every end state is an ``Outcome`` with a reason in words; Genesys errors keep their envelope, correlation id and
explanation. Rules the public sources leave open (must the code be on the queue; can a wrap-up be set after the
conversation ended; does a second write overwrite) are not assumed: the check in (2) can be turned off, and
whatever Genesys answers is reported as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from wrapup_bridge.core.decision import CodeRef, Decision, DecisionKind
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.outcome import Outcome, OutcomeKind, WrapupTarget, is_system_code
from wrapup_bridge.genesys.catalog import WrapupCatalog
from wrapup_bridge.genesys.errors import (
    AmbiguousWrite,
    GenesysAPIError,
    GenesysError,
    NotFound,
    PermissionDenied,
)
from wrapup_bridge.genesys.http import GenesysClient, Response
from wrapup_bridge.genesys.target import AgentFallback, NoTarget, TargetChoice, choose_target, users_to_look_up
from wrapup_bridge.genesys.users import UserLookup

__all__ = ["ApplyOptions", "GenesysSink", "no_target_outcome_kind", "wrapup_body", "wrapup_request"]

AllowedCheck = Literal["queue", "participant", "off"]
SystemCodes = Literal["replace", "keep"]


@dataclass(frozen=True)
class ApplyOptions:
    """How writes are made. Defaults suit live use; replays set ``historical``.

    - ``overwrite``: replace a different code already on the participant (default: report a conflict).
    - ``historical``: send ``disableEndTimeUpdates`` so a late write does not stretch the agent's ACW time.
    - ``verify``: read the communication's wrap-up back after writing (one more call).
    - ``allowed_check``: where the allowed codes come from before writing: the participant's queue assignment
      (cached per queue), Genesys's list for the participant (one call per participant), or no check.
    - ``write_method``: ``post`` (media-specific endpoint) or ``patch`` (participant PATCH with ``wrapup``).
    - ``send_notes``: copy the legacy notes into the wrap-up notes.
    - ``system_codes``: a code Genesys stamped itself (``ININ-*``) is no agent's choice: ``replace`` it (the
      outcome says ``replaced-system-code``) or ``keep`` it (the record is skipped, saying so). Whether Genesys
      accepts the replacement is UNSURE; a refusal is reported as ``rejected``, explained.
    - ``agent_fallback``: when the record names an agent who is not among those who handled the conversation,
      ``none`` (no target, naming who did) or ``last-connected`` (the last agent who connected; said in the
      outcome's warnings and counted by reports).
    - ``settle_ambiguous``: a write whose outcome is unknown (sent, then a 5xx or a dropped connection) is re-read
      at once, one GET for that write (live use); off, it is returned ``failed`` with the ``AmbiguousWrite``
      envelope, never re-written here: replays re-check such writes in batches (``core.replay.retry``).
    """

    overwrite: bool = False
    historical: bool = False
    verify: bool = False
    allowed_check: AllowedCheck = "queue"
    write_method: Literal["post", "patch"] = "post"
    send_notes: bool = True
    budget: float | None = None
    system_codes: SystemCodes = "replace"
    agent_fallback: AgentFallback = "none"
    settle_ambiguous: bool = True


def wrapup_body(code: CodeRef, disposition: Disposition, options: ApplyOptions) -> dict[str, Any]:
    """The ``WrapupInput`` JSON: the code *id* (what Genesys needs), its name, and optional notes."""
    body: dict[str, Any] = {"code": code.id, "name": code.name}
    if options.send_notes and disposition.notes:
        body["notes"] = disposition.notes[:4000]
    if options.historical:
        body["disableEndTimeUpdates"] = True
    return body


def wrapup_request(
    target: WrapupTarget, body: dict[str, Any], method: Literal["post", "patch"]
) -> tuple[str, str, Any]:
    """(HTTP method, path, JSON) of the write for ``target``: the endpoint Genesys really has for its media."""
    if method == "patch":
        return (
            "PATCH",
            f"/api/v2/conversations/{target.conversation_id}/participants/{target.participant_id}",
            {"wrapup": body},
        )
    path = (
        f"/api/v2/conversations/{target.media_path}/{target.conversation_id}/participants/"
        f"{target.participant_id}/communications/{target.communication_id}/wrapup"
    )
    return "POST", path, body


@dataclass
class _Step:
    """What the run of one disposition has learned so far; turned into an Outcome at the end."""

    disposition: Disposition
    decision: Decision
    target: WrapupTarget | None = None
    warnings: list[str] = field(default_factory=list)

    def outcome(
        self, kind: OutcomeKind, reason: str, error: GenesysError | None = None, correlation_id: str | None = None
    ) -> Outcome:
        envelope = error.to_dict() if error is not None else None
        if error is not None and envelope is not None:
            envelope.setdefault("explanation", error.explain())
        return Outcome(
            kind=kind,
            reason=reason,
            disposition=self.disposition,
            decision=self.decision,
            target=self.target,
            error=envelope,
            correlation_id=correlation_id or getattr(error, "correlation_id", None),
            warnings=tuple(self.warnings),
        )


class GenesysSink:
    """Applies decided dispositions to one Genesys org through a ``GenesysClient``."""

    def __init__(
        self,
        client: GenesysClient,
        *,
        catalog: WrapupCatalog | None = None,
        options: ApplyOptions | None = None,
        agent_directory: Mapping[str, str] | None = None,
    ) -> None:
        self.client = client
        self.catalog = catalog or WrapupCatalog(client)
        self.options = options or ApplyOptions()
        self.agent_directory = dict(agent_directory or {})
        self.users = UserLookup(client, budget=self.options.budget)

    async def choose(self, conversation: Mapping[str, Any], disposition: Disposition) -> TargetChoice:
        """The target choice for ``disposition`` in a conversation document, after looking up the users it needs."""
        needed = users_to_look_up(
            conversation, disposition, agent_directory=self.agent_directory, known=self.users.known
        )
        if needed:
            await self.users.lookup(needed)
        choice = choose_target(
            conversation,
            disposition,
            agent_directory=self.agent_directory,
            users=self.users.known,
            agent_fallback=self.options.agent_fallback,
        )
        unlooked = self.users.pending(needed) if needed else []
        if isinstance(choice.result, NoTarget) and unlooked and not choice.result.retryable:
            # The users it needed could not be looked up for a reason that passes: not a verdict on the record.
            result = NoTarget(
                f"{choice.result.reason} (the users lookup did not answer: {self.users.transient_failure}; "
                "a later run looks again)",
                choice.result.participants,
                retryable=True,
            )
            return TargetChoice(result, choice.legs)
        return choice

    # -- the whole path for one record ---------------------------------------------------------------------------
    async def apply(self, disposition: Disposition, decision: Decision) -> Outcome:
        """Apply ``decision`` for ``disposition``; never raises for Genesys answers, only returns an Outcome."""
        step = _Step(disposition, decision)
        if decision.kind is DecisionKind.UNMAPPED:
            return step.outcome(OutcomeKind.UNMAPPED, decision.reason)
        if not decision.applies or decision.code is None:
            return step.outcome(OutcomeKind.SKIPPED, decision.reason)
        if not disposition.conversation_id:
            return step.outcome(
                OutcomeKind.NO_TARGET,
                "the record carries no Genesys conversation id; set where this migration stored it "
                "(the mapping's source.conversation_id, or --conversation-id-field)",
            )
        code = decision.code
        try:
            rejection = await self._check_code(step, code)
            if rejection is not None:
                return rejection
            conversation = await self.client.get_json(
                f"/api/v2/conversations/{disposition.conversation_id}", budget=self.options.budget
            )
        except NotFound as exc:
            return step.outcome(
                OutcomeKind.NO_TARGET,
                f"conversation {disposition.conversation_id} was not found in this org (wrong org or region, a "
                "mistyped id, or past the API's retention)",
                exc,
            )
        except GenesysError as exc:
            return self._error_outcome(step, exc)

        target = (await self.choose(conversation, disposition)).result
        if isinstance(target, NoTarget):
            return step.outcome(no_target_outcome_kind(target), target.reason)
        return await self._write(step, target, code)

    async def apply_to(self, disposition: Disposition, decision: Decision, target: WrapupTarget) -> Outcome:
        """Apply to a target resolved elsewhere (replays resolve targets in batches); same checks as ``apply``."""
        step = _Step(disposition, decision, target)
        if not decision.applies or decision.code is None:
            kind = OutcomeKind.UNMAPPED if decision.kind is DecisionKind.UNMAPPED else OutcomeKind.SKIPPED
            return step.outcome(kind, decision.reason)
        try:
            rejection = await self._check_code(step, decision.code)
        except GenesysError as exc:
            return self._error_outcome(step, exc)
        return rejection or await self._write(step, target, decision.code)

    async def precheck(self, disposition: Disposition, decision: Decision, target: WrapupTarget) -> Outcome | None:
        """The checks made before a write (code exists, allowed for the target), without writing: the refusal, or None."""
        if decision.code is None:
            return None
        step = _Step(disposition, decision, target)
        try:
            return await self._check_code(step, decision.code) or await self._check_allowed(step, target, decision.code)
        except GenesysError as exc:
            return self._error_outcome(step, exc)

    async def _write(self, step: _Step, target: WrapupTarget, code: CodeRef) -> Outcome:
        """Steps 3-5: idempotency from the wrap-up already there, the allowed-codes check, the write."""
        step.target = target
        if target.fallback:
            step.warnings.append(target.fallback)
        if target.current_code and target.current_code.lower() == code.id:
            return step.outcome(
                OutcomeKind.ALREADY_APPLIED, f"the participant already carries {code.name!r}; nothing written"
            )
        replacing_system = is_system_code(target.current_code)
        if replacing_system and self.options.system_codes == "keep":
            return step.outcome(
                OutcomeKind.SKIPPED,
                f"the participant carries {target.current_code}, a code Genesys stamped itself (no agent chose it); "
                f"kept as asked, {code.name!r} not written",
            )
        if target.current_code and not replacing_system and not self.options.overwrite:
            current = target.current_name or self._name_of(target.current_code)
            return step.outcome(
                OutcomeKind.CONFLICT,
                f"the participant already carries another wrap-up, {current!r} ({target.current_code}); nothing "
                f"written (ask for overwrite to replace it with {code.name!r})",
            )
        try:
            rejection = await self._check_allowed(step, target, code)
            if rejection is not None:
                return rejection
        except GenesysError as exc:
            return self._error_outcome(step, exc)

        method, path, body = wrapup_request(
            target, wrapup_body(code, step.disposition, self.options), self.options.write_method
        )
        try:
            response = await self.client.request(method, path, json=body, budget=self.options.budget)
        except AmbiguousWrite as exc:
            if not self.options.settle_ambiguous:
                return step.outcome(
                    OutcomeKind.FAILED,
                    f"the write was sent but its outcome is unknown ({exc.cause}); it is re-checked before it is "
                    "written again",
                    exc,
                )
            return await self._settle_ambiguous(step, target, code, exc)
        except GenesysError as exc:
            outcome = self._error_outcome(step, exc)
            if replacing_system and outcome.kind is OutcomeKind.REJECTED:
                reason = (
                    f"Genesys refused to replace {target.current_code}, the system wrap-up code on the participant "
                    f"(this org may not let a wrap-up replace a system code; plan with --keep-system-codes to leave "
                    f"them alone): {outcome.reason}"
                )
                outcome = outcome.model_copy(update={"reason": reason})
            return outcome
        return await self._applied(step, target, code, response)

    # -- checks --------------------------------------------------------------------------------------------------
    async def _check_code(self, step: _Step, code: CodeRef) -> Outcome | None:
        try:
            await self.catalog.load()
        except PermissionDenied as exc:
            step.warnings.append(f"could not check the code against the org's catalog: {exc.explain()}")
            return None
        known = self.catalog.by_id(code.id)
        if known is None:
            return step.outcome(
                OutcomeKind.REJECTED,
                f"checked before writing: wrap-up code id {code.id} (the table's {code.alias!r}, named {code.name!r}) "
                "does not exist in this org, or its division is not visible to this OAuth client's role; fix the id "
                "in the mapping table (wrapup-bridge mapping check) or grant the role in that division",
            )
        if known.name != code.name:
            step.warnings.append(
                f"name drift: the table calls code {code.id} {code.name!r} but Genesys names it {known.name!r}; "
                "update the table after checking the meaning did not change"
            )
        return None

    async def _check_allowed(self, step: _Step, target: WrapupTarget, code: CodeRef) -> Outcome | None:
        mode = self.options.allowed_check
        if mode == "off":
            return None
        try:
            if mode == "queue" and target.queue_id:
                allowed = await self.catalog.queue_code_ids(target.queue_id)
                where = f"queue {target.queue_id}"
            else:
                codes = await self.catalog.participant_codes(target.conversation_id, target.participant_id)
                allowed = frozenset(c.id for c in codes)
                where = f"participant {target.participant_id}"
        except PermissionDenied as exc:
            step.warnings.append(f"could not check which codes are allowed: {exc.explain()}")
            return None
        except NotFound:
            step.warnings.append("could not check which codes are allowed: Genesys did not find the list")
            return None
        if not allowed:
            step.warnings.append(f"Genesys lists no wrap-up codes for {where}; writing without a pre-check")
            return None
        if code.id not in {a.lower() for a in allowed}:
            return step.outcome(
                OutcomeKind.REJECTED,
                f"checked before writing: {code.name!r} ({code.id}) is not among the {len(allowed)} wrap-up codes "
                f"assigned to {where}; assign it to the queue in Genesys, or map this disposition to a code the queue "
                "has (or turn the check off if your org does not enforce queue assignment)",
            )
        return None

    # -- after the write -----------------------------------------------------------------------------------------
    async def _applied(self, step: _Step, target: WrapupTarget, code: CodeRef, response: Response) -> Outcome:
        reason = f"applied {code.name!r} to {target.media_path} communication {target.communication_id}"
        kind = OutcomeKind.APPLIED
        if is_system_code(target.current_code):
            kind = OutcomeKind.REPLACED_SYSTEM_CODE
            reason += f", in place of {target.current_code} (a code Genesys stamped itself)"
        if self.options.verify:
            seen = await self.read_wrapup(target)
            if seen is None:
                step.warnings.append("read-back: Genesys does not show a wrap-up yet (the write is asynchronous)")
            elif seen.lower() != code.id:
                step.warnings.append(f"read-back: Genesys shows code {seen}, not {code.id}")
            else:
                reason += "; verified by reading it back"
        return step.outcome(kind, reason, correlation_id=response.correlation_id)  # one model per write, not two

    async def _settle_ambiguous(self, step: _Step, target: WrapupTarget, code: CodeRef, exc: AmbiguousWrite) -> Outcome:
        """The connection dropped after the write was sent: read the participant's wrap-up to learn what happened."""
        try:
            seen = await self.read_wrapup(target)
        except GenesysError:
            seen = None
        if seen is not None and seen.lower() == code.id:
            step.warnings.append("the connection dropped after the write was sent; re-reading showed it was applied")
            kind = OutcomeKind.REPLACED_SYSTEM_CODE if is_system_code(target.current_code) else OutcomeKind.APPLIED
            return step.outcome(kind, f"applied {code.name!r} (confirmed by re-reading)")
        return step.outcome(
            OutcomeKind.FAILED,
            "the write was sent but its outcome is unknown and a re-read did not show it; retry later",
            exc,
        )

    async def read_wrapup(self, target: WrapupTarget) -> str | None:
        """The code id on the target communication now, or None when none is set (404 or an empty answer)."""
        path = (
            f"/api/v2/conversations/{target.media_path}/{target.conversation_id}/participants/{target.participant_id}"
            f"/communications/{target.communication_id}/wrapup"
        )
        try:
            body = await self.client.get_json(path, budget=self.options.budget)
        except NotFound:
            return None
        code = body.get("code") if isinstance(body, Mapping) else None
        return code if isinstance(code, str) and code else None

    def _name_of(self, code_id: str) -> str:
        known = self.catalog.by_id(code_id) if self.catalog.loaded else None
        return known.name if known else code_id

    @staticmethod
    def _error_outcome(step: _Step, exc: GenesysError) -> Outcome:
        if isinstance(exc, GenesysAPIError) and 400 <= exc.status < 500 and exc.status != 429:
            return step.outcome(OutcomeKind.REJECTED, f"Genesys refused it: {exc}. {exc.explain()}", exc)
        return step.outcome(OutcomeKind.FAILED, f"not delivered: {exc}. {exc.explain()}", exc)


def no_target_outcome_kind(no_target: NoTarget) -> OutcomeKind:
    """A conversation nobody has finished handling yet may have a target later: ``failed`` (retry later);
    otherwise ``no-target``."""
    return OutcomeKind.FAILED if no_target.retryable else OutcomeKind.NO_TARGET
