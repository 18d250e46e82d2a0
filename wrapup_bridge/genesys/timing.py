"""A call's time budget on the injected clock (``core.clock.Clock``): retries, the rate limiter and token
expiry all wait on its monotonic scale.

Injecting the clock is what lets tests prove "Retry-After was honoured" or "the limiter paced to N per window" in
milliseconds of real time, and lets a budget bound every wait the same way.
"""

from __future__ import annotations

from wrapup_bridge.core.clock import Clock

__all__ = ["Deadline"]


class Deadline:
    """The end of one call's time budget, so no wait ever runs past it."""

    __slots__ = ("budget", "clock", "started", "until")

    def __init__(self, clock: Clock, budget: float) -> None:
        self.clock = clock
        self.budget = budget
        self.started = clock.monotonic()
        self.until = self.started + budget

    def remaining(self) -> float:
        return max(0.0, self.until - self.clock.monotonic())

    def elapsed(self) -> float:
        return self.clock.monotonic() - self.started

    def allows(self, wait: float) -> bool:
        """True when waiting ``wait`` seconds still leaves the call inside its budget."""
        return self.clock.monotonic() + wait <= self.until
