"""Finding the exact participant and communication a wrap-up belongs to.

Genesys has no "set the wrap-up of a conversation": a wrap-up is applied to one *agent participant*, on one of
its *communications*, through the endpoint of that communication's media. The ids needed are only in
``GET /api/v2/conversations/{id}``; this module turns that document (plain JSON, as Genesys returns it) into a
``WrapupTarget``, or says in words why there is none. It is pure: no I/O, so it is cheap to test against every
odd conversation shape.

Choice of participant, most specific first:
  1. the agent the disposition names: a Genesys user id, a user id from the agent directory (legacy login ->
     user id), or the participant's name equal to the agent's name;
  2. else the agent on the queue the disposition names (``fields['queue']`` / ``fields['queue_id']``);
  3. else the last agent who handled the conversation's media.
Then that participant's latest communication of the disposition's media (or, when the adapter could only guess
the media and the agent has none of it, the media the agent really handled).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wrapup_bridge.core.disposition import Disposition, Media, is_genesys_id
from wrapup_bridge.core.normalize import normalize_text
from wrapup_bridge.core.outcome import MEDIA_PATHS, WrapupTarget

__all__ = ["COMMUNICATION_ARRAYS", "NoTarget", "agent_participants", "resolve_target"]

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


@dataclass(frozen=True)
class NoTarget:
    """Why there is nothing to wrap up: a person-readable reason, and what the conversation does have."""

    reason: str
    participants: tuple[str, ...] = ()


def agent_participants(
    conversation: Mapping[str, Any], purposes: tuple[str, ...] = AGENT_PURPOSES
) -> list[dict[str, Any]]:
    """Participants a wrap-up can belong to: an agent purpose and a user id."""
    found = []
    for participant in conversation.get("participants") or []:
        if isinstance(participant, dict) and participant.get("purpose") in purposes and participant.get("userId"):
            found.append(participant)
    return found


def _time_key(item: Mapping[str, Any], *keys: str) -> str:
    """Latest of the ISO-8601 timestamps present (they sort as text when all are UTC 'Z' strings, as Genesys sends)."""
    return max((str(item.get(k) or "") for k in keys), default="")


def _communications(participant: Mapping[str, Any], media: Media) -> list[dict[str, Any]]:
    comms = participant.get(COMMUNICATION_ARRAYS[media]) or []
    return [c for c in comms if isinstance(c, dict) and c.get("id")]


def _latest_communication(participant: Mapping[str, Any], media: Media) -> dict[str, Any] | None:
    comms = _communications(participant, media)
    if not comms:
        return None
    # Stable: the array order breaks ties, later entries being later communications.
    return max(
        enumerate(comms),
        key=lambda ic: (_time_key(ic[1], "disconnectedTime", "connectedTime", "startAlertingTime"), ic[0]),
    )[1]


def _media_of(participant: Mapping[str, Any]) -> list[Media]:
    return [media for media in COMMUNICATION_ARRAYS if _communications(participant, media)]


def _describe(participant: Mapping[str, Any]) -> str:
    media = ",".join(m.value for m in _media_of(participant)) or "no communications"
    return f"{participant.get('purpose') or '?'} {participant.get('name') or participant.get('id')} ({media})"


def resolve_target(
    conversation: Mapping[str, Any],
    disposition: Disposition,
    *,
    agent_directory: Mapping[str, str] | None = None,
    purposes: tuple[str, ...] = AGENT_PURPOSES,
) -> WrapupTarget | NoTarget:
    """The participant/communication to wrap up for ``disposition`` in ``conversation``, or why there is none."""
    conversation_id = str(conversation.get("id") or disposition.conversation_id or "")
    everyone = tuple(_describe(p) for p in conversation.get("participants") or [] if isinstance(p, dict))
    agents = agent_participants(conversation, purposes)
    if not agents:
        return NoTarget(
            "the conversation has no agent participant to wrap up (Genesys applies wrap-up codes to an agent's "
            "participant only; calls that ended in IVR or queue have none)",
            everyone,
        )

    chosen = _by_agent(agents, disposition, agent_directory or {}) or _by_queue(agents, disposition)
    media = disposition.media
    if chosen is None:
        with_media = [p for p in agents if _communications(p, media)]
        pool = with_media or agents
        chosen = max(
            enumerate(pool),
            key=lambda ip: (_time_key(ip[1], "endTime", "endAcwTime", "connectedTime", "startTime"), ip[0]),
        )[1]

    communication = _latest_communication(chosen, media)
    if communication is None:
        handled = _media_of(chosen)
        if len(handled) != 1:
            what = ", ".join(m.value for m in handled) or "none"
            return NoTarget(
                f"agent participant {chosen.get('id')} has no {media.value} communication (it has: {what}); "
                "set the record's media or check the conversation id",
                everyone,
            )
        media = handled[0]
        communication = _latest_communication(chosen, media)
        assert communication is not None

    wrapup = chosen.get("wrapup") if isinstance(chosen.get("wrapup"), dict) else None
    return WrapupTarget(
        conversation_id=conversation_id,
        participant_id=str(chosen["id"]),
        communication_id=str(communication["id"]),
        media=media,
        media_path=MEDIA_PATHS[media],
        queue_id=chosen.get("queueId"),
        user_id=chosen.get("userId"),
        current_code=(wrapup or {}).get("code") or None,
        current_name=(wrapup or {}).get("name") or None,
    )


def _by_agent(
    agents: list[dict[str, Any]], disposition: Disposition, directory: Mapping[str, str]
) -> dict[str, Any] | None:
    wanted_ids: set[str] = set()
    names: set[str] = set()
    for candidate in (
        disposition.agent,
        disposition.fields.get("agent_name"),
        disposition.fields.get("agent_full_name"),
    ):
        if not candidate:
            continue
        if is_genesys_id(candidate):
            wanted_ids.add(candidate.lower())
            continue
        mapped = directory.get(candidate) or directory.get(normalize_text(candidate))
        if mapped:
            wanted_ids.add(mapped.lower())
        names.add(normalize_text(candidate))
    matches = [p for p in agents if str(p.get("userId", "")).lower() in wanted_ids]
    if not matches and names:
        matches = [p for p in agents if normalize_text(str(p.get("name") or "")) in names]
    return _latest(matches)


def _by_queue(agents: list[dict[str, Any]], disposition: Disposition) -> dict[str, Any] | None:
    queue_id = (disposition.fields.get("queue_id") or "").lower()
    queue_name = normalize_text(disposition.fields.get("queue") or "")
    if not queue_id and not queue_name:
        return None
    matches = [
        p
        for p in agents
        if (queue_id and str(p.get("queueId", "")).lower() == queue_id)
        or (queue_name and normalize_text(str(p.get("queueName") or "")) == queue_name)
    ]
    return _latest(matches)


def _latest(participants: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not participants:
        return None
    return max(
        enumerate(participants), key=lambda ip: (_time_key(ip[1], "endTime", "connectedTime", "startTime"), ip[0])
    )[1]
