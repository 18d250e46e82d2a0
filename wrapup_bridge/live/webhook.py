"""The webhook service: an ASGI (Starlette) app that puts a ``Bridge`` behind the disposition endpoints.

``create_app`` only adapts HTTP to ``endpoints.Endpoints`` (where every decision about a request is made, shared
with the Lambda handler): it streams the body under the size limit, works out the URL the caller used (what
Twilio signed), and optionally runs a background drainer that retries queued outbox rows as they fall due.

The URL for signatures: behind a proxy or load balancer the app sees its own scheme and host, not the public
URL Twilio called, so signatures would never match. Pass ``public_url`` (the base the routes live under, e.g.
``https://hooks.example.com/bridge``), or ``trust_forwarded=True`` to take the scheme and host from
``X-Forwarded-Proto`` / ``X-Forwarded-Host`` (only when a trusted proxy sets them: anyone can send them).

Slow and vanishing clients: the whole body must arrive within ``body_timeout`` seconds of the request head (else
408, ``Connection: close``); a client that goes away mid-body is one log line, never a traceback; any answer
given before the whole body was read (a refusal, 413, 408) closes the connection, so a refused client cannot keep
it by trickling the rest. The request head's deadline and the connection limit are the server's business
(``live.server``, which ``wrapup-bridge serve`` uses).

Nothing here logs headers, query strings or bodies: the Five9 secret may travel in the query string, and
uvicorn's access log (which prints it) is switched off by ``wrapup-bridge serve``. Answers never show a
filesystem path (the outbox's is in the server log; callers get the outbox row id).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from wrapup_bridge.live.defaults import DEFAULT_BODY_TIMEOUT
from wrapup_bridge.live.endpoints import DEFAULT_MAX_BODY, Endpoints, Incoming, Reply, public_target, request_url
from wrapup_bridge.live.errors import OutboxError

if TYPE_CHECKING:
    from wrapup_bridge.live.bridge import Bridge

__all__ = ["create_app"]

logger = logging.getLogger("wrapup_bridge.live.webhook")

_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _respond(reply: Reply, *, close: bool = False) -> Response:
    headers = reply.all_headers()
    if close:  # the body was not read to its end: what is left of it must not hold the connection
        headers["Connection"] = "close"
    return Response(reply.content(), status_code=reply.status, headers=headers)


class _Body:
    """The request body as it is read: its bytes so far."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.size = 0


def _may_have_body(headers: dict[str, str]) -> bool:
    return headers.get("content-length", "0").strip() != "0" or "transfer-encoding" in headers


async def _read_body(request: Request, limit: int, body: _Body) -> bool:
    """Read the body into ``body``; False as soon as it grows past ``limit`` (a missing or lying Content-Length
    is no way round)."""
    async for chunk in request.stream():
        body.size += len(chunk)
        if body.size > limit:
            return False
        body.chunks.append(chunk)
    return True


def _client(request: Request) -> str:
    client = request.scope.get("client")
    return f"{client[0]}:{client[1]}" if client else "a client"


def _first(value: str | None) -> str | None:
    return value.split(",", 1)[0].strip() or None if value else None


def create_app(
    bridge: Bridge,
    *,
    public_url: str | None = None,
    twilio_auth_token: str | None = None,
    five9_secret: str | None = None,
    api_token: str | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY,
    trust_forwarded: bool = False,
    twilio_shared_key: str | None = None,
    drain_interval: float | None = None,
    close_bridge: bool = False,
    body_timeout: float | None = DEFAULT_BODY_TIMEOUT,
) -> Starlette:
    """The ASGI app; see the module docstring. Endpoints whose secret is None are off (404).

    ``drain_interval`` (seconds) runs a drainer for due outbox rows while the app is up (lifespan); with
    ``close_bridge`` the app closes the bridge on shutdown. ``body_timeout`` (seconds from the request head to
    the end of the body; None: no limit) answers a body that arrives too slowly with 408.
    """
    if body_timeout is not None and not body_timeout > 0:
        raise ValueError(f"body_timeout must be positive, got {body_timeout!r}")
    endpoints = Endpoints(
        twilio_auth_token=twilio_auth_token,
        twilio_shared_key=twilio_shared_key,
        five9_secret=five9_secret,
        api_token=api_token,
        max_body_bytes=max_body_bytes,
        about={"target": public_target(bridge)},
    )

    async def handle(request: Request) -> Response:
        scope = request.scope
        path: str = scope["path"]
        method: str = scope["method"]
        headers = {key.lower(): value for key, value in request.headers.items()}
        raw_query = scope.get("query_string", b"").decode("latin-1")
        query = parse_qs(raw_query, keep_blank_values=True)
        refused = endpoints.precheck(method, path, headers, query)
        if refused is not None:
            return _respond(refused, close=_may_have_body(headers))
        body = _Body()
        try:
            async with asyncio.timeout(body_timeout):
                within_limit = await _read_body(request, endpoints.max_body_bytes, body)
        except TimeoutError:
            logger.warning(
                "%s %s from %s -> 408: the body did not arrive within %g s (%d byte(s) received)",
                method,
                path,
                _client(request),
                body_timeout,
                body.size,
            )
            message = f"the body did not arrive within {body_timeout:g} s"
            return _respond(Reply(408, {"error": message, "field": "body"}), close=True)
        except ClientDisconnect:
            logger.info(
                "%s %s: %s went away after %d byte(s) of the body; nothing done",
                method,
                path,
                _client(request),
                body.size,
            )
            return Response(status_code=400)  # nobody is there to read it
        if not within_limit:
            return _respond(endpoints.too_large(), close=True)
        scheme, host = scope.get("scheme", "http"), headers.get("host", "")
        if trust_forwarded:
            scheme = _first(headers.get("x-forwarded-proto")) or scheme
            host = _first(headers.get("x-forwarded-host")) or host
        incoming = Incoming(
            method=method,
            path=path,
            url=request_url(public_url, scheme, host, path, raw_query),
            headers=headers,
            query=query,
            body=b"".join(body.chunks),
        )
        try:
            reply = await endpoints.ahandle(bridge, incoming)
        except Exception:
            logger.exception("%s %s -> 500: unexpected error", method, path)
            reply = Reply(500, {"error": "internal error; the server log has the details", "field": None})
        return _respond(reply)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        drainer = None
        if drain_interval and bridge.outbox is not None:
            drainer = asyncio.create_task(_drain_forever(bridge, drain_interval), name="wrapup-bridge-drainer")
        try:
            yield
        finally:
            if drainer is not None:
                drainer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await drainer
            if close_bridge:
                await asyncio.to_thread(bridge.close)

    app = Starlette(routes=[Route("/{rest:path}", handle, methods=_METHODS)], lifespan=lifespan)
    app.state.bridge = bridge
    app.state.endpoints = endpoints
    return app


async def _drain_forever(bridge: Bridge, interval: float) -> None:
    """Deliver due outbox rows every ``interval`` seconds until cancelled; a failed round is logged, not fatal."""
    while True:
        await asyncio.sleep(interval)
        try:
            report = await bridge.adrain(due_only=True)
        except OutboxError as exc:  # the file is locked, full or gone: one line, not a traceback every round
            logger.error("background drain failed: %s; trying again in %g s", exc, interval)
            continue
        except Exception:
            logger.exception("background drain failed; trying again in %g s", interval)
            continue
        if report.claimed:
            logger.info("background drain: %d row(s): %s", report.claimed, _states(report.states))


def _states(states: dict[str, int]) -> str:
    return ", ".join(f"{n} {state}" for state, n in sorted(states.items()))
