"""Several OAuth clients of one org working as one client: a replay at the sum of their rate limits.

Genesys limits each client-credentials token, about 300 requests per minute by default (reference §6.3): one
token replays 100,000 dispositions in about 5.5 hours. Every OAuth client of the org gets a token and a budget of
its own, so a replay with four clients goes about four times as fast.

``ClientPool`` is a ``GenesysClient`` (what every replay component takes) made of one ``GenesysClient`` per OAuth
client, each with its own access token (``auth.TokenProvider``), its own ``RateLimiter`` paced from its own token's
``inin-ratelimit-*`` headers, and its own connections. The pool is its first member, so a pool of one is a plain
client. Each request goes to the member that can send it soonest: the fewest requests waiting or in flight for its
pace (the limiter's interval), round robin among equals; the request's retries stay with that member (a 429 of its
token says when *that* token may go on).

An org-wide ceiling. Every member's limiter shares one ``ratelimit.RateCap``: configured
(``GenesysSettings.org_rate_per_minute``: the pool's requests per minute together) and, unless
``learn_org_rate`` is off, learned from 429s that come while the token's own headers show budget left (a limit
that is not the token's: Genesys documents per-token limits; whether an org-wide one exists is UNSURE, reference
§6.3 and a community answer saying the limit is per token). Such a 429 pauses the whole pool for its
``Retry-After``, and the pool paces under what the server accepted.

Nothing a request does depends on which member sent it: every member is a client of the same org (the pool
refuses members of different API bases, and the first member's identity is the pool's), so a replay's ledger,
which is per plan item, holds whichever member wrote an item, and a run resumed with another pool re-checks and
continues. Secrets stay in each member's ``SecretStr``; reprs, logs, errors and ``usage()`` name clients by id.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from wrapup_bridge.core.clock import SYSTEM_CLOCK, Clock
from wrapup_bridge.genesys.credentials import ClientCredentials
from wrapup_bridge.genesys.errors import AuthenticationError
from wrapup_bridge.genesys.http import GenesysClient, Response
from wrapup_bridge.genesys.ratelimit import RateCap, RateLimiter
from wrapup_bridge.genesys.settings import GenesysSettings, SettingsError
from wrapup_bridge.genesys.timing import Deadline

__all__ = ["ClientPool", "ClientUsage", "pool_usage"]


@dataclass(frozen=True)
class ClientUsage:
    """What one OAuth client of a pool did: requests it sent (retries included), how many were answered 429, the
    access tokens it fetched, and its share of the pool's requests. Names the client by id only."""

    client_id: str
    source: str
    requests: int
    throttled: int
    tokens: int
    share: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "source": self.source,
            "requests": self.requests,
            "throttled": self.throttled,
            "tokens": self.tokens,
            "share": round(self.share, 4),
        }


def _limiter(settings: GenesysSettings, clock: Clock, cap: RateCap) -> RateLimiter:
    return RateLimiter(
        rate_per_minute=settings.rate_per_minute,
        safety=settings.rate_safety,
        reset_slack=settings.reset_slack,
        clock=clock,
        cap=cap,
    )


class ClientPool(GenesysClient):
    """One ``GenesysClient`` per OAuth client of ``clients`` (the first is the pool itself), all on ``settings``
    but for the credentials; requests are spread over them (see the module).

    Use as ``async with ClientPool(settings, clients) as client:``; ``login()`` first checks every client's
    credentials. ``transport``, ``clock`` and ``rng`` are the seams ``GenesysClient`` has, shared by every member.
    Raises ``ValueError`` for no client, or a client listed twice.
    """

    def __init__(
        self,
        settings: GenesysSettings,
        clients: Sequence[ClientCredentials],
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        cap: RateCap | None = None,
    ) -> None:
        if not clients:
            raise ValueError("a pool needs at least one OAuth client")
        ids = [c.client_id for c in clients]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"OAuth client(s) {', '.join(twice)} listed twice in the pool")
        clock = clock or SYSTEM_CLOCK
        #: The ceiling every member's limiter shares (configured and/or learned: see the module).
        self.cap = cap or RateCap(
            max_rate_per_minute=settings.org_rate_per_minute, learn=settings.learn_org_rate, safety=settings.rate_safety
        )
        first = settings.with_client(clients[0])
        super().__init__(first, transport=transport, clock=clock, rng=rng, limiter=_limiter(first, clock, self.cap))
        others = [settings.with_client(c) for c in clients[1:]]
        members: list[GenesysClient] = [self]
        for member_settings in others:
            member = GenesysClient(
                member_settings,
                transport=transport,
                clock=clock,
                rng=rng,
                limiter=_limiter(member_settings, clock, self.cap),
            )
            member.sent = self.sent  # one count of the pool's requests by kind, whichever member sent them
            members.append(member)
        #: Every member, the pool itself first.
        self.members: tuple[GenesysClient, ...] = tuple(members)
        self.sources: tuple[str, ...] = tuple(c.source for c in clients)
        self._busy = [0] * len(members)  # requests handed to each member and not finished
        self._turn = 0

    def __repr__(self) -> str:
        return f"ClientPool({', '.join(m.settings.client_id for m in self.members)} at {self.settings.region.api_base})"

    @property
    def size(self) -> int:
        return len(self.members)

    async def aclose(self) -> None:
        try:
            for member in self.members[1:]:
                await member.aclose()
        finally:
            await super().aclose()

    async def login(self, budget: float | None = None) -> None:
        """Fetch every member's access token now (they are needed anyway), so credentials that are refused stop
        the work before it starts, named: ``SettingsError`` saying which client (by id and where it was configured)
        the login host refused. Other failures (no answer, an outage) are raised as they are."""

        async def one(index: int) -> None:
            member = self.members[index]
            try:
                await member.auth.get(Deadline(self.clock, budget if budget is not None else member.settings.budget))
            except AuthenticationError as exc:
                source = self.sources[index]
                raise SettingsError(
                    f"{source + ': ' if source else ''}OAuth client {member.settings.client_id!r} of the pool was "
                    f"refused: {exc.explain()}"
                ) from None

        await asyncio.gather(*(one(i) for i in range(len(self.members))))

    # -- dispatch ------------------------------------------------------------------------------------------------
    def _choose(self) -> int:
        """The member that can send a request soonest: the fewest requests waiting or in flight for its pace,
        round robin among equals (so equal members take turns)."""
        n = len(self.members)
        best, best_wait = self._turn, float("inf")
        for step in range(n):
            i = (self._turn + step) % n
            wait = (self._busy[i] + 1) * self.members[i].limiter.base_interval
            if wait < best_wait:
                best, best_wait = i, wait
        self._turn = (best + 1) % n
        return best

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        budget: float | None = None,
    ) -> Response:
        """``GenesysClient.request`` on the member chosen to send it (retries stay on that member)."""
        i = self._choose() if len(self.members) > 1 else 0
        self._busy[i] += 1
        try:
            if i == 0:
                return await super().request(
                    method, path, params=params, json=json, idempotent=idempotent, budget=budget
                )
            return await self.members[i].request(
                method, path, params=params, json=json, idempotent=idempotent, budget=budget
            )
        finally:
            self._busy[i] -= 1

    # -- reporting -----------------------------------------------------------------------------------------------
    def usage(self) -> list[ClientUsage]:
        """Each member's requests, 429s, tokens and share of the pool's requests (for the replay report)."""
        total = sum(m.limiter.sent for m in self.members)
        return [
            ClientUsage(
                client_id=m.settings.client_id,
                source=source,
                requests=m.limiter.sent,
                throttled=m.limiter.throttled,
                tokens=m.auth.fetches,
                share=m.limiter.sent / total if total else 0.0,
            )
            for m, source in zip(self.members, self.sources, strict=True)
        ]

    def org_rate(self) -> dict[str, Any]:
        """The org-wide ceiling: configured (requests per minute, None: none), in force now (configured or learned),
        and the 429s that were not a token's own."""
        in_force = self.cap.per_minute(self.clock.monotonic())
        return {
            "configured_per_minute": self.cap.max_rate_per_minute,
            "per_minute_now": round(in_force, 1) if in_force is not None else None,
            "learning": self.cap.learn,
            "org_429s": self.cap.throttled,
        }


def pool_usage(client: GenesysClient) -> dict[str, Any] | None:
    """The per-client section of a replay report for ``client``: its pool's members and org-wide ceiling; None for
    a client that is not a pool."""
    if not isinstance(client, ClientPool):
        return None
    return {"clients": [u.to_dict() for u in client.usage()], "org_rate": client.org_rate()}
