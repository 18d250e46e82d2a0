"""Five9's Call Log report and the reports built on it (CSV) to records, one per call.

Columns are matched with ``normalize_key`` (``Call Type`` = ``CALL TYPE`` = ``call_type``). Three envelopes are
read without any setting:

- the standard Call Log (``getReportResultCsv``, English headers, five9.md 2.2): ``CALL ID``, ``TIMESTAMP``,
  ``DISPOSITION``, ``AGENT``... (and any columns a migration added, such as ``GENESYS CONVERSATION ID``);
- custom reports built on it, which carry ``DATE`` + ``TIME``, ``DATE`` + ``HALF HOUR`` or ``DATE`` +
  ``QUARTER HOUR`` instead of ``TIMESTAMP`` (dates as ``2025/09/29`` or ``Mon, 29 Sep 2025``), often with custom
  columns such as ``Global.strSugarZipCode`` (angmarceau1971/five9-call-dashboard);
- warehouse loads by Singer taps (Pathlight, Matatika tap-five9): snake_case columns (``call_id``, ``timestamp``,
  ``bill_time__rounded_``) and RFC 3339 UTC times, which carry their offset and are read as the instants they are.

The time is found, unless the field map places it (``time: DATE+TIME``, any ``A+B`` join, or one column), in this
order: ``TIMESTAMP``; ``DATE`` + ``TIME``; ``DATE`` + ``HALF HOUR`` / ``DATE`` + ``QUARTER HOUR`` (the slot start,
with ``fields["time_precision"]`` = ``half-hour`` / ``quarter-hour``); ``DATE`` alone (midnight, ``day``). Local
times are in the zone of the domain's data centre (see ``_time``). The field map (``options.fields``) also places
``code`` (default ``DISPOSITION``), ``source_id`` (default ``CALL ID``; rows are grouped by it), ``agent``
(``AGENT``), ``agent_name`` (kept as ``fields["agent_name"]``; by default the ``AGENT NAME`` column is),
``notes`` (none by default), ``media`` (``MEDIA TYPE``) and ``conversation_id`` (``options.conversation_id_field``,
default ``GENESYS CONVERSATION ID``). A field map naming a column the file does not have stops the file with one
error at its header: it would otherwise read every row wrong.

One call can have several rows sharing a ``CALL ID`` (five9.md 2.3): a transfer to a third party writes the agent's
row with the disposition plus a ``3rd party transfer`` leg with none; a queue callback writes an ``Inbound`` and a
``Queue Callback`` row. A replay must see one record per call, so rows are grouped by ``CALL ID``:

- the row carrying a disposition wins; when several do, the one with the latest time (then the later row)
  wins and the others' dispositions go into ``fields["other_dispositions"]`` (pipe-joined, file order);
- a call whose rows all have an empty DISPOSITION is one record with code ``""``; its fields come from its first
  row that is not a transfer leg, so ``call_type`` says "transfer" only when every row was a leg;
- ``fields["call_rows"]`` gives the number of rows merged when more than one.

Grouping streams: memory holds the calls of a bounded window, plus a small entry per emitted call. Rows of one
call are usually adjacent but need not be, so calls stay open in a look-back window: a call is emitted once
``window`` further rows (default ``CALL_WINDOW`` = 5000) have passed without another of its rows, or at end of
file. Records come out in order of each call's first row; a call that keeps the head of that order open holds the
later ones back, and when more than ``2 * window`` calls are held the head is emitted anyway. A row whose call was
already emitted cannot be merged any more and is never silently dropped nor counted twice: with a disposition it
is yielded as a Five9RecordError (field ``CALL ID``) saying how many rows later it reappeared; an
empty-disposition leg adds nothing to the record and is dropped with a logged warning, counted in
``ReadStats.late_legs_dropped``. To tell a reappearance from a new call the reader remembers the last
``EMITTED_MEMORY`` emitted ``CALL ID``s (about 20 bytes each in ``_emitted.EmittedIndex``, so memory stays flat
however long the export); a row of a call older than that is read as a new call, and the replay's idempotency
check (the code already on the Genesys participant) then catches the repeat. An export sorted by ``CALL ID`` keeps
every call's rows adjacent.

A row that cannot be read (bad time, malformed Genesys conversation id) turns its whole call into one error,
holding all of the call's rows in ``raw``, so a fix and retry cannot produce a second record for the same call.
Extra columns are kept as fields under their normalized header; ``CUSTOMER NAME`` is personal data and never
copied.
"""

from __future__ import annotations

import csv
import logging
import re
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from pydantic import ValidationError

from wrapup_bridge.adapters._checked import checked_disposition
from wrapup_bridge.adapters._common import BadRow, iter_csv_cells, row_dict, text_or_none
from wrapup_bridge.adapters._emitted import EmittedIndex
from wrapup_bridge.adapters.base import AdapterOptions, Five9RecordError, check_options
from wrapup_bridge.adapters.explain import Origins
from wrapup_bridge.adapters.five9._options import ACCEPTED, TIME_OPTIONS
from wrapup_bridge.adapters.five9._time import Five9Clock, Instant
from wrapup_bridge.adapters.five9._values import agent_or_none, check_conversation_id, media_for
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.normalize import normalize_key, normalize_text

__all__ = [
    "CALL_LOG_HEADERS",
    "CALL_WINDOW",
    "DEFAULT_CONVERSATION_COLUMN",
    "KNOWN_KEYS",
    "CallLogReader",
    "Layout",
    "ReadStats",
]

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


def _snake_aliases() -> dict[str, str]:
    """Warehouse spellings of the standard headers that ``normalize_key`` does not already give: Pathlight's
    tap-five9 (``re.sub('[^a-zA-Z0-9]', '_')``: ``bill_time__rounded_``), Matatika's with the underscores stripped
    (``bill_time__rounded``) and its later ``re.sub('[^\\w-]', '')`` (``bill_time_rounded``)."""
    aliases: dict[str, str] = {}
    for header in CALL_LOG_HEADERS:
        key = normalize_key(header)
        pathlight = re.sub(r"[^a-zA-Z0-9]", "_", header).lower()
        newer = re.sub(r"[^\w-]", "", re.sub(r"[\s.]", "_", header)).lower()
        for form in (pathlight, pathlight.strip("_"), newer):
            if form != key:
                aliases[form] = key
    return aliases


_ALIASES = _snake_aliases()

#: Where the parts of a record are when the field map does not say (column keys; tried in order).
_DEFAULTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "source_id": (("call_id",),),
    "code": (("disposition",),),
    "agent": (("agent",),),
    "media": (("media_type",), ("call.mediatype",)),
}
#: Time column sets, in the order they are looked for when the field map does not place the time.
_TIME_SETS: tuple[tuple[str, ...], ...] = (
    ("timestamp",),
    ("date", "time"),
    ("date", "half_hour"),
    ("date", "quarter_hour"),
    ("date",),
)
_PRECISION = {"half_hour": "half-hour", "quarter_hour": "quarter-hour"}
_PERSONAL = frozenset({"customer_name"})

#: Column keys the reader gives a meaning to by default (a column by any other name is only a field).
KNOWN_KEYS = frozenset(
    {k for alts in _DEFAULTS.values() for alt in alts for k in alt}
    | {k for alt in _TIME_SETS for k in alt}
    | _PERSONAL
    | {normalize_key(DEFAULT_CONVERSATION_COLUMN)}
)


def column_key(header: str) -> str:
    """The key a column (or a field-map place naming one) is matched by."""
    key = normalize_key(header)
    return _ALIASES.get(key, key)


@dataclass
class ReadStats:
    """What grouping did across reads, for a summary line; ``late_legs_dropped`` is the only thing ever dropped."""

    rows: int = 0
    records: int = 0
    rows_merged: int = 0
    late_legs_dropped: int = 0


@dataclass(frozen=True, slots=True)
class Place:
    """One alternative of a part: a column, or columns joined by a space (DATE + HALF HOUR)."""

    keys: tuple[str, ...]
    label: str
    precision: str | None = None

    @property
    def field_name(self) -> str:
        """How an error names it: the header's spelling, joins as the field map writes them (``DATE+TIME``)."""
        return self.label.replace(" + ", "+")


@dataclass(slots=True)
class _Row:
    line: int
    ordinal: int
    header: list[str]
    cells: list[str]
    #: column key -> cell; for a row read directly (``_Direct``) the column keys, its values built when asked for
    mapped: dict[str, str] | tuple[str, ...]
    source_id: str
    code: str
    when: Instant | None
    time_place: Place | None
    conversation_id: str | None
    problem: tuple[str, str] | None  # (message, column)

    @property
    def values(self) -> dict[str, str]:
        """Column key -> cell."""
        mapped = self.mapped
        return mapped if isinstance(mapped, dict) else dict(zip(mapped, self.cells, strict=False))

    @property
    def raw(self) -> dict[str, str]:
        """The row as header name -> cell (as ``iter_csv_rows`` gives it), built only for an error's ``raw``."""
        return row_dict(self.header, self.cells)


@dataclass(slots=True)
class _Call:
    call_id: str
    rows: list[_Row]
    last_ordinal: int
    #: ``_compact(call_id)``, the key of the emitted index
    compact: int | str
    #: where the parts of its file's rows are
    layout: Layout


class _Columns:
    """A header's keys and the spelling to name a column by in errors."""

    def __init__(self, header: list[str]) -> None:
        self.header = header
        self.keys = {h: column_key(h) for h in header}
        #: keys in header order, so a row (built in header order) maps to keys with one zip
        self.ordered_keys = [self.keys[h] for h in header]
        self.names: dict[str, str] = {}
        self.duplicate: str | None = None
        for h in header:
            key = self.keys[h]
            if key in self.names and self.duplicate is None:
                self.duplicate = h
            self.names.setdefault(key, h)

    def key(self, header: str) -> str:
        key = self.keys.get(header)
        return key if key is not None else column_key(header)

    def name(self, key: str) -> str:
        return self.names.get(key) or _CANONICAL.get(key) or key


@dataclass(frozen=True, slots=True)
class _Direct:
    """Where each part of a record is in a row of a file whose every part is one column or none (the usual Call
    Log): the part's column key and place, or None when the file has no such column.

    Alternatives whose columns are not all in the header can never be picked from a row of that header's width, so
    a part with one alternative left that is one column is read from it directly, without trying any; ``Layout``
    gives no ``_Direct`` when some part has more (``pick`` then reads every row as before). Rows with more cells
    than the header (their extra cells are keys of their own) are read the general way too."""

    #: the header's width and column keys, in order
    width: int
    keys: tuple[str, ...]
    #: each part's (column index, place)
    source_id: tuple[int, Place] | None
    code: tuple[int, Place] | None
    time: tuple[int, Place] | None
    conversation_id: tuple[int, Place] | None
    agent: tuple[int, Place] | None
    agent_name: tuple[int, Place] | None
    notes: tuple[int, Place] | None
    media: tuple[int, Place] | None
    #: the (column index, key) of the columns that are fields (not consumed), in header order
    fields: tuple[tuple[int, str], ...]

    @classmethod
    def of(cls, layout: Layout) -> _Direct | None:
        keys = tuple(layout.columns.ordered_keys)
        present = set(keys)
        parts: dict[str, tuple[int, Place] | None] = {}
        for part in ("source_id", "code", "time", "conversation_id", "agent", "agent_name", "notes", "media"):
            usable = [place for place in layout.get(part) if set(place.keys) <= present]
            if len(usable) > 1 or (usable and len(usable[0].keys) != 1):
                return None
            parts[part] = (keys.index(usable[0].keys[0]), usable[0]) if usable else None
        return cls(
            width=len(keys),
            keys=keys,
            fields=tuple((i, k) for i, k in enumerate(keys) if k not in layout.consumed),
            **parts,
        )


@dataclass
class Layout:
    """Where one file (or one row given as a mapping) keeps each part of a record, decided from its header."""

    columns: _Columns
    places: dict[str, tuple[Place, ...]] = field(default_factory=dict)
    #: how the time was found: "field map", "detected" or "" when the file has none
    time_how: str = ""
    #: column keys that become a Disposition attribute (or are personal data) rather than fields
    consumed: frozenset[str] = frozenset()
    #: a field-map place that is not a column of this file: (message, place)
    problem: tuple[str, str] | None = None
    #: each part's one column, when every part has at most one (see ``_Direct``)
    direct: _Direct | None = None

    @classmethod
    def of(cls, header: list[str], options: AdapterOptions) -> Layout:
        columns = _Columns(header)
        layout = cls(columns)
        fields = options.fields
        present = set(columns.ordered_keys)
        conversation = (
            (options.conversation_id_field,)
            if options.conversation_id_field
            else fields.get("conversation_id") or (DEFAULT_CONVERSATION_COLUMN,)
        )
        for key in ("source_id", "code", "agent", "agent_name", "notes", "media", "time", "conversation_id"):
            mapped = fields.joined(key) if key != "conversation_id" else ()
            if mapped:
                alternatives = tuple(layout._place(parts) for parts in mapped)
                if layout.problem is None and not any(set(p.keys) <= present for p in alternatives):
                    written = "|".join(fields.get(key))
                    layout.problem = (
                        f"the field map places {key} at {written!r}, which is not a column of this file "
                        f"(its columns: {', '.join(header)})",
                        written,
                    )
                layout.places[key] = alternatives
                if key == "time":
                    layout.time_how = "field map"
            elif key == "time":
                found = next((keys for keys in _TIME_SETS if set(keys) <= present), None)
                if found is not None:
                    layout.places["time"] = (layout._place(found),)
                    layout.time_how = "detected"
            elif key == "conversation_id":
                layout.places[key] = tuple(layout._place((column_key(c),)) for c in conversation)
            elif key in _DEFAULTS:
                layout.places[key] = tuple(layout._place(keys) for keys in _DEFAULTS[key])
        consumed = set(_PERSONAL)
        for key, alternatives in layout.places.items():
            if key != "media":  # the media type stays a field too, for rules to match on
                consumed.update(k for place in alternatives for k in place.keys)
        layout.consumed = frozenset(consumed)
        if columns.duplicate is None:
            layout.direct = _Direct.of(layout)
        return layout

    def _place(self, parts: tuple[str, ...]) -> Place:
        keys = tuple(column_key(p) for p in parts)
        if len(keys) == 1 and keys[0] == "date":
            precision: str | None = "day"
        else:
            precision = _PRECISION.get(keys[-1]) if len(keys) > 1 else None
        return Place(keys, " + ".join(self.columns.name(k) for k in keys), precision)

    def get(self, key: str) -> tuple[Place, ...]:
        return self.places.get(key, ())

    def pick(self, key: str, values: Mapping[str, str]) -> tuple[str, Place] | None:
        """The first alternative whose columns all hold a non-blank value, joined by a space."""
        for place in self.places.get(key, ()):
            keys = place.keys
            if len(keys) == 1:  # the common case, kept cheap: it runs for several parts of every row
                cell = values.get(keys[0])
                if cell and not cell.isspace():
                    return cell, place
                continue
            cells = [values.get(k, "") for k in keys]
            if all(c and not c.isspace() for c in cells):
                return " ".join(c.strip() for c in cells), place
        return None

    def has(self, key: str, values: Mapping[str, str]) -> Place | None:
        """The first alternative whose columns are all in ``values`` (blank or not)."""
        return next((p for p in self.get(key) if all(k in values for k in p.keys)), None)

    def label(self, key: str) -> str:
        places = self.get(key)
        return places[0].label if places else ""

    def field_name(self, key: str) -> str:
        places = self.get(key)
        return places[0].field_name if places else key

    def time_options_unused(self) -> bool:
        return not self.get("time")


#: How many emitted CALL IDs are remembered to recognise a call's row reappearing late (bounds memory).
EMITTED_MEMORY = 50_000


class CallLogReader:
    """Groups Call Log rows into one Disposition per call; see the module docstring for the rules.

    ``origins``, when given, receives where each part of each record came from (for ``explain``); ``layout`` is the
    last file's, once its header has been read."""

    def __init__(
        self,
        *,
        options: AdapterOptions,
        clock: Five9Clock,
        catalog: Mapping[str, str],
        window: int,
        stats: ReadStats,
        origins: Origins | None = None,
    ) -> None:
        self.options = options
        self.clock = clock
        self.catalog = catalog
        self.window = window
        self.stats = stats
        self.origins = origins
        self.layout: Layout | None = None
        self._agents: dict[str, str | None] = {}

    def read(self, stream: IO[str], name: str) -> Iterator[Disposition | Five9RecordError]:
        """Yield one record (or error) per call, in order of each call's first row.

        Raises AdapterOptionError, before yielding anything, when the file has no use for an option given."""
        finish = self._finish
        for head in self._heads(stream, name):
            yield finish(head, name) if isinstance(head, _Call) else head[1]

    def read_located(self, stream: IO[str], name: str) -> Iterator[tuple[str, Disposition | Five9RecordError]]:
        """``read``, with each result's position ("CALL ID 3000... (line 2)", "line 7")."""
        for head in self._heads(stream, name):
            if isinstance(head, _Call):
                yield f"CALL ID {head.call_id} (line {head.rows[0].line})", self._finish(head, name)
            else:
                yield head

    def _heads(self, stream: IO[str], name: str) -> Iterator[_Call | tuple[str, Five9RecordError]]:
        """The calls as they are due, in order of each call's first row, and the errors (with their positions)
        in their places in that order; ``self.layout`` is the file's once its header is read."""
        # Calls in order of first appearance; a row error takes its place in that order as an already-due entry.
        pending: OrderedDict[str | tuple[str, int], _Call | Five9RecordError] = OrderedDict()
        emitted = EmittedIndex(EMITTED_MEMORY)  # CALL ID -> ordinal of its last row, for reappearances
        layout: Layout | None = None
        broken: list[Five9RecordError] = []
        window = self.window
        stats = self.stats
        parse_row = self._parse_row
        rows = iter_csv_cells(stream)
        ordinal = line = 0
        while True:
            try:
                line, header, cells = next(rows)
            except StopIteration:
                break
            except csv.Error as exc:
                # The calls held open are still emitted before saying that the rest of the file was not read.
                broken.append(
                    Five9RecordError(
                        f"the CSV cannot be parsed beyond this point ({exc}); the rest of the file was not read",
                        record=f"after line {line}" if line else "header",
                        input_name=name,
                    )
                )
                break
            ordinal += 1
            if layout is None:
                layout = self.layout = Layout.of(header, self.options)
                if layout.time_options_unused():
                    check_options(
                        "five9",
                        "call-log",
                        self.options,
                        ACCEPTED["call-log"] - TIME_OPTIONS,
                        "this file has no TIMESTAMP or DATE column, nor one the field map places as the time",
                    )
                stop = self._header_problem(layout, name)
                if stop is not None:
                    yield "header", stop
                    return
            stats.rows += 1
            if isinstance(cells, BadRow):
                pending[("line", line)] = Five9RecordError(
                    cells.reason, record=f"line {line}", input_name=name, raw=cells.raw
                )
            else:
                # Put the row where it belongs: its call's rows, a new call, or (_take_other_row) an error in file
                # order, or nowhere (an empty late leg).
                row = parse_row(line, ordinal, header, cells, layout)
                call_id = row.source_id.strip()
                if call_id and type(call := pending.get(call_id)) is _Call:
                    call.rows.append(row)
                    call.last_ordinal = ordinal
                elif call_id and emitted.get(compact := _compact(call_id)) is None:
                    pending[call_id] = _Call(call_id, [row], ordinal, compact, layout)
                else:
                    self._take_other_row(pending, emitted, row, call_id, layout, name)
            while pending:
                head = next(iter(pending.values()))
                if isinstance(head, _Call):
                    if ordinal - head.last_ordinal < window and len(pending) <= 2 * window:
                        break
                    emitted.add(head.compact, head.last_ordinal)
                    pending.popitem(last=False)
                    yield head
                else:
                    pending.popitem(last=False)
                    yield head.record or "?", head
        if layout is not None:
            for head in pending.values():
                yield head if isinstance(head, _Call) else (head.record or "?", head)
        for error in broken:
            yield error.record or "end", error

    def _take_other_row(
        self,
        pending: OrderedDict[str | tuple[str, int], _Call | Five9RecordError],
        emitted: EmittedIndex,
        row: _Row,
        call_id: str,
        layout: Layout,
        name: str,
    ) -> None:
        """A row without a CALL ID (an error in its place), or of a call already emitted (see ``_late_row``)."""
        line = row.line
        if not call_id:
            missing = "is empty" if layout.has("source_id", row.values) else "is not a column of this file"
            pending[("line", line)] = Five9RecordError(
                f"{layout.label('source_id')} {missing}; a row cannot be grouped or replayed without it",
                record=f"line {line}",
                field=layout.field_name("source_id"),
                input_name=name,
                raw=row.raw,
            )
        else:
            late = self._late_row(row, call_id, row.ordinal - emitted[_compact(call_id)], layout, name)
            if late is not None:
                pending[("line", line)] = late

    @staticmethod
    def _header_problem(layout: Layout, name: str | None) -> Five9RecordError | None:
        columns = layout.columns
        if columns.duplicate is not None:
            return Five9RecordError(
                f"two columns are both named {columns.duplicate!r} (ignoring case and spacing); cannot "
                "tell which to read, so the file was not read",
                record="header",
                field=columns.duplicate,
                input_name=name,
            )
        if layout.problem is not None:
            return Five9RecordError(
                layout.problem[0] + "; the file was not read",
                record="header",
                field=layout.problem[1],
                input_name=name,
            )
        return None

    def from_row(self, row: Mapping[str, Any], ref: str) -> Disposition:
        """One Call Log row given as a mapping (header -> cell); raises Five9RecordError."""
        raw = {str(k): text_or_none(v) or "" for k, v in row.items()}
        layout = Layout.of(list(raw), self.options)
        problem = self._header_problem(layout, None)
        if problem is not None:
            raise problem.replace(record=ref, raw=dict(row))
        parsed = self._parse_row(0, 1, list(raw), list(raw.values()), layout)
        call_id = parsed.source_id.strip()
        if not call_id:
            raise Five9RecordError(
                f"{layout.label('source_id')} is missing or empty",
                record=ref,
                field=layout.field_name("source_id"),
                raw=dict(row),
            )
        result = self._finish(_Call(call_id, [parsed], 1, call_id, layout), None, record=ref)
        if isinstance(result, Five9RecordError):
            raise result
        return result

    def _parse_row(self, line: int, ordinal: int, header: list[str], cells: list[str], layout: Layout) -> _Row:
        direct = layout.direct
        if direct is None or len(cells) != direct.width:
            return self._parse_any_row(line, ordinal, header, cells, layout)
        # What _parse_any_row does for a row whose every part is one column or none (see _Direct).
        when, time_place, problem = None, None, None
        if (time := direct.time) is not None and (text := cells[time[0]]) and not text.isspace():
            time_place = time[1]
            try:
                when = self.clock.read(text)
            except ValueError as exc:
                problem = (str(exc), time_place.field_name)
        conversation_id = None
        if (found := direct.conversation_id) is not None and (text := cells[found[0]]) and not text.isspace():
            try:
                conversation_id = check_conversation_id(text)
            except ValueError as exc:
                problem = problem or (str(exc), found[1].field_name)
        code = ""
        if (coded := direct.code) is not None:
            if (text := cells[coded[0]]) and not text.isspace():
                code = text
        else:
            # Without the column every call would silently become "no disposition".
            problem = problem or (f"{layout.label('code')} is not a column of this input", layout.field_name("code"))
        source_id = ""
        if (source := direct.source_id) is not None and (text := cells[source[0]]) and not text.isspace():
            source_id = text
        return _Row(
            line, ordinal, header, cells, direct.keys, source_id, code, when, time_place, conversation_id, problem
        )

    def _parse_any_row(self, line: int, ordinal: int, header: list[str], cells: list[str], layout: Layout) -> _Row:
        columns = layout.columns
        if len(cells) == len(columns.ordered_keys):
            values = dict(zip(columns.ordered_keys, cells, strict=True))
        else:  # extra cells beyond the header keep their own keys
            values = {columns.key(h): v for h, v in row_dict(header, cells).items()}
        when, time_place, problem = None, None, None
        if (picked := layout.pick("time", values)) is not None:
            text, time_place = picked
            try:
                when = self.clock.read(text)
            except ValueError as exc:
                problem = (str(exc), time_place.field_name)
        conversation_id = None
        if (found := layout.pick("conversation_id", values)) is not None:
            try:
                conversation_id = check_conversation_id(found[0])
            except ValueError as exc:
                problem = problem or (str(exc), found[1].field_name)
        code = ""
        if (coded := layout.pick("code", values)) is not None:
            code = coded[0]
        elif layout.has("code", values) is None:
            # Without the column every call would silently become "no disposition".
            label = layout.label("code")
            problem = problem or (f"{label} is not a column of this input", layout.field_name("code"))
        source = layout.pick("source_id", values)
        return _Row(
            line,
            ordinal,
            header,
            cells,
            values,
            source[0] if source else "",
            code,
            when,
            time_place,
            conversation_id,
            problem,
        )

    def _late_row(self, row: _Row, call_id: str, distance: int, layout: Layout, name: str) -> Five9RecordError | None:
        where = f"line {row.line}"
        source = layout.label("source_id")
        if not row.code.strip():
            self.stats.late_legs_dropped += 1
            log.warning(
                "%s:%s: dropped an empty-disposition row of %s %s: it reappeared %d rows after the call's "
                "previous row, when the call was already emitted, and carries no disposition to add",
                name,
                where,
                source,
                call_id,
                distance,
            )
            return None
        return Five9RecordError(
            f"{source} {call_id} reappeared {distance} rows after its previous row, beyond the {self.window}-row "
            f"grouping window, so its call was already emitted without this row (disposition {row.code!r}); "
            f"sort the export by {source} or time and read it again",
            record=where,
            field=layout.field_name("source_id"),
            input_name=name,
            raw=row.raw,
        )

    def _finish(self, call: _Call, name: str | None, *, record: str | None = None) -> Disposition | Five9RecordError:
        layout = call.layout
        rows = call.rows
        if len(rows) == 1:  # the common case: nothing to merge, so nothing to choose
            winner = rows[0]
            if winner.problem is not None:
                return self._call_error(rows, winner.problem[0], winner, winner.problem[1], name, record)
            conversation_id = winner.conversation_id or None
            others: list[str] = []
        else:
            for row in rows:
                if row.problem is not None:
                    return self._call_error(rows, row.problem[0], row, row.problem[1], name, record)
            conversations = {r.conversation_id: r for r in rows if r.conversation_id}
            if len(conversations) > 1:
                first, second = list(conversations.values())[:2]
                return self._call_error(
                    rows,
                    f"rows of {layout.label('source_id')} {call.call_id} name different Genesys conversations: "
                    f"{first.conversation_id} (line {first.line}) and {second.conversation_id} (line {second.line})",
                    second,
                    layout.field_name("conversation_id"),
                    name,
                    record,
                )
            conversation_id = next(iter(conversations), None)
            dispositioned = [r for r in rows if r.code.strip()]
            if dispositioned:
                winner = max(dispositioned, key=_recency)
                others = [r.code for r in dispositioned if r is not winner]
            else:
                winner = next((r for r in rows if not _is_transfer_leg(r)), rows[0])
                others = []
        origins = self.origins
        direct = layout.direct
        agent_text: str | None
        notes_text: str | None
        media_text: str | None
        if direct is not None and not isinstance(winner.mapped, dict):  # read directly: see _Direct
            cells = winner.cells
            fields = {key: value for index, key in direct.fields if (value := cells[index]).strip()}
            agent_text = _cell(cells, part) if (part := direct.agent) is not None else None
            notes_text = _cell(cells, part) if (part := direct.notes) is not None else None
            media_text = _cell(cells, part) if (part := direct.media) is not None else None
            if (part := direct.agent_name) is not None and (agent_name_text := _cell(cells, part)) is not None:
                fields["agent_name"] = agent_name_text
        else:
            values = winner.values
            consumed = layout.consumed
            fields = {key: value for key, value in values.items() if key not in consumed and value.strip()}
            agent = layout.pick("agent", values)
            agent_name = layout.pick("agent_name", values) if "agent_name" in layout.places else None
            notes = layout.pick("notes", values)
            media_value = layout.pick("media", values)
            agent_text = agent[0] if agent else None
            notes_text = notes[0] if notes else None
            media_text = media_value[0] if media_value else None
            if agent_name is not None:
                fields["agent_name"] = agent_name[0]
        if others:
            fields["other_dispositions"] = "|".join(others)
        if len(rows) > 1:
            fields["call_rows"] = str(len(rows))
            self.stats.rows_merged += len(rows) - 1
        when = winner.when
        if when is not None and when.ambiguous:
            fields["timestamp_ambiguous"] = "true"
        precision = winner.time_place.precision if winner.time_place is not None else None
        if precision is not None:
            fields["time_precision"] = precision
        catalog = self.catalog
        from_catalog = (
            bool(catalog) and "disposition_type" not in fields and bool(catalog.get(normalize_text(winner.code)))
        )
        if from_catalog:
            fields["disposition_type"] = catalog[normalize_text(winner.code)]
        media, known = media_for(media_text) if media_text is not None else _NO_MEDIA
        if not known:
            fields["media_type_unknown"] = "true"
        try:
            # Every value checked above as the model's validators would (checked_disposition says which):
            # source_id is a stripped, non-empty CALL ID, the conversation id check_conversation_id's.
            disposition = checked_disposition(
                source="five9",
                source_id=call.call_id,
                conversation_id=conversation_id,
                code=winner.code,
                fields=fields,
                notes=notes_text,
                agent=self._agent(agent_text),
                media=media,
                occurred_at=when.utc if when is not None else None,
            )
        except ValidationError as exc:
            problem = exc.errors()[0]
            return self._call_error(
                rows, str(problem["msg"]), winner, ".".join(str(p) for p in problem["loc"]), name, record
            )
        self.stats.records += 1
        if origins is not None:
            self._note(origins, layout, rows, winner, fields, from_catalog=from_catalog)
        return disposition

    def _agent(self, text: str | None) -> str | None:
        """``agent_or_none(text)``, remembered per text: a Call Log names the same few hundred agents all along."""
        if text is None:
            return None
        agents = self._agents
        try:
            return agents[text]
        except KeyError:
            if len(agents) >= _AGENTS_KEPT:
                agents.clear()
            agent = agents[text] = agent_or_none(text)
            return agent

    @staticmethod
    def _call_error(
        rows: list[_Row], message: str, row: _Row, field: str, name: str | None, record: str | None
    ) -> Five9RecordError:
        """The error that holds back a whole call: every row of it in ``raw``, so a retry cannot make two records."""
        if len(rows) > 1:
            message += f" (the call's {len(rows)} rows are held back together)"
        raw: Any = rows[0].raw if len(rows) == 1 else [r.raw for r in rows]
        return Five9RecordError(message, record=record or f"line {row.line}", field=field, input_name=name, raw=raw)

    def _note(
        self,
        origins: Origins,
        layout: Layout,
        rows: list[_Row],
        winner: _Row,
        fields: Mapping[str, str],
        *,
        from_catalog: bool,
    ) -> None:
        """Where each part of the record just built came from, for ``explain``."""
        source = layout.label("source_id")
        merged = f", line {winner.line} of the call's {len(rows)} rows" if len(rows) > 1 else ""
        origins.put("source_id", source + (" (the rows sharing it are one call)" if len(rows) > 1 else ""))
        code = layout.pick("code", winner.values)
        origins.put("code", (code[1].label if code else layout.label("code")) + merged)
        for key in ("agent", "notes", "conversation_id"):
            if (found := layout.pick(key, winner.values)) is not None:
                origins.put(key, found[1].label)
        media = layout.pick("media", winner.values)
        origins.put("media", media[1].label if media else "default: the Call Log is voice")
        if winner.when is not None and winner.time_place is not None:
            place = winner.time_place
            if winner.when.own_offset:
                how = "its own UTC offset, no zone applied"
            else:
                slot = {"half-hour": "slot start, ", "quarter-hour": "slot start, ", "day": "midnight, "}
                how = slot.get(place.precision or "", "") + self.clock.zone_name
            origins.put("occurred_at", f"{place.label} ({how})")
        names = layout.columns
        for key in fields:
            origins.put(f"fields.{key}", names.name(key))
        if (agent_name := layout.pick("agent_name", winner.values)) is not None and "agent_name" in layout.places:
            origins.put("fields.agent_name", f"{agent_name[1].label} (field map)")
        origins.put("fields.other_dispositions", f"{layout.label('code')} of the call's other rows")
        origins.put("fields.call_rows", f"rows sharing the {source}")
        origins.put("fields.timestamp_ambiguous", "a time in the repeated hour (first occurrence taken)")
        if winner.time_place is not None:
            origins.put("fields.time_precision", f"{winner.time_place.label}: the time is a slot, not an instant")
        if from_catalog:
            origins.put("fields.disposition_type", "--catalog")
        origins.put("fields.media_type_unknown", "a media type not recognised (read as voice)")


def _cell(cells: list[str], part: tuple[int, Place]) -> str | None:
    """The non-blank value of a part read directly (``Layout.pick`` for a part of one column)."""
    text = cells[part[0]]
    return text if text and not text.isspace() else None


#: ``media_for(None)``: the Call Log is voice
_NO_MEDIA = media_for(None)
#: Agent texts remembered (memory stays flat whatever the export).
_AGENTS_KEPT = 4096


def _recency(row: _Row) -> tuple[bool, float, int]:
    # Rows without a time sort before timed ones; file order breaks ties.
    return (row.when is not None, row.when.utc.timestamp() if row.when else 0.0, row.ordinal)


def _is_transfer_leg(row: _Row) -> bool:
    return "transfer" in normalize_text(row.values.get("call_type", ""))


def _compact(call_id: str) -> int | str:
    """Five9 CALL IDs are 15-digit numbers; an int takes half the memory of the string in the emitted index."""
    if call_id.isascii() and call_id.isdigit() and len(call_id) < 19 and not call_id.startswith("0"):
        return int(call_id)
    return call_id
