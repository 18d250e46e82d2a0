"""``wrapup-bridge demo``: the main job on the embedded default — a replay of the shipped example exports onto the
Genesys emulator, served on loopback, with the report a migration engineer would read.

The emulator keeps what it accepted in ``out/demo/emulator-state.jsonl``, so running the demo again shows the
other half of the promise: everything is already applied, nothing is written twice (``--reset`` starts over).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import click

from wrapup_bridge.cli._adapters import adapter_options
from wrapup_bridge.cli._common import fail_setup, fail_usage, load_or_exit
from wrapup_bridge.cli._genesys import Connection
from wrapup_bridge.cli.replay import ReplayPaths, apply_from_plan, plan_from_records, source_records
from wrapup_bridge.services.target import DEMO_CLIENT

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

COLUMNS = (
    "applied",
    "replaced-system-code",
    "already-applied",
    "skipped",
    "unmapped",
    "no-target",
    "rejected",
    "conflict",
    "invalid",
    "duplicate",
    "failed",
)


def _plan_targets(plan: Path) -> tuple[int, int]:
    """(targets chosen past agent legs that never connected, how many such legs) in a plan file."""
    conversations = legs = 0
    with plan.open(encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            missed = ((item.get("target") or {}) if item.get("kind") == "item" else {}).get("missed_legs") or 0
            if missed:
                conversations += 1
                legs += missed
    return conversations, legs


def _short(reason: str) -> str:
    """The gist of a reason: up to its first clause break, at most 110 characters."""
    cut = min((i for i in (reason.find("; "), reason.find(". ")) if i > 0), default=len(reason))
    text = reason[:cut]
    return text if len(text) <= 110 else text[:107] + "..."


def _dead_letter_reasons(paths: list[Path]) -> Counter[tuple[str, str]]:
    reasons: Counter[tuple[str, str]] = Counter()
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                entry = json.loads(line)
                reasons[(str(entry.get("class")), _short(str(entry.get("reason") or "")))] += 1
    return reasons


@click.command()
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder holding mappings/ and examples/ (the repository checkout).",
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("out/demo"), show_default=True)
@click.option("--reset", is_flag=True, help="Forget what earlier demo runs applied (start the emulator fresh).")
def demo(root: Path, out: Path, reset: bool) -> None:
    """Replay the shipped Five9, Twilio and CXone examples onto the Genesys emulator and print the report."""
    from pydantic import SecretStr
    from rich.console import Console
    from rich.table import Table

    from wrapup_bridge.emulator import Emulator, EmulatorConfig
    from wrapup_bridge.genesys.http import GenesysClient
    from wrapup_bridge.genesys.regions import resolve_region
    from wrapup_bridge.genesys.settings import GenesysSettings, emulator_identity

    org = root / "examples" / "demo-org.yaml"
    if not org.is_file():
        fail_usage(f"{org} not found: run the demo from the repository checkout (or pass --root)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail_setup(f"cannot create the demo folder {out}: {exc.strerror or exc}")
    journal = out / "emulator-state.jsonl"
    if reset:
        journal.unlink(missing_ok=True)
    console = Console(highlight=False)
    # The demo is about mapping and applying, not pacing: a roomier limit than Genesys's 300/min keeps it snappy.
    emulator = Emulator.from_file(org, EmulatorConfig(rate_limit=3000), journal=journal)
    totals: Counter[str] = Counter()
    columns: dict[str, dict[str, int]] = {}
    dead_letter_files: list[Path] = []
    passed_over = [0, 0]  # conversations, agent legs that never connected

    with emulator.serve() as base_url:
        description = f"the wrapup-bridge Genesys EMULATOR (NOT Genesys Cloud) serving {org} at {base_url}"
        console.print(f"[bold]target:[/] {description}")
        if emulator.restored:
            console.print(
                f"the emulator restored {emulator.restored} wrap-ups applied by earlier demo runs ({journal})"
            )
        settings = GenesysSettings(
            client_id=DEMO_CLIENT,
            client_secret=SecretStr(emulator.org.directory.clients[DEMO_CLIENT].client_secret),
            region=resolve_region(base_url),
            budget=60.0,
            rate_per_minute=3000,
        )

        async def run_all() -> None:
            for demo_set in DEMO_SETS:
                table_ = load_or_exit(str(root / demo_set.mapping))
                paths = ReplayPaths.beside(out / f"{demo_set.source}.plan.jsonl")
                for stale in (paths.plan, paths.ledger, paths.dead_letters):
                    stale.unlink(missing_ok=True)  # each demo run makes a fresh plan; the emulator remembers
                options = adapter_options(
                    table_, adapter_catalog=str(root / demo_set.catalog) if demo_set.catalog else None
                )
                inputs = tuple(str(root / i) for i in demo_set.inputs)
                async with GenesysClient(settings) as client:
                    connection = Connection(client, description, emulator, identity=emulator_identity(org))
                    summary = await plan_from_records(
                        source_records(demo_set.source, options, inputs),
                        table=table_,
                        connection=connection,
                        out=paths.plan,
                        source=demo_set.source,
                        inputs=inputs,
                        options={"historical": True, "allowed_check": "queue", "budget": 60.0},
                        batch_size=50,
                        show_progress=True,
                    )
                    _, report = await apply_from_plan(
                        paths, connection, force=False, concurrency=4, verify=False, refresh=False, show_progress=True
                    )
                conversations, legs = _plan_targets(paths.plan)
                passed_over[0] += conversations
                passed_over[1] += legs
                counts = report.outcomes
                calls = sum(v for k, v in report.calls.items() if " " in k)
                columns[demo_set.source] = {"records": summary.items, **counts, "API calls": calls}
                totals.update(counts)
                if report.dead_lettered:
                    dead_letter_files.append(paths.dead_letters)

        asyncio.run(run_all())
        writes = len(emulator.write_log)

    table = Table(title="wrapup-bridge demo: replay onto the Genesys emulator", title_justify="left")
    table.add_column("")
    for source in columns:
        table.add_column(source, justify="right")
    for row in ("records", *COLUMNS, "API calls"):
        table.add_row(row, *(str(columns[source].get(row, 0)) for source in columns))
    console.print(table)
    console.print(f"wrap-ups written to the emulator this run: {writes}")
    if passed_over[1]:
        console.print(
            f"{passed_over[1]} agent participants whose alerts rang out or were declined were passed over in "
            f"{passed_over[0]} conversations (only the agent who connected carries the wrap-up)"
        )
    if totals.get("replaced-system-code"):
        console.print(
            f"{totals['replaced-system-code']} wrap-ups replaced ININ-WRAP-UP-TIMEOUT, the code Genesys stamps when "
            "after-call work times out (no agent chose it; --keep-system-codes leaves them)"
        )
    reasons = _dead_letter_reasons(dead_letter_files)
    if reasons:
        console.print("why the rest did not apply:")
        for (kind, reason), count in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])):
            console.print(f"  {count:>3} {kind}: {reason}")
    if writes == 0 and totals.get("already-applied"):
        console.print("[green]everything that could be applied already was: nothing was written twice[/]")
    for path in dead_letter_files:
        console.print(f"records that did not apply, with the reason: {path}")
    console.print(
        f"Review one plan: `head -3 {out / 'five9.plan.jsonl'}`; explain a value: "
        "`wrapup-bridge mapping explain mappings/five9.yaml 'Spoke To Spouse'`; run again to see nothing re-applied."
    )
