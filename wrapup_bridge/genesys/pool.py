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

What each member did is counted for the replay report (``report()``, ``core.replay.clients``): requests, writes,
429s, retries, refusals, tokens. A refusal for the credentials or a permission (401 after a renewed token, 403)
names the member's OAuth client in the error (``GenesysAPIError.oauth_client``, in its message, explanation and
``to_dict``): the pool's clients may have different roles, and "the OAuth client lacks a permission" does not say
which one to fix.

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
from wrapup_bridge.core.replay.clients import ClientTally, OrgRate, PoolReport
from wrapup_bridge.genesys.credentials import ClientCredentials
from wrapup_bridge.genesys.errors import AuthenticationError, PermissionDenied, RequestError
from wrapup_bridge.genesys.http import GenesysClient, Response
from wrapup_bridge.genesys.ratelimit import RateCap, RateLimiter
from wrapup_bridge.genesys.settings import GenesysSettings, SettingsError
from wrapup_bridge.genesys.timing import Deadline

__all__ = ["ClientPool", "ClientUsage", "pool_report", "pool_usage"]


#: What one OAuth client of a pool did (``core.replay.clients``); the name this module had for it.
ClientUsage = ClientTally


@dataclass
class _Counts:
    """One member's counts that its limiter and token provider do not keep."""

    writes: int = 0
    retries: int = 0
    refusals: int = 0


#: Methods of the calls counted as writes, unless the caller marks them idempotent (an analytics query POSTs).
_WRITES = frozenset({"POST", "PATCH"})


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
        self._counts = [_Counts() for _ in members]
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
        """``GenesysClient.request`` on the member chosen to send it (retries stay on that member). In a pool of
        several, a refusal for the credentials or a permission (``AuthenticationError``, ``PermissionDenied``) names
        the member's OAuth client (``oauth_client``, by id): the others may well have what it lacks."""
        i = self._choose() if len(self.members) > 1 else 0
        counts = self._counts[i]
        self._busy[i] += 1
        try:
            if i == 0:
                response = await super().request(
                    method, path, params=params, json=json, idempotent=idempotent, budget=budget
                )
            else:
                response = await self.members[i].request(
                    method, path, params=params, json=json, idempotent=idempotent, budget=budget
                )
        except RequestError as exc:
            counts.retries += exc.attempts - 1
            if isinstance(exc, AuthenticationError | PermissionDenied):
                counts.refusals += 1
                if len(self.members) > 1 and exc.oauth_client is None:
                    raise exc._replace(oauth_client=self.members[i].settings.client_id) from None
            raise
        finally:
            self._busy[i] -= 1
        counts.retries += response.attempts - 1
        if idempotent is not True and method.upper() in _WRITES:
            counts.writes += 1
        return response

    # -- reporting -----------------------------------------------------------------------------------------------
    def usage(self) -> list[ClientTally]:
        """Each member's requests, writes, 429s, retries, refusals, tokens and share of the pool's requests."""
        total = sum(m.limiter.sent for m in self.members)
        return [
            ClientTally(
                client_id=m.settings.client_id,
                source=source,
                requests=m.limiter.sent,
                writes=counts.writes,
                throttled=m.limiter.throttled,
                retries=counts.retries,
                refusals=counts.refusals,
                tokens=m.auth.fetches,
                share=m.limiter.sent / total if total else 0.0,
            )
            for m, source, counts in zip(self.members, self.sources, self._counts, strict=True)
        ]

    def org_rate(self) -> dict[str, Any]:
        """The org-wide ceiling (``core.replay.clients.OrgRate``) as a dict."""
        return self._org_rate().to_dict()

    def _org_rate(self) -> OrgRate:
        return OrgRate(
            configured_per_minute=self.cap.max_rate_per_minute,
            per_minute_now=self.cap.per_minute(self.clock.monotonic()),
            learning=self.cap.learn,
            org_429s=self.cap.throttled,
            window_allowed=self.cap.window_allowed,
        )

    def report(self) -> PoolReport:
        """The per-client section of a replay report: every member (``usage``) and the org-wide ceiling."""
        return PoolReport(tuple(self.usage()), self._org_rate())


def pool_report(client: GenesysClient) -> PoolReport | None:
    """The per-client section of a replay report for ``client``; None for a client that is not a pool."""
    return client.report() if isinstance(client, ClientPool) else None


def pool_usage(client: GenesysClient) -> dict[str, Any] | None:
    """``pool_report`` as a dict (``{"clients": [...], "org_rate": {...}}``), for JSON reports; None for a client
    that is not a pool."""
    report = pool_report(client)
    return report.to_dict() if report is not None else None
