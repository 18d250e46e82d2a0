"""Five9 local times to UTC, in the zone of the domain's data centre.

Five9 reports and call variables carry wall-clock times without an offset, written in the zone of the data centre
the domain lives in ("Reports obtained with the API use the Pacific time zone", five9.md 2.1, for the US one). The
zone by data centre (``options.region``), as Matatika/tap-five9 maps them (commits 4cdd69c, a13f6b5):

    us  America/Los_Angeles   (the default: a domain on api.five9.com)
    uk  Europe/London         (api.five9.eu)
    ca  America/Vancouver     (api.five9.ca)
    de  Europe/Berlin         (api.eu.five9.com)

``options.timezone`` (an IANA name) overrides the region's zone, for exports someone re-timed (a warehouse that
wrote naive UTC: ``--timezone UTC``); given both, they must agree. Twice a year local time is not a one-to-one
mapping: an hour repeats when daylight saving time ends (taken as its first occurrence and flagged so a person can
tell), an hour is skipped when it begins (an error: such a time was never written by a clock in that zone, so the
row is corrupt or not in that zone). A time that carries its own offset (RFC 3339 from a warehouse load,
``2025-09-29T16:02:05+00:00`` or ``...Z``) or an epoch is an instant: no zone is applied to it.

Accepted spellings when no ``time_format`` is declared (``date_order`` reads numeric dates first when declared):
``Fri, 21 Aug 2026 09:00:12`` (Call Log TIMESTAMP; the weekday optional but checked when present, seconds and the
time of day optional: ``Mon, 29 Sep 2025`` is a DATE), ``2026-08-21 09:00:12`` / ``2026-08-21T09:00:12.250`` /
``2026/08/21 09:00`` / ``2025/09/29`` (ISO-like; a ``Z`` or ``+hh:mm`` suffix is honoured), ``08/21/2026 09:00:12`` /
``8/21/2026 9:00 AM`` (US), and epoch seconds (10 digits) or milliseconds (13 digits), which are UTC by definition.

A million-row export spends much of its reading on these times, and its rows come a few seconds apart: so a clock
reads a time written to the second in one of the usual fixed shapes (``Fri, 21 Aug 2026 09:00:12``,
``2026-08-21 09:00:12``, ``2026/08/21T09:00:12``, ``08/21/2026 09:00:12``) by its minute, once, and adds the
seconds: ``Five9Clock.read`` keeps the minutes it has read (a bounded number). Only a minute every second of
which has the same UTC offset and ambiguity is kept (checked at its first and last second; no zone changes its
offset twice within a minute), so a minute that holds a change of offset, or that does not exist, and any other
shape or a declared format, are read in full each time: the same instants, flags and errors either way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import NamedTuple
from zoneinfo import ZoneInfo

from wrapup_bridge.adapters.base import AdapterOptionError, AdapterOptions
from wrapup_bridge.adapters.localtime import DateOrder, TimeSettings, local_to_utc, parse_declared, zone
from wrapup_bridge.core.timestamps import from_epoch

__all__ = ["DEFAULT_REGION", "PACIFIC", "REGION_ZONES", "Five9Clock", "Instant", "parse_five9_time"]

#: Five9 data centre -> the zone its reports and call variables are written in.
REGION_ZONES = {"us": "America/Los_Angeles", "uk": "Europe/London", "ca": "America/Vancouver", "de": "Europe/Berlin"}
DEFAULT_REGION = "us"
PACIFIC = ZoneInfo(REGION_ZONES[DEFAULT_REGION])

_MONTHS = {
    m: i
    for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)
}
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_CLOCK = r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?(?:\s*(?P<ampm>[AP]\.?M\.?))?"
_CALL_LOG_RE = re.compile(
    rf"^(?:(?P<wd>[A-Za-z]{{3}}),\s*)?(?P<d>\d{{1,2}})\s+(?P<mon>[A-Za-z]{{3}})\s+(?P<y>\d{{4}})(?:\s+{_CLOCK})?$",
    re.IGNORECASE,
)
_ISO_RE = re.compile(
    rf"^(?P<y>\d{{4}})[-/](?P<m>\d{{1,2}})[-/](?P<d>\d{{1,2}})(?:(?:T|\s+){_CLOCK})?"
    r"\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)
_US_RE = re.compile(rf"^(?P<m>\d{{1,2}})/(?P<d>\d{{1,2}})/(?P<y>\d{{4}})(?:\s+{_CLOCK})?$", re.IGNORECASE)
# Five9 writes epochs with 10 digits (seconds) or 13 (milliseconds); which one is read from the magnitude.
_EPOCH_RE = re.compile(r"^\d{10}(?:\d{3})?$")

#: A time to the second in a fixed shape read by its minute (see the module docstring), without the ``:SS``:
#: ``Fri, 21 Aug 2026 09:00``, ``2026-08-21 09:00`` (also ``/`` and ``T``), ``08/21/2026 09:00``. ASCII digits only.
_MINUTE_RE = re.compile(
    r"[A-Za-z]{3}, [0-9]{2} [A-Za-z]{3} [0-9]{4} [0-9]{2}:[0-9]{2}"
    r"|[0-9]{4}[-/][0-9]{2}[-/][0-9]{2}[ T][0-9]{2}:[0-9]{2}"
    r"|[0-9]{2}/[0-9]{2}/[0-9]{4} [0-9]{2}:[0-9]{2}"
)
#: ``:SS`` -> its offset into the minute (a second of 60 or more is not a second: read in full, it is an error).
_SECONDS = {f"{second:02d}": timedelta(seconds=second) for second in range(60)}
#: Minutes a clock keeps (a few days of an export's minutes; memory stays flat however long the export).
_MINUTES_KEPT = 8192


class Instant(NamedTuple):
    """A time read: the UTC instant, whether it fell in the repeated hour, whether it carried its own offset."""

    utc: datetime
    ambiguous: bool = False
    own_offset: bool = False


@dataclass(frozen=True)
class Five9Clock:
    """How this run reads Five9 times: the zone (and why it is that one), and any declared format or date order."""

    zone: ZoneInfo = PACIFIC
    why: str = "default: the Five9 US data centre; --region or --timezone to change"
    time_format: str | None = None
    date_order: DateOrder | None = None
    #: minute text -> (UTC instant of its second 0, ambiguous), or None for a minute read in full each time
    _minutes: dict[str, tuple[datetime, bool] | None] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    @property
    def zone_name(self) -> str:
        return self.zone.key

    @classmethod
    def from_options(cls, options: AdapterOptions) -> Five9Clock:
        """The clock ``options`` ask for; AdapterOptionError for an unknown region or zone, or a disagreement."""
        region_zone: ZoneInfo | None = None
        region = options.region
        if region is not None:
            name = REGION_ZONES.get(region.strip().lower())
            if name is None:
                raise AdapterOptionError(
                    f"--region {region!r} is not a Five9 data centre; expected one of: {', '.join(REGION_ZONES)}"
                )
            region_zone = ZoneInfo(name)
        if options.date_order is not None and options.time_format is not None:
            raise AdapterOptionError(
                f"--date-order {options.date_order}: not used when --time-format {options.time_format!r} is given "
                "(the format already says where day and month are), so it would be silently ignored; keep one"
            )
        fmt, order = options.time_format, options.date_order
        if options.timezone is None:
            if region_zone is None:
                return cls(time_format=fmt, date_order=order)
            return cls(region_zone, f"--region {region}", fmt, order)
        try:
            chosen = zone(options.timezone)
        except ValueError as exc:
            raise AdapterOptionError(f"--timezone: {exc}") from None
        if region_zone is not None and not _same_clock(chosen, region_zone):
            raise AdapterOptionError(
                f"--timezone {options.timezone} disagrees with --region {region}, whose reports are written in "
                f"{region_zone.key}; keep one (--timezone is for exports re-timed after they left Five9)"
            )
        why = f"--timezone {options.timezone}" + (f", agreeing with --region {region}" if region_zone else "")
        return cls(chosen, why, fmt, order)

    def describe(self) -> str:
        return f"{self.zone_name} ({self.why})"

    def read(self, text: str) -> Instant:
        """``text`` as an instant; ValueError naming what is wrong (callers add the record and field)."""
        if self.time_format is None and self.date_order is None:
            if len(text) in (19, 25) and text[-3] == ":" and (second := _SECONDS.get(text[-2:])) is not None:
                key = text[:-3]
                minute = self._minutes.get(key, _UNSEEN)
                if minute is _UNSEEN:
                    minute = self._learn(key)
                if minute is not None:
                    return _instant(Instant, (minute[0] + second, minute[1], False))  # Instant(utc, ambiguous)
            return parse_five9_time(text, self.zone)
        declared = parse_declared(text, TimeSettings(time_format=self.time_format, date_order=self.date_order))
        if declared is not None:
            if declared.tzinfo is not None and declared.utcoffset() is not None:
                return Instant(declared.astimezone(UTC), own_offset=True)
            return Instant(*local_to_utc(declared, self.zone))
        return parse_five9_time(text, self.zone)

    def _learn(self, key: str) -> tuple[datetime, bool] | None:
        """Read the minute ``key`` (a time without its ``:SS``) once: its second 0's instant and ambiguity when every
        second of it reads as that plus the seconds, else None (each time read in full)."""
        minute: tuple[datetime, bool] | None = None
        if _MINUTE_RE.fullmatch(key):
            try:
                first = parse_five9_time(key + ":00", self.zone)
                last = parse_five9_time(key + ":59", self.zone)
            except ValueError:
                pass  # read in full each time, so each says what is wrong with it
            else:
                same = last.utc - first.utc == _SECONDS["59"] and last.ambiguous == first.ambiguous
                if same and not first.own_offset and not last.own_offset:
                    minute = (first.utc, first.ambiguous)
        if len(self._minutes) >= _MINUTES_KEPT:
            self._minutes.clear()
        self._minutes[key] = minute
        return minute


_UNSEEN: tuple[datetime, bool] = (datetime.min, False)
#: What ``Instant(...)`` calls, without its Python-level ``__new__`` (a time per row of a million-row export).
_instant = tuple.__new__


def _same_clock(a: ZoneInfo, b: ZoneInfo) -> bool:
    """Whether two zones give the same offsets (aliases such as US/Pacific and America/Los_Angeles), sampled daily
    over 2000-2040: a difference would move the times read."""
    if a.key == b.key:
        return True
    day = datetime(2000, 1, 1, 10, tzinfo=UTC)
    while day.year < 2041:
        if day.astimezone(a).utcoffset() != day.astimezone(b).utcoffset():
            return False
        day += timedelta(days=1)
    return True


def parse_five9_time(text: str, tz: ZoneInfo = PACIFIC) -> Instant:
    """Parse a Five9 time written in ``tz`` (unless it carries an offset) as an instant.

    Raises ValueError naming what is wrong; callers add the record and field.
    """
    value = text.strip()
    try:
        if match := _EPOCH_RE.match(value):
            return Instant(from_epoch(int(value)), own_offset=True)
        if match := _CALL_LOG_RE.match(value):
            local = _call_log_time(match)
        elif match := _ISO_RE.match(value):
            local = _build(match, match["m"])
            if match["tz"]:
                if match["ampm"]:
                    raise ValueError(f"{text!r} has both AM/PM and a UTC offset")
                return Instant(local.replace(tzinfo=_offset(match["tz"])).astimezone(UTC), own_offset=True)
        elif match := _US_RE.match(value):
            local = _build(match, match["m"])
        else:
            raise ValueError(
                f"{text!r} is not a Five9 time (expected e.g. 'Fri, 21 Aug 2026 09:00:12', "
                "'2026-08-21 09:00:12', '2025/09/29 09:30' or '08/21/2026 09:00:12')"
            )
        return Instant(*local_to_utc(local, tz))
    except OverflowError:
        raise ValueError(f"{text!r} is out of the supported date range") from None


def _call_log_time(match: re.Match[str]) -> datetime:
    month = _MONTHS.get(match["mon"].lower())
    if month is None:
        raise ValueError(f"{match['mon']!r} is not an English month abbreviation")
    local = _build(match, str(month))
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


def _build(match: re.Match[str], month: str) -> datetime:
    hour = int(match["H"] or 0)
    if match["ampm"]:
        marker = match["ampm"].replace(".", "").upper()
        if not 1 <= hour <= 12:
            raise ValueError(f"hour {hour} is not valid with {marker}")
        hour = hour % 12 + (12 if marker == "PM" else 0)
    micro = int((match["f"] or "0")[:6].ljust(6, "0"))
    try:
        return datetime(
            int(match["y"]), int(month), int(match["d"]), hour, int(match["M"] or 0), int(match["S"] or 0), micro
        )
    except ValueError as exc:
        raise ValueError(f"not a valid date or time ({exc})") from None


def _offset(text: str) -> timezone:
    if text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"{text!r} is not a UTC offset")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
