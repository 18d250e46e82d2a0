"""The NICE CXone source adapter: completed contacts (contact history) joined with the disposition catalog.

Format ``completed-contacts``, in any envelope CXone or a saved export uses (see ``_envelopes``): the older API's
``{"resultSet": {"completedContacts": [...]}}`` with every value a string, the ``{"completedContacts": [...],
"totalRecords": N}`` page, newer reporting's ``{"totalRecords": N, "contacts": [...]}``, records wrapping a contact
as ``{"completedContact": {...}, "skillDisposition": {...}}``, or plain contacts; one document, a JSON array or
JSON lines. Positions read "item N" / "line N", with "contact M" for the M-th contact of a page, and the contactId
once it is known. How a contact becomes a record (and which time is *when it ended*) is in ``contacts``; the
catalog (``options.catalog``) is in ``catalog``, loaded once in the constructor so a broken catalog fails before
any record is read.

Options: ``catalog``; the field map (``fields``: code, source_id, agent, agent_name, time, conversation_id, notes,
media, each a dotted path into the contact, then the wrapping record; only ``time`` may join places);
``timezone``, the zone of times written without an offset (UTC when not given, as the API documents); and
``time_format`` / ``date_order`` for exports that rewrote the times. ``region`` is Five9's and is refused.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import IO, Any, ClassVar

from wrapup_bridge.adapters.base import AdapterOptionError, AdapterOptions, CXoneRecordError, check_options
from wrapup_bridge.adapters.cxone._envelopes import ENVELOPES, PAGE_KINDS, Item, envelope_of, unknown, walk
from wrapup_bridge.adapters.cxone.catalog import CatalogEntry, load_catalog, parse_id
from wrapup_bridge.adapters.cxone.contacts import ContactConverter, Trace
from wrapup_bridge.adapters.explain import SAMPLE, FormatReport, RecordTrace, trace_record
from wrapup_bridge.adapters.localtime import TimeSettings, zone
from wrapup_bridge.core.disposition import FIELD_KEYS, Disposition

__all__ = ["CXoneAdapter", "CatalogEntry"]

FORMAT = "completed-contacts"
#: options this format uses, as ``AdapterOptions.given`` names them
ACCEPTED = frozenset({"catalog", "timezone", "time_format", "date_order", *(f"fields.{key}" for key in FIELD_KEYS)})
WHY = "CXone names no data centre zone: its times carry an offset or are UTC (--timezone reads offset-less ones)"


class CXoneAdapter:
    """Reads CXone completed contacts; yields or raises only CXoneRecordError."""

    source: ClassVar[str] = "cxone"
    formats: ClassVar[tuple[str, ...]] = (FORMAT,)

    def __init__(self, options: AdapterOptions | None = None) -> None:
        self.options = options or AdapterOptions()
        if self.options.format is not None and self.options.format not in self.formats:
            raise CXoneRecordError(
                f"unknown CXone format {self.options.format!r}; expected one of: {', '.join(self.formats)}",
                field="format",
            )
        check_options(self.source, FORMAT, self.options, ACCEPTED, WHY)
        for key in self.options.fields.keys() - {"time"}:
            joins = [alt for alt in self.options.fields.get(key) if "+" in alt]
            if joins:
                raise AdapterOptionError(
                    f"field {key!r}: {joins[0]!r} joins places, which only 'time' can do in the cxone {FORMAT} format "
                    "(list alternatives with '|' instead)"
                )
        try:
            tz = zone(self.options.timezone) if self.options.timezone else None
        except ValueError as exc:
            raise AdapterOptionError(f"--timezone: {exc}") from None
        self.time = TimeSettings(tz, self.options.time_format, self.options.date_order)
        self.catalog = load_catalog(self.options.catalog) if self.options.catalog else None
        self._converter = ContactConverter(catalog=self.catalog, options=self.options, time=self.time)
        self._id_places = self._converter.places("source_id")

    def read(self, stream: IO[str], *, name: str = "<stdin>") -> Iterator[Disposition | CXoneRecordError]:
        """Yield one Disposition per contact, or the CXoneRecordError for one that could not be read."""
        for item in walk(stream, name, self._id_places):
            yield self._convert(item, name)

    def from_payload(self, payload: Mapping[str, Any], *, ref: str = "payload") -> Disposition:
        """One completed contact (or wrapped contact); raises CXoneRecordError."""
        kind = envelope_of(payload, self._id_places)
        if kind in PAGE_KINDS:
            key = {"page": "completedContacts", "reporting": "contacts", "result-set": "resultSet"}[kind]
            raise CXoneRecordError(
                f"this is a page of completed contacts ({ENVELOPES[kind]}), not one contact; read it as a file",
                record=ref,
                field=key,
                raw=dict(payload),
            )
        if kind == "unknown" and isinstance(payload, Mapping):
            raise unknown(payload, ref, None)
        return self._converter.convert(payload, position=ref, input_name=None)

    def explain(self, stream: IO[str], *, name: str) -> FormatReport:
        """What ``stream`` was read as: its envelope, the settings in force, and the first records traced."""
        report = FormatReport(
            input_name=name,
            source=self.source,
            format=FORMAT,
            how="given (--format)" if self.options.format else "detected",
            envelope="",
            settings=self._settings(),
        )
        kinds: dict[str, None] = {}
        positions: list[str] = []
        notes: dict[str, None] = {}
        contacts = errors = updated = 0
        zero = {"primaryDispositionId": 0, "secondaryDispositionId": 0}
        for item in walk(stream, name, self._id_places):
            kinds[item.kind] = None
            top = item.position.split(" contact ")[0]
            if not positions or positions[-1] != top:
                positions.append(top)
            if isinstance(item.record, CXoneRecordError):
                errors += 1
            else:
                contacts += 1
                raw = _contact_of(item.record)
                for key in zero:
                    zero[key] += _is_zero(raw.get(key))
                updated += raw.get("lastUpdateTime") not in (None, "")
            if len(report.records) >= SAMPLE:
                continue
            trace = Trace()
            result = self._convert(item, name, trace)
            if isinstance(result, CXoneRecordError):
                report.records.append(RecordTrace(item.position, error=_described(result)))
            else:
                report.records.append(trace_record(item.position, result, trace.origins.take()))
            notes.update(trace.notes)
        report.envelope = _envelope(kinds, positions)
        report.notes = [
            f"{contacts} contact(s) in the input"
            + (f", {errors} unreadable document(s) or record(s)" if errors else ""),
            *notes,
        ]
        for key, count in zero.items():
            if count and (key != "primaryDispositionId" or not self.options.fields.get("code")):
                report.notes.append(f"{key} 0 in {count} contact(s): read as no disposition, not as an id")
        if updated and not self.options.fields.get("time"):
            report.notes.append(
                "lastUpdateTime is read only when a contact has no start: CXone changes it after the contact ended "
                "(warehousing, analytics), so it is not when the interaction ended"
            )
        return report

    def _settings(self) -> list[str]:
        options = self.options
        catalog = (
            f"catalog: {options.catalog} ({len(self.catalog)} dispositions): codes are disposition names"
            if options.catalog and self.catalog is not None
            else "catalog: none (--catalog): codes are disposition ids, fields.disposition_name_missing = true"
        )
        zone_text = options.timezone or "UTC (as the contact-history API documents)"
        settings = [
            catalog,
            f"times without an offset are read in {zone_text}",
        ]
        if options.time_format:
            settings.append(f"time_format: {options.time_format}")
        if options.date_order:
            settings.append(f"date_order: {options.date_order}")
        for key in FIELD_KEYS:
            places = self._converter.places(key) if key != "conversation_id" else self._converter.conversation_paths
            if key == "time" and not options.fields.get("time"):
                shown = "contactStart|contactStartDate + totalDurationSeconds + ACWSeconds|acwSeconds when present"
                shown += " (else the start, flagged time_precision; lastUpdateTime only as a last resort)"
            elif key == "code" and not options.fields.get("code"):
                shown = "primaryDispositionId (0 = none), named from the catalog or the record's skillDisposition"
            elif key == "agent_name" and not options.fields.get("agent_name"):
                shown = "firstName + lastName"
            else:
                shown = " | ".join(places)
            given = bool(options.fields.get(key)) or (key == "conversation_id" and bool(options.conversation_id_field))
            settings.append(f"{key}: {shown}" + (" (field map)" if given else " (default)"))
        return settings

    def _convert(self, item: Item, name: str, trace: Trace | None = None) -> Disposition | CXoneRecordError:
        if isinstance(item.record, CXoneRecordError):
            return item.record
        try:
            return self._converter.convert(item.record, position=item.position, input_name=name, trace=trace)
        except CXoneRecordError as exc:
            return exc


def _contact_of(record: Any) -> Mapping[str, Any]:
    contact = record.get("completedContact", record) if isinstance(record, Mapping) else None
    return contact if isinstance(contact, Mapping) else {}


def _is_zero(value: Any) -> bool:
    try:
        return parse_id(value) == "0"
    except ValueError:
        return False


def _described(error: CXoneRecordError) -> str:
    return f"{error.message}" + (f" (field {error.field!r})" if error.field else "")


def _envelope(kinds: Mapping[str, None], positions: list[str]) -> str:
    inner = "; ".join(ENVELOPES[kind] for kind in kinds)
    if positions and positions[0].startswith("item"):
        return "a JSON array of contacts" if list(kinds) == ["contact"] else f"a JSON array of: {inner}"
    if len(positions) > 1:
        return "JSON lines of contacts" if list(kinds) == ["contact"] else f"JSON lines of: {inner}"
    return inner if positions else "an empty input"
