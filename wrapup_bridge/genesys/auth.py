"""OAuth client credentials: one cached access token, renewed before it expires and once on a 401.

Genesys's SDK renews tokens only for the code grant; with client credentials a 401 simply surfaces (reference
§6.2). Here the token is renewed ``token_margin`` seconds before ``expires_in`` runs out, and once more when
the API answers 401 anyway (revoked, clock skew); a second 401 is a real ``AuthenticationError``. Renewal is
single-flight: concurrent callers that find the token stale wait for one request to the login host instead of
each sending their own. The token value is a ``SecretStr`` and never appears in reprs, logs or errors; logs name
the OAuth client by its id (not a secret), which tells the clients of a pool apart (``genesys.pool``).
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import SecretStr

from wrapup_bridge.core.clock import Clock
from wrapup_bridge.genesys.errors import AuthenticationError
from wrapup_bridge.genesys.ratelimit import parse_float
from wrapup_bridge.genesys.settings import GenesysSettings
from wrapup_bridge.genesys.timing import Deadline

__all__ = ["TOKEN_PATH", "AccessToken", "TokenFetcher", "TokenProvider"]

logger = logging.getLogger("wrapup_bridge.genesys.auth")

TOKEN_PATH = "/oauth/token"

#: Posts the token form to the login host and returns the parsed JSON of a 2xx answer; raises a typed
#: ``GenesysError`` otherwise (the HTTP client provides it, with its retries and time budget).
TokenFetcher = Callable[[str, dict[str, str], str, Deadline], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class AccessToken:
    """A bearer token and when to stop using it; prints as redacted."""

    value: SecretStr = field(repr=False)
    renew_at: float
    expires_at: float
    generation: int

    def __repr__(self) -> str:
        return f"AccessToken(<redacted>, generation={self.generation})"

    __str__ = __repr__

    def bearer(self) -> str:
        return f"Bearer {self.value.get_secret_value()}"


class TokenProvider:
    """Hands out a valid access token for the settings' OAuth client; prints without the secret or the token."""

    def __init__(self, settings: GenesysSettings, fetch: TokenFetcher, clock: Clock) -> None:
        self._settings = settings
        self._fetch = fetch
        self._clock = clock
        self._token: AccessToken | None = None
        self._lock = asyncio.Lock()
        self._generation = 0
        #: How many tokens were fetched (for tests and diagnostics).
        self.fetches = 0

    def __repr__(self) -> str:
        return f"TokenProvider(client {self._settings.client_id!r}, {self._token!r})"

    def _basic(self) -> str:
        raw = f"{self._settings.client_id}:{self._settings.client_secret.get_secret_value()}"
        return "Basic " + base64.b64encode(raw.encode()).decode("ascii")

    def _fresh(self, token: AccessToken | None) -> bool:
        return token is not None and self._clock.monotonic() < token.renew_at

    async def get(self, deadline: Deadline) -> AccessToken:
        """The cached token if it is not due for renewal, else a new one."""
        token = self._token
        if token is not None and self._fresh(token):
            return token
        return await self.renew(token, deadline)

    async def renew(self, stale: AccessToken | None, deadline: Deadline) -> AccessToken:
        """Replace ``stale`` (the token a caller saw fail or expire) unless another caller already did."""
        async with self._lock:
            current = self._token
            replaced = current is not None and (stale is None or current.generation != stale.generation)
            if replaced and self._fresh(current):
                assert current is not None
                return current
            self._token = await self._request(deadline)
            return self._token

    def invalidate(self) -> None:
        """Forget the cached token (the next call fetches a new one)."""
        self._token = None

    async def _request(self, deadline: Deadline) -> AccessToken:
        url = f"{self._settings.region.login_base}{TOKEN_PATH}"
        started = self._clock.monotonic()
        body = await self._fetch(url, {"grant_type": "client_credentials"}, self._basic(), deadline)
        self.fetches += 1
        value = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(value, str) or not value:
            raise AuthenticationError(
                status=200,
                code="no.access_token",
                message="the token response has no access_token",
                body={k: v for k, v in body.items() if k != "access_token"} if isinstance(body, dict) else None,
                method="POST",
                path=TOKEN_PATH,
                host=self._settings.region.login_host,
            )
        expires_in = parse_float(str(body.get("expires_in"))) if body.get("expires_in") is not None else None
        lifetime = expires_in if expires_in else self._settings.default_token_lifetime
        margin = min(self._settings.token_margin, lifetime / 5)
        self._generation += 1
        logger.info(
            "fetched an access token for OAuth client %s from %s (lifetime %.0f s%s)",
            self._settings.client_id,
            self._settings.region.login_host,
            lifetime,
            "" if expires_in else ", assumed: no expires_in in the answer",
        )
        return AccessToken(
            value=SecretStr(value),
            renew_at=started + lifetime - margin,
            expires_at=started + lifetime,
            generation=self._generation,
        )
