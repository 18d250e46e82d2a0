"""Checking a table against an org (core.review.check_table): each kind of problem planted in a table is found,
with its severity and YAML line; the shipped tables are clean against the demo org. The ``mapping check``
command is tested in tests/cli/test_mapping_check.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MAPPINGS
from tests.core.review.samples import PLANTED, line_of
from wrapup_bridge.core.review import FindingKind, OrgCatalog, Severity, check_table, load_reviewed

#: (kind, severity, marker, rule number or None): every finding the planted table must produce, and no other.
EXPECTED = {
    ("name-drift", "error", "drift", None),
    ("missing-code", "error", "missing", None),
    ("missing-code", "error", "missing-named", None),
    ("division", "warning", "division", None),
    ("not-on-any-queue", "warning", "division", None),
    ("name-spelling", "warning", "spelling", None),
    ("unused-alias", "warning", "unused", None),
    ("partly-shadowed", "warning", "partly", 2),
    ("duplicate", "error", "duplicate", 3),
    ("queue-not-allowed", "error", "queue", 7),
    ("unknown-queue", "warning", "unknown-queue", 8),
    ("shadowed", "error", "shadowed", 10),
    ("shadowed", "warning", "redundant", 11),
    ("never-matches", "error", "never", 12),
}


def test_every_planted_problem_is_found_on_its_line(planted: Path, org_catalog: OrgCatalog) -> None:
    result = check_table(load_reviewed(planted), org_catalog)
    found = {(f.kind.value, f.severity.value, f.line, f.rule) for f in result.findings}
    expected = {(kind, severity, line_of(PLANTED, marker), rule) for kind, severity, marker, rule in EXPECTED}
    assert found == expected
    assert result.failed()
    assert [f.severity for f in result.findings] == sorted(
        (f.severity for f in result.findings), key=[Severity.ERROR, Severity.WARNING, Severity.INFO].index
    )


def test_messages_say_what_to_do(planted: Path, org_catalog: OrgCatalog) -> None:
    findings = {(f.kind, f.line): f.message for f in check_table(load_reviewed(planted), org_catalog).findings}

    def message(kind: FindingKind, marker: str) -> str:
        return findings[(kind, line_of(PLANTED, marker))]

    assert "'Solved' in the table but 'Resolved' in Genesys" in message(FindingKind.NAME_DRIFT, "drift")
    # a missing id whose name exists in the org points at the id to use
    assert "dd1c84e4-4fa9-40d7-81ac-e0d9a2729d41" in message(FindingKind.MISSING_CODE, "missing-named")
    assert "create the code in Genesys or fix the id" in message(FindingKind.MISSING_CODE, "missing")
    division = message(FindingKind.DIVISION, "division")
    assert "division 'EMEA'" in division and "'Home'" in division
    queue = message(FindingKind.QUEUE_NOT_ALLOWED, "queue")
    assert "'Sale'" in queue and "'Billing'" in queue and "rule #7" in queue
    assert "'Biling'" in message(FindingKind.UNKNOWN_QUEUE, "unknown-queue")
    shadowed = message(FindingKind.SHADOWED, "shadowed")
    assert "rule #9" in shadowed and "'Other'" in shadowed and "follow-up  required" in shadowed
    assert "redundant" in message(FindingKind.SHADOWED, "redundant")
    assert "'Sale'" in message(FindingKind.PARTLY_SHADOWED, "partly")
    assert "'Big Sale'" not in message(FindingKind.PARTLY_SHADOWED, "partly")
    assert "rule #1" in message(FindingKind.DUPLICATE, "duplicate")


def test_codes_summary_names_divisions_and_queues(planted: Path, org_catalog: OrgCatalog) -> None:
    codes = {c.alias: c for c in check_table(load_reviewed(planted), org_catalog).codes}
    assert codes["sale"].queues == ("Sales Outbound", "Support") and codes["sale"].division == "Home"
    assert codes["other"].queues == () and codes["other"].division == "EMEA"
    assert codes["renamed"].status == "drift" and codes["renamed"].catalog_name == "Resolved"
    assert codes["ghost"].status == "missing" and codes["ghost"].rules == (3,)
    assert codes["spelled"].status == "spelling" and codes["spelled"].rules == (8, 9, 11, 13)
    assert codes["unused"].rules == () and not codes["unused"].fallback


@pytest.mark.parametrize("name", ["five9.yaml", "twilio-flex.yaml", "cxone.yaml"])
def test_shipped_tables_are_clean_against_the_demo_org(name: str, org_catalog: OrgCatalog) -> None:
    result = check_table(load_reviewed(MAPPINGS / name), org_catalog)
    assert result.findings == []
    assert all(c.status == "ok" and c.queues for c in result.codes)


def test_without_a_catalog_only_the_table_itself_is_checked(planted: Path) -> None:
    result = check_table(load_reviewed(planted), None)
    kinds = {f.kind for f in result.findings}
    assert FindingKind.NOT_CHECKED in kinds and FindingKind.DUPLICATE in kinds and FindingKind.UNUSED_ALIAS in kinds
    assert not kinds & {FindingKind.MISSING_CODE, FindingKind.NAME_DRIFT, FindingKind.QUEUE_NOT_ALLOWED}
