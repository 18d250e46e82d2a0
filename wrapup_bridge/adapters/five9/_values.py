"""Value rules both Five9 formats share: agent, media type and the Genesys conversation id.

Kept in one place so a Call Log row and a web-connector payload for the same call turn into the same record.
"""

from __future__ import annotations

from wrapup_bridge.core.disposition import GENESYS_ID_RE, Media
from wrapup_bridge.core.normalize import normalize_text

__all__ = ["NO_AGENT", "agent_or_none", "check_conversation_id", "media_for"]

#: Five9 writes the literal ``[None]`` where a call had no agent; it is non-empty text, so it must be caught.
NO_AGENT = "[none]"

_MEDIA: dict[str, Media] = {
    **dict.fromkeys(("voice", "call", "calls", "phone", "phone call", "phonecall", "telephony", "audio"), Media.VOICE),
    **dict.fromkeys(("chat", "sms", "text", "message", "messaging", "web chat", "webchat", "digital"), Media.MESSAGE),
    **dict.fromkeys(("email", "e-mail", "mail"), Media.EMAIL),
    **dict.fromkeys(("social", "social media"), Media.SOCIAL),
    **dict.fromkeys(("video",), Media.VIDEO),
}


def agent_or_none(value: str | None) -> str | None:
    """The agent login, or None for a blank cell or Five9's ``[None]``."""
    if value is None:
        return None
    value = value.strip()
    if not value or normalize_text(value) == NO_AGENT:
        return None
    return value


def media_for(value: str | None) -> tuple[Media, bool]:
    """Media family for a Five9 media type, and False when the value was present but not recognised.

    Five9's Call Log is voice-only, so a missing value is voice. An unknown value is also voice (the likeliest
    family on a telephony platform) but reported, so a rule or a person can look at it.
    """
    if value is None or not value.strip():
        return Media.VOICE, True
    media = _MEDIA.get(normalize_text(value))
    if media is None:
        return Media.VOICE, False
    return media, True


_is_genesys_id = GENESYS_ID_RE.match


def check_conversation_id(value: str | None) -> str | None:
    """The Genesys conversation id in ``value``, None when blank; ValueError when present but not a UUID."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not _is_genesys_id(value):  # is_genesys_id, without a call per row
        raise ValueError(f"{value!r} is not a Genesys conversation id (expected a UUID)")
    return value.lower()
