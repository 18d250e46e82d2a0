"""The ``wrapup-bridge`` command line: a thin shell over the library.

Sub-command groups live in their own modules and are imported only when invoked, so ``wrapup-bridge --help``
and the library import stay fast. Exit codes: 0 all good, 1 problems found, 2 usage or configuration error.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

__all__ = ["COMMANDS", "main"]

#: command name -> "module:attribute" of the click command implementing it (every one ships with the package:
#: its third-party imports are core dependencies, and an optional one, such as ``twilio`` for ``serve``'s
#: signature checks, is imported where it is used and says what to install when it is missing).
COMMANDS: dict[str, str] = {
    "normalize": "wrapup_bridge.cli.normalize:normalize",
    "mapping": "wrapup_bridge.cli.mapping:mapping",
    "demo": "wrapup_bridge.cli.demo:demo",
    "doctor": "wrapup_bridge.cli.doctor:doctor",
    "emulator": "wrapup_bridge.cli.emulator:emulator",
    "catalog": "wrapup_bridge.cli.catalog:catalog",
    "correlate": "wrapup_bridge.cli.correlate:correlate",
    "replay": "wrapup_bridge.cli.replay:replay",
    "serve": "wrapup_bridge.cli.serve:serve",
    "outbox": "wrapup_bridge.cli.outbox:outbox",
    "outbound": "wrapup_bridge.cli.outbound:outbound",
}


class LazyGroup(click.Group):
    """A click group whose sub-commands are imported on first use."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.lazy.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module_name, _, attr = target.partition(":")
        command = getattr(importlib.import_module(module_name), attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``: the installed package's version (``wrapup_bridge.__version__``, read from its metadata)."""
    if not value or ctx.resilient_parsing:
        return
    from wrapup_bridge import __version__

    click.echo(f"wrapup-bridge, version {__version__}")
    ctx.exit()


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
def main() -> None:
    """Carry legacy contact-center dispositions (Twilio, Five9, NICE CXone) into Genesys Cloud wrap-up codes."""
