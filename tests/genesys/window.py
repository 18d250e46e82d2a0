"""A simulated fixed-window rate limit (Genesys's ``inin-ratelimit-*`` headers and 429s), on a test's clock: shared
by the rate limiter's tests and the client's."""

from __future__ import annotations

import math

from wrapup_bridge.core.clock import Clock


class WindowServer:
    """Fixed windows of ``allowed`` requests per ``window`` seconds, with a whole-second (rounded up) reset.

    Aligned windows follow one another back to back (the client starts a third into one); lazy windows start
    at the first request after the previous one ended, as the emulator does.
    """

    def __init__(
        self, clock: Clock, allowed: int, window: float, *, send_headers: bool = True, lazy: bool = False
    ) -> None:
        self.clock = clock
        self.allowed = allowed
        self.window = window
        self.send_headers = send_headers
        self.lazy = lazy
        self.start = clock.monotonic() - (window * 2 if lazy else window / 3)
        self.count = 0
        self.ok = 0
        self.throttled = 0

    def _roll(self) -> None:
        now = self.clock.monotonic()
        if self.lazy and now >= self.start + self.window:
            self.start, self.count = now, 0
        while now >= self.start + self.window:
            self.start += self.window
            self.count = 0

    def headers(self) -> dict[str, str]:
        reset = max(0, math.ceil(self.start + self.window - self.clock.monotonic()))
        if not self.send_headers:
            return {}
        return {
            "inin-ratelimit-allowed": str(self.allowed),
            "inin-ratelimit-count": str(self.count),
            "inin-ratelimit-reset": str(reset),
        }

    def hit(self) -> tuple[int, dict[str, str]]:
        self._roll()
        if self.count >= self.allowed:
            self.throttled += 1
            return 429, self.headers()
        self.count += 1
        self.ok += 1
        return 200, self.headers()
