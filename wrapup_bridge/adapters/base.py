"""What every source adapter promises, and the error it raises.

An adapter knows one legacy platform and nothing of Genesys. It reads the shapes that platform really
produces (files for replays and reviews, single payloads for live use) and yields ``Disposition`` records.
A record it cannot read is *yielded* as an ``AdapterError`` rather than raised, so that one bad row in a
million-row export is reported and kept for retry while the rest goes on; ``from_payload`` (one live event)
raises it instead.

Exceptions::

    AdapterError (ValueError)       a legacy record could not be turned into a Disposition
      ├── TwilioRecordError         ... a Twilio task, event, Insights row or Copilot payload
      ├── Five9RecordError          ... a Five9 Call Log row or web-connector payload
      └── CXoneRecordError          ... a CXone completed-contact record or catalog entry
    AdapterOptionError (ValueError) an option the adapter cannot use for this format (never silently ignored)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, ClassVar, Protocol, Self

from wrapup_bridge.adapters.fields import FieldMap, FieldMapError
from wrapup_bridge.adapters.localtime import DateOrder
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.errors import WrapupBridgeError

__all__ = [
    "Adapter",
    "AdapterError",
    "AdapterOptionError",
    "AdapterOptions",
    "CXoneRecordError",
    "Five9RecordError",
    "ReadResult",
    "TwilioRecordError",
    "check_options",
    "options_for",
]


class AdapterError(WrapupBridgeError, ValueError):
    """A legacy record could not be turned into a Disposition.

    Carries where (``input_name`` and ``record``: "row 12", "line 3", "TaskSid WT..."), which ``field``, and the
    original record (``raw``) so it can be written somewhere a person can fix and retry it from.
    """

    source: ClassVar[str] = "legacy"

    def __init__(
        self,
        message: str,
        *,
        record: str | None = None,
        field: str | None = None,
        input_name: str | None = None,
        raw: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.record = record
        self.field = field
        self.input_name = input_name
        self.raw = raw

    def replace(self, **changes: Any) -> Self:
        """A new error like this one with some of ``record``, ``field``, ``input_name`` and ``raw`` changed
        (errors are immutable once built: a reader that learns more about where a record came from builds a new
        one). ``message`` and any fields of its subclass are kept."""
        unknown = sorted(set(changes) - {"record", "field", "input_name", "raw"})
        if unknown:
            raise TypeError(f"replace() takes record, field, input_name and raw, not {', '.join(unknown)}")
        return self._replace(**changes)

    @property
    def where(self) -> str:
        """``file:row 12: field 'DISPOSITION'``-style location, as precise as what is known."""
        parts = [p for p in (self.input_name, self.record) if p]
        where = ":".join(parts)
        if self.field:
            where = f"{where}: field {self.field!r}" if where else f"field {self.field!r}"
        return where

    def __str__(self) -> str:
        where = self.where
        return f"{where}: {self.message}" if where else self.message

    def to_json_dict(self) -> dict[str, Any]:
        """The rejected record and why, as one line of a rejects file."""
        return {
            "source": self.source,
            "input": self.input_name,
            "record": self.record,
            "field": self.field,
            "error": self.message,
            "raw": self.raw,
        }


class TwilioRecordError(AdapterError):
    """A Twilio task, TaskRouter event, Insights row, Voice callback or Copilot payload was unreadable."""

    source = "twilio"


class Five9RecordError(AdapterError):
    """A Five9 Call Log row or web-connector payload was unreadable."""

    source = "five9"


class CXoneRecordError(AdapterError):
    """A NICE CXone completed-contact record or disposition catalog entry was unreadable."""

    source = "cxone"


class AdapterOptionError(WrapupBridgeError, ValueError):
    """An option was given that the adapter cannot use for this input (a time zone for times that carry their
    own offset, a field the format has no place for): a usage error, never silently ignored."""


@dataclass(frozen=True)
class AdapterOptions:
    """Per-migration settings an adapter needs beyond the record itself (the table's ``source:`` and the CLI).

    ``conversation_id_field`` says where this migration stored the Genesys conversation id: a dotted path into
    JSON (``conversations.conversation_attribute_9``), a form parameter or call variable name
    (``call.genesys_id``) or a CSV column (``GENESYS CONVERSATION ID``). None means the adapter's default
    places. ``format`` forces one input format instead of detecting it. ``catalog`` is a side file an adapter
    needs to finish records (CXone's skill-disposition catalog, mapping ids to names). ``fields`` places the
    other parts of a disposition (see ``fields``). ``timezone`` (an IANA name), ``time_format`` and
    ``date_order`` say how to read local times (see ``localtime``); ``region`` is a Five9 data centre (us, uk,
    ca, de), which decides its reports' zone; ``encoding`` how the input's bytes read. An option the adapter cannot use for the format it reads raises
    ``AdapterOptionError``.
    """

    conversation_id_field: str | None = None
    format: str | None = None
    catalog: str | None = None
    timezone: str | None = None
    fields: FieldMap = field(default_factory=FieldMap)
    time_format: str | None = None
    date_order: DateOrder | None = None
    region: str | None = None
    #: How the export's bytes read (a Python codec name); None is UTF-8. Used by whoever opens the input
    #: (``adapters.textinput.decoded``), so not part of ``given()``: every format takes it.
    encoding: str | None = None

    def given(self) -> dict[str, str]:
        """The options set, by the name a person passes them with (``--timezone``, ``fields.code``)."""
        found: dict[str, str] = {}
        for name in ("timezone", "time_format", "date_order", "region", "catalog"):
            value = getattr(self, name)
            if value is not None:
                found[name] = str(value)
        for key, places in self.fields.places.items():
            found[f"fields.{key}"] = "|".join(places)
        return found


def check_options(source: str, fmt: str, options: AdapterOptions, accepted: frozenset[str], why: str = "") -> None:
    """Raise ``AdapterOptionError`` when ``options`` sets something ``fmt`` has no use for.

    ``accepted`` holds option names as ``AdapterOptions.given`` spells them (``timezone``, ``fields.code``)."""
    unused = [name for name in options.given() if name not in accepted]
    if not unused:
        return
    shown = ", ".join(_shown(name) for name in unused)
    usable = ", ".join(sorted(_shown(name) for name in accepted)) or "none of these"
    raise AdapterOptionError(
        f"{shown}: not used by the {source} {fmt} format, so it would be silently ignored"
        + (f" ({why})" if why else "")
        + f"; this format takes: {usable}"
    )


def _shown(name: str) -> str:
    if name.startswith("fields."):
        return f"field {name.removeprefix('fields.')!r}"
    return "--" + name.replace("_", "-")


ReadResult = Disposition | AdapterError


class Adapter(Protocol):
    """One legacy platform's reader."""

    source: ClassVar[str]
    #: Input formats this adapter reads, for ``--format``; the first is the default when detection is moot.
    formats: ClassVar[tuple[str, ...]]

    def read(self, stream: IO[str], *, name: str = "<stdin>") -> Iterator[ReadResult]:
        """Yield one Disposition per legacy interaction in ``stream``, or the error for a record it could not read."""
        ...

    def from_payload(self, payload: Mapping[str, Any], *, ref: str = "payload") -> Disposition:
        """Turn one live event (a JSON object or decoded form body) into a Disposition, or raise this adapter's error."""
        ...


def options_for(spec: Any | None, *, table_dir: str | None = None, **given: Any) -> AdapterOptions:
    """The adapter options of one run: ``given`` (a run's settings; None means "not given") over a mapping table's
    ``source:`` section ``spec`` (a ``SourceSpec``, or None). The one place where the two meet, for the CLI, the
    live bridge and the demo alike.

    ``given`` keys: ``format``, ``conversation_id_field``, ``catalog``, ``fields`` (a FieldMap), ``timezone``,
    ``time_format``, ``date_order``, ``region``, ``encoding``, ``preset`` (a name from ``presets``: the settings
    both start from), ``platform`` (checked against the preset's). A table's ``catalog`` is relative to ``table_dir``. Raises
    ValueError (FieldMapError) when the two place the conversation id differently."""
    from pathlib import Path

    preset_name = given.get("preset") or getattr(spec, "preset", None)
    preset: dict[str, Any] = {}
    if preset_name:
        from wrapup_bridge.core.mapping.presets import preset_named

        found = preset_named(preset_name, given.get("platform") or getattr(spec, "platform", None))
        preset = dict(found.settings)
    table_fields = FieldMap.from_mapping(getattr(spec, "fields", None)).over(
        FieldMap.from_mapping(preset.get("fields"))
    )
    run_fields: FieldMap = given.get("fields") or FieldMap()
    fields = run_fields.over(table_fields)
    conversation_id_field = given.get("conversation_id_field") or getattr(spec, "conversation_id", None)
    placed = fields.get("conversation_id")
    if placed:
        if conversation_id_field and conversation_id_field not in placed:
            raise FieldMapError(
                f"the Genesys conversation id is placed twice: {conversation_id_field!r} and field "
                f"conversation_id={'|'.join(placed)!r}; keep one"
            )
        conversation_id_field = conversation_id_field or placed[0]
        fields = FieldMap({k: v for k, v in fields.places.items() if k != "conversation_id"})
    catalog = given.get("catalog")
    table_catalog = getattr(spec, "catalog", None)
    if catalog is None and table_catalog:
        catalog = str(Path(table_dir) / table_catalog) if table_dir else table_catalog

    def pick(name: str) -> Any:
        value = given.get(name)
        if value is None:
            value = getattr(spec, name, None)
        return value if value is not None else preset.get(name)

    from wrapup_bridge.adapters.localtime import check_time_format, zone

    for name, check in (("timezone", zone), ("time_format", check_time_format)):
        if (value := pick(name)) is not None:
            try:
                check(value)
            except ValueError as exc:
                raise ValueError(f"--{name.replace('_', '-')}: {exc}") from None

    return AdapterOptions(
        conversation_id_field=conversation_id_field,
        format=given.get("format") or getattr(spec, "format", None) or preset.get("format"),
        catalog=catalog,
        timezone=pick("timezone"),
        fields=fields,
        time_format=pick("time_format"),
        date_order=pick("date_order"),
        region=pick("region"),
        encoding=pick("encoding"),
    )
