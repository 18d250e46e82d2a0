"""The one shape of clock everything that reads time or waits takes: ``time()``, ``monotonic()``, ``sleep()``.

Two scales are needed and they must not be confused. The wall clock (``time()``, unix seconds) is for what is
stored, compared with other systems' times or shown: an outbox row's due time survives a restart, an emulated
token expires at an instant, a write is stamped. The monotonic scale (``monotonic()``) is for what is *waited*:
retries, the rate limiter's windows, a call's budget; it never jumps when the system clock is set. ``sleep()``
waits on the clock's own time, so a fake clock can make minutes of waiting pass at once.

The names are the standard library's (``time.time``, ``time.monotonic``, ``asyncio.sleep``) so that the system
clock is obvious and a fake fits in a few lines::

    class FakeClock:
        def __init__(self, t: float = 1_780_272_000.0) -> None:
            self.t = t
        def time(self) -> float:
            return self.t
        def monotonic(self) -> float:
            return self.t
        async def sleep(self, seconds: float) -> None:
            self.t += max(0.0, seconds)

A datetime is derived where one is needed (``utc_now``), never a fourth member a fake must provide.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

__all__ = ["SYSTEM_CLOCK", "Clock", "Sleep", "SystemClock", "utc_now"]

#: A way to wait alone (``clock.sleep``, or a test's gate that observes a wait without a clock).
Sleep = Callable[[float], Awaitable[None]]


@runtime_checkable
class Clock(Protocol):
    """A wall clock, a monotonic scale and a way to wait on this clock's time."""

    def time(self) -> float:
        """Unix time in seconds: for what is stored, compared with other systems' times, or shown."""
        ...

    def monotonic(self) -> float:
        """Seconds on a scale that never jumps (only differences mean anything): for what is waited or timed."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of this clock's time (at once when not positive)."""
        ...


class SystemClock:
    """The real clocks and ``asyncio.sleep``."""

    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    def __repr__(self) -> str:
        return "SystemClock()"


#: The clock every default uses; a clock parameter defaults to it.
SYSTEM_CLOCK: Clock = SystemClock()


def utc_now(clock: Clock = SYSTEM_CLOCK) -> datetime:
    """``clock``'s wall-clock time as an aware UTC datetime."""
    return datetime.fromtimestamp(clock.time(), UTC)
