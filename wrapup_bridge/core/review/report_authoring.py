"""The review report's authoring sections (issue 15): what ``mapping init`` would propose beside what the table
decides, what ``mapping terraform`` would create, and the outbound flags the table asks for.

A reviewer signing a table wants the three authoring tools' answers on the same page as the check and the coverage,
without running them: a proposal the table overrules is a question worth asking (not an error: the table's people
may know better than names do), a code the org lacks is work before cutover, and a code's outbound flags decide
whether the dialer calls the contact again. Each section is worked out by the tool's own code, never re-implemented
here: ``core.authoring.propose`` (``Tally``, ``propose``) and ``compare`` (``decision_key``, ``decision_text``: what
"decided alike" means for ``mapping init --compare``), ``core.authoring.terraform.plan_terraform``, and
``core.outbound.desired_mapping`` / ``diff_mapping``. Pure: the history, the org's catalog, the legacy dispositions
listing and the org's current outbound mapping are handed in (``services.review`` reads them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from wrapup_bridge.core.authoring.compare import decision_key, decision_text
from wrapup_bridge.core.authoring.propose import (
    DEFAULT_MAX_VALUES,
    DEFAULT_MIN_CONFIDENCE,
    Proposal,
    ProposalKind,
    Tally,
    propose,
)
from wrapup_bridge.core.authoring.similarity import Synonyms
from wrapup_bridge.core.authoring.terraform import TerraformPlan, plan_terraform
from wrapup_bridge.core.decision import Decision
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.mapping import MappingTable
from wrapup_bridge.core.outbound.desired import DesiredMapping, Finding, LegacyDisposition, desired_mapping
from wrapup_bridge.core.outbound.diff import CurrentMapping, OutboundDiff, diff_mapping
from wrapup_bridge.core.review.orgview import OrgCatalog
from wrapup_bridge.core.review.source import ReviewedTable

__all__ = [
    "OutboundReview",
    "ProposalCollector",
    "ProposalReview",
    "ProposalRow",
    "TerraformReview",
    "outbound_review",
    "terraform_review",
]

#: What a TODO value's records meet in the table ``mapping init`` writes (``unmapped: dead-letter``), as
#: ``compare.decision_key`` names it.
_TODO_KEY = "unmapped"


@dataclass(frozen=True)
class ProposalRow:
    """One legacy value: what ``mapping init`` would propose from the org's codes, and what the table decides."""

    value: str  #: the most frequent spelling
    records: int
    label: str  #: ``code-high``, ``code-low``, ``skip`` or ``todo`` (``Proposal.label``)
    proposed: str  #: the proposed code's name, ``skip`` or ``TODO``
    code_id: str | None
    confidence: float | None  #: for a proposed code
    reason: str
    #: The table's decisions for the value's records (``compare.decision_text``, records), most records first.
    decided: tuple[tuple[str, int], ...]
    differing: int  #: records the table decides otherwise than the proposal would

    @property
    def agrees(self) -> bool:
        return self.differing == 0


@dataclass(frozen=True)
class ProposalReview:
    """The "Proposed vs existing" section: one row per legacy value of the history, most frequent first."""

    catalog: str  #: where the org's codes came from
    rows: tuple[ProposalRow, ...]
    records: int
    untracked: int  #: records of values past the tally's limit: counted, not proposed

    @property
    def differing(self) -> tuple[ProposalRow, ...]:
        return tuple(row for row in self.rows if not row.agrees)

    @property
    def agreed_records(self) -> int:
        return sum(row.records - row.differing for row in self.rows)


def _proposal_key(proposal: Proposal) -> str:
    """The decision the proposed table gives the value's records, as ``compare.decision_key`` names it."""
    if proposal.kind is ProposalKind.CODE and proposal.code is not None:
        return f"code:{proposal.code.id.lower()}"
    return "skip" if proposal.kind is ProposalKind.SKIP else _TODO_KEY


@dataclass
class _Decided:
    text: str
    records: int = 0


@dataclass
class ProposalCollector:
    """Counts a history by legacy value as ``mapping init`` does (``Tally``), with the table's decision for each
    record (``add`` it as the coverage resolves it: one resolve per record); ``review`` then proposes."""

    max_values: int = DEFAULT_MAX_VALUES
    tally: Tally = field(init=False)
    #: value key -> decision key -> the decision's text and records
    _decided: dict[str, dict[str, _Decided]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.tally = Tally(max_values=self.max_values)

    def add(self, record: Disposition, decision: Decision) -> None:
        key = self.tally.add(record)
        if key is None:
            return
        decided = self._decided.setdefault(key, {})
        dkey = decision_key(decision)
        entry = decided.get(dkey)
        if entry is None:
            entry = decided[dkey] = _Decided(decision_text(decision))
        entry.records += 1

    def review(
        self,
        catalog: OrgCatalog,
        synonyms: Synonyms | None = None,
        *,
        min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    ) -> ProposalReview:
        proposals = propose(self.tally.values(), catalog.codes.values(), synonyms, min_confidence=min_confidence)
        rows = []
        for proposal in proposals:
            decided = self._decided.get(proposal.value.normalized, {})
            mine = _proposal_key(proposal)
            counts = sorted(((d.text, d.records) for d in decided.values()), key=lambda d: (-d[1], d[0]))
            differing = sum(d.records for key, d in decided.items() if key != mine)
            code = proposal.code if proposal.kind is ProposalKind.CODE else None
            rows.append(
                ProposalRow(
                    value=proposal.value.label,
                    records=proposal.value.count,
                    label=proposal.label,
                    proposed=code.name if code is not None else ("skip" if proposal.label == "skip" else "TODO"),
                    code_id=code.id if code is not None else None,
                    confidence=proposal.confidence if code is not None else None,
                    reason=proposal.reason,
                    decided=tuple(counts),
                    differing=differing,
                )
            )
        return ProposalReview(catalog.source, tuple(rows), self.tally.records, self.tally.untracked)


@dataclass(frozen=True)
class TerraformReview:
    """The "What Terraform would create" section: ``mapping terraform``'s plan and the command that writes it."""

    plan: TerraformPlan
    command: str

    @property
    def shown(self) -> bool:
        return not self.plan.empty


def terraform_review(reviewed: ReviewedTable, catalog: OrgCatalog, command: str) -> TerraformReview:
    return TerraformReview(plan_terraform(reviewed, catalog), command)


@dataclass(frozen=True)
class OutboundReview:
    """The "Outbound flags" section: the flags the table's ``outbound:`` section and rules give each code, the
    findings (conflicts first), and the diff with the org's current mapping when it was read."""

    desired: DesiredMapping
    legacy_catalog: str | None  #: the legacy dispositions listing read (None: none named)
    findings: tuple[Finding, ...]
    diff: OutboundDiff | None
    current_version: int | None
    current_default_set: tuple[str, ...] | None
    #: Why the org's current mapping was not read ("" when it was).
    not_read: str

    @property
    def conflicts(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind.value == "conflict")


_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def outbound_review(
    table: MappingTable,
    legacy: Sequence[LegacyDisposition],
    *,
    legacy_catalog: str | None,
    notes: Sequence[Finding] = (),
    current: CurrentMapping | None = None,
    org_codes: Mapping[str, str] | None = None,
    not_read: str = "",
) -> OutboundReview:
    """The section for ``table`` (which has an ``outbound:`` section) given the legacy listing's dispositions;
    ``notes``: findings about reading the listing; ``current``: the org's mapping when it was read (``org_codes``:
    its codes by id, to flag ids it lacks), else ``not_read`` says why not."""
    desired = desired_mapping(table, legacy)
    diff = diff_mapping(current, desired, org_codes=org_codes) if current is not None else None
    findings = [*notes, *desired.findings, *(diff.findings if diff is not None else ())]
    ordered = sorted(enumerate(findings), key=lambda item: (_SEVERITY_ORDER[item[1].severity], item[0]))
    return OutboundReview(
        desired=desired,
        legacy_catalog=legacy_catalog,
        findings=tuple(f for _, f in ordered),
        diff=diff,
        current_version=current.version if current is not None else None,
        current_default_set=current.default_set if current is not None else None,
        not_read="" if current is not None else (not_read or "the org's current mapping was not read"),
    )
