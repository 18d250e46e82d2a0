"""The webhook app under uvicorn, with the limits uvicorn lacks against slow and greedy clients.

A webhook endpoint on the internet meets clients that connect and send nothing, send their headers a byte at a
time (slowloris), or trickle a body. uvicorn alone holds all of those open for ever: its ``timeout_keep_alive``
only covers the idle time *between* requests and is reset by every byte received (``_unset_keepalive_if_required``
is the first thing ``data_received`` does in ``uvicorn/protocols/http/h11_impl.py``), and a connection that never
sends a byte is never timed out at all (Kludex/uvicorn pull request #1192). The same root cause, and the same
remedy (a protocol subclass with a deadline), are described in xorbitsai/inference pull request #5213. Its
``limit_concurrency`` answers 503 only once a request head has arrived, so the slow connections keep their
slots (uvicorn's "Server Behavior" and "Settings" docs; discussion encode/uvicorn#1817).

So ``serve`` runs uvicorn with:

- ``GuardedH11Protocol``, uvicorn's own h11 protocol plus: a **head deadline** (``header_timeout``, from the
  connection's first moment, or from the first byte of a kept-alive connection's next request, to the end of
  the request head; then 408 and close; a connection that sent nothing is just closed), and a **connection
  limit** (``max_connections``: one connection more is answered 503 and closed at once, so slow clients cannot
  exhaust file descriptors). h11 is uvicorn's required parser; httptools, when installed, would otherwise be
  picked and has no such hooks here.
- ``timeout_keep_alive`` (uvicorn's own) for idle kept-alive connections, and h11's 16 KiB bound on a request head
  (``h11_max_incomplete_event_size``: a head still incomplete past 16 KiB is answered 400 by uvicorn; one that
  arrives whole in a single read is parsed, so a head is bounded by that plus one socket read).
- the **body deadline** lives in the app (``webhook.create_app(body_timeout=...)``), so it holds under any ASGI
  server; the app also answers ``Connection: close`` whenever it has not read the whole body, so a refused
  client cannot keep trickling one.

Every closed connection is one log line (``wrapup_bridge.live.webhook``), never a traceback. Same spirit as
Apache's ``mod_reqtimeout`` (408 when the head or the body is late) and Go's ``http.Server.ReadHeaderTimeout``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from typing import Any, ClassVar

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from wrapup_bridge.live.defaults import (
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_HEADER_TIMEOUT,
    DEFAULT_KEEP_ALIVE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
)

__all__ = ["MAX_HEAD_BYTES", "GuardedH11Protocol", "ServerLimits", "uvicorn_config"]

logger = logging.getLogger("wrapup_bridge.live.webhook")

#: Largest request head (request line and headers) accepted; h11's own default, made explicit.
MAX_HEAD_BYTES = 16 * 1024
#: A refused connection is logged at most this often (with the count since the last line), so a flood of
#: connections cannot flood the log.
_REFUSAL_LOG_EVERY = 10.0


@dataclass(frozen=True)
class ServerLimits:
    """How long a client may take and how many may be connected at once (seconds, connections)."""

    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    keep_alive_timeout: int = DEFAULT_KEEP_ALIVE_TIMEOUT
    max_connections: int = DEFAULT_MAX_CONNECTIONS

    def __post_init__(self) -> None:
        for name in ("header_timeout", "body_timeout", "keep_alive_timeout"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)!r}")
        if self.max_connections < 1:
            raise ValueError(f"max_connections must be at least 1, got {self.max_connections!r}")


def _canned(status: int, reason: str, message: str, extra: str = "") -> bytes:
    """A whole HTTP/1.1 answer, written straight to the socket (no request has been parsed to answer through h11)."""
    body = json.dumps({"error": message, "field": None}).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n"
        f"connection: close\r\n{extra}\r\n"
    )
    return head.encode("latin-1") + body


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a request-head deadline and a connection limit; see the module docstring.

    ``limits`` is set on the subclass ``uvicorn_config`` makes, one per server.
    """

    limits: ClassVar[ServerLimits] = ServerLimits()
    _refused_since_log: ClassVar[int] = 0
    _refusal_logged_at: ClassVar[float] = float("-inf")

    def __init__(
        self,
        config: uvicorn.Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_bytes = 0
        self._refused = False

    # -- the connection limit -------------------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if len(self.connections) >= self.limits.max_connections:
            self._refused = True
            self.transport = transport
            message = f"the server has {self.limits.max_connections} connections open, its limit; retry shortly"
            transport.write(_canned(503, "Service Unavailable", message, "retry-after: 1\r\n"))
            transport.close()
            self._log_refusal(self.loop)
            return
        super().connection_made(transport)
        self._arm_head_timer()

    @classmethod
    def _log_refusal(cls, loop: asyncio.AbstractEventLoop) -> None:
        """The first refusal is logged at once; those that follow within ``_REFUSAL_LOG_EVERY`` are counted and
        logged together when it has passed."""
        cls._refused_since_log += 1
        wait = cls._refusal_logged_at + _REFUSAL_LOG_EVERY - time.monotonic()
        if wait <= 0:
            cls._flush_refusals()
        elif cls._refused_since_log == 1:
            loop.call_later(wait, cls._flush_refusals)

    @classmethod
    def _flush_refusals(cls) -> None:
        if cls._refused_since_log:
            logger.warning(
                "refused %d connection(s) over the limit of %d open connections (answered 503)",
                cls._refused_since_log,
                cls.limits.max_connections,
            )
        cls._refused_since_log = 0
        cls._refusal_logged_at = time.monotonic()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        if self._refused:
            return
        super().connection_lost(exc)

    # -- the head deadline ----------------------------------------------------------------------------------------
    def _waiting_for_head(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self.limits.header_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._waiting_for_head():
            if self._head_timer is None:  # the first byte of the next request on a kept-alive connection
                self._arm_head_timer()
            self._head_bytes += len(data)
        super().data_received(data)
        if not self._waiting_for_head():
            self._cancel_head_timer()
            self._head_bytes = 0

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # A pipelined request already partly received: its head is under the deadline from now on.
        if self._waiting_for_head() and self._head_timer is None and self.conn.trailing_data[0]:
            self._arm_head_timer()

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport is None or self.transport.is_closing() or not self._waiting_for_head():
            return
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "a client"
        timeout = self.limits.header_timeout
        if self._head_bytes:
            logger.warning(
                "%s sent %d byte(s) but no complete request head within %g s: answered 408, connection closed",
                client,
                self._head_bytes,
                timeout,
            )
            message = f"the request head did not arrive within {timeout:g} s"
            self.transport.write(_canned(408, "Request Timeout", message))
        else:
            logger.info("%s sent nothing for %g s: connection closed", client, timeout)
        self.transport.close()


def uvicorn_config(app: Any, limits: ServerLimits | None = None, **options: Any) -> uvicorn.Config:
    """A ``uvicorn.Config`` serving ``app`` under ``limits`` with ``GuardedH11Protocol``; ``options`` go to uvicorn
    (``log_level``, ``lifespan`` ...). The app's own body deadline is ``create_app(body_timeout=...)``."""
    limits = limits or ServerLimits()
    protocol = type("GuardedH11Protocol", (GuardedH11Protocol,), {"limits": limits})
    settings: dict[str, Any] = {
        "access_log": False,  # it prints query strings, where a Five9 secret may travel
        "proxy_headers": False,
        "server_header": False,
        "lifespan": "on",
        "ws": "none",
        **options,
    }
    return uvicorn.Config(
        app,
        http=protocol,
        timeout_keep_alive=limits.keep_alive_timeout,
        h11_max_incomplete_event_size=MAX_HEAD_BYTES,
        **settings,
    )
