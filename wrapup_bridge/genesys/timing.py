"""One clock for everything that waits: retries, the rate limiter and token expiry.

Injecting it is what lets tests prove "Retry-After was honoured" or "the limiter paced to N per window" in
milliseconds of real time, and lets a budget bound every wait the same way.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

__all__ = ["Clock", "Deadline", "SystemClock"]


class Clock(Protocol):
    """A monotonic time source and a way to wait on it."""

    def now(self) -> float:
        """Seconds on a monotonic scale (only differences are meaningful)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` on this clock's scale."""
        ...


class SystemClock:
    """The real monotonic clock and ``asyncio.sleep``."""

    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class Deadline:
    """The end of one call's time budget, so no wait ever runs past it."""

    __slots__ = ("budget", "clock", "started", "until")

    def __init__(self, clock: Clock, budget: float) -> None:
        self.clock = clock
        self.budget = budget
        self.started = clock.now()
        self.until = self.started + budget

    def remaining(self) -> float:
        return max(0.0, self.until - self.clock.now())

    def elapsed(self) -> float:
        return self.clock.now() - self.started

    def allows(self, wait: float) -> bool:
        """True when waiting ``wait`` seconds still leaves the call inside its budget."""
        return self.clock.now() + wait <= self.until
