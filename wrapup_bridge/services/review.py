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

import shlex
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol

from wrapup_bridge.core.clock import utc_now

if TYPE_CHECKING:
    from wrapup_bridge.adapters import Adapter, AdapterError
    from wrapup_bridge.core.disposition import Disposition
    from wrapup_bridge.core.mapping import MappingTable
    from wrapup_bridge.core.outbound.desired import Finding as OutboundFinding
    from wrapup_bridge.core.outbound.desired import LegacyDisposition
    from wrapup_bridge.core.outbound.diff import CurrentMapping
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
    from wrapup_bridge.core.review.report_authoring import OutboundReview, ProposalCollector, ProposalReview
    from wrapup_bridge.services.target import Connection

__all__ = [
    "History",
    "InputHistory",
    "OutboundOrg",
    "build_report",
    "check",
    "coverage_of",
    "diff_of",
    "gather",
    "history_table",
    "outbound_section",
    "read_report_org",
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


def gather(
    history: History,
    coverage: Coverage | None,
    moves: DiffHistory | None,
    proposals: ProposalCollector | None = None,
) -> None:
    """One pass over ``history``, feeding the coverage, the diff and the proposals at once (each record resolved
    once per table); the coverage then carries the history's unreadable count and inputs. ``proposals`` needs the
    coverage (it takes the table's decision the coverage made)."""
    for record in history:
        decision = coverage.resolve(record) if coverage is not None else None
        if moves is not None:
            moves.add(record, decision)
        if proposals is not None and decision is not None:
            proposals.add(record, decision)
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


@dataclass(frozen=True)
class OutboundOrg:
    """The org's outbound wrap-up code mapping as the report reads it: ``current`` when it was read, else
    ``problem`` says why not (no outbound dialing, a permission missing ...)."""

    current: CurrentMapping | None
    problem: str = ""


async def read_report_org(connection: Connection, *, outbound: bool = False) -> tuple[OrgCatalog, OutboundOrg | None]:
    """The org as the report reads it live: its catalog (``services.catalog.export_catalog``) and, with
    ``outbound`` (the table has an ``outbound:`` section), its outbound mapping (``genesys.outbound.read_mapping``:
    read only, ``outbound:wrapUpCodeMapping:view``). A mapping that cannot be read is a note in the report, not a
    failure: the rest of the review stands without it."""
    from wrapup_bridge.genesys.errors import GenesysError
    from wrapup_bridge.genesys.outbound import read_mapping
    from wrapup_bridge.services.catalog import export_catalog

    catalog = (await export_catalog(connection)).view
    if not outbound:
        return catalog, None
    try:
        return catalog, OutboundOrg(await read_mapping(connection.client))
    except (GenesysError, ValueError) as exc:
        return catalog, OutboundOrg(None, f"the org's current mapping could not be read: {exc}")


def _legacy_dispositions(table: MappingTable) -> tuple[str | None, list[LegacyDisposition], list[OutboundFinding]]:
    """The legacy dispositions listing the ``outbound:`` section reads (as ``outbound plan`` finds it), its
    dispositions, and findings when there is none or it cannot be read (the section then shows ``outbound.codes``
    only)."""
    from wrapup_bridge.adapters import AdapterError
    from wrapup_bridge.core.outbound.desired import Finding, FindingKind
    from wrapup_bridge.services.outbound.catalog import read_legacy_catalog
    from wrapup_bridge.services.outbound.plan import catalog_path

    path = catalog_path(table)
    if path is None:
        return (
            None,
            [],
            [
                Finding(
                    FindingKind.NO_FLAGS,
                    "no legacy catalog (outbound.catalog or source.catalog): only outbound.codes decide; the redial "
                    "meaning of each legacy disposition type is not carried",
                )
            ],
        )
    try:
        return path, read_legacy_catalog(path, table.source.platform), []
    except (AdapterError, OSError) as exc:
        return path, [], [Finding(FindingKind.NO_FLAGS, f"the legacy catalog could not be read: {exc}")]


def outbound_section(table: MappingTable, catalog: OrgCatalog | None, org: OutboundOrg | None) -> OutboundReview | None:
    """The report's "Outbound flags" section for ``table`` (None when it has no ``outbound:`` section): the
    desired flags, and the diff with ``org``'s current mapping when it was read."""
    from wrapup_bridge.core.review.report_authoring import outbound_review

    if table.document.outbound is None:
        return None
    path, legacy, notes = _legacy_dispositions(table)
    current = org.current if org is not None else None
    if org is not None and org.problem:
        not_read = org.problem
    elif catalog is None:
        not_read = "no org given: the current mapping was not read (pass --live to compare with the org's)"
    else:
        not_read = "the current mapping was not read: a catalog file holds the codes only (pass --live to compare)"
    org_codes = {code.id: code.name for code in catalog.codes.values()} if catalog is not None else None
    return outbound_review(
        table,
        legacy,
        legacy_catalog=path,
        notes=notes,
        current=current,
        org_codes=org_codes if current is not None else None,
        not_read=not_read,
    )


def build_report(
    reviewed: ReviewedTable,
    *,
    catalog: OrgCatalog | None = None,
    history: History | None = None,
    against: MappingTable | None = None,
    strict: bool = False,
    generated_at: str | None = None,
    today: date | None = None,
    outbound_org: OutboundOrg | None = None,
    org_option: str = "--catalog CATALOG",
) -> ReviewReport:
    """Everything a review page shows: the check against ``catalog`` (the ``correlate:`` section's settings and
    findings included, judged on ``today``), the coverage over ``history`` (and, with ``against``, how many of its
    records the changes move), the changes from ``against``, stamped with the time (``generated_at``, now when
    None) and the tool version. Render it with ``core.review.render_*``.

    The authoring sections (``core.review.report_authoring``): with ``history`` and ``catalog``, what ``mapping
    init`` would propose for each legacy value (the shipped synonyms list); with ``catalog``, what ``mapping
    terraform`` would create (its command written with ``org_option``, how the org was given); with an
    ``outbound:`` section, the flags it asks for, diffed with ``outbound_org``'s current mapping when read."""
    from wrapup_bridge.core.review import Coverage, DiffHistory, ReviewReport, diff_tables
    from wrapup_bridge.core.review.report_authoring import ProposalCollector, terraform_review

    table = reviewed.table
    accumulator: Coverage | None = None
    moves: DiffHistory | None = None
    proposals: ProposalCollector | None = None
    if history is not None:
        accumulator = Coverage(table)
        moves = DiffHistory(against, table) if against is not None else None
        proposals = ProposalCollector() if catalog is not None else None
        gather(history, accumulator, moves, proposals)
    terraform = None
    if catalog is not None:
        command = shlex.join(["wrapup-bridge", "mapping", "terraform", table.name])
        terraform = terraform_review(reviewed, catalog, f"{command} {org_option} --out tf/")
    return ReviewReport(
        check=check(reviewed, catalog, today=today),
        coverage=accumulator.summary() if accumulator is not None else None,
        diff=diff_tables(against, table, moves) if against is not None else None,
        generated_at=generated_at or _now(),
        tool_version=tool_version(),
        strict=strict,
        proposals=_proposals(proposals, catalog),
        terraform=terraform if terraform is not None and terraform.shown else None,
        outbound=outbound_section(table, catalog, outbound_org),
    )


def _proposals(collector: ProposalCollector | None, catalog: OrgCatalog | None) -> ProposalReview | None:
    if collector is None or catalog is None or not len(collector.tally):
        return None
    from wrapup_bridge.services.authoring.init import load_synonyms

    return collector.review(catalog, load_synonyms())
