"""The envelopes CXone contact history arrives in, each read directly.

- ``{"resultSet": {"completedContacts": [...], "_links": ..., "businessUnitId": ..., "lastPollTime": ...}}``:
  ``GET contacts/completed`` in older API versions, every value a string;
- ``{"completedContacts": [...], "totalRecords": N}``: ``GET contacts/completed``;
- ``{"totalRecords": N, "contacts": [...]}``: newer reporting, typed values (``contactStartDate``, ``mediaTypeId``,
  ``acwSeconds``, ``endReason``);
- ``{"completedContact": {...}, "skillDisposition": {...}}``: one contact with the skill disposition it was given;
- one contact object (``contactId``).

A JSON array or JSON lines may hold any of these (saved pages, warehouse exports). An object that is none of them
is an error naming the keys it has, so an unknown export says what it looked like instead of "contactId missing".
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import IO, Any

from wrapup_bridge.adapters._common import get_path, iter_json_records, text_or_none
from wrapup_bridge.adapters.base import CXoneRecordError

__all__ = ["ENVELOPES", "PAGE_KINDS", "Item", "envelope_of", "walk"]

#: envelope kind -> how a person recognises it
ENVELOPES = {
    "result-set": '{"resultSet": {"completedContacts": [...]}} (older API, values as strings)',
    "page": '{"completedContacts": [...], "totalRecords": N} (contacts/completed page)',
    "reporting": '{"totalRecords": N, "contacts": [...]} (newer reporting)',
    "wrapped": '{"completedContact": {...}, "skillDisposition": {...}} (a contact with its skill disposition)',
    "contact": "a contact object",
    "unknown": "an object of no known shape",
    "not-json": "text that is not JSON",
    "other": "a value that is not an object",
}
PAGE_KINDS = frozenset({"result-set", "page", "reporting"})

_EXPECTED = (
    'expected a contact (with contactId), {"completedContacts": [...]}, {"resultSet": {"completedContacts": [...]}}, '
    '{"totalRecords": N, "contacts": [...]} or {"completedContact": {...}, "skillDisposition": {...}}'
)

#: keys of a completed contact, old and new (singer-io/tap-nice-incontact schemas/contacts_completed.json and the
#: newer reporting names): an object with any of them is a contact, whatever else is wrong with it
CONTACT_KEYS = frozenset(
    [
        "abandoned",
        "abandonSeconds",
        "ACWSeconds",
        "acwSeconds",
        "agentId",
        "agentSeconds",
        "callbackTime",
        "campaignId",
        "campaignName",
        "confSeconds",
        "contactId",
        "contactStart",
        "contactStartDate",
        "dateACWWarehoused",
        "dateContactWarehoused",
        "dispositionNotes",
        "endReason",
        "firstName",
        "fromAddr",
        "holdCount",
        "holdSeconds",
        "inQueueSeconds",
        "isLogged",
        "isOutbound",
        "isRefused",
        "isShortAbandon",
        "isTakeover",
        "lastName",
        "lastUpdateTime",
        "masterContactId",
        "mediaType",
        "mediaTypeId",
        "mediaSubTypeId",
        "mediaSubTypeName",
        "mediaTypeName",
        "pointOfContactId",
        "pointOfContactName",
        "postQueueSeconds",
        "preQueueSeconds",
        "primaryDispositionId",
        "refuseReason",
        "refuseTime",
        "releaseSeconds",
        "routingTime",
        "secondaryDispositionId",
        "serviceLevelFlag",
        "skillId",
        "skillName",
        "teamId",
        "teamName",
        "toAddr",
        "totalDurationSeconds",
        "transferIndicatorId",
        "transferIndicatorName",
        "isAnalyticsProcessed",
        "analyticsProcessedDate",
    ]
)


class Item:
    """One record found in the input: a contact (or wrapped contact) to convert, or the error reading it."""

    __slots__ = ("kind", "position", "record")

    def __init__(self, position: str, kind: str, record: Any) -> None:
        self.position = position
        self.kind = kind
        self.record = record


def envelope_of(doc: Any, id_places: tuple[str, ...]) -> str:
    """The kind of one JSON document or line (a key of ENVELOPES)."""
    if not isinstance(doc, Mapping):
        return "other"
    if "completedContacts" in doc:
        return "page"
    if "resultSet" in doc:
        return "result-set"
    if "contacts" in doc and "contactId" not in doc:
        return "reporting"
    if "completedContact" in doc:
        return "wrapped"
    if CONTACT_KEYS.intersection(doc) or any(get_path(doc, place) is not None for place in id_places):
        return "contact"
    return "unknown"


def walk(stream: IO[str], name: str, id_places: tuple[str, ...]) -> Iterator[Item]:
    """Every record of the input with the kind of document it came in; envelope problems as CXoneRecordError."""
    for position, doc in iter_json_records(stream):
        if isinstance(doc, json.JSONDecodeError):
            problem = CXoneRecordError(f"not valid JSON: {doc.msg}", record=position, input_name=name, raw=doc.doc)
            yield Item(position, "not-json", problem)
            continue
        kind = envelope_of(doc, id_places)
        if kind in PAGE_KINDS:
            contacts = page_contacts(doc, kind, position, name)
            if isinstance(contacts, CXoneRecordError):
                yield Item(position, kind, contacts)
                continue
            for number, contact in enumerate(contacts, start=1):
                yield Item(f"{position} contact {number}", kind, contact)
        elif kind == "unknown":
            yield Item(position, kind, unknown(doc, position, name))
        else:
            yield Item(position, kind, doc)


def page_contacts(
    doc: Mapping[str, Any], kind: str, position: str | None, name: str | None
) -> list[Any] | CXoneRecordError:
    """The contacts of a page of kind ``kind``, or the error saying why there are none to read."""
    holder: Any = doc
    key = {"page": "completedContacts", "reporting": "contacts", "result-set": "completedContacts"}[kind]
    field = key
    if kind == "result-set":
        holder = doc["resultSet"]
        field = f"resultSet.{key}"
        if not isinstance(holder, Mapping):
            return CXoneRecordError(
                f"resultSet is {type(holder).__name__}, not an object", record=position, field="resultSet",
                input_name=name, raw=doc,
            )  # fmt: skip
        if key not in holder:
            found = ", ".join(sorted(str(k) for k in holder)) or "none"
            return CXoneRecordError(
                f"resultSet has no completedContacts (its keys: {found})", record=position, field="resultSet",
                input_name=name, raw=doc,
            )  # fmt: skip
    contacts = holder[key]
    if not isinstance(contacts, list):
        return CXoneRecordError(f"{field} is not a list", record=position, field=field, input_name=name, raw=doc)
    return contacts


def unknown(doc: Mapping[str, Any], position: str | None, name: str | None) -> CXoneRecordError:
    """The error for an object that is neither a contact nor a known envelope, naming the keys it has."""
    keys = sorted(str(k) for k in doc)
    shown = ", ".join(keys[:12]) + (f" and {len(keys) - 12} more" if len(keys) > 12 else "")
    total = text_or_none(doc.get("totalRecords"))
    return CXoneRecordError(
        f"not a CXone completed contact nor a known envelope: it has keys {shown or '(none)'}"
        + (f" (totalRecords {total} but no contacts list)" if total is not None else "")
        + f"; {_EXPECTED}",
        record=position,
        input_name=name,
        raw=dict(doc),
    )
