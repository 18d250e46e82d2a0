"""A Disposition built from values its reader has already checked, without pydantic checking them again.

Validating a ``Disposition`` costs about as much as reading the Call Log row it comes from (three Python validators
and a copy of ``fields``), and a million-row export pays it a million times for values the reader has just checked
itself. ``checked_disposition`` is for a reader that guarantees what the model's validators would check:

- ``source`` a short lowercase name, ``source_id`` non-empty text, ``code`` text;
- ``conversation_id`` None or a lowercase Genesys id with no spacing (what ``_conversation_id_is_uuid`` returns
  for it unchanged; Five9's ``check_conversation_id`` gives exactly that);
- ``fields`` a dict of text to text that nothing else holds (the record keeps it instead of a copy);
- ``notes`` and ``agent`` text or None, ``media`` a ``Media``.

``occurred_at`` is checked here (an aware time in UTC, as the validator leaves it): anything else, or a pydantic
whose models no longer look as this module builds them (checked once, against a validated record), is validated
as usual, so the record is the same either way. Tests hold the two against each other.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from wrapup_bridge.core.disposition import Disposition, Media

__all__ = ["checked_disposition"]

_new = object.__new__
_set = object.__setattr__
_FIELDS = tuple(Disposition.model_fields)


def checked_disposition(
    *,
    source: str,
    source_id: str,
    conversation_id: str | None,
    code: str,
    fields: dict[str, str],
    notes: str | None,
    agent: str | None,
    media: Media,
    occurred_at: datetime | None,
) -> Disposition:
    """The Disposition of these values, which the caller has checked (see the module docstring)."""
    values = {
        "source": source,
        "source_id": source_id,
        "conversation_id": conversation_id,
        "code": code,
        "fields": fields,
        "notes": notes,
        "agent": agent,
        "media": media,
        "occurred_at": occurred_at,
    }
    if not _TRUSTED or (occurred_at is not None and occurred_at.tzinfo is not UTC):
        return Disposition(**values)
    # What Disposition.model_construct does with every field given, without its per-call bookkeeping.
    record: Disposition = _new(Disposition)
    _set(record, "__dict__", values)
    _set(record, "__pydantic_fields_set__", set(_FIELDS))
    _set(record, "__pydantic_extra__", None)
    _set(record, "__pydantic_private__", None)
    return record


def _built_like_pydantic() -> bool:
    """Whether a record built here has exactly the state pydantic gives the validated one (checked at import)."""
    sample: dict[str, Any] = {
        "source": "five9",
        "source_id": "1",
        "conversation_id": None,
        "code": "",
        "fields": {"a": "b"},
        "notes": None,
        "agent": None,
        "media": Media.VOICE,
        "occurred_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    validated = Disposition(**sample)
    built = checked_disposition(**sample)
    return built.__getstate__() == validated.__getstate__() and built == validated


#: Whether records are built without validation: the way this module builds them is pydantic's (or not: validated).
_TRUSTED = True
_TRUSTED = _built_like_pydantic()
