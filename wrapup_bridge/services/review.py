"""Mapping review as library code: check a table against the org, measure it over history, compare two versions,
and gather it all into one report.

``core.review`` holds the pure pieces (a check, a coverage accumulator, a diff, a report model); this module is the
work a review runs on top of them: one pass over a history feeding the coverage and the diff at once (each record
resolved once per table), which table's ``source:`` reads a history, and the report's provenance (when, which
tool version). ``wrapup-bridge mapping check|coverage|diff|report`` add only options, printing and exit codes;
a notebook, CI job or test calls these functions the same way.

The org comes from ``services.catalog`` (a snapshot file, or an export on a connection); history is any stream of
``Disposition`` that counts what it could not read (``History``): ``InputHistory`` reads export files through
``services.inputs`` (the one inputs -> adapter path), handing each unreadable record to the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol

from wrapup_bridge.core.clock import utc_now

if TYPE_CHECKING:
    from wrapup_bridge.adapters import Adapter, AdapterError
    from wrapup_bridge.core.disposition import Disposition
    from wrapup_bridge.core.mapping import MappingTable
    from wrapup_bridge.core.review import (
        CheckResult,
        Coverage,
        CoverageSummary,
        DiffHistory,
        DiffResult,
        OrgCatalog,
        ReviewedTable,
        ReviewReport,
    )

__all__ = [
    "History",
    "InputHistory",
    "build_report",
    "check",
    "coverage_of",
    "diff_of",
    "gather",
    "history_table",
    "tool_version",
]


class History(Protocol):
    """Dispositions read from legacy exports. ``rejected`` counts the records that could not be read (kept
    elsewhere with their reasons) and is final once iteration ends; ``inputs`` names what was read."""

    @property
    def inputs(self) -> Sequence[str]: ...

    @property
    def rejected(self) -> int: ...

    def __iter__(self) -> Iterator[Disposition]: ...


@dataclass
class InputHistory:
    """A ``History`` read from export files (``-`` is stdin) through ``adapter`` by ``services.inputs.read_inputs``:
    each record that cannot be read is counted, then handed to ``on_reject`` (to keep it in a rejects file, print
    it, collect it), never dropped silently. Reading raises what ``read_inputs`` raises (``OptionError``,
    ``InputError``, ``InputDecodeError``). Iterate it once."""

    adapter: Adapter
    inputs: tuple[str, ...]
    encoding: str | None = None
    on_reject: Callable[[AdapterError], None] | None = None
    rejected: int = 0

    def __iter__(self) -> Iterator[Disposition]:
        from wrapup_bridge.adapters import AdapterError
        from wrapup_bridge.services.inputs import read_inputs

        for record in read_inputs(self.adapter, self.inputs, encoding=self.encoding):
            result = record.result
            if isinstance(result, AdapterError):
                self.rejected += 1
                if self.on_reject is not None:
                    self.on_reject(result)
                continue
            yield result


def check(reviewed: ReviewedTable, catalog: OrgCatalog | None = None, *, today: date | None = None) -> CheckResult:
    """The table checked against itself and, when given, the org (``services.catalog`` loads or exports one),
    its ``correlate:`` section included; ``today`` (UTC today when None) is what the section's cutover and
    retention are judged on."""
    from wrapup_bridge.core.review import check_table

    return check_table(reviewed, catalog, today=today)


def gather(history: History, coverage: Coverage | None, moves: DiffHistory | None) -> None:
    """One pass over ``history``, feeding the coverage and the diff at once (each record resolved once per
    table); the coverage then carries the history's unreadable count and inputs."""
    for record in history:
        decision = coverage.resolve(record) if coverage is not None else None
        if moves is not None:
            moves.add(record, decision)
    if coverage is not None:
        coverage.rejected = history.rejected
        coverage.inputs = list(history.inputs)


def coverage_of(table: MappingTable, history: History, *, suggest: int = 20) -> CoverageSummary:
    """How ``table`` decides a whole history: shares per decision, hits per rule, unmapped values (look-alike
    known values suggested for the ``suggest`` most frequent). Memory grows with distinct values, not records."""
    from wrapup_bridge.core.review import Coverage

    accumulator = Coverage(table)
    gather(history, accumulator, None)
    return accumulator.summary(suggest=suggest)


def history_table(old: MappingTable, new: MappingTable) -> MappingTable:
    """The table whose ``source:`` reads a history both are compared over: NEW's, unless only OLD names a
    platform."""
    return new if new.source.platform or not old.source.platform else old


def diff_of(old: MappingTable, new: MappingTable, history: History | None = None) -> DiffResult:
    """Per legacy value, what OLD and NEW decide; with a history, how many of its records each change moves."""
    from wrapup_bridge.core.review import DiffHistory, diff_tables

    moves: DiffHistory | None = None
    if history is not None:
        moves = DiffHistory(old, new)
        gather(history, None, moves)
    return diff_tables(old, new, moves)


def tool_version() -> str:
    """The installed wrapup-bridge's version, as reports record it ("unknown" when run from an uninstalled tree)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("wrapup-bridge")
    except PackageNotFoundError:
        return "unknown"


def _now() -> str:
    return utc_now().replace(microsecond=0).isoformat().replace("+00:00", "Z")


def build_report(
    reviewed: ReviewedTable,
    *,
    catalog: OrgCatalog | None = None,
    history: History | None = None,
    against: MappingTable | None = None,
    strict: bool = False,
    generated_at: str | None = None,
    today: date | None = None,
) -> ReviewReport:
    """Everything a review page shows: the check against ``catalog`` (the ``correlate:`` section's settings and
    findings included, judged on ``today``), the coverage over ``history`` (and, with ``against``, how many of its
    records the changes move), the changes from ``against``, stamped with the time (``generated_at``, now when
    None) and the tool version. Render it with ``core.review.render_*``."""
    from wrapup_bridge.core.review import Coverage, DiffHistory, ReviewReport, diff_tables

    table = reviewed.table
    accumulator: Coverage | None = None
    moves: DiffHistory | None = None
    if history is not None:
        accumulator = Coverage(table)
        moves = DiffHistory(against, table) if against is not None else None
        gather(history, accumulator, moves)
    return ReviewReport(
        check=check(reviewed, catalog, today=today),
        coverage=accumulator.summary() if accumulator is not None else None,
        diff=diff_tables(against, table, moves) if against is not None else None,
        generated_at=generated_at or _now(),
        tool_version=tool_version(),
        strict=strict,
    )
