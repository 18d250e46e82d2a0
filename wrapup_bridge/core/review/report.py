"""The mapping review as one document: what the HTML, Markdown and CSV forms each render.

Built once from the check, the coverage and the diff (and, when there is something to say, the authoring
sections of ``report_authoring``: proposed vs existing, what Terraform would create, outbound flags), so the three
forms cannot disagree. The table's sha256 heads it, so an approval ("approved: five9.yaml sha256 3f2a...") names
exactly the bytes that were reviewed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from wrapup_bridge.core.mapping import MappingTable
from wrapup_bridge.core.mapping.table import CompiledRule
from wrapup_bridge.core.review.check import CheckResult
from wrapup_bridge.core.review.correlation import CorrelationReview
from wrapup_bridge.core.review.coverage import CoverageSummary
from wrapup_bridge.core.review.describe import rule_when_text
from wrapup_bridge.core.review.diff import DiffResult
from wrapup_bridge.core.review.findings import Finding

if TYPE_CHECKING:
    from wrapup_bridge.core.review.report_authoring import OutboundReview, ProposalReview, TerraformReview

__all__ = ["ReviewReport", "RuleRow"]


@dataclass(frozen=True)
class RuleRow:
    """One rule as the report's rule table shows it."""

    number: int
    line: int
    when: str
    action: str  #: "map" or "skip"
    alias: str | None
    code_name: str | None
    code_id: str | None
    skip_reason: str | None
    notes: str | None
    hits: int | None  #: None without history
    share: float | None
    findings: tuple[Finding, ...]

    @classmethod
    def build(cls, rule: CompiledRule, check: CheckResult, coverage: CoverageSummary | None) -> RuleRow:
        code = rule.decision.code
        hits = coverage.hits_of(rule.number) if coverage is not None else None
        return cls(
            number=rule.number,
            line=rule.line,
            when=rule_when_text(rule),
            action="map" if code is not None else "skip",
            alias=code.alias if code is not None else None,
            code_name=code.name if code is not None else None,
            code_id=code.id if code is not None else None,
            skip_reason=rule.spec.skip,
            notes=rule.spec.notes,
            hits=hits,
            share=coverage.share(hits) if coverage is not None and hits is not None else None,
            findings=tuple(check.findings_for_rule(rule.number)),
        )


@dataclass(frozen=True)
class ReviewReport:
    check: CheckResult
    coverage: CoverageSummary | None
    diff: DiffResult | None
    generated_at: str
    tool_version: str
    strict: bool = False
    #: "Proposed vs existing": with history and the org's catalog.
    proposals: ProposalReview | None = None
    #: "What Terraform would create": with the org's catalog (shown when the plan is not empty).
    terraform: TerraformReview | None = None
    #: "Outbound flags": when the table has an ``outbound:`` section.
    outbound: OutboundReview | None = None

    @property
    def table(self) -> MappingTable:
        return self.check.table.table

    @property
    def correlation(self) -> CorrelationReview | None:
        """The ``correlate:`` section in effect and its findings (the report's Correlation section); None when the
        table has no section and names no platform."""
        return self.check.correlation

    def rule_rows(self) -> list[RuleRow]:
        return [RuleRow.build(rule, self.check, self.coverage) for rule in self.table.rules]

    def metadata(self) -> list[tuple[str, str]]:
        """Label/value pairs for the report's head, in reading order; every value is plain text."""
        table = self.table
        review = table.review
        source = table.source
        rows: list[tuple[str, str]] = [
            ("Mapping table", table.name),
            ("sha256", table.sha256),
        ]
        if table.document.description:
            rows.append(("Description", table.document.description))
        if source.platform:
            rows.append(("Legacy platform", source.platform + (f" ({source.format})" if source.format else "")))
        rows.append(("Owner", review.owner or "(not set)"))
        rows.append(("Reviewed at", review.reviewed_at.isoformat() if review.reviewed_at else "(not set)"))
        for label, value in (
            ("Approved by", review.approved_by),
            ("Ticket", review.ticket),
            ("Review notes", review.notes),
        ):
            if value:
                rows.append((label, value))
        rows.append(("Unmapped records", table.unmapped.action.value))
        catalog = self.check.catalog
        if catalog is None:
            rows.append(("Org catalog", "none given: code ids, names and queues not checked"))
        else:
            rows.append(("Org catalog", catalog.source))
            rows.append(("Catalog fingerprint", catalog.fingerprint))
            if catalog.exported_at:
                rows.append(("Catalog exported at", catalog.exported_at))
        if self.coverage is not None:
            rows.append(("History", ", ".join(self.coverage.inputs) or "(stdin)"))
        if self.diff is not None:
            rows.append(("Compared with", f"{self.diff.old.name} (sha256 {self.diff.old.sha256})"))
        rows.append(("Generated", f"{self.generated_at} by wrapup-bridge {self.tool_version}"))
        return rows

    @property
    def failed(self) -> bool:
        """Problems a gate should stop on: error findings (warnings too with strict), unmapped or unreadable records,
        and outbound conflicts (dispositions with different redial meanings reaching one code, which is then left
        out of what the table asks of the org's mapping: the Outbound flags section's only error). Conflicts count
        with or without strict, as check errors do and as ``outbound plan`` fails on them; the section's warnings (a
        disposition no rule maps, a code id the org lacks, no legacy listing) do not fail ``outbound plan`` either,
        so strict keeps meaning the check's warnings."""
        coverage = self.coverage
        problems_in_history = coverage is not None and (coverage.kinds.get("unmapped", 0) > 0 or coverage.rejected > 0)
        return self.check.failed(strict=self.strict) or problems_in_history or bool(self.outbound_conflicts)

    @property
    def outbound_conflicts(self) -> int:
        """The Outbound flags section's conflicts (0 without the section)."""
        return len(self.outbound.conflicts) if self.outbound is not None else 0
