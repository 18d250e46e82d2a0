"""The README's exit-code table names every command the CLI has, and nothing it does not; the codes themselves are
exercised command by command in test_no_traceback.py, test_inputs.py, test_replay_failures.py and
test_serve_outbox_failures.py."""

from __future__ import annotations

import re

import click

from tests.conftest import ROOT
from wrapup_bridge.cli import main


def leaf_commands(group: click.Group, prefix: str = "") -> set[str]:
    context = click.Context(group)
    found: set[str] = set()
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        full = f"{prefix}{name}"
        if isinstance(command, click.Group):
            found |= leaf_commands(command, f"{full} ")
        else:
            found.add(full)
    return found


def readme_table_commands() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    named: set[str] = set()
    for row in re.findall(r"^\| (`.+?) \|", section, re.MULTILINE):
        words = re.findall(r"`([^`]+)`", row)
        first = words[0].split(" ")
        for word in words:
            parts = word.split(" ")
            named.add(" ".join(parts) if len(parts) > 1 or len(first) == 1 else f"{first[0]} {word}")
    return named


def test_every_command_has_a_row_and_every_row_a_command() -> None:
    assert isinstance(main, click.Group)
    commands = leaf_commands(main) - {"mapping schema"}  # prints the schema; 0 always
    assert readme_table_commands() == commands
