"""``TwilioAdapter``: picks the format of each file or payload and hands it to that format's reader.

Formats (``--format`` names): ``task-attributes``, ``taskrouter``, ``voice-status``, ``insights-csv``,
``copilot``; each module's docstring says how its fields map. Without ``options.format``, ``read`` decides per
file from the first non-blank line (JSON -> by the first record's keys; URL-encoded body -> ``taskrouter``
when it has ``EventType``/``TaskSid``, ``voice-status`` when it has ``CallSid``; anything else -> CSV), and
``from_payload`` decides per payload by its keys.

Envelopes: Event Streams CloudEvents (a JSON array of them per file or per line, as webhook sinks receive them)
are read one by one, each by its ``type`` (``cloudevents``), even in a file forced to ``taskrouter`` or
``voice-status``; saved Task / Events list pages (``{"tasks": [...], "meta": {...}}``) are opened into their
items. ``from_payload`` takes one CloudEvent (a live endpoint iterates the delivered array itself).

Records that are readable but not dispositions (``task.created``, a ``reservation.wrapup`` without an outcome,
a ``pending`` task, a ``ringing`` call) are skipped by ``read`` and counted in ``skipped`` (reason -> count,
over the adapter's lifetime), as are the events folded into their task's record (``_fold``: one task, one
disposition); ``from_payload`` raises for them.

Options (``_options``): the field map and the local-time settings a format cannot use raise
``AdapterOptionError``: at construction when ``options.format`` is set, else from ``read`` before the first
record of an input in that format (``from_payload``: before reading the payload).
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from typing import IO, Any, ClassVar

from wrapup_bridge.adapters import localtime
from wrapup_bridge.adapters.base import AdapterOptions, TwilioRecordError
from wrapup_bridge.adapters.explain import SAMPLE, FormatReport, RecordTrace, trace_record
from wrapup_bridge.adapters.twilio import (
    _options,
    cloudevents,
    copilot,
    insights_csv,
    task_attributes,
    taskrouter,
    voice_status,
)
from wrapup_bridge.adapters.twilio._fold import TASK_WINDOW, Folder, Item
from wrapup_bridge.adapters.twilio._input import (
    Envelope,
    PeekedStream,
    form_format,
    form_params,
    json_records,
    peek,
    record_format,
    shape_of,
)
from wrapup_bridge.adapters.twilio._record import RecordContext, Settings
from wrapup_bridge.core.disposition import Disposition

__all__ = ["FORMATS", "TwilioAdapter"]

Parser = Callable[[Any, RecordContext, Settings], Disposition]

_PARSERS: dict[str, Parser] = {
    "task-attributes": task_attributes.parse,
    "taskrouter": taskrouter.parse,
    "voice-status": voice_status.parse,
    "copilot": copilot.parse,
}
FORMATS: tuple[str, ...] = ("task-attributes", "taskrouter", "voice-status", "insights-csv", "copilot")
_FORM_FORMATS = ("taskrouter", "voice-status")


@dataclass
class _Reading:
    """What one input turned out to be, for ``explain`` and for checking options once per format."""

    format: str | None = None
    how: str = ""
    envelope: Envelope = field(default_factory=Envelope)
    columns: int | None = None
    checked: set[str] = field(default_factory=set)
    notes: Counter[str] = field(default_factory=Counter)


class TwilioAdapter:
    """Reads Flex task attributes, TaskRouter events, Voice callbacks, Insights CSV and Copilot webhooks.

    ``assume_timezone`` (a ``tzinfo`` or an IANA name) is the zone of times written without an offset, which in
    practice means Insights CSV exports; ``options.timezone`` overrides it; UTC unless told otherwise.
    ``fold_window`` bounds how far apart (in input records) the events of one task may be and still fold into
    one record (``_fold``).
    """

    source: ClassVar[str] = "twilio"
    formats: ClassVar[tuple[str, ...]] = FORMATS

    def __init__(
        self,
        options: AdapterOptions | None = None,
        *,
        assume_timezone: tzinfo | str = UTC,
        fold_window: int = TASK_WINDOW,
    ) -> None:
        self.options = options or AdapterOptions()
        zone_name = self.options.timezone or assume_timezone
        zone = localtime.zone(zone_name) if isinstance(zone_name, str) else zone_name
        if self.options.format is not None:
            if self.options.format not in FORMATS:
                raise ValueError(
                    f"--format: unknown Twilio format {self.options.format!r}; expected one of: {', '.join(FORMATS)}"
                )
            _options.check(self.options.format, self.options)
        self._settings = Settings(
            conversation_id_field=self.options.conversation_id_field,
            assume_tz=zone,
            fields=self.options.fields,
            time_format=self.options.time_format,
            date_order=self.options.date_order,
        )
        self._fold_window = fold_window
        #: why records were skipped as non-dispositions ("event type task.created") -> how many
        self.skipped: Counter[str] = Counter()

    # ------------------------------------------------------------------------------------------------ reading

    def read(self, stream: IO[str], *, name: str = "<stdin>") -> Iterator[Disposition | TwilioRecordError]:
        """Yield a Disposition, or the error that names the record and field, for each record in ``stream``."""
        try:
            for item in self._items(stream, name, _Reading()):
                yield item.result
        except (UnicodeDecodeError, csv.Error, RecursionError) as exc:
            # The input itself (not one record) is unreadable from here on; say so instead of crashing a batch.
            yield TwilioRecordError(f"input unreadable: {exc}", input_name=name)

    def from_payload(self, payload: Mapping[str, Any], *, ref: str = "payload") -> Disposition:
        """One live event (a JSON object, decoded form body or one CloudEvent) -> Disposition; raises
        ``TwilioRecordError`` (``NoDisposition`` for events that are not dispositions)."""
        raw = dict(payload) if isinstance(payload, Mapping) else payload
        rec = RecordContext(ref, None, raw)
        if not isinstance(payload, Mapping):
            raise rec.error(f"expected a JSON object or form parameters, got {type(payload).__name__}")
        fmt = self._format_of(payload, None, rec, cloudevents.is_cloudevent(payload))
        if fmt != self.options.format:
            _options.check(fmt, self.options)
        if fmt == "insights-csv":
            row = {str(k): v for k, v in payload.items()}
            try:
                columns = insights_csv.Columns.from_header(list(row), self._settings)
            except insights_csv.HeaderError as exc:
                raise rec.error(exc.message, exc.column) from None
            return insights_csv.parse_row(row, columns, rec, self._settings)
        return _PARSERS[fmt](payload, rec, self._settings)

    def _format_of(self, record: Any, file_format: str | None, rec: RecordContext, cloud: bool) -> str:
        """The format one record is read in: a CloudEvent's type decides, then the forced or file's format."""
        forced = self.options.format
        if cloud:
            event_type = str(record.get("type")).strip()
            product = cloudevents.product(record)
            if product is None:
                raise rec.skip(
                    f"CloudEvent type {event_type!r} carries no disposition (TaskRouter and Voice status-callback "
                    "events do)",
                    skip_key=f"event type {event_type}",
                    field="type",
                )
            if forced is not None and forced not in _FORM_FORMATS:
                raise rec.error(
                    f"a CloudEvent (Event Streams) of type {event_type!r} is not {forced} input; read it with "
                    "--format taskrouter or voice-status, or let the format be detected",
                    "type",
                )
            return product
        if forced is not None:
            return forced
        if file_format is not None:
            return file_format
        return record_format(record) if isinstance(record, Mapping) else "task-attributes"

    def _use(self, state: _Reading, fmt: str, how: str) -> None:
        """Check the options against ``fmt`` the first time an input shows it (raises AdapterOptionError)."""
        if fmt not in state.checked:
            if fmt != self.options.format:
                _options.check(fmt, self.options)
            state.checked.add(fmt)
        if state.format is None:
            state.format, state.how = fmt, how

    def _items(self, stream: IO[str], name: str, state: _Reading, *, trace: bool = False) -> Iterator[Item]:
        head, first = peek(stream)
        if first is None:
            return
        rest = PeekedStream(head, stream)
        shape = shape_of(first)
        forced = self.options.format
        if forced == "insights-csv" or (forced is None and shape == "csv"):
            how = "forced (--format)" if forced else "detected: the first line is neither JSON nor a Twilio form body"
            self._use(state, "insights-csv", how)

            def on_header(header: list[str]) -> None:
                state.columns = len(header)

            for row_rec, row in insights_csv.read(rest.as_io(), self._settings, name, on_header):
                if row_rec is None:
                    yield Item("header", row, raw=row.raw if isinstance(row, TwilioRecordError) else None)
                else:
                    yield Item(row_rec.position, row, row_rec.origins.take(), row_rec.notes, None, row_rec.raw)
            return
        records: Iterator[tuple[str, Any, Any, str]]
        file_format = forced
        if shape != "json" and (forced in _FORM_FORMATS or (forced is None and shape == "form")):
            file_format = forced or form_format(first)
            records = _form_records(rest, f"form-{file_format}")
            how = "forced (--format)" if forced else f"detected: the first line is a URL-encoded {file_format} body"
        else:
            records = json_records(rest, first)
            how = "forced (--format)" if forced else "detected: JSON, by the first record's keys"
        folder = Folder(self._count_skip, self._fold_window, name, trace=trace)
        for ordinal, (position, record, raw, container) in enumerate(records, start=1):
            cloud = cloudevents.is_cloudevent(record)
            state.envelope.saw(container, cloud)
            rec = RecordContext(position, name, raw)
            result: Disposition | TwilioRecordError
            if isinstance(record, ValueError):
                result = rec.error(f"not valid JSON: {record}")
            else:
                try:
                    fmt = self._format_of(record, file_format, rec, cloud)
                    if cloud:
                        self._use(state, fmt, f"detected: CloudEvent type {str(record.get('type')).strip()!r}")
                    else:
                        file_format = file_format or fmt
                        self._use(state, fmt, how)
                    result = _PARSERS[fmt](record, rec, self._settings)
                except TwilioRecordError as exc:
                    result = exc
            for note in rec.notes:
                state.notes[note] += 1
            item = Item(position, result, rec.origins.take(), rec.notes, rec.task_sid, raw)
            yield from folder.push(item, ordinal)
        yield from folder.finish()

    def _count_skip(self, key: str) -> None:
        self.skipped[key] += 1

    # ------------------------------------------------------------------------------------------------ explain

    def explain(self, stream: IO[str], *, name: str = "<stdin>") -> FormatReport:
        """What ``stream`` was read as: format and how it was told, envelope, settings, the first records with
        where each value came from, and notes (records skipped and why, folded events, ignored inner types).

        Reads the whole input (counts cover all of it); raises ``AdapterOptionError`` like ``read``."""
        state = _Reading()
        shadow = TwilioAdapter(self.options, assume_timezone=self._settings.assume_tz, fold_window=self._fold_window)
        traces: list[RecordTrace] = []
        counts: Counter[str] = Counter()
        try:
            for item in shadow._items(stream, name, state, trace=True):
                counts["record" if isinstance(item.result, Disposition) else "error"] += 1
                if len(traces) < SAMPLE:
                    if isinstance(item.result, Disposition):
                        traces.append(trace_record(item.position, item.result, item.places))
                    else:
                        traces.append(RecordTrace(item.position, error=str(item.result)))
        except (UnicodeDecodeError, csv.Error, RecursionError) as exc:
            counts["unreadable"] += 1
            state.notes[f"the input is unreadable from here on: {exc}"] += 1
        if state.columns is not None:
            envelope = f"Insights CSV, {state.columns} columns"
        elif state.format is None and not state.envelope.records:
            envelope = "empty"
        else:
            envelope = state.envelope.describe()
        notes = [f"{counts['record']} records, {counts['error']} unreadable"]
        notes += [f"skipped {n}: {key}" for key, n in sorted(shadow.skipped.items())]
        notes += [f"{note} ({n} record{'s' if n != 1 else ''})" for note, n in sorted(state.notes.items())]
        return FormatReport(
            input_name=name,
            source=self.source,
            format=state.format or "none",
            how=state.how or "nothing to read",
            envelope=envelope,
            settings=self._describe_settings(state.format),
            records=traces,
            notes=notes,
        )

    def _describe_settings(self, fmt: str | None) -> list[str]:
        settings: list[str] = []
        zone = getattr(self._settings.assume_tz, "key", None) or str(self._settings.assume_tz)
        local_times = fmt == "insights-csv" or "time" in self.options.fields.places
        if local_times:
            given = "--timezone" if self.options.timezone else "default"
            settings.append(f"times without an offset are local times in {zone} ({given})")
            if self.options.time_format:
                settings.append(f"time format: {self.options.time_format}")
            if self.options.date_order:
                settings.append(f"date order: {self.options.date_order}")
        for key, places in sorted(self.options.fields.places.items()):
            settings.append(f"field {key}: {' | '.join(places)}")
        cid = self.options.conversation_id_field
        settings.append(
            f"Genesys conversation id: {cid!r}" if cid else "Genesys conversation id: the format's default places"
        )
        if fmt == "taskrouter":
            settings.append(f"events of one task fold into one record within {self._fold_window} records")
        return settings


def _form_records(stream: PeekedStream, container: str) -> Iterator[tuple[str, Any, Any, str]]:
    """``(position, params, raw line, container)`` for each non-blank line of URL-encoded bodies."""
    for line_no, line in enumerate(stream, start=1):
        text = line.rstrip("\r\n")
        if text.lstrip("\ufeff").strip():
            yield f"line {line_no}", form_params(text), text, container
