"""A lean HTTP/1.1 transport for the Genesys client: kept-alive connections over asyncio streams.

Why hand-written. The team's rule is that a well-kept library beats hand-written code; this module is kept because
it was measured against the libraries in one run and gains enough. A replay is a few thousand small requests a
minute per OAuth client, and against the emulator (or with a pool of clients) the client's own CPU bounds it; issue
14 asks for at most 1 ms of client CPU per applied write. httpx stays the client (its ``Request``/``Response``,
headers, cookies, timeouts, errors): only the layer under it is this module. Measured (2 shared cores, busy with
other work: CPU time and its ratios count, wall time does not; interleaved rounds, best of 3 each)::

    PYTHONPATH=/tmp/aioprobe .venv/bin/python benchmarks/transport.py --records 2000 --passes 3 \\
        --requests 2000 --import-runs 11          # /tmp/aioprobe: pip install --no-deps --target ... httpx-aiohttp

    transport (under httpx)          replay apply, CPU/write   GETs, CPU/request   cold start: own modules, import
    httpx's own (httpcore/h11/anyio)  1.30 ms (2.69x lean)      1.01 ms (2.62x)     +69 modules, 36 ms
    lean (this module)                0.48 ms                   0.39 ms             +2 modules (certifi), 0.4 ms
    aiohttp (httpx-aiohttp 0.2.0)     0.73 ms (1.51x lean)      0.56 ms (1.46x)     +92 modules, 166 ms

Three such runs on the same day gave httpx's own 2.2x-2.7x lean's CPU per write and aiohttp 1.4x-1.5x
(``benchmarks/replay.py --only a --transport both`` gives the first ratio alone: 2.48x). So httpx's own transport
misses the 1 ms target on its own; aiohttp meets it but costs 1.5x the CPU, about 0.1-0.2 s more cold start in a
serverless function (92 modules), a new dependency, and its glue (httpx-aiohttp 0.2.0) reports a connection the
server closed after reading a write as ``ConnectTimeout``, which the client's retry rule reads as "never sent" and
would write again: it would need glue of our own anyway. Anyone can fall back without code, for a proxy that is not
in the environment, a server this transport cannot read, or to compare: ``WRAPUP_BRIDGE_HTTP_TRANSPORT=httpx``.

Which transport (``transport_choice``, ``default_transport``): ``WRAPUP_BRIDGE_HTTP_TRANSPORT`` = ``lean`` or
``httpx`` (any case; unset or empty: the default); by default lean, or httpx's own when a proxy is configured
(``HTTP_PROXY``/``HTTPS_PROXY``/``ALL_PROXY``, as ``urllib.request.getproxies`` reads them: httpx honours them, this
module does not). The variable is read with the other settings (``services.settings``, the one reader of the
environment, into ``GenesysSettings.http_transport``): any other value is a ``SettingsError`` naming it when the
settings are read; ``lean`` with a proxy configured is one when the client is built.

What it does: HTTP/1.1 (what httpx speaks without HTTP/2), a pool of kept-alive connections per origin, reused only
when idle for less than ``keepalive_expiry`` and nothing came from the server past its last answer (no end seen by
the loop, no FIN, RST or byte still in the socket, as httpcore checks, and no unread byte in the reader: bytes sent
behind an answer or while idle are never read as the next answer; ``opened`` counts the connections made, so reuse
can be checked); ``Content-Length``, chunked and read-to-close bodies; interim 1xx answers skipped; ``Connection:
close`` honoured, the server's and the request's; streamed request bodies read, then sent chunked; TLS with httpx's
default SSL context (certifi, or ``SSL_CERT_FILE``/``SSL_CERT_DIR``); header blocks up to ``MAX_HEADER_BYTES``;
per-request timeouts from the request's ``timeout`` extension (connect, TLS handshake included; write; read: the
whole answer is read within the read timeout, where httpx's own times each read). Content-Encoding is left to
httpx's ``Response``.

What it does not: proxies, HTTP/2, upgrades.

Errors are httpx's, with the meaning the client's retry rule (``http.py``) relies on: ``ConnectError`` and
``ConnectTimeout`` only when no byte of the request left; anything after that (``WriteError``, ``WriteTimeout``,
``ReadError``, ``ReadTimeout``, ``RemoteProtocolError``) may have reached the server, so a write that meets one is
ambiguous. Nothing is ever sent twice here: a connection found dead before sending is replaced before any byte
leaves; one that dies after the request left raises (a kept-alive connection the server closed as the request
arrived included), and only the client decides, by method, whether to try again.
"""

from __future__ import annotations

import asyncio
import select
import ssl
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, SupportsIndex, cast
from urllib.request import getproxies

import httpx

from wrapup_bridge.genesys.settings import TRANSPORT_VARIABLE, TRANSPORTS, SettingsError

__all__ = ["TRANSPORTS", "TRANSPORT_VARIABLE", "LeanTransport", "default_transport", "transport_choice"]

#: Seconds an idle connection is kept for reuse (httpx's default keep-alive expiry).
KEEPALIVE_EXPIRY = 5.0
#: Idle connections kept per origin.
MAX_IDLE = 32
#: The largest header block read (a response with more is a protocol error).
MAX_HEADER_BYTES = 64 << 10
_HEAD_END = b"\r\n\r\n"
_CRLF = b"\r\n"


def transport_choice(choice: str | None = None, proxies: Mapping[str, str] | None = None) -> str:
    """``"lean"`` or ``"httpx"``: ``choice`` (``GenesysSettings.http_transport``, from ``WRAPUP_BRIDGE_HTTP_TRANSPORT``;
    None or empty: the default), else ``"httpx"`` when a proxy is configured (``proxies``:
    ``urllib.request.getproxies()`` by default, what httpx itself reads: its transport honours them, this one does
    not), else ``"lean"``. An unknown value, or ``lean`` with a proxy configured, raises ``SettingsError`` naming
    the variable."""
    found = getproxies() if proxies is None else proxies
    proxied = [scheme for scheme in ("http", "https", "all") if found.get(scheme)]
    value = (choice or "").strip().lower()
    if value and value not in TRANSPORTS:
        raise SettingsError(
            f"{TRANSPORT_VARIABLE}={value!r} is not a transport: use one of {', '.join(TRANSPORTS)} "
            f"(or leave it unset for the default)"
        )
    if value == "lean" and proxied:
        raise SettingsError(
            f"{TRANSPORT_VARIABLE}=lean cannot go through the proxy configured for {', '.join(proxied)} "
            f"(*_PROXY variables): set {TRANSPORT_VARIABLE}=httpx, or leave it unset, to use httpx's own transport"
        )
    return value or ("httpx" if proxied else "lean")


def default_transport(choice: str | None = None, proxies: Mapping[str, str] | None = None) -> LeanTransport | None:
    """The transport the Genesys client uses when none is given (see ``transport_choice``): a ``LeanTransport``,
    or None for httpx's own."""
    return LeanTransport() if transport_choice(choice, proxies) == "lean" else None


class _Reader(asyncio.StreamReader):
    """A ``StreamReader`` that counts the bytes it was given and the bytes read from it, so it can tell whether bytes
    nobody asked for wait in its buffer (the loop reads a socket eagerly: bytes a server sent past its answer, or
    while the connection was idle, sit here, no longer in the socket)."""

    fed = 0
    taken = 0

    def feed_data(self, data: Iterable[SupportsIndex]) -> None:
        self.fed += len(cast(bytes, data))  # the protocol feeds what the socket gave: bytes
        super().feed_data(data)

    async def until(self, separator: bytes) -> bytes:
        data = await self.readuntil(separator)
        self.taken += len(data)
        return data

    async def exactly(self, n: int) -> bytes:
        data = await self.readexactly(n)
        self.taken += n
        return data

    async def rest(self) -> bytes:
        data = await self.read()
        self.taken += len(data)
        return data

    def unread(self) -> bool:
        return self.fed != self.taken


def _socket_readable(writer: asyncio.StreamWriter) -> bool:
    """Whether the connection's socket has something to read right now: on an idle connection only an end (FIN,
    RST) or bytes nobody asked for, that the event loop has not read yet (httpcore's ``is_socket_readable``, which
    httpx's own transport checks before reusing a connection). A socket that cannot be asked counts as readable."""
    sock = writer.get_extra_info("socket")
    fileno = sock.fileno() if sock is not None else -1
    if fileno < 0:
        return True
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(fileno, select.POLLIN)
        return bool(poller.poll(0))
    return bool(select.select([fileno], [], [], 0)[0])  # pragma: no cover - no poll (Windows)


class _Connection:
    __slots__ = ("idle_since", "reader", "writer")

    def __init__(self, reader: _Reader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.idle_since = 0.0

    def reusable(self, now: float, expiry: float) -> bool:
        """Idle for less than ``expiry``, and nothing came from the server past its last answer: no end (seen by the
        loop or still in the socket), no error, no byte."""
        return (
            now - self.idle_since < expiry
            and not self.reader.unread()
            and not self.writer.is_closing()
            and not self.reader.at_eof()
            and not self.reader.exception()
            and not _socket_readable(self.writer)
        )

    def close(self) -> None:
        self.writer.close()


class LeanTransport(httpx.AsyncBaseTransport):
    """``httpx.AsyncBaseTransport`` over asyncio streams (see the module)."""

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        keepalive_expiry: float = KEEPALIVE_EXPIRY,
        max_idle: int = MAX_IDLE,
    ) -> None:
        self._ssl = ssl_context
        self.keepalive_expiry = keepalive_expiry
        self.max_idle = max_idle
        self._idle: dict[tuple[bytes, str, int], list[_Connection]] = {}
        self._closed = False
        #: Connections opened so far (a client that reuses its connections opens about as many as it has in flight).
        self.opened = 0

    # -- httpx.AsyncBaseTransport ---------------------------------------------------------------------------------
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise httpx.ConnectError("the transport is closed", request=request)
        url = request.url
        scheme = url.raw_scheme
        if scheme not in (b"http", b"https"):
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {url.scheme!r}", request=request)
        origin = (scheme, url.host, url.port or (443 if scheme == b"https" else 80))
        timeouts = request.extensions.get("timeout") or {}
        body = await request.aread()
        if _has_token(request.headers.get("transfer-encoding"), "chunked"):
            body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body) if body else b"0\r\n\r\n"  # a streamed body
        connection = self._reuse(origin) or await self._open(origin, timeouts.get("connect"), request)
        try:
            with _errors(request, httpx.WriteError, httpx.WriteTimeout):
                async with asyncio.timeout(timeouts.get("write")):
                    connection.writer.write(_head(request, body))
                    await connection.writer.drain()
            with _errors(request, httpx.ReadError, httpx.ReadTimeout):
                async with asyncio.timeout(timeouts.get("read")):
                    response, keep = await _read_response(connection.reader, request)
        except BaseException:
            connection.close()  # half a request or half an answer: the connection is in no known state
            raise
        if keep and not self._closed and not _has_token(request.headers.get("connection"), "close"):
            self._park(origin, connection)
        else:
            connection.close()
        return response

    async def aclose(self) -> None:
        self._closed = True
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()

    # -- the pool --------------------------------------------------------------------------------------------------
    def _reuse(self, origin: tuple[bytes, str, int]) -> _Connection | None:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if connection.reusable(now, self.keepalive_expiry):
                return connection
            connection.close()
        return None

    def _park(self, origin: tuple[bytes, str, int], connection: _Connection) -> None:
        idle = self._idle.setdefault(origin, [])
        if len(idle) >= self.max_idle:
            connection.close()
            return
        connection.idle_since = time.monotonic()
        idle.append(connection)

    async def _open(self, origin: tuple[bytes, str, int], timeout: float | None, request: httpx.Request) -> _Connection:
        scheme, host, port = origin
        context = None
        if scheme == b"https":
            if self._ssl is None:
                self._ssl = httpx.create_ssl_context()
            context = self._ssl
        loop = asyncio.get_running_loop()
        reader = _Reader(limit=MAX_HEADER_BYTES, loop=loop)
        protocol = asyncio.StreamReaderProtocol(reader, loop=loop)
        with _errors(request, httpx.ConnectError, httpx.ConnectTimeout):
            async with asyncio.timeout(timeout):  # asyncio.open_connection's steps, with a reader of ours
                transport, _ = await loop.create_connection(
                    lambda: protocol, host, port, ssl=context, server_hostname=host if context else None
                )
        self.opened += 1
        return _Connection(reader, asyncio.StreamWriter(transport, protocol, reader, loop))


@contextmanager
def _errors(
    request: httpx.Request, error: type[httpx.TransportError], timeout: type[httpx.TimeoutException]
) -> Iterator[None]:
    """OS, TLS and stream errors as the httpx error of this phase (timeouts as its timeout)."""
    try:
        yield
    except TimeoutError as exc:
        raise timeout(str(exc) or f"{timeout.__name__}: no progress in time", request=request) from exc
    except httpx.TransportError:
        raise
    except asyncio.IncompleteReadError as exc:
        raise httpx.RemoteProtocolError(
            "Server disconnected without sending a response." if not exc.partial else "Server disconnected mid-answer.",
            request=request,
        ) from exc
    except OSError as exc:  # ssl.SSLError too (a certificate refused is one, and a ValueError as well: first)
        raise error(f"{type(exc).__name__}: {exc}", request=request) from exc
    except (asyncio.LimitOverrunError, ValueError) as exc:
        raise httpx.RemoteProtocolError(f"not an HTTP/1.1 answer: {exc}", request=request) from exc


def _has_token(value: str | None, token: str) -> bool:
    """Whether a comma-separated header value names ``token`` (any case)."""
    return value is not None and any(part.strip().lower() == token for part in value.split(","))


def _head(request: httpx.Request, body: bytes) -> bytes:
    """The request line, headers and body, as sent."""
    parts = [request.method.encode("ascii"), b" ", request.url.raw_path, b" HTTP/1.1\r\n"]
    for name, value in request.headers.raw:
        parts += (name, b": ", value, _CRLF)
    parts.append(_CRLF)
    parts.append(body)
    return b"".join(parts)


async def _read_response(reader: _Reader, request: httpx.Request) -> tuple[httpx.Response, bool]:
    """One answer: the response, and whether its connection may carry another request."""
    while True:
        head = await reader.until(_HEAD_END)
        lines = head[:-4].split(_CRLF)
        version, _, rest = lines[0].partition(b" ")
        code, _, reason = rest.partition(b" ")
        status = int(code)
        if not version.startswith(b"HTTP/1.") or not 100 <= status <= 999:
            raise ValueError(f"status line {lines[0][:80]!r}")
        if status >= 200 or status == 101:
            break  # else an interim answer (100 Continue, 103 Early Hints): the real one follows
    headers: list[tuple[bytes, bytes]] = []
    length: int | None = None
    chunked = False
    close = version == b"HTTP/1.0"
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon:
            raise ValueError(f"header line {line[:80]!r}")
        value = value.strip()
        headers.append((name, value))
        lowered = name.lower()
        if lowered == b"content-length":
            length = int(value)
        elif lowered == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif lowered == b"connection":
            tokens = value.lower()
            close = b"close" in tokens or (close and b"keep-alive" not in tokens)
    if request.method == "HEAD" or status in (204, 304) or status < 200:
        content = b""
    elif chunked:
        content = await _chunked(reader)
    elif length is not None:
        content = await reader.exactly(length)
    else:
        content = await reader.rest()  # no length: the body ends when the server closes
        close = True
    extensions: dict[str, Any] = {"http_version": version, "reason_phrase": reason}
    stream = httpx.ByteStream(content)  # the client reads it (and undoes any Content-Encoding), headers as sent
    response = httpx.Response(status, headers=headers, stream=stream, request=request, extensions=extensions)
    return response, not close


async def _chunked(reader: _Reader) -> bytes:
    chunks: list[bytes] = []
    while True:
        size = int((await reader.until(_CRLF)).split(b";", 1)[0].strip(), 16)
        if size == 0:
            while (await reader.until(_CRLF)) != _CRLF:  # trailers, if any, up to the blank line
                pass
            return b"".join(chunks)
        chunks.append(await reader.exactly(size))
        if await reader.exactly(2) != _CRLF:
            raise ValueError("a chunk not followed by CRLF")
