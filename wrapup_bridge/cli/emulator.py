"""``wrapup-bridge emulator``: serve an org file as a local Genesys Cloud emulator.

The emulator stands in for Genesys when no credentials are set (demo, tests, benchmarks). What it prints says
plainly that it is an emulator, gives the one base URL to use for both login and API, and lists the demo
OAuth clients of the org file (fixtures of that file, not real secrets).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from wrapup_bridge.emulator import EmulatorConfig

__all__ = ["build_config", "emulator"]


def _burst(value: str | None) -> dict[str, Any] | None:
    if value is None:
        return None
    parts = value.split(":")
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) not in (2, 3):
        raise click.BadParameter(f"{value!r}: expected EVERY:LENGTH or EVERY:LENGTH:RETRY_AFTER (integers)")
    burst: dict[str, Any] = {"every": numbers[0], "length": numbers[1]}
    if len(numbers) == 3:
        burst["retry_after_seconds"] = numbers[2]
    return burst


def build_config(base: EmulatorConfig | None, options: dict[str, Any]) -> EmulatorConfig:
    """The file's ``emulator:`` section (or the defaults) with the command-line switches that were given on top."""
    from pydantic import ValidationError

    from wrapup_bridge.emulator import EmulatorConfig

    data = (base or EmulatorConfig()).model_dump()
    top = {
        "rate_limit": options.get("rate_limit"),
        "rate_window_seconds": options.get("window"),
        "queue_codes_enforced": options.get("queue_codes"),
        "late_write_window_seconds": options.get("late_window"),
        "overwrite": options.get("overwrite"),
        "rejection_status": int(options["rejection_status"]) if options.get("rejection_status") else None,
        "client_credentials_may_wrapup": options.get("client_credentials_wrapup"),
        "analytics_session_is_communication": options.get("session_is_communication"),
        "analytics_lag_seconds": options.get("analytics_lag"),
    }
    faults = {
        "seed": options.get("seed"),
        "error_5xx_ratio": options.get("error_5xx_ratio"),
        "burst_429": _burst(options.get("burst_429")),
        "latency_ms": options.get("latency_ms"),
        "latency_jitter_ms": options.get("jitter_ms"),
        "drop_ratio": options.get("drop_ratio"),
        "token_ttl_seconds": options.get("token_ttl"),
    }
    data.update({k: v for k, v in top.items() if v is not None})
    data["faults"].update({k: v for k, v in faults.items() if v is not None})
    if options.get("rate_limit") == 0:
        data["rate_limit"] = None
    try:
        return EmulatorConfig.model_validate(data)
    except ValidationError as exc:
        from wrapup_bridge.core.validation_text import validation_in_words

        problems = validation_in_words(exc, limit=10)
        raise click.UsageError(f"invalid emulator setting: {problems}") from exc


def _describe(config: EmulatorConfig) -> str:
    late = (
        "accepted any time"
        if config.late_write_window_seconds is None
        else f"rejected {config.late_write_window_seconds:g}s after the end"
    )
    rate = (
        "unlimited" if config.rate_limit is None else f"{config.rate_limit}/{config.rate_window_seconds:g}s per token"
    )
    parts = [
        f"queue codes {'enforced' if config.queue_codes_enforced else 'not enforced'}",
        f"late writes {late}",
        f"overwrite {config.overwrite}",
        f"rejections {config.rejection_status}",
        f"client-credentials wrap-up {'allowed' if config.client_credentials_may_wrapup else 'forbidden'}",
        f"rate limit {rate}",
    ]
    if config.faults.active or config.faults.token_ttl_seconds:
        parts.append(f"faults on (seed {config.faults.seed})")
    return ", ".join(parts)


@click.command("emulator")
@click.option(
    "--org", "org_path", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Org file (YAML)."
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8089, show_default=True, type=click.IntRange(0, 65535), help="0 picks a free port.")
@click.option("--rate-limit", type=click.IntRange(min=0), help="Requests per token per window (0: unlimited).")
@click.option("--window", type=click.FloatRange(min=0, min_open=True), help="Rate-limit window, seconds.")
@click.option("--seed", type=int, help="Seed of the injected faults.")
@click.option("--queue-codes/--no-queue-codes", default=None, help="A code must be assigned to the queue.")
@click.option("--late-window", type=click.FloatRange(min=0), help="Reject writes this long after the end (s).")
@click.option("--overwrite", type=click.Choice(["allow", "reject"]), help="What a second, different code does.")
@click.option("--rejection-status", type=click.Choice(["400", "409", "422"]), help="Status of rule rejections.")
@click.option(
    "--client-credentials-wrapup/--no-client-credentials-wrapup",
    default=None,
    help="Whether client-credentials tokens may set wrap-up.",
)
@click.option(
    "--session-is-communication/--session-differs",
    default=None,
    help="Whether analytics sessionId equals the communication id.",
)
@click.option("--analytics-lag", type=click.FloatRange(min=0), help="Seconds before a write shows in analytics.")
@click.option("--error-5xx-ratio", type=click.FloatRange(0, 1), help="Share of calls answered 500/503.")
@click.option("--burst-429", metavar="EVERY:LENGTH[:RETRY_AFTER]", help="429 storms: after EVERY calls, LENGTH 429s.")
@click.option("--latency-ms", type=click.FloatRange(min=0), help="Fixed delay per call.")
@click.option("--jitter-ms", type=click.FloatRange(min=0), help="Extra random delay per call, up to this.")
@click.option("--drop-ratio", type=click.FloatRange(0, 1), help="Share of calls whose connection drops.")
@click.option("--token-ttl", type=click.IntRange(min=1), help="Token lifetime in seconds, to force expiry.")
@click.option(
    "--state",
    "journal",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Keep accepted wrap-ups in this file, so a restarted emulator still shows them.",
)
def emulator(org_path: Path, host: str, port: int, journal: Path | None, **options: Any) -> None:
    """Serve an org file as a local Genesys Cloud EMULATOR (not Genesys) until Ctrl-C."""
    from wrapup_bridge.emulator import Emulator, OrgFileError, load_org
    from wrapup_bridge.emulator.handle import bind

    try:
        org = load_org(org_path)
    except OrgFileError as exc:
        raise click.UsageError(str(exc)) from exc
    config = build_config(org.emulator_config, options)
    emu = Emulator(org, config, journal=journal)
    try:
        sock, base_url = bind(host, port)
    except OSError as exc:
        raise click.UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc

    directory = org.directory
    click.echo("wrapup-bridge Genesys Cloud EMULATOR: a local stand-in, NOT Genesys Cloud")
    click.echo(
        f"  org       {org_path} ({len(directory.codes.by_id)} wrap-up codes, {len(directory.queues.by_id)} queues, "
        f"{len(org.conversations)} conversations)"
    )
    click.echo(f"  base URL  {base_url}   (use it as both the login base and the API base)")
    for client in directory.clients.values():
        click.echo(f"  client    {client.client_id} / {client.client_secret}   (org-file fixture)")
    click.echo("  control   GET /_emulator/writes, GET /_emulator/stats, POST /_emulator/reset")
    click.echo(f"  behaviour {_describe(config)}")
    if journal is not None:
        click.echo(f"  state     {journal} ({emu.restored} wrap-ups restored)")
    click.echo("Press Ctrl-C to stop.")
    sys.stdout.flush()
    try:
        emu.run(sock)
    finally:
        sock.close()
    click.echo(f"emulator stopped after {sum(emu.requests.values())} requests, {len(emu.write_log)} writes accepted")
