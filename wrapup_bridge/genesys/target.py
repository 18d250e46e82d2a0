"""Finding the exact participant and communication a wrap-up belongs to, as real conversations are shaped.

Genesys has no "set the wrap-up of a conversation": a wrap-up is applied to one *agent participant*, on one of
its *communications*, through the endpoint of that communication's media. The ids are in
``GET /api/v2/conversations/{id}`` (analytics details reshaped to the same form serve too); this module turns
that document (plain JSON, as Genesys returns it) into a ``WrapupTarget``, or says in words why there is none.
It is pure: no I/O, so it is cheap to test against every odd shape, in every order of participants.

Real conversations hold more agent participants than agents who handled them. Every alert that rang out
(RONA) or was declined leaves an ``agent`` participant with the user's id, no ``connectedTime`` and a
communication that ended with ``disconnectType`` ``system``/``timeout`` (rang out) or ``client`` (declined); a
callback can carry five such participants for one user. Only a participant that *connected* handled the
interaction and can carry the agent's wrap-up, so each agent participant is classified first
(``AgentStatus``) and only ``handled`` ones are candidates.

Choice among the participants that handled it, most specific first:
  1. the agent the disposition names: a Genesys user id, the agent directory (legacy login -> user id or
     e-mail), or a name / e-mail / login compared with what Genesys knows of the user (``users``: one batched
     users lookup; analytics gives agents no ``participantName``). An agent named but not among them is **no
     target**, saying who did handle it, unless ``agent_fallback="last-connected"`` was asked (then the
     target says so in ``fallback``, and reports count it);
  2. else the agent on the queue the disposition names (``fields['queue']`` / ``fields['queue_id']``);
  3. else the agent who connected last (times are parsed: Genesys drops zero milliseconds, so text order lies).
Still connected or still alerting: no target *yet* (``retryable``). Nobody ever connected: no target, with how
many alerts rang out. Ties are broken by ids, never by array order, so permuting participants never changes
the answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from wrapup_bridge.core.disposition import Disposition, Media, is_genesys_id
from wrapup_bridge.core.normalize import normalize_text
from wrapup_bridge.core.outcome import WrapupTarget
from wrapup_bridge.core.timestamps import latest, parse_instant
from wrapup_bridge.genesys.paths import MEDIA_PATHS

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

__all__ = [
    "AGENT_PURPOSES",
    "COMMUNICATION_ARRAYS",
    "AgentFallback",
    "AgentLeg",
    "AgentStatus",
    "NoTarget",
    "TargetChoice",
    "UserInfo",
    "agent_participants",
    "choose_target",
    "classify",
    "resolve_target",
    "users_to_look_up",
]

#: Media -> the array of ``Participant`` (in GET /api/v2/conversations/{id}) that holds its communications.
COMMUNICATION_ARRAYS: dict[Media, str] = {
    Media.VOICE: "calls",
    Media.CALLBACK: "callbacks",
    Media.EMAIL: "emails",
    Media.MESSAGE: "messages",
    Media.SOCIAL: "socialExpressions",
    Media.VIDEO: "videos",
}

AGENT_PURPOSES = ("agent",)

#: What to do when the record names an agent who is not among those who handled the conversation.
AgentFallback = Literal["none", "last-connected"]

#: Communication states that mean "over" (the others mean it is still going on).
_ENDED_STATES = frozenset({"disconnected", "terminated"})
#: Communication states of an offer not yet answered.
_OFFERED_STATES = frozenset({"alerting", "offering", "scheduled", "contacting", "dialing", "none", ""})
#: disconnectType of an alert the agent turned down (the others - system, timeout, ... - rang out).
_DECLINED = frozenset({"client"})


class AgentStatus(StrEnum):
    """What an agent participant did with the interaction."""

    HANDLED = "handled"  #: connected, and that connection is over: the participant that carries the wrap-up
    CONNECTED = "connected"  #: connected and still on it: no wrap-up yet
    ALERTING = "alerting"  #: being offered the interaction right now
    MISSED = "missed"  #: the alert rang out (RONA: disconnectType system/timeout); never connected
    DECLINED = "declined"  #: the agent declined the alert (disconnectType client); never connected


@dataclass(frozen=True)
class UserInfo:
    """What Genesys knows of a user, to match a legacy agent by name, e-mail or login."""

    id: str
    name: str | None = None
    email: str | None = None
    username: str | None = None

    def keys(self) -> set[str]:
        """Normalized spellings the legacy side may have used for this user."""
        found: set[str] = set()
        for value in (self.name, self.email, self.username):
            if value:
                found.add(normalize_text(value))
        for value in (self.email, self.username):
            if value and "@" in value:
                found.add(normalize_text(value.split("@", 1)[0]))
        found.discard("")
        return found


@dataclass(frozen=True)
class AgentLeg:
    """One agent participant and what it did; ``verdict`` says why the choice took it or not."""

    participant: Mapping[str, Any]
    status: AgentStatus
    connected_at: datetime | None
    ended_at: datetime | None
    disconnect_type: str | None
    user: UserInfo
    verdict: str = ""

    @property
    def id(self) -> str:
        return str(self.participant.get("id") or "")

    @property
    def user_id(self) -> str:
        return self.user.id

    @property
    def shown(self) -> str:
        """The agent as a person reads it: the user's name when known, else the user id."""
        return self.user.name or str(self.participant.get("name") or "") or f"user {self.user.id}"

    def order_key(self) -> tuple[datetime, datetime, str]:
        """Earlier connections first, then earlier ends, then the id: never the array position."""
        return self.connected_at or _EPOCH, self.ended_at or _EPOCH, self.id

    def describe(self) -> str:
        when = f" at {self.connected_at.isoformat().replace('+00:00', 'Z')}" if self.connected_at else ""
        how = f" ({self.disconnect_type})" if self.disconnect_type and self.status is not AgentStatus.HANDLED else ""
        return f"participant {self.id}: {self.shown}, {self.status.value}{how}{when}"


@dataclass(frozen=True)
class NoTarget:
    """Why there is nothing to wrap up: a person-readable reason, and what the conversation does have.

    ``retryable``: the answer may change by itself (someone is still alerting or connected); a later run can
    find a target without anyone fixing anything."""

    reason: str
    participants: tuple[str, ...] = ()
    retryable: bool = False


@dataclass(frozen=True)
class TargetChoice:
    """The whole reasoning: the target (or why none) and every agent participant with its verdict."""

    result: WrapupTarget | NoTarget
    legs: tuple[AgentLeg, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------------------------------- participants
def agent_participants(
    conversation: Mapping[str, Any], purposes: tuple[str, ...] = AGENT_PURPOSES
) -> list[dict[str, Any]]:
    """Participants a wrap-up can belong to: an agent purpose and a user id (whatever they did)."""
    found = []
    for participant in conversation.get("participants") or []:
        if isinstance(participant, dict) and participant.get("purpose") in purposes and participant.get("userId"):
            found.append(participant)
    return found


def _communications(participant: Mapping[str, Any], media: Media | None = None) -> list[Mapping[str, Any]]:
    arrays = [COMMUNICATION_ARRAYS[media]] if media is not None else list(COMMUNICATION_ARRAYS.values())
    comms: list[Mapping[str, Any]] = []
    for array in arrays:
        comms.extend(c for c in participant.get(array) or [] if isinstance(c, Mapping) and c.get("id"))
    return comms


def _segments(comm: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [s for s in comm.get("segments") or [] if isinstance(s, Mapping)]


def _comm_connected_at(comm: Mapping[str, Any]) -> datetime | None:
    connected = parse_instant(comm.get("connectedTime"))
    if connected is not None:
        return connected
    interact = [
        parse_instant(s.get("startTime")) for s in _segments(comm) if str(s.get("type") or "").lower() == "interact"
    ]
    return min((t for t in interact if t is not None), default=None)


def _comm_ended(comm: Mapping[str, Any]) -> bool:
    """The communication is over for the agent. A real leg in after-call work can still read ``state:
    connected`` beside its ``disconnectedTime`` and ``afterCallWork: {state: pending}``: those count as over."""
    if str(comm.get("state") or "").lower() in _ENDED_STATES:
        return True
    if parse_instant(comm.get("disconnectedTime")) is not None:
        return True
    acw = comm.get("afterCallWork")
    return isinstance(acw, Mapping) and str(acw.get("state") or "") in ("pending", "complete", "skipped")


def _comm_disconnect_type(comm: Mapping[str, Any]) -> str | None:
    value = comm.get("disconnectType")
    if not value:
        ends = [s for s in _segments(comm) if s.get("disconnectType")]
        value = ends[-1].get("disconnectType") if ends else None
    return str(value).lower() if value else None


def _comm_order(comm: Mapping[str, Any]) -> tuple[datetime, str]:
    when = latest(comm.get("disconnectedTime"), comm.get("connectedTime"), comm.get("startAlertingTime"))
    return when or _EPOCH, str(comm.get("id"))


def classify(participant: Mapping[str, Any], users: Mapping[str, UserInfo] | None = None) -> AgentLeg:
    """What an agent participant did: handled it, is still on it, is being alerted, or never connected."""
    user_id = str(participant.get("userId") or "").lower()
    user = (users or {}).get(user_id) or UserInfo(user_id, name=participant.get("name") or None)
    comms = _communications(participant)
    connected_times = [t for t in map(_comm_connected_at, comms) if t is not None]
    connected_at = min(connected_times, default=None) or parse_instant(participant.get("connectedTime"))
    ended_at = latest(participant.get("endTime"), *(c.get("disconnectedTime") for c in comms))
    live = [c for c in comms if not _comm_ended(c)]
    last = max(comms, key=_comm_order) if comms else None
    disconnect = _comm_disconnect_type(last) if last is not None else None
    if connected_at is not None:
        status = AgentStatus.CONNECTED if live else AgentStatus.HANDLED
    elif any(str(c.get("state") or "").lower() in _OFFERED_STATES for c in live):
        status = AgentStatus.ALERTING
    elif live:
        # A communication that is not over and never connected, in a state that is not an offer (held, parked
        # before connecting are not real shapes): treat as still being offered, never as handled.
        status = AgentStatus.ALERTING
    else:
        status = AgentStatus.DECLINED if disconnect in _DECLINED else AgentStatus.MISSED
    return AgentLeg(participant, status, connected_at, ended_at, disconnect, user)


# --------------------------------------------------------------------------------------------- the record's agent
@dataclass(frozen=True)
class _AgentQuery:
    """The agent a record names: user ids it resolves to and normalized spellings to compare."""

    shown: str
    user_ids: frozenset[str]
    keys: frozenset[str]


def _agent_values(disposition: Disposition) -> list[str]:
    fields = disposition.fields
    values = [
        disposition.agent,
        fields.get("agent_name"),
        fields.get("agent_full_name"),
        fields.get("agent_email"),
        fields.get("agent_username"),
    ]
    first, last = fields.get("agent_first_name"), fields.get("agent_last_name")
    if first and last:
        values.append(f"{first} {last}")
    return [v.strip() for v in values if v and v.strip()]


def _named_agent(disposition: Disposition, directory: Mapping[str, str]) -> _AgentQuery | None:
    values = _agent_values(disposition)
    if not values:
        return None
    normalized_directory = {normalize_text(k): v for k, v in directory.items()}
    ids: set[str] = set()
    keys: set[str] = set()
    for value in values:
        for candidate in (value, directory.get(value) or normalized_directory.get(normalize_text(value))):
            if not candidate:
                continue
            if is_genesys_id(candidate):
                ids.add(candidate.lower())
            else:
                key = normalize_text(candidate)
                if key:
                    keys.add(key)
    shown = " / ".join(dict.fromkeys(values))
    return _AgentQuery(shown, frozenset(ids), frozenset(keys))


def _matches(leg: AgentLeg, query: _AgentQuery) -> bool:
    if leg.user_id in query.user_ids:
        return True
    return bool(query.keys & leg.user.keys())


def users_to_look_up(
    conversation: Mapping[str, Any],
    disposition: Disposition,
    *,
    agent_directory: Mapping[str, str] | None = None,
    known: Mapping[str, UserInfo] | None = None,
    purposes: tuple[str, ...] = AGENT_PURPOSES,
) -> set[str]:
    """User ids whose names, e-mails and logins the choice needs and ``known`` lacks (one batched lookup).

    Only when the record names an agent by something other than a Genesys user id: an id compares as is."""
    query = _named_agent(disposition, agent_directory or {})
    if query is None or not query.keys:
        return set()
    ids = {str(p.get("userId")).lower() for p in agent_participants(conversation, purposes)}
    if query.user_ids & ids:
        return set()
    return {i for i in ids if i not in (known or {})}


# --------------------------------------------------------------------------------------------- the choice
def choose_target(
    conversation: Mapping[str, Any],
    disposition: Disposition,
    *,
    agent_directory: Mapping[str, str] | None = None,
    users: Mapping[str, UserInfo] | None = None,
    agent_fallback: AgentFallback = "none",
    purposes: tuple[str, ...] = AGENT_PURPOSES,
) -> TargetChoice:
    """The participant/communication to wrap up for ``disposition``, with the verdict on every agent participant."""

    def everyone() -> tuple[str, ...]:
        """Every participant in words, for a NoTarget (built only when there is none: a target does not need it)."""
        return tuple(_describe(p) for p in conversation.get("participants") or [] if isinstance(p, dict))

    legs = sorted(
        (classify(p, users) for p in agent_participants(conversation, purposes)),
        key=AgentLeg.order_key,
    )
    if not legs:
        return TargetChoice(
            NoTarget(
                "the conversation has no agent participant to wrap up (Genesys applies wrap-up codes to an agent's "
                "participant only; calls that ended in IVR or queue have none)",
                everyone(),
            )
        )
    handled = [leg for leg in legs if leg.status is AgentStatus.HANDLED]
    query = _named_agent(disposition, agent_directory or {})
    fallback: str | None = None
    chosen: AgentLeg | None = None
    chosen_by = ""
    verdicts: dict[str, str] = {}

    if query is not None:
        named = [leg for leg in legs if _matches(leg, query)]
        named_users = {leg.user_id for leg in named}
        named_handled = [leg for leg in named if leg.status is AgentStatus.HANDLED]
        if len(named_users) > 1:
            reason = (
                f"the record's agent {query.shown!r} matches {len(named_users)} different users in this conversation ("
                + ", ".join(sorted({leg.shown for leg in named}))
                + "); name the agent by Genesys user id or in the agent directory"
            )
            return _no_target(reason, everyone(), legs, verdicts)
        named_pending = [leg for leg in named if leg.status in (AgentStatus.CONNECTED, AgentStatus.ALERTING)]
        if named_handled:
            chosen, chosen_by = named_handled[-1], f"the agent the record names ({query.shown})"
        elif named_pending:
            who = named_pending[-1]
            return _no_target(
                f"{who.shown}, the agent the record names, is still {who.status.value} on this conversation; the "
                "wrap-up can be applied once they have handled it (retry later)",
                everyone(),
                legs,
                verdicts,
                retryable=True,
            )
        else:
            if named:
                missed = len(named)
                what = (
                    f"{query.shown!r} was alerted {missed} time(s) but never connected ("
                    + ", ".join(sorted({leg.status.value for leg in named}))
                    + ")"
                )
            elif not _identifiable(legs, query):
                what = (
                    f"{query.shown!r} could not be matched to the agents on this conversation (Genesys gave their user "
                    "ids only; map the legacy agent to a Genesys user in the agent directory)"
                )
            else:
                what = f"{query.shown!r} is not among the agents on this conversation"
            if not handled:
                return _nobody_connected(legs, everyone(), verdicts, prefix=f"the record's agent {what}; and ")
            if agent_fallback != "last-connected":
                return _no_target(
                    f"the record's agent {what}; it was handled by "
                    + ", ".join(dict.fromkeys(leg.shown for leg in handled))
                    + ". Nothing is written to another agent's participant: fix the agent directory, or allow "
                    "the last connected agent (agent fallback)",
                    everyone(),
                    legs,
                    verdicts,
                )
            fallback = f"the record's agent {what}; the last agent who connected was taken instead (agent fallback)"

    if chosen is None:
        if not handled:
            on_call = [leg for leg in legs if leg.status is AgentStatus.CONNECTED]
            if on_call:
                return _no_target(
                    "nobody has finished handling this conversation yet: "
                    + "; ".join(f"{leg.shown} is still connected" for leg in on_call)
                    + " (retry later)",
                    everyone(),
                    legs,
                    verdicts,
                    retryable=True,
                )
            return _nobody_connected(legs, everyone(), verdicts)
        by_queue = _by_queue(handled, disposition) if fallback is None else []
        if by_queue:
            chosen, chosen_by = by_queue[-1], "the agent on the queue the record names"
        else:
            chosen, chosen_by = handled[-1], "the last agent who connected"

    communication, media = _communication(chosen, disposition.media)
    if communication is None:
        handled_media = ", ".join(m.value for m in _media_of(chosen.participant)) or "none"
        return _no_target(
            f"agent participant {chosen.id} ({chosen.shown}) has no {disposition.media.value} communication (it has: "
            f"{handled_media}); set the record's media or check the conversation id",
            everyone(),
            legs,
            verdicts,
        )
    for leg in legs:
        verdicts[leg.id] = "chosen: " + chosen_by if leg is chosen else _why_not(leg, chosen)
    wrapup = _current_wrapup(chosen.participant, communication)
    target = WrapupTarget(
        conversation_id=str(conversation.get("id") or disposition.conversation_id or ""),
        participant_id=chosen.id,
        communication_id=str(communication["id"]),
        media=media,
        media_path=MEDIA_PATHS[media],
        queue_id=chosen.participant.get("queueId"),
        user_id=chosen.user_id or None,
        current_code=(wrapup or {}).get("code") or None,
        current_name=(wrapup or {}).get("name") or None,
        chosen_by=chosen_by,
        fallback=fallback,
        missed_legs=sum(leg.status in (AgentStatus.MISSED, AgentStatus.DECLINED) for leg in legs),
    )
    return TargetChoice(target, _with_verdicts(legs, verdicts))


def resolve_target(
    conversation: Mapping[str, Any],
    disposition: Disposition,
    *,
    agent_directory: Mapping[str, str] | None = None,
    users: Mapping[str, UserInfo] | None = None,
    agent_fallback: AgentFallback = "none",
    purposes: tuple[str, ...] = AGENT_PURPOSES,
) -> WrapupTarget | NoTarget:
    """The participant/communication to wrap up for ``disposition`` in ``conversation``, or why there is none."""
    return choose_target(
        conversation,
        disposition,
        agent_directory=agent_directory,
        users=users,
        agent_fallback=agent_fallback,
        purposes=purposes,
    ).result


# --------------------------------------------------------------------------------------------- helpers
def _identifiable(legs: Iterable[AgentLeg], query: _AgentQuery) -> bool:
    """Whether a name-based query could have matched: some leg is known by more than its user id."""
    return not query.keys or all(leg.user.keys() for leg in legs)


def _by_queue(handled: list[AgentLeg], disposition: Disposition) -> list[AgentLeg]:
    queue_id = (disposition.fields.get("queue_id") or "").lower()
    queue_name = normalize_text(disposition.fields.get("queue") or "")
    if not queue_id and not queue_name:
        return []
    return [
        leg
        for leg in handled
        if (queue_id and str(leg.participant.get("queueId", "")).lower() == queue_id)
        or (queue_name and normalize_text(str(leg.participant.get("queueName") or "")) == queue_name)
    ]


def _communication(leg: AgentLeg, media: Media) -> tuple[Mapping[str, Any] | None, Media]:
    """The latest communication of ``media`` that connected; else, when the agent handled only one other
    media, that one (the adapter may only have guessed the media)."""
    comms = _connected(leg.participant, media)
    if comms:
        return comms[-1], media
    handled = [m for m in _media_of(leg.participant) if _connected(leg.participant, m)]
    if len(handled) == 1:
        return _connected(leg.participant, handled[0])[-1], handled[0]
    return None, media


def _connected(participant: Mapping[str, Any], media: Media) -> list[Mapping[str, Any]]:
    comms = [c for c in _communications(participant, media) if _comm_connected_at(c) is not None]
    return sorted(
        comms,
        key=lambda c: (_comm_connected_at(c) or _EPOCH, latest(c.get("disconnectedTime")) or _EPOCH, str(c["id"])),
    )


def _media_of(participant: Mapping[str, Any]) -> list[Media]:
    return [media for media in COMMUNICATION_ARRAYS if _communications(participant, media)]


def _current_wrapup(participant: Mapping[str, Any], communication: Mapping[str, Any]) -> Mapping[str, Any] | None:
    for holder in (communication, participant):
        wrapup = holder.get("wrapup")
        if isinstance(wrapup, Mapping) and wrapup.get("code"):
            return wrapup
    return None


def _why_not(leg: AgentLeg, chosen: AgentLeg) -> str:
    if leg.status is AgentStatus.MISSED:
        return "not chosen: the alert rang out, it never connected"
    if leg.status is AgentStatus.DECLINED:
        return "not chosen: the agent declined the alert, it never connected"
    if leg.status is AgentStatus.ALERTING:
        return "not chosen: still alerting"
    if leg.status is AgentStatus.CONNECTED:
        return "not chosen: still connected"
    if leg.user_id == chosen.user_id:
        return "not chosen: an earlier connection of the same agent"
    return "not chosen: another agent who handled the conversation"


def _with_verdicts(legs: list[AgentLeg], verdicts: Mapping[str, str]) -> tuple[AgentLeg, ...]:
    out = []
    for leg in legs:
        verdict = verdicts.get(leg.id) or _status_verdict(leg)
        out.append(
            AgentLeg(
                leg.participant, leg.status, leg.connected_at, leg.ended_at, leg.disconnect_type, leg.user, verdict
            )
        )
    return tuple(out)


def _status_verdict(leg: AgentLeg) -> str:
    return {
        AgentStatus.HANDLED: "not chosen: handled the conversation, but is not the agent the record names",
        AgentStatus.CONNECTED: "not chosen: still connected",
        AgentStatus.ALERTING: "not chosen: still alerting",
        AgentStatus.MISSED: "not chosen: the alert rang out, it never connected",
        AgentStatus.DECLINED: "not chosen: the agent declined the alert, it never connected",
    }[leg.status]


def _no_target(
    reason: str,
    everyone: tuple[str, ...],
    legs: list[AgentLeg],
    verdicts: Mapping[str, str],
    *,
    retryable: bool = False,
) -> TargetChoice:
    return TargetChoice(NoTarget(reason, everyone, retryable), _with_verdicts(legs, verdicts))


def _nobody_connected(
    legs: list[AgentLeg], everyone: tuple[str, ...], verdicts: Mapping[str, str], prefix: str = ""
) -> TargetChoice:
    missed = sum(leg.status is AgentStatus.MISSED for leg in legs)
    declined = sum(leg.status is AgentStatus.DECLINED for leg in legs)
    parts = [f"{missed} alert(s) rang out"] if missed else []
    if declined:
        parts.append(f"{declined} declined")
    pending = [leg for leg in legs if leg.status in (AgentStatus.CONNECTED, AgentStatus.ALERTING)]
    if pending:
        parts.append("; ".join(f"{leg.shown} is still {leg.status.value}" for leg in pending))
        on_call = any(leg.status is AgentStatus.CONNECTED for leg in pending)
        what = "nobody has finished handling it yet" if on_call else "no agent has connected yet"
        end = "the wrap-up can be applied once an agent has handled it (retry later)"
    else:
        what = "no agent ever connected"
        end = "there is no agent participant to carry the wrap-up"
    return _no_target(
        f"{prefix}{what} ({', '.join(parts) or 'no alert'}): {end}",
        everyone,
        legs,
        verdicts,
        retryable=bool(pending),
    )


def _describe(participant: Mapping[str, Any]) -> str:
    media = ",".join(m.value for m in _media_of(participant)) or "no communications"
    return f"{participant.get('purpose') or '?'} {participant.get('name') or participant.get('id')} ({media})"
