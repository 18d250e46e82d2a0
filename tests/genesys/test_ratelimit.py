"""The limiter against a simulated fixed-window server, on a fake clock: minutes of traffic in milliseconds."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator

import httpx
import pytest

from wrapup_bridge.genesys.ratelimit import Pacing, RateCap, RateLimiter, parse_float, rate_headers
from wrapup_bridge.genesys.retry import parse_retry_after
from wrapup_bridge.genesys.timing import Deadline
from wrapup_bridge.testing import VirtualClock

from .fakes import FakeClock, run
from .window import PoolServer, WindowServer


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
        limiter.observe(
            200, {"inin-ratelimit-allowed": "300", "inin-ratelimit-count": "1", "inin-ratelimit-reset": "60"}
        )
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
    assert parse_float(b" 61 ") == 61.0 and parse_float(b"x") is None  # raw header bytes


class CountedHeaders(httpx.Headers):
    """httpx's headers, counting the passes made over them (``raw``) and refusing lookups by name (each of which
    would be a pass of its own)."""

    passes = 0

    @property
    def raw(self) -> list[tuple[bytes, bytes]]:
        type(self).passes += 1
        return super().raw

    def get(self, key: str, default: object = None) -> object:
        raise AssertionError(f"looked up {key!r} by name")


def test_the_rate_limit_headers_are_read_in_one_pass() -> None:
    headers = CountedHeaders(
        [
            ("Content-Type", "application/json"),
            ("ININ-RateLimit-Count", "17"),  # names in any case
            ("inin-ratelimit-allowed", "300"),
            ("inin-correlation-id", "3b7c1e0e-1c5a-4f4e-9a51-2f6f1f0d9c11"),
            ("inin-ratelimit-reset", "42"),
        ]
    )
    assert rate_headers(headers) == (b"300", b"17", b"42")
    assert CountedHeaders.passes == 1
    limiter = RateLimiter(clock=FakeClock())
    limiter.observe(200, headers)
    assert CountedHeaders.passes == 2 and limiter.limit == 300
    wait = limiter.reserve_slot()
    assert wait == 0.0 and limiter._window_end == pytest.approx(1000.0 + 42)


class CountedMapping(dict[str, str]):
    """A plain mapping of headers, counting the passes over its items and refusing lookups by name."""

    passes = 0

    def items(self) -> Iterator[tuple[str, str]]:  # type: ignore[override]
        type(self).passes += 1
        return iter(list(super().items()))

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        raise AssertionError(f"looked up {key!r} by name")


def test_any_mapping_of_headers_is_read_in_one_pass_too() -> None:
    headers = CountedMapping({"Inin-Ratelimit-Allowed": "60", "inin-ratelimit-count": "3", "x-other": "1"})
    assert rate_headers(headers) == ("60", "3", None)
    assert CountedMapping.passes == 1
    assert rate_headers({}) == (None, None, None) and rate_headers(None) == (None, None, None)
    # A name given twice: the last one counts (httpx would join the two, which reads as no number at all).
    assert rate_headers(httpx.Headers([("inin-ratelimit-count", "1"), ("inin-ratelimit-count", "2")]))[1] == b"2"


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


# -- without rate-limit headers: pace only from what is learned -------------------------------------------------------
HEADERS_300 = {"inin-ratelimit-allowed": "300", "inin-ratelimit-count": "1", "inin-ratelimit-reset": "60"}


def drive_all(
    limiters: list[RateLimiter], hit: Callable[[int], tuple[int, dict[str, str]]], clock: VirtualClock, **options: float
) -> None:
    """``workers`` tasks per limiter send through it for ``seconds`` with ``latency``; answers' Retry-After honoured."""
    seconds, latency, workers = (
        options.get("seconds", 600.0),
        options.get("latency", 0.2),
        int(options.get("workers", 4)),
    )
    end = clock.monotonic() + seconds

    async def worker(n: int) -> None:
        limiter = limiters[n]
        while clock.monotonic() < end:
            assert await limiter.acquire()
            await clock.sleep(latency * 0.4)
            status, headers = hit(n)
            await clock.sleep(latency * 0.6)
            limiter.observe(status, headers, parse_retry_after(headers.get("Retry-After")))
            limiter.release()

    run(clock.gather(*(worker(n) for n in range(len(limiters)) for _ in range(workers))))


def test_an_answer_without_headers_ends_the_assumed_pace() -> None:
    limiter = RateLimiter(clock=FakeClock())
    assert limiter.reserve_slot() == 0.0
    assert limiter.reserve_slot() == pytest.approx(60 / 291)  # the configured rate until an answer says more
    limiter.observe(200, {})
    assert limiter.headerless and limiter.learned_per_minute is None
    assert [limiter.reserve_slot() for _ in range(50)] == [0.0] * 50


def test_without_headers_the_configured_cap_is_the_pace() -> None:
    limiter = RateLimiter(clock=FakeClock(), max_rate_per_minute=120)
    limiter.observe(200, {})
    assert [limiter.reserve_slot() for _ in range(4)] == [0.0, 0.5, 1.0, 1.5]


def test_the_cap_also_holds_under_headers_that_allow_more() -> None:
    limiter = RateLimiter(clock=FakeClock(), max_rate_per_minute=60, pacing="burst")
    limiter.observe(200, HEADERS_300)
    assert [limiter.reserve_slot() for _ in range(3)] == [0.0, 1.0, 2.0]


def test_headers_after_a_headerless_answer_bring_back_the_window_model() -> None:
    limiter = RateLimiter(clock=FakeClock(), reset_slack=1.0)
    limiter.observe(200, {})
    limiter.observe(200, {"inin-ratelimit-allowed": "300", "inin-ratelimit-count": "299", "inin-ratelimit-reset": "12"})
    assert not limiter.headerless
    wait = limiter.reserve_slot()
    assert wait is not None and 12.0 <= wait <= 13.0


def test_a_server_without_headers_or_limit_is_not_slowed() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    server = WindowServer(clock, allowed=10**9, window=60, send_headers=False)
    drive(limiter, server, seconds=60)  # one request per 0.02 s of latency: 50/s, where 300/min would be 5/s
    assert server.ok >= 0.99 * 50 * 60


@pytest.mark.parametrize(("allowed", "window", "retry_after", "share"), [(300, 60, True, 0.93), (600, 10, True, 0.85)])
def test_a_hidden_limit_is_learned_from_429_and_retry_after(
    allowed: int, window: float, retry_after: bool, share: float
) -> None:
    clock = VirtualClock()
    limiter = RateLimiter(clock=clock)
    server = WindowServer(clock, allowed, window, send_headers=False, lazy=True, retry_after=retry_after)
    drive_all([limiter], lambda _: server.hit(), clock, seconds=600, latency=0.05)
    # The first window's 429s (one per request in flight) teach the rate; none after.
    assert server.throttled <= 4
    assert server.ok >= share * allowed / window * 600
    learned = limiter.learned_per_minute
    assert learned is not None and learned <= allowed / window * 60


def test_a_hidden_limit_without_retry_after_is_found_by_doubling_pauses() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(clock=clock)
    server = WindowServer(clock, 300, 60, send_headers=False, lazy=True)
    drive_all([limiter], lambda _: server.hit(), clock, seconds=600, latency=0.05)
    assert server.throttled <= 30  # pauses of 1, 2, 4, ... s until the window ends, then a learned pace: none
    assert server.ok >= 0.8 * 3000
    learned = limiter.learned_per_minute
    assert learned is not None and learned <= 300


def test_429s_in_flight_together_teach_once() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    limiter.observe(200, {})
    for _ in range(30):
        limiter.observe(200, {})
        clock.advance(0.1)
    limiter.observe(429, {}, retry_after=57.0)
    learned = limiter.learned_per_minute
    assert learned == pytest.approx(31 / 60 * 60 * 0.97, rel=0.01)  # 31 accepted over 3 s + the 57 s to wait
    for _ in range(3):
        limiter.observe(429, {}, retry_after=57.0)
    assert limiter.learned_per_minute == learned


def test_a_learned_rate_is_forgotten() -> None:
    clock = FakeClock()
    cap = RateCap(forget_after=600.0)
    for _ in range(10):
        cap.accepted(clock.monotonic())
        clock.advance(0.1)
    cap.throttle(clock.monotonic(), 5.0)
    # Forgotten 600 s after the pause it asked for, when no other such 429 came.
    assert cap.per_minute(clock.monotonic() + 5 + 599) is not None
    assert cap.per_minute(clock.monotonic() + 5 + 601) is None


# -- a pool sharing one cap: an org-wide limit, configured or learned from 429s with budget left ------------------------
def pool(clients: int, cap: RateCap, clock: VirtualClock) -> list[RateLimiter]:
    return [RateLimiter(clock=clock, cap=cap) for _ in range(clients)]


def test_a_cap_is_given_to_the_pool_not_to_one_limiter() -> None:
    with pytest.raises(ValueError, match="RateCap"):
        RateLimiter(cap=RateCap(), max_rate_per_minute=100)
    with pytest.raises(ValueError, match="positive"):
        RateCap(max_rate_per_minute=0)


def test_a_429_with_budget_left_is_the_orgs_it_pauses_the_pool_and_caps_it() -> None:
    clock = FakeClock()
    cap = RateCap()
    a, b = RateLimiter(clock=clock, cap=cap), RateLimiter(clock=clock, cap=cap)
    for _ in range(20):
        a.observe(200, HEADERS_300)
        clock.advance(0.5)
    a.observe(429, {**HEADERS_300, "inin-ratelimit-count": "21"}, retry_after=50.0)
    assert cap.throttled == 1
    wait = b.reserve_slot()  # the other token is paused too
    assert wait is not None and 50.0 <= wait < 50.5
    learned = cap.per_minute(clock.monotonic())
    assert learned == pytest.approx(20 / 59.5 * 60 * 0.97, rel=0.01)  # 20 accepted over 9.5 s + 50 s to wait


def test_a_429_of_a_full_token_window_teaches_the_pool_nothing() -> None:
    clock = FakeClock()
    cap = RateCap()
    a, b = RateLimiter(clock=clock, cap=cap), RateLimiter(clock=clock, cap=cap)
    a.observe(429, {"inin-ratelimit-allowed": "300", "inin-ratelimit-count": "300", "inin-ratelimit-reset": "9"}, 9.0)
    assert cap.throttled == 0 and cap.per_minute(clock.monotonic()) is None
    assert b.reserve_slot() == 0.0


@pytest.mark.parametrize(("clients", "org_headers"), [(2, False), (4, False), (2, True), (4, True)])
def test_a_pool_learns_an_org_limit_and_then_meets_no_429(clients: int, org_headers: bool) -> None:
    clock = VirtualClock()
    cap = RateCap()
    org = 200 * clients
    server = PoolServer(clock, clients, allowed=300, window=60, org_allowed=org, org_window=60, org_headers=org_headers)
    limiters = pool(clients, cap, clock)
    drive_all(limiters, server.hit, clock, seconds=600)
    # 429s only when the first one came, from the requests in flight with it; after its pause the pool resumes at
    # the learned cap, one request at a time, and meets none again.
    assert server.throttled == server.org_throttled >= 1
    assert server.refused_at[-1] - server.refused_at[0] < 0.5, server.refused_at
    assert server.ok >= 0.94 * org * 10
    learned = cap.per_minute(clock.monotonic())
    assert learned is not None and 0.85 * org <= learned <= org
    # The org's window, whatever its 429s' headers showed, is not taken for any token's own.
    assert all(limiter.limit == 300 for limiter in limiters)


def test_tasks_waiting_through_a_pause_resume_one_at_a_time_on_the_caps_grid() -> None:
    clock = VirtualClock()
    cap = RateCap(max_rate_per_minute=60)  # one request a second, the pool together
    a, b = RateLimiter(clock=clock, cap=cap), RateLimiter(clock=clock, cap=cap)
    for limiter in (a, b):
        limiter.observe(200, HEADERS_300)
    start = clock.monotonic()
    sent: list[float] = []

    async def send(limiter: RateLimiter) -> None:
        assert await limiter.acquire()
        sent.append(clock.monotonic() - start)
        limiter.release()

    async def refused() -> None:
        await clock.sleep(0.5)  # a 429 that is not the token's own: the whole pool pauses until 3.5 s
        a.observe(429, {**HEADERS_300, "inin-ratelimit-count": "2"}, retry_after=3.0)

    async def main() -> None:
        await clock.gather(refused(), *(send(limiter) for limiter in (a, b) * 4))

    run(main())
    assert cap.paused_until - start == pytest.approx(3.5)
    assert sent[0] == 0.0 and all(t >= 3.5 for t in sent[1:]), sent
    # Those whose send time fell in the pause took new ones after it, on the grid: never two in the same second.
    assert all(later - earlier >= 1.0 - 1e-6 for earlier, later in itertools.pairwise(sent)), sent


def answered(limiter: RateLimiter, clock: FakeClock, answers: int, window_end: float = 1060.0) -> None:
    """``answers`` answers to the token, half a second apart, with its own headers: ``count`` growing from 1, the
    window ending at ``window_end``."""
    for n in range(1, answers + 1):
        reset = math.ceil(window_end - clock.monotonic())
        limiter.observe(200, {**HEADERS_300, "inin-ratelimit-count": str(n), "inin-ratelimit-reset": str(reset)})
        clock.advance(0.5)


def full(allowed: int, reset: int) -> dict[str, str]:
    return {
        "inin-ratelimit-allowed": str(allowed),
        "inin-ratelimit-count": str(allowed),
        "inin-ratelimit-reset": str(reset),
    }


def test_a_429_showing_a_full_window_of_another_allowance_is_the_pools_to_share() -> None:
    clock = FakeClock()
    cap = RateCap()
    a, b = RateLimiter(clock=clock, cap=cap), RateLimiter(clock=clock, cap=cap)
    answered(a, clock, 8)
    a.observe(429, full(15, 5), retry_after=5.0)  # an org-wide window's numbers, not this token's
    assert cap.throttled == 1 and cap.window_allowed == 15 and a.throttled == 1
    assert a.limit == 300  # the token's own window is untouched ...
    wait = b.reserve_slot()  # ... and every token of the pool pauses
    assert wait is not None and wait >= 5.0
    learned = cap.per_minute(clock.monotonic())
    assert learned == pytest.approx(8 / (4 + 5) * 60 * 0.97, rel=0.01)  # 8 accepted in the 4 s before, then 5 s


def test_a_429_with_headers_on_a_token_whose_answers_have_none_is_a_shared_window() -> None:
    clock = FakeClock()
    cap = RateCap()
    a, b = RateLimiter(clock=clock, cap=cap), RateLimiter(clock=clock, cap=cap)
    a.observe(200, {})
    a.observe(429, full(15, 4), retry_after=4.0)
    assert cap.throttled == 1 and a.headerless and a.learned_per_minute is None
    wait = b.reserve_slot()
    assert wait is not None and wait >= 4.0


def test_a_full_window_of_the_same_allowance_is_shared_when_the_token_cannot_have_filled_it() -> None:
    clock = FakeClock()
    cap = RateCap()
    a, _ = RateLimiter(clock=clock, cap=cap), RateLimiter(clock=clock, cap=cap)
    answered(a, clock, 10, window_end=1050.0)  # 10 of 300 spent, its window ends in ~45 s
    a.observe(429, full(300, 12), retry_after=12.0)  # 300 spent, ending in 12 s: someone else's window
    assert cap.throttled == 1 and a.limit == 300


def test_the_tokens_own_full_window_is_its_own_alone_or_in_a_pool() -> None:
    for sharers in (1, 2):
        clock = FakeClock()
        cap = RateCap()
        limiters = [RateLimiter(clock=clock, cap=cap) for _ in range(sharers)]
        a = limiters[0]
        answered(a, clock, 10, window_end=1050.0)
        a.observe(429, full(300, 45), retry_after=45.0)  # its own window, ending when its answers said
        assert cap.throttled == 0 and cap.per_minute(clock.monotonic()) is None
        if sharers == 1:
            continue
        assert limiters[1].reserve_slot() == 0.0  # the other token goes on
    clock = FakeClock()
    lone = RateLimiter(clock=clock)
    answered(lone, clock, 10, window_end=1050.0)
    lone.observe(429, full(300, 12), retry_after=12.0)  # a lone token cannot tell: its own (someone else on it)
    assert lone.cap.throttled == 0


def test_without_learning_an_org_limit_costs_a_429_every_window() -> None:
    clock = VirtualClock()
    cap = RateCap(learn=False)
    server = PoolServer(clock, 2, allowed=300, window=60, org_allowed=400, org_window=60)
    drive_all(pool(2, cap, clock), server.hit, clock, seconds=600)
    assert server.org_throttled >= 10
    assert cap.per_minute(clock.monotonic()) is None


def test_a_configured_cap_keeps_a_pool_under_the_org_limit_without_a_429() -> None:
    clock = VirtualClock()
    cap = RateCap(max_rate_per_minute=390)
    server = PoolServer(clock, 2, allowed=300, window=60, org_allowed=400, org_window=60)
    drive_all(pool(2, cap, clock), server.hit, clock, seconds=600)
    assert server.throttled == 0
    assert 0.97 * 3900 <= server.ok <= 3900 + 8 + 1  # the 8 workers each send once more after the last check


def test_a_pool_under_per_token_limits_only_uses_every_token_fully() -> None:
    clock = VirtualClock()
    server = PoolServer(clock, 4, allowed=300, window=60, org_allowed=10**9, org_window=60)
    drive_all(pool(4, RateCap(), clock), server.hit, clock, seconds=600)
    assert server.throttled == 0
    assert server.ok >= 0.95 * 4 * 3000
