"""One CXone completed contact (``GET contacts/completed``) to a Disposition.

code: the name of ``primaryDispositionId`` from the catalog, else from the ``skillDisposition`` object a wrapped
record carries (the ``{"completedContact": ..., "skillDisposition": ...}`` shape). With no catalog the code is the
id as text and ``fields["disposition_name_missing"]`` is ``"true"``, so rules can still match ids. With a catalog,
an id it does not list is an error naming the field, so the record can be retried after the catalog is fixed;
the same holds for ``secondaryDispositionId``. A null primary disposition is code ``""``.

occurred_at: ``lastUpdateTime``, else ``contactStart``; ISO 8601, and a time without an offset is taken as UTC
(the contact-history API documents UTC). mediaType: 4 PhoneCall and 5 VoiceEmail are voice, 1 Email is email,
3 Chat, 9 Digital and 6 WorkItem are message; anything else is voice with ``fields["media_type_unknown"]``.

Genesys conversation id: ``options.conversation_id_field`` as a dotted path into the contact (then into the wrapping
record), by default ``genesysConversationId`` or ``genesys_conversation_id`` on the contact: the contact-history
API has no custom fields, so the migration's export step stores it next to the contact.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from wrapup_bridge.adapters._common import get_path, text_or_none
from wrapup_bridge.adapters.base import CXoneRecordError
from wrapup_bridge.adapters.cxone.catalog import CatalogEntry, parse_entry, parse_id
from wrapup_bridge.core.disposition import Disposition, Media, is_genesys_id

__all__ = ["DEFAULT_CONVERSATION_PATHS", "ContactConverter"]

DEFAULT_CONVERSATION_PATHS = ("genesysConversationId", "genesys_conversation_id")

_MEDIA = {
    "1": Media.EMAIL,
    "3": Media.MESSAGE,
    "4": Media.VOICE,
    "5": Media.VOICE,
    # UNSURE: a WorkItem is a routed digital task; "message" is the nearest Genesys media family a wrap-up can carry.
    "6": Media.MESSAGE,
    "9": Media.MESSAGE,
}

#: contact key -> field name, copied as text when present
_FIELDS = {
    "masterContactId": "master_contact_id",
    "skillName": "skill_name",
    "skillId": "skill_id",
    "campaignName": "campaign_name",
    "teamName": "team_name",
    "mediaTypeName": "media_type_name",
    "isOutbound": "is_outbound",
    "abandoned": "abandoned",
}


class ContactConverter:
    """Completes contacts from the catalog (None when no catalog was given) and builds Dispositions."""

    def __init__(self, *, catalog: Mapping[str, CatalogEntry] | None, conversation_path: str | None) -> None:
        self.catalog = catalog
        self.conversation_paths = (conversation_path,) if conversation_path else DEFAULT_CONVERSATION_PATHS

    def convert(self, record: Any, *, position: str, input_name: str | None) -> Disposition:
        """Raise CXoneRecordError naming the position (and contactId when known) and the field."""
        wrapper: Mapping[str, Any] | None = None
        contact = record
        if isinstance(record, Mapping) and "completedContact" in record:
            wrapper, contact = record, record["completedContact"]
        where = position

        def error(message: str, field: str | None) -> CXoneRecordError:
            return CXoneRecordError(message, record=where, field=field, input_name=input_name, raw=record)

        if not isinstance(contact, Mapping):
            raise error(
                f"expected a contact object, got {type(contact).__name__}", "completedContact" if wrapper else None
            )
        contact_id = contact.get("contactId")
        if isinstance(contact_id, bool) or not isinstance(contact_id, int | str) or not str(contact_id).strip():
            raise error("contactId is missing or not an id", "contactId")
        source_id = str(contact_id).strip()
        where = f"{position} (contactId {source_id})"

        fields = {name: text for key, name in _FIELDS.items() if (text := text_or_none(contact.get(key))) is not None}
        code = ""
        entry: CatalogEntry | None = None
        for key, prefix in (("primaryDispositionId", ""), ("secondaryDispositionId", "secondary_")):
            try:
                ident = parse_id(contact.get(key))
            except ValueError as exc:
                raise error(str(exc), key) from None
            if ident is None:
                continue
            found = self._lookup(ident, wrapper if not prefix else None)
            if found is None and self.catalog is not None:
                raise error(f"{key} {ident} is not in the disposition catalog; add it to the catalog and retry", key)
            name = found.name if found else ident
            if found is None:
                fields["disposition_name_missing"] = "true"
            if prefix:
                fields["secondary_disposition"] = name
                fields["secondary_disposition_id"] = ident
            else:
                code, entry = name, found
                fields["disposition_id"] = ident
        if entry is not None:
            fields.update(entry.fields())

        media_id = text_or_none(contact.get("mediaType"))
        if media_id is not None:
            fields["media_type_id"] = media_id
        try:
            media = _MEDIA.get(parse_id(contact.get("mediaType")) or "")
        except ValueError:
            media = None
        if media is None:
            media = Media.VOICE
            fields["media_type_unknown"] = "true"

        occurred_at = None
        for key in ("lastUpdateTime", "contactStart"):
            if contact.get(key) is not None:
                try:
                    occurred_at = _utc(contact[key])
                except ValueError as exc:
                    raise error(str(exc), key) from None
                break

        conversation_id = None
        for path in self.conversation_paths:
            value = get_path(contact, path)
            if value is None and wrapper is not None:
                value = get_path(wrapper, path)
            text = text_or_none(value)
            if text is None:
                continue
            if not is_genesys_id(text.strip()):
                raise error(f"{text!r} is not a Genesys conversation id (expected a UUID)", path)
            conversation_id = text.strip()
            break

        try:
            return Disposition(
                source="cxone",
                source_id=source_id,
                conversation_id=conversation_id,
                code=code,
                fields=fields,
                notes=text_or_none(contact.get("dispositionNotes")),
                agent=text_or_none(contact.get("agentId")),
                media=media,
                occurred_at=occurred_at,
            )
        except ValidationError as exc:
            problem = exc.errors()[0]
            raise error(str(problem["msg"]), ".".join(str(p) for p in problem["loc"])) from None

    def _lookup(self, ident: str, wrapper: Mapping[str, Any] | None) -> CatalogEntry | None:
        if self.catalog is not None and ident in self.catalog:
            return self.catalog[ident]
        inline = wrapper.get("skillDisposition") if wrapper is not None else None
        if inline is None:
            return None
        try:
            entry = parse_entry(inline)
        except ValueError:
            return None  # an unusable inline object is as good as none; the catalog decides
        return entry if entry.id == ident else None


def _utc(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not an ISO 8601 time")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{value!r} is out of the supported date range") from None
