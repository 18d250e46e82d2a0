"""The ``wrapup-bridge`` command line: a thin shell over the library.

Sub-command groups live in their own modules and are imported only when invoked, so ``wrapup-bridge --help``
and the library import stay fast. Exit codes: 0 all good, 1 problems found, 2 usage or configuration error.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

import click

__all__ = ["main"]

#: command name -> "module:attribute" of the click command implementing it
COMMANDS: dict[str, str] = {
    "normalize": "wrapup_bridge.cli.normalize:normalize",
    "mapping": "wrapup_bridge.cli.mapping:mapping",
    "demo": "wrapup_bridge.cli.demo:demo",
    "doctor": "wrapup_bridge.cli.doctor:doctor",
    "emulator": "wrapup_bridge.cli.emulator:emulator",
    "catalog": "wrapup_bridge.cli.catalog:catalog",
    "replay": "wrapup_bridge.cli.replay:replay",
    "serve": "wrapup_bridge.cli.serve:serve",
    "outbox": "wrapup_bridge.cli.outbox:outbox",
}


def _module_exists(name: str) -> bool:
    """Commands whose module is not in this installation are left out (optional parts), not a crash of --help."""
    return importlib.util.find_spec(name) is not None


class LazyGroup(click.Group):
    """A click group whose sub-commands are imported on first use."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        available = {name for name, target in self.lazy.items() if _module_exists(target.partition(":")[0])}
        return sorted({*super().list_commands(ctx), *available})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and _module_exists(self.lazy[cmd_name].partition(":")[0]):
            module_name, _, attr = self.lazy[cmd_name].partition(":")
            command = getattr(importlib.import_module(module_name), attr)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy[cmd_name]} is not a click command")
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="wrapup-bridge")
def main() -> None:
    """Carry legacy contact-center dispositions (Twilio, Five9, NICE CXone) into Genesys Cloud wrap-up codes."""
