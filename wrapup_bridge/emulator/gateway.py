"""What every /api/v2 call goes through before and after its handler, as Genesys's API gateway would do it.

In order: injected latency, authentication (401), the rate limits (emulator.limits: the token's window, then the
org's when switched on; 429 with ``inin-ratelimit-*`` and Retry-After), injected faults (429 bursts, 5xx, dropped
connections), the body's content type (415 ``unsupported.media.type``: every operation documents it), permissions
(403), then the handler.
Every answer carries ``ININ-Correlation-Id``, and every error is an ErrorBody whose ``contextId`` is that id.
Endpoints are plain ASGI callables so a dropped connection can be produced at the protocol level.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qs

from starlette.requests import ClientDisconnect, Request
from starlette.types import Receive, Scope, Send

from wrapup_bridge.emulator.errors import ApiError, DroppedConnection, oauth_error_body
from wrapup_bridge.emulator.faults import FaultDraw
from wrapup_bridge.emulator.runtime import Runtime, Token, WriteRecord

__all__ = ["ApiEndpoint", "Call", "Handler", "Permissions", "TokenEndpoint", "send_json"]

#: The stats status recorded for a call whose connection was dropped on purpose.
DROPPED_STATUS = 0
#: The stats status recorded for a call whose client disconnected before sending its whole body.
CLIENT_GONE_STATUS = 499


@dataclass(frozen=True)
class Permissions:
    """An endpoint's permission requirement, as the SDK docs state it ("Requires ANY/ALL permissions")."""

    kind: Literal["ANY", "ALL"]
    names: tuple[str, ...]


@dataclass
class Call:
    """One authenticated /api/v2 call, as a handler sees it."""

    request: Request
    runtime: Runtime
    token: Token
    params: dict[str, str]
    correlation_id: str
    endpoint: str
    #: Writes this call applied; marked ``dropped`` if the connection is then dropped.
    writes: list[WriteRecord] = field(default_factory=list)

    @property
    def path(self) -> str:
        return str(self.request.url.path)

    @property
    def method(self) -> str:
        return str(self.request.method)

    async def json_body(self) -> Any:
        """The JSON request body; None when there is none."""
        raw = await self.request.body()
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(
                400,
                "bad.request",
                f"The request could not be understood by the server due to malformed syntax: {exc}",
            ) from exc


Handler = Callable[[Call], Awaitable[tuple[int, Any]]]


async def send_json(send: Send, status: int, body: Any, headers: list[tuple[bytes, bytes]]) -> None:
    """Send one complete response; ``body`` None means no body (202 Accepted)."""
    payload = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
    out = [*headers, (b"content-length", str(len(payload)).encode())]
    if body is not None:
        out.append((b"content-type", b"application/json"))
    await send({"type": "http.response.start", "status": status, "headers": out})
    await send({"type": "http.response.body", "body": payload})


def _has_permission(granted: frozenset[str], needed: str) -> bool:
    if needed in granted:
        return True
    parts = needed.split(":")
    for perm in granted:
        if "*" in perm:
            have = perm.split(":")
            if len(have) == len(parts) and all(h in ("*", p) for h, p in zip(have, parts, strict=True)):
                return True
    return False


class ApiEndpoint:
    """One Genesys endpoint (method + path template), wrapped in the gateway behaviour."""

    def __init__(
        self, runtime: Runtime, method: str, template: str, handler: Handler, permissions: Permissions | None
    ) -> None:
        self.runtime = runtime
        self.key = f"{method} {template}"
        self.handler = handler
        self.permissions = permissions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rt = self.runtime
        correlation_id = str(uuid.uuid4())
        headers: list[tuple[bytes, bytes]] = [(b"inin-correlation-id", correlation_id.encode())]
        with rt.lock:
            draw = rt.faults.next()
        if draw.delay_seconds > 0:
            rt.stats.faults["latency"] += 1
            await rt.sleep(draw.delay_seconds)
        request = Request(scope, receive)
        token: Token | None = None
        try:
            token = self._authenticate(request)
            headers.extend(self._rate_limit(token))
            self._inject(draw)
            _check_content_type(request)
            call = Call(request, rt, token, dict(scope.get("path_params", {})), correlation_id, self.key)
            if draw.drop:
                await self._drop(call, draw, send)
            self._authorize(token)
            status, body = await self.handler(call)
        except ApiError as err:
            status, body = err.status, err.body(correlation_id)
            headers.extend((k.lower().encode(), v.encode()) for k, v in err.headers.items())
        except ClientDisconnect:
            # The client went away before its body arrived (a killed replay, a timeout): nobody to answer.
            with rt.lock:
                rt.stats.count(self.key, CLIENT_GONE_STATUS, token)
            return
        with rt.lock:
            rt.stats.count(self.key, status, token)
        await send_json(send, status, body, headers)

    def _authenticate(self, request: Request) -> Token:
        rt = self.runtime
        header = request.headers.get("authorization")
        if not header:
            raise ApiError(
                401, "authentication.required", "No authentication bearer token specified in authorization header."
            )
        scheme, _, value = header.partition(" ")
        token = rt.tokens.get(value.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            raise ApiError(401, "bad.credentials", "Invalid login credentials.")
        if rt.time() >= token.expires_at:
            code = rt.config.expired_token_code
            message = "Invalid login credentials." if code == "bad.credentials" else "The access token has expired."
            raise ApiError(401, code, message)
        return token

    def _rate_limit(self, token: Token) -> list[tuple[bytes, bytes]]:
        rt = self.runtime
        with rt.lock:
            return rt.limits.admit(token.value, rt.time(), rt.stats.rate_limited)

    def _inject(self, draw: FaultDraw) -> None:
        stats = self.runtime.stats
        if draw.burst:
            stats.faults["429"] += 1
            headers = {} if draw.burst_retry_after is None else {"Retry-After": str(draw.burst_retry_after)}
            code = "too.many.requests" if draw.burst_retry_after is None else "too.many.requests.retry.after"
            raise ApiError(429, code, "Rate limit exceeded the maximum requests (injected burst)", headers=headers)
        if draw.error_status == 500:
            stats.faults["500"] += 1
            raise ApiError(500, "internal.server.error", "The server encountered an unexpected condition.")
        if draw.error_status == 503:
            stats.faults["503"] += 1
            raise ApiError(503, "service.unavailable", "Service Unavailable")

    async def _drop(self, call: Call, draw: FaultDraw, send: Send) -> None:
        """Drop the connection, having processed the call first when the draw says so; never returns."""
        rt = self.runtime
        if draw.processed_before_drop:
            try:
                self._authorize(call.token)
                await self.handler(call)
            except ApiError:
                pass
        with rt.lock:
            for record in call.writes:
                record.dropped = True
            rt.stats.faults["drop"] += 1
            rt.stats.count(self.key, DROPPED_STATUS, call.token)
        # A response that announces a body and never sends it: the server then closes the connection, so
        # the client sees a protocol error (under uvicorn and through Emulator.transport() alike).
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", b"64"), (b"content-type", b"application/json")],
            }
        )
        raise DroppedConnection(f"{self.key}: connection dropped on purpose (fault injection)")

    def _authorize(self, token: Token) -> None:
        required = self.permissions
        if required is None:
            return
        granted = token.client.permissions
        missing = [name for name in required.names if not _has_permission(granted, name)]
        if required.kind == "ALL" and missing:
            listed = ", ".join(missing)
            raise ApiError(
                403,
                "missing.permissions",
                f"Unable to perform the requested action. You are missing the following permission(s): [{listed}]",
                params={"permissions": listed},
            )
        if required.kind == "ANY" and len(missing) == len(required.names):
            listed = ", ".join(missing)
            if len(missing) == 1:
                raise ApiError(
                    403,
                    "missing.permissions",
                    f"Unable to perform the requested action. You are missing the following permission(s): [{listed}]",
                    params={"permissions": listed},
                )
            raise ApiError(
                403,
                "missing.any.permissions",
                "Unable to perform the requested action. You must have at least one of the following permissions "
                f"assigned: [{listed}]",
                params={"permissions": listed},
            )


_UNSUPPORTED_MEDIA_TYPE = (
    "Unsupported Media Type - Unsupported or incorrect media type, such as an incorrect Content-Type value in the "
    "header."
)


def _check_content_type(request: Request) -> None:
    """A request with a body must say it is JSON (``application/json``, any charset)."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    length = request.headers.get("content-length")
    if length in (None, "0") and "transfer-encoding" not in request.headers:
        return
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise ApiError(415, "unsupported.media.type", _UNSUPPORTED_MEDIA_TYPE)


class OAuthError(Exception):
    """A refused token request, answered in OAuth's shape rather than Genesys's ErrorBody.

    Deliberately not a ``WrapupBridgeError``: caught by the token endpoint and sent as the HTTP answer; a client
    meets it as an ``AuthenticationError``, never as this."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"{status} {error}: {description}")
        self.status = status
        self.error = error
        self.description = description


class TokenEndpoint:
    """POST /oauth/token with the client-credentials grant (Basic auth, form grant_type=client_credentials)."""

    key = "POST /oauth/token"

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rt = self.runtime
        correlation_id = str(uuid.uuid4())
        headers = [(b"inin-correlation-id", correlation_id.encode())]
        request = Request(scope, receive)
        try:
            status, body = 200, await self._token(request)
        except OAuthError as err:
            status, body = err.status, oauth_error_body(err.error, err.description)
        with rt.lock:
            rt.stats.count(self.key, status)
        await send_json(send, status, body, headers)

    async def _token(self, request: Request) -> dict[str, Any]:
        rt = self.runtime
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        grant = form.get("grant_type", [""])[0]
        if grant != "client_credentials":
            raise OAuthError(
                400,
                "unsupported_grant_type",
                f"grant type {grant!r} is not supported (the emulator: client_credentials)",
            )
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        try:
            client_id, sep, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            client_id, sep, secret = "", "", ""
        client = rt.directory.clients.get(client_id) if scheme.lower() == "basic" and sep else None
        status = rt.config.token_error_status
        if client is None:
            raise OAuthError(status, "invalid_client", "client not found")
        if not _same(secret, client.client_secret):
            raise OAuthError(status, "invalid_client", "authentication failed")
        token = rt.issue_token(client)
        return {
            "access_token": token.value,
            "token_type": "bearer",
            "expires_in": round(token.expires_at - token.issued_at),
        }


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
