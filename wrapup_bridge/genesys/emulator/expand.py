"""Turn the org file's conversations into full Genesys conversations.

The compact form says what a test or demo cares about (media, queue, agent, times, an existing wrap-up); this
module spells out what Genesys would hold for it: a customer participant, an ``acd`` participant for the queue,
and an ``agent`` participant with one communication of the media, ACW settings from the queue and ids derived
from the conversation id, so the same file always gives the same participant and communication ids.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from wrapup_bridge.core.disposition import Media
from wrapup_bridge.genesys.emulator.directory import Directory, Problem, Queue, User
from wrapup_bridge.genesys.emulator.orgfile import (
    MEDIA_ARRAYS,
    CommunicationSpec,
    CompactConversationSpec,
    FullConversationSpec,
    OrgSpec,
    ParticipantSpec,
    WrapupSpec,
)
from wrapup_bridge.genesys.emulator.state import (
    AfterCallWorkState,
    CommunicationState,
    ConversationState,
    ParticipantState,
    WrapupState,
    derive_id,
)
from wrapup_bridge.genesys.emulator.yamlpos import KeyPath

__all__ = ["PROMPTS", "expand_conversations"]

#: Queue.acwSettings.wrapupPrompt -> Participant.wrapupPrompt
PROMPTS = {
    "MANDATORY": "mandatory",
    "OPTIONAL": "optional",
    "MANDATORY_TIMEOUT": "timeout",
    "MANDATORY_FORCED_TIMEOUT": "forcedTimeout",
    "AGENT_REQUESTED": "agentRequested",
}

_PROVIDERS = {
    Media.VOICE: "Edge",
    Media.CALLBACK: "PureCloud Callback",
    Media.EMAIL: "PureCloud Email",
    Media.MESSAGE: "PureCloud Messaging",
    Media.SOCIAL: "PureCloud Social",
    Media.VIDEO: "PureCloud Video",
}

#: How long the compact form's customer waits in queue before the agent connects (capped by the duration).
_QUEUE_WAIT = timedelta(seconds=20)


def expand_conversations(spec: OrgSpec, directory: Directory) -> tuple[dict[str, ConversationState], list[Problem]]:
    """Every conversation of ``spec``, expanded and indexed, and the problems found on the way."""
    conversations: dict[str, ConversationState] = {}
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, conv in enumerate(spec.conversations):
        where: KeyPath = ("conversations", i)
        if conv.id in seen:
            problems.append(((*where, "id"), f"conversation id {conv.id} is listed twice"))
            continue
        seen.add(conv.id)
        if isinstance(conv, CompactConversationSpec):
            state = _expand_compact(conv, directory, where, problems)
        else:
            state = _expand_full(conv, directory, where, problems)
        if state is None:
            continue
        for duplicate in state.index():
            problems.append((where, f"participant or communication id {duplicate} occurs twice in this conversation"))
        conversations[state.id] = state
    return conversations, problems


def _resolve_queue(ref: str, directory: Directory, where: KeyPath, problems: list[Problem]) -> Queue | None:
    found = directory.queues.resolve(ref)
    if isinstance(found, str):
        problems.append((where, found))
        return None
    return found


def _resolve_user(ref: str, directory: Directory, where: KeyPath, problems: list[Problem]) -> User | None:
    found = directory.users.resolve(ref)
    if isinstance(found, str):
        problems.append((where, found))
        return None
    return found


def _wrapup(
    ref: str, directory: Directory, where: KeyPath, problems: list[Problem], spec: WrapupSpec | None = None
) -> WrapupState | None:
    resolved = directory.resolve_code(ref)
    if isinstance(resolved, str):
        problems.append((where, resolved))
        return None
    code_id, name = resolved
    if spec is None:
        return WrapupState(code=code_id, name=name)
    return WrapupState(
        code=code_id,
        name=name,
        notes=spec.notes,
        tags=list(spec.tags) if spec.tags is not None else None,
        duration_seconds=spec.durationSeconds,
        end_time=spec.endTime,
        provisional=spec.provisional,
    )


def _expand_compact(
    conv: CompactConversationSpec, directory: Directory, where: KeyPath, problems: list[Problem]
) -> ConversationState | None:
    queue = _resolve_queue(conv.queue, directory, (*where, "queue"), problems)
    user = _resolve_user(conv.agent, directory, (*where, "agent"), problems) if conv.agent else None
    wrapup = _wrapup(conv.wrapup, directory, (*where, "wrapup"), problems) if conv.wrapup else None
    if queue is None or (conv.agent and user is None) or (conv.wrapup and wrapup is None):
        return None
    if wrapup is not None and conv.wrapup_notes is not None:
        wrapup = replace(wrapup, notes=conv.wrapup_notes)

    cid, media, start, end = conv.id, conv.media, conv.start, conv.end
    active = end is None
    comm_state = "connected" if active else "disconnected"
    message_type = conv.message_type or ("sms" if media is Media.MESSAGE else None)
    voice = media is Media.VOICE
    agent_connected = start + _QUEUE_WAIT if end is None else min(start + _QUEUE_WAIT, end)

    def communication(role: str, state: str, **kwargs: object) -> CommunicationState:
        comm = CommunicationState(
            id=derive_id(cid, role, media.value),
            media=media,
            state=state,
            provider=_PROVIDERS[media],
            message_type=message_type,
            subject=conv.subject,
            direction=conv.direction,
        )
        for key, value in kwargs.items():
            setattr(comm, key, value)
        return comm

    customer = ParticipantState(
        id=derive_id(cid, "customer"),
        purpose="customer",
        address=conv.customer,
        ani=conv.customer if voice and conv.direction == "inbound" else None,
        dnis=conv.customer if voice and conv.direction == "outbound" else None,
        start_time=start,
        connected_time=start,
        end_time=end,
        attributes=dict(conv.attributes),
        communications=[
            communication(
                "customer",
                state=comm_state,
                initial_state="connected",
                connected_time=start,
                disconnected_time=end,
                disconnect_type=None if active else "endpoint",
            )
        ],
    )
    acd_end = agent_connected if user is not None else end
    acd = ParticipantState(
        id=derive_id(cid, "acd"),
        purpose="acd",
        name=queue.name,
        queue_id=queue.id,
        queue_name=queue.name,
        start_time=start,
        connected_time=start,
        end_time=acd_end,
        communications=[
            communication(
                "acd",
                state="connected" if acd_end is None else "disconnected",
                initial_state="alerting" if media in (Media.EMAIL, Media.MESSAGE) else "offering",
                connected_time=start,
                disconnected_time=acd_end,
                disconnect_type=None if acd_end is None else ("transfer" if user is not None else "peer"),
            )
        ],
    )
    participants = [customer, acd]
    if user is not None:
        prompt = PROMPTS[queue.acw_prompt]
        acw: AfterCallWorkState | None = None
        if not active:
            acw_state = "complete" if wrapup is not None else ("skipped" if conv.wrapup_skipped else "pending")
            acw = AfterCallWorkState(state=acw_state, start_time=end, end_time=conv.acw_end)
        agent = ParticipantState(
            id=derive_id(cid, "agent"),
            purpose="agent",
            name=user.name,
            user_id=user.id,
            queue_id=queue.id,
            queue_name=queue.name,
            start_time=agent_connected,
            connected_time=agent_connected,
            end_time=end,
            wrapup_required=True,
            wrapup_prompt=prompt,
            wrapup_timeout_ms=queue.acw_timeout_ms,
            wrapup_skipped=True if conv.wrapup_skipped else None,
            wrapup=wrapup,
            start_acw_time=end,
            end_acw_time=conv.acw_end,
            communications=[
                communication(
                    "agent",
                    state=comm_state,
                    initial_state="alerting",
                    connected_time=agent_connected,
                    disconnected_time=end,
                    disconnect_type=None if active else "peer",
                    after_call_work=acw,
                    after_call_work_required=True if prompt == "agentRequested" else None,
                    wrapup=wrapup,
                )
            ],
            wrapup_history=[wrapup] if wrapup is not None else [],
        )
        participants.append(agent)
    return ConversationState(
        id=cid,
        start_time=start,
        end_time=end,
        participants=participants,
        address=conv.customer,
        external_tag=conv.external_tag,
        division_ids=[queue.division_id],
    )


def _expand_full(
    conv: FullConversationSpec, directory: Directory, where: KeyPath, problems: list[Problem]
) -> ConversationState | None:
    before = len(problems)
    participants: list[ParticipantState] = []
    division_ids: list[str] = []
    for pi, p in enumerate(conv.participants):
        pwhere: KeyPath = (*where, "participants", pi)
        participant = _expand_participant(conv.id, pi, p, directory, pwhere, problems)
        if participant is None:
            continue
        participants.append(participant)
        if participant.queue_id is not None:
            division = directory.queues.by_id[participant.queue_id].division_id
            if division not in division_ids:
                division_ids.append(division)
    if len(problems) > before:
        return None
    return ConversationState(
        id=conv.id,
        start_time=conv.startTime,
        end_time=conv.endTime,
        participants=participants,
        address=conv.address,
        external_tag=conv.externalTag,
        division_ids=division_ids,
    )


def _expand_participant(
    cid: str, index: int, p: ParticipantSpec, directory: Directory, where: KeyPath, problems: list[Problem]
) -> ParticipantState | None:
    user = _resolve_user(p.userId, directory, (*where, "userId"), problems) if p.userId else None
    queue = _resolve_queue(p.queueId, directory, (*where, "queueId"), problems) if p.queueId else None
    wrapup = _wrapup(p.wrapup.code, directory, (*where, "wrapup", "code"), problems, p.wrapup) if p.wrapup else None
    if (p.userId and user is None) or (p.queueId and queue is None) or (p.wrapup and wrapup is None):
        return None
    communications: list[CommunicationState] = []
    for media, array in MEDIA_ARRAYS.items():
        for ci, c in enumerate(getattr(p, array)):
            comm = _expand_communication(cid, index, media, array, ci, c, directory, (*where, array, ci), problems)
            if comm is not None:
                communications.append(comm)
    pid = p.id or derive_id(cid, "participant", index)
    return ParticipantState(
        id=pid,
        purpose=p.purpose,
        name=p.name if p.name is not None else (user.name if user else None),
        user_id=user.id if user else None,
        queue_id=queue.id if queue else None,
        queue_name=queue.name if queue else None,
        start_time=p.startTime,
        end_time=p.endTime,
        connected_time=p.connectedTime,
        address=p.address,
        ani=p.ani,
        dnis=p.dnis,
        wrapup_required=p.wrapupRequired,
        wrapup_prompt=p.wrapupPrompt,
        wrapup_timeout_ms=p.wrapupTimeoutMs,
        wrapup_skipped=p.wrapupSkipped,
        wrapup=wrapup,
        start_acw_time=p.startAcwTime,
        end_acw_time=p.endAcwTime,
        attributes=dict(p.attributes),
        communications=communications,
        wrapup_history=[wrapup] if wrapup is not None else [],
    )


def _expand_communication(
    cid: str,
    pindex: int,
    media: Media,
    array: str,
    index: int,
    c: CommunicationSpec,
    directory: Directory,
    where: KeyPath,
    problems: list[Problem],
) -> CommunicationState | None:
    wrapup = _wrapup(c.wrapup.code, directory, (*where, "wrapup", "code"), problems, c.wrapup) if c.wrapup else None
    if c.wrapup and wrapup is None:
        return None
    acw = c.afterCallWork
    return CommunicationState(
        id=c.id or derive_id(cid, "participant", pindex, array, index),
        media=media,
        state=c.state,
        initial_state=c.initialState,
        direction=c.direction,
        connected_time=c.connectedTime,
        disconnected_time=c.disconnectedTime,
        disconnect_type=c.disconnectType,
        provider=c.provider,
        after_call_work=AfterCallWorkState(acw.state, acw.startTime, acw.endTime) if acw else None,
        after_call_work_required=c.afterCallWorkRequired,
        wrapup=wrapup,
        message_type=getattr(c, "type", None),
        subject=getattr(c, "subject", None),
    )
