"""Slow, vanishing and greedy clients against the webhook server as ``wrapup-bridge serve`` runs it.

Real sockets to uvicorn on 127.0.0.1 with a 1 s head and body deadline: connections that send nothing, send their
head or body a byte at a time, or go away mid-body are closed (with a 408 where a request was under way), one log
line each, never a traceback, while ``/healthz`` keeps answering. The deadlines are checked as "closed at all"
(without them these clients would be held for ever) and "not before the deadline"; the generous upper bound is a
hang guard, not a timing target.
"""

from __future__ import annotations

import json
import logging
import select
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
import pytest

from tests.live.helpers import API_TOKEN, emulator_bridge
from wrapup_bridge.live import Bridge, create_app
from wrapup_bridge.live.server import ServerLimits
from wrapup_bridge.testing import served

TIMEOUT = 1.0
HANG_GUARD = 30.0
LIMITS = ServerLimits(header_timeout=TIMEOUT, body_timeout=TIMEOUT, keep_alive_timeout=1, max_connections=100)
HEAD = (
    "POST /v1/dispositions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
    "Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
)


def head(length: int = 1000, token: str = API_TOKEN) -> bytes:
    return HEAD.format(token=token, length=length).encode()


@pytest.fixture(scope="module")
def bridge() -> Iterator[Bridge]:
    with emulator_bridge() as bridge:
        yield bridge


@pytest.fixture(scope="module")
def base_url(bridge: Bridge) -> Iterator[str]:
    with served(create_app(bridge, api_token=API_TOKEN, body_timeout=TIMEOUT), LIMITS) as url:
        yield url


@pytest.fixture
def server_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.INFO):
        yield caplog


@dataclass
class Client:
    """One raw connection: what it sends up front, what it trickles (a byte per ``every`` seconds), what it got."""

    sock: socket.socket
    trickle: bytes = b""
    every: float = 0.2
    opened: float = field(default_factory=time.monotonic)
    received: bytes = b""
    closed_after: float | None = None
    _sent: int = 0
    _next: float = 0.0

    def poll(self, now: float) -> None:
        if self.closed_after is not None:
            return
        try:
            while select.select([self.sock], [], [], 0)[0]:
                data = self.sock.recv(65536)
                if not data:
                    self._close(now)
                    return
                self.received += data
            if self._sent < len(self.trickle) and now >= self._next:
                self.sock.send(self.trickle[self._sent : self._sent + 1])
                self._sent += 1
                self._next = now + self.every
        except OSError:  # reset by the server
            self._close(now)

    def _close(self, now: float) -> None:
        self.closed_after = now - self.opened
        self.sock.close()

    @property
    def status(self) -> int | None:
        line = self.received.split(b"\r\n", 1)[0].split()
        return int(line[1]) if len(line) > 1 else None

    def json(self) -> dict[str, object]:
        value = json.loads(self.received.split(b"\r\n\r\n", 1)[1])
        assert isinstance(value, dict)
        return value


def connect(base_url: str, first: bytes = b"", trickle: bytes = b"") -> Client:
    parts = urlsplit(base_url)
    assert parts.hostname is not None and parts.port is not None
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    if first:
        sock.sendall(first)
    return Client(sock, trickle=trickle)


def run(clients: list[Client], base_url: str | None = None) -> list[int]:
    """Poll every client until all are closed (or the hang guard), asking ``/healthz`` meanwhile; its statuses."""
    health = []
    deadline = time.monotonic() + HANG_GUARD
    next_health = time.monotonic()
    while any(c.closed_after is None for c in clients):
        now = time.monotonic()
        assert now < deadline, f"{sum(c.closed_after is None for c in clients)} connection(s) still open"
        for client in clients:
            client.poll(now)
        if base_url is not None and now >= next_health:
            health.append(httpx.get(f"{base_url}/healthz", timeout=10).status_code)
            next_health = now + 0.25
        time.sleep(0.02)
    return health


def messages(log: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [r.getMessage() for r in log.records if text in r.getMessage()]


def assert_no_traceback(log: pytest.LogCaptureFixture) -> None:
    assert not [r for r in log.records if r.exc_info], [r.getMessage() for r in log.records if r.exc_info]
    assert "Traceback" not in log.text


def test_idle_slow_head_and_slow_body_connections_are_closed(
    base_url: str, server_log: pytest.LogCaptureFixture
) -> None:
    idle = [connect(base_url) for _ in range(10)]
    slow_head = [connect(base_url, trickle=head()) for _ in range(10)]
    slow_body = [connect(base_url, head(), trickle=b" " * 1000) for _ in range(10)]
    health = run([*idle, *slow_head, *slow_body], base_url)

    assert health and set(health) == {200}  # the server kept answering meanwhile
    for client in [*idle, *slow_head, *slow_body]:
        assert client.closed_after is not None and client.closed_after >= TIMEOUT * 0.9
    # A request under way gets a 408 before the close (a client still sending may see a reset instead).
    assert {c.status for c in slow_body} <= {408, None} and 408 in {c.status for c in slow_body}
    assert all(c.received == b"" for c in idle)
    assert len(messages(server_log, "sent nothing for 1 s")) == 10
    assert len(messages(server_log, "no complete request head within 1 s")) == 10
    assert len(messages(server_log, "the body did not arrive within 1 s")) == 10
    assert_no_traceback(server_log)


def test_late_head_and_late_body_get_a_408_with_a_json_reason(base_url: str) -> None:
    late_head = connect(base_url, head()[:40])
    late_body = connect(base_url, head() + b'{"source": ')
    run([late_head, late_body])
    assert late_head.status == 408 and late_head.json()["error"] == "the request head did not arrive within 1 s"
    assert b"connection: close" in late_head.received.lower()
    assert late_body.status == 408 and late_body.json() == {
        "error": "the body did not arrive within 1 s",
        "field": "body",
    }


def test_a_client_gone_mid_body_is_one_log_line(base_url: str, server_log: pytest.LogCaptureFixture) -> None:
    for _ in range(25):
        client = connect(base_url, head() + b'{"source": "twi')
        client.sock.close()
    deadline = time.monotonic() + HANG_GUARD
    while len(messages(server_log, "went away")) < 25:
        assert time.monotonic() < deadline, messages(server_log, "went away")
        time.sleep(0.02)
    time.sleep(0.2)  # nothing more comes of them
    gone = messages(server_log, "went away")
    assert len(gone) == 25 and all(m.endswith("byte(s) of the body; nothing done") for m in gone)
    assert_no_traceback(server_log)
    assert httpx.get(f"{base_url}/healthz").status_code == 200


def test_a_refusal_before_the_body_closes_the_connection(base_url: str) -> None:
    """A refused request (403 here) is answered at once, and its unread body cannot keep the connection open."""
    refused = connect(base_url, head(token="wrong"), trickle=b" " * 1000)
    run([refused])
    assert refused.status == 403 and b"connection: close" in refused.received.lower()
    assert refused.received.count(b"HTTP/1.1 ") == 1  # closed with the answer, not by a deadline (that adds a 408)


def test_kept_alive_connections_idle_out_and_their_next_head_is_timed(base_url: str) -> None:
    get = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    idle_after = connect(base_url, get)
    slow_next = connect(base_url, get, trickle=get[:3])  # the start of a next request on the same connection
    run([idle_after, slow_next])
    assert idle_after.status == 200 and idle_after.received.count(b"HTTP/1.1 ") == 1  # closed once idle
    assert slow_next.received.startswith(b"HTTP/1.1 200")
    assert slow_next.received.count(b"HTTP/1.1 408 Request Timeout") == 1


def test_an_oversized_head_is_400_without_a_traceback(base_url: str, server_log: pytest.LogCaptureFixture) -> None:
    # h11 refuses a head still incomplete after 16 KiB (one that arrives whole in a single read may be larger).
    big = connect(base_url, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Junk: " + b"a" * 20_000, trickle=b"\r\n\r\n")
    run([big])
    assert big.status == 400
    assert_no_traceback(server_log)


def test_connections_over_the_limit_are_answered_503_and_closed(
    bridge: Bridge, server_log: pytest.LogCaptureFixture
) -> None:
    limits = ServerLimits(header_timeout=TIMEOUT, body_timeout=TIMEOUT, keep_alive_timeout=1, max_connections=5)
    with served(create_app(bridge, api_token=API_TOKEN), limits) as url:
        held = [connect(url) for _ in range(5)]
        time.sleep(0.2)  # all five are accepted before the next ones come
        over = [connect(url) for _ in range(3)]
        run(over)
        assert [c.status for c in over] == [503] * 3
        assert over[0].json()["error"].startswith("the server has 5 connections open")
        run(held)  # the held ones time out ...
        assert httpx.get(f"{url}/healthz").status_code == 200  # ... and the server takes new ones again
    # A flood of refusals is summarized, not one line each: the first at once, the rest together 10 s later (if the
    # server still runs then).
    refusals = messages(server_log, "over the limit of 5 open connections")
    assert refusals[0].startswith("refused 1 connection(s)") and len(refusals) <= 2
    assert_no_traceback(server_log)
