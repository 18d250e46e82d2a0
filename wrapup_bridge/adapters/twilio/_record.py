"""What every Twilio format reader shares: where a record came from, how values become text, and how a
Disposition is built so that a bad value is reported against the field a person can find in the input.

Every reader raises only ``TwilioRecordError`` (or ``NoDisposition``, a subclass for well-formed records that
simply are not dispositions, such as ``task.created``), so the adapter can yield errors and go on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from pydantic import ValidationError

from wrapup_bridge.adapters.base import TwilioRecordError
from wrapup_bridge.adapters.twilio._time import parse_time
from wrapup_bridge.core.disposition import Disposition, Media, is_genesys_id
from wrapup_bridge.core.normalize import normalize_text

__all__ = [
    "NoDisposition",
    "RecordContext",
    "Settings",
    "build",
    "canonical",
    "conversation_id",
    "field_text",
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

    def __init__(self, message: str, *, skip_key: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.skip_key = skip_key


@dataclass(frozen=True)
class Settings:
    """The adapter options a format reader needs, resolved once per adapter."""

    conversation_id_field: str | None = None
    assume_tz: tzinfo = UTC


@dataclass
class RecordContext:
    """Where one record came from, so every error can say so; ``ident`` is filled in once the sid is known."""

    position: str
    input_name: str | None
    raw: Any
    ident: str | None = None

    @property
    def record(self) -> str:
        return f"{self.position} ({self.ident})" if self.ident else self.position

    def error(self, message: str, field: str | None = None) -> TwilioRecordError:
        return TwilioRecordError(message, record=self.record, field=field, input_name=self.input_name, raw=self.raw)

    def skip(self, message: str, *, skip_key: str, field: str | None = None) -> NoDisposition:
        return NoDisposition(
            message,
            skip_key=skip_key,
            record=self.record,
            field=field,
            input_name=self.input_name,
            raw=self.raw,
        )

    def time(self, value: Any, field: str, settings: Settings, *, ms: bool = False) -> datetime | None:
        """``value`` as a UTC instant, None when blank; an unreadable value is an error naming ``field``."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return parse_time(value, assume=settings.assume_tz, unit="ms" if ms else "auto")
        except ValueError as exc:
            raise self.error(str(exc), field) from None


_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_WORD_RE = re.compile(r"[^\w]+|_+")


def snake_key(key: object) -> str:
    """``hangUpBy``, ``Hang Up By`` and ``hang-up-by`` all become ``hang_up_by``; punctuation becomes ``_``."""
    text = normalize_text(_CAMEL_RE.sub("_", str(key)))
    return _NON_WORD_RE.sub("_", text).strip("_")


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
        canon = re.sub(r"[_\-\s]", "", name).lower()
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
