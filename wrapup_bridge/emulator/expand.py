"""Turn the org file's conversations into full Genesys conversations.

The compact form says what a test or demo cares about (media, queue, agent, times, an existing wrap-up); this
module spells out what Genesys would hold for it: a customer participant, an ``acd`` participant for the queue,
and an ``agent`` participant with one communication of the media, ACW settings from the queue and ids derived
from the conversation id, so the same file always gives the same participant and communication ids.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from wrapup_bridge.core.disposition import Media
from wrapup_bridge.emulator.directory import Directory, Problem, Queue, User
from wrapup_bridge.emulator.orgfile import (
    MEDIA_ARRAYS,
    CommunicationSpec,
    CompactConversationSpec,
    FullConversationSpec,
    OrgSpec,
    ParticipantSpec,
    RealismSpec,
    WrapupSpec,
)
from wrapup_bridge.emulator.state import (
    AfterCallWorkState,
    CommunicationState,
    ConversationState,
    ParticipantState,
    WrapupState,
    derive_id,
)
from wrapup_bridge.emulator.yamlpos import KeyPath

__all__ = ["PROMPTS", "SYSTEM_TIMEOUT_CODE", "expand_compact", "expand_conversations"]

#: The code Genesys stamps when after-call work times out.
SYSTEM_TIMEOUT_CODE = "ININ-WRAP-UP-TIMEOUT"

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
            state = expand_compact(conv, directory, spec.realism_settings, where, problems)
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


def _draw(cid: str, what: str) -> float:
    """A number in [0, 1) fixed by the conversation id: realism is the same for the same org file, every run."""
    digest = hashlib.sha256(f"{cid}/{what}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@lru_cache(maxsize=8)
def _users_by_id(directory: Directory) -> tuple[User, ...]:
    """The org's users in id order (sorted once per org: generated orgs expand conversations one at a time)."""
    return tuple(sorted(directory.users.by_id.values(), key=lambda u: u.id))


@dataclass(frozen=True)
class _Missed:
    """One alert that rang out or was declined, resolved."""

    user: User
    ended: str
    seconds: float
    wrapup: str | None


def _missed_alerts(
    conv: CompactConversationSpec,
    user: User | None,
    directory: Directory,
    realism: RealismSpec | None,
    where: KeyPath,
    problems: list[Problem],
) -> list[_Missed]:
    """The missed alerts the file states, or those realism draws for this conversation."""
    cid = conv.id
    stated = conv.missed_alerts
    if isinstance(stated, list):
        found: list[_Missed] = []
        for i, spec in enumerate(stated):
            ref = spec.agent or conv.agent
            if ref is None:
                problems.append(((*where, "missed_alerts", i, "agent"), "say whose alert it was (agent:)"))
                continue
            alerted = _resolve_user(ref, directory, (*where, "missed_alerts", i, "agent"), problems)
            if alerted is not None:
                found.append(_Missed(alerted, spec.ended, spec.seconds, spec.wrapup))
        return found
    if isinstance(stated, int):
        # A count needs the conversation's agent (validated); None here means its reference did not resolve,
        # which is already reported.
        return [] if user is None else [_Missed(user, "system", 8.0, None) for _ in range(stated)]
    if realism is None or _draw(cid, "missed") >= realism.missed_alerts:
        return []
    count = 2 if _draw(cid, "missed-2") < realism.second_missed_alert else 1
    others = [u for u in _users_by_id(directory) if user is None or u.id != user.id]
    found = []
    for i in range(count):
        same = user is not None and (not others or _draw(cid, f"missed-{i}-same") < realism.same_agent)
        alerted = (
            user
            if same and user is not None
            else others[int(_draw(cid, f"missed-{i}-who") * len(others))]
            if others
            else None
        )
        if alerted is None:
            break
        ended = "client" if _draw(cid, f"missed-{i}-declined") < realism.declined else "system"
        wrapup = "ININ-WRAP-UP-TIMEOUT" if _draw(cid, f"missed-{i}-wrapup") < realism.missed_wrapup else None
        found.append(_Missed(alerted, ended, 2.5 if ended == "client" else 8.0, wrapup))
    return found


def expand_compact(
    conv: CompactConversationSpec,
    directory: Directory,
    realism: RealismSpec | None,
    where: KeyPath,
    problems: list[Problem],
) -> ConversationState | None:
    """A compact conversation spelled out (None when a reference fails: the reasons go to ``problems``); also how
    generated conversations are expanded (emulator.generate), so both render alike."""
    before = len(problems)
    queue = _resolve_queue(conv.queue, directory, (*where, "queue"), problems)
    user = _resolve_user(conv.agent, directory, (*where, "agent"), problems) if conv.agent else None
    wrapup = _wrapup(conv.wrapup, directory, (*where, "wrapup"), problems) if conv.wrapup else None
    missed = _missed_alerts(conv, user, directory, realism, where, problems)
    if queue is None or len(problems) > before:
        return None
    if wrapup is not None and conv.wrapup_notes is not None:
        wrapup = replace(wrapup, notes=conv.wrapup_notes)

    cid, media, start, end = conv.id, conv.media, conv.start, conv.end
    active = end is None
    comm_state = "connected" if active else "disconnected"
    message_type = conv.message_type or ("sms" if media is Media.MESSAGE else None)
    voice = media is Media.VOICE
    subsecond = realism is not None and realism.subsecond
    prompt = PROMPTS[queue.acw_prompt]

    def cap(moment: datetime) -> datetime:
        return moment if end is None else min(moment, end)

    # Timeline: the customer waits, alerts ring out one after another, then the agent is alerted and answers.
    cursor = start + timedelta(seconds=2.25 if subsecond else 2)
    customer_comm_id = derive_id(cid, "customer", media.value)

    def communication(role: str | tuple[str | int, ...], state: str, **kwargs: object) -> CommunicationState:
        parts = role if isinstance(role, tuple) else (role,)
        comm = CommunicationState(
            id=derive_id(cid, *parts, media.value),
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

    missed_participants: list[ParticipantState] = []
    for i, alert in enumerate(missed):
        alert_start = cap(cursor)
        alert_end = cap(alert_start + timedelta(seconds=alert.seconds))
        cursor = alert_end + timedelta(seconds=1.5 if subsecond else 1)
        leg_wrapup = WrapupState(code=alert.wrapup) if alert.wrapup else None
        missed_participants.append(
            _agent_leg(
                derive_id(cid, "missed", i),
                alert.user,
                queue,
                prompt,
                alert_start,
                end_time=alert_end,
                alerting_timeout_ms=round(alert.seconds * 1000),
                communications=[
                    communication(
                        ("missed", i),
                        state="disconnected",
                        initial_state="alerting",
                        start_alerting_time=alert_start,
                        disconnected_time=alert_end,
                        disconnect_type=alert.ended,
                        peer_id=customer_comm_id,
                    )
                ],
                # Analytics shows a system wrap-up segment on such legs; the conversation's own participant
                # carries none (only its history, which analytics reads).
                wrapup_history=[leg_wrapup] if leg_wrapup is not None else [],
            )
        )

    answered = user is not None and conv.agent_state == "connected"
    agent_alerted = cap(max(cursor, start + (_QUEUE_WAIT - timedelta(seconds=4))))
    agent_connected = cap(agent_alerted + timedelta(seconds=4.5 if subsecond else 4)) if answered else None

    customer = ParticipantState(
        id=derive_id(cid, "customer"),
        purpose="customer",
        address=conv.customer,
        ani=(conv.ani or (conv.customer if conv.direction == "inbound" else None)) if voice else None,
        dnis=(conv.dnis or (conv.customer if conv.direction == "outbound" else None)) if voice else None,
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
    acd_end = agent_connected if agent_connected is not None else end
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
                disconnect_type=None if acd_end is None else ("transfer" if agent_connected is not None else "peer"),
            )
        ],
    )
    participants = [customer, acd, *missed_participants]
    if user is not None:
        participants.append(
            _compact_agent(conv, user, queue, prompt, wrapup, agent_alerted, agent_connected, realism, communication)
        )
    return ConversationState(
        id=cid,
        start_time=start,
        end_time=end,
        participants=participants,
        address=conv.customer,
        external_tag=conv.external_tag,
        division_ids=[queue.division_id],
    )


def _agent_leg(pid: str, user: User, queue: Queue, prompt: str, alerted: datetime, **fields: Any) -> ParticipantState:
    """An ``agent`` participant routed from ``queue``: what every leg of a compact conversation shares."""
    base: dict[str, Any] = {
        "name": user.name,
        "user_id": user.id,
        "queue_id": queue.id,
        "queue_name": queue.name,
        "start_time": alerted,
        "wrapup_required": False,
        "wrapup_prompt": prompt,
        "wrapup_timeout_ms": queue.acw_timeout_ms,
        "alerting_timeout_ms": 8000,
    }
    return ParticipantState(id=pid, purpose="agent", **{**base, **fields})


def _compact_agent(
    conv: CompactConversationSpec,
    user: User,
    queue: Queue,
    prompt: str,
    wrapup: WrapupState | None,
    alerted: datetime,
    connected: datetime | None,
    realism: RealismSpec | None,
    communication: Callable[..., CommunicationState],
) -> ParticipantState:
    """The agent participant of a compact conversation: handled it, still alerting, or rang out too."""
    end, customer_comm_id = conv.end, derive_id(conv.id, "customer", conv.media.value)
    if connected is None:  # still alerting, or its alert rang out as well: nobody connected
        rang_out = conv.agent_state == "missed"
        stop = min(alerted + timedelta(seconds=8), end) if rang_out and end is not None else None
        return _agent_leg(
            derive_id(conv.id, "agent"),
            user,
            queue,
            prompt,
            alerted,
            end_time=stop,
            communications=[
                communication(
                    "agent",
                    state="disconnected" if rang_out else "alerting",
                    initial_state="alerting",
                    start_alerting_time=alerted,
                    disconnected_time=stop,
                    disconnect_type="system" if rang_out else None,
                    peer_id=customer_comm_id,
                )
            ],
        )
    active = end is None
    acw_end = conv.acw_end
    timed_out = False
    if not active and wrapup is None and not conv.wrapup_skipped:
        can_time_out = queue.acw_prompt in ("MANDATORY_TIMEOUT", "MANDATORY_FORCED_TIMEOUT", "AGENT_REQUESTED")
        drawn = realism is not None and can_time_out and _draw(conv.id, "acw-timeout") < realism.acw_timeout
        timed_out = conv.acw == "timeout" or (conv.acw is None and drawn)
    if timed_out:
        assert end is not None
        acw_end = acw_end or end + timedelta(milliseconds=queue.acw_timeout_ms or 60_000)
        wrapup = WrapupState(code=SYSTEM_TIMEOUT_CODE, end_time=acw_end)
    acw: AfterCallWorkState | None = None
    if not active:
        acw_state = "complete" if wrapup is not None else ("skipped" if conv.wrapup_skipped else "pending")
        acw = AfterCallWorkState(state=acw_state, start_time=end, end_time=acw_end)
    return _agent_leg(
        derive_id(conv.id, "agent"),
        user,
        queue,
        prompt,
        alerted,
        connected_time=connected,
        end_time=end,
        wrapup_required=True,
        wrapup_skipped=True if conv.wrapup_skipped else None,
        wrapup=wrapup,
        start_acw_time=end,
        end_acw_time=acw_end,
        communications=[
            communication(
                "agent",
                state="connected" if active else "disconnected",
                initial_state="alerting",
                start_alerting_time=alerted,
                connected_time=connected,
                disconnected_time=end,
                disconnect_type=None if active else "peer",
                after_call_work=acw,
                after_call_work_required=True if prompt == "agentRequested" else None,
                wrapup=wrapup,
                peer_id=customer_comm_id,
            )
        ],
        wrapup_history=[wrapup] if wrapup is not None else [],
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
        alerting_timeout_ms=p.alertingTimeoutMs,
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
        start_alerting_time=c.startAlertingTime,
        peer_id=c.peerId,
        after_call_work=AfterCallWorkState(acw.state, acw.startTime, acw.endTime) if acw else None,
        after_call_work_required=c.afterCallWorkRequired,
        wrapup=wrapup,
        message_type=getattr(c, "type", None),
        subject=getattr(c, "subject", None),
    )
