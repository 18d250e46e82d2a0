"""Reading the timestamps Genesys (and its emulator) write, as instants rather than as text.

Genesys drops zero milliseconds: ``2022-07-04T11:00:00Z`` sits beside ``2022-07-04T11:00:00.500Z`` in one
conversation. Compared as text the first sorts *after* the second (``Z`` > ``.``), so "the last agent who
connected" would be chosen wrongly. Every comparison of Genesys times goes through ``parse_instant``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

__all__ = ["latest", "parse_instant"]


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
