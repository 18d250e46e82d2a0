"""The one shape every legacy platform's disposition is turned into.

Adapters produce it, the mapping table reads it, the Genesys sink acts on it. It is frozen so that a record
can be shared between the resolver, a plan, a ledger and a report without anyone changing it underway, and
it keeps the legacy ``code`` exactly as written: normalization is for matching only, never for storage.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from enum import StrEnum
from json.encoder import encode_basestring
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["FIELD_KEYS", "GENESYS_ID_RE", "Disposition", "Media", "is_genesys_id"]

#: The parts of a disposition an export's field map can place (a table's ``source.fields``, ``--field``), and
#: what each holds.
FIELD_KEYS: dict[str, str] = {
    "code": "the legacy disposition (its name or id)",
    "source_id": "the record's id on the legacy platform (CALL ID, TaskSid, contactId)",
    "agent": "the agent's login, id or e-mail",
    "agent_name": "the agent's full name",
    "time": "when the interaction ended; two places joined with '+' (DATE+TIME) are read as one",
    "conversation_id": "the Genesys conversation id this migration stored",
    "notes": "free-text notes",
    "media": "the media or channel (voice, chat, email, ...)",
}

#: Genesys Cloud ids (conversations, participants, users, wrap-up codes) are lowercase-or-uppercase UUIDs.
GENESYS_ID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

_SOURCE_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


def is_genesys_id(value: str) -> bool:
    """True when ``value`` has the shape of a Genesys Cloud id (a UUID)."""
    return bool(GENESYS_ID_RE.match(value))


class Media(StrEnum):
    """Genesys media families a wrap-up can be applied to; each has its own wrap-up endpoint."""

    VOICE = "voice"
    CALLBACK = "callback"
    EMAIL = "email"
    MESSAGE = "message"
    SOCIAL = "social"
    VIDEO = "video"


class Disposition(BaseModel):
    """How one legacy interaction ended, in platform-neutral terms.

    ``fields`` holds every other attribute a mapping rule may match on (campaign, queue or skill, call type,
    ``conversation_attribute_N``, topic path, AMD result, secondary disposition, ...), as text. Keys are
    lower snake case (``call_type``, ``conversation_attribute_2``) so that rules read the same whatever the
    source spelled them as.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)

    source: str = Field(description="Legacy platform: twilio, five9, cxone, ...")
    source_id: str = Field(
        min_length=1, description="The record's id on the legacy platform (TaskSid, CALL ID, contactId)"
    )
    conversation_id: str | None = Field(
        default=None, description="Genesys conversation id (UUID), when the legacy record carries one"
    )
    code: str = Field(description="The legacy disposition exactly as written; empty when none was set")
    fields: dict[str, str] = Field(default_factory=dict)
    notes: str | None = None
    agent: str | None = Field(default=None, description="Agent login, email or name; a Genesys user id if known")
    media: Media = Media.VOICE
    occurred_at: datetime | None = Field(default=None, description="When the disposition was set, in UTC")

    @field_validator("source")
    @classmethod
    def _source_is_identifier(cls, value: str) -> str:
        if not _SOURCE_RE.match(value):
            raise ValueError("source must be a short lowercase name such as 'twilio', 'five9' or 'cxone'")
        return value

    @field_validator("conversation_id")
    @classmethod
    def _conversation_id_is_uuid(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not value:
            return None
        if not is_genesys_id(value):
            raise ValueError(f"{value!r} is not a Genesys conversation id (expected a UUID)")
        return value.lower()

    @field_validator("occurred_at")
    @classmethod
    def _occurred_at_is_utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("occurred_at must carry a timezone; legacy local times are converted by the adapter")
        return value.astimezone(UTC)

    def to_json_dict(self) -> dict[str, Any]:
        """The record as the JSON-lines shape ``wrapup-bridge normalize`` prints (ISO 8601 UTC times)."""
        return {
            "source": self.source,
            "source_id": self.source_id,
            "conversation_id": self.conversation_id,
            "code": self.code,
            "fields": dict(self.fields),
            "notes": self.notes,
            "agent": self.agent,
            "media": self.media.value,
            "occurred_at": self.occurred_at.isoformat().replace("+00:00", "Z") if self.occurred_at else None,
        }

    def to_json_line(self) -> str:
        """The record as one line of ``wrapup-bridge normalize``'s output (without the newline): exactly
        ``json.dumps(self.to_json_dict(), ensure_ascii=False, default=str)``, built directly, as encoding the dict
        cost more than reading a Call Log row. Texts are quoted by json's own encoder (``encode_basestring``, what
        ``dumps`` uses with ``ensure_ascii=False``); a record holding anything else goes through ``dumps``."""
        try:
            fields = ", ".join([f"{_quote(key)}: {_quote(value)}" for key, value in self.fields.items()])
            conversation_id, notes, agent, occurred_at = self.conversation_id, self.notes, self.agent, self.occurred_at
            return (
                f'{{"source": {_quote(self.source)}, "source_id": {_quote(self.source_id)}, '
                f'"conversation_id": {"null" if conversation_id is None else _quote(conversation_id)}, '
                f'"code": {_quote(self.code)}, "fields": {{{fields}}}, '
                f'"notes": {"null" if notes is None else _quote(notes)}, '
                f'"agent": {"null" if agent is None else _quote(agent)}, "media": {_quote(self.media.value)}, '
                f'"occurred_at": {_quote(occurred_at.isoformat().replace("+00:00", "Z")) if occurred_at else "null"}}}'
            )
        except TypeError:  # something not text (a record made with model_construct): as json.dumps writes it
            return json.dumps(self.to_json_dict(), ensure_ascii=False, default=str)


#: A text as a JSON string, as ``json.dumps(..., ensure_ascii=False)`` writes it (C; raises TypeError for non-text).
_quote = encode_basestring
