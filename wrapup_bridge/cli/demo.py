"""``wrapup-bridge demo``: the main job on the embedded default — a replay of the shipped example exports onto the
Genesys emulator, served on loopback, with the report a migration engineer would read. First it correlates the
Five9 export that carries no conversation ids (as ``wrapup-bridge correlate`` would) and says what it found and
where the file to review is; the Five9 replay then writes the matched records and dead-letters the rest.

The work is ``wrapup_bridge.services.demo`` (shipped package data, so it runs from any folder); this module prints.
The emulator keeps what it accepted in ``out/demo/emulator-state.jsonl``, so running the demo again shows the
other half of the promise: everything is already applied, nothing is written twice (``--reset`` starts over).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from wrapup_bridge.cli._adapters import input_errors
from wrapup_bridge.cli._common import EXIT_USAGE, fail_setup, fail_usage, stderr
from wrapup_bridge.cli._genesys import fail_genesys
from wrapup_bridge.cli._progress import Progress

if TYPE_CHECKING:
    from rich.console import Console

    from wrapup_bridge.services.demo import DemoReport, DemoTarget, SetCorrelation

__all__ = ["demo"]

#: The outcome rows of the report, in the order a reader takes them in.
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


@click.command()
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="A checkout holding mappings/ and examples/, to use instead of the copies shipped with the package.",
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("out/demo"), show_default=True)
@click.option("--reset", is_flag=True, help="Forget what earlier demo runs applied (start the emulator fresh).")
def demo(root: Path | None, out: Path, reset: bool) -> None:
    """Replay the shipped Five9, Twilio and CXone examples onto the Genesys emulator and print the report.

    The Five9 export without conversation ids is correlated with the emulator's conversations first; its matched
    records are replayed with the rest, the others go to the dead letters with their verdict."""
    from rich.console import Console

    from wrapup_bridge.core.mapping import MappingTableError
    from wrapup_bridge.services.correlate import CorrelateError
    from wrapup_bridge.services.demo import DemoDataMissing, DemoError, run_demo
    from wrapup_bridge.services.replay import ReplayError, TargetFailed

    console = Console(highlight=False)

    def announce(target: DemoTarget) -> None:
        console.print(f"[bold]target:[/] {target.description}")
        if target.restored:
            console.print(
                f"the emulator restored {target.restored} wrap-ups applied by earlier demo runs ({target.journal})"
            )

    try:
        with input_errors():
            report = run_demo(out, root=root, reset=reset, progress=Progress(), on_target=announce)
    except DemoDataMissing as exc:
        fail_usage(str(exc))
    except (DemoError, CorrelateError) as exc:
        fail_setup(str(exc))
    except MappingTableError as exc:
        stderr(str(exc))
        sys.exit(EXIT_USAGE)
    except TargetFailed as exc:
        fail_genesys(exc)
    except ReplayError as exc:
        fail_setup(str(exc))
    _print_report(console, report)


#: Correlation statuses in the order the summary names them (the rest, if any, after them).
STATUSES = ("matched", "ambiguous", "none", "before-cutover", "outside-retention", "no-time", "invalid")


def _print_report(console: Console, report: DemoReport) -> None:
    from rich.table import Table

    for found in report.correlations:
        _print_correlation(console, found)

    table = Table(title="wrapup-bridge demo: replay onto the Genesys emulator", title_justify="left")
    table.add_column("")
    for result in report.sets:
        table.add_column(result.source, justify="right")
    rows: dict[str, list[int]] = {"records": [r.records for r in report.sets]}
    rows.update({kind: [r.outcomes.get(kind, 0) for r in report.sets] for kind in COLUMNS})
    rows["API calls"] = [r.api_calls for r in report.sets]
    for name, values in rows.items():
        table.add_row(name, *(str(v) for v in values))
    console.print(table)
    console.print(f"wrap-ups written to the emulator this run: {report.writes}")
    if report.passed_over_legs:
        console.print(
            f"{report.passed_over_legs} agent participants whose alerts rang out or were declined were passed over in "
            f"{report.passed_over_conversations} conversations (only the agent who connected carries the wrap-up)"
        )
    totals = report.totals
    if totals.get("replaced-system-code"):
        console.print(
            f"{totals['replaced-system-code']} wrap-ups replaced ININ-WRAP-UP-TIMEOUT, the code Genesys stamps when "
            "after-call work times out (no agent chose it; --keep-system-codes leaves them)"
        )
    if report.reasons:
        console.print("why the rest did not apply:")
        for (kind, reason), count in sorted(report.reasons.items(), key=lambda kv: (-kv[1], kv[0])):
            console.print(f"  {count:>3} {kind}: {reason}")
    if report.nothing_written_twice:
        console.print("[green]everything that could be applied already was: nothing was written twice[/]")
    for path in report.dead_letter_files:
        console.print(f"records that did not apply, with the reason: {path}")
    five9 = next((r for r in report.sets if r.source == "five9"), None)
    mapping = _shown(five9.mapping) if five9 is not None else "mappings/five9.yaml"
    console.print(
        f"Review one plan: `head -3 {report.out / 'five9.plan.jsonl'}`; explain a value: "
        f"`wrapup-bridge mapping explain {mapping} 'Spoke To Spouse'`; run again to see nothing re-applied."
    )


def _print_correlation(console: Console, found: SetCorrelation) -> None:
    """What the correlation step found, and where its file is for review."""
    order = [*STATUSES, *sorted(set(found.counts) - set(STATUSES))]
    counts = ", ".join(f"{found.counts[s]} {s}" for s in order if found.counts.get(s))
    inputs = ", ".join(_shown(p) for p in found.inputs)
    console.print(
        f"[bold]correlated[/] {inputs} ({found.records} records without a conversation id) with the emulator's "
        f"conversations: {counts or 'nothing'}; {found.api_calls} API calls"
    )
    not_matched = found.records - found.matched
    rest = (
        f"; the {not_matched} others go to the dead letters with their verdict (why: {_shown(found.unmatched)})"
        if not_matched
        else ""
    )
    console.print(
        f"  review {_shown(found.file)}: the {found.source} replay below takes its {found.matched} matched rows "
        f"as reviewed{rest}"
    )


def _shown(path: Path) -> str:
    """``path`` as a user can type it here: relative to the current folder when under it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
