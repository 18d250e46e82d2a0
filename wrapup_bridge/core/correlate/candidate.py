"""One Genesys conversation as correlation sees it: when it ran and what it offers to compare with a record.

Read from the analytics details shape (``POST /api/v2/analytics/conversations/details/query`` and the async
jobs' results; docs/reference-analytics-details.md): ``conversationStart`` / ``conversationEnd``,
``originatingDirection`` and ``externalTag`` on the conversation; ``purpose``, ``userId`` and (jobs only)
``attributes`` on participants; ``ani``, ``dnis``, ``mediaType`` on sessions; ``queueId`` on segments. Every
session of a voice call carries the call's ``ani`` and ``dnis`` as ``tel:+E164`` (a real 2024 inbound sample);
an agent's outbound leg has its own SIP address as ``ani``, which is no number and is dropped. A conversation is
reduced to sets once, so scoring thousands of records against it compares sets, never walks the JSON again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from wrapup_bridge.core.correlate.phone import to_e164
from wrapup_bridge.core.timestamps import parse_instant

__all__ = ["Candidate"]

#: Participant purposes whose ``userId`` is a person handling the conversation (analytics writes ``agent`` for
#: queue-routed legs and ``user`` for a user's own calls).
_AGENT_PURPOSES = frozenset({"agent", "user"})


@dataclass(frozen=True, slots=True)
class Candidate:
    """What a conversation offers to compare: its time span, direction, media, numbers (E.164), queues, agents,
    ``externalTag`` and participant attributes."""

    conversation_id: str
    start: datetime
    end: datetime | None = None
    direction: str | None = None  #: originatingDirection: inbound or outbound
    media: frozenset[str] = frozenset()  #: the sessions' mediaType (voice, callback, chat, email, message, ...)
    anis: frozenset[str] = frozenset()
    dnises: frozenset[str] = frozenset()
    queue_ids: frozenset[str] = frozenset()
    user_ids: frozenset[str] = frozenset()  #: the agent participants' userId
    external_tag: str | None = None
    #: Participant attributes, merged (only the async jobs' results carry them).
    attributes: Mapping[str, str] = field(default_factory=dict, hash=False)

    @classmethod
    def from_analytics(cls, conversation: Mapping[str, Any], default_country: str) -> Candidate:
        """The candidate of one analytics conversation (as Genesys sends it). ``ValueError`` names the field when
        the conversation has no ``conversationId`` or no readable ``conversationStart``."""
        conversation_id = conversation.get("conversationId")
        if not isinstance(conversation_id, str) or not conversation_id.strip():
            raise ValueError("an analytics conversation has no conversationId")
        start = parse_instant(conversation.get("conversationStart"))
        if start is None:
            raise ValueError(f"conversation {conversation_id}: conversationStart is missing or not a time")
        direction = conversation.get("originatingDirection")
        tag = conversation.get("externalTag")
        media: set[str] = set()
        anis: set[str] = set()
        dnises: set[str] = set()
        queues: set[str] = set()
        users: set[str] = set()
        attributes: dict[str, str] = {}
        for participant in _dicts(conversation.get("participants")):
            user_id = participant.get("userId")
            if participant.get("purpose") in _AGENT_PURPOSES and isinstance(user_id, str) and user_id:
                users.add(user_id.lower())
            raw_attributes = participant.get("attributes")
            if isinstance(raw_attributes, Mapping):
                for key, value in raw_attributes.items():
                    if value is not None:
                        attributes.setdefault(str(key), str(value))
            for session in _dicts(participant.get("sessions")):
                if isinstance(kind := session.get("mediaType"), str) and kind:
                    media.add(kind.lower())
                if (ani := _number(session.get("ani"), default_country)) is not None:
                    anis.add(ani)
                if (dnis := _number(session.get("dnis"), default_country)) is not None:
                    dnises.add(dnis)
                for segment in _dicts(session.get("segments")):
                    if isinstance(queue := segment.get("queueId"), str) and queue:
                        queues.add(queue.lower())
        return cls(
            conversation_id=conversation_id.strip().lower(),
            start=start,
            end=parse_instant(conversation.get("conversationEnd")),
            direction=direction.lower() if isinstance(direction, str) and direction else None,
            media=frozenset(media),
            anis=frozenset(anis),
            dnises=frozenset(dnises),
            queue_ids=frozenset(queues),
            user_ids=frozenset(users),
            external_tag=tag.strip() if isinstance(tag, str) and tag.strip() else None,
            attributes=attributes,
        )


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _number(value: Any, default_country: str) -> str | None:
    return to_e164(value, default_country) if isinstance(value, str) else None
