"""The Five9 source adapter: Call Log report CSVs (and reports built on it) and web-connector payloads.

Formats (``--format``): ``call-log`` (the standard Call Log CSV, custom reports with ``DATE`` + ``TIME`` /
``HALF HOUR`` / ``QUARTER HOUR``, and snake_case warehouse loads of it; rows are grouped per CALL ID, see
``call_log``) and ``web-connector`` (call-variable payloads as JSON or url-encoded form bodies, see
``web_connector``). ``read`` detects the format from the first line when ``options.format`` is not set: JSON, or a
line of ``name=value`` pairs without Call Log headers, is web-connector; anything else is read as a Call Log.
``from_payload`` takes a web-connector payload, or one Call Log row as a header -> cell mapping (recognised by a
``CALL ID`` key, or both ``DISPOSITION`` and ``TIMESTAMP``, unless it has dotted ``call.``/``agent.`` variables or
nested objects).

Time zone: Five9 writes local times in the zone of the domain's data centre. ``options.region`` (us, uk, ca, de)
picks it; ``options.timezone`` (IANA) overrides it for exports re-timed after they left Five9 (both given must
agree); **by default it is US Pacific** (America/Los_Angeles), Five9's US data centre. Times that carry an offset
(RFC 3339 from a warehouse) are instants and no zone is applied. See ``_time``.

Genesys conversation id: ``options.conversation_id_field`` (or the field map's ``conversation_id``) names the CSV
column (matched with ``normalize_key``) or the call variable (a name or dotted path); by default the column
``GENESYS CONVERSATION ID`` or the call variable ``Genesys.conversation_id`` / ``genesys_conversation_id``.
``options.fields`` places the other parts (see ``call_log`` and ``web_connector``). ``options.catalog`` is a Five9
dispositions listing that fills ``fields["disposition_type"]`` by name (see ``_catalog``). An option a format
cannot use raises ``AdapterOptionError``: at construction when ``options.format`` is set, else from ``read`` before
the first record of the file that cannot use it (see ``_options``).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterator, Mapping
from typing import IO, Any, ClassVar, cast

from wrapup_bridge.adapters._common import iter_json_records
from wrapup_bridge.adapters.base import AdapterOptions, Five9RecordError, check_options
from wrapup_bridge.adapters.explain import SAMPLE, FormatReport, Origins, RecordTrace, trace_record
from wrapup_bridge.adapters.five9._catalog import load_catalog
from wrapup_bridge.adapters.five9._options import ACCEPTED
from wrapup_bridge.adapters.five9._time import Five9Clock
from wrapup_bridge.adapters.five9.call_log import (
    CALL_LOG_HEADERS,
    CALL_WINDOW,
    DEFAULT_CONVERSATION_COLUMN,
    CallLogReader,
    Layout,
    ReadStats,
    column_key,
)
from wrapup_bridge.adapters.five9.web_connector import DEFAULT_CONVERSATION_VARIABLES, WebConnectorReader
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.normalize import normalize_key

__all__ = ["CALL_WINDOW", "Five9Adapter", "ReadStats"]

_ROW_KEYS = frozenset({"call_id", "disposition", "timestamp"})
_STANDARD_KEYS = frozenset(column_key(h) for h in CALL_LOG_HEADERS)

Result = Disposition | Five9RecordError


class Five9Adapter:
    """Reads Five9 dispositions; yields or raises only Five9RecordError (and AdapterOptionError for options).

    ``window`` is the Call Log grouping window in rows (see ``call_log``); ``stats`` accumulates over reads.
    """

    source: ClassVar[str] = "five9"
    formats: ClassVar[tuple[str, ...]] = ("call-log", "web-connector")

    def __init__(self, options: AdapterOptions | None = None, *, window: int = CALL_WINDOW) -> None:
        self.options = options or AdapterOptions()
        if self.options.format is not None and self.options.format not in self.formats:
            raise Five9RecordError(
                f"unknown Five9 format {self.options.format!r}; expected one of: {', '.join(self.formats)}",
                field="format",
            )
        if window < 1:
            raise ValueError(f"the grouping window must be at least one row, not {window}")
        if self.options.format is not None:
            check_options(self.source, self.options.format, self.options, ACCEPTED[self.options.format])
        self.clock = Five9Clock.from_options(self.options)
        self.window = window
        self.catalog = load_catalog(self.options.catalog) if self.options.catalog else {}
        self.stats = ReadStats()
        self._call_log = self._call_log_reader(self.stats)
        self._web = self._web_reader()

    def _call_log_reader(self, stats: ReadStats, origins: Origins | None = None) -> CallLogReader:
        return CallLogReader(
            options=self.options,
            clock=self.clock,
            catalog=self.catalog,
            window=self.window,
            stats=stats,
            origins=origins,
        )

    def _web_reader(self, origins: Origins | None = None) -> WebConnectorReader:
        return WebConnectorReader(
            conversation_field=self.options.conversation_id_field,
            catalog=self.catalog,
            fields=self.options.fields,
            clock=self.clock,
            origins=origins,
        )

    def read(self, stream: IO[str], *, name: str = "<stdin>") -> Iterator[Result]:
        """Yield one Disposition per call (or payload), or the Five9RecordError for one that could not be read."""
        peeked = _peek(stream)
        if peeked and (self.options.format or _detect(peeked[-1])) == "call-log":
            check_options(self.source, "call-log", self.options, ACCEPTED["call-log"])
            # Without the positions read_located gives (explain's): a Call Log is read a million rows at a time.
            yield from self._call_log.read(cast(IO[str], itertools.chain(peeked, stream)), name)
            return
        for _, result in self._read_located(peeked, stream, name, self._call_log, self._web):
            yield result

    def _read_located(
        self, peeked: list[str], stream: IO[str], name: str, call_log: CallLogReader, web: WebConnectorReader
    ) -> Iterator[tuple[str, Result]]:
        if not peeked:
            return
        fmt = self.options.format or _detect(peeked[-1])
        check_options(self.source, fmt, self.options, ACCEPTED[fmt])
        if fmt == "web-connector":
            yield from _read_web(web, "".join(peeked) + stream.read(), name)
        else:
            # csv only iterates its input, so the peeked lines are put back in front of the rest of the stream.
            yield from call_log.read_located(cast(IO[str], itertools.chain(peeked, stream)), name)

    def from_payload(self, payload: Mapping[str, Any], *, ref: str = "payload") -> Disposition:
        """One web-connector payload or Call Log row; raises Five9RecordError."""
        if not isinstance(payload, Mapping):
            raise Five9RecordError(f"expected an object, got {type(payload).__name__}", record=ref, raw=payload)
        fmt = self.options.format or _payload_format(payload)
        if fmt == "call-log":
            return self._call_log.from_row(payload, ref)
        return self._web.convert(payload, record=ref, input_name=None)

    def explain(self, stream: IO[str], *, name: str) -> FormatReport:
        """What ``stream`` is read as (format, envelope, settings), and where the first records' values come from.

        Reads the whole input (memory stays bounded, as in ``read``) to count rows, calls and unreadable records."""
        peeked = _peek(stream)
        first = peeked[-1] if peeked else ""
        fmt = self.options.format or (_detect(first) if peeked else "call-log")
        how = f"--format {fmt}" if self.options.format else _how_detected(first, fmt) if peeked else "empty input"
        report = FormatReport(name, self.source, fmt, how, envelope="empty input")
        origins = Origins()
        stats = ReadStats()
        call_log = self._call_log_reader(stats, origins)
        web = self._web_reader(origins)
        records = errors = 0
        own_offset = local = 0
        field_keys: dict[str, None] = {}
        for position, result in self._read_located(peeked, stream, name, call_log, web):
            places = origins.take()
            if isinstance(result, Five9RecordError):
                errors += 1
                if len(report.records) < SAMPLE:
                    report.records.append(RecordTrace(position, error=str(result)))
                continue
            records += 1
            field_keys.update(dict.fromkeys(result.fields))
            when = places.get("occurred_at", "")
            if "own UTC offset" in when:
                own_offset += 1
            elif when:
                local += 1
            if len(report.records) < SAMPLE:
                report.records.append(trace_record(position, result, places))
        report.settings = self._settings(fmt, call_log.layout)
        if fmt == "call-log":
            layout = call_log.layout
            if layout is not None:
                report.envelope = _envelope(layout)
                report.notes += _call_log_notes(layout, stats)
        else:
            report.envelope = _web_envelope(first)
            report.notes.append(f"{records} payloads read, {errors} unreadable")
            if field_keys:
                report.notes.append(
                    "fields seen (from variables, kept under their normalized name): " + ", ".join(field_keys)
                )
        if own_offset:
            report.notes.append(
                f"{own_offset} of {own_offset + local} times carry their own UTC offset: read as instants, the "
                f"zone ({self.clock.zone_name}) is not applied to them"
            )
        if fmt == "call-log" and errors:
            report.notes.append(f"{errors} unreadable (see normalize's rejects)")
        return report

    def _settings(self, fmt: str, layout: Layout | None) -> list[str]:
        options = self.options
        settings = [f"local times read as {self.clock.describe()}"]
        if options.time_format:
            settings.append(f"time format {options.time_format!r} (--time-format)")
        if options.date_order:
            settings.append(f"numeric dates read {options.date_order} (--date-order)")
        if options.fields:
            placed = ", ".join(f"{k}={'|'.join(v)}" for k, v in options.fields.places.items())
            settings.append(f"field map: {placed}")
        absent = ""
        if layout is not None and not any(
            set(p.keys) <= set(layout.columns.ordered_keys) for p in layout.get("conversation_id")
        ):
            absent = "; not a column of this file, so no record names a Genesys conversation"
        if options.conversation_id_field:
            settings.append(f"Genesys conversation id from {options.conversation_id_field!r}{absent}")
        elif not options.fields.get("conversation_id"):
            default = DEFAULT_CONVERSATION_COLUMN if fmt == "call-log" else " or ".join(DEFAULT_CONVERSATION_VARIABLES)
            settings.append(f"Genesys conversation id from {default} (the default place){absent}")
        if options.catalog:
            settings.append(f"disposition types from {options.catalog} (--catalog)")
        return settings


def _peek(stream: IO[str]) -> list[str]:
    """The lines up to and including the first non-blank one."""
    peeked: list[str] = []
    for line in iter(stream.readline, ""):
        peeked.append(line)
        if line.strip("\ufeff \t\r\n"):
            break
    return peeked


def _read_web(web: WebConnectorReader, text: str, name: str) -> Iterator[tuple[str, Result]]:
    body = text.lstrip("\ufeff").strip()
    if not body.startswith(("{", "[")):
        for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
            if line.strip():
                yield f"line {number}", web.convert_form(line, record=f"line {number}", input_name=name)
        return
    for position, item in iter_json_records(io.StringIO(text)):
        if isinstance(item, json.JSONDecodeError):
            if item.doc.strip().startswith(("{", "[")):
                yield (
                    position,
                    Five9RecordError(f"not valid JSON: {item.msg}", record=position, input_name=name, raw=item.doc),
                )
            else:  # a form body among JSON lines
                yield position, web.convert_form(item.doc, record=position, input_name=name)
            continue
        if not isinstance(item, Mapping):
            yield (
                position,
                Five9RecordError(
                    f"expected a JSON object, got {type(item).__name__}", record=position, input_name=name, raw=item
                ),
            )
            continue
        try:
            yield position, web.convert(item, record=position, input_name=name)
        except Five9RecordError as exc:
            yield position, exc


def _header_keys(first_line: str) -> set[str]:
    try:
        header = next(csv.reader([first_line.lstrip("\ufeff").strip()]), [])
    except csv.Error:
        header = []  # the Call Log reader reports what is wrong with it
    return {normalize_key(cell) for cell in header}


def _detect(first_line: str) -> str:
    text = first_line.lstrip("\ufeff").strip()
    if text.startswith(("{", "[")):
        return "web-connector"
    if _header_keys(text) & _ROW_KEYS:
        return "call-log"
    return "web-connector" if "=" in text else "call-log"


def _how_detected(first_line: str, fmt: str) -> str:
    text = first_line.lstrip("\ufeff").strip()
    if fmt == "web-connector":
        return "detected: the first line is JSON" if text.startswith(("{", "[")) else "detected: name=value pairs"
    found = sorted(_header_keys(text) & _ROW_KEYS)
    if found:
        return f"detected: a CSV header with {', '.join(found)}"
    return "detected: neither JSON nor name=value pairs, so read as a CSV report"


def _payload_format(payload: Mapping[str, Any]) -> str:
    """A call-variable payload has dotted call./agent. names or nested objects; a Call Log row has a CALL ID (or
    both DISPOSITION and TIMESTAMP). An admin's bare ``Disposition`` parameter alone does not make a row."""
    keys = [str(k) for k in payload]
    if any(isinstance(v, Mapping) for v in payload.values()) or any(
        k.lower().startswith(("call.", "agent.")) for k in keys
    ):
        return "web-connector"
    found = {normalize_key(k) for k in keys} & _ROW_KEYS
    return "call-log" if "call_id" in found or len(found) > 1 else "web-connector"


def _envelope(layout: Layout) -> str:
    header = layout.columns.header
    keys = set(layout.columns.ordered_keys)
    time = layout.get("time")
    timed = f" ({time[0].label}{', from the field map' if layout.time_how == 'field map' else ''})" if time else ""
    if all(cell == cell.lower() and " " not in cell for cell in header) and "call_id" in keys:
        kind = "snake_case warehouse columns (a Singer tap's call_log load)"
    elif keys >= _STANDARD_KEYS:
        kind = "standard Call Log"
    else:
        kind = "a report built on the Call Log"
    if not time:
        timed = " (no time column: records carry no time)"
    extra = [h for h in header if column_key(h) not in _STANDARD_KEYS]
    added = f"; other columns: {', '.join(extra)}" if extra and kind != "a report built on the Call Log" else ""
    return f"CSV, {len(header)} columns: {kind}{timed}{added}"


def _call_log_notes(layout: Layout, stats: ReadStats) -> list[str]:
    notes = []
    used = {
        key: ", ".join(p.label for p in places)
        for key, places in layout.places.items()
        if any(set(p.keys) <= set(layout.columns.ordered_keys) for p in places)
    }
    if used:
        notes.append("columns read: " + "; ".join(f"{k} <- {v}" for k, v in used.items()))
    kept = [h for h in layout.columns.header if column_key(h) not in layout.consumed]
    if kept:
        notes.append("other columns kept as fields under their normalized name: " + ", ".join(kept))
    personal = [h for h in layout.columns.header if column_key(h) == "customer_name"]
    if personal:
        notes.append(f"not copied (personal data): {', '.join(personal)}")
    notes.append(
        f"{stats.rows} rows read as {stats.records} calls: {stats.rows_merged} rows merged into the call of the same "
        f"{layout.label('source_id')}"
        + (f", {stats.late_legs_dropped} empty late legs dropped" if stats.late_legs_dropped else "")
    )
    return notes


def _web_envelope(first_line: str) -> str:
    text = first_line.lstrip("\ufeff").strip()
    if text.startswith("["):
        return "a JSON array of web-connector payloads"
    if text.startswith("{"):
        return "web-connector payloads as JSON, one object per line"
    if text.lower().startswith(("http://", "https://")):
        return "web-connector URLs with the variables in the query string, one per line"
    return "web-connector form bodies (url-encoded name=value pairs), one per line"
