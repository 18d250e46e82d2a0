"""Analytics conversation details reshaped like ``GET /api/v2/conversations/{id}``, so one target choice serves both.

Replays look conversations up 50 at a time through analytics (``GET /api/v2/analytics/conversations/details``)
instead of one ``GET /api/v2/conversations/{id}`` each. The two shapes differ in ways that matter for choosing
the participant, all seen in published real payloads:

- analytics gives agent participants no ``participantName`` (customer, ivr and acd have one), so names come
  from a users lookup, never from here;
- what a participant did is in its segments: an agent whose alert rang out has ``alert`` segments only (ended
  with ``disconnectType: system``, or ``client`` when declined) and may still get a ``wrapup`` segment with a
  system code; the agent who answered has ``interact`` segments;
- ``segmentType`` values are lowercase (``alert``, ``interact``, ``wrapup``); the conversation API's segment
  ``type`` is PascalCase (``Alert``, ``Interact``): readers compare case-insensitively;
- a session's ``sessionId`` is taken as the communication id (UNSURE; a 404 on the write falls back to the
  conversation document).

Each session becomes one communication with ``connectedTime`` (first ``interact`` start), ``disconnectedTime``
(last end outside wrap-up), ``disconnectType``, ``state`` (``disconnected`` when every segment ended,
``alerting`` when an ``alert`` is still open, else ``connected``) and its segments, so ``target.classify``
reads both shapes the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from wrapup_bridge.core.disposition import Media
from wrapup_bridge.core.timestamps import parse_instant
from wrapup_bridge.genesys.target import COMMUNICATION_ARRAYS

__all__ = ["ANALYTICS_MEDIA", "conversation_from_analytics"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

#: analytics session mediaType -> the conversation API's media (for the communication arrays and endpoints)
ANALYTICS_MEDIA = {
    "voice": Media.VOICE,
    "callback": Media.CALLBACK,
    "email": Media.EMAIL,
    "message": Media.MESSAGE,
    "chat": Media.MESSAGE,
    "video": Media.VIDEO,
}


def conversation_from_analytics(details: Mapping[str, Any]) -> dict[str, Any]:
    """An analytics conversation (``AnalyticsConversationWithoutAttributes``) in the conversation document's shape."""
    participants = []
    for raw in details.get("participants") or []:
        if not isinstance(raw, Mapping):
            continue
        participant: dict[str, Any] = {
            "id": raw.get("participantId"),
            "purpose": raw.get("purpose"),
            "userId": raw.get("userId"),
        }
        if raw.get("participantName"):
            participant["name"] = raw["participantName"]
        latest_wrapup: tuple[datetime, dict[str, Any]] | None = None
        for session in raw.get("sessions") or []:
            if not isinstance(session, Mapping) or not session.get("sessionId"):
                continue
            communication, queue_id, wrapup = _communication(session)
            if queue_id and "queueId" not in participant:
                participant["queueId"] = queue_id
            if wrapup is not None:
                communication["wrapup"] = wrapup[1]
                if latest_wrapup is None or wrapup[0] >= latest_wrapup[0]:
                    latest_wrapup = wrapup
            if session.get("acwSkipped"):
                participant["wrapupSkipped"] = True
            media = ANALYTICS_MEDIA.get(str(session.get("mediaType")), Media.SOCIAL)
            participant.setdefault(COMMUNICATION_ARRAYS[media], []).append(communication)
        if latest_wrapup is not None:
            participant["wrapup"] = latest_wrapup[1]
        participants.append(participant)
    shaped: dict[str, Any] = {"id": details.get("conversationId"), "participants": participants}
    if details.get("conversationStart"):
        shaped["startTime"] = details["conversationStart"]
    if details.get("conversationEnd"):
        shaped["endTime"] = details["conversationEnd"]
    return shaped


def _communication(
    session: Mapping[str, Any],
) -> tuple[dict[str, Any], str | None, tuple[datetime, dict[str, Any]] | None]:
    """(communication, the queue it came through, (when, wrap-up) of its wrap-up segment) for one session."""
    segments = [s for s in session.get("segments") or [] if isinstance(s, Mapping)]
    work = [s for s in segments if str(s.get("segmentType") or "").lower() != "wrapup"]
    communication: dict[str, Any] = {"id": session["sessionId"]}
    interact = [s for s in work if str(s.get("segmentType") or "").lower() == "interact" and s.get("segmentStart")]
    if interact:
        communication["connectedTime"] = min(interact, key=lambda s: _when(s, "segmentStart"))["segmentStart"]
    open_segments = [s for s in work if not s.get("segmentEnd")]
    if work and not open_segments:
        communication["state"] = "disconnected"
        last = max(work, key=lambda s: _when(s, "segmentEnd"))
        communication["disconnectedTime"] = last["segmentEnd"]
        if last.get("disconnectType"):
            communication["disconnectType"] = str(last["disconnectType"])
    elif open_segments:
        current = max(open_segments, key=lambda s: _when(s, "segmentStart"))
        communication["state"] = "alerting" if str(current.get("segmentType")).lower() == "alert" else "connected"
    communication["segments"] = [
        {
            key: value
            for key, value in (
                ("type", s.get("segmentType")),
                ("startTime", s.get("segmentStart")),
                ("endTime", s.get("segmentEnd")),
                ("disconnectType", s.get("disconnectType")),
            )
            if value is not None
        }
        for s in work
    ]
    if session.get("peerId"):
        communication["peerId"] = session["peerId"]
    if session.get("direction"):
        communication["direction"] = session["direction"]
    queue_id = next((str(s["queueId"]) for s in segments if s.get("queueId")), None)
    wrapup: tuple[datetime, dict[str, Any]] | None = None
    for segment in segments:
        if str(segment.get("segmentType") or "").lower() == "wrapup" and segment.get("wrapUpCode"):
            when = _when(segment, "segmentEnd") or _when(segment, "segmentStart")
            found: dict[str, Any] = {"code": str(segment["wrapUpCode"])}
            if segment.get("wrapUpNote"):
                found["notes"] = segment["wrapUpNote"]
            if wrapup is None or when >= wrapup[0]:
                wrapup = (when, found)
    return communication, queue_id, wrapup


def _when(segment: Mapping[str, Any], key: str) -> datetime:
    return parse_instant(segment.get(key)) or _EPOCH
