"""``wrapup-bridge doctor``: why does Genesys reject this wrap-up? Check everything a write depends on."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import click

from wrapup_bridge.cli._common import EXIT_PROBLEMS, fail_usage
from wrapup_bridge.cli._genesys import connect, target_options
from wrapup_bridge.core.disposition import Media

__all__ = ["doctor"]

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
            return Path(value[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            fail_usage(f"cannot read {value[1:]!r}: {exc.strerror}")
    return value


def _explain_pasted(body_text: str, status: int | None, method: str, path: str, as_json: bool) -> None:
    """Explain an error someone already got, from its JSON body (no call to Genesys)."""
    from wrapup_bridge.genesys.errors import api_error_from_response

    try:
        body = json.loads(body_text)
    except json.JSONDecodeError:
        body = {"message": body_text}
    if not isinstance(body, dict):
        fail_usage("--explain-error expects the JSON error body Genesys returned (an object with code, message, ...)")
    raw_status = status if status is not None else body.get("status")
    try:
        status_code = int(raw_status) if raw_status is not None else 400
    except (TypeError, ValueError):
        fail_usage(f"status {raw_status!r} is not a number; pass --status")
    error = api_error_from_response(status=status_code, body=body, method=method.upper(), path=path)
    if as_json:
        click.echo(json.dumps({"error": error.to_dict(), "explanation": error.explain()}, indent=2))
    else:
        click.echo(str(error))
        click.echo(error.explain())


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
@click.option("--status", type=int, help="With --explain-error: the HTTP status of that answer.")
@click.option("--method", default="POST", show_default=True, help="With --explain-error: the request's method.")
@click.option("--path", "path", default="", help="With --explain-error: the request's path (makes the advice precise).")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
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
    status: int | None,
    method: str,
    path: str,
    as_json: bool,
    target: str,
    org: Path,
) -> None:
    """Check credentials, permissions, the code, the conversation and its agent participant, and print the exact
    request a wrap-up needs. Exit 1 when a problem is found.

    \b
    Examples:
      wrapup-bridge doctor --conversation c0ffee00-0000-4000-8000-000000000001 --code "Payment Taken"
      wrapup-bridge doctor --explain-error @error.json --status 400 --path /api/v2/conversations/calls/.../wrapup
    """
    if error_body is not None:
        _explain_pasted(_read_text(error_body), status, method, path, as_json)
        return
    from wrapup_bridge.genesys.doctor import DoctorReport, diagnose
    from wrapup_bridge.genesys.sink import ApplyOptions

    directory: dict[str, str] = {}
    if mapping_path:
        from wrapup_bridge.cli.mapping import load_or_exit

        directory = load_or_exit(mapping_path).agents

    async def run() -> DoctorReport:
        async with connect(target, org) as connection:
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
            )

    report = asyncio.run(run())
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        from rich.console import Console
        from rich.markup import escape

        console = Console(highlight=False)
        for finding in report.findings:
            console.print(f"{_MARK[finding.level.value]:>8}  {escape(finding.title)}")
            if finding.detail:
                console.print(f"          [dim]{escape(finding.detail)}[/]")
        console.print("[green]no problems found[/]" if report.ok else "[bold red]problems found[/] (see above)")
    if not report.ok:
        sys.exit(EXIT_PROBLEMS)
