"""Five9 local times to UTC.

Five9 reports and call variables carry wall-clock times of US/Pacific without an offset ("Reports obtained with the
API use the Pacific time zone", five9.md 2.1). Twice a year that is not a one-to-one mapping: in November an hour
repeats (taken as its first occurrence and flagged so a person can tell), in March an hour is skipped (an error:
such a time was never written by a Pacific clock, so the row is corrupt or not Pacific).

Accepted spellings, all Pacific unless they carry their own offset:
``Fri, 21 Aug 2026 09:00:12`` (Call Log TIMESTAMP, the weekday optional but checked when present),
``2026-08-21 09:00:12`` / ``2026-08-21T09:00:12.250`` / ``2026/08/21 09:00`` (ISO-like; a ``Z`` or ``+hh:mm``
suffix is honoured), ``08/21/2026 09:00:12`` / ``8/21/2026 9:00 AM`` (US), and epoch seconds (10 digits) or
milliseconds (13 digits), which are UTC by definition.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

__all__ = ["PACIFIC", "pacific_to_utc", "parse_five9_time"]

#: Five9's documented report and call-variable time zone; not an option because it is not the customer's choice.
PACIFIC = ZoneInfo("America/Los_Angeles")

_MONTHS = {
    m: i
    for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)
}
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_CALL_LOG_RE = re.compile(
    r"^(?:(?P<wd>[A-Za-z]{3}),\s*)?(?P<d>\d{1,2})\s+(?P<mon>[A-Za-z]{3})\s+(?P<y>\d{4})\s+"
    r"(?P<H>\d{1,2}):(?P<M>\d{2}):(?P<S>\d{2})(?:\.(?P<f>\d{1,9}))?$"
)
_ISO_RE = re.compile(
    r"^(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})(?:[T ]+(?P<H>\d{1,2}):(?P<M>\d{2})"
    r"(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?)?\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)
_US_RE = re.compile(
    r"^(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?"
    r"\s*(?P<ampm>[AP]M)?)?$",
    re.IGNORECASE,
)
_EPOCH_RE = re.compile(r"^\d{10}(?P<ms>\d{3})?$")


def pacific_to_utc(local: datetime) -> tuple[datetime, bool]:
    """Convert a naive Pacific wall-clock time to UTC; also say whether it was the repeated (ambiguous) hour.

    Raises ValueError for a time inside the hour skipped when daylight saving time begins.
    """
    first = local.replace(tzinfo=PACIFIC, fold=0)
    utc = first.astimezone(UTC)
    if utc.astimezone(PACIFIC).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValueError(
            f"{local:%Y-%m-%d %H:%M:%S} does not exist in US/Pacific (clocks skipped that hour when daylight "
            "saving time began)"
        )
    ambiguous = first.utcoffset() != local.replace(tzinfo=PACIFIC, fold=1).utcoffset()
    return utc, ambiguous


def parse_five9_time(text: str) -> tuple[datetime, bool]:
    """Parse a Five9 time as UTC, with True when it fell in the repeated November hour (first occurrence taken).

    Raises ValueError naming what is wrong; callers add the record and field.
    """
    value = text.strip()
    try:
        if match := _EPOCH_RE.match(value):
            seconds = int(value) / 1000 if match["ms"] else int(value)
            return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds), False
        if match := _CALL_LOG_RE.match(value):
            local = _call_log_time(match)
        elif match := _ISO_RE.match(value):
            local = _build(match["y"], match["m"], match["d"], match["H"], match["M"], match["S"], match["f"])
            if match["tz"]:
                return local.replace(tzinfo=_offset(match["tz"])).astimezone(UTC), False
        elif match := _US_RE.match(value):
            hour = match["H"]
            if match["ampm"]:
                hour = str(_twelve_hour(int(hour or 0), match["ampm"].upper()))
            local = _build(match["y"], match["m"], match["d"], hour, match["M"], match["S"], None)
        else:
            raise ValueError(
                f"{text!r} is not a Five9 time (expected e.g. 'Fri, 21 Aug 2026 09:00:12', "
                "'2026-08-21 09:00:12' or '08/21/2026 09:00:12')"
            )
        return pacific_to_utc(local)
    except OverflowError:
        raise ValueError(f"{text!r} is out of the supported date range") from None


def _call_log_time(match: re.Match[str]) -> datetime:
    month = _MONTHS.get(match["mon"].lower())
    if month is None:
        raise ValueError(f"{match['mon']!r} is not an English month abbreviation")
    local = _build(match["y"], str(month), match["d"], match["H"], match["M"], match["S"], match["f"])
    weekday = match["wd"]
    if weekday is not None:
        if weekday.lower() not in _WEEKDAYS:
            raise ValueError(f"{weekday!r} is not an English weekday abbreviation")
        if _WEEKDAYS.index(weekday.lower()) != local.weekday():
            raise ValueError(
                f"the weekday {weekday!r} does not match the date {local:%Y-%m-%d}, which is a {local:%a}; "
                "the date may have been edited"
            )
    return local


def _build(
    year: str, month: str, day: str, hour: str | None, minute: str | None, second: str | None, frac: str | None
) -> datetime:
    micro = int((frac or "0")[:6].ljust(6, "0"))
    try:
        return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro)
    except ValueError as exc:
        raise ValueError(f"not a valid date or time ({exc})") from None


def _twelve_hour(hour: int, ampm: str) -> int:
    if not 1 <= hour <= 12:
        raise ValueError(f"hour {hour} is not valid with {ampm}")
    return hour % 12 + (12 if ampm == "PM" else 0)


def _offset(text: str) -> timezone:
    if text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"{text!r} is not a UTC offset")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
