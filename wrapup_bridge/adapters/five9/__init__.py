"""The Five9 source adapter: Call Log report CSVs and web-connector payloads.

Formats (``--format``): ``call-log`` (the standard Call Log CSV; rows are grouped per CALL ID, see ``call_log``) and
``web-connector`` (call-variable payloads as JSON or url-encoded form bodies, see ``web_connector``). ``read``
detects the format from the first line when ``options.format`` is not set: JSON, or a line of ``name=value`` pairs
without Call Log headers, is web-connector; anything else is read as a Call Log. ``from_payload`` takes a
web-connector payload, or one Call Log row as a header -> cell mapping (recognised by a ``CALL ID``,
``DISPOSITION`` or ``TIMESTAMP`` key).

Genesys conversation id: ``options.conversation_id_field`` names the CSV column (matched with ``normalize_key``) or
the call variable (a name or dotted path); by default the column ``GENESYS CONVERSATION ID`` or the call variable
``Genesys.conversation_id`` / ``genesys_conversation_id``. ``options.catalog`` is a Five9 dispositions listing that
fills ``fields["disposition_type"]`` by name (see ``_catalog``).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterator, Mapping
from typing import IO, Any, ClassVar, cast

from wrapup_bridge.adapters._common import iter_json_records
from wrapup_bridge.adapters.base import AdapterOptions, Five9RecordError
from wrapup_bridge.adapters.five9._catalog import load_catalog
from wrapup_bridge.adapters.five9.call_log import CALL_WINDOW, CallLogReader, ReadStats
from wrapup_bridge.adapters.five9.web_connector import WebConnectorReader
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.normalize import normalize_key

__all__ = ["CALL_WINDOW", "Five9Adapter", "ReadStats"]

_ROW_KEYS = frozenset({"call_id", "disposition", "timestamp"})


class Five9Adapter:
    """Reads Five9 dispositions; yields or raises only Five9RecordError.

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
        catalog = load_catalog(self.options.catalog) if self.options.catalog else {}
        self.stats = ReadStats()
        self._call_log = CallLogReader(
            conversation_column=self.options.conversation_id_field, catalog=catalog, window=window, stats=self.stats
        )
        self._web = WebConnectorReader(conversation_field=self.options.conversation_id_field, catalog=catalog)

    def read(self, stream: IO[str], *, name: str = "<stdin>") -> Iterator[Disposition | Five9RecordError]:
        """Yield one Disposition per call (or payload), or the Five9RecordError for one that could not be read."""
        peeked: list[str] = []
        for line in iter(stream.readline, ""):
            peeked.append(line)
            if line.strip("\ufeff \t\r\n"):
                break
        if not peeked:
            return
        fmt = self.options.format or _detect(peeked[-1])
        if fmt == "web-connector":
            yield from self._read_web("".join(peeked) + stream.read(), name)
        else:
            # csv only iterates its input, so the peeked lines are put back in front of the rest of the stream.
            yield from self._call_log.read(cast(IO[str], itertools.chain(peeked, stream)), name)

    def from_payload(self, payload: Mapping[str, Any], *, ref: str = "payload") -> Disposition:
        """One web-connector payload or Call Log row; raises Five9RecordError."""
        if not isinstance(payload, Mapping):
            raise Five9RecordError(f"expected an object, got {type(payload).__name__}", record=ref, raw=payload)
        fmt = self.options.format or (
            "call-log" if any(normalize_key(str(k)) in _ROW_KEYS for k in payload) else "web-connector"
        )
        if fmt == "call-log":
            return self._call_log.from_row(payload, ref)
        return self._web.convert(payload, record=ref, input_name=None)

    def _read_web(self, text: str, name: str) -> Iterator[Disposition | Five9RecordError]:
        body = text.lstrip("\ufeff").strip()
        if not body.startswith(("{", "[")):
            yield from self._web.read_lines(text.lstrip("\ufeff"), name)
            return
        for position, item in iter_json_records(io.StringIO(text)):
            if isinstance(item, json.JSONDecodeError):
                if item.doc.strip().startswith(("{", "[")):
                    yield Five9RecordError(
                        f"not valid JSON: {item.msg}", record=position, input_name=name, raw=item.doc
                    )
                else:  # a form body among JSON lines
                    yield self._web.convert_form(item.doc, record=position, input_name=name)
                continue
            if not isinstance(item, Mapping):
                yield Five9RecordError(
                    f"expected a JSON object, got {type(item).__name__}", record=position, input_name=name, raw=item
                )
                continue
            try:
                yield self._web.convert(item, record=position, input_name=name)
            except Five9RecordError as exc:
                yield exc


def _detect(first_line: str) -> str:
    text = first_line.lstrip("\ufeff").strip()
    if text.startswith(("{", "[")):
        return "web-connector"
    try:
        header = next(csv.reader([text]), [])
    except csv.Error:
        header = []  # the Call Log reader reports what is wrong with it
    if {normalize_key(cell) for cell in header} & _ROW_KEYS:
        return "call-log"
    return "web-connector" if "=" in text else "call-log"
