"""``wrapup-bridge doctor``: why does Genesys reject this wrap-up? Check everything a write depends on.

With several OAuth clients configured (a replay's pool: numbered ``GENESYSCLOUD_OAUTHCLIENT_ID_2``/``_SECRET_2``
pairs, a credentials file given with ``--clients`` or ``WRAPUP_BRIDGE_OAUTH_CLIENTS``), every client is checked,
one line each (``genesys.doctor.check_client``); the first is then checked in full as before.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from wrapup_bridge.cli._common import EXIT_PROBLEMS, fail_usage
from wrapup_bridge.cli._genesys import clients_option, target_options
from wrapup_bridge.core.disposition import Media

if TYPE_CHECKING:
    from wrapup_bridge.genesys.credentials import ClientCredentials
    from wrapup_bridge.genesys.http import GenesysClient
    from wrapup_bridge.services.settings import Settings
    from wrapup_bridge.services.target import Connection

__all__ = ["doctor"]

T = TypeVar("T")

_MARK = {
    "ok": "[green]ok[/]",
    "warning": "[yellow]warning[/]",
    "problem": "[bold red]problem[/]",
    "info": "[dim]info[/]",
}


def _read_text(value: str) -> str:
    if value == "-":
        return sys.stdin.read()
    if value.startswith("@"):
        try:
            return Path(value[1:]).read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            fail_usage(f"cannot read {value[1:]!r}: byte {exc.start} is not UTF-8 (JSON is text)")
        except OSError as exc:
            fail_usage(f"cannot read {value[1:]!r}: {exc.strerror}")
    return value


def _json_arg(value: str, what: str) -> Any:
    from wrapup_bridge.core.limits import loads_json

    text = _read_text(value)
    try:
        return loads_json(text)
    except json.JSONDecodeError as exc:
        fail_usage(f"{what} is not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")


def _error_from(body: Any, status: int | None, method: str, path: str) -> Any:
    from wrapup_bridge.genesys.errors import api_error_from_response

    if not isinstance(body, dict):
        fail_usage("the error must be the JSON error body Genesys returned (an object with code, message, ...)")
    raw_status = status if status is not None else body.get("status")
    try:
        status_code = int(raw_status) if raw_status is not None else 400
    except (TypeError, ValueError):
        fail_usage(f"status {raw_status!r} is not a number; pass --status")
    return api_error_from_response(status=status_code, body=body, method=method.upper(), path=path)


def _explain(
    request_line: str | None,
    body: Any,
    error_body: Any,
    status: int | None,
    as_json: bool,
    *,
    default_method: str,
    body_given: bool,
) -> bool:
    """Lint the request (when known), then explain the error (when given): the request's own mistakes first.
    Returns True when nothing is wrong with the request."""
    from wrapup_bridge.genesys.requestlint import lint_request, parse_request_line

    report = None
    method, path = default_method, ""
    if request_line:
        try:
            method, path = parse_request_line(request_line)
        except ValueError as exc:
            fail_usage(str(exc))
        hint = str(error_body.get("message") or "") if isinstance(error_body, dict) else ""
        report = lint_request(method, path, body, body_given=body_given, hint=hint)
    error = _error_from(error_body, status, method, path) if error_body is not None else None
    if as_json:
        out: dict[str, Any] = report.to_dict() if report is not None else {}
        if error is not None:
            out["error"] = error.to_dict()
            out["explanation"] = error.explain()
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return report is None or report.ok
    if report is not None:
        _print_lint(report)
    if error is not None:
        click.echo("\nthe error Genesys answered:")
        click.echo(str(error))
        path_wrong = report is not None and any(f.kind in _PATH_MISTAKES for f in report.findings)
        if path_wrong and error.status in (404, 405):
            click.echo(
                f"{error.status}: the request addresses no real operation (above), which is all this answer says; "
                "send the right request"
            )
        elif report is not None and not report.ok:
            click.echo("Fix the request's mistakes above first: they explain most answers. " + error.explain())
        else:
            click.echo(error.explain())
    return report is None or report.ok


_PATH_MISTAKES = frozenset({"no-such-endpoint", "wrong-method", "media-segment", "not-a-wrapup-endpoint"})


def _print_lint(report: Any) -> None:
    if report.ok:
        click.echo(f"{report.method} {report.path}: no mistake found against the API's endpoints and models")
    else:
        click.echo(f"{report.method} {report.path}: {len(report.findings)} mistake(s)")
        for finding in report.findings:
            click.echo(f"  {finding.kind}: {finding.message}")
            click.echo(f"    fix: {finding.fix}")
    request = report.request
    if request is not None:
        click.echo("the right request:")
        click.echo(f"  {request.method} {request.path}")
        if request.body is not None:
            click.echo("  " + json.dumps(request.body, ensure_ascii=False))
        for name, how in request.fill.items():
            click.echo(f"  {{{name}}}: {how}")
        if request.sdk_method:
            click.echo(f"  (the official SDK's {request.sdk_method})")
    for note in report.notes:
        click.echo(f"note: {note}")


def _configured_clients(settings: Settings, target: str, connection: Connection) -> tuple[ClientCredentials, ...]:
    """Every OAuth client configured for ``connection``'s target, the connection's own first: Genesys's pool
    (``Settings.oauth_clients``), or the emulator's client and a credentials file's. A client the settings cannot
    give is a usage error naming the variable or ``file:line``."""
    from wrapup_bridge.genesys.credentials import ClientCredentials, clients_from_file
    from wrapup_bridge.genesys.settings import SettingsError
    from wrapup_bridge.services.target import TargetKind, choose_kind

    own = connection.client.settings
    try:
        if choose_kind(cast(TargetKind, target), settings) == "genesys":
            listed = settings.oauth_clients()
        else:
            listed = clients_from_file(settings.clients_file) if settings.clients_file is not None else ()
    except SettingsError as exc:
        fail_usage(str(exc))
    first = next(
        (c for c in listed if c.client_id == own.client_id),
        ClientCredentials(own.client_id, own.client_secret, f"the org's client {own.client_id}"),
    )
    return (first, *(c for c in listed if c.client_id != own.client_id))


@asynccontextmanager
async def _members(
    connection: Connection, clients: tuple[ClientCredentials, ...]
) -> AsyncIterator[list[tuple[GenesysClient, str]]]:
    """A client on the connection's target for each of ``clients`` (the connection's own for the first), with where
    it was configured; the others are closed on the way out."""
    from wrapup_bridge.genesys.http import GenesysClient

    members: list[tuple[GenesysClient, str]] = [(connection.client, clients[0].source)]
    try:
        for credentials in clients[1:]:
            transport = connection.emulator.transport() if connection.emulator is not None else None
            member = GenesysClient(connection.client.settings.with_client(credentials), transport=transport)
            members.append((member, credentials.source))
        yield members
    finally:
        for member, _ in members[1:]:
            await member.aclose()


@click.command()
@click.option("--conversation", "conversation_id", help="Genesys conversation id to check.")
@click.option("--code", help="Wrap-up code id (or name: doctor tells you its id) you want to apply.")
@click.option(
    "--agent", help="The agent the record names: a Genesys user id, a login, e-mail or name (legacy logins: --mapping)."
)
@click.option(
    "--mapping",
    "mapping_path",
    type=click.Path(dir_okay=False),
    help="Mapping table whose agent directory (agents:) recognises legacy logins.",
)
@click.option("--queue", help="Queue to pick the agent participant by (name or id).")
@click.option("--media", type=click.Choice([m.value for m in Media]), help="Media of the communication to wrap up.")
@click.option("--apply", "do_apply", is_flag=True, help="Perform the write (skipped when the code is already there).")
@click.option("--overwrite", is_flag=True, help="With --apply: replace a different code already on the participant.")
@click.option(
    "--explain-error",
    "error_body",
    metavar="JSON|@FILE|-",
    help="Explain an error body you already got; no call is made.",
)
@click.option(
    "--explain-request",
    "request_line",
    metavar='"METHOD PATH"',
    help="Check a wrap-up request against the real API without calling Genesys: every mistake and the right request.",
)
@click.option("--body", "request_body", metavar="JSON|@FILE|-", help="With --explain-request: the request's body.")
@click.option("--error", "error_json", metavar="JSON|@FILE|-", help="With --explain-request: the error body you got.")
@click.option("--status", type=int, help="With --explain-error/--error: the HTTP status of that answer.")
@click.option("--method", default="POST", show_default=True, help="With --explain-error: the request's method.")
@click.option("--path", "path", default="", help="With --explain-error: the request's path (makes the advice precise).")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@clients_option
@target_options
def doctor(
    conversation_id: str | None,
    code: str | None,
    agent: str | None,
    mapping_path: str | None,
    queue: str | None,
    media: str | None,
    do_apply: bool,
    overwrite: bool,
    error_body: str | None,
    request_line: str | None,
    request_body: str | None,
    error_json: str | None,
    status: int | None,
    method: str,
    path: str,
    as_json: bool,
    clients_file: Path | None,
    target: str,
    org: Path | None,
) -> None:
    """Check credentials, permissions, the code, the conversation and its agent participant, and print the exact
    request a wrap-up needs. With several OAuth clients configured (GENESYSCLOUD_OAUTHCLIENT_ID_2/_SECRET_2, ...,
    --clients FILE), each one's token and read permissions, one line per client. Exit 1 when a problem is found.

    \b
    Examples:
      wrapup-bridge doctor --conversation c0ffee00-0000-4000-8000-000000000001 --code "Payment Taken"
      wrapup-bridge doctor --explain-error @error.json --status 400 --path /api/v2/conversations/calls/.../wrapup
      wrapup-bridge doctor --explain-request "POST /api/v2/conversations/interactions/ID" --body '{"wrapUpCode": {"id": "x"}}'
    """
    if request_line is not None or error_body is not None:
        body = _json_arg(request_body, "--body") if request_body is not None else None
        if error_body is not None:
            text = _read_text(error_body)
            from wrapup_bridge.core.limits import loads_json

            try:
                pasted: Any = loads_json(text)
            except json.JSONDecodeError:
                pasted = {"message": text}
            line = request_line or (f"{method} {path}" if path else None)
            clean = _explain(
                line, body, pasted, status, as_json, default_method=method.upper(), body_given=request_body is not None
            )
        else:
            pasted = _json_arg(error_json, "--error") if error_json is not None else None
            clean = _explain(
                request_line,
                body,
                pasted,
                status,
                as_json,
                default_method=method.upper(),
                body_given=request_body is not None,
            )
        if not clean:
            sys.exit(EXIT_PROBLEMS)
        return
    from wrapup_bridge.genesys.doctor import DoctorReport, diagnose
    from wrapup_bridge.genesys.sink import ApplyOptions
    from wrapup_bridge.services.settings import BadSetting, Settings

    directory: dict[str, str] = {}
    if mapping_path:
        from wrapup_bridge.cli._common import load_or_exit

        directory = load_or_exit(mapping_path).agents
    try:
        settings = Settings.from_env().with_clients_file(clients_file)
    except BadSetting as exc:
        fail_usage(str(exc))

    async def run(connection: Connection) -> DoctorReport:
        async with _members(connection, _configured_clients(settings, target, connection)) as members:
            return await diagnose(
                connection.client,
                target_description=connection.description,
                conversation_id=conversation_id,
                code=code,
                agent=agent,
                queue=queue,
                media=Media(media) if media else None,
                apply=do_apply,
                options=ApplyOptions(overwrite=overwrite),
                agent_directory=directory,
                clients=members if len(members) > 1 else (),
            )

    report = _run_on_target(target, org, clients_file, run)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        from rich.console import Console
        from rich.markup import escape

        # soft_wrap: ids, paths and the exact request stay whole on one line (the terminal wraps them for the eye;
        # a copy, a pipe or a log keeps them intact) instead of being broken mid-id at the console width.
        console = Console(highlight=False, soft_wrap=True)
        for finding in report.findings:
            console.print(f"{_MARK[finding.level.value]:>8}  {escape(finding.title)}")
            if finding.detail:
                console.print(f"          [dim]{escape(finding.detail)}[/]")
        console.print("[green]no problems found[/]" if report.ok else "[bold red]problems found[/] (see above)")
    if not report.ok:
        sys.exit(EXIT_PROBLEMS)


def _run_on_target(
    target: str, org: Path | None, clients_file: Path | None, work: Callable[[Connection], Awaitable[T]]
) -> T:
    """``cli._common.run_on_target`` with ``--clients`` (whose first client is the target's when no
    GENESYSCLOUD_OAUTHCLIENT_ID is set): a target that cannot be set up, and a Genesys failure, end the command as
    for every command."""
    import asyncio

    from wrapup_bridge.cli._genesys import connect, fail_genesys

    async def run() -> T:
        async with connect(target, org, clients_file=clients_file) as connection:
            return await work(connection)

    try:
        return asyncio.run(run())
    except Exception as exc:  # GenesysError explained, anything else (click's exits included) re-raised
        fail_genesys(exc)
