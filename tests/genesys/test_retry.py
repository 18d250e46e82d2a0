from __future__ import annotations

import random
from datetime import UTC, datetime

from wrapup_bridge.genesys.retry import Backoff, parse_retry_after, server_wait


def test_retry_after_seconds_and_http_date() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 01 Jan 2025 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Wed, 01 Jan 2025 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_server_wait_prefers_retry_after_then_reset_for_429_only() -> None:
    both = {"Retry-After": "2", "inin-ratelimit-reset": "9"}
    assert server_wait(both, 1.0, rate_limited=True) == (2.0, "Retry-After")
    assert server_wait({"inin-ratelimit-reset": "9"}, 1.0, rate_limited=True) == (10.0, "inin-ratelimit-reset")
    assert server_wait({"inin-ratelimit-reset": "9"}, 1.0, rate_limited=False) is None
    assert server_wait({}, 1.0, rate_limited=True) is None


def test_backoff_is_exponential_jittered_and_capped() -> None:
    backoff = Backoff(initial=0.25, maximum=4.0, rng=random.Random(3))
    for n in range(1, 40):
        ceiling = min(4.0, 0.25 * 2 ** (n - 1))
        for _ in range(20):
            wait = backoff.wait(n)
            assert ceiling / 2 <= wait <= ceiling
    assert backoff.wait(10_000) <= 4.0
