"""Five9's standard Call Log report (CSV, English headers as ``getReportResultCsv`` returns them) to records.

One call can have several rows sharing a ``CALL ID`` (five9.md 2.3): a transfer to a third party writes the agent's
row with the disposition plus a ``3rd party transfer`` leg with none; a queue callback writes an ``Inbound`` and a
``Queue Callback`` row. A replay must see one record per call, so rows are grouped by ``CALL ID``:

- the row carrying a disposition wins; when several do, the one with the latest TIMESTAMP (then the later row)
  wins and the others' dispositions go into ``fields["other_dispositions"]`` (pipe-joined, file order);
- a call whose rows all have an empty DISPOSITION is one record with code ``""``; its fields come from its first
  row that is not a transfer leg, so ``call_type`` says "transfer" only when every row was a leg;
- ``fields["call_rows"]`` gives the number of rows merged when more than one.

Grouping streams: memory holds the calls of a bounded window, plus a small entry per emitted call. Rows of one
call are usually adjacent but need not be, so calls stay open in a look-back window: a call is emitted once ``window`` further rows (default ``CALL_WINDOW`` = 5000) have passed
without another of its rows, or at end of file. Records come out in order of each call's first row; a call that
keeps the head of that order open holds the later ones back, and when more than ``2 * window`` calls are held the
head is emitted anyway. A row whose call was already emitted cannot be merged any more and is never silently dropped
nor counted twice: with a disposition it is yielded as a Five9RecordError (field ``CALL ID``) saying how many rows
later it reappeared; an empty-disposition leg adds nothing to the record and is dropped with a logged warning,
counted in ``ReadStats.late_legs_dropped``. To tell a reappearance from a new call the reader remembers the last
``EMITTED_MEMORY`` emitted ``CALL ID``s (about 100 bytes each, so memory stays flat however long the export); a row
of a call older than that is read as a new call, and the replay's idempotency check (the code already on the
Genesys participant) then catches the repeat. An export sorted by ``CALL ID`` keeps every call's rows adjacent.

A row that cannot be read (bad TIMESTAMP, malformed Genesys conversation id) turns its whole call into one error,
holding all of the call's rows in ``raw``, so a fix and retry cannot produce a second record for the same call.
Headers match with ``normalize_key`` (``Call Type`` = ``CALL TYPE``); extra columns are kept as fields under their
normalized header; ``CUSTOMER NAME`` is personal data and never copied.
"""

from __future__ import annotations

import csv
import logging
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from pydantic import ValidationError

from wrapup_bridge.adapters._common import iter_csv_rows, text_or_none
from wrapup_bridge.adapters.base import Five9RecordError
from wrapup_bridge.adapters.five9._time import parse_five9_time
from wrapup_bridge.adapters.five9._values import agent_or_none, check_conversation_id, media_for
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.normalize import normalize_key, normalize_text

__all__ = ["CALL_LOG_HEADERS", "CALL_WINDOW", "DEFAULT_CONVERSATION_COLUMN", "CallLogReader", "ReadStats"]

log = logging.getLogger(__name__)

#: The standard report's 25 columns, verbatim and in order (five9.md 2.2).
CALL_LOG_HEADERS = (
    "CALL ID", "TIMESTAMP", "CAMPAIGN", "CALL TYPE", "AGENT", "AGENT NAME", "DISPOSITION", "ANI", "CUSTOMER NAME",
    "DNIS", "CALL TIME", "BILL TIME (ROUNDED)", "COST", "IVR TIME", "QUEUE WAIT TIME", "RING TIME", "TALK TIME",
    "HOLD TIME", "PARK TIME", "AFTER CALL WORK TIME", "TRANSFERS", "CONFERENCES", "HOLDS", "ABANDONED", "RECORDINGS",
)  # fmt: skip

#: Rows a call stays open for after its last row; see the module docstring.
CALL_WINDOW = 5000

DEFAULT_CONVERSATION_COLUMN = "GENESYS CONVERSATION ID"

_CANONICAL = {normalize_key(h): h for h in CALL_LOG_HEADERS}
#: Columns that become a Disposition attribute, or are personal data, rather than fields.
_NOT_FIELDS = frozenset({"call_id", "timestamp", "agent", "disposition", "customer_name"})
_MEDIA_COLUMNS = ("media_type", "call.mediatype")


@dataclass
class ReadStats:
    """What grouping did across reads, for a summary line; ``late_legs_dropped`` is the only thing ever dropped."""

    rows: int = 0
    records: int = 0
    rows_merged: int = 0
    late_legs_dropped: int = 0


@dataclass(slots=True)
class _Row:
    line: int
    ordinal: int
    raw: dict[str, str]
    values: dict[str, str]
    code: str
    when: datetime | None
    ambiguous: bool
    conversation_id: str | None
    problem: tuple[str, str] | None  # (message, column)


@dataclass(slots=True)
class _Call:
    call_id: str
    rows: list[_Row]
    last_ordinal: int


class _Columns:
    """A header's normalized keys and the spelling to name a column by in errors."""

    def __init__(self, header: list[str], conversation_key: str) -> None:
        self.keys = {h: normalize_key(h) for h in header}
        #: keys in header order, so a row (built in header order) maps to keys with one zip
        self.ordered_keys = [self.keys[h] for h in header]
        self.names: dict[str, str] = {}
        self.duplicate: str | None = None
        for h in header:
            key = normalize_key(h)
            if key in self.names and self.duplicate is None:
                self.duplicate = h
            self.names.setdefault(key, h)
        self.conversation_key = conversation_key

    def key(self, header: str) -> str:
        key = self.keys.get(header)
        return key if key is not None else normalize_key(header)

    def name(self, key: str) -> str:
        return self.names.get(key) or _CANONICAL.get(key) or key


#: How many emitted CALL IDs are remembered to recognise a call's row reappearing late (bounds memory).
EMITTED_MEMORY = 50_000


class CallLogReader:
    """Groups Call Log rows into one Disposition per call; see the module docstring for the rules."""

    def __init__(
        self, *, conversation_column: str | None, catalog: Mapping[str, str], window: int, stats: ReadStats
    ) -> None:
        self.conversation_key = normalize_key(conversation_column or DEFAULT_CONVERSATION_COLUMN)
        self.catalog = catalog
        self.window = window
        self.stats = stats

    def read(self, stream: IO[str], name: str) -> Iterator[Disposition | Five9RecordError]:
        """Yield one record (or error) per call, in order of each call's first row."""
        # Calls in order of first appearance; a row error takes its place in that order as an already-due entry.
        pending: OrderedDict[str | tuple[str, int], _Call | Five9RecordError] = OrderedDict()
        emitted: OrderedDict[int | str, int] = OrderedDict()  # CALL ID -> ordinal of its last row, for reappearances
        columns: _Columns | None = None
        broken: list[Five9RecordError] = []
        for ordinal, (line, header, raw) in enumerate(_rows_until_broken(stream, name, broken), start=1):
            if columns is None:
                columns = _Columns(header, self.conversation_key)
                if columns.duplicate is not None:
                    yield Five9RecordError(
                        f"two columns are both named {columns.duplicate!r} (ignoring case and spacing); cannot "
                        "tell which to read, so the file was not read",
                        record="header",
                        field=columns.duplicate,
                        input_name=name,
                    )
                    return
            self.stats.rows += 1
            row = self._parse_row(line, ordinal, raw, columns)
            call_id = row.values.get("call_id", "").strip()
            if not call_id:
                missing = "is empty" if "call_id" in columns.names else "is not a column of this file"
                pending[("line", line)] = Five9RecordError(
                    f"CALL ID {missing}; a row cannot be grouped or replayed without it",
                    record=f"line {line}",
                    field=columns.name("call_id"),
                    input_name=name,
                    raw=raw,
                )
            elif isinstance(call := pending.get(call_id), _Call):
                call.rows.append(row)
                call.last_ordinal = ordinal
            elif (last := emitted.get(_compact(call_id))) is not None:
                late = self._late_row(row, call_id, ordinal - last, columns, name)
                if late is not None:
                    pending[("line", line)] = late
            else:
                pending[call_id] = _Call(call_id, [row], ordinal)
            while pending:
                key, head = next(iter(pending.items()))
                if isinstance(head, _Call):
                    if ordinal - head.last_ordinal < self.window and len(pending) <= 2 * self.window:
                        break
                    emitted[_compact(head.call_id)] = head.last_ordinal
                    if len(emitted) > EMITTED_MEMORY:
                        emitted.popitem(last=False)
                del pending[key]
                yield head if isinstance(head, Five9RecordError) else self._finish(head, columns, name)
        if columns is not None:
            for head in pending.values():
                yield head if isinstance(head, Five9RecordError) else self._finish(head, columns, name)
        yield from broken

    def from_row(self, row: Mapping[str, Any], ref: str) -> Disposition:
        """One Call Log row given as a mapping (header -> cell); raises Five9RecordError."""
        raw = {str(k): text_or_none(v) or "" for k, v in row.items()}
        columns = _Columns(list(raw), self.conversation_key)
        if columns.duplicate is not None:
            raise Five9RecordError(
                f"two keys are both named {columns.duplicate!r} (ignoring case and spacing)",
                record=ref,
                field=columns.duplicate,
                raw=dict(row),
            )
        parsed = self._parse_row(0, 1, raw, columns)
        call_id = parsed.values.get("call_id", "").strip()
        if not call_id:
            raise Five9RecordError(
                "CALL ID is missing or empty", record=ref, field=columns.name("call_id"), raw=dict(row)
            )
        result = self._finish(_Call(call_id, [parsed], 1), columns, None, record=ref)
        if isinstance(result, Five9RecordError):
            raise result
        return result

    def _parse_row(self, line: int, ordinal: int, raw: dict[str, str], columns: _Columns) -> _Row:
        if len(raw) == len(columns.ordered_keys):
            values = dict(zip(columns.ordered_keys, raw.values(), strict=True))
        else:  # extra cells beyond the header keep their own keys
            values = {columns.key(h): v for h, v in raw.items()}
        when, ambiguous, problem = None, False, None
        stamp = values.get("timestamp", "").strip()
        if stamp:
            try:
                when, ambiguous = parse_five9_time(stamp)
            except ValueError as exc:
                problem = (str(exc), columns.name("timestamp"))
        conversation_id = None
        try:
            conversation_id = check_conversation_id(values.get(self.conversation_key))
        except ValueError as exc:
            problem = problem or (str(exc), columns.name(self.conversation_key))
        if "disposition" not in values:
            # Without the column every call would silently become "no disposition".
            problem = problem or ("DISPOSITION is not a column of this input", "DISPOSITION")
        code = values.get("disposition", "")
        return _Row(line, ordinal, raw, values, code, when, ambiguous, conversation_id, problem)

    def _late_row(
        self, row: _Row, call_id: str, distance: int, columns: _Columns, name: str
    ) -> Five9RecordError | None:
        where = f"line {row.line}"
        if not row.code.strip():
            self.stats.late_legs_dropped += 1
            log.warning(
                "%s:%s: dropped an empty-disposition row of CALL ID %s: it reappeared %d rows after the call's "
                "previous row, when the call was already emitted, and carries no disposition to add",
                name,
                where,
                call_id,
                distance,
            )
            return None
        return Five9RecordError(
            f"CALL ID {call_id} reappeared {distance} rows after its previous row, beyond the {self.window}-row "
            f"grouping window, so its call was already emitted without this row (disposition {row.code!r}); "
            "sort the export by CALL ID or TIMESTAMP and read it again",
            record=where,
            field=columns.name("call_id"),
            input_name=name,
            raw=row.raw,
        )

    def _finish(
        self, call: _Call, columns: _Columns, name: str | None, *, record: str | None = None
    ) -> Disposition | Five9RecordError:
        rows = call.rows
        raw: Any = rows[0].raw if len(rows) == 1 else [r.raw for r in rows]

        def error(message: str, row: _Row, field: str) -> Five9RecordError:
            if len(rows) > 1:
                message += f" (the call's {len(rows)} rows are held back together)"
            return Five9RecordError(message, record=record or f"line {row.line}", field=field, input_name=name, raw=raw)

        for row in rows:
            if row.problem is not None:
                return error(row.problem[0], row, row.problem[1])
        conversations = {r.conversation_id: r for r in rows if r.conversation_id}
        if len(conversations) > 1:
            first, second = list(conversations.values())[:2]
            return error(
                f"rows of CALL ID {call.call_id} name different Genesys conversations: {first.conversation_id} "
                f"(line {first.line}) and {second.conversation_id} (line {second.line})",
                second,
                columns.name(self.conversation_key),
            )
        dispositioned = [r for r in rows if r.code.strip()]
        if dispositioned:
            winner = max(dispositioned, key=_recency)
            others = [r.code for r in dispositioned if r is not winner]
        else:
            winner = next((r for r in rows if not _is_transfer_leg(r)), rows[0])
            others = []
        fields = {
            key: value
            for key, value in winner.values.items()
            if key not in _NOT_FIELDS and key != self.conversation_key and value.strip()
        }
        if others:
            fields["other_dispositions"] = "|".join(others)
        if len(rows) > 1:
            fields["call_rows"] = str(len(rows))
            self.stats.rows_merged += len(rows) - 1
        if winner.ambiguous:
            fields["timestamp_ambiguous"] = "true"
        if "disposition_type" not in fields and (kind := self.catalog.get(normalize_text(winner.code))):
            fields["disposition_type"] = kind
        media_value = next((winner.values[c] for c in _MEDIA_COLUMNS if winner.values.get(c, "").strip()), None)
        media, known = media_for(media_value)
        if not known:
            fields["media_type_unknown"] = "true"
        try:
            disposition = Disposition(
                source="five9",
                source_id=call.call_id,
                conversation_id=next(iter(conversations), None),
                code=winner.code,
                fields=fields,
                agent=agent_or_none(winner.values.get("agent")),
                media=media,
                occurred_at=winner.when,
            )
        except ValidationError as exc:
            problem = exc.errors()[0]
            return error(str(problem["msg"]), winner, ".".join(str(p) for p in problem["loc"]))
        self.stats.records += 1
        return disposition


def _rows_until_broken(
    stream: IO[str], name: str, broken: list[Five9RecordError]
) -> Iterator[tuple[int, list[str], dict[str, str]]]:
    """The CSV rows; a file the csv module cannot parse further ends here, with the error put in ``broken``.

    The caller still emits the calls it holds open before reporting that the rest of the file was not read.
    """
    last = 0
    try:
        for line, header, raw in iter_csv_rows(stream):
            last = line
            yield line, header, raw
    except csv.Error as exc:
        broken.append(
            Five9RecordError(
                f"the CSV cannot be parsed beyond this point ({exc}); the rest of the file was not read",
                record=f"after line {last}" if last else "header",
                input_name=name,
            )
        )


def _recency(row: _Row) -> tuple[bool, float, int]:
    # Rows without a time sort before timed ones; file order breaks ties.
    return (row.when is not None, row.when.timestamp() if row.when else 0.0, row.ordinal)


def _is_transfer_leg(row: _Row) -> bool:
    return "transfer" in normalize_text(row.values.get("call_type", ""))


def _compact(call_id: str) -> int | str:
    """Five9 CALL IDs are 15-digit numbers; an int takes half the memory of the string in the emitted index."""
    if call_id.isascii() and call_id.isdigit() and len(call_id) < 19 and not call_id.startswith("0"):
        return int(call_id)
    return call_id
