"""Timestamps in every Twilio shape, and local wall-clock times read with the declared settings.

Twilio writes the same instant four ways depending on the product: TaskRouter callbacks send unix seconds
(``Timestamp``) or milliseconds (``TimestampMs``), Event Streams and the REST API send ISO 8601, Voice status
callbacks send RFC 2822, and Insights exports send local times as the report was shown (``2025-11-25 14:00:27``,
or ``11/24/2025`` and ``2:06 PM`` in a US locale). Which one a field holds is not reliably documented (UNSURE in
the reference), so every field accepts the unambiguous ones and the result is always timezone-aware UTC.

A time written without an offset is a wall-clock time in the declared zone (``options.timezone``, else the
adapter's ``assume_timezone``, else UTC) and is converted with ``localtime.local_to_utc``: a time inside the hour
skipped when daylight saving time begins is an error, one in the repeated hour is taken as its first occurrence
and reported as ambiguous. Numeric dates with slashes (``03/04/2025``) are only read with a declared
``date_order`` or ``time_format``: they mean different days in the US and in Europe.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime
from typing import Any, Literal

from wrapup_bridge.adapters.localtime import DateOrder, TimeSettings, local_to_utc, parse_declared
from wrapup_bridge.core.timestamps import from_epoch

__all__ = ["LocalTime", "parse_instant", "parse_time", "read_local"]

_NUMBER_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
# Python 3.11 reads at most microseconds; Event Streams and warehouses may write nanoseconds.
_LONG_FRACTION_RE = re.compile(r"(\.\d{6})\d+")
# A form body pasted without URL-encoding turns "+0000" into " 0000"; put the sign back.
_LOST_PLUS_RE = re.compile(r"\s(\d{4})$")
# A date that starts with a four-digit year reads one way only; a declared date order never applies to it.
_YEAR_FIRST_RE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
_SLASH_DATE_RE = re.compile(r"^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}")


def parse_time(value: Any, *, assume: tzinfo = UTC, unit: Literal["auto", "ms"] = "auto") -> datetime:
    """Read ``value`` as an instant and return it in UTC; ``assume`` is the zone of times written without one.

    Raises ``ValueError`` with a message that says what was expected; callers add the field name.
    """
    utc, _ = read_local(value, LocalTime(zone=assume), unit=unit)
    return utc


def parse_instant(value: Any, *, unit: Literal["auto", "ms"] = "auto") -> datetime:
    """``value`` as an aware datetime when it carries an offset (or is a unix time), else a naive wall-clock time."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{value!r} is not a date/time")
    if isinstance(value, int | float):
        return _from_epoch(float(value), unit)
    if not isinstance(value, str):
        raise ValueError(f"expected a date/time, got {type(value).__name__}")
    text = value.strip()
    if _NUMBER_RE.match(text):
        return _from_epoch(float(text), unit)
    parsed = _parse_iso(text) or _parse_rfc2822(text)
    if parsed is None:
        raise ValueError(f"{value!r} is not a date/time (expected ISO 8601, RFC 2822 or unix seconds/milliseconds)")
    return parsed


class LocalTime:
    """How a time without an offset is read: its zone, and the declared format or date order, if any."""

    __slots__ = ("date_order", "time_format", "zone")

    def __init__(self, *, zone: tzinfo = UTC, time_format: str | None = None, date_order: DateOrder | None = None):
        self.zone = zone
        self.time_format = time_format
        self.date_order = date_order

    @property
    def declared(self) -> bool:
        return self.time_format is not None or self.date_order is not None


def read_local(
    value: Any, local: LocalTime, *, unit: Literal["auto", "ms"] = "auto", declared: bool = False
) -> tuple[datetime, bool]:
    """``value`` as a UTC instant and whether it fell in a repeated (ambiguous) local hour.

    ``declared`` applies the declared ``time_format`` / ``date_order`` (Insights columns, times placed by a field
    map); Twilio's own timestamp fields are always read as ISO 8601, RFC 2822 or unix time."""
    parsed: datetime | None = None
    if declared and local.declared and isinstance(value, str):
        text = value.strip()
        if local.time_format is not None or not _YEAR_FIRST_RE.match(text):
            settings = TimeSettings(zone=local.zone, time_format=local.time_format, date_order=local.date_order)
            parsed = parse_declared(text, settings)
    if parsed is None:
        try:
            parsed = parse_instant(value, unit=unit)
        except ValueError as exc:
            if isinstance(value, str) and _SLASH_DATE_RE.match(value.strip()) and not local.declared:
                raise ValueError(
                    f"{value!r} is a numeric date whose order is not known (11/03 is a different day in the US and "
                    "in Europe); declare it: --date-order mdy|dmy, or --time-format (e.g. '%m/%d/%Y %I:%M %p')"
                ) from None
            raise exc from None
    if parsed.tzinfo is not None and parsed.utcoffset() is not None:
        try:
            return parsed.astimezone(UTC), False
        except (OverflowError, ValueError):
            raise ValueError(f"{value!r} is outside the range of dates this tool can represent") from None
    return local_to_utc(parsed.replace(tzinfo=None), local.zone)


def _from_epoch(number: float, unit: Literal["auto", "ms"]) -> datetime:
    if not math.isfinite(number):
        raise ValueError(f"{number!r} is not a date/time")
    try:
        return from_epoch(number, ms=True if unit == "ms" else None)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"{number!r} is outside the range of unix timestamps") from None


def _parse_iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(_LONG_FRACTION_RE.sub(r"\1", text))
    except ValueError:
        return None


def _parse_rfc2822(text: str) -> datetime | None:
    for candidate in (text, _LOST_PLUS_RE.sub(r" +\1", text)):
        try:
            return parsedate_to_datetime(candidate)
        except (TypeError, ValueError, IndexError, OverflowError):
            continue
    return None
