"""``wrapup-bridge demo``: the shipped example exports through the adapters and the shipped mapping tables.

Each example set names its source, its mapping table and its inputs; the demo prints every decision in one
table and a summary, so a new user sees in one command what the tool does with real-looking legacy data.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import click

from wrapup_bridge.adapters import AdapterError, AdapterOptions, get_adapter
from wrapup_bridge.cli._common import open_input
from wrapup_bridge.cli.mapping import load_or_exit
from wrapup_bridge.core.decision import DecisionKind

__all__ = ["DEMO_SETS", "demo"]


@dataclass(frozen=True)
class DemoSet:
    source: str
    mapping: str
    inputs: tuple[str, ...]
    catalog: str | None = None


DEMO_SETS: tuple[DemoSet, ...] = (
    DemoSet("five9", "mappings/five9.yaml", ("examples/five9/call-log.csv",), "examples/five9/dispositions.yaml"),
    DemoSet(
        "twilio",
        "mappings/twilio-flex.yaml",
        (
            "examples/twilio/flex-task-attributes.jsonl",
            "examples/twilio/taskrouter-events.txt",
            "examples/twilio/insights-export.csv",
            "examples/twilio/copilot-wrapup.json",
            "examples/twilio/voice-status-callbacks.txt",
        ),
    ),
    DemoSet(
        "cxone",
        "mappings/cxone.yaml",
        ("examples/cxone/completed-contacts.json",),
        "examples/cxone/skill-dispositions.json",
    ),
)

_STYLE = {
    DecisionKind.MAPPED: "green",
    DecisionKind.FALLBACK: "yellow",
    DecisionKind.SKIP: "cyan",
    DecisionKind.UNMAPPED: "bold red",
}


@click.command()
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder holding mappings/ and examples/ (the repository checkout).",
)
def demo(root: Path) -> None:
    """Run the shipped example exports through the adapters and mapping tables and print every decision."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title="wrapup-bridge demo: legacy dispositions -> Genesys wrap-up decisions")
    for column in ("source", "record", "conv.", "legacy value", "decision", "Genesys code / reason"):
        table.add_column(column, overflow="fold")
    totals: Counter[str] = Counter()
    rejected: list[AdapterError] = []
    for demo_set in DEMO_SETS:
        mapping = load_or_exit(str(root / demo_set.mapping))
        options = AdapterOptions(
            conversation_id_field=mapping.source.conversation_id,
            catalog=str(root / demo_set.catalog) if demo_set.catalog else None,
        )
        adapter = get_adapter(demo_set.source, options)
        for name in demo_set.inputs:
            with open_input(str(root / name)) as stream:
                for result in adapter.read(stream, name=name):
                    if isinstance(result, AdapterError):
                        rejected.append(result)
                        totals["rejected"] += 1
                        continue
                    decision = mapping.resolve(result)
                    totals[decision.kind.value] += 1
                    rule = f" (rule #{decision.rule.number})" if decision.rule else ""
                    what = f"{decision.code.name}{rule}" if decision.code else decision.reason
                    conversation = f"…{result.conversation_id[-4:]}" if result.conversation_id else "-"
                    table.add_row(
                        demo_set.source,
                        result.source_id[-8:],
                        conversation,
                        repr(result.code),
                        f"[{_STYLE[decision.kind]}]{decision.kind.value}[/]",
                        what,
                    )
    console.print(table)
    for error in rejected:
        console.print(f"[red]rejected[/] {error}")
    summary = ", ".join(f"{count} {kind}" for kind, count in sorted(totals.items()))
    console.print(f"[bold]{sum(totals.values())} records:[/] {summary}")
    console.print(
        "Next: this demo becomes a replay against the embedded Genesys emulator. Try "
        "`wrapup-bridge mapping explain mappings/five9.yaml 'Transferred To 3rd Party'`."
    )
