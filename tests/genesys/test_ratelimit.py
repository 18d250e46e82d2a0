"""The limiter against a simulated fixed-window server, on a fake clock: minutes of traffic in milliseconds."""

from __future__ import annotations

import itertools

import pytest

from wrapup_bridge.genesys.ratelimit import Pacing, RateLimiter, parse_float
from wrapup_bridge.genesys.timing import Deadline
from wrapup_bridge.testing import VirtualClock

from .fakes import FakeClock, run
from .window import WindowServer


def drive(limiter: RateLimiter, server: WindowServer, seconds: float, other_per_second: float = 0.0) -> None:
    """Send back-to-back through the limiter for ``seconds``; optionally another user of the same token."""
    clock = server.clock
    assert isinstance(clock, FakeClock)
    end = clock.monotonic() + seconds
    other_next = clock.monotonic()

    async def main() -> None:
        nonlocal other_next
        while clock.monotonic() < end:
            assert await limiter.acquire()
            while other_per_second and other_next <= clock.monotonic():
                server._roll()
                if server.count < server.allowed:
                    server.count += 1
                other_next += 1 / other_per_second
            status, headers = server.hit()
            limiter.observe(status, headers)
            limiter.release()
            clock.advance(0.02)  # latency

    run(main())


def test_sustains_at_least_95_percent_of_the_default_rate_without_429() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    server = WindowServer(clock, allowed=300, window=60)
    drive(limiter, server, seconds=600)
    assert server.throttled == 0
    assert server.ok >= 0.95 * 300 * 10
    assert server.ok <= 300 * 11


def test_adapts_to_a_smaller_allowance_than_configured() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate_per_minute=300, clock=clock)
    server = WindowServer(clock, allowed=60, window=10)
    drive(limiter, server, seconds=300)
    assert limiter.limit == 60
    assert server.throttled == 0
    assert server.ok >= 0.95 * 6 * 300


def test_adapts_to_a_larger_allowance_than_configured() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate_per_minute=300, clock=clock)
    server = WindowServer(clock, allowed=1200, window=60)
    drive(limiter, server, seconds=600)
    assert server.throttled == 0
    assert server.ok >= 0.95 * 20 * 600


def test_paces_at_the_configured_rate_without_headers() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate_per_minute=300, safety=0.97, clock=clock)
    server = WindowServer(clock, allowed=300, window=60, send_headers=False)
    drive(limiter, server, seconds=600)
    assert server.throttled == 0
    assert 0.95 * 3000 <= server.ok <= 0.98 * 3000 + 2


def test_slows_down_for_another_user_of_the_token() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    server = WindowServer(clock, allowed=300, window=60)
    drive(limiter, server, seconds=600, other_per_second=2.0)
    assert server.throttled == 0
    # 5/s allowed, 2/s taken by the other user: about 3/s left for us.
    assert server.ok >= 0.9 * 3 * 600


def test_holds_when_count_reaches_allowed_until_reset() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, reset_slack=1.0)
    limiter.observe(200, {"inin-ratelimit-allowed": "300", "inin-ratelimit-count": "299", "inin-ratelimit-reset": "12"})
    wait = limiter.reserve_slot()
    assert wait is not None and wait >= 12.0
    assert wait <= 13.0


def test_429_pauses_everyone_for_retry_after_and_lowers_the_pace() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    before = limiter.base_interval
    limiter.observe(429, {}, retry_after=7.0)
    assert limiter.throttled == 1
    assert limiter.base_interval > before
    wait = limiter.reserve_slot()
    assert wait is not None and 7.0 <= wait < 7.5


def test_429_without_retry_after_uses_reset_plus_slack() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, reset_slack=1.0)
    limiter.observe(429, {"inin-ratelimit-reset": "4"})
    wait = limiter.reserve_slot()
    assert wait is not None and 5.0 <= wait < 5.5


def test_acquire_refuses_a_wait_past_the_deadline_and_reserves_nothing() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    limiter.observe(429, {}, retry_after=30.0)
    deadline = Deadline(clock, 8.0)
    assert run(limiter.acquire(deadline)) is False
    assert clock.sleeps == []
    assert limiter.sent == 0


def test_a_pause_that_starts_while_waiting_is_honoured() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)

    async def main() -> None:
        assert await limiter.acquire()
        limiter.observe(200, {})
        limiter.release()
        wait = limiter.reserve_slot()  # reserved for a bit later ...
        assert wait is not None and wait > 0
        limiter.observe(429, {}, retry_after=3.0)  # ... then everyone is told to pause
        clock.sleeps.clear()
        start = clock.monotonic()
        limiter._next_free = start  # the next acquire would go at once, but for the pause
        assert await limiter.acquire()
        assert clock.monotonic() - start >= 3.0

    run(main())


def test_stale_answers_from_an_old_window_do_not_reset_the_model() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    limiter.observe(200, {"inin-ratelimit-allowed": "300", "inin-ratelimit-count": "10", "inin-ratelimit-reset": "50"})
    clock.advance(20)
    # A late answer says the window is almost over (it is from before): ignored, not adopted.
    limiter.observe(200, {"inin-ratelimit-allowed": "300", "inin-ratelimit-count": "299", "inin-ratelimit-reset": "1"})
    wait = limiter.reserve_slot()
    assert wait is not None and wait < 1.0


def test_parse_float_ignores_garbage() -> None:
    assert parse_float(None) is None
    assert parse_float("abc") is None
    assert parse_float("-3") is None
    assert parse_float("nan") is None
    assert parse_float(" 61 ") == 61.0


@pytest.mark.parametrize(
    ("workers", "latency", "allowed", "window", "lazy"),
    [
        (8, 0.4, 300, 60, False),
        (32, 0.4, 300, 60, False),
        (16, 1.0, 300, 60, True),
        (4, 0.1, 60, 10, True),
    ],
)
def test_concurrent_workers_with_latency_sustain_the_rate_without_429(
    workers: int, latency: float, allowed: int, window: float, lazy: bool
) -> None:
    clock = VirtualClock()
    limiter = RateLimiter(clock=clock)
    server = WindowServer(clock, allowed=allowed, window=window, lazy=lazy)
    seconds = 600
    end = clock.monotonic() + seconds

    async def worker() -> None:
        while clock.monotonic() < end:
            assert await limiter.acquire()
            await clock.sleep(latency * 0.4)  # request on the wire
            status, headers = server.hit()
            await clock.sleep(latency * 0.6)  # answer on the wire
            limiter.observe(status, headers)
            limiter.release()

    async def main() -> None:
        await clock.gather(*(worker() for _ in range(workers)))

    run(main())
    assert server.throttled == 0
    assert server.ok >= 0.95 * allowed / window * seconds


def test_a_429_without_a_count_pauses_but_does_not_close_the_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    limiter.observe(200, {"inin-ratelimit-allowed": "300", "inin-ratelimit-count": "10", "inin-ratelimit-reset": "50"})
    limiter.observe(429, {}, retry_after=1.0)  # e.g. a burst limit: not the per-token window
    wait = limiter.reserve_slot()
    assert wait is not None and 1.0 <= wait < 2.0


# -- the pacing policy -----------------------------------------------------------------------------------------------
def test_an_unknown_pacing_is_refused() -> None:
    with pytest.raises(ValueError, match="spread, burst"):
        RateLimiter(pacing="eager")  # type: ignore[arg-type]


def test_spread_pacing_spaces_a_burst_and_burst_pacing_sends_it_at_once() -> None:
    def waits(pacing: Pacing) -> list[float]:
        limiter = RateLimiter(clock=FakeClock(), pacing=pacing)
        return [wait for _ in range(4) if (wait := limiter.reserve_slot()) is not None]

    spread = waits("spread")
    assert spread[0] == 0.0 and all(later > earlier for earlier, later in itertools.pairwise(spread))
    assert waits("burst") == [0.0, 0.0, 0.0, 0.0]


def test_burst_pacing_sends_at_once_while_the_known_window_has_room() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, pacing="burst")
    limiter.observe(200, {"inin-ratelimit-allowed": "300", "inin-ratelimit-count": "10", "inin-ratelimit-reset": "50"})
    assert [limiter.reserve_slot() for _ in range(5)] == [0.0] * 5


def test_burst_pacing_holds_like_spread_when_the_window_is_spent() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, pacing="burst", reset_slack=1.0)
    limiter.observe(200, {"inin-ratelimit-allowed": "300", "inin-ratelimit-count": "299", "inin-ratelimit-reset": "12"})
    wait = limiter.reserve_slot()
    assert wait is not None and 12.0 <= wait <= 13.0


def test_burst_pacing_still_honours_a_429_pause() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, pacing="burst")
    limiter.observe(429, {}, retry_after=7.0)
    wait = limiter.reserve_slot()
    assert wait is not None and 7.0 <= wait < 7.5


def test_burst_pacing_sustains_the_rate_without_429() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, pacing="burst")
    server = WindowServer(clock, allowed=300, window=60)
    drive(limiter, server, seconds=600)
    assert server.throttled == 0
    assert server.ok >= 0.95 * 300 * 10
