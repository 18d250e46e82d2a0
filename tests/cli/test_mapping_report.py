"""``mapping report``: one self-contained HTML page (warnings first, a row per rule, coverage figures, the sha256),
everything from exports escaped, and the same content as Markdown and CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.cli.htmltree import by_id, parse, select
from tests.conftest import MAPPINGS
from tests.core.review.samples import ATTRIBUTE, HOSTILE, PLANTED, history_with_markup
from wrapup_bridge.cli import main
from wrapup_bridge.core.review.render_csv import CORRELATION_COLUMNS, CSV_COLUMNS

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


# ---------------------------------------------------------------------------------------------- correlation
DECISION = "A record is matched only when one conversation scores ≥ 0.6 and leads the next by ≥ 0.15"


def report_of(tmp_path: Path, table: Path, *options: str, exit_code: int = 0) -> dict[str, str]:
    result = CliRunner().invoke(
        main,
        [
            "mapping",
            "report",
            str(table),
            *options,
            "--out",
            str(tmp_path / "r.html"),
            "--md",
            str(tmp_path / "r.md"),
            "--csv",
            str(tmp_path / "rules.csv"),
        ],
    )
    assert result.exit_code == exit_code, result.output
    names = ("r.html", "r.md", "rules.csv", "rules.correlation.csv")
    return {name: (tmp_path / name).read_text(encoding="utf-8") for name in names if (tmp_path / name).exists()}


def test_the_correlation_section_shows_the_settings_in_effect(tmp_path: Path, snapshot_file: Path) -> None:
    out = report_of(tmp_path, MAPPINGS / "five9.yaml", "--catalog", str(snapshot_file))
    elements = parse(out["r.html"])
    sections = [e.attrs["id"] for e in select(elements, "section")]
    assert sections.index("codes") < sections.index("correlation")
    section = by_id(elements, "correlation")
    assert "section (line 81)" in section.text and "No findings about correlation." in section.text
    assert by_id(elements, "correlation-decision").text.startswith(DECISION)
    settings = {
        row.text.split(" ")[0]: row.text
        for row in select(elements, "tr", cls="setting", inside=by_id(elements, "correlation-settings"))
    }
    assert settings["require"].startswith("require ani, dnis 86 Parts that must agree")
    assert settings["threshold"].startswith("threshold 0.6 default - The least score")
    assert settings["cutover"].startswith("cutover 2026-03-02 91 ")
    places = [r.text for r in select(elements, "tr", cls="place", inside=by_id(elements, "correlation-fields"))]
    assert places[3].startswith("queue skill or campaign default for five9 - the legacy queue")
    weights = [r.text for r in select(elements, "tr", cls="weight")]
    assert weights[:2] == ["time 3 default -", "ani 4 default -"]
    queues = [r.text for r in select(elements, "tr", cls="correlation-queue")]
    assert queues == [
        "Billing Inbound e0284275-ec9b-4fde-a99c-648c9c1726bc Billing 89",
        "Sales Outbound 1fe52838-127f-42fd-bd21-e6ef4db35835 Sales Outbound 90",
    ]

    md = out["r.md"]
    correlation = md[md.index("## Correlation") :]
    assert f"**{DECISION}" in correlation and "| threshold | 0.6 (default) | - |" in correlation
    assert "| queue | skill or campaign (default for five9) | - |" in correlation
    assert "| Billing Inbound | e0284275-ec9b-4fde-a99c-648c9c1726bc | Billing | 89 |" in correlation

    rows = list(csv.DictReader(io.StringIO(out["rules.correlation.csv"])))
    assert tuple(rows[0]) == CORRELATION_COLUMNS
    by_key = {(r["part"], r["key"]): r for r in rows}
    assert by_key[("decision", "matched")]["value"].startswith(DECISION.removeprefix("A record is "))
    assert (by_key[("setting", "require")]["value"], by_key[("setting", "require")]["line"]) == ("ani, dnis", "86")
    assert by_key[("setting", "margin")]["default"] == "yes" and by_key[("weight", "ani")]["value"] == "4"
    assert by_key[("field", "queue")]["value"] == "skill | campaign"
    assert by_key[("queue", "Sales Outbound")]["meaning"] == "Sales Outbound"
    assert not [r for r in rows if r["part"] == "finding"]
    # the rule table stays one row per rule
    assert [int(r["rule"]) for r in csv.DictReader(io.StringIO(out["rules.csv"]))] == list(range(1, 15))


def test_the_correlation_section_lists_its_findings(tmp_path: Path, snapshot_file: Path) -> None:
    text = (MAPPINGS / "five9.yaml").read_text(encoding="utf-8")
    wrong = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
    text = text.replace("Billing Inbound: e0284275-ec9b-4fde-a99c-648c9c1726bc", f"Billing Inbound: {wrong}")
    text = text.replace("  cutover: 2026-03-02", "  cutover: 2026-03-02\n  margin: 0")
    table = tmp_path / "five9.yaml"
    table.write_text(text, encoding="utf-8")
    out = report_of(tmp_path, table, "--catalog", str(snapshot_file), exit_code=1)
    elements = parse(out["r.html"])
    findings = select(elements, "tr", cls="correlation-finding", inside=by_id(elements, "correlation"))
    assert [f.text.split(" ")[:4] for f in findings] == [
        ["error", "line", "89", "correlate-queue"],
        ["warning", "line", "92", "correlate-margin"],
    ]
    # the same findings head the report with the rules' (an error first)
    top = select(elements, "tr", cls="finding", inside=by_id(elements, "findings"))
    assert [f.text.split(" ")[3] for f in top] == ["correlate-queue", "correlate-margin"]
    assert "a tie is picked" in by_id(elements, "correlation-decision").text
    queue = select(elements, "tr", cls="correlation-queue")[0].text
    assert queue == f"Billing Inbound {wrong} not a queue of the org 89"
    assert "| warning | 92 | correlate-margin |" in out["r.md"]
    rows = [r for r in csv.DictReader(io.StringIO(out["rules.correlation.csv"])) if r["part"] == "finding"]
    assert [(r["key"], r["value"], r["line"]) for r in rows] == [
        ("correlate-queue", "error", "89"),
        ("correlate-margin", "warning", "92"),
    ]


def test_a_platform_table_without_a_section_shows_the_defaults(tmp_path: Path, planted: Path) -> None:
    out = report_of(tmp_path, planted, exit_code=1)
    elements = parse(out["r.html"])
    assert "This table has no correlate: section" in by_id(elements, "correlation").text
    assert by_id(elements, "correlation-decision").text.startswith(DECISION)
    assert "No legacy queue is mapped" in by_id(elements, "correlation").text
    assert all("default" in r.text for r in select(elements, "tr", cls="setting"))
    assert "## Correlation" in out["r.md"] and "rules.correlation.csv" in out


def test_a_table_with_neither_section_nor_platform_has_no_correlation(tmp_path: Path) -> None:
    table = tmp_path / "plain.yaml"
    table.write_text(
        "version: 1\ncodes:\n  sale: {id: 0dd6a32c-c059-4534-97bf-c82d73d9c869, name: Sale}\n"
        "rules:\n  - when: {code: Sale}\n    code: sale\n",
        encoding="utf-8",
    )
    out = report_of(tmp_path, table)
    assert "correlation" not in [e.attrs.get("id") for e in parse(out["r.html"])]
    assert "## Correlation" not in out["r.md"] and "rules.correlation.csv" not in out
