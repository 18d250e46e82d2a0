"""``wrapup-bridge serve``: the webhook service under uvicorn (Twilio TaskRouter, Five9 web connector, generic JSON).

Secrets come from the environment only (command lines end up in shell history and ``ps``), read with the public
URL through ``services.settings.Settings``: ``TWILIO_AUTH_TOKEN``, ``WRAPUP_BRIDGE_FIVE9_SECRET``,
``WRAPUP_BRIDGE_API_TOKEN``; each one set turns its endpoint on. The bridge is built by ``cli._bridge`` (shared
with ``outbox drain``) on the one target factory. uvicorn's access log is off because it prints query strings,
where a Five9 secret may travel; the app logs every outcome itself, without secrets.

Slow clients: ``--header-timeout``, ``--body-timeout``, ``--keep-alive-timeout`` and ``--max-connections`` (each
also an environment variable, read by ``Settings``; the option wins) bound how long and how many connections any
client holds (``live.server``).

Exit codes: 0 stopped with Ctrl-C; 2 a set-up problem found before serving (no secret set, a mapping table, org
file or outbox that cannot be used, an address it cannot listen on, a bad option). SIGTERM stops it as gracefully
(requests under way finish, the bridge and outbox are closed); the process then ends by that signal (status 143),
because uvicorn re-raises the signal it caught once shut down (``Server.capture_signals``).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from wrapup_bridge.cli._bridge import default_mappings, open_bridge
from wrapup_bridge.cli._common import fail_setup, fail_usage
from wrapup_bridge.cli._genesys import target_options
from wrapup_bridge.live.defaults import (
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_HEADER_TIMEOUT,
    DEFAULT_KEEP_ALIVE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
)

if TYPE_CHECKING:
    from wrapup_bridge.live.bridge import Bridge
    from wrapup_bridge.live.server import ServerLimits
    from wrapup_bridge.services.settings import Settings

__all__ = ["serve"]


def _check_public_url(url: str) -> None:
    """A base URL Twilio can have signed: http(s), a host, no query or fragment."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError as exc:
        fail_usage(f"--public-url {url!r} is not a URL: {exc}")
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        fail_usage(
            f"--public-url {url!r} is not a base URL: give the scheme and host Twilio calls, and the path the routes "
            "live under if any (e.g. https://hooks.example.com/bridge), without a query string"
        )


def _open_outbox(bridge: Bridge) -> dict[str, int]:
    """Open the outbox now, so a file that cannot be one (a directory that cannot be made, binary junk, another
    SQLite file, a lock held too long) stops ``serve`` before it listens, not on the first request; its counts."""
    from wrapup_bridge.live.errors import OutboxError

    if bridge.outbox is None:
        return {}
    try:
        return bridge.outbox.counts()
    except OutboxError as exc:
        bridge.close()
        fail_setup(f"{exc} (pass --outbox FILE, or --no-outbox to serve without one)")


def _server_limits(
    settings: Settings,
    header_timeout: float | None,
    body_timeout: float | None,
    keep_alive_timeout: int | None,
    max_connections: int | None,
) -> ServerLimits:
    """The server's limits: each option given, else its variable (``Settings``), else the default; a variable set
    to something unusable is a usage error naming the option it stands for."""
    from wrapup_bridge.live.server import ServerLimits
    from wrapup_bridge.services.settings import BadSetting

    given = {
        "header_timeout": header_timeout,
        "body_timeout": body_timeout,
        "keep_alive_timeout": keep_alive_timeout,
        "max_connections": max_connections,
    }
    chosen: dict[str, Any] = {}
    for name, option in given.items():
        try:
            value = option if option is not None else getattr(settings, name)
        except BadSetting as exc:
            fail_usage(f"--{name.replace('_', '-')}: {exc}")
        if value is not None:
            chosen[name] = value
    return ServerLimits(**chosen)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="0 picks a free port.")
@click.option(
    "--mapping",
    "mappings",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Mapping table; repeat for several sources (one per platform).  [default: the shipped twilio-flex.yaml]",
)
@click.option(
    "--public-url",
    help="Base URL Twilio calls (behind proxies), e.g. https://hooks.example.com; env WRAPUP_BRIDGE_PUBLIC_URL.",
)
@click.option("--trust-forwarded", is_flag=True, help="Take scheme and host from X-Forwarded-Proto/-Host.")
@click.option(
    "--outbox",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Outbox file.  [default: $WRAPUP_BRIDGE_OUTBOX or ./wrapup-bridge-outbox.sqlite]",
)
@click.option("--no-outbox", is_flag=True, help="No outbox: failures are answered as failed, not queued.")
@click.option("--budget", default=8.0, show_default=True, type=click.FloatRange(min=0.1), help="Seconds per event.")
@click.option(
    "--drain-interval",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Retry due outbox rows every this many seconds (0: never; use `outbox drain`).",
)
@click.option("--max-body", default=64 * 1024, show_default=True, type=click.IntRange(min=1), help="Bytes.")
@click.option(
    "--header-timeout",
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds a client has to send a whole request head (408 and close after); env WRAPUP_BRIDGE_HEADER_TIMEOUT."
    f"  [default: {DEFAULT_HEADER_TIMEOUT:g}]",
)
@click.option(
    "--body-timeout",
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds from the head to the end of the body (408 and close after); env WRAPUP_BRIDGE_BODY_TIMEOUT."
    f"  [default: {DEFAULT_BODY_TIMEOUT:g}]",
)
@click.option(
    "--keep-alive-timeout",
    type=click.IntRange(min=1),
    help="Seconds an idle kept-alive connection stays open; env WRAPUP_BRIDGE_KEEP_ALIVE_TIMEOUT."
    f"  [default: {DEFAULT_KEEP_ALIVE_TIMEOUT}]",
)
@click.option(
    "--max-connections",
    type=click.IntRange(min=1),
    help="Connections open at once; one more is answered 503 and closed; env WRAPUP_BRIDGE_MAX_CONNECTIONS."
    f"  [default: {DEFAULT_MAX_CONNECTIONS}]",
)
@target_options
def serve(
    host: str,
    port: int,
    mappings: tuple[Path, ...],
    public_url: str | None,
    trust_forwarded: bool,
    outbox: Path | None,
    no_outbox: bool,
    budget: float,
    drain_interval: float,
    max_body: int,
    header_timeout: float | None,
    body_timeout: float | None,
    keep_alive_timeout: int | None,
    max_connections: int | None,
    target: str,
    org: Path | None,
) -> None:
    """Serve the disposition webhooks (POST /twilio/taskrouter, /five9/disposition, /v1/dispositions) until Ctrl-C.

    Exit codes: 0 stopped with Ctrl-C (SIGTERM: a graceful stop, then status 143); 2 a set-up problem found before
    serving (no secret set, a mapping table, org file or outbox that cannot be used, an address it cannot listen
    on)."""
    from wrapup_bridge.services.settings import Settings

    settings = Settings.from_env()
    limits = _server_limits(settings, header_timeout, body_timeout, keep_alive_timeout, max_connections)
    secrets = settings.secrets
    if not any(secrets[name] for name in ("twilio_auth_token", "five9_secret", "api_token")):
        fail_setup(
            "nothing to serve: set TWILIO_AUTH_TOKEN (Twilio), WRAPUP_BRIDGE_FIVE9_SECRET (Five9) or "
            "WRAPUP_BRIDGE_API_TOKEN (generic JSON) in the environment"
        )
    public_url = public_url if public_url is not None else settings.public_url
    if public_url is not None:
        _check_public_url(public_url)
    bridge = open_bridge(
        target,
        org,
        default_mappings(mappings),
        outbox=outbox,
        use_outbox=not no_outbox,
        budget=budget,
        settings=settings,
    )
    try:
        from wrapup_bridge.live.webhook import create_app

        app = create_app(
            bridge,
            public_url=public_url,
            trust_forwarded=trust_forwarded,
            max_body_bytes=max_body,
            drain_interval=drain_interval or None,
            close_bridge=True,
            body_timeout=limits.body_timeout,
            **secrets,
        )
    except RuntimeError as exc:  # the twilio package is missing
        bridge.close()
        fail_setup(str(exc))
    try:
        from wrapup_bridge.emulator.handle import bind

        sock, base_url = bind(host, port)
    except OSError as exc:
        bridge.close()
        fail_setup(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    try:  # after binding, so a refused address leaves no outbox file behind
        counts = _open_outbox(bridge)
    except click.ClickException:
        sock.close()
        raise

    enabled = app.state.endpoints.enabled()
    click.echo("wrapup-bridge webhook service")
    click.echo(f"  target    {bridge.description}")
    for route in enabled:
        click.echo(f"  endpoint  POST {public_url.rstrip('/') if public_url else base_url}{route}")
    click.echo(f"  health    GET {base_url}/healthz")
    loaded = ", ".join(f"{t.name} ({platform or 'any source'})" for platform, t in bridge.tables.items())
    click.echo(f"  mapping   {loaded or 'none'}")
    if bridge.outbox is not None:
        waiting = ", ".join(f"{counts[state]} {state}" for state in ("pending", "dead") if counts.get(state))
        click.echo(f"  outbox    {bridge.outbox.path}{f' ({waiting})' if waiting else ''}")
    else:
        click.echo("  outbox    off")
    click.echo(
        f"  limits    head {limits.header_timeout:g} s, body {limits.body_timeout:g} s, keep-alive "
        f"{limits.keep_alive_timeout} s, {limits.max_connections} connections, {max_body} bytes"
    )
    for route, source in (("/twilio/taskrouter", "twilio"), ("/five9/disposition", "five9")):
        if route in enabled and bridge.table_for(source) is None:
            click.echo(f"  warning   {route} is on, but no mapping table reads {source}: every event ends unmapped")
    click.echo("Press Ctrl-C to stop.")
    sys.stdout.flush()

    import uvicorn

    from wrapup_bridge.live.server import uvicorn_config

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per Genesys call is noise; outcomes are logged
    config = uvicorn_config(app, limits, log_level="info")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        bridge.close()
