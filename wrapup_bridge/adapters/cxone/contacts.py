"""One CXone completed contact (``GET contacts/completed``, old or new API) to a Disposition.

Values are read whatever type they arrived as (older API versions send every value as a string: ``"False"``,
``"187"``, ``"93"``; see ``_values``). Each part comes from the field map (``options.fields``: dotted paths into the
contact, then into the wrapping record) when it places that part, else from these places:

code: the name of ``primaryDispositionId`` from the catalog, else from the ``skillDisposition`` object a wrapped
record carries (the ``{"completedContact": ..., "skillDisposition": ...}`` shape). With no catalog the code is the
id as text and ``fields["disposition_name_missing"]`` is ``"true"``, so rules can still match ids. With a catalog,
an id it does not list is an error naming the field, so the record can be retried after the catalog is fixed;
the same holds for ``secondaryDispositionId``. A null primary disposition, and the id ``0`` (number or text, which
CXone writes for "none"), is code ``""``; a secondary ``0`` adds no secondary fields. A field-mapped ``code`` holding
a number is such an id; holding text, it is the disposition's name as written.

occurred_at: when the contact and its after-call work ended: ``contactStart`` (``contactStartDate`` in newer
reporting) + ``totalDurationSeconds`` + the ACW seconds (``ACWSeconds`` / ``acwSeconds``) when present.
``lastUpdateTime`` is *not* that time: CXone changes it whenever it touches the record afterwards (warehousing,
analytics), hours or days later. Without a duration the start alone is used and ``fields["time_precision"]`` is
``"start"``; only when there is no start either is ``lastUpdateTime`` used, with ``fields["time_source"]`` =
``"lastUpdateTime"``. UNSURE: whether ``totalDurationSeconds`` already counts the ACW; adding it errs late, which
keeps the record after the wrap-up it stands for. A field-mapped ``time`` replaces this rule; it may join places
(``contactStartDate+totalDurationSeconds+acwSeconds``): the first is a time, each further one holding a number is
seconds added to it, a further one holding text is joined to it with a space (``DATE+TIME``).

agent: ``agentId``; the agent's ``firstName`` / ``lastName`` become ``fields["agent_first_name"]``,
``["agent_last_name"]`` and, with both, ``["agent_name"]`` ("First Last"), which the Genesys target choice
matches users by. mediaType (``mediaTypeId``; else the ``mediaTypeName``): 4 PhoneCall and 5 VoiceEmail are
voice, 1 Email is email, 3 Chat, 9 Digital and 6 WorkItem are message; anything else is voice with
``fields["media_type_unknown"]``.

numbers: ``fromAddr`` and ``toAddr`` become ``fields["from_addr"]`` and ``["to_addr"]`` as written, so correlation
(``core.correlate.spec.PLATFORM_FIELDS["cxone"]``) can match a contact to its Genesys conversation by the calling
and the dialled number. Both are in the completed-contact schema of singer-io/tap-nice-incontact
(``tap_nice_incontact/schemas/contacts_completed.json``: string or null) and in ../shared/reference/cxone.md §4-5,
where an inbound call has the customer in ``fromAddr`` and the point of contact in ``toAddr``. UNSURE (no public
outbound sample was found): on an outbound contact ``fromAddr`` is the caller id dialled from and ``toAddr`` the
customer, the way the shipped example writes them; an email contact carries addresses, which correlation reads as
no number.

Genesys conversation id: the field map's ``conversation_id`` or ``options.conversation_id_field`` as a dotted path,
by default ``genesysConversationId`` or ``genesys_conversation_id``: the contact-history API has no custom fields,
so the migration's export step stores it next to the contact.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from wrapup_bridge.adapters._common import get_path, text_or_none
from wrapup_bridge.adapters.base import AdapterOptions, CXoneRecordError
from wrapup_bridge.adapters.cxone._values import add_seconds, bool_text, instant, is_number, seconds
from wrapup_bridge.adapters.cxone.catalog import CatalogEntry, parse_entry, parse_id
from wrapup_bridge.adapters.explain import Origins
from wrapup_bridge.adapters.localtime import TimeSettings
from wrapup_bridge.core.disposition import Disposition, Media, is_genesys_id

__all__ = ["DEFAULT_CONVERSATION_PATHS", "ContactConverter", "Trace"]

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
#: mediaTypeName (or a field-mapped media), lowercase without spaces -> media
_MEDIA_NAMES = {
    "call": Media.VOICE,
    "phonecall": Media.VOICE,
    "voice": Media.VOICE,
    "voiceemail": Media.VOICE,
    "voicemail": Media.VOICE,
    "email": Media.EMAIL,
    "chat": Media.MESSAGE,
    "digital": Media.MESSAGE,
    "workitem": Media.MESSAGE,
    "message": Media.MESSAGE,
    **{media.value: media for media in Media},
}

#: contact key -> field name, copied as text when present
_FIELDS = {
    "masterContactId": "master_contact_id",
    "skillName": "skill_name",
    "skillId": "skill_id",
    "campaignName": "campaign_name",
    "teamName": "team_name",
    "mediaTypeName": "media_type_name",
    "endReason": "end_reason",
    # the calling and the dialled number (or an email contact's addresses), for correlation
    "fromAddr": "from_addr",
    "toAddr": "to_addr",
}
#: boolean contact keys -> field name ("True"/"False" strings read as booleans)
_BOOL_FIELDS = {"isOutbound": "is_outbound", "abandoned": "abandoned"}

_DEFAULTS: dict[str, tuple[str, ...]] = {
    "source_id": ("contactId",),
    "agent": ("agentId",),
    "notes": ("dispositionNotes",),
    "media": ("mediaType", "mediaTypeId", "mediaTypeName"),
}
_MEDIA_ID_KEYS = ("mediaType", "mediaTypeId")
_STARTS = ("contactStart", "contactStartDate")
_ACW = ("ACWSeconds", "acwSeconds")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


class Trace:
    """Where each part of the record being built came from, and what is worth telling about the input."""

    def __init__(self) -> None:
        self.origins = Origins()
        self.notes: dict[str, None] = {}

    def note(self, text: str) -> None:
        self.notes[text] = None


class ContactConverter:
    """Completes contacts from the catalog (None when no catalog was given) and builds Dispositions."""

    def __init__(
        self, *, catalog: Mapping[str, CatalogEntry] | None, options: AdapterOptions, time: TimeSettings
    ) -> None:
        self.catalog = catalog
        self.fields = options.fields
        self.time = time
        placed = tuple(p for p in (options.conversation_id_field, *options.fields.get("conversation_id")) if p)
        self.conversation_paths = tuple(dict.fromkeys(placed)) or DEFAULT_CONVERSATION_PATHS

    def places(self, key: str) -> tuple[str, ...]:
        """Where ``key`` is read from: the field map's places, else the defaults."""
        return self.fields.get(key) or _DEFAULTS.get(key, ())

    def convert(self, record: Any, *, position: str, input_name: str | None, trace: Trace | None = None) -> Disposition:
        """Raise CXoneRecordError naming the position (and contactId when known) and the field."""
        trace = trace or Trace()
        put = trace.origins.put
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

        def find(places: tuple[str, ...]) -> tuple[str, Any] | None:
            return _find(contact, wrapper, places)

        places = self.places("source_id")
        found_id = find(places)
        contact_id = found_id[1] if found_id else None
        if isinstance(contact_id, bool) or not isinstance(contact_id, int | str):
            place = found_id[0] if found_id else places[0]
            raise error(f"{place} is missing or not an id", place)
        source_id = str(contact_id).strip()
        put("source_id", found_id[0] if found_id else places[0])
        where = f"{position} (contactId {source_id})"
        if _has_string_values(contact):
            trace.note("values arrived as strings ('False', '187'): read as booleans and numbers")

        fields = {name: text for key, name in _FIELDS.items() if (text := text_or_none(contact.get(key))) is not None}
        fields.update(
            {name: text for key, name in _BOOL_FIELDS.items() if (text := bool_text(contact.get(key))) is not None}
        )
        for name in fields:
            put(f"fields.{name}", next(k for k, n in (*_FIELDS.items(), *_BOOL_FIELDS.items()) if n == name))

        # --- dispositions -------------------------------------------------------------------------------------
        def disposition(
            key: str, value: Any, inline: Mapping[str, Any] | None
        ) -> tuple[str, CatalogEntry | None, str] | None:
            """(id, catalog entry, where its name came from) of a disposition id; None for none (null, blank, 0)."""
            try:
                ident = parse_id(value)
            except ValueError as exc:
                raise error(str(exc), key) from None
            if ident is None or ident == "0":  # CXone writes 0 for "no disposition"
                return None
            found, how = self._lookup(ident, inline)
            if found is None and self.catalog is not None:
                raise error(f"{key} {ident} is not in the disposition catalog; add it to the catalog and retry", key)
            if found is None:
                fields["disposition_name_missing"] = "true"
                put("fields.disposition_name_missing", f"{key} {ident}: no catalog to name it")
                trace.note("no catalog (--catalog): codes are disposition ids")
            return ident, found, f"{key} {ident} -> {how}"

        code = ""
        entry: CatalogEntry | None = None
        placed_code = self.fields.get("code")
        primary = find(placed_code) if placed_code else ("primaryDispositionId", contact.get("primaryDispositionId"))
        if primary is None:
            put("code", f"not in the record (field code: {' | '.join(placed_code)})")
        elif placed_code and not is_number(primary[1]):
            if not isinstance(primary[1], str):
                raise error(f"{primary[1]!r} is not a disposition id or name", primary[0])
            code = primary[1].strip()
            put("code", f"{primary[0]} (a name, as written)")
        elif (resolved := disposition(*primary, wrapper)) is None:
            put("code", f"{primary[0]} {text_or_none(primary[1]) or 'empty'}: no disposition")
        else:
            ident, entry, how = resolved
            code = entry.name if entry else ident
            fields["disposition_id"] = ident
            put("code", how)
            put("fields.disposition_id", primary[0])
        secondary = disposition("secondaryDispositionId", contact.get("secondaryDispositionId"), None)
        if secondary is not None:
            ident, found, how = secondary
            fields["secondary_disposition"] = found.name if found else ident
            fields["secondary_disposition_id"] = ident
            put("fields.secondary_disposition", how)
            put("fields.secondary_disposition_id", "secondaryDispositionId")
        if entry is not None:
            for name in entry.fields():
                put(f"fields.{name}", f"the catalog entry of disposition {entry.id}")
            fields.update(entry.fields())

        # --- agent --------------------------------------------------------------------------------------------
        agent_found = find(self.places("agent"))
        agent = text_or_none(agent_found[1]) if agent_found else None
        put("agent", agent_found[0] if agent_found else "not in the record")
        first, last = text_or_none(contact.get("firstName")), text_or_none(contact.get("lastName"))
        if first:
            fields["agent_first_name"] = first.strip()
            put("fields.agent_first_name", "firstName")
        if last:
            fields["agent_last_name"] = last.strip()
            put("fields.agent_last_name", "lastName")
        placed_name = self.fields.get("agent_name")
        if placed_name:
            if (name_found := find(placed_name)) is not None and (text := text_or_none(name_found[1])):
                fields["agent_name"] = text.strip()
                put("fields.agent_name", f"{name_found[0]} (field agent_name)")
        elif first and last:
            fields["agent_name"] = f"{first.strip()} {last.strip()}"
            put("fields.agent_name", "firstName + lastName")

        # --- media --------------------------------------------------------------------------------------------
        media: Media | None = None
        for place in self.places("media"):
            if (media_found := find((place,))) is None:
                continue
            value = media_found[1]
            by_id = place in _MEDIA_ID_KEYS and not self.fields.get("media")
            if by_id and "media_type_id" not in fields:
                fields["media_type_id"] = str(text_or_none(value)).strip()
                put("fields.media_type_id", place)
            media = _media(value, by_name=not by_id)
            if media is not None:
                put("media", f"{place} {text_or_none(value)}")
                break
        if media is None:
            media = Media.VOICE
            fields["media_type_unknown"] = "true"
            put("media", "voice: no known media type in the record")
            put("fields.media_type_unknown", " | ".join(self.places("media")))

        # --- time ---------------------------------------------------------------------------------------------
        try:
            occurred_at, ambiguous, origin, flags = self._occurred_at(contact, wrapper)
        except _TimeError as exc:
            raise error(exc.message, exc.field) from None
        put("occurred_at", origin)
        for name, value in flags.items():
            fields[name] = value
            put(f"fields.{name}", origin)
        if ambiguous:
            fields["time_ambiguous"] = "true"
            put("fields.time_ambiguous", "the repeated hour when daylight saving time ended")

        # --- conversation id and notes ------------------------------------------------------------------------
        conversation_id = None
        for path in self.conversation_paths:
            if (conversation_found := find((path,))) is None:
                continue
            text = str(text_or_none(conversation_found[1]))
            if not is_genesys_id(text.strip()):
                raise error(f"{text!r} is not a Genesys conversation id (expected a UUID)", path)
            conversation_id = text.strip()
            put("conversation_id", path)
            break
        else:
            put("conversation_id", f"not in the record ({' | '.join(self.conversation_paths)})")
        notes_found = find(self.places("notes"))
        if notes_found is not None:
            put("notes", notes_found[0])

        try:
            return Disposition(
                source="cxone",
                source_id=source_id,
                conversation_id=conversation_id,
                code=code,
                fields=fields,
                notes=text_or_none(notes_found[1]) if notes_found else None,
                agent=agent,
                media=media,
                occurred_at=occurred_at,
            )
        except ValidationError as exc:
            problem = exc.errors()[0]
            raise error(str(problem["msg"]), ".".join(str(p) for p in problem["loc"])) from None

    def _lookup(self, ident: str, wrapper: Mapping[str, Any] | None) -> tuple[CatalogEntry | None, str]:
        if self.catalog is not None and ident in self.catalog:
            return self.catalog[ident], "catalog name"
        inline = wrapper.get("skillDisposition") if wrapper is not None else None
        if inline is None:
            return None, "the id (no name known)"
        try:
            entry = parse_entry(inline)
        except ValueError:
            return None, "the id (no name known)"  # an unusable inline object is as good as none; the catalog decides
        if entry.id == ident:
            return entry, "skillDisposition.dispositionName"
        return None, "the id (no name known)"

    def _occurred_at(
        self, contact: Mapping[str, Any], wrapper: Mapping[str, Any] | None
    ) -> tuple[datetime | None, bool, str, dict[str, str]]:
        """(instant, ambiguous, where it came from, fields to flag); raises _TimeError."""
        placed = self.fields.joined("time")
        if placed:
            for parts in placed:
                values = [found[1] for part in parts if (found := _find(contact, wrapper, (part,))) is not None]
                if len(values) != len(parts):
                    continue
                when, ambiguous = self._joined_time(parts, values)
                return when, ambiguous, f"{'+'.join(parts)} (field time)", {}
            return None, False, f"not in the record (field time: {' | '.join(self.fields.get('time'))})", {}

        start_key = next((k for k in _STARTS if text_or_none(contact.get(k)) is not None), None)
        if start_key is not None:
            start, ambiguous = self._instant(contact[start_key], start_key)
            duration = self._seconds(contact, "totalDurationSeconds")
            if duration is None:
                return start, ambiguous, f"{start_key} alone (no totalDurationSeconds)", {"time_precision": "start"}
            acw_key = next((k for k in _ACW if text_or_none(contact.get(k)) is not None), None)
            acw = self._seconds(contact, acw_key) if acw_key else None
            total = duration + (acw or 0)
            origin = f"{start_key} + totalDurationSeconds" + (f" + {acw_key}" if acw_key else "")
            try:
                return add_seconds(start, total), ambiguous, origin, {}
            except ValueError as exc:
                raise _TimeError(str(exc), "totalDurationSeconds") from None
        if text_or_none(contact.get("lastUpdateTime")) is not None:
            when, ambiguous = self._instant(contact["lastUpdateTime"], "lastUpdateTime")
            return when, ambiguous, "lastUpdateTime (no contactStart)", {"time_source": "lastUpdateTime"}
        return None, False, "not in the record (no contactStart, contactStartDate or lastUpdateTime)", {}

    def _joined_time(self, parts: tuple[str, ...], values: list[Any]) -> tuple[datetime, bool]:
        texts: list[Any] = [values[0]]
        total = 0.0
        for part, value in zip(parts[1:], values[1:], strict=True):
            if is_number(value):
                total += self._seconds({part: value}, part) or 0.0
            else:
                texts.append(value)
        joined = "+".join(parts)
        when_value: Any = texts[0] if len(texts) == 1 else " ".join(str(t).strip() for t in texts)
        when, ambiguous = self._instant(when_value, joined)
        try:
            return add_seconds(when, total), ambiguous
        except ValueError as exc:
            raise _TimeError(str(exc), joined) from None

    def _instant(self, value: Any, key: str) -> tuple[datetime, bool]:
        try:
            return instant(value, self.time)
        except ValueError as exc:
            raise _TimeError(str(exc), key) from None

    @staticmethod
    def _seconds(contact: Mapping[str, Any], key: str) -> float | None:
        try:
            return seconds(contact.get(key), key)
        except ValueError as exc:
            raise _TimeError(str(exc), key) from None


class _TimeError(Exception):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _find(
    contact: Mapping[str, Any], wrapper: Mapping[str, Any] | None, places: tuple[str, ...]
) -> tuple[str, Any] | None:
    """(place, value) of the first place holding a non-blank value, in the contact, then in the wrapping record."""
    for place in places:
        value = get_path(contact, place)
        if value is None and wrapper is not None:
            value = get_path(wrapper, place)
        if text_or_none(value) is not None:
            return place, value
    return None


def _media(value: Any, *, by_name: bool) -> Media | None:
    """The media of a mediaType id; with ``by_name``, also of a name (``Phone Call``, ``Email``, ``chat``)."""
    if is_number(value):
        try:
            return _MEDIA.get(parse_id(value) or "")
        except ValueError:
            return None
    if by_name and isinstance(value, str):
        return _MEDIA_NAMES.get(_NOT_ALNUM.sub("", value.lower()))
    return None


_TYPED_KEYS = (
    "abandoned",
    "isOutbound",
    "ACWSeconds",
    "acwSeconds",
    "totalDurationSeconds",
    "primaryDispositionId",
    "mediaType",
    "mediaTypeId",
)


def _has_string_values(contact: Mapping[str, Any]) -> bool:
    """Whether values the API types (ids, seconds, booleans) arrived as text, as older versions send them."""
    return any(isinstance(contact.get(key), str) and str(contact.get(key)).strip() for key in _TYPED_KEYS)
