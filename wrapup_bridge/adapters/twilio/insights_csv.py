"""Format ``insights-csv``: a Flex Insights report exported as CSV with display-name headers.

An Insights export is the only history that outlives the Events API's 30 days, but its columns are whatever
the customer's saved report holds. Headers are therefore matched by meaning, not position: each is reduced
with the adapter's ``snake_key`` (case, spacing and punctuation folded: ``Hang Up By`` -> ``hang_up_by``), so
``Conversation Attribute 2`` lands on the same field key as ``conversations.conversation_attribute_2`` in the
``task-attributes`` format and one mapping table serves both. The order of the columns never matters: the
same rows give the same dispositions however the report orders them, and a column nobody knows only adds
its field.

Columns (after that folding):

- ``code`` = ``Outcome`` exactly as written (blank -> ``""``); ``notes`` = ``Content``.
- ``source_id`` = the first non-blank of ``Segment``, ``Segment ID``, ``Task Sid``, ``Conversation ID`` (the
  segment is the task, the finest grain Insights has; the conversation id may group several tasks).
- ``agent`` = ``Agent Email`` (or ``Worker Email``, ``Email``, ``Agent Login``), else the agent's name;
  ``fields["agent_name"]`` = ``Agent`` (Insights shows the worker's full name there), ``Agent Name``,
  ``Worker Name`` or ``Worker``.
- ``media`` from ``Channel`` / ``Communication Channel`` / ``Task Channel`` (voice when absent).
- ``occurred_at`` from the first present of ``Date Time``, ``DateTime``, ``Timestamp``, ``Start Time``,
  ``Started At``, ``Conversation Start Time``, ``Segment Start Time``; else ``Date`` and ``Time`` read together.
  Insights writes times as the report was shown, without an offset: they are local times in
  ``options.timezone`` (UTC unless declared). ``options.time_format`` (a strptime pattern such as
  ``%m/%d/%Y %I:%M %p``, or ``iso``/``epoch``/``epoch-ms``) or ``options.date_order`` (``mdy``, ``dmy``,
  ``ymd``) read locale dates (``11/24/2025`` + ``2:06 PM``); without them a slash date is refused rather than
  guessed. A time in the hour skipped by a daylight saving change is an error; one in the repeated hour is
  read as its first occurrence and flagged ``fields["timestamp_ambiguous"] = "true"``.
- Every other column -> ``fields[<folded header>]`` (blank cells left out), including ``queue`` (also from
  ``Queue Name`` / ``Task Queue``), ``hang_up_by``, ``conversation_attribute_N``, ``conversation_label_N``,
  ``destination``, ``agent``, ``segment`` and ``conversation_id``. Two headers that fold to one key are told
  apart by a ``_2`` suffix, given in the order of the headers' names (not their positions).
- Genesys conversation id: the column named by ``options.conversation_id_field`` (matched the same way; a
  missing column is an error), by default ``Genesys Conversation ID`` when the report has it.
- Field map (``options.fields``): each place is a column, matched the same way, replacing the default columns
  of its key; ``time: Date+Time`` joins two columns with a space. A placed column the header lacks is reported
  once for the file.

Errors name the CSV line (where the row starts, as an editor shows it) and the column as the header wrote it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from wrapup_bridge.adapters._common import BadRow, iter_csv_rows
from wrapup_bridge.adapters.base import TwilioRecordError
from wrapup_bridge.adapters.fields import FieldMap
from wrapup_bridge.adapters.twilio._record import (
    Parts,
    RecordContext,
    Settings,
    conversation_id,
    field_text,
    finish,
    media_for_channel,
    scalar_text,
    snake_key,
)
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.errors import WrapupBridgeError

__all__ = ["Columns", "HeaderError", "parse_row", "read"]

_SOURCE_ID_KEYS = ("segment", "segment_id", "task_sid", "conversation_id")
_LOGIN_KEYS = ("agent_email", "worker_email", "email", "agent_login")
_NAME_KEYS = ("agent", "agent_name", "worker_name", "worker")
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


class HeaderError(WrapupBridgeError, ValueError):
    """The header lacks a column every row needs; reported once for the file instead of once per row."""

    def __init__(self, message: str, column: str) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True)
class Columns:
    """Which header plays which role, resolved once per file (each role: the columns tried in order)."""

    code: tuple[str, ...]
    source_ids: tuple[str, ...]
    notes: str | None = None
    logins: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    channel: str | None = None
    when: str | None = None
    date: str | None = None
    time: str | None = None
    conversation_id: str | None = None
    fields: dict[str, str] = field(default_factory=dict)  # header -> field key
    placed: dict[str, str] = field(default_factory=dict)  # field-map place -> header

    @classmethod
    def from_header(cls, header: Sequence[str], settings: Settings) -> Columns:
        by_key: dict[str, str] = {}
        for name in sorted(header):  # by name, so that the columns' order never changes which one is read
            by_key.setdefault(snake_key(name), name)

        def present(keys: Sequence[str]) -> tuple[str, ...]:
            return tuple(by_key[k] for k in keys if k in by_key)

        fmap = settings.fields
        placed = _placed_columns(fmap, by_key)
        code: tuple[str, ...] = ()
        if "code" not in fmap.places:
            outcome = by_key.get("outcome")
            if outcome is None:
                raise HeaderError(f"no Outcome column; the header has: {', '.join(header)}", "Outcome")
            code = (outcome,)
        source_ids = present(_SOURCE_ID_KEYS)
        if not source_ids and "source_id" not in fmap.places:
            raise HeaderError(
                "no Segment, Segment ID, Task Sid or Conversation ID column to identify rows by", "Segment"
            )
        wanted = settings.conversation_id_field or _DEFAULT_CONVERSATION_ID_COLUMN
        cid = by_key.get(snake_key(wanted))
        if cid is None and settings.conversation_id_field:
            raise HeaderError(f"no {wanted!r} column (the configured conversation id column)", wanted)
        notes = by_key.get("content") if "notes" not in fmap.places else None
        taken = {*code, notes, cid}
        for key in ("code", "notes"):
            taken.update(placed[p] for p in fmap.get(key) if p in placed)
        fields: dict[str, str] = {}
        used: set[str] = set()
        ordered = sorted(
            (name for name in set(header) if name not in taken),
            key=lambda n: (snake_key(n) in _FIELD_ALIASES, not snake_key(n), n),
        )
        for name in ordered:
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
            logins=present(_LOGIN_KEYS),
            names=present(_NAME_KEYS),
            channel=next(iter(present(_CHANNEL_KEYS)), None),
            when=next(iter(present(_DATETIME_KEYS)), None),
            date=by_key.get("date"),
            time=by_key.get("time"),
            conversation_id=cid,
            fields=fields,
            placed=placed,
        )


def _placed_columns(fmap: FieldMap, by_key: Mapping[str, str]) -> dict[str, str]:
    """Field-map place -> header; a key none of whose alternatives the header has is a ``HeaderError``."""
    placed: dict[str, str] = {}
    for key in sorted(fmap.keys()):
        usable = False
        for alternative in fmap.joined(key):
            found = {place: by_key.get(snake_key(place)) for place in alternative}
            placed.update({p: h for p, h in found.items() if h is not None})
            usable = usable or all(h is not None for h in found.values())
        if not usable:
            wanted = " or ".join(fmap.get(key))
            raise HeaderError(
                f"no {wanted} column (the field map's {key}); the header has: {', '.join(sorted(by_key.values()))}",
                fmap.get(key)[0],
            )
    return placed


def read(
    stream: IO[str], settings: Settings, input_name: str | None, on_header: Callable[[list[str]], None] | None = None
) -> Iterator[tuple[RecordContext | None, Disposition | TwilioRecordError]]:
    """Yield ``(record context, Disposition or the row's error)`` per data row; a header missing a needed column
    ends the file with one error."""
    columns: Columns | None = None
    for line, header, row in iter_csv_rows(stream):
        if columns is None:
            if on_header is not None:
                on_header(list(header))
            try:
                columns = Columns.from_header(header, settings)
            except HeaderError as exc:
                yield (
                    None,
                    TwilioRecordError(
                        exc.message, record="header", field=exc.column, input_name=input_name, raw=list(header)
                    ),
                )
                return
        if isinstance(row, BadRow):
            bad = RecordContext(f"line {line}", input_name, row.raw)
            yield bad, TwilioRecordError(row.reason, record=f"line {line}", input_name=input_name, raw=row.raw)
            continue
        rec = RecordContext(f"line {line}", input_name, dict(row))
        try:
            yield rec, parse_row(row, columns, rec, settings)
        except TwilioRecordError as exc:
            yield rec, exc


def parse_row(row: Mapping[str, Any], columns: Columns, rec: RecordContext, settings: Settings) -> Disposition:
    """One CSV row (header -> cell) -> Disposition."""

    def cell(name: str | None) -> str | None:
        return None if name is None else scalar_text(row.get(name), name, rec)

    def first(names: Sequence[str]) -> tuple[str, str] | tuple[None, None]:
        return next(((n, v.strip()) for n in names if (v := cell(n)) is not None), (None, None))

    source_column, source_id = first(columns.source_ids)
    if source_id is not None:
        rec.ident = f"{source_column} {source_id}"
        rec.put("source_id", source_column)
    fields: dict[str, str] = {}
    for name, key in columns.fields.items():
        value = field_text(row.get(name), name, rec)
        if value is not None:
            fields[key] = value
            rec.put(f"fields.{key}", name)
    code_column, code = next(((n, v) for n in columns.code if (v := cell(n)) is not None), (None, None))
    rec.put("code", code_column)
    name_column, agent_name = first(columns.names)
    login_column, login = first(columns.logins)
    rec.put("agent", login_column or name_column)
    rec.put("fields.agent_name", name_column)
    notes = cell(columns.notes)
    rec.put("notes", columns.notes if notes is not None else None)
    rec.put("media", columns.channel)
    cid = (
        conversation_id(row.get(columns.conversation_id), columns.conversation_id, rec)
        if columns.conversation_id
        else None
    )
    rec.put("conversation_id", columns.conversation_id if cid is not None else None)

    def lookup(place: str) -> tuple[Any, str] | None:
        header = columns.placed.get(place)
        return (row.get(header), header) if header is not None else None

    parts = Parts(
        source_id=source_id,
        code=code or "",
        fields=fields,
        notes=notes,
        agent=login or agent_name,
        agent_name=agent_name,
        media=media_for_channel(cell(columns.channel)),
        occurred_at=_occurred_at(columns, cell, rec, settings) if "time" not in settings.fields.places else None,
        conversation_id=cid,
    )
    missing = (
        f"no value in any of: {', '.join(columns.source_ids)}",
        columns.source_ids[0] if columns.source_ids else "Segment",
    )
    return finish(rec, parts, settings, lookup, missing_sid=missing, code_source=False)


def _occurred_at(
    columns: Columns, cell: Callable[[str | None], str | None], rec: RecordContext, settings: Settings
) -> datetime | None:
    if columns.when is not None and (value := cell(columns.when)) is not None:
        rec.put("occurred_at", columns.when)
        return rec.time(value, columns.when, settings, declared=True)
    date = cell(columns.date)
    if date is None or columns.date is None:
        return None
    time = cell(columns.time)
    if time is not None and ":" not in date:
        rec.put("occurred_at", f"{columns.date}+{columns.time}")
        return rec.time(f"{date.strip()} {time.strip()}", f"{columns.date}+{columns.time}", settings, declared=True)
    rec.put("occurred_at", columns.date)
    return rec.time(date, columns.date, settings, declared=True)
