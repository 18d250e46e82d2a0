"""Local wall-clock times in exports, read as instants: declared formats, date orders and time zones.

Legacy reports write local times without an offset: Five9 in its data centre's zone (US Pacific, UK London,
CA Vancouver, DE Berlin), Flex Insights in whatever locale the export was shown in (``11/24/2025``, ``2:06 PM``).
Reading them needs the zone and sometimes the format, which this module takes as declared settings (the table's
``source.timezone``/``time_format``/``date_order`` or the matching options) and applies the same way everywhere:

- a time that falls in the hour skipped when daylight saving time begins never appeared on a clock there: an
  error, never silently shifted;
- a time in the hour that repeats when it ends is taken as its first occurrence and flagged ``ambiguous``, so a
  person can tell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wrapup_bridge.core.timestamps import from_epoch

__all__ = ["DateOrder", "TimeSettings", "local_to_utc", "parse_declared", "zone"]

DateOrder = Literal["mdy", "dmy", "ymd"]

_NUMERIC_DATE_RE = re.compile(
    r"^(?P<a>\d{1,4})[/.\-](?P<b>\d{1,2})[/.\-](?P<c>\d{1,4})"
    r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?)?$"
)


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; a ValueError that says what is expected when it is not one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (expected an IANA name such as Europe/London)") from None


def check_time_format(fmt: str) -> str:
    """``fmt`` when it is a usable ``time_format`` (``iso``, ``epoch``, ``epoch-ms`` or a strptime pattern that
    can read back what it writes); a ValueError naming the problem otherwise, so a typo is refused once instead
    of rejecting every row."""
    if fmt in ("iso", "epoch", "epoch-ms"):
        return fmt
    if "%" not in fmt:
        raise ValueError(f"{fmt!r} is not a time format: use iso, epoch, epoch-ms or a strptime pattern such as "
                         "'%d/%m/%Y %H:%M'")  # fmt: skip
    sample = datetime(2025, 11, 24, 14, 6, 7, tzinfo=UTC)  # aware, so %z and %Z write something to read back
    try:
        datetime.strptime(sample.strftime(fmt), fmt)
    except ValueError as exc:
        raise ValueError(f"{fmt!r} is not a usable strptime pattern ({exc})") from None
    return fmt


def local_to_utc(local: datetime, tz: tzinfo) -> tuple[datetime, bool]:
    """A naive wall-clock time in ``tz`` as UTC, and whether it was in the repeated (ambiguous) hour.

    Raises ValueError for a time inside the hour skipped when daylight saving time begins."""
    first = local.replace(tzinfo=tz, fold=0)
    try:
        utc = first.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{local:%Y-%m-%d %H:%M:%S} is out of the supported date range") from None
    if utc.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValueError(
            f"{local:%Y-%m-%d %H:%M:%S} does not exist in {_zone_name(tz)} (clocks skipped that hour when daylight "
            "saving time began)"
        )
    ambiguous = first.utcoffset() != local.replace(tzinfo=tz, fold=1).utcoffset()
    return utc, ambiguous


def _zone_name(tz: tzinfo) -> str:
    return str(getattr(tz, "key", None) or tz)


@dataclass(frozen=True)
class TimeSettings:
    """How to read local times: the zone they were written in, and optionally their exact format or date order.

    ``time_format`` is a ``strptime`` pattern (``%d/%m/%Y %H:%M``), or ``iso`` / ``epoch`` / ``epoch-ms``.
    ``date_order`` reads numeric dates (``11/24/2025``) when no format is given: ``mdy`` (US), ``dmy``, ``ymd``."""

    zone: tzinfo | None = None
    time_format: str | None = None
    date_order: DateOrder | None = None


def parse_declared(text: str, settings: TimeSettings) -> datetime | None:
    """``text`` read with the declared format or date order: an aware datetime when the text carries its own
    offset (or is an epoch), a naive wall-clock time otherwise; None when nothing is declared for it.

    Raises ValueError naming the expected format when the text does not follow the declared one."""
    value = text.strip()
    fmt = settings.time_format
    if fmt in ("epoch", "epoch-ms"):
        try:
            number = float(value)
        except ValueError:
            raise ValueError(
                f"{text!r} is not a unix time in {'milliseconds' if fmt == 'epoch-ms' else 'seconds'}"
            ) from None
        try:
            return from_epoch(number, ms=fmt == "epoch-ms")  # declared, so never guessed from the magnitude
        except OverflowError:
            raise ValueError(f"{text!r} is out of the supported date range") from None
    if fmt == "iso":
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
        except ValueError:
            raise ValueError(f"{text!r} is not an ISO 8601 time (the declared time_format)") from None
    if fmt:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            raise ValueError(f"{text!r} does not match the declared time_format {fmt!r}") from None
    if settings.date_order is not None:
        match = _NUMERIC_DATE_RE.match(value)
        if match is None:
            return None
        # A four-digit first part is a year whatever order the export's other dates use (2025-11-24 is ISO
        # in every locale); the declared order is for the ambiguous 11/03/2025.
        order: DateOrder = "ymd" if len(match["a"]) == 4 else settings.date_order
        return _ordered(match, order, text)
    return None


def _ordered(match: re.Match[str], order: DateOrder, text: str) -> datetime:
    a, b, c = match["a"], match["b"], match["c"]
    parts = {"mdy": (c, a, b), "dmy": (c, b, a), "ymd": (a, b, c)}[order]
    year, month, day = (int(p) for p in parts)
    hour = int(match["H"] or 0)
    if match["ampm"]:
        marker = match["ampm"].replace(".", "").upper()
        if not 1 <= hour <= 12:
            raise ValueError(f"{text!r}: hour {hour} is not valid with {marker}")
        hour = hour % 12 + (12 if marker == "PM" else 0)
    micro = int((match["f"] or "0")[:6].ljust(6, "0"))
    try:
        return datetime(year, month, day, hour, int(match["M"] or 0), int(match["S"] or 0), micro)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid date in {order} order ({exc})") from None
