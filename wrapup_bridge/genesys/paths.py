"""What a request path was trying to do, so an error can say what should have been called instead.

Genesys's wrap-up endpoints are easy to get almost right: a generic ``.../communications/{id}/wrapup`` that
does not exist, a conversation-level wrap-up that does not exist, ``voice`` where the path wants ``calls``.
Recognising those shapes from the path alone lets ``explain()`` name the right endpoint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from wrapup_bridge.core.disposition import Media

__all__ = ["MEDIA_PATHS", "MEDIA_SEGMENTS", "PathInfo", "PathKind", "classify_path", "suggest_media_segment"]

#: Media -> the path segment of its wrap-up endpoint: POST /api/v2/conversations/{segment}/{cid}/participants/...
#: (reference §1.1). A Genesys fact, so it lives here; core knows only the platform-free ``Media`` families.
MEDIA_PATHS: Final[dict[Media, str]] = {
    Media.VOICE: "calls",
    Media.CALLBACK: "callbacks",
    Media.EMAIL: "emails",
    Media.MESSAGE: "messages",
    Media.SOCIAL: "socials",
    Media.VIDEO: "videos",
}
#: Media segments that have a wrap-up POST.
MEDIA_SEGMENTS: Final = tuple(MEDIA_PATHS.values())
#: Media segments that exist for reads only.
_READ_ONLY_MEDIA = ("cobrowsesessions", "screenshares", "chats")

_SUGGEST = {
    "voice": "calls",
    "call": "calls",
    "phone": "calls",
    "callback": "callbacks",
    "email": "emails",
    "mail": "emails",
    "message": "messages",
    "messaging": "messages",
    "sms": "messages",
    "chat": "messages",
    "chats": "messages",
    "webmessaging": "messages",
    "whatsapp": "messages",
    "social": "socials",
    "socialexpressions": "socials",
    "video": "videos",
}

_SEG = r"[^/]+"


class PathKind(StrEnum):
    """The operation a path addresses, as far as explaining errors needs to know."""

    TOKEN = "token"
    MEDIA_WRAPUP = "media-wrapup"  #: /conversations/{media}/{cid}/participants/{pid}/communications/{comm}/wrapup
    GENERIC_COMMUNICATION_WRAPUP = "generic-communication-wrapup"  #: the endpoint that does not exist
    PARTICIPANT_WRAPUP = "participant-wrapup"  #: GET-only .../participants/{pid}/wrapup
    PARTICIPANT_WRAPUPCODES = "participant-wrapupcodes"
    PARTICIPANT = "participant"  #: PATCH .../participants/{pid} (wrapup in the body)
    CONVERSATION_WRAPUP = "conversation-wrapup"  #: interaction-level wrap-up, which does not exist
    CONVERSATION = "conversation"
    WRAPUPCODES = "wrapupcodes"
    WRAPUPCODE = "wrapupcode"
    QUEUE_WRAPUPCODES = "queue-wrapupcodes"
    QUEUE = "queue"
    ANALYTICS = "analytics"
    USERS = "users"  #: /api/v2/users (bulk by id) and /api/v2/users/{userId}: who the agents are
    OUTBOUND_WRAPUPCODEMAPPINGS = "outbound-wrapupcodemappings"  #: the dialer's flags per wrap-up code (issue 15)
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class PathInfo:
    """The kind of a path and the ids found in it."""

    kind: PathKind
    media: str | None = None
    conversation_id: str | None = None
    participant_id: str | None = None
    communication_id: str | None = None
    code_id: str | None = None
    queue_id: str | None = None

    @property
    def media_known(self) -> bool:
        return self.media is None or self.media in MEDIA_SEGMENTS or self.media in _READ_ONLY_MEDIA

    @property
    def is_wrapup_write_shape(self) -> bool:
        """True for the shapes a wrap-up write uses (or wrongly tries to use)."""
        return self.kind in (
            PathKind.MEDIA_WRAPUP,
            PathKind.GENERIC_COMMUNICATION_WRAPUP,
            PathKind.PARTICIPANT,
            PathKind.CONVERSATION_WRAPUP,
            PathKind.PARTICIPANT_WRAPUP,
        )


_CONV = "/api/v2/conversations"
_PATTERNS: tuple[tuple[PathKind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern + r"/?$"))
    for kind, pattern in (
        (PathKind.TOKEN, r"^(?:/[^/]+)*/oauth/token"),
        (
            PathKind.MEDIA_WRAPUP,
            rf"^{_CONV}/(?P<media>[a-zA-Z]+)/(?P<cid>{_SEG})/participants/(?P<pid>{_SEG})"
            rf"/communications/(?P<comm>{_SEG})/wrapup",
        ),
        (
            PathKind.GENERIC_COMMUNICATION_WRAPUP,
            rf"^{_CONV}/(?P<cid>{_SEG})/participants/(?P<pid>{_SEG})/communications/(?P<comm>{_SEG})/wrapup",
        ),
        (
            PathKind.PARTICIPANT_WRAPUPCODES,
            rf"^{_CONV}(?:/(?P<media>[a-zA-Z]+))?/(?P<cid>{_SEG})/participants/(?P<pid>{_SEG})/wrapupcodes",
        ),
        (
            PathKind.PARTICIPANT_WRAPUP,
            rf"^{_CONV}(?:/(?P<media>[a-zA-Z]+))?/(?P<cid>{_SEG})/participants/(?P<pid>{_SEG})/wrapup",
        ),
        (PathKind.PARTICIPANT, rf"^{_CONV}(?:/(?P<media>[a-zA-Z]+))?/(?P<cid>{_SEG})/participants/(?P<pid>{_SEG})"),
        (PathKind.CONVERSATION_WRAPUP, rf"^{_CONV}(?:/(?P<media>[a-zA-Z]+))?/(?P<cid>{_SEG})/wrap-?up(?:codes?)?"),
        (PathKind.CONVERSATION_WRAPUP, rf"^/api/v2/interactions/(?P<cid>{_SEG})(?:/wrap-?up(?:codes?)?)?"),
        (PathKind.CONVERSATION, rf"^{_CONV}(?:/(?P<media>[a-zA-Z]+))?/(?P<cid>[0-9a-fA-F-]{{36}})"),
        (PathKind.WRAPUPCODES, r"^/api/v2/routing/wrapupcodes(?:/divisionviews)?"),
        (PathKind.WRAPUPCODE, rf"^/api/v2/routing/wrapupcodes(?:/divisionviews)?/(?P<code>{_SEG})"),
        (PathKind.QUEUE_WRAPUPCODES, rf"^/api/v2/routing/queues/(?P<queue>{_SEG})/wrapupcodes(?:/{_SEG})?"),
        (PathKind.QUEUE, rf"^/api/v2/routing/queues/(?P<queue>{_SEG})"),
        (PathKind.ANALYTICS, r"^/api/v2/analytics/.*"),
        (PathKind.USERS, rf"^/api/v2/users(?:/{_SEG})?"),
        (PathKind.OUTBOUND_WRAPUPCODEMAPPINGS, r"^/api/v2/outbound/wrapupcodemappings"),
    )
)


def classify_path(path: str) -> PathInfo:
    """Recognise the operation ``path`` (without query string) addresses."""
    path = path.split("?", 1)[0]
    for kind, pattern in _PATTERNS:
        match = pattern.match(path)
        if match is None:
            continue
        groups = match.groupdict()
        media = groups.get("media")
        return PathInfo(
            kind=kind,
            media=media.lower() if media else None,
            conversation_id=groups.get("cid"),
            participant_id=groups.get("pid"),
            communication_id=groups.get("comm"),
            code_id=groups.get("code"),
            queue_id=groups.get("queue"),
        )
    return PathInfo(kind=PathKind.OTHER)


def suggest_media_segment(segment: str) -> str | None:
    """The wrap-up media segment a wrong one most likely meant (``voice`` -> ``calls``)."""
    return _SUGGEST.get(segment.lower())
