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
        self,
        clock: Clock,
        allowed: int,
        window: float,
        *,
        send_headers: bool = True,
        lazy: bool = False,
        retry_after: bool = False,
    ) -> None:
        self.clock = clock
        self.allowed = allowed
        self.window = window
        self.send_headers = send_headers
        self.lazy = lazy
        #: 429s carry Retry-After (the seconds left in the window), with or without the other headers.
        self.retry_after = retry_after
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

    def reset_in(self) -> int:
        return max(0, math.ceil(self.start + self.window - self.clock.monotonic()))

    def headers(self) -> dict[str, str]:
        reset = self.reset_in()
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
            headers = self.headers()
            if self.retry_after:
                headers["Retry-After"] = str(max(1, self.reset_in()))
            return 429, headers
        self.count += 1
        self.ok += 1
        return 200, self.headers()


class PoolServer:
    """A window per token and, over them, one window for the org (lazy, like the emulator's): an org 429 carries the
    token's own headers, which show budget left (or, with ``org_headers``, the org window's count, allowance and
    reset, as the emulator's ``org_rate_limit_headers: org``), and Retry-After until the org's window ends.
    ``refused_at`` records when each org 429 was answered."""

    def __init__(
        self,
        clock: Clock,
        tokens: int,
        allowed: int,
        window: float,
        org_allowed: int,
        org_window: float,
        *,
        org_headers: bool = False,
    ):
        self.clock = clock
        self.tokens = [WindowServer(clock, allowed, window, lazy=True) for _ in range(tokens)]
        self.org = WindowServer(clock, org_allowed, org_window, lazy=True, retry_after=True)
        self.org_headers = org_headers
        self.org_throttled = 0
        self.refused_at: list[float] = []

    @property
    def ok(self) -> int:
        return sum(token.ok for token in self.tokens)

    @property
    def throttled(self) -> int:
        return self.org_throttled + sum(token.throttled for token in self.tokens)

    def hit(self, token: int) -> tuple[int, dict[str, str]]:
        own = self.tokens[token]
        own._roll()
        if own.count >= own.allowed:
            return own.hit()
        self.org._roll()
        if self.org.count >= self.org.allowed:
            self.org_throttled += 1
            self.refused_at.append(self.clock.monotonic())
            shown = self.org.headers() if self.org_headers else own.headers()
            return 429, {**shown, "Retry-After": str(max(1, self.org.reset_in()))}
        self.org.count += 1
        return own.hit()
