"""Format ``insights-csv``: a Flex Insights report exported as CSV with display-name headers.

An Insights export is the only history that outlives the Events API's 30 days, but its columns are whatever
the customer's saved report holds. Headers are therefore matched by meaning, not position: each is reduced
with the adapter's ``snake_key`` (case, spacing and punctuation folded: ``Hang Up By`` -> ``hang_up_by``), so
``Conversation Attribute 2`` lands on the same field key as ``conversations.conversation_attribute_2`` in the
``task-attributes`` format and one mapping table serves both.

Columns (after that folding):

- ``code`` = ``Outcome`` exactly as written (blank -> ``""``); ``notes`` = ``Content``.
- ``source_id`` = the first non-blank of ``Segment``, ``Segment ID``, ``Task Sid``, ``Conversation ID`` (the
  segment is the task, the finest grain Insights has; the conversation id may group several tasks).
- ``agent`` = ``Agent`` (or ``Agent Name``, ``Agent Email``, ``Worker``, ``Worker Name``).
- ``media`` from ``Channel`` / ``Communication Channel`` / ``Task Channel`` (voice when absent).
- ``occurred_at`` from the first present of ``Date Time``, ``DateTime``, ``Date/Time``, ``Timestamp``,
  ``Start Time``, ``Started At``, ``Conversation Start Time``, ``Segment Start Time``; else ``Date`` and
  ``Time`` read together. ISO 8601, RFC 2822 and epoch values are read; a time without an offset is taken in
  the adapter's ``assume_timezone`` (UTC unless configured). Slash dates are refused rather than guessed
  (``03/04/2025`` means different days in the US and Europe).
- Every other column -> ``fields[<folded header>]`` (blank cells left out), including ``queue`` (also from
  ``Queue Name`` / ``Task Queue``), ``hang_up_by``, ``conversation_attribute_N``, ``conversation_label_N``,
  ``destination``, ``agent``, ``segment`` and ``conversation_id``.
- Genesys conversation id: the column named by ``options.conversation_id_field`` (matched the same way; a
  missing column is an error), by default ``Genesys Conversation ID`` when the report has it.

Errors name the CSV line (where the row starts, as an editor shows it) and the column as the header wrote it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from wrapup_bridge.adapters._common import iter_csv_rows
from wrapup_bridge.adapters.base import TwilioRecordError
from wrapup_bridge.adapters.twilio._record import (
    RecordContext,
    Settings,
    build,
    conversation_id,
    field_text,
    media_for_channel,
    scalar_text,
    snake_key,
)
from wrapup_bridge.core.disposition import Disposition

__all__ = ["Columns", "HeaderError", "parse_row", "read"]

_SOURCE_ID_KEYS = ("segment", "segment_id", "task_sid", "conversation_id")
_AGENT_KEYS = ("agent", "agent_name", "agent_email", "worker", "worker_name")
_CHANNEL_KEYS = ("channel", "communication_channel", "task_channel")
_DATETIME_KEYS = (
    "date_time",
    "datetime",
    "timestamp",
    "start_time",
    "started_at",
    "conversation_start_time",
    "segment_start_time",
)
_FIELD_ALIASES = {"hangup_by": "hang_up_by", "hung_up_by": "hang_up_by", "queue_name": "queue", "task_queue": "queue"}
_DEFAULT_CONVERSATION_ID_COLUMN = "Genesys Conversation ID"


class HeaderError(ValueError):
    """The header lacks a column every row needs; reported once for the file instead of once per row."""

    def __init__(self, message: str, column: str) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True)
class Columns:
    """Which header plays which role, resolved once per file."""

    code: str
    source_ids: tuple[str, ...]
    notes: str | None = None
    agent: str | None = None
    channel: str | None = None
    when: str | None = None
    date: str | None = None
    time: str | None = None
    conversation_id: str | None = None
    fields: dict[str, str] = field(default_factory=dict)  # header -> field key

    @classmethod
    def from_header(cls, header: Sequence[str], settings: Settings) -> Columns:
        by_key: dict[str, str] = {}
        for name in header:
            by_key.setdefault(snake_key(name), name)

        def pick(keys: Sequence[str]) -> str | None:
            return next((by_key[k] for k in keys if k in by_key), None)

        code = by_key.get("outcome")
        if code is None:
            raise HeaderError(f"no Outcome column; the header has: {', '.join(header)}", "Outcome")
        source_ids = tuple(by_key[k] for k in _SOURCE_ID_KEYS if k in by_key)
        if not source_ids:
            raise HeaderError(
                "no Segment, Segment ID, Task Sid or Conversation ID column to identify rows by", "Segment"
            )
        wanted = settings.conversation_id_field or _DEFAULT_CONVERSATION_ID_COLUMN
        cid = by_key.get(snake_key(wanted))
        if cid is None and settings.conversation_id_field:
            raise HeaderError(f"no {wanted!r} column (the configured conversation id column)", wanted)
        notes = by_key.get("content")
        taken = {code, notes, cid}
        fields: dict[str, str] = {}
        used: set[str] = set()
        for name in header:
            if name in taken or name in fields:
                continue
            key = snake_key(name) or "column"
            key = _FIELD_ALIASES.get(key, key)
            unique, n = key, 2
            while unique in used:
                unique, n = f"{key}_{n}", n + 1
            used.add(unique)
            fields[name] = unique
        return cls(
            code=code,
            source_ids=source_ids,
            notes=notes,
            agent=pick(_AGENT_KEYS),
            channel=pick(_CHANNEL_KEYS),
            when=pick(_DATETIME_KEYS),
            date=by_key.get("date"),
            time=by_key.get("time"),
            conversation_id=cid,
            fields=fields,
        )


def read(stream: IO[str], settings: Settings, input_name: str | None) -> Iterator[Disposition | TwilioRecordError]:
    """Yield one Disposition (or the row's error) per data row; a header missing a needed column ends the file."""
    columns: Columns | None = None
    for line, header, row in iter_csv_rows(stream):
        if columns is None:
            try:
                columns = Columns.from_header(header, settings)
            except HeaderError as exc:
                yield TwilioRecordError(
                    exc.message, record="header", field=exc.column, input_name=input_name, raw=list(header)
                )
                return
        rec = RecordContext(f"line {line}", input_name, dict(row))
        try:
            yield parse_row(row, columns, rec, settings)
        except TwilioRecordError as exc:
            yield exc


def parse_row(row: Mapping[str, Any], columns: Columns, rec: RecordContext, settings: Settings) -> Disposition:
    """One CSV row (header -> cell) -> Disposition."""

    def cell(name: str | None) -> str | None:
        return None if name is None else scalar_text(row.get(name), name, rec)

    source_column, source_id = next(
        ((name, value) for name in columns.source_ids if (value := cell(name)) is not None), (None, None)
    )
    if source_id is None or source_column is None:
        raise rec.error(f"no value in any of: {', '.join(columns.source_ids)}", columns.source_ids[0])
    rec.ident = f"{source_column} {source_id.strip()}"
    fields: dict[str, str] = {}
    for name, key in columns.fields.items():
        value = field_text(row.get(name), name, rec)
        if value is not None:
            fields[key] = value
    agent = cell(columns.agent)
    return build(
        rec,
        source_id=source_id.strip(),
        code=cell(columns.code) or "",
        fields=fields,
        notes=cell(columns.notes),
        agent=agent.strip() if agent else None,
        media=media_for_channel(cell(columns.channel)),
        occurred_at=_occurred_at(columns, cell, rec, settings),
        conversation_id=conversation_id(row.get(columns.conversation_id), columns.conversation_id, rec)
        if columns.conversation_id
        else None,
        origins={"source_id": source_column, "conversation_id": columns.conversation_id or ""},
    )


def _occurred_at(
    columns: Columns, cell: Callable[[str | None], str | None], rec: RecordContext, settings: Settings
) -> datetime | None:
    if columns.when is not None and (value := cell(columns.when)) is not None:
        return rec.time(value, columns.when, settings)
    date = cell(columns.date)
    if date is None or columns.date is None:
        return None
    time = cell(columns.time)
    text = f"{date.strip()} {time.strip()}" if time is not None and ":" not in date else date
    return rec.time(text, columns.date, settings)
