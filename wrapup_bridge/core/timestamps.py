"""Reading timestamps as instants rather than as text: the ISO times Genesys writes, and unix times.

Genesys drops zero milliseconds: ``2022-07-04T11:00:00Z`` sits beside ``2022-07-04T11:00:00.500Z`` in one
conversation. Compared as text the first sorts *after* the second (``Z`` > ``.``), so "the last agent who
connected" would be chosen wrongly. Every comparison of Genesys times goes through ``parse_instant``.

Sources write unix times in seconds or in milliseconds, often without saying which (Twilio's ``Timestamp`` and
``TimestampMs``, Five9's 10- and 13-digit epochs); ``from_epoch`` is the one place that tells them apart, by
magnitude, so every adapter reads the same number as the same instant.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = ["EPOCH_MS_FROM", "from_epoch", "is_epoch_ms", "latest", "parse_instant"]

#: Unix times of this magnitude or more are milliseconds. 1e11 seconds is the year 5138 and 1e11 milliseconds is
#: March 1973, so every time a contact centre has written falls far from it on its own side; and unlike counting
#: digits, the magnitude reads a zero-padded seconds value (``0001764000060``) and a JSON number alike.
EPOCH_MS_FROM = 1e11

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_instant(value: Any) -> datetime | None:
    """An aware UTC datetime from an ISO-8601 string (with or without fractions, ``Z`` or an offset).

    A time without a zone is read as UTC (Genesys writes only UTC). Anything unreadable, empty or not a
    string is None: a missing time is an absence of evidence, never an error, for the callers here.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def latest(*values: Any) -> datetime | None:
    """The latest readable instant among ``values``; None when none is readable."""
    instants = [p for p in map(parse_instant, values) if p is not None]
    return max(instants, default=None)


def is_epoch_ms(number: float) -> bool:
    """Whether the unix time ``number`` counts milliseconds rather than seconds (see ``EPOCH_MS_FROM``)."""
    return abs(number) >= EPOCH_MS_FROM


def from_epoch(number: float, *, ms: bool | None = None) -> datetime:
    """The aware UTC instant of the unix time ``number``: milliseconds when ``ms``, seconds when not, decided by
    ``is_epoch_ms`` when None (a source that says its unit passes it).

    Raises ``OverflowError`` beyond the years datetime holds and ``ValueError`` for NaN; callers word the message.
    """
    if ms is None:
        ms = is_epoch_ms(number)
    # Through float seconds, as every reader did before: exact to the microsecond for any time this century.
    return _EPOCH + timedelta(seconds=number / 1000 if ms else number)
