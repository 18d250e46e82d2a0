"""What a review says about a table: findings with a severity, the YAML line, and a message a person can act on.

Findings are data, not text, so the terminal, JSON, HTML, Markdown and CSV forms all say the same thing and a
script can gate on them (``--json``: kind, severity, line).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = ["CORRELATE_KINDS", "Finding", "FindingKind", "Severity", "count_by_severity", "sort_findings"]


class Severity(StrEnum):
    ERROR = "error"  #: the table does something its reviewers do not expect, or Genesys will refuse: fix before use
    WARNING = "warning"  #: probably a mistake or a risk; ``--strict`` treats it as an error
    INFO = "info"  #: context a reviewer should see (which division a code is in, what was not checked)


_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


class FindingKind(StrEnum):
    MISSING_CODE = "missing-code"  #: the id is not a wrap-up code of the org
    NAME_DRIFT = "name-drift"  #: the id exists but Genesys now calls it something else
    NAME_SPELLING = "name-spelling"  #: same name up to case, spacing or quotes
    DIVISION = "division"  #: the code lives in another division than the queues it is used on
    NOT_ON_ANY_QUEUE = "not-on-any-queue"  #: no queue has the code assigned
    QUEUE_NOT_ALLOWED = "queue-not-allowed"  #: a rule scoped to a queue maps to a code that queue does not allow
    UNKNOWN_QUEUE = "unknown-queue"  #: a rule's queue condition names no queue of the catalog
    SHADOWED = "shadowed"  #: the rule can never match: earlier rules take every record it would
    PARTLY_SHADOWED = "partly-shadowed"  #: some of the rule's values never reach it
    DUPLICATE = "duplicate"  #: the same conditions as an earlier rule
    NEVER_MATCHES = "never-matches"  #: the rule's own conditions contradict each other
    UNUSED_ALIAS = "unused-alias"  #: a code alias no rule and no fallback uses
    NOT_CHECKED = "not-checked"  #: what could not be checked without a catalog
    # The ``correlate:`` section (core.review.correlation): how records without a conversation id are matched.
    CORRELATE_QUEUE = "correlate-queue"  #: a ``correlate.queues`` id is no queue of the org
    CORRELATE_CUTOVER = "correlate-cutover"  #: the cutover is after today: every record is before-cutover
    CORRELATE_RETENTION = "correlate-retention"  #: the retention reaches back past the cutover
    CORRELATE_REQUIRE = "correlate-require"  #: a required part is always unknown, so requiring it does nothing
    CORRELATE_THRESHOLD = "correlate-threshold"  #: threshold + margin > 1: two passing conversations never match
    CORRELATE_MARGIN = "correlate-margin"  #: margin 0: any lead, however small, matches (only an exact tie does not)
    CORRELATE_LEGACY_ID = "correlate-legacy-id"  #: where the legacy id is read and whether the search can see it


#: The kinds about the ``correlate:`` section, which the report also lists in its Correlation section.
CORRELATE_KINDS = frozenset(kind for kind in FindingKind if kind.value.startswith("correlate-"))


@dataclass(frozen=True)
class Finding:
    """One thing a reviewer should know, anchored to a line of the table file."""

    kind: FindingKind
    severity: Severity
    line: int
    message: str
    rule: int | None = None  #: rule number (1-based) when the finding is about a rule
    alias: str | None = None  #: code alias when the finding is about a code
    code_id: str | None = None

    def to_dict(self, file: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind.value,
            "severity": self.severity.value,
            "line": self.line,
            "message": self.message,
            "rule": self.rule,
            "alias": self.alias,
            "code_id": self.code_id,
        }
        if file is not None:
            out["file"] = file
        return out


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Errors first, then warnings, then context; within each, in file order."""
    return sorted(findings, key=lambda f: (_ORDER[f.severity], f.line, f.rule or 0, f.kind.value))


def count_by_severity(findings: list[Finding]) -> dict[str, int]:
    counts = {s.value: 0 for s in Severity}
    for finding in findings:
        counts[finding.severity.value] += 1
    return counts
