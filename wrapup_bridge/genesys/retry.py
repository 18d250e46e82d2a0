"""How long to wait before trying a failed request again.

Order of evidence (reference §6.3): the server's ``Retry-After``; else ``inin-ratelimit-reset`` plus a slack
(the reset is in whole seconds; Genesys's own exporter sample adds one second); else capped exponential
backoff with jitter, so many clients that failed together do not retry together.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from wrapup_bridge.genesys.errors import header
from wrapup_bridge.genesys.ratelimit import parse_float

__all__ = ["Backoff", "parse_retry_after", "server_wait"]


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date; None when absent or unreadable."""
    if value is None:
        return None
    seconds = parse_float(value)
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def server_wait(headers: Mapping[str, str], reset_slack: float, *, rate_limited: bool) -> tuple[float, str] | None:
    """The wait the server asked for, and which header said so; None when it said nothing usable.

    ``inin-ratelimit-reset`` comes with every answer, so it is a retry hint only for a 429 (``rate_limited``).
    """
    retry_after = parse_retry_after(header(headers, "retry-after"))
    if retry_after is not None:
        return retry_after, "Retry-After"
    if not rate_limited:
        return None
    reset = parse_float(header(headers, "inin-ratelimit-reset"))
    if reset is not None:
        return reset + reset_slack, "inin-ratelimit-reset"
    return None


@dataclass
class Backoff:
    """Capped exponential backoff with "equal jitter": attempt n waits between half and all of
    ``min(maximum, initial * base**(n-1))``, so the cap is never exceeded."""

    initial: float = 0.25
    maximum: float = 4.0
    base: float = 2.0
    rng: random.Random = field(default_factory=random.Random)

    def wait(self, retry_number: int) -> float:
        """The wait before retry ``retry_number`` (1 for the first retry)."""
        exponent = min(max(retry_number - 1, 0), 64)
        capped = min(self.maximum, self.initial * self.base**exponent)
        return capped * (0.5 + 0.5 * self.rng.random())
