"""Reading CXone values whatever type they arrived as, and its times as instants.

Older ``contacts/completed`` versions answer every value as a string (``"abandoned": "False"``, ``"ACWSeconds":
"187"``, ``"primaryDispositionId": "93"``; singer-io/tap-nice-incontact converts them back in ``transform.py``);
newer reporting answers typed values. Both read the same here. Times are ISO 8601 with an offset or ``Z``; a time
without one is read in the declared zone (``options.timezone``), UTC when none is declared (the contact-history API
documents UTC). A declared ``time_format`` or ``date_order`` (warehouse exports) is read with
``localtime.parse_declared``.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from wrapup_bridge.adapters.localtime import TimeSettings, local_to_utc, parse_declared

__all__ = ["add_seconds", "bool_text", "instant", "is_number", "seconds"]

_NUMBER_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_BOOLS = {"true": "true", "false": "false"}


def bool_text(value: Any) -> str | None:
    """A boolean as ``"true"``/``"false"``, also from the ``"True"``/``"False"`` strings older versions send; other
    text is kept as written; None when absent or blank."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value.strip()
        return _BOOLS.get(text.lower(), text) or None
    return str(value)


def is_number(value: Any) -> bool:
    """A JSON number or numeric text (``"187"``, ``"12.5"``), not a boolean."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and bool(_NUMBER_RE.match(value.strip()))


def seconds(value: Any, key: str) -> float | None:
    """A duration in seconds (a number or numeric text); None when absent or blank; ValueError otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not is_number(value):
        raise ValueError(f"{key} {value!r} is not a number of seconds")
    number = float(value.strip() if isinstance(value, str) else value)
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{key} {value!r} is not a number of seconds")
    return number


def add_seconds(when: datetime, total: float) -> datetime:
    try:
        return when + timedelta(seconds=total)
    except OverflowError:
        raise ValueError(f"{when.isoformat()} + {total:g} s is out of the supported date range") from None


def instant(value: Any, settings: TimeSettings) -> tuple[datetime, bool]:
    """``value`` as a UTC instant, and whether it fell in the repeated hour of its zone; ValueError naming what
    was expected."""
    declared = settings.time_format or settings.date_order
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"{value!r} is not a time")
    if not isinstance(value, str) and settings.time_format not in ("epoch", "epoch-ms"):
        raise ValueError(f"{value!r} is not an ISO 8601 time")
    text = str(value).strip()
    parsed = parse_declared(text, settings) if declared else None
    if parsed is None:
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO 8601 time") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        return local_to_utc(parsed.replace(tzinfo=None), settings.zone or UTC)
    try:
        return parsed.astimezone(UTC), False
    except OverflowError:
        raise ValueError(f"{value!r} is out of the supported date range") from None
