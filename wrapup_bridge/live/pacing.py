"""Rate limiting for live traffic: send at once while the window has room, hold only when it is spent.

The client's ``RateLimiter`` is built for replays: it spreads a window's allowance evenly (one request every
0.2 s at 300/min) so that a long run never meets a 429. A live apply is a burst of three or four requests
with nothing before or after it; pacing them would spend most of an 8 s budget waiting for slots the
window has plenty of. ``BurstLimiter`` keeps everything the replay limiter learns from the
``inin-ratelimit-*`` headers and 429s (the window, other users of the token, ``Retry-After`` pauses) and
changes one thing: no gap between requests while the allowance minus the reserve is not used up.
"""

from __future__ import annotations

from wrapup_bridge.genesys.ratelimit import RateLimiter

__all__ = ["BurstLimiter"]


class BurstLimiter(RateLimiter):
    """``RateLimiter`` without pacing below the limit; see the module docstring."""

    def _interval_at(self, slot: float) -> float:
        if self._window_end is None or slot >= self._window_end:
            # No window known yet (or the next one): a window's worth may go at once; the first answer tells.
            return 0.0 if self._used < self._limit * self.safety else super()._interval_at(slot)
        if self._limit - self._used_at(slot) - self.reserve > 0:
            return 0.0
        return super()._interval_at(slot)
