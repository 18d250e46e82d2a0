"""What every Twilio format reader shares: where a record came from, how values become text, and how a
Disposition is built so that a bad value is reported against the field a person can find in the input.

Every reader raises only ``TwilioRecordError`` (or ``NoDisposition``, a subclass for well-formed records that
simply are not dispositions, such as ``task.created``), so the adapter can yield errors and go on.

Readers gather a record's parts (``Parts``) from the places their format defines, then ``finish`` applies the
run's field map (``options.fields``: a place per key, looked up by the format's own ``Lookup``) over those
defaults and builds the Disposition. Every reader notes where each value came from in the record's ``Origins``
(``rec.put``), which ``explain`` shows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from functools import cached_property
from typing import Any

from pydantic import ValidationError

from wrapup_bridge.adapters.base import TwilioRecordError
from wrapup_bridge.adapters.explain import Origins
from wrapup_bridge.adapters.fields import FieldMap
from wrapup_bridge.adapters.localtime import DateOrder
from wrapup_bridge.adapters.twilio._time import LocalTime, read_local
from wrapup_bridge.core.disposition import Disposition, Media, is_genesys_id
from wrapup_bridge.core.normalize import normalize_text

__all__ = [
    "Lookup",
    "NoDisposition",
    "Parts",
    "RecordContext",
    "Settings",
    "build",
    "canonical",
    "canonical_key",
    "conversation_id",
    "field_text",
    "finish",
    "first_text",
    "media_for_channel",
    "scalar_text",
    "snake_key",
]

SOURCE = "twilio"


class NoDisposition(TwilioRecordError):
    """A readable record that carries no disposition (``task.created``, a ``ringing`` call).

    ``read`` counts it under ``skip_key`` and goes on; ``from_payload`` lets it propagate, because a live
    caller that sends such an event has subscribed to the wrong thing and should hear so.
    """

    def __init__(self, message: str, *, skip_key: str, partial: Disposition | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.skip_key = skip_key
        #: what the record did say (its task and worker), for a reader that folds it into another record
        self.partial = partial


@dataclass(frozen=True)
class Settings:
    """The adapter options a format reader needs, resolved once per adapter."""

    conversation_id_field: str | None = None
    assume_tz: tzinfo = UTC
    fields: FieldMap = field(default_factory=FieldMap)
    time_format: str | None = None
    date_order: DateOrder | None = None

    @cached_property
    def local(self) -> LocalTime:
        return LocalTime(zone=self.assume_tz, time_format=self.time_format, date_order=self.date_order)


@dataclass
class RecordContext:
    """Where one record came from, so every error can say so; ``ident`` is filled in once the sid is known.

    ``task_sid`` is set by readers whose records fold by task; ``notes`` collects what ``explain`` reports about
    the record (an ignored inner event type); ``origins`` where each value came from."""

    position: str
    input_name: str | None
    raw: Any
    ident: str | None = None
    task_sid: str | None = None
    ambiguous: bool = False
    notes: list[str] = field(default_factory=list)
    origins: Origins = field(default_factory=Origins)

    @property
    def record(self) -> str:
        return f"{self.position} ({self.ident})" if self.ident else self.position

    def put(self, attribute: str, place: str | None) -> None:
        """Note that ``attribute`` (``code``, ``fields.agent_name``) was read from ``place``."""
        if place:
            self.origins.put(attribute, place)

    def note(self, text: str) -> None:
        self.notes.append(text)

    def error(self, message: str, field: str | None = None) -> TwilioRecordError:
        return TwilioRecordError(message, record=self.record, field=field, input_name=self.input_name, raw=self.raw)

    def skip(
        self, message: str, *, skip_key: str, field: str | None = None, partial: Disposition | None = None
    ) -> NoDisposition:
        return NoDisposition(
            message,
            skip_key=skip_key,
            partial=partial,
            record=self.record,
            field=field,
            input_name=self.input_name,
            raw=self.raw,
        )

    def time(
        self, value: Any, field: str, settings: Settings, *, ms: bool = False, declared: bool = False
    ) -> datetime | None:
        """``value`` as a UTC instant, None when blank; an unreadable value is an error naming ``field``.

        ``declared`` reads it with the declared time format / date order (local times of exports); a time in
        the repeated hour of a daylight saving change marks the record ``ambiguous``."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            when, ambiguous = read_local(value, settings.local, unit="ms" if ms else "auto", declared=declared)
        except ValueError as exc:
            raise self.error(str(exc), field) from None
        self.ambiguous = self.ambiguous or ambiguous
        return when


_CANON_RE = re.compile(r"[_\-\s]")
_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_WORD_RE = re.compile(r"[^\w]+|_+")


def snake_key(key: object) -> str:
    """``hangUpBy``, ``Hang Up By`` and ``hang-up-by`` all become ``hang_up_by``; punctuation becomes ``_``."""
    text = normalize_text(_CAMEL_RE.sub("_", str(key)))
    return _NON_WORD_RE.sub("_", text).strip("_")


def canonical_key(name: str) -> str:
    """A parameter name as ``canonical`` indexes it (``Task_Sid`` -> ``tasksid``)."""
    return _CANON_RE.sub("", name).lower()


def canonical(params: Mapping[Any, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Index form parameters so ``TaskSid``, ``task_sid`` and ``tasksid`` are one key (``tasksid``).

    TaskRouter callbacks (PascalCase) and Event Streams / warehouse rows (snake_case) carry the same fields;
    one lookup serves both. Also returns canonical key -> the spelling seen, so errors quote the input.
    A one-element list (``parse_qs`` output, multi-dicts) counts as its element. The first spelling wins.
    """
    values: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    for key, value in params.items():
        name = str(key)
        canon = _CANON_RE.sub("", name).lower()
        if canon in values:
            continue
        values[canon] = value[0] if isinstance(value, list | tuple) and len(value) == 1 else value
        spelled[canon] = name
    return values, spelled


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def _scalar(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def scalar_text(value: Any, field: str, rec: RecordContext) -> str | None:
    """A disposition-like value as written: None when missing or blank, a list of scalars pipe-joined (the
    way Flex writes multi-select answers), an object is an error naming ``field``."""
    if value is None:
        return None
    if _is_scalar(value):
        text = _scalar(value)
    elif isinstance(value, list | tuple) and all(_is_scalar(v) for v in value):
        text = "|".join(_scalar(v) for v in value)
    else:
        raise rec.error(f"expected text, got a JSON {_kind(value)}", field)
    return text if text.strip() else None


def field_text(value: Any, field: str, rec: RecordContext) -> str | None:
    """Like ``scalar_text``, but an object is kept as compact JSON so a rule can still match on it."""
    if value is None or _is_scalar(value) or (isinstance(value, list | tuple) and all(_is_scalar(v) for v in value)):
        return scalar_text(value, field, rec)
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)
    except TypeError:  # keys of mixed types cannot be sorted
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    except (ValueError, RecursionError):
        raise rec.error(f"cannot render this {_kind(value)} as text (circular or too deep)", field) from None
    return text if text.strip() else None


def first_text(
    source: Mapping[str, Any], keys: Iterable[str], rec: RecordContext, *, prefix: str = ""
) -> tuple[str, str] | tuple[None, None]:
    """The first of ``keys`` with a non-blank scalar value in ``source``: ``(key, text)``, or ``(None, None)``."""
    for key in keys:
        text = scalar_text(source.get(key), prefix + key, rec)
        if text is not None:
            return key, text
    return None, None


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list | tuple):
        return "array"
    return type(value).__name__


_CHANNEL_MEDIA: dict[str, Media] = {
    "voice": Media.VOICE,
    "callback": Media.CALLBACK,
    "chat": Media.MESSAGE,
    "web": Media.MESSAGE,
    "webchat": Media.MESSAGE,
    "sms": Media.MESSAGE,
    "messaging": Media.MESSAGE,
    "whatsapp": Media.MESSAGE,
    "messenger": Media.MESSAGE,
    "gbm": Media.MESSAGE,
    "email": Media.EMAIL,
    "video": Media.VIDEO,
    # Genesys's own media names, for a media placed by a field map on a column that already holds them.
    "message": Media.MESSAGE,
    "social": Media.SOCIAL,
}


def media_for_channel(channel: str | None) -> Media:
    """Flex task channel (``voice``, ``chat``, ``sms``, ``email``, ...) -> Genesys media; unknown -> voice.

    Flex's default channel (``default``) and custom channels carry no media of their own; voice is the
    documented default so such records still reach the call wrap-up endpoint a person can check.
    """
    if channel is None:
        return Media.VOICE
    return _CHANNEL_MEDIA.get(normalize_text(channel), Media.VOICE)


def conversation_id(value: Any, field: str, rec: RecordContext) -> str | None:
    """A Genesys conversation id found at ``field``: None when absent, an error naming ``field`` when malformed."""
    text = scalar_text(value, field, rec)
    if text is None:
        return None
    if not is_genesys_id(text.strip()):
        raise rec.error(f"{text!r} is not a Genesys conversation id (expected a UUID)", field)
    return text.strip()


def build(
    rec: RecordContext,
    *,
    source_id: str,
    code: str,
    fields: dict[str, str],
    notes: str | None = None,
    agent: str | None = None,
    media: Media = Media.VOICE,
    occurred_at: datetime | None = None,
    conversation_id: str | None = None,
    origins: Mapping[str, str] | None = None,
) -> Disposition:
    """The Disposition, with any validation failure reported against the input field it came from.

    ``origins`` maps Disposition attribute names (``conversation_id``) to the input field they were read from.
    """
    try:
        return Disposition(
            source=SOURCE,
            source_id=source_id,
            conversation_id=conversation_id,
            code=code,
            fields=fields,
            notes=notes,
            agent=agent,
            media=media,
            occurred_at=occurred_at,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        attribute = str(first["loc"][0]) if first["loc"] else None
        field = (origins or {}).get(attribute or "", attribute)
        raise rec.error(first["msg"], field) from None


#: ``place -> (value, where)`` for one record, or None when the record has nothing there. ``where`` is the place
#: as a person finds it in the input (``TaskAttributes.conversations.outcome``, ``data.request.parameters.X``).
Lookup = Callable[[str], tuple[Any, str] | None]


@dataclass
class Parts:
    """A record's parts as its format's default places give them, before the field map and validation."""

    source_id: str | None
    code: str
    fields: dict[str, str]
    notes: str | None = None
    agent: str | None = None
    agent_name: str | None = None
    media: Media = Media.VOICE
    occurred_at: datetime | None = None
    conversation_id: str | None = None


def _placed_text(
    fmap: FieldMap, key: str, lookup: Lookup, rec: RecordContext, *, keep_objects: bool = False
) -> tuple[str, str] | tuple[None, None]:
    """The first alternative of ``key`` with a non-blank value: ``(text, where)``, or ``(None, None)``."""
    for place in fmap.get(key):
        found = lookup(place)
        if found is None:
            continue
        value, where = found
        text = field_text(value, where, rec) if keep_objects else scalar_text(value, where, rec)
        if text is not None:
            return text, where
    return None, None


def finish(
    rec: RecordContext,
    parts: Parts,
    settings: Settings,
    lookup: Lookup,
    *,
    missing_sid: tuple[str, str],
    code_source: bool = True,
) -> Disposition:
    """Apply the field map over ``parts`` and build the Disposition.

    A key the field map places replaces the format's default place: when none of its places has a value the
    part is empty (code ``""``), and a ``source_id`` that is nowhere is the error ``missing_sid`` (message,
    field). ``code_source`` says whether the format reports ``fields["outcome_source"]``."""
    fmap = settings.fields
    if fmap:
        if "code" in fmap.places:
            code, where = _placed_text(fmap, "code", lookup, rec)
            parts.code = code or ""
            rec.put("code", where or "|".join(fmap.get("code")))
            if code_source:
                parts.fields["outcome_source"] = where or "none"
        if "source_id" in fmap.places:
            sid, where = _placed_text(fmap, "source_id", lookup, rec)
            if sid is None:
                raise rec.error(
                    f"no value at {' or '.join(fmap.get('source_id'))} (the field map's source_id)",
                    fmap.get("source_id")[0],
                )
            parts.source_id = sid.strip()
            rec.ident = f"{where} {parts.source_id}"
            rec.put("source_id", where)
        for key in ("agent", "agent_name", "notes"):
            if key in fmap.places:
                text, where = _placed_text(fmap, key, lookup, rec, keep_objects=key == "notes")
                value = text.strip() if text is not None and key != "notes" else text
                setattr(parts, key, value)
                rec.put("fields.agent_name" if key == "agent_name" else key, where)
        if "media" in fmap.places:
            channel, where = _placed_text(fmap, "media", lookup, rec)
            parts.media = media_for_channel(channel)
            rec.put("media", where)
        if "time" in fmap.places:
            parts.occurred_at, rec.ambiguous = None, False
            for alternative in fmap.joined("time"):
                found = [lookup(place) for place in alternative]
                texts = [scalar_text(f[0], f[1], rec) if f is not None else None for f in found]
                if all(t is not None for t in texts):
                    where = "+".join(f[1] for f in found if f is not None)
                    text = " ".join(t.strip() for t in texts if t is not None)
                    parts.occurred_at = rec.time(text, where, settings, declared=True)
                    rec.put("occurred_at", where)
                    break
    if parts.source_id is None or not parts.source_id.strip():
        raise rec.error(*missing_sid)
    if parts.agent_name is not None:
        parts.fields["agent_name"] = parts.agent_name
    if rec.ambiguous:
        parts.fields["timestamp_ambiguous"] = "true"
    return build(
        rec,
        source_id=parts.source_id.strip(),
        code=parts.code,
        fields=parts.fields,
        notes=parts.notes,
        agent=parts.agent,
        media=parts.media,
        occurred_at=parts.occurred_at,
        conversation_id=parts.conversation_id,
        origins=rec.origins.places,
    )
