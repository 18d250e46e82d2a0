"""The emulator's rate limits: a window per access token, and optionally one window for the whole org.

Genesys limits a client-credentials token to 300 requests per minute by default
(``client.credentials.token.rate.per.minute``, reference/genesys-cloud-api.md §6.3) and says where a token stands
in every answer: ``inin-ratelimit-count``, ``-allowed`` and ``-reset`` (VERIFIED, a trace in
MyPureCloud/developer-center-blog 2021-05-06). Each token has its own budget, so a pool of OAuth clients gets one
budget per client. Whether an org also has a limit across all of its tokens is UNSURE: a Genesys community answer
says the limit is per token, not per org (https://community.genesys.com/discussion/api-limits), and no public
source shows an org-level 429. ``EmulatorConfig.org_rate_limit`` therefore switches one on (off by default), and
``org_rate_limit_headers`` picks what its 429 carries, so a client can be tested against either reading.

Windows are fixed and start at the first request after the previous one ended. A refused request counts in no
window. The token's limit is checked first: a request over both limits is the token's 429.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from wrapup_bridge.emulator.config import EmulatorConfig
from wrapup_bridge.emulator.errors import ApiError

__all__ = ["RateLimits", "Window"]

Headers = list[tuple[bytes, bytes]]


@dataclass
class Window:
    """One fixed window: when it started and how many requests it admitted."""

    start: float = 0.0
    count: int = 0

    def roll(self, now: float, length: float) -> None:
        """Start a new window when the current one is over (or nothing was admitted yet)."""
        if self.count == 0 or now >= self.start + length:
            self.start, self.count = now, 0

    def reset_in(self, now: float, length: float) -> int:
        """Whole seconds until the window ends, rounded up (never 0: the window is still open)."""
        return max(1, math.ceil(self.start + length - now))


def _headers(count: int, allowed: int, reset: int) -> dict[str, str]:
    return {
        "inin-ratelimit-count": str(count),
        "inin-ratelimit-allowed": str(allowed),
        "inin-ratelimit-reset": str(reset),
    }


class RateLimits:
    """Every window of one emulator; the caller holds the runtime's lock around ``admit`` and ``reset``."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.tokens: dict[str, Window] = {}
        self.org = Window()

    def reset(self) -> None:
        """Every window starts afresh (issued tokens stay valid)."""
        self.tokens.clear()
        self.org = Window()

    def admit(self, token: str, now: float, refused: Counter[str]) -> Headers:
        """Count one request of ``token`` and return the rate-limit headers of its answer; raise the 429 (an
        ``ApiError`` carrying its headers) when the token's window or the org's is full, counting it in
        ``refused`` under "token" or "org"."""
        cfg = self.config
        limit, length = cfg.rate_limit, cfg.rate_window_seconds
        window: Window | None = None
        # The token's standing before this request (what a refused request shows) and after it (what an answer shows).
        before: dict[str, str] = {}
        headers: dict[str, str] = {}
        if limit is not None:
            window = self.tokens.setdefault(token, Window())
            window.roll(now, length)
            reset = window.reset_in(now, length)
            before = _headers(window.count, limit, reset)
            if window.count >= limit:
                refused["token"] += 1
                raise _too_many(limit, length, reset, before, cfg.retry_after_on_429)
            headers = _headers(window.count + 1, limit, reset)
        org_limit, org_length = cfg.org_rate_limit, cfg.org_rate_window_seconds
        if org_limit is not None:
            self.org.roll(now, org_length)
            if self.org.count >= org_limit:
                refused["org"] += 1
                org_reset = self.org.reset_in(now, org_length)
                # "token": the token's own headers, which show budget left (none when tokens are not limited).
                shown = (
                    before if cfg.org_rate_limit_headers == "token" else _headers(self.org.count, org_limit, org_reset)
                )
                raise _too_many(org_limit, org_length, org_reset, dict(shown), cfg.retry_after_on_429)
            self.org.count += 1
        if window is not None:
            window.count += 1
        return [(name.encode(), value.encode()) for name, value in headers.items()]


def _too_many(limit: int, length: float, reset: int, headers: dict[str, str], retry_after: bool) -> ApiError:
    """Genesys's 429 (codes and message: reference §5.2, VERIFIED), with ``Retry-After`` when switched on."""
    code = "too.many.requests"
    if retry_after:
        headers["Retry-After"] = str(reset)
        code = "too.many.requests.retry.after"
    return ApiError(
        429,
        code,
        f"Rate limit exceeded the maximum [{limit}] requests within [{length:g}] seconds",
        params={"limit": str(limit), "window": f"{length:g}"},
        headers=headers,
    )
