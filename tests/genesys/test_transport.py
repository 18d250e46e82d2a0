"""The lean HTTP/1.1 transport: what httpx's own gives the client, over kept-alive asyncio streams.

Against the emulator served by uvicorn (the real server the benchmarks use) and against small scripted servers for
what uvicorn never sends (chunked bodies, gzip, a close after the answer, an answer cut short, silence). Errors must
keep the meaning the client's retry rule relies on: connect errors only when nothing was sent."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import re
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cli.replay_scenario import CLIENT, make_org
from wrapup_bridge.emulator import Emulator, EmulatorConfig
from wrapup_bridge.genesys.errors import AmbiguousWrite
from wrapup_bridge.genesys.http import GenesysClient
from wrapup_bridge.genesys.settings import GenesysSettings, SettingsError
from wrapup_bridge.genesys.transport import TRANSPORT_VARIABLE, LeanTransport, default_transport, transport_choice
from wrapup_bridge.services.settings import Settings

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@contextlib.asynccontextmanager
async def scripted(handler: Handler) -> AsyncIterator[str]:
    """A loopback server running ``handler`` for each connection; its base URL."""
    connections: list[asyncio.StreamWriter] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            await handler(reader, writer)

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        for writer in connections:
            writer.close()
        server.close()


async def read_request(reader: asyncio.StreamReader) -> tuple[bytes, dict[bytes, bytes], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head[:-4].split(b"\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(b":") for line in lines[1:])}
    body = await reader.readexactly(int(headers.get(b"content-length", b"0")))
    return lines[0], headers, body


def run(coroutine: Awaitable[Any]) -> Any:
    return asyncio.run(asyncio.wait_for(coroutine, 30))  # type: ignore[arg-type]


def test_against_the_served_emulator_a_client_keeps_its_connections() -> None:
    emulator = Emulator(make_org(20), EmulatorConfig(rate_limit=None))

    async def go(base_url: str) -> tuple[int, int, list[Any]]:
        transport = LeanTransport()
        settings = GenesysSettings.from_variables(
            {"GENESYSCLOUD_OAUTHCLIENT_ID": CLIENT[0], "GENESYSCLOUD_OAUTHCLIENT_SECRET": CLIENT[1],
             "GENESYSCLOUD_API_BASE": base_url}, rate_per_minute=100_000,
        )  # fmt: skip
        async with GenesysClient(settings, transport=transport) as client:
            conversation = "5eed0000-0000-4000-8000-000000000001"

            in_flight = asyncio.Semaphore(4)

            async def one(_: int) -> Any:
                async with in_flight:
                    return await client.get_json(f"/api/v2/conversations/{conversation}")

            answers = await asyncio.gather(*(one(n) for n in range(200)))
            codes = await client.get_json("/api/v2/routing/wrapupcodes", params={"pageSize": 2})
        return transport.opened, len(answers), [answers[0]["id"], len(codes["entities"])]

    with emulator.serve() as base_url:
        opened, answered, seen = run(go(base_url))
    assert answered == 200 and seen == ["5eed0000-0000-4000-8000-000000000001", 2]
    # A token request and 201 API requests, 4 at a time: 4 connections carry them all (kept alive, reused).
    assert opened <= 4, opened
    with emulator.serve() as base_url:  # one at a time: a single connection carries every request
        transport = LeanTransport()

        async def sequential() -> None:
            async with httpx.AsyncClient(transport=transport) as client:
                for _ in range(30):
                    assert (await client.get(f"{base_url}/api/v2/routing/wrapupcodes")).status_code == 401

        run(sequential())
    assert transport.opened == 1


def test_a_write_goes_out_once_with_its_body_and_headers() -> None:
    seen: list[tuple[bytes, dict[bytes, bytes], bytes]] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            seen.append(await read_request(reader))
            writer.write(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nX-Thing: a\r\nX-Thing: b\r\n\r\n")
            await writer.drain()

    async def go() -> httpx.Response:
        async with scripted(handler) as base, httpx.AsyncClient(transport=LeanTransport()) as client:
            return await client.post(f"{base}/api/v2/x?a=1&b=%20", json={"code": "é"}, headers={"X-Y": "z"})

    response = run(go())
    assert response.status_code == 202 and response.reason_phrase == "Accepted" and response.content == b""
    assert response.headers.get_list("x-thing") == ["a", "b"] and response.http_version == "HTTP/1.1"
    [(line, headers, body)] = seen
    assert line == b"POST /api/v2/x?a=1&b=%20 HTTP/1.1"
    assert json.loads(body) == {"code": "é"} and headers[b"content-type"] == b"application/json"
    assert headers[b"host"].startswith(b"127.0.0.1:") and headers[b"x-y"] == b"z"


def test_chunked_gzip_interim_and_read_to_close_bodies() -> None:
    payload = json.dumps({"entities": list(range(300))}).encode()
    packed = gzip.compress(payload)

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            line, _, _ = await read_request(reader)
            if line.startswith(b"GET /chunked"):
                writer.write(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                             b"Content-Encoding: gzip\r\n\r\n")  # fmt: skip
                for start in range(0, len(packed), 97):
                    part = packed[start : start + 97]
                    writer.write(b"%x;ext=1\r\n%s\r\n" % (len(part), part))
                writer.write(b"0\r\nX-Trailer: t\r\n\r\n")
            else:  # no length: the body runs until the server closes
                writer.write(b"HTTP/1.1 200 OK\r\n\r\n" + payload)
                await writer.drain()
                writer.close()
                return
            await writer.drain()

    async def go() -> tuple[Any, Any, Any, Any, int]:
        transport = LeanTransport()
        async with scripted(handler) as base, httpx.AsyncClient(transport=transport) as client:
            chunked = (await client.get(f"{base}/chunked")).json()
            again = (await client.get(f"{base}/chunked")).json()  # the same connection, after a chunked body
            to_close = (await client.get(f"{base}/close")).json()
            after = (await client.get(f"{base}/chunked")).json()  # a new connection: the last one was closed
        return chunked, again, to_close, after, transport.opened

    chunked, again, to_close, after, opened = run(go())
    assert chunked == again == to_close == after == {"entities": list(range(300))}
    assert opened == 2


def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
        await writer.drain()
        writer.close()  # an idle keep-alive connection timed out by the server, without Connection: close

    async def go() -> tuple[list[int], int]:
        transport = LeanTransport()
        async with scripted(handler) as base, httpx.AsyncClient(transport=transport) as client:
            statuses = []
            for _ in range(3):
                statuses.append((await client.post(f"{base}/w", json={})).status_code)
                await asyncio.sleep(0.05)  # the server's FIN arrives while the connection is idle
        return statuses, transport.opened

    statuses, opened = run(go())
    assert statuses == [200, 200, 200] and opened == 3


def test_connection_close_and_keepalive_expiry_open_a_new_connection() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            line, _, _ = await read_request(reader)
            close = b"Connection: close\r\n" if b"close" in line else b""
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n" + close + b"\r\n{}")
            await writer.drain()

    async def go() -> int:
        transport = LeanTransport(keepalive_expiry=0.2)
        async with scripted(handler) as base, httpx.AsyncClient(transport=transport) as client:
            await client.get(f"{base}/a")
            await client.get(f"{base}/b")  # reused
            await client.get(f"{base}/close")  # reused, then closed as the server said
            await client.get(f"{base}/c")  # new
            await asyncio.sleep(0.3)
            await client.get(f"{base}/d")  # new: the idle one expired
        return transport.opened

    assert run(go()) == 3


@pytest.mark.parametrize(
    ("behaviour", "error"),
    [
        ("close", httpx.RemoteProtocolError),  # accepted, read the request, closed without a word
        ("cut", httpx.RemoteProtocolError),  # half an answer, then closed
        ("garbage", httpx.RemoteProtocolError),
        ("silent", httpx.ReadTimeout),
    ],
)
def test_failures_after_sending_are_not_connect_errors(behaviour: str, error: type[Exception]) -> None:
    """A request that left may have been processed: never reported as one that could not connect."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        if behaviour == "cut":
            writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"a"')
        elif behaviour == "garbage":
            writer.write(b"SMTP ready\r\n\r\n")
        elif behaviour == "silent":
            await asyncio.sleep(5)
        await writer.drain()
        writer.close()

    async def go() -> None:
        async with scripted(handler) as base, httpx.AsyncClient(transport=LeanTransport()) as client:
            await client.post(f"{base}/w", json={"code": "x"}, timeout=httpx.Timeout(0.3))

    with pytest.raises(error) as caught:
        run(go())
    assert not isinstance(caught.value, httpx.ConnectError | httpx.ConnectTimeout)


def test_nothing_listening_is_a_connect_error_and_genesys_client_retries_it_safely() -> None:
    async def go() -> None:
        async with contextlib.AsyncExitStack() as stack:
            server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
            port = server.sockets[0].getsockname()[1]
            server.close()
            await server.wait_closed()
            client = await stack.enter_async_context(httpx.AsyncClient(transport=LeanTransport()))
            await client.post(f"http://127.0.0.1:{port}/w", json={})

    with pytest.raises(httpx.ConnectError):
        run(go())


def test_the_default_is_lean_unless_a_proxy_is_configured() -> None:
    assert isinstance(default_transport(None, {}), LeanTransport)
    assert isinstance(default_transport(None, {"no": "*"}), LeanTransport)
    assert default_transport(None, {"https": "http://proxy:3128"}) is None
    assert default_transport(None, {"http": "http://proxy:3128"}) is None
    assert default_transport(None, {"all": "socks5://proxy:1080"}) is None


@pytest.mark.parametrize(
    ("value", "proxies", "chosen"),
    [
        ("httpx", {}, "httpx"),
        ("lean", {}, "lean"),
        (" HTTPX ", {}, "httpx"),
        ("", {}, "lean"),  # set but empty: the default
        ("", {"https": "http://proxy:3128"}, "httpx"),
        ("httpx", {"https": "http://proxy:3128"}, "httpx"),
    ],
)
def test_wrapup_bridge_http_transport_picks_the_transport(value: str, proxies: dict[str, str], chosen: str) -> None:
    assert transport_choice(value, proxies) == chosen
    built = default_transport(value, proxies)
    assert isinstance(built, LeanTransport) if chosen == "lean" else built is None


@pytest.mark.parametrize(
    ("value", "proxies", "message"),
    [
        ("h2", {}, "WRAPUP_BRIDGE_HTTP_TRANSPORT='h2' is not a transport: use one of lean, httpx"),
        ("aiohttp", {}, "WRAPUP_BRIDGE_HTTP_TRANSPORT='aiohttp' is not a transport"),
        ("lean", {"https": "http://proxy:3128"}, "WRAPUP_BRIDGE_HTTP_TRANSPORT=lean cannot go through the proxy"),
    ],
)
def test_an_unusable_transport_setting_is_an_error_naming_the_variable(
    value: str, proxies: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError, match=re.escape(message)):
        transport_choice(value, proxies)


def test_the_genesys_client_takes_its_transport_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a user sets reaches the client it builds: read with the other variables by services.settings (the one
    reader of the environment) into GenesysSettings.http_transport."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)

    def used(value: str | None) -> type:
        variables = {"GENESYSCLOUD_OAUTHCLIENT_ID": CLIENT[0], "GENESYSCLOUD_OAUTHCLIENT_SECRET": CLIENT[1],
                     "GENESYSCLOUD_API_BASE": "http://127.0.0.1:9"}  # fmt: skip
        if value is not None:
            variables[TRANSPORT_VARIABLE] = value
        client = GenesysClient(Settings.from_env(variables).genesys())
        return type(client._http._transport)

    assert used("httpx") is httpx.AsyncHTTPTransport
    assert used("Lean") is LeanTransport
    assert used(None) is LeanTransport
    assert used("") is LeanTransport
    with pytest.raises(SettingsError, match=TRANSPORT_VARIABLE):
        used("curl")


def test_a_closed_transport_refuses_and_unsupported_schemes_are_refused() -> None:
    async def go() -> None:
        transport = LeanTransport()
        await transport.aclose()
        with pytest.raises(httpx.ConnectError, match="closed"):
            await transport.handle_async_request(httpx.Request("GET", "http://127.0.0.1:1/"))
        with pytest.raises(httpx.UnsupportedProtocol):
            await LeanTransport().handle_async_request(httpx.Request("GET", "ftp://127.0.0.1/"))

    run(go())


def test_tls_verified_with_the_context_given_and_refused_by_the_default_one(tmp_path: Path) -> None:
    """https goes over TLS with the hostname checked, connections kept alive until the server closes one; the
    default context (httpx's: certifi) refuses a certificate it does not trust, before anything is sent (a connect
    error). The certificate comes from the openssl command: neither ``cryptography`` nor ``trustme`` is installed."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    trusting = ssl.create_default_context(cafile=str(cert))

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            while True:
                line, _, _ = await read_request(reader)
                writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{"tls": 1}\n')
                await writer.drain()
                if b"/bye" in line:  # an idle connection closed by the server (close_notify, then FIN)
                    writer.close()
                    return

    async def go() -> tuple[Any, Any, int]:
        server = await asyncio.start_server(handler, "127.0.0.1", 0, ssl=server_context)
        port = server.sockets[0].getsockname()[1]
        try:
            transport = LeanTransport(ssl_context=trusting)
            async with httpx.AsyncClient(transport=transport) as client:
                first = (await client.get(f"https://localhost:{port}/a")).json()
                second = (await client.get(f"https://localhost:{port}/b")).json()
                bye = (await client.get(f"https://localhost:{port}/bye")).json()
                await asyncio.sleep(0.05)
                after = (await client.post(f"https://localhost:{port}/w", json={})).json()  # on a new connection
            refused: Any = None
            async with httpx.AsyncClient(transport=LeanTransport()) as client:
                try:
                    await client.post(f"https://localhost:{port}/w", json={})
                except httpx.TransportError as exc:
                    refused = exc
            return [first, second, bye, after], refused, transport.opened
        finally:
            server.close()

    answers, refused, opened = run(go())
    assert answers == [{"tls": 1}] * 4 and opened == 2
    assert isinstance(refused, httpx.ConnectError) and "CERTIFICATE_VERIFY_FAILED" in str(refused), refused


# -- what a library would have protected us from ------------------------------------------------------------------
def _blocking_server(answer: Callable[[int, bytes], bytes | None]) -> tuple[socket.socket, list[bytes], Any]:
    """A loopback server on its own thread with blocking sockets (so what it does happens while the client's loop is
    blocked, not run): for the n-th request it reads (1-based, over all connections), sends ``answer(n, line)``, or
    closes that connection when it is None. Returns the listener, the request lines seen and the thread's
    ``threading.Event`` pair (``close_now``, ``closed``) used by the test below."""
    listener = socket.create_server(("127.0.0.1", 0))
    seen: list[bytes] = []
    close_now, closed = threading.Event(), threading.Event()

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = listener.accept()
                with conn:
                    buffered = b""
                    while True:
                        while b"\r\n\r\n" not in buffered:
                            more = conn.recv(65536)
                            if not more:
                                break
                            buffered += more
                        if b"\r\n\r\n" not in buffered:
                            break
                        head, _, buffered = buffered.partition(b"\r\n\r\n")
                        found = re.search(rb"(?i)content-length: *(\d+)", head)
                        length = int(found[1]) if found else 0
                        while len(buffered) < length:
                            buffered += conn.recv(65536)
                        buffered = buffered[length:]
                        seen.append(head.split(b"\r\n")[0])
                        reply = answer(len(seen), head.split(b"\r\n")[0])
                        if reply is None:
                            break
                        conn.sendall(reply)
                        if b"close-after" in head:
                            close_now.wait(10)
                            break
                closed.set()

    threading.Thread(target=serve, daemon=True).start()
    return listener, seen, (close_now, closed)


def test_a_connection_whose_end_the_loop_has_not_read_yet_is_not_reused() -> None:
    """The server closed the idle connection, its FIN is in the client's socket but the event loop has not run since:
    the reuse check asks the socket (as httpcore does), and the write goes on a new connection, once."""
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
    listener, seen, (close_now, closed) = _blocking_server(lambda n, line: ok)

    async def go() -> tuple[list[int], int]:
        transport = LeanTransport()
        base = f"http://127.0.0.1:{listener.getsockname()[1]}"
        async with httpx.AsyncClient(transport=transport) as client:
            first = await client.post(f"{base}/w", json={}, headers={"X-Test": "close-after"})
            close_now.set()
            assert closed.wait(10)
            time.sleep(0.1)  # the FIN arrives; the loop is blocked and does not read it
            second = await client.post(f"{base}/w", json={})
        return [first.status_code, second.status_code], transport.opened

    try:
        statuses, opened = run(go())
    finally:
        listener.close()
    assert statuses == [200, 200] and opened == 2 and seen == [b"POST /w HTTP/1.1"] * 2


@pytest.mark.parametrize("when", ["with the answer", "while idle"])
def test_bytes_the_server_sent_past_its_answer_are_never_taken_for_the_next_answer(when: str) -> None:
    """Unasked bytes (a stale answer) sent right behind an answer or later while the connection is idle sit in the
    reader's buffer once the loop read them: the connection is not reused, and the next request gets its own answer."""
    connections: list[None] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(None)
        if len(connections) == 1:
            await read_request(reader)
            writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n"first"')
            if when == "while idle":
                await writer.drain()
                await asyncio.sleep(0.05)
            writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n"stray"')  # nobody asked; it stays open
            await writer.drain()
        while True:
            await read_request(reader)
            writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n"fresh"')
            await writer.drain()

    async def go() -> tuple[list[Any], int]:
        transport = LeanTransport()
        async with scripted(handler) as base, httpx.AsyncClient(transport=transport) as client:
            first = (await client.post(f"{base}/w", json={})).json()
            await asyncio.sleep(0.2)
            second = (await client.post(f"{base}/w", json={})).json()
        return [first, second], transport.opened

    answers, opened = run(go())
    assert answers == ["first", "fresh"] and opened == 2


def test_a_write_whose_reused_connection_dies_before_any_answer_is_ambiguous_and_sent_once() -> None:
    """The request left on a kept-alive connection and the server closed it without a byte of answer: it may have
    been processed, so it is not sent again (the transport raises a protocol error, not a connect error, and the
    Genesys client reports an AmbiguousWrite); a GET that meets the same is retried by the client."""
    token = b'{"access_token": "t", "token_type": "bearer", "expires_in": 86400}'

    def answer(n: int, line: bytes) -> bytes | None:
        if line.startswith(b"POST /oauth/token"):
            return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (
                len(token), token)  # fmt: skip
        if n in (3, 4):  # the second write, and the first try of the GET: read, then the connection is closed
            return None
        return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"

    listener, seen, _ = _blocking_server(answer)
    settings = GenesysSettings.from_variables(
        {"GENESYSCLOUD_OAUTHCLIENT_ID": CLIENT[0], "GENESYSCLOUD_OAUTHCLIENT_SECRET": CLIENT[1],
         "GENESYSCLOUD_API_BASE": f"http://127.0.0.1:{listener.getsockname()[1]}"}, rate_per_minute=100_000,
    )  # fmt: skip

    async def go() -> tuple[Any, Any, Any, int]:
        transport = LeanTransport()
        async with GenesysClient(settings, transport=transport) as client:
            path = "/api/v2/conversations/c/participants/p/communications/m/wrapup"
            first = await client.post_json(path, {"code": "x"})
            try:
                await client.post_json(path, {"code": "x"})
                second: Any = "no error"
            except AmbiguousWrite as exc:
                second = exc
            third = await client.get_json("/api/v2/conversations/c")
        return first.status, second, third, transport.opened

    try:
        first, second, third, opened = run(go())
    finally:
        listener.close()
    assert first == 200 and third == {}
    assert isinstance(second, AmbiguousWrite) and "RemoteProtocolError" in str(second), second
    write = b"POST /api/v2/conversations/c/participants/p/communications/m/wrapup HTTP/1.1"
    get = b"GET /api/v2/conversations/c HTTP/1.1"
    assert seen == [b"POST /oauth/token HTTP/1.1", write, write, get, get]  # each write once; the GET again
    assert opened == 3


@pytest.mark.parametrize(("size", "fits"), [(60 << 10, True), (70 << 10, False)])
def test_a_header_block_past_the_limit_is_a_protocol_error_and_its_connection_is_dropped(size: int, fits: bool) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            line, _, _ = await read_request(reader)
            big = b"X-Big: " + b"a" * size + b"\r\n" if b"big" in line else b""
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n" + big + b"\r\n{}")
            await writer.drain()

    async def go() -> tuple[Any, int, int]:
        transport = LeanTransport()
        async with scripted(handler) as base, httpx.AsyncClient(transport=transport) as client:
            try:
                got: Any = len((await client.get(f"{base}/big")).headers["x-big"])
            except httpx.TransportError as exc:
                got = exc
            after = (await client.get(f"{base}/small")).status_code
        return got, after, transport.opened

    got, after, opened = run(go())
    assert after == 200
    if fits:
        assert got == size and opened == 1
    else:
        assert isinstance(got, httpx.RemoteProtocolError) and opened == 2, got


def test_interim_answers_are_skipped_with_their_headers() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await read_request(reader)
            writer.write(b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                         b"HTTP/1.1 100 Continue\r\n\r\n"
                         b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\nX-Final: 1\r\n\r\n{}")  # fmt: skip
            await writer.drain()

    async def go() -> tuple[list[httpx.Response], int]:
        transport = LeanTransport()
        async with scripted(handler) as base, httpx.AsyncClient(transport=transport) as client:
            answers = [await client.post(f"{base}/w", json={}) for _ in range(2)]
        return answers, transport.opened

    answers, opened = run(go())
    for response in answers:
        assert response.status_code == 201 and response.json() == {} and response.headers["x-final"] == "1"
        assert "link" not in response.headers
    assert opened == 1  # the interim answers were read whole: the connection was left clean


def test_a_streamed_request_body_goes_chunked_and_connection_close_in_the_request_is_honoured() -> None:
    seen: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            body = b""
            if b"transfer-encoding: chunked" in head.lower():
                while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
                    body += await reader.readexactly(size)
                    assert await reader.readexactly(2) == b"\r\n"
                assert await reader.readexactly(2) == b"\r\n"
            seen.append(body)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
            await writer.drain()

    async def parts() -> AsyncIterator[bytes]:
        yield b'{"code": '
        yield b'"x"}'

    async def nothing() -> AsyncIterator[bytes]:
        return
        yield b""

    async def go() -> int:
        transport = LeanTransport()
        async with scripted(handler) as base, httpx.AsyncClient(transport=transport) as client:
            assert (await client.post(f"{base}/w", content=parts())).status_code == 200
            assert (await client.post(f"{base}/w", content=nothing())).status_code == 200
            assert (await client.get(f"{base}/a", headers={"Connection": "close"})).status_code == 200
            assert (await client.get(f"{base}/b")).status_code == 200  # a new connection: the client asked to close
        return transport.opened

    assert run(go()) == 2
    assert seen == [b'{"code": "x"}', b"", b"", b""]


def test_a_tls_handshake_without_answer_is_a_connect_timeout(tmp_path: Path) -> None:
    """Nothing of the request left while the handshake waits: a ConnectTimeout (safe to retry), in time."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)  # accepts, never speaks TLS

    async def go() -> float:
        async with scripted(handler) as base, httpx.AsyncClient(transport=LeanTransport()) as client:
            started = time.monotonic()
            with pytest.raises(httpx.ConnectTimeout):
                await client.post(
                    base.replace("http:", "https:") + "/w", json={}, timeout=httpx.Timeout(5, connect=0.3)
                )
            return time.monotonic() - started

    assert run(go()) < 2


def test_a_server_that_does_not_read_is_a_write_timeout() -> None:
    """The request is only partly sent (the server reads nothing, the socket buffers fill): a WriteTimeout, which the
    client treats as possibly sent, never as a connect error."""
    stop = asyncio.Event()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await stop.wait()

    async def go() -> None:
        async with scripted(handler) as base, httpx.AsyncClient(transport=LeanTransport()) as client:
            try:
                await client.post(f"{base}/w", content=b"x" * (64 << 20), timeout=httpx.Timeout(0.5))
            finally:
                stop.set()

    with pytest.raises(httpx.WriteTimeout):
        run(go())


def test_the_read_timeout_bounds_the_whole_answer() -> None:
    """A server that dribbles its answer a byte at a time, each byte within the read timeout, still runs out of it:
    the whole answer must come within it (httpx's own transport times each read instead)."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}":
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.05)

    async def go() -> float:
        async with scripted(handler) as base, httpx.AsyncClient(transport=LeanTransport()) as client:
            started = time.monotonic()
            with pytest.raises(httpx.ReadTimeout):
                await client.get(f"{base}/slow", timeout=httpx.Timeout(0.5))
            return time.monotonic() - started

    assert run(go()) < 1.5
