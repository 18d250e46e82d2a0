"""Client-side pacing so a replay uses nearly all of the rate limit and loses no request to 429.

Genesys limits client-credentials tokens to about 300 requests per minute (reference §6.3; the exact value
is per org and can be raised) and says where a token stands in every response: ``inin-ratelimit-allowed``
(the window's allowance), ``inin-ratelimit-count`` (used so far) and ``inin-ratelimit-reset`` (seconds until
the window resets). The limiter keeps a model of that window and hands out send times:

* Until the first answer it paces at the configured rate times ``safety`` (default 300/min × 0.97). An answer
  without rate-limit headers says nothing about a limit, so from then on (until headers come) it paces only from
  what it learns: not at all, or at a rate learned from the server's 429s (below), and never above
  ``max_rate_per_minute`` when that is set.
* Once the window is known it spreads what is left of the allowance (minus a small reserve) evenly over the
  time left, so the window is used up just as it resets: about 97–99% of the allowed rate over a long run,
  and a slowdown on its own when someone else is using the same token: their requests show up as ``count``
  growing faster than our answers, and their rate is set aside for the rest of the window.
  It never exceeds twice the base rate, in case the window is really sliding.
* When the allowance is spent it holds every request until the window resets. ``reset`` is in whole
  seconds; the modeled end is the smallest ``now + reset`` seen in the window, exact when the server rounds
  up. Should the server round down instead, the first 429 shows it and from then on ``reset_slack`` is added.
* A 429 pauses everyone until ``Retry-After`` (or the reset) and lowers the pace by 20%, recovering 0.5% per
  successful answer.

What a 429 teaches besides the pause (``RateCap``). A 429 while the token's headers show budget left (a count below
the allowance, or no count while the modeled window has room) is not the token's limit: Genesys documents other
limits too (reference §6.3: per user, per resource), and whether an org-wide limit across client-credentials tokens
exists is UNSURE (a community answer says the limit is per token only). Such a 429 pauses every limiter that shares
the ``RateCap`` (one cap for a pool of OAuth clients) and, unless ``learn`` is off, caps their combined rate at what
the server accepted: the accepted answers of the window before the 429, over the time from the first of them to the
end of the pause it asks for (``Retry-After``; without it, pauses of 1, 2, 4, ... s until the server accepts again),
times ``safety``. Exact when the server's window began with those answers. 429s in flight together teach once. A
server without rate-limit headers gets the same treatment for its 429s, on the token's own pace. A learned rate is
forgotten ``forget_after`` seconds (600) after the pause that taught it: a stray 429 (a burst limit) costs little,
and a real limit costs one 429 that often. The cap hands out send times on a grid spaced by its rate, each point
once, so a token held back by its own pace leaves the points before its own to the other tokens.

A 429 whose headers show a full window that is not the token's own (its answers never carried rate-limit headers,
or carried another allowance; or, in a pool, a count the token cannot have reached itself and a window that ends
elsewhere) describes a budget shared with others, an org-wide window (UNSURE whether Genesys ever answers so; the
emulator's ``org_rate_limit_headers: org`` does). Those numbers stay out of the token's model (each token pacing
alone to an org-wide allowance would send it several times over): the 429 goes to the ``RateCap``, which pauses
the pool until the window ends and learns the pool's combined rate as above.

After a pause. Requests waiting for a send time when a 429 pauses their token (or the whole cap) give that time
back and take a new one after the pause, at the pace in force then: a pool resumes one request at a time on the
cap's grid instead of sending everything that waited at the instant the pause ends, a burst a server's fresh window
(an org-wide one above all) answers with 429s again. Against the emulator's org-wide limit a pool thus meets 429s
only when it first learns the limit (the requests in flight with the first one), not once per window after.

Send times are reserved at once (no await between deciding and counting), so concurrent tasks on one event
loop are served in arrival order and never double-book a slot. The clock is injectable: tests run minutes of
simulated traffic in milliseconds.

Pacing policy (``pacing=``). ``"spread"`` (the default, above) is built for replays: a long run that must never
meet a 429. ``"burst"`` is for live traffic: a live apply is a burst of three or four requests with nothing before
or after it, and spreading them (one every 0.2 s at 300/min) would spend much of an 8 s budget waiting for slots
the window has plenty of. A burst limiter learns everything a spreading one does (the window, other users of the
token, ``Retry-After`` pauses) and changes one thing: no gap between requests while the allowance minus the
reserve is not used up; once it is, it spreads like the replay policy.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal, get_args

from wrapup_bridge.core.clock import SYSTEM_CLOCK, Clock
from wrapup_bridge.genesys.timing import Deadline

__all__ = ["PACINGS", "Pacing", "RateCap", "RateLimiter", "parse_float", "rate_headers"]

_PENALTY_FLOOR = 0.5
_PENALTY_STEP = 0.8
_PENALTY_RECOVERY = 0.005
_MAX_SPEEDUP = 2.0
#: Fewer accepted answers than this before a 429 teach no rate (it would be a guess from almost nothing).
_MIN_SAMPLE = 5

#: How requests below the limit are spaced: "spread" evenly over the window (replays), or sent at once while the
#: window has room ("burst", live applies); see the module docstring.
Pacing = Literal["spread", "burst"]
PACINGS: Final[tuple[Pacing, ...]] = get_args(Pacing)

#: A point of a ``RateCap``'s grid: its origin, its spacing and the point's number on it.
_Point = tuple[float, float, int]


@dataclass(slots=True)
class _Booking:
    """A send time a limiter handed out, and what it counted for it (so the time can be given back unused)."""

    slot: float
    #: Counted in the modeled window ("window") or the next one ("next"), which ends at ``window_end``; or in none.
    counted: Literal["window", "next"] | None
    window_end: float | None
    point: _Point | None


def parse_float(value: str | bytes | None) -> float | None:
    """A header's numeric value (text, or the bytes of an answer's raw headers), or None when absent or unreadable
    (never an exception for a bad header)."""
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


#: The ``inin-ratelimit-*`` headers by the length of their name: 20 (count, reset) or 22 (allowed) characters.
_RATE_HEADERS: Final[dict[bytes, int]] = {
    b"inin-ratelimit-allowed": 0,
    b"inin-ratelimit-count": 1,
    b"inin-ratelimit-reset": 2,
}
_RATE_NAMES: Final[dict[str, int]] = {name.decode(): index for name, index in _RATE_HEADERS.items()}


def rate_headers(
    headers: Mapping[str, str] | None,
) -> tuple[str | bytes | None, str | bytes | None, str | bytes | None]:
    """An answer's ``inin-ratelimit-allowed``, ``-count`` and ``-reset`` (None for each one absent), read in one
    pass over its headers, names compared without case. ``httpx.Headers`` are read through their raw byte pairs
    (values as bytes, which ``parse_float`` reads): its ``get`` scans every header once per name asked, and its first
    lookup scans them all once more to pick their encoding; any other mapping through ``items()``. A header given
    twice counts by its last value."""
    found: list[str | bytes | None] = [None, None, None]
    if not headers:
        return None, None, None
    raw: list[tuple[bytes, bytes]] | None = getattr(headers, "raw", None)
    if raw is not None:
        for name, value in raw:
            if len(name) in (20, 22) and (index := _RATE_HEADERS.get(name.lower())) is not None:
                found[index] = value
    else:
        for key, text in headers.items():
            if len(key) in (20, 22) and (index := _RATE_NAMES.get(key.lower())) is not None:
                found[index] = text
    return found[0], found[1], found[2]


class _LearnedRate:
    """A rate learned from 429s: when the server accepted requests, and what that says it allows.

    A 429 that says how long to wait (``Retry-After``) ends a block of refusals at a known time: over the window
    before it, the server allowed what it accepted since the first of those answers, up to the block's end (exact
    when its window began with them). A 429 without a hint starts a block of unknown length: the pauses double (1 s,
    2 s, 4 s, ... up to the window) until the server accepts again, and the block's real length then teaches the
    same way. Answers in flight with the 429 that taught teach nothing more.
    """

    def __init__(self, *, window: float, safety: float, forget_after: float | None) -> None:
        self.window = window
        self.safety = safety
        self.forget_after = forget_after
        self._accepted: deque[float] = deque()
        self._since = -math.inf  # answers before this (the end of the last block) belong to an older streak
        self._paused_until = -math.inf
        self._blocked_at: float | None = None  # first 429 of a block without hints, until the server accepts again
        self._blind = 0.0  # the last pause taken without a hint
        self._learned: float | None = None  # requests per minute
        self._learned_at = 0.0

    def accepted(self, now: float) -> None:
        """The server accepted a request (any answer but a 429)."""
        if self._blocked_at is not None and now >= self._paused_until:
            self._learn(self._blocked_at, now)  # a block without hints is over: it lasted until now
            self._blocked_at, self._blind, self._since = None, 0.0, now
        self._accepted.append(now)
        while self._accepted[0] < now - self.window:
            self._accepted.popleft()

    def throttled(self, now: float, retry_after: float | None) -> float:
        """A 429 (with its ``Retry-After``, or None): learn from it; the seconds to pause."""
        if retry_after is not None:
            if now >= self._paused_until:
                self._learn(now, now + retry_after)
                self._since = now + retry_after
            self._blocked_at = None
            self._paused_until = max(self._paused_until, now + retry_after)
            return retry_after
        if now < self._paused_until:
            return self._paused_until - now  # in flight with the 429 that started this pause
        if self._blocked_at is None:
            self._blocked_at = now
        self._blind = min(self.window, 2 * self._blind) if self._blind else 1.0
        self._paused_until = now + self._blind
        return self._blind

    def _learn(self, blocked_at: float, block_end: float) -> None:
        start = max(blocked_at - self.window, self._since)
        sample = [t for t in self._accepted if start <= t <= blocked_at]
        if len(sample) >= _MIN_SAMPLE:
            self._learned = len(sample) / max(block_end - sample[0], 1e-3) * 60.0 * self.safety
            self._learned_at = block_end

    def per_minute(self, now: float) -> float | None:
        """The learned rate, or None (nothing learned, or forgotten)."""
        if self._learned is not None and self.forget_after is not None and now - self._learned_at > self.forget_after:
            self._learned = None
        return self._learned


class RateCap:
    """A ceiling on the combined rate of every limiter that shares it (the tokens of an OAuth-client pool).

    ``max_rate_per_minute`` is the configured ceiling (None: none). With ``learn``, a 429 that is not a token's own
    (see the module docstring) lowers it to what the server accepted; the learned rate is forgotten after
    ``forget_after`` seconds (None: kept). Every such 429 pauses all sharers until its ``Retry-After``. Methods take
    the sharers' ``monotonic()`` time: one cap serves limiters on one clock.
    """

    def __init__(
        self,
        *,
        max_rate_per_minute: float | None = None,
        learn: bool = True,
        safety: float = 0.97,
        window: float = 60.0,
        forget_after: float | None = 600.0,
    ) -> None:
        if max_rate_per_minute is not None and max_rate_per_minute <= 0:
            raise ValueError(f"max_rate_per_minute must be positive, got {max_rate_per_minute!r}")
        self.max_rate_per_minute = max_rate_per_minute
        self.learn = learn
        self._learned = _LearnedRate(window=window, safety=safety, forget_after=forget_after)
        # Send times are points of a grid spaced 60 / the ceiling, each handed out once: a sharer held back by its
        # own pace takes a later point and leaves the ones before it to the others (no hole is lost).
        self._origin = 0.0
        self._gap: float | None = None
        self._taken: set[int] = set()
        self._last = -math.inf
        self.paused_until = -math.inf
        #: 429s that were not a token's own, seen by any sharer.
        self.throttled = 0
        #: The allowance per window of a shared budget whose numbers a 429's headers gave (None: none seen).
        self.window_allowed: float | None = None
        #: Limiters sharing this cap (each adds itself).
        self.sharers = 0

    def per_minute(self, now: float) -> float | None:
        """The ceiling in force: the configured one, lowered by what was learned; None when there is none."""
        learned = self._learned.per_minute(now) if self.learn else None
        rates = [r for r in (self.max_rate_per_minute, learned) if r is not None]
        return min(rates) if rates else None

    def earliest(self, slot: float) -> float:
        """The first time at or after ``slot`` the cap lets a request go: after any pause, on a point of the grid
        not yet handed out."""
        slot = max(slot, self.paused_until)
        rate = self.per_minute(slot)
        if rate is None:
            return slot
        gap = self._grid(rate, slot)
        k = max(0, math.ceil((slot - self._origin) / gap - 1e-9))
        while k in self._taken:
            k += 1
        return max(self._origin + k * gap, slot)  # never before the pause, even by a rounding error

    def book(self, now: float, slot: float) -> _Point | None:
        """A request goes at ``slot`` (from ``earliest``); the point of the grid it took (None: no ceiling)."""
        rate = self.per_minute(slot)
        if rate is None:
            self._gap = None
            self._last = max(self._last, slot)
            return None
        gap = self._grid(rate, slot)
        k = round((slot - self._origin) / gap)
        self._taken.add(k)
        self._last = max(self._last, slot)
        if len(self._taken) > 256:
            past = (now - self._origin) / gap - 1
            self._taken = {k for k in self._taken if k >= past}
        return (self._origin, gap, k)

    def unbook(self, point: _Point | None) -> None:
        """Give back a point ``book`` handed out and not used (its grid may have been replaced since: then nothing)."""
        if point is not None and point[0] == self._origin and point[1] == self._gap:
            self._taken.discard(point[2])

    def _grid(self, rate: float, slot: float) -> float:
        """The grid's spacing; a new ceiling starts a new grid at the last send time handed out (or at ``slot``)."""
        gap = 60.0 / rate
        if gap != self._gap:
            self._gap = gap
            if self._last == -math.inf:
                self._origin, self._taken = slot, set()
            else:
                self._origin, self._taken = self._last, {0}
        return gap

    def accepted(self, now: float) -> None:
        self._learned.accepted(now)

    def throttle(self, now: float, retry_after: float | None, *, allowed: float | None = None) -> None:
        """A 429 that was not a token's own: pause every sharer (``Retry-After``, else doubling pauses while the
        refusals last) and learn from it. ``allowed``: the allowance of the shared window, when the 429's headers
        describe it (kept for reports: ``window_allowed``)."""
        self.throttled += 1
        if allowed is not None:
            self.window_allowed = allowed
        wait = self._learned.throttled(now, retry_after)
        self.paused_until = max(self.paused_until, now + wait)


class RateLimiter:
    """Adaptive pacing for one access token (one limiter per client); ``pacing`` picks the policy below the limit."""

    def __init__(
        self,
        *,
        rate_per_minute: float = 300.0,
        safety: float = 0.97,
        reset_slack: float = 1.0,
        clock: Clock | None = None,
        pacing: Pacing = "spread",
        max_rate_per_minute: float | None = None,
        learn_org_cap: bool = True,
        cap: RateCap | None = None,
    ) -> None:
        if pacing not in PACINGS:
            raise ValueError(f"pacing must be one of {', '.join(PACINGS)}, got {pacing!r}")
        if cap is not None and (max_rate_per_minute is not None or not learn_org_cap):
            raise ValueError("give the ceiling and the learning to the shared RateCap, not to one of its limiters")
        self.clock: Clock = clock or SYSTEM_CLOCK
        #: The ceiling shared with the pool's other limiters, or this limiter's own.
        self.cap: RateCap = cap or RateCap(max_rate_per_minute=max_rate_per_minute, learn=learn_org_cap, safety=safety)
        self.cap.sharers += 1
        self.pacing: Pacing = pacing
        self.safety = safety
        self.reset_slack = reset_slack
        # Added to the modeled window end. Zero while ``reset`` proves to be rounded up (each answer's
        # now + reset is then an upper bound of the real end, and the smallest one is tight); raised to
        # ``reset_slack`` after the first 429, which shows the server's window ends later than modeled.
        self._boundary_slack = 0.0
        self._limit: float = rate_per_minute
        self._window_len: float = 60.0
        self._headers_seen = False
        # An answer came without rate-limit headers (and none ever had them): pace only from what 429s teach.
        self._headerless = False
        self._own = _LearnedRate(window=self._window_len, safety=safety, forget_after=600.0)
        self._window_end: float | None = None  # end of the server's current window, as we model it
        self._used = 0.0  # requests counted in that window (ours reserved + the server's count)
        self._next_used = 0  # requests reserved for after the window ends
        self._next_free = 0.0  # earliest time the next request may start
        self._paused_until = 0.0
        self._penalty = 1.0
        self._pending = 0  # slots reserved whose task has not sent yet: in no server count so far
        self._inflight = 0  # sent and not answered: maybe not in the server count of an answer yet
        # Requests per second by other users of the same token: server count growth beyond our own answers.
        self._foreign_rate = 0.0
        self._foreign_acc = 0.0
        self._foreign_dt = 0.0
        self._last_count: float | None = None
        self._last_seen = 0.0
        # An answer other than a 429 came, and the allowance such answers showed: what this token's window is.
        self._answered = False
        self._own_allowed: float | None = None
        #: Counters for reports and tests.
        self.sent = 0
        self.throttled = 0

    # -- what the limiter believes -------------------------------------------------------------------------------
    @property
    def limit(self) -> float:
        """Requests allowed per window (the configured rate until the server says otherwise)."""
        return self._limit

    @property
    def base_interval(self) -> float:
        """Seconds between requests when pacing without a known window."""
        return self._window_len / (self._limit * self.safety) / self._penalty

    @property
    def headerless(self) -> bool:
        """True when answers come without rate-limit headers: the limiter then paces only from what it learns."""
        return self._headerless

    @property
    def learned_per_minute(self) -> float | None:
        """Without headers: the rate learned from the token's 429s (None: none, the pace is not limited)."""
        return self._own.per_minute(self.clock.monotonic())

    @property
    def reserve(self) -> float:
        """Slots per window left unused, for in-flight races and other users of the token."""
        return max(1.0, math.ceil(self._limit * 0.01))

    def _roll(self, now: float) -> None:
        if self._window_end is not None and now >= self._window_end:
            self._window_end = None
            self._used = float(self._next_used)
            self._next_used = 0

    def _used_at(self, when: float) -> float:
        """Requests counted in the window by ``when``: ours, plus what other users will likely have sent."""
        return self._used + self._foreign_rate * max(0.0, when - self._last_seen)

    def _has_room_at(self, slot: float) -> bool:
        """The window has allowance left at ``slot`` beyond the reserve (the burst policy's test)."""
        if self._window_end is None or slot >= self._window_end:
            # No window known yet (or the next one): a window's worth may go at once; the first answer tells.
            return self._used < self._limit * self.safety
        return self._limit - self._used_at(slot) - self.reserve > 0

    def _interval_at(self, slot: float) -> float:
        """Seconds from ``slot`` to the next send time the pacing policy allows."""
        if self._headerless:
            learned = self._own.per_minute(slot)
            return 0.0 if learned is None else 60.0 / learned / self._penalty
        if self.pacing == "burst" and self._has_room_at(slot):
            return 0.0
        return self._spread_interval_at(slot)

    def _spread_interval_at(self, slot: float) -> float:
        base = self.base_interval
        if self._window_end is None or slot >= self._window_end:
            return base
        time_left = self._window_end - slot
        remaining = self._limit - self._used_at(slot) - self.reserve - self._foreign_rate * time_left
        if remaining <= 0:
            return time_left
        spread = time_left / remaining / self._penalty
        return max(spread, base / _MAX_SPEEDUP)

    # -- handing out send times ----------------------------------------------------------------------------------
    def reserve_slot(self, max_wait: float | None = None) -> float | None:
        """Reserve the next send time; return the seconds to wait for it, or None if that exceeds ``max_wait``.

        Nothing is reserved when None is returned, so a call that gives up does not cost anyone else a slot.
        """
        booking = self._book(max_wait)
        return None if booking is None else booking.slot - self.clock.monotonic()

    def _book(self, max_wait: float | None) -> _Booking | None:
        now = self.clock.monotonic()
        self._roll(now)
        slot = self.cap.earliest(max(now, self._next_free, self._paused_until))
        in_window = self._window_end is not None and slot < self._window_end
        if in_window and self._used_at(slot) >= self._limit - self.reserve:
            assert self._window_end is not None
            slot = self.cap.earliest(self._window_end)
            in_window = False
        if max_wait is not None and slot - now > max_wait:
            return None
        self._next_free = slot + self._interval_at(slot)
        point = self.cap.book(now, slot)
        self._pending += 1
        counted: Literal["window", "next"] | None = None
        if in_window:
            self._used += 1
            counted = "window"
        elif self._window_end is not None:
            self._next_used += 1
            counted = "next"
        elif not self._headerless:
            self._used += 1
            counted = "window"
        return _Booking(slot, counted, self._window_end, point)

    def _give_back(self, booking: _Booking) -> None:
        """A reserved send time that will not be used: uncount it (while its window is still the one modeled) and
        free its point on the cap's grid."""
        self._pending -= 1
        if booking.window_end == self._window_end:
            if booking.counted == "window":
                self._used = max(0.0, self._used - 1)
            elif booking.counted == "next":
                self._next_used = max(0, self._next_used - 1)
        self.cap.unbook(booking.point)

    async def acquire(self, deadline: Deadline | None = None) -> bool:
        """Wait for a send slot; False (and nothing reserved) when the wait would outlast ``deadline``.

        A 429 that pauses this token or the whole cap while the task waits makes its slot no good: the slot is
        given back and a new one taken after the pause, at the pace in force then (the cap's grid, this token's
        spacing). Tasks waiting through a pause thus resume one by one instead of all at once when it ends, a burst
        that a server's fresh window (an org-wide one above all) would answer with 429s again."""
        booking: _Booking | None = self._book(None if deadline is None else deadline.remaining())
        if booking is None:
            return False
        try:
            while True:
                wait = booking.slot - self.clock.monotonic()
                if wait > 0:
                    await self.clock.sleep(wait)
                if max(self._paused_until, self.cap.paused_until) <= self.clock.monotonic():
                    break
                self._give_back(booking)
                booking = self._book(None if deadline is None else deadline.remaining())
                if booking is None:
                    return False
        finally:
            if booking is not None:
                self._pending -= 1
        self._inflight += 1
        self.sent += 1
        return True

    def release(self) -> None:
        """The request that ``acquire`` admitted has finished (answered or failed)."""
        self._inflight = max(0, self._inflight - 1)

    # -- learning from answers -----------------------------------------------------------------------------------
    def observe(self, status: int, headers: Mapping[str, str], retry_after: float | None = None) -> None:
        """Update the window model from an answer's ``inin-ratelimit-*`` headers and status."""
        now = self.clock.monotonic()
        self._roll(now)
        allowed_text, count_text, reset_text = rate_headers(headers)
        allowed = parse_float(allowed_text)
        count = parse_float(count_text)
        reset = parse_float(reset_text)
        if status == 429 and self._shared_budget(now, allowed, count, reset):
            # The headers describe a budget every sharer of the cap spends (an org-wide window): it is the cap's
            # to keep, not this token's window, so they stay out of the token's model.
            self.throttled += 1
            wait = retry_after if retry_after is not None else (reset + self.reset_slack if reset is not None else None)
            self.cap.throttle(now, wait, allowed=allowed)
            return
        if status != 429:
            self._answered = True
            if allowed is not None:
                self._own_allowed = allowed
        if allowed is not None and allowed >= 1:
            self._limit = allowed
        if reset is not None:
            self._adopt_window(now, reset, count)
        elif allowed is None and not self._headers_seen and (status < 400 or status == 429):
            self._go_headerless(now)
        if status == 429:
            self.throttled += 1
            if self._headerless:  # the only limit a server without headers shows
                wait = self._own.throttled(now, retry_after)
            elif retry_after is not None:
                wait = retry_after
            else:
                wait = reset + self.reset_slack if reset is not None else 1.0
            self._paused_until = max(self._paused_until, now + wait)
            self._penalty = max(_PENALTY_FLOOR, self._penalty * _PENALTY_STEP)
            if count is not None and count >= self._limit:
                # The window really is full (a 429 without a count is some other throttle, e.g. a burst
                # limit): the model ended the previous window too early, so allow for rounding from now on.
                self._boundary_slack = self.reset_slack
            elif not self._headerless and self._budget_left(now, count):
                self.cap.throttle(now, retry_after)
        else:
            if self._headerless:
                self._own.accepted(now)
            if self.cap.learn:
                self.cap.accepted(now)
            if status < 400:
                self._penalty = min(1.0, self._penalty + _PENALTY_RECOVERY)

    def _shared_budget(self, now: float, allowed: float | None, count: float | None, reset: float | None) -> bool:
        """A 429 whose headers show a full window that is not this token's: one the token's own answers never
        described (they carried no rate-limit headers, or another allowance) or, for a token sharing its cap, one
        whose count is past what the token itself can have spent of its window and that ends elsewhere. Such a
        window is a budget shared with others (UNSURE: no public source shows Genesys answering with an org-wide
        window; the emulator's ``org_rate_limit_headers: org`` does)."""
        if allowed is None or count is None or count < allowed or not self._answered:
            return False
        if self._own_allowed is None or allowed != self._own_allowed:
            return True
        if self.cap.sharers < 2 or reset is None or self._window_end is None or now >= self._window_end:
            return False
        tolerance = min(max(2 * self.reset_slack, 1.0), self._window_len / 2)
        spent = (self._last_count or 0.0) + self._inflight + self._pending
        return count > spent + 1 and abs(now + reset - self._window_end) > tolerance

    def _go_headerless(self, now: float) -> None:
        if not self._headerless:
            self._headerless = True
            self._next_free = min(self._next_free, now)  # the assumed pace before the first answer is over

    def _budget_left(self, now: float, count: float | None) -> bool:
        """A 429's headers (or, without a count, the modeled window) say the token had budget left."""
        if count is not None:
            return count < self._limit
        return self._window_end is None or now >= self._window_end or self._used_at(now) < self._limit

    def _adopt_window(self, now: float, reset: float, count: float | None) -> None:
        if not self._headers_seen:
            self._headers_seen = True
            self._headerless = False
            self._window_len = max(reset, 1.0)
        else:
            self._window_len = max(self._window_len, reset)
        end = now + reset + self._boundary_slack
        tolerance = min(max(2 * self.reset_slack, 1.0), self._window_len / 2)
        # Besides this answer, requests in flight may not be in ``count`` yet, and reserved ones cannot be.
        unseen = max(0, self._inflight - 1) + self._pending
        server_used = (count or 0.0) + unseen
        if self._window_end is None or end > self._window_end + tolerance:
            # A window we had not seen: the server's count is the truth, plus what it cannot have seen yet.
            self._window_end = end
            self._used = server_used
            self._next_used = 0
            self._foreign_acc = self._foreign_dt = 0.0
        elif end >= self._window_end - tolerance:
            # The same window: other users of the token show up as a count above ours.
            self._used = max(self._used, server_used)
            self._window_end = min(self._window_end, end)
            self._learn_foreign_rate(now, count)
        else:
            return  # an answer from a window that has already ended; it says nothing about the current one
        self._last_count = count
        self._last_seen = now

    def _learn_foreign_rate(self, now: float, count: float | None) -> None:
        if count is None or self._last_count is None:
            return
        # Each answer of ours accounts for one step of the count; the rest is someone else's. Over many
        # answers this sums exactly to their requests, so single negative steps (reordering) are kept.
        self._foreign_acc += count - self._last_count - 1
        self._foreign_dt += now - self._last_seen
        if self._foreign_dt >= 1.0:
            sample = max(0.0, self._foreign_acc / self._foreign_dt)
            self._foreign_rate = 0.7 * self._foreign_rate + 0.3 * sample
            self._foreign_acc = self._foreign_dt = 0.0
