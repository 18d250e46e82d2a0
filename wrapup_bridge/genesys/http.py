"""The Genesys Cloud HTTP client: auth, pacing, retries inside a time budget, typed errors.

``GenesysClient`` is async, over one ``httpx.AsyncClient``: one connection pool, one token and one rate limiter
per client, all bound to the event loop it runs on. Synchronous callers should share one client on one private
loop thread (as the live ``Bridge`` does) rather than ``asyncio.run`` per call, which would pay a TLS handshake, a
token request and a cold limiter each time.

Retries. One call = one ``request()``; it may try several times, and every wait it makes (rate limiter,
``Retry-After``, backoff, token renewal) comes out of one time budget (live default 8 s; replays pass a larger
one). A wait that would end past the budget is not started: the call stops and raises what it last saw.

* Retried: 429 (``Retry-After``, else ``inin-ratelimit-reset``, else capped exponential backoff with jitter),
  408, 5xx, timeouts and dropped connections, up to ``max_attempts``.
* Writes that are not idempotent (the wrap-up POST/PATCH) are retried only when the request provably was not
  processed: it never left (connect errors, pool timeouts), or Genesys said so (429, 408, 503 with
  ``Retry-After``). A failure after the request was sent (read timeout, dropped connection, another 5xx)
  raises ``AmbiguousWrite``: the caller must re-read the participant before writing again.
* A 401 renews the token once and repeats the request; a second 401 raises ``AuthenticationError``.

Why not stamina (installed): its ``retry_context`` can take a backoff hook returning the ``Retry-After`` wait,
but (1) its ``timeout`` is checked after an attempt, not before a sleep, so it can sleep past the budget; (2)
its sleep is not injectable and its testing mode sets every wait to zero, which hides exactly what the tests
must check (that ``Retry-After`` was honoured, that backoff is capped, that the budget bounds every wait); (3)
the retry decision depends on per-request state (sent or not, idempotent or not, token already renewed)
that is plainer in a loop than threaded through a hook; (4) the rate limiter and the budget must share one
injectable clock. The loop below is short, and every branch has a test.

Logging (logger ``wrapup_bridge.genesys.http``) records method, path, status, attempt and correlation id,
never headers, bodies, tokens or secrets.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from wrapup_bridge.core.clock import SYSTEM_CLOCK, Clock
from wrapup_bridge.genesys.auth import TOKEN_PATH, AccessToken, TokenProvider
from wrapup_bridge.genesys.errors import (
    AmbiguousWrite,
    AuthenticationError,
    BudgetExceeded,
    GenesysError,
    TransportFailure,
    api_error_from_response,
)
from wrapup_bridge.genesys.paths import classify_path
from wrapup_bridge.genesys.ratelimit import RateLimiter
from wrapup_bridge.genesys.retry import Backoff, parse_retry_after, server_wait
from wrapup_bridge.genesys.settings import GenesysSettings
from wrapup_bridge.genesys.timing import Deadline
from wrapup_bridge.genesys.transport import default_transport

__all__ = ["GenesysClient", "Response"]

logger = logging.getLogger("wrapup_bridge.genesys.http")


_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Transport errors raised before any byte of the request left: always safe to retry.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError, httpx.UnsupportedProtocol)
_MIN_ATTEMPT_TIME = 0.05


@dataclass(frozen=True, slots=True)
class Response:
    """A successful answer: status, parsed JSON (None for an empty body), headers and correlation id."""

    status: int
    json: Any
    headers: httpx.Headers
    correlation_id: str | None
    attempts: int = 1


def _parse_body(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


def _sent_code(body: Any) -> str | None:
    """The wrap-up code a request body carries (WrapupInput.code or PATCH {"wrapup": {"code"}})."""
    if not isinstance(body, Mapping):
        return None
    wrapup = body.get("wrapup")
    code = wrapup.get("code") if isinstance(wrapup, Mapping) else body.get("code")
    return code if isinstance(code, str) else None


class _Cookies(httpx.Cookies):
    """The client's cookie jar, as httpx keeps it, minus the work of reading cookies from an answer that sets none.

    httpx reads every answer's cookies by wrapping it in a ``urllib`` request and an ``email`` message for
    ``http.cookiejar``, about a sixth of the client's time per request (``benchmarks/live.py``); an answer
    without ``Set-Cookie``/``Set-Cookie2`` headers gives the jar nothing (``CookieJar.make_cookies`` reads those
    two only), so it is skipped. Answers that set cookies are read exactly as before."""

    def extract_cookies(self, response: httpx.Response) -> None:
        headers = response.headers
        if "set-cookie" in headers or "set-cookie2" in headers:
            super().extract_cookies(response)


class _HTTPClient(httpx.AsyncClient):
    """``httpx.AsyncClient`` whose cookie jar is a ``_Cookies`` (through the public ``cookies`` property, which is
    how httpx itself reads and sets the jar)."""

    _jar: _Cookies

    def __init__(self, *, cookies: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cookies = cookies

    @property
    def cookies(self) -> httpx.Cookies:
        return self._jar

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        self._jar = _Cookies(cookies)


def _describe(exc: httpx.TransportError) -> str:
    text = str(exc) or "no detail"
    return f"{type(exc).__name__}: {text}"


class GenesysClient:
    """Async client for one Genesys Cloud org (one OAuth client, one token, one rate limiter).

    Use as ``async with GenesysClient(settings) as client:``. ``transport``, ``clock`` and ``rng`` are seams
    for tests (an ``httpx.MockTransport``, a fake clock, a seeded random for the jitter).
    """

    def __init__(
        self,
        settings: GenesysSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.settings = settings
        self.clock: Clock = clock or SYSTEM_CLOCK
        self._http = _HTTPClient(
            # genesys/transport.py's choice unless a test gives one: WRAPUP_BRIDGE_HTTP_TRANSPORT (lean or httpx), else
            # httpx's own with a proxy configured, else the lean one. None is httpx's own.
            transport=transport if transport is not None else default_transport(settings.http_transport),
            headers={"User-Agent": settings.effective_user_agent, "Accept": "application/json"},
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            follow_redirects=False,
        )
        self.limiter = limiter or RateLimiter(
            rate_per_minute=settings.rate_per_minute,
            safety=settings.rate_safety,
            reset_slack=settings.reset_slack,
            clock=self.clock,
        )
        self.backoff = Backoff(
            initial=settings.backoff_initial, maximum=settings.backoff_max, rng=rng or random.Random()
        )
        self.auth = TokenProvider(settings, self._fetch_token, self.clock)
        #: API requests sent, by method and kind of endpoint ("POST media-wrapup"), retries included: what a replay
        #: reports as its cost in calls.
        self.sent: Counter[str] = Counter()

    @property
    def region_is_custom(self) -> bool:
        """True when talking to an explicit base URL (the emulator), which output must not call Genesys."""
        return self.settings.region.is_custom

    async def __aenter__(self) -> GenesysClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- public API ----------------------------------------------------------------------------------------------
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
        """Send one API call with retries; raise a ``GenesysError`` subclass when it does not succeed.

        ``idempotent`` defaults to what the method implies (GET/PUT/DELETE yes, POST/PATCH no); pass True for a
        POST that only reads (an analytics query) so it is retried like a GET.
        """
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/': {path!r}")
        method = method.upper()
        if idempotent is None:
            idempotent = method in _IDEMPOTENT_METHODS
        deadline = Deadline(self.clock, budget if budget is not None else self.settings.budget)
        response, attempts = await self._exchange(
            method,
            f"{self.settings.region.api_base}{path}",
            path,
            host=self.settings.region.api_host,
            params=params,
            json=json,
            idempotent=idempotent,
            deadline=deadline,
            authorize=True,
        )
        return Response(
            status=response.status_code,
            json=_parse_body(response),
            headers=response.headers,
            correlation_id=response.headers.get("inin-correlation-id")
            or response.headers.get("genesys-correlation-id"),
            attempts=attempts,
        )

    async def get_json(self, path: str, *, params: Mapping[str, Any] | None = None, budget: float | None = None) -> Any:
        """GET ``path`` and return its parsed JSON."""
        return (await self.request("GET", path, params=params, budget=budget)).json

    async def post_json(
        self, path: str, json: Any, *, idempotent: bool = False, budget: float | None = None
    ) -> Response:
        """POST a JSON body (not retried after it was sent, unless ``idempotent``); the answer may be empty."""
        return await self.request("POST", path, json=json, idempotent=idempotent, budget=budget)

    async def patch_json(
        self, path: str, json: Any, *, idempotent: bool = False, budget: float | None = None
    ) -> Response:
        """PATCH a JSON body (not retried after it was sent, unless ``idempotent``)."""
        return await self.request("PATCH", path, json=json, idempotent=idempotent, budget=budget)

    # -- the retry loop ------------------------------------------------------------------------------------------
    async def _fetch_token(self, url: str, form: dict[str, str], basic: str, deadline: Deadline) -> Any:
        response, _ = await self._exchange(
            "POST",
            url,
            TOKEN_PATH,
            host=self.settings.region.login_host,
            form=form,
            extra_headers={"Authorization": basic},
            idempotent=True,
            deadline=deadline,
            authorize=False,
        )
        return _parse_body(response)

    def _attempt_timeout(self, deadline: Deadline) -> tuple[httpx.Timeout, float]:
        """This attempt's timeouts, cut to what is left of the budget; also the read timeout used."""
        remaining = deadline.remaining()
        read = min(self.settings.read_timeout, remaining)
        connect = min(self.settings.connect_timeout, remaining)
        return httpx.Timeout(read, connect=connect, pool=connect), read

    async def _exchange(
        self,
        method: str,
        url: str,
        path: str,
        *,
        host: str,
        idempotent: bool,
        deadline: Deadline,
        authorize: bool,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        form: dict[str, str] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> tuple[httpx.Response, int]:
        where: dict[str, Any] = {"method": method, "path": path, "host": host}
        limited = authorize  # the rate limit is per token on the API; the login host is not paced here
        last: GenesysError | None = None
        renewed = False
        attempt = 0
        while True:
            attempt += 1
            where["attempts"] = attempt
            if limited and not await self.limiter.acquire(deadline):
                raise BudgetExceeded(
                    budget=deadline.budget,
                    last_seen=self._last_seen(last, "waiting for the client-side rate limiter"),
                    last_error=last,
                    elapsed=deadline.elapsed(),
                    **where,
                )
            token: AccessToken | None = None
            try:
                headers = dict(extra_headers or {})
                if authorize:
                    token = await self.auth.get(deadline)
                    headers["Authorization"] = token.bearer()
                if deadline.remaining() < _MIN_ATTEMPT_TIME:
                    raise BudgetExceeded(
                        budget=deadline.budget,
                        last_seen=self._last_seen(last, "no time left to send the request"),
                        last_error=last,
                        elapsed=deadline.elapsed(),
                        **where,
                    )
                timeout, read_timeout = self._attempt_timeout(deadline)
                request = self._http.build_request(
                    method, url, params=params, json=json, data=form, headers=headers, timeout=timeout
                )
                if authorize:
                    self.sent[f"{method} {classify_path(path).kind.value}"] += 1
                try:
                    response = await self._http.send(request)
                except httpx.TransportError as exc:
                    cause = _describe(exc)
                    logger.debug("%s %s -> %s (attempt %d)", method, path, cause, attempt)
                    sent = not isinstance(exc, _NOT_SENT)
                    if sent and not idempotent:
                        raise AmbiguousWrite(cause=f"the connection failed ({cause})", **where) from None
                    if isinstance(exc, httpx.TimeoutException) and deadline.remaining() < _MIN_ATTEMPT_TIME:
                        raise BudgetExceeded(
                            budget=deadline.budget,
                            last_seen=f"no answer within the remaining {read_timeout:.2f} s ({cause})",
                            last_error=last,
                            elapsed=deadline.elapsed(),
                            **where,
                        ) from None
                    last = TransportFailure(f"no answer: {cause}", cause=cause, elapsed=deadline.elapsed(), **where)
                    await self._pause_or_raise(last, self.backoff.wait(attempt), deadline, attempt)
                    continue
                if limited:
                    retry_after = parse_retry_after(response.headers.get("retry-after"))
                    self.limiter.observe(response.status_code, response.headers, retry_after)
            finally:
                if limited:
                    self.limiter.release()

            status = response.status_code
            correlation_id = response.headers.get("inin-correlation-id") or response.headers.get(
                "genesys-correlation-id"
            )
            logger.debug("%s %s -> %d (attempt %d, correlation id %s)", method, path, status, attempt, correlation_id)
            if status < 400:
                return response, attempt
            body = _parse_body(response)
            if status == 401 and authorize and not renewed:
                renewed = True
                logger.info("%s %s -> 401; renewing the access token once", method, path)
                await self.auth.renew(token, deadline)
                continue
            retry_after_header = response.headers.get("retry-after")
            error = api_error_from_response(
                status=status,
                body=body,
                headers=response.headers,
                reason=response.reason_phrase,
                sent_code=_sent_code(json),
                after_refresh=renewed,
                budget=deadline.budget,
                elapsed=deadline.elapsed(),
                error_class=AuthenticationError if not authorize and status in (400, 401, 403) else None,
                retry_after=parse_retry_after(retry_after_header),
                **where,
            )
            if not self._should_retry(status, idempotent, retry_after_header is not None):
                if not idempotent and status >= 500:
                    raise AmbiguousWrite(
                        cause=f"Genesys answered {error}",
                        status=status,
                        correlation_id=correlation_id,
                        error=error,
                        **where,
                    )
                raise error
            last = error
            hinted = server_wait(response.headers, self.settings.reset_slack, rate_limited=status == 429)
            wait = hinted[0] if hinted else self.backoff.wait(attempt)
            await self._pause_or_raise(error, wait, deadline, attempt)

    @staticmethod
    def _should_retry(status: int, idempotent: bool, has_retry_after: bool) -> bool:
        if status in (408, 429):
            return True
        if status >= 500:
            return idempotent or (status == 503 and has_retry_after)
        return False

    async def _pause_or_raise(self, error: GenesysError, wait: float, deadline: Deadline, attempt: int) -> None:
        """Sleep ``wait`` before the next attempt, or raise ``error`` when attempts or budget do not allow it."""
        if attempt >= self.settings.max_attempts or not deadline.allows(wait):
            raise error  # built just before, with its elapsed time: nothing has waited since
        await self.clock.sleep(wait)

    @staticmethod
    def _last_seen(last: GenesysError | None, fallback: str) -> str:
        return f"{fallback}; before that: {last}" if last is not None else fallback
