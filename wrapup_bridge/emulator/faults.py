"""Seeded fault decisions for /api/v2 calls.

Every call draws the same number of random values whatever happens to it, so a given seed and a given
sequence of calls always produce the same faults: a flaky run can be replayed exactly.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from wrapup_bridge.emulator.config import FaultConfig

__all__ = ["FaultDraw", "FaultPlan"]


@dataclass(frozen=True)
class FaultDraw:
    """What happens to one call."""

    delay_seconds: float = 0.0
    #: A 429 from a burst, with this Retry-After (None: no header); ``burst`` says whether it applies at all.
    burst: bool = False
    burst_retry_after: int | None = None
    #: 500 or 503, or None.
    error_status: int | None = None
    drop: bool = False
    #: For a drop: whether the call is processed (a write applied) before the connection goes.
    processed_before_drop: bool = False


_NO_FAULT = FaultDraw()


class FaultPlan:
    """Decides, call by call, which faults happen."""

    def __init__(self, config: FaultConfig) -> None:
        self.config = config
        self.reset()

    def reset(self) -> None:
        """Back to the first call of the seeded sequence."""
        self._rng = random.Random(self.config.seed)
        self._calls = 0

    def next(self) -> FaultDraw:
        """The faults of the next /api/v2 call (after authentication and the rate limit)."""
        config = self.config
        if not config.active:
            return _NO_FAULT
        rng = self._rng
        jitter, error_roll, error_kind, drop_roll, processed_roll = (rng.random() for _ in range(5))
        index = self._calls
        self._calls += 1
        burst = False
        if config.burst_429 is not None:
            cycle = config.burst_429.every + config.burst_429.length
            burst = index % cycle >= config.burst_429.every
        delay = (config.latency_ms + jitter * config.latency_jitter_ms) / 1000.0
        error_status = None
        if error_roll < config.error_5xx_ratio:
            error_status = 500 if error_kind < 0.5 else 503
        drop = drop_roll < config.drop_ratio
        return FaultDraw(
            delay_seconds=delay,
            burst=burst,
            burst_retry_after=config.burst_429.retry_after_seconds if config.burst_429 else None,
            error_status=error_status,
            drop=drop,
            processed_before_drop=drop and processed_roll < config.drop_applied_ratio,
        )
