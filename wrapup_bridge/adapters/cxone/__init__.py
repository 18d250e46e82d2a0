"""The NICE CXone source adapter: completed contacts (contact history) joined with the disposition catalog.

Format ``completed-contacts``: a ``{"completedContacts": [...], "totalRecords": N}`` page (one document, or one page
per line), a JSON array of contacts, JSON lines of contacts, or records wrapping a contact as
``{"completedContact": {...}, "skillDisposition": {...}}``. Positions read "item N" / "line N", with "contact M" for
the M-th contact of a page, and the contactId once it is known. How a contact becomes a record is in ``contacts``;
the catalog (``options.catalog``) is in ``catalog``, loaded once in the constructor so a broken catalog fails before
any record is read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import IO, Any, ClassVar

from wrapup_bridge.adapters._common import iter_json_records
from wrapup_bridge.adapters.base import AdapterOptions, CXoneRecordError
from wrapup_bridge.adapters.cxone.catalog import CatalogEntry, load_catalog
from wrapup_bridge.adapters.cxone.contacts import ContactConverter
from wrapup_bridge.core.disposition import Disposition

__all__ = ["CXoneAdapter", "CatalogEntry"]


class CXoneAdapter:
    """Reads CXone completed contacts; yields or raises only CXoneRecordError."""

    source: ClassVar[str] = "cxone"
    formats: ClassVar[tuple[str, ...]] = ("completed-contacts",)

    def __init__(self, options: AdapterOptions | None = None) -> None:
        self.options = options or AdapterOptions()
        if self.options.format is not None and self.options.format not in self.formats:
            raise CXoneRecordError(
                f"unknown CXone format {self.options.format!r}; expected one of: {', '.join(self.formats)}",
                field="format",
            )
        self.catalog = load_catalog(self.options.catalog) if self.options.catalog else None
        self._converter = ContactConverter(catalog=self.catalog, conversation_path=self.options.conversation_id_field)

    def read(self, stream: IO[str], *, name: str = "<stdin>") -> Iterator[Disposition | CXoneRecordError]:
        """Yield one Disposition per contact, or the CXoneRecordError for one that could not be read."""
        for position, item in iter_json_records(stream):
            if isinstance(item, json.JSONDecodeError):
                yield CXoneRecordError(f"not valid JSON: {item.msg}", record=position, input_name=name, raw=item.doc)
                continue
            if isinstance(item, Mapping) and "completedContacts" in item:
                contacts = item["completedContacts"]
                if not isinstance(contacts, list):
                    yield CXoneRecordError(
                        "completedContacts is not a list", record=position, field="completedContacts",
                        input_name=name, raw=item,
                    )  # fmt: skip
                    continue
                for number, contact in enumerate(contacts, start=1):
                    yield self._convert(contact, f"{position} contact {number}", name)
            else:
                yield self._convert(item, position, name)

    def from_payload(self, payload: Mapping[str, Any], *, ref: str = "payload") -> Disposition:
        """One completed contact (or wrapped contact); raises CXoneRecordError."""
        if isinstance(payload, Mapping) and "completedContacts" in payload:
            raise CXoneRecordError(
                "this is a page of completed contacts, not one contact; read it as a file",
                record=ref,
                field="completedContacts",
                raw=dict(payload),
            )
        return self._converter.convert(payload, position=ref, input_name=None)

    def _convert(self, record: Any, position: str, name: str) -> Disposition | CXoneRecordError:
        try:
            return self._converter.convert(record, position=position, input_name=name)
        except CXoneRecordError as exc:
            return exc
