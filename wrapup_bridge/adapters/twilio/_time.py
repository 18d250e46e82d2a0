"""One tolerant timestamp reader for every Twilio shape.

Twilio writes the same instant four ways depending on the product: TaskRouter callbacks send unix seconds
(``Timestamp``) or milliseconds (``TimestampMs``), Event Streams and the REST API send ISO 8601, Voice status
callbacks send RFC 2822, and Insights exports send local-looking ``2025-11-25 14:00:27``. Which one a field
holds is not reliably documented (UNSURE in the reference), so every field accepts all of them and the
result is always timezone-aware UTC.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime
from typing import Any, Literal

__all__ = ["parse_time"]

_NUMBER_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
# Python 3.11 reads at most microseconds; Event Streams and warehouses may write nanoseconds.
_LONG_FRACTION_RE = re.compile(r"(\.\d{6})\d+")
# A form body pasted without URL-encoding turns "+0000" into " 0000"; put the sign back.
_LOST_PLUS_RE = re.compile(r"\s(\d{4})$")
# Epoch values at or above this are milliseconds: 1e11 seconds is the year 5138, 1e11 ms is 1973.
_MS_THRESHOLD = 1e11


def parse_time(value: Any, *, assume: tzinfo = UTC, unit: Literal["auto", "ms"] = "auto") -> datetime:
    """Read ``value`` as an instant and return it in UTC; ``assume`` is the zone of times written without one.

    Raises ``ValueError`` with a message that says what was expected; callers add the field name.
    """
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
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=assume)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError(f"{value!r} is outside the range of dates this tool can represent") from None


def _from_epoch(number: float, unit: Literal["auto", "ms"]) -> datetime:
    if not math.isfinite(number):
        raise ValueError(f"{number!r} is not a date/time")
    seconds = number / 1000 if unit == "ms" or abs(number) >= _MS_THRESHOLD else number
    try:
        return datetime.fromtimestamp(seconds, UTC)
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
