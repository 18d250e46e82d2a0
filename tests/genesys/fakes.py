"""Test doubles for the Genesys client: a fake clock (wrapup_bridge.testing's, from 1000 s) and a scripted Genesys
behind httpx.MockTransport.

The fake Genesys answers with Genesys's own envelope (``message``, ``code``, ``status``, ``messageParams``,
``contextId``) and headers (``ININ-Correlation-Id``, ``inin-ratelimit-*``, ``Retry-After``), issues tokens at
``/oauth/token`` after checking Basic auth, and refuses expired or unknown bearer tokens with 401.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from pydantic import SecretStr

from wrapup_bridge import testing
from wrapup_bridge.genesys.http import GenesysClient
from wrapup_bridge.genesys.regions import resolve_region
from wrapup_bridge.genesys.settings import GenesysSettings

T = TypeVar("T")

CLIENT_ID = "test-client-id"
CLIENT_SECRET = "s3cr3t-DO-NOT-LEAK"
BASE = "http://genesys.test"
CID = "c0ffee00-0000-4000-8000-000000000021"
PID = "3e0b8a5c-7a55-4b0e-9a47-1b2f0c6f2a11"
COMM = "0f9b6c7e-1d2e-4f3a-8b4c-5d6e7f8a9b0c"
RESOLVED = "50a74cff-026f-4c84-aa8f-f5f8d837115f"
WRAPUP_PATH = f"/api/v2/conversations/calls/{CID}/participants/{PID}/communications/{COMM}/wrapup"


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


class FakeClock(testing.FakeClock):
    """Time that passes only when someone sleeps (or a test advances it); every sleep is recorded."""

    def __init__(self, start: float = 1000.0) -> None:
        super().__init__(start)


def envelope(
    status: int, code: str, message: str, params: Mapping[str, str] | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "message": message,
        "code": code,
        "status": status,
        "messageParams": dict(params or {}),
        "contextId": "ctx-7f3e2a",
        "details": [],
        "errors": [],
        **extra,
    }


_corr = itertools.count(1)


def answer(
    status: int = 200,
    body: Any = None,
    *,
    headers: Mapping[str, str] | None = None,
    correlation_id: str | None = None,
) -> httpx.Response:
    """A Genesys-like answer with a correlation id (and a JSON body when ``body`` is given)."""
    all_headers = {"ININ-Correlation-Id": correlation_id or f"corr-{next(_corr):04d}", **(headers or {})}
    if body is None:
        return httpx.Response(status, headers=all_headers)
    return httpx.Response(status, headers=all_headers, content=json.dumps(body).encode(), extensions={})


def error(status: int, code: str, message: str, params: Mapping[str, str] | None = None, **kw: Any) -> httpx.Response:
    headers = {"Content-Type": "application/json", **kw.pop("headers", {})}
    return answer(status, envelope(status, code, message, params), headers=headers, **kw)


Step = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


@dataclass
class FakeGenesys:
    """Scripted answers per (method, path); the last step of a script repeats."""

    clock: FakeClock
    token_lifetime: float | None = 3600.0
    scripts: dict[tuple[str, str], list[Step]] = field(default_factory=dict)
    default: Callable[[httpx.Request], httpx.Response] | None = None
    requests: list[httpx.Request] = field(default_factory=list)
    tokens: dict[str, float] = field(default_factory=dict)  # token -> expiry (fake clock)
    token_script: list[Step] = field(default_factory=list)
    revoked: set[str] = field(default_factory=set)

    def script(self, method: str, path: str, *steps: Step) -> None:
        self.scripts[(method.upper(), path)] = list(steps)

    def calls(self, method: str | None = None, path: str | None = None) -> list[httpx.Request]:
        return [
            r for r in self.requests if (method is None or r.method == method) and (path is None or r.url.path == path)
        ]

    def _next(self, steps: list[Step], request: httpx.Request) -> httpx.Response:
        step = steps.pop(0) if len(steps) > 1 else steps[0]
        if isinstance(step, Exception):
            raise step
        if isinstance(step, httpx.Response):
            return step
        return step(request)

    def issue_token(self, request: httpx.Request) -> httpx.Response:
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return answer(400, {"error": "invalid_client", "description": "client not found"})
        if request.content != b"grant_type=client_credentials":
            return answer(400, {"error": "unsupported_grant_type"})
        token = f"tok-{len(self.tokens) + 1}"
        self.tokens[token] = self.clock.monotonic() + (self.token_lifetime or 86400.0)
        body: dict[str, Any] = {"access_token": token, "token_type": "bearer"}
        if self.token_lifetime is not None:
            body["expires_in"] = self.token_lifetime
        return answer(200, body)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/oauth/token":
            if self.token_script:
                return self._next(self.token_script, request)
            return self.issue_token(request)
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        expiry = self.tokens.get(bearer)
        if expiry is None or bearer in self.revoked or self.clock.monotonic() >= expiry:
            return error(
                401, "authentication.required", "No authentication bearer token specified in authorization header."
            )
        steps = self.scripts.get((request.method, request.url.path))
        if steps:
            return self._next(steps, request)
        if self.default is not None:
            return self.default(request)
        return error(404, "not.found", f"The requested resource [{request.url.path}] was not found.")

    async def async_handler(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0)  # a real server makes the caller yield; concurrency tests rely on it
        return self.handler(request)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.async_handler)


def settings(**overrides: Any) -> GenesysSettings:
    return GenesysSettings(
        client_id=CLIENT_ID, client_secret=SecretStr(CLIENT_SECRET), region=resolve_region(BASE), **overrides
    )


def make_client(fake: FakeGenesys, **overrides: Any) -> GenesysClient:
    import random

    return GenesysClient(settings(**overrides), transport=fake.transport(), clock=fake.clock, rng=random.Random(7))
