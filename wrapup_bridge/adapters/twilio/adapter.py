"""``TwilioAdapter``: picks the format of each file or payload and hands it to that format's reader.

Formats (``--format`` names): ``task-attributes``, ``taskrouter``, ``voice-status``, ``insights-csv``,
``copilot``; each module's docstring says how its fields map. Without ``options.format``, ``read`` decides per
file from the first non-blank line (JSON -> by the first record's keys; URL-encoded body -> ``taskrouter``
when it has ``EventType``/``TaskSid``, ``voice-status`` when it has ``CallSid``; anything else -> CSV), and
``from_payload`` decides per payload by its keys.

Records that are readable but not dispositions (``task.created``, a ``ringing`` call) are skipped by ``read``
and counted in ``skipped`` (reason -> count, over the adapter's lifetime); ``from_payload`` raises for them.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, tzinfo
from typing import IO, Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wrapup_bridge.adapters._common import iter_json_records
from wrapup_bridge.adapters.base import AdapterOptions, TwilioRecordError
from wrapup_bridge.adapters.twilio import copilot, insights_csv, task_attributes, taskrouter, voice_status
from wrapup_bridge.adapters.twilio._input import PeekedStream, form_format, form_params, peek, record_format, shape_of
from wrapup_bridge.adapters.twilio._record import NoDisposition, RecordContext, Settings
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
# Pages of the Task and Events list APIs, saved as-is: {"tasks": [...], "meta": {...}}.
_PAGE_KEYS = ("tasks", "events")


class TwilioAdapter:
    """Reads Flex task attributes, TaskRouter events, Voice callbacks, Insights CSV and Copilot webhooks.

    ``assume_timezone`` (a ``tzinfo`` or an IANA name) is the zone of timestamps written without an offset,
    which in practice means Insights CSV exports; UTC unless told otherwise.
    """

    source: ClassVar[str] = "twilio"
    formats: ClassVar[tuple[str, ...]] = FORMATS

    def __init__(self, options: AdapterOptions | None = None, *, assume_timezone: tzinfo | str = UTC) -> None:
        self.options = options or AdapterOptions()
        if self.options.timezone:
            assume_timezone = self.options.timezone
        if self.options.format is not None and self.options.format not in FORMATS:
            raise ValueError(f"unknown Twilio format {self.options.format!r}; expected one of: {', '.join(FORMATS)}")
        if isinstance(assume_timezone, str):
            try:
                assume_timezone = ZoneInfo(assume_timezone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {assume_timezone!r} (expected an IANA name)") from None
        self._settings = Settings(conversation_id_field=self.options.conversation_id_field, assume_tz=assume_timezone)
        #: why records were skipped as non-dispositions ("event type task.created") -> how many
        self.skipped: Counter[str] = Counter()

    def read(self, stream: IO[str], *, name: str = "<stdin>") -> Iterator[Disposition | TwilioRecordError]:
        """Yield a Disposition, or the error that names the record and field, for each record in ``stream``."""
        try:
            yield from self._read(stream, name)
        except (UnicodeDecodeError, csv.Error, RecursionError) as exc:
            # The input itself (not one record) is unreadable from here on; say so instead of crashing a batch.
            yield TwilioRecordError(f"input unreadable: {exc}", input_name=name)

    def from_payload(self, payload: Mapping[str, Any], *, ref: str = "payload") -> Disposition:
        """One live event (a JSON object or decoded form body) -> Disposition; raises ``TwilioRecordError``."""
        raw = dict(payload) if isinstance(payload, Mapping) else payload
        rec = RecordContext(ref, None, raw)
        if not isinstance(payload, Mapping):
            raise rec.error(f"expected a JSON object or form parameters, got {type(payload).__name__}")
        fmt = self.options.format or record_format(payload)
        if fmt == "insights-csv":
            row = {str(k): v for k, v in payload.items()}
            try:
                columns = insights_csv.Columns.from_header(list(row), self._settings)
            except insights_csv.HeaderError as exc:
                raise rec.error(exc.message, exc.column) from None
            return insights_csv.parse_row(row, columns, rec, self._settings)
        return _PARSERS[fmt](payload, rec, self._settings)

    def _read(self, stream: IO[str], name: str) -> Iterator[Disposition | TwilioRecordError]:
        head, first = peek(stream)
        if first is None:
            return
        rest = PeekedStream(head, stream)
        shape = shape_of(first)
        fmt = self.options.format
        if fmt == "insights-csv" or (fmt is None and shape == "csv"):
            yield from insights_csv.read(rest.as_io(), self._settings, name)
            return
        if fmt is None and shape == "form":
            fmt = form_format(first)
        as_forms = shape != "json" and fmt in _FORM_FORMATS
        records = _form_records(rest) if as_forms else _json_records(rest.read())
        for position, record, raw in records:
            rec = RecordContext(position, name, raw)
            if isinstance(record, ValueError):
                yield rec.error(f"not valid JSON: {record}")
                continue
            if fmt is None:
                fmt = record_format(record) if isinstance(record, Mapping) else "task-attributes"
            try:
                yield _PARSERS[fmt](record, rec, self._settings)
            except NoDisposition as exc:
                self.skipped[exc.skip_key] += 1
            except TwilioRecordError as exc:
                yield exc


def _form_records(stream: PeekedStream) -> Iterator[tuple[str, Any, Any]]:
    """``(position, params, raw line)`` for each non-blank line of URL-encoded bodies."""
    for line_no, line in enumerate(stream, start=1):
        text = line.rstrip("\r\n")
        if text.lstrip("\ufeff").strip():
            yield f"line {line_no}", form_params(text), text


def _json_records(text: str) -> Iterator[tuple[str, Any, Any]]:
    """``(position, record or JSONDecodeError, raw)``; saved list-API pages are opened into their items."""
    lines: list[str] | None = None
    for position, value in iter_json_records(io.StringIO(text)):
        if isinstance(value, ValueError):
            if lines is None:
                lines = text.splitlines()
            line_no = int(position.rpartition(" ")[2])
            yield position, value, lines[line_no - 1] if 0 < line_no <= len(lines) else None
            continue
        page = _page_items(value)
        if page is None:
            yield position, value, value
            continue
        key, items = page
        for index, item in enumerate(items):
            yield f"{position} {key}[{index}]", item, item


def _page_items(value: Any) -> tuple[str, list[Any]] | None:
    if isinstance(value, Mapping) and "meta" in value:
        for key in _PAGE_KEYS:
            items = value.get(key)
            if isinstance(items, list):
                return key, items
    return None
