"""Mapping review for operations leads: check a table against the org, measure it over history, compare
versions, and render it all as one report (HTML, Markdown, CSV).

Pure logic over a loaded ``MappingTable``, an ``OrgCatalog`` view of the org and streams of ``Disposition``: no
network and no adapters here (the CLI feeds those in), so every piece is testable on its own and the same
answers reach the terminal, JSON and the report.
"""

from wrapup_bridge.core.review.check import CheckResult, CodeReview, check_table
from wrapup_bridge.core.review.correlation import CorrelationReview, review_correlation
from wrapup_bridge.core.review.coverage import Coverage, CoverageSummary
from wrapup_bridge.core.review.diff import DiffHistory, DiffResult, diff_tables
from wrapup_bridge.core.review.findings import Finding, FindingKind, Severity
from wrapup_bridge.core.review.orgview import CatalogCode, CatalogQueue, OrgCatalog
from wrapup_bridge.core.review.report import ReviewReport
from wrapup_bridge.core.review.shadowing import find_shadowing
from wrapup_bridge.core.review.source import ReviewedTable, load_reviewed

__all__ = [
    "CatalogCode",
    "CatalogQueue",
    "CheckResult",
    "CodeReview",
    "CorrelationReview",
    "Coverage",
    "CoverageSummary",
    "DiffHistory",
    "DiffResult",
    "Finding",
    "FindingKind",
    "OrgCatalog",
    "ReviewReport",
    "ReviewedTable",
    "Severity",
    "check_table",
    "diff_tables",
    "find_shadowing",
    "load_reviewed",
    "review_correlation",
]
