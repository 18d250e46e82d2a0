"""The per-client section of a replay report: what each OAuth client of a pool did in one run.

A replay may send with several OAuth clients of one org (``genesys.pool``), each with its own token and rate limit.
Whoever runs it wants to see them one by one: that every client worked (its share), that none met 429s (its limiter
paced it), how often its requests were sent again, and which one Genesys refused for its credentials or roles. This
is that section as plain data, so the library's ``ApplyReport`` carries it as the CLI's report does; the pool fills
it (``genesys.pool.ClientPool.report``). Clients are named by id and by where they were configured, never by secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["ClientTally", "OrgRate", "PoolReport"]


@dataclass(frozen=True)
class ClientTally:
    """What one OAuth client did: ``requests`` it sent (retries included), ``writes`` Genesys accepted from it (the
    wrap-up POSTs and PATCHes), ``throttled`` answers 429, ``retries`` (requests sent again after an attempt failed:
    a 429, a 5xx, a dropped connection), ``refusals`` (requests refused for its credentials or permissions: 401 after
    a renewed token, 403), the access ``tokens`` it fetched, and its ``share`` of the pool's requests."""

    client_id: str
    source: str = ""
    requests: int = 0
    writes: int = 0
    throttled: int = 0
    retries: int = 0
    refusals: int = 0
    tokens: int = 0
    share: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "source": self.source,
            "requests": self.requests,
            "writes": self.writes,
            "throttled": self.throttled,
            "retries": self.retries,
            "refusals": self.refusals,
            "tokens": self.tokens,
            "share": round(self.share, 4),
        }


@dataclass(frozen=True)
class OrgRate:
    """The pool's org-wide ceiling: ``configured_per_minute`` (None: none), ``per_minute_now`` (configured or learned
    from 429s that were not a token's own; None: none), whether it ``learning``, those 429s (``org_429s``), and
    ``window_allowed``, the allowance of a shared window whose numbers such a 429's headers gave (None: none did)."""

    configured_per_minute: float | None = None
    per_minute_now: float | None = None
    learning: bool = True
    org_429s: int = 0
    window_allowed: float | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "configured_per_minute": self.configured_per_minute,
            "per_minute_now": round(self.per_minute_now, 1) if self.per_minute_now is not None else None,
            "learning": self.learning,
            "org_429s": self.org_429s,
        }
        if self.window_allowed is not None:
            data["window_allowed"] = self.window_allowed
        return data


@dataclass(frozen=True)
class PoolReport:
    """Every OAuth client of the run, in the pool's order (the first is the one plans record), and the org-wide
    ceiling."""

    clients: tuple[ClientTally, ...]
    org_rate: OrgRate

    @property
    def refused(self) -> tuple[ClientTally, ...]:
        """The clients Genesys refused at least once for their credentials or permissions."""
        return tuple(c for c in self.clients if c.refusals)

    def to_dict(self) -> dict[str, Any]:
        return {"clients": [c.to_dict() for c in self.clients], "org_rate": self.org_rate.to_dict()}
