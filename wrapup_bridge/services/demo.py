"""The demo as a library: the main job on the embedded default, from any folder.

The shipped Five9, Twilio and CXone example exports are planned and applied, through the replay service, onto the
Genesys emulator serving the shipped demo org on loopback (real HTTP, as a replay onto Genesys would go), and the
numbers a migration engineer would read come back as a ``DemoReport``; ``wrapup-bridge demo`` prints them.

Most migrations also hold history exported before anyone stored the Genesys conversation id. The demo shows that
path too (issue 13): first it correlates the Five9 export without ids (``examples/five9/call-log-no-ids.csv``)
with the demo org's conversations, as ``wrapup-bridge correlate`` does, writing the correlation file an ops lead
would review into ``out``; then the Five9 replay takes that file as reviewed (``replay plan --correlation``), so
its matched records are written and the others become dead letters carrying their verdict
(``docs/correlation-demo.md`` says record by record what to expect).

Everything it reads is package data (``wrapup_bridge.data``), so it runs after a ``pip install`` in an empty
folder; ``root`` points it at a checkout's ``mappings/`` and ``examples/`` instead. The emulator keeps what it
accepted in ``<out>/emulator-state.jsonl``, so a second run shows the other half of the promise: everything is
already applied, nothing is written twice (``reset`` starts over).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from wrapup_bridge.core.errors import WrapupBridgeError

if TYPE_CHECKING:
    from wrapup_bridge.adapters import AdapterOptions
    from wrapup_bridge.core.mapping import MappingTable
    from wrapup_bridge.emulator import Emulator
    from wrapup_bridge.services.replay import Progress
    from wrapup_bridge.services.target import Target

__all__ = [
    "DEMO_SETS",
    "DemoDataMissing",
    "DemoError",
    "DemoReport",
    "DemoSet",
    "DemoTarget",
    "SetCorrelation",
    "SetResult",
    "run_demo",
]

#: The emulator's rate limit for the demo: it is about mapping and applying, not pacing, so a roomier limit than
#: Genesys's 300 requests a minute keeps it snappy (the client is told the same).
DEMO_RATE = 3000
#: Seconds one call may take.
DEMO_BUDGET = 60.0


class DemoError(WrapupBridgeError):
    """The demo cannot run as set up (its output folder cannot be made)."""


class DemoDataMissing(DemoError, FileNotFoundError):
    """``root`` does not hold the demo's files (``examples/demo-org.yaml`` and the rest)."""


@dataclass(frozen=True)
class DemoSet:
    """One platform's part of the demo, named as in the repository (``mappings/five9.yaml``).

    ``uncorrelated``: exports whose records carry no conversation id. They are correlated with the org first (by
    the table's ``correlate:`` section), then replayed with ``inputs`` through the correlation file."""

    source: str
    mapping: str
    inputs: tuple[str, ...]
    catalog: str | None = None
    uncorrelated: tuple[str, ...] = ()


DEMO_SETS: tuple[DemoSet, ...] = (
    DemoSet(
        "five9",
        "mappings/five9.yaml",
        ("examples/five9/call-log.csv",),
        "examples/five9/dispositions.yaml",
        uncorrelated=("examples/five9/call-log-no-ids.csv",),
    ),
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
#: The org the emulator serves, named as in the repository.
DEMO_ORG_FILE = "examples/demo-org.yaml"


@dataclass(frozen=True)
class DemoTarget:
    """What the demo talks to, told before anything is replayed."""

    #: One line for people; it says the emulator is NOT Genesys Cloud.
    description: str
    #: Wrap-ups the emulator restored from earlier demo runs (``journal``).
    restored: int
    journal: Path


@dataclass(frozen=True)
class SetCorrelation:
    """One platform's correlation step: what its exports without conversation ids were matched to, and where the
    files for review are."""

    source: str
    inputs: tuple[Path, ...]
    #: The correlation file (one row per record: status, conversation, score, evidence): the one to review.
    file: Path
    #: The records that were not matched, with why (JSON lines).
    unmatched: Path
    #: Rows by status (matched, ambiguous, none, before-cutover, ...).
    counts: dict[str, int]
    #: HTTP requests the search made (analytics queries, user look-ups).
    api_calls: int

    @property
    def records(self) -> int:
        return sum(self.counts.values())

    @property
    def matched(self) -> int:
        return self.counts.get("matched", 0)


@dataclass(frozen=True)
class SetResult:
    """One platform's replay: its records, outcomes, API requests, and where its files are."""

    source: str
    mapping: Path
    plan: Path
    records: int
    outcomes: dict[str, int]
    api_calls: int
    #: The dead-letter file, when some records did not apply.
    dead_letters: Path | None


@dataclass
class DemoReport:
    """The numbers of one demo run."""

    target: DemoTarget
    out: Path
    #: The correlation steps, run before any replay.
    correlations: list[SetCorrelation] = field(default_factory=list)
    sets: list[SetResult] = field(default_factory=list)
    #: Wrap-ups the emulator accepted in this run (0 on a second run: nothing is written twice).
    writes: int = 0
    #: Conversations where agent legs that never connected (alerts rang out or declined) were passed over, and how
    #: many such legs.
    passed_over_conversations: int = 0
    passed_over_legs: int = 0
    #: (dead-letter class, the gist of the reason) -> records.
    reasons: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def totals(self) -> Counter[str]:
        """Outcomes over every platform."""
        totals: Counter[str] = Counter()
        for result in self.sets:
            totals.update(result.outcomes)
        return totals

    @property
    def dead_letter_files(self) -> list[Path]:
        return [r.dead_letters for r in self.sets if r.dead_letters is not None]

    @property
    def nothing_written_twice(self) -> bool:
        """A run after the first: everything that could be applied already was, and nothing was written again."""
        return self.writes == 0 and bool(self.totals.get("already-applied"))


def demo_file(relative: str, root: Path | None = None) -> Path:
    """A demo file named as in the repository: under ``root`` when given, else the shipped copy."""
    if root is not None:
        return root / relative
    from wrapup_bridge.data import shipped

    return shipped(relative)


def run_demo(
    out: Path = Path("out/demo"),
    *,
    root: Path | None = None,
    reset: bool = False,
    progress: Progress | None = None,
    on_target: Callable[[DemoTarget], None] | None = None,
) -> DemoReport:
    """Correlate the ``DEMO_SETS``' exports without conversation ids, then replay every set onto the emulator
    serving the demo org on loopback; the report.

    ``out`` holds the correlation files, plans, ledgers, dead letters and the emulator's journal; ``reset`` forgets
    what earlier runs applied. ``on_target`` hears what is served before anything starts. Raises
    ``DemoDataMissing`` when ``root`` lacks the demo org, ``DemoError`` when ``out`` cannot be made; what the mapping
    tables, the inputs, the correlation and the replay raise (``MappingTableError``, ``OptionError``,
    ``CorrelateError``, ``ReplayError``) passes through."""
    from wrapup_bridge.emulator import Emulator, EmulatorConfig
    from wrapup_bridge.services.target import build_target

    org = demo_file(DEMO_ORG_FILE, root)
    if not org.is_file():
        raise DemoDataMissing(f"{org} not found: --root should name a checkout holding mappings/ and examples/")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DemoError(f"cannot create the demo folder {out}: {exc.strerror or exc}") from exc
    journal = out / "emulator-state.jsonl"
    if reset:
        journal.unlink(missing_ok=True)
    emulator = Emulator.from_file(org, EmulatorConfig(rate_limit=DEMO_RATE), journal=journal)
    with emulator.serve() as base_url:
        target = build_target("emulator", emulator, base_url=base_url, budget=DEMO_BUDGET, rate_per_minute=DEMO_RATE)
        report = DemoReport(DemoTarget(target.description, emulator.restored, journal), out)
        if on_target is not None:
            on_target(report.target)
        asyncio.run(_run_all(report, target, emulator, root, progress))
        report.writes = len(emulator.write_log)
    report.reasons = _dead_letter_reasons(report.dead_letter_files, [c.file for c in report.correlations])
    return report


async def _run_all(
    report: DemoReport, target: Target, emulator: Emulator, root: Path | None, progress: Progress | None
) -> None:
    """Every set's correlation first (so the Five9 replay can use its file), then every set's replay."""
    from wrapup_bridge.core.mapping import load_mapping

    tables = {s.source: load_mapping(demo_file(s.mapping, root)) for s in DEMO_SETS}
    correlations: dict[str, Path] = {}
    for demo_set in DEMO_SETS:
        if demo_set.uncorrelated:
            found = await _correlate(report.out, demo_set, tables[demo_set.source], target, emulator, root, progress)
            report.correlations.append(found)
            correlations[demo_set.source] = found.file
    for demo_set in DEMO_SETS:
        report.sets.append(
            await _replay(
                report,
                demo_set,
                tables[demo_set.source],
                correlations.get(demo_set.source),
                target,
                emulator,
                root,
                progress,
            )
        )


async def _correlate(
    out: Path,
    demo_set: DemoSet,
    table: MappingTable,
    target: Target,
    emulator: Emulator,
    root: Path | None,
    progress: Progress | None,
) -> SetCorrelation:
    """``wrapup-bridge correlate`` on the set's exports without conversation ids, against the demo org: the
    correlation file ``<source>.correlation.csv`` and ``<source>.correlation.unmatched.jsonl`` in ``out``."""
    from wrapup_bridge.services.correlate import correlate_records
    from wrapup_bridge.services.replay import source_records
    from wrapup_bridge.services.target import Connection

    inputs = tuple(str(demo_file(i, root)) for i in demo_set.uncorrelated)
    file = out / f"{demo_set.source}.correlation.csv"
    unmatched = out / f"{demo_set.source}.correlation.unmatched.jsonl"
    for stale in (file, unmatched):
        stale.unlink(missing_ok=True)  # made afresh each run, as the plans are
    async with target.client() as client:
        connection = Connection(client, target.description, emulator, target.identity)
        summary = await correlate_records(
            source_records(demo_set.source, _adapter_options(demo_set, table, root), inputs),
            table=table,
            connection=connection,
            out=file,
            unmatched=unmatched,
            progress=progress,
        )
    return SetCorrelation(
        source=demo_set.source,
        inputs=tuple(Path(i) for i in inputs),
        file=summary.out,
        unmatched=summary.unmatched,
        counts=dict(summary.counts),
        api_calls=summary.total_calls,
    )


async def _replay(
    report: DemoReport,
    demo_set: DemoSet,
    table: MappingTable,
    correlation: Path | None,
    target: Target,
    emulator: Emulator,
    root: Path | None,
    progress: Progress | None,
) -> SetResult:
    """Plan and apply the set's exports (its uncorrelated ones through ``correlation``) onto the emulator."""
    from wrapup_bridge.services.replay import (
        PlanOptions,
        ReplayPaths,
        apply_from_plan,
        plan_from_records,
        source_records,
    )
    from wrapup_bridge.services.target import Connection

    paths = ReplayPaths.beside(report.out / f"{demo_set.source}.plan.jsonl")
    for stale in (paths.plan, paths.ledger, paths.dead_letters):
        stale.unlink(missing_ok=True)  # each demo run makes a fresh plan; the emulator remembers
    inputs = tuple(str(demo_file(i, root)) for i in (*demo_set.inputs, *demo_set.uncorrelated))
    async with target.client() as client:
        connection = Connection(client, target.description, emulator, target.identity)
        summary = await plan_from_records(
            source_records(demo_set.source, _adapter_options(demo_set, table, root), inputs),
            table=table,
            connection=connection,
            out=paths.plan,
            source=demo_set.source,
            inputs=inputs,
            options=PlanOptions(budget=DEMO_BUDGET),
            progress=progress,
            correlation=correlation,
        )
        _, applied = await apply_from_plan(paths, connection, refresh=False, progress=progress)
    conversations, legs = _passed_over(paths.plan)
    report.passed_over_conversations += conversations
    report.passed_over_legs += legs
    return SetResult(
        source=demo_set.source,
        mapping=demo_file(demo_set.mapping, root),
        plan=paths.plan,
        records=summary.items,
        outcomes=dict(applied.outcomes),
        api_calls=sum(v for k, v in applied.calls.items() if " " in k),  # "METHOD kind": HTTP requests
        dead_letters=paths.dead_letters if applied.dead_lettered else None,
    )


def _adapter_options(demo_set: DemoSet, table: MappingTable, root: Path | None) -> AdapterOptions:
    from wrapup_bridge.services.inputs import adapter_options

    catalog = str(demo_file(demo_set.catalog, root)) if demo_set.catalog else None
    return adapter_options(table, catalog=catalog)


def _passed_over(plan: Path) -> tuple[int, int]:
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


def _dead_letter_reasons(paths: list[Path], correlation_files: list[Path]) -> Counter[tuple[str, str]]:
    """(class, gist) -> records over the dead-letter files. A correlation's verdict names its file on every record
    ("correlation none in out/demo/five9.correlation.csv: ..."); the gist leaves the file out, the report names it
    once."""
    named = [f" in {file}:" for file in correlation_files]
    reasons: Counter[tuple[str, str]] = Counter()
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                entry = json.loads(line)
                reason = str(entry.get("reason") or "")
                for name in named:
                    reason = reason.replace(name, ":", 1)
                reasons[(str(entry.get("class")), _short(reason))] += 1
    return reasons
