"""``Emulator``: one emulated org, usable in-process (an httpx transport) or on a real socket (uvicorn).

In-process is for fast tests: no socket, no thread. ``serve()`` is for anything that needs a URL: other
processes, the official SDK, integration tests. Both reach the same state, so a test can drive the API one way
and read the write log the other.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from starlette.applications import Starlette

from wrapup_bridge.core.clock import Sleep
from wrapup_bridge.emulator.app import create_app, runtime_of
from wrapup_bridge.emulator.config import EmulatorConfig
from wrapup_bridge.emulator.errors import DroppedConnection
from wrapup_bridge.emulator.org import Org, load_org
from wrapup_bridge.emulator.runtime import Clock, Runtime, WriteRecord

if TYPE_CHECKING:
    import uvicorn

__all__ = ["Emulator", "EmulatorTransport", "HideInjectedDrops", "bind"]

_STARTUP_TIMEOUT = 10.0


class EmulatorTransport(httpx.AsyncBaseTransport):
    """httpx.ASGITransport that turns an injected dropped connection into what a client sees on a socket."""

    def __init__(self, app: Starlette) -> None:
        self._inner = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._inner.handle_async_request(request)
        except DroppedConnection as exc:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request) from exc

    async def aclose(self) -> None:
        await self._inner.aclose()


class HideInjectedDrops(logging.Filter):
    """uvicorn logs an app exception as an error; a drop injected on purpose is not one."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DroppedConnection))


class Emulator:
    """An emulated Genesys Cloud org (never presented as Genesys itself).

    ``clock`` (a ``core.clock.Clock``; the system clock by default) is the org's time: tokens expire and writes
    are stamped on its wall clock, and injected latency sleeps on it unless ``sleep`` is given, so a test on a
    fake clock neither waits nor races the real one."""

    def __init__(
        self,
        org: Org,
        config: EmulatorConfig | None = None,
        *,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        journal: str | Path | None = None,
    ) -> None:
        self.org = org
        self.app: Starlette = create_app(org, config, clock=clock, sleep=sleep)
        self.runtime: Runtime = runtime_of(self.app)
        #: Wrap-ups restored from ``journal`` (a file that keeps accepted wrap-ups across restarts), if given.
        self.restored = self.runtime.attach_journal(Path(journal)) if journal is not None else 0

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        config: EmulatorConfig | None = None,
        *,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        journal: str | Path | None = None,
    ) -> Emulator:
        """Load the org file at ``path``; without ``config``, its ``emulator:`` section (or the defaults) apply.

        ``journal`` keeps accepted wrap-ups in a file, so a restarted emulator still shows them."""
        return cls(load_org(path), config, clock=clock, sleep=sleep, journal=journal)

    @property
    def config(self) -> EmulatorConfig:
        return self.runtime.config

    def transport(self) -> EmulatorTransport:
        """An httpx transport into the app: no socket, for fast tests."""
        return EmulatorTransport(self.app)

    def async_client(self, **kwargs: Any) -> httpx.AsyncClient:
        """An httpx.AsyncClient on ``transport()`` with base URL http://emulator."""
        kwargs.setdefault("base_url", "http://emulator")
        return httpx.AsyncClient(transport=self.transport(), **kwargs)

    @property
    def write_log(self) -> list[WriteRecord]:
        """Every wrap-up write accepted so far (a snapshot)."""
        with self.runtime.lock:
            return list(self.runtime.write_log)

    @property
    def requests(self) -> dict[str, int]:
        """Requests per endpoint, e.g. ``{"GET /api/v2/conversations/{conversationId}": 3}`` (a snapshot)."""
        with self.runtime.lock:
            return dict(self.runtime.stats.requests)

    def stats(self) -> dict[str, Any]:
        """What GET /_emulator/stats answers: counts by endpoint and status, 429s sent, faults injected."""
        with self.runtime.lock:
            return self.runtime.stats.to_json()

    def reset(self) -> None:
        """Back to the org file's initial state (issued tokens stay valid)."""
        self.runtime.reset()

    def token_for(self, client_id: str) -> str:
        """An access token for ``client_id`` without a /oauth/token round trip (tests)."""
        return self.runtime.issue_token(self.org.directory.clients[client_id]).value

    @contextmanager
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
        """Run the app under uvicorn in a background thread; yields the base URL (login and API alike)."""
        sock, base_url = bind(host, port)
        server = self._server()
        drops = HideInjectedDrops()
        logging.getLogger("uvicorn.error").addFilter(drops)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="wrapup-emulator", daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + _STARTUP_TIMEOUT
            while not server.started:
                if not thread.is_alive() or time.monotonic() > deadline:
                    raise RuntimeError(f"the emulator did not start on {base_url}")
                time.sleep(0.01)
            yield base_url
        finally:
            server.should_exit = True
            thread.join(_STARTUP_TIMEOUT)
            sock.close()
            logging.getLogger("uvicorn.error").removeFilter(drops)

    def run(self, sock: socket.socket) -> None:
        """Serve on an already bound socket in this thread until interrupted (Ctrl-C stops cleanly)."""
        drops = HideInjectedDrops()
        logging.getLogger("uvicorn.error").addFilter(drops)
        try:
            self._server().run(sockets=[sock])
        except KeyboardInterrupt:
            # uvicorn shuts down gracefully on the first Ctrl-C, then re-raises it for the caller.
            pass
        finally:
            logging.getLogger("uvicorn.error").removeFilter(drops)

    def _server(self) -> uvicorn.Server:
        import uvicorn

        return uvicorn.Server(uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off"))


def bind(host: str, port: int) -> tuple[socket.socket, str]:
    """A listening socket on ``host:port`` (0: a free port) and the base URL that reaches it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets whose protocol says TCP, and without it every
    # answer waits ~40 ms for Nagle's algorithm.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        # Listening now (uvicorn would only do it once started) lets a client that read the printed URL
        # connect straight away: it waits in the backlog instead of being refused.
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    return sock, f"http://{shown}:{sock.getsockname()[1]}"
