"""``mapping report``: one self-contained HTML page (warnings first, a row per rule, coverage figures, the sha256),
everything from exports escaped, and the same content as Markdown and CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.cli.htmltree import by_id, parse, select
from tests.core.review.samples import ATTRIBUTE, HOSTILE, PLANTED, history_with_markup
from wrapup_bridge.cli import main
from wrapup_bridge.core.review.render_csv import CSV_COLUMNS

RULES = PLANTED.count("  - when:")


@pytest.fixture
def outputs(tmp_path: Path, planted: Path, snapshot_file: Path) -> dict[str, str]:
    older = tmp_path / "older.yaml"
    older.write_text(PLANTED.replace("  - when: {code: Paid}\n    code: moved\n", ""), encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            "mapping",
            "report",
            str(planted),
            "--history",
            str(history_with_markup(tmp_path)),
            "--catalog",
            str(snapshot_file),
            "--against",
            str(older),
            "--out",
            str(tmp_path / "report.html"),
            "--md",
            str(tmp_path / "report.md"),
            "--csv",
            str(tmp_path / "rules.csv"),
            "--rejects",
            str(tmp_path / "rejects.jsonl"),
        ],
    )
    assert result.exit_code == 1, result.output  # the planted table has errors
    return {
        name: (tmp_path / name).read_text(encoding="utf-8") for name in ("report.html", "report.md", "rules.csv")
    } | {"sha256": next(line for line in result.output.splitlines() if "sha256" in line)}


def test_html_structure_warnings_first_rules_coverage_sha(outputs: dict[str, str], planted: Path) -> None:
    import hashlib

    html = outputs["report.html"]
    elements = parse(html)
    assert by_id(elements, "sha256").text == hashlib.sha256(planted.read_bytes()).hexdigest()
    sections = [e.attrs["id"] for e in select(elements, "section")]
    assert sections[:3] == ["findings", "coverage", "rules"] and "diff" in sections
    findings = select(elements, "tr", cls="finding")
    assert len(findings) == 14
    assert [f.classes - {"finding"} for f in findings[:7]] == [{"error"}] * 7
    assert any("'Solved' in the table but 'Resolved' in Genesys" in f.text for f in findings)
    rule_rows = select(elements, "tr", cls="rule", inside=by_id(elements, "rule-table"))
    assert len(rule_rows) == RULES
    assert rule_rows[0].text.startswith("#1 14 code = 'Sale' Sale (sale) 0dd6a32c-c059-4534-97bf-c82d73d9c869")
    assert "has-error" in by_id(elements, "rule-10").classes  # shadowed with another outcome
    assert by_id(elements, "cov-records").text == "23 records read"
    assert by_id(elements, "cov-unmapped").text == "21 unmapped (91.3%)"
    assert by_id(elements, "cov-mapped").text == "2 mapped (8.7%)"
    assert "Rules never hit" in by_id(elements, "coverage").text
    assert "Paid" in by_id(elements, "diff").text  # the rule the older table did not have


def test_values_from_exports_are_escaped(outputs: dict[str, str]) -> None:
    html = outputs["report.html"]
    elements = parse(html)
    assert select(elements, "script") == [] and select(elements, "img") == []
    assert not [e for e in elements if any(name.startswith("on") for name in e.attrs)]
    unmapped = by_id(elements, "unmapped-table").text
    assert HOSTILE in unmapped and ATTRIBUTE in unmapped  # shown as text a person can read
    assert "&lt;script&gt;" in html and "<script>" not in html


def test_html_is_self_contained(outputs: dict[str, str]) -> None:
    elements = parse(outputs["report.html"])
    for element in elements:
        for name in ("src", "href"):
            assert name not in element.attrs, element
    assert select(elements, "link") == [] and len(select(elements, "style")) == 1
    assert "http://" not in outputs["report.html"] and "https://" not in outputs["report.html"]


def test_markdown_has_the_same_sections_escaped(outputs: dict[str, str], planted: Path) -> None:
    md = outputs["report.md"]
    for heading in (
        "## Findings",
        "## Coverage over history",
        "### Top unmapped values",
        "## Rules",
        "## Changes against",
    ):
        assert heading in md
    assert "<script>" not in md and "&lt;script&gt;" in md
    rule_lines = [line for line in md.splitlines() if line.startswith("| #")]
    assert len(rule_lines) == RULES + 1  # the header row and one per rule
    assert "\\| 'Big Sale'" in md  # an any-of list's separator cannot break the table


def test_csv_is_one_row_per_rule_with_hits(outputs: dict[str, str]) -> None:
    rows = list(csv.DictReader(io.StringIO(outputs["rules.csv"])))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [int(r["rule"]) for r in rows] == list(range(1, RULES + 1))
    assert rows[0]["code_id"] == "0dd6a32c-c059-4534-97bf-c82d73d9c869" and rows[0]["hits"] == "2"
    assert "error shadowed" in rows[9]["findings"]
    assert rows[11]["action"] == "skip" and rows[11]["skip_reason"] == "Contradicts itself."


def test_report_without_history_or_catalog_says_so(tmp_path: Path, planted: Path) -> None:
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["mapping", "report", str(planted), "--out", str(out)])
    assert result.exit_code == 1
    elements = parse(out.read_text(encoding="utf-8"))
    assert "No history given" in by_id(elements, "coverage").text
    assert "none given" in " ".join(e.text for e in select(elements, "dd"))
    assert all("-" in r.text for r in select(elements, "tr", cls="rule"))
