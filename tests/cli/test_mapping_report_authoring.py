"""``mapping report`` with the authoring sections, through the real CLI against the demo org (a `catalog export`
snapshot, or the in-process emulator with --live): proposed vs existing, what Terraform would create (a copy of the
Five9 table with one code renamed to one the org lacks), and the outbound flags with the org's diff; each as a CSV
beside the rule table's with --csv; and an outbound conflict as a problem for the exit code."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.cli.htmltree import by_id, parse, select
from tests.conftest import EXAMPLES, MAPPINGS
from wrapup_bridge.cli import main
from wrapup_bridge.core.review.render_csv import CSV_COLUMNS, OUTBOUND_COLUMNS, PROPOSAL_COLUMNS, TERRAFORM_COLUMNS

ORG = EXAMPLES / "demo-org.yaml"
CALL_LOG = EXAMPLES / "five9" / "call-log.csv"
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")  #: the report's generation time
WRONG_NUMBER = "{id: 975d8cba-c0ba-4e79-848f-dfc9b2829097, name: Wrong Number}"


def renamed_table(tmp_path: Path) -> Path:
    text = (MAPPINGS / "five9.yaml").read_text(encoding="utf-8")
    assert WRONG_NUMBER in text
    text = text.replace(WRONG_NUMBER, "{id: 00000000-0000-4000-8000-00000000abcd, name: 'Misdial & <Wrong>'}")
    listing = (EXAMPLES / "five9" / "dispositions.yaml").as_posix()
    text = text.replace("catalog: ../examples/five9/dispositions.yaml", f"catalog: {listing}")
    path = tmp_path / "five9-renamed.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run_report(tmp_path: Path, table: Path, *org: str, history: bool = True) -> tuple[int, str, str]:
    html, md = tmp_path / "report.html", tmp_path / "report.md"
    args = ["mapping", "report", str(table), *org, "--out", str(html), "--md", str(md)]
    if history:
        args += ["--history", str(CALL_LOG), "--rejects", str(tmp_path / "rejects.jsonl")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, html.read_text(encoding="utf-8"), md.read_text(encoding="utf-8")


def test_catalog_file_shows_proposals_terraform_and_desired_flags(tmp_path: Path, snapshot_file: Path) -> None:
    table = renamed_table(tmp_path)
    _, html, md = run_report(tmp_path, table, "--catalog", str(snapshot_file))
    elements = parse(html)
    summary = by_id(elements, "proposals-summary").text
    assert summary.startswith("17 of 20 records decided alike; 3 of 15 legacy values differ")
    differs = select(elements, "tr", cls="differs", inside=by_id(elements, "proposal-table"))
    assert [row.text.split(" ")[0] for row in differs] == ["Callback", "Declined", "Wrong"]
    wrong = differs[-1].text
    assert "Wrong Number" in wrong and "Misdial & <Wrong>" in wrong  # proposed, then what the table decides
    [new_code] = select(elements, "tr", cls="new-code", inside=by_id(elements, "terraform-codes"))
    assert new_code.text.startswith("genesyscloud_routing_wrapupcode.misdial_wrong Misdial & <Wrong> Home")
    assert by_id(elements, "terraform-command").text == (
        f"wrapup-bridge mapping terraform {table} --catalog {snapshot_file} --out tf/"
    )
    desired = select(elements, "tr", cls="outbound-desired")
    assert len(desired) == 7
    assert "not read" in by_id(elements, "outbound-not-read").text
    assert not [e for e in elements if e.attrs.get("id") == "outbound-diff"]
    assert "<Wrong>" not in html and "&lt;Wrong&gt;" in html  # escaped everywhere
    assert "Misdial &amp; &lt;Wrong&gt;" in md and "<Wrong>" not in md
    assert "## Proposed vs existing" in md and "## What Terraform would create" in md and "## Outbound flags" in md


def test_live_target_shows_the_outbound_diff(tmp_path: Path) -> None:
    _, html, md = run_report(
        tmp_path, MAPPINGS / "five9.yaml", "--live", "--target", "emulator", "--org", str(ORG), history=False
    )
    elements = parse(html)
    changes = {select(elements, "td", inside=row)[1].text: row for row in select(elements, "tr", cls="outbound-change")}
    assert len(changes) == 6  # as `outbound plan` shows on the demo org
    assert "changed" in changes["Sale"].classes and "Right_Party_Contact" in changes["Sale"].text
    assert "added" in changes["Wrong Number"].classes
    assert by_id(elements, "outbound-unchanged").text == "Already right: Do Not Call."
    assert "read at version 4" in by_id(elements, "outbound").text
    assert 'id="terraform"' not in html  # the org has every code the table names
    assert 'id="proposals"' not in html  # no history
    assert "### Against the org (6 changes)" in md


def test_without_an_org_only_the_outbound_section(tmp_path: Path) -> None:
    _, html, md = run_report(tmp_path, renamed_table(tmp_path))
    sections = [e.attrs["id"] for e in select(parse(html), "section")]
    assert "outbound" in sections and "proposals" not in sections and "terraform" not in sections
    assert "no org given" in md


def test_report_is_the_same_bytes_twice(tmp_path: Path, snapshot_file: Path) -> None:
    table = renamed_table(tmp_path)
    outputs = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        _, html, md = run_report(tmp_path / name, table, "--catalog", str(snapshot_file))
        outputs.append([STAMP.sub("<time>", text) for text in (html, md)])
    assert outputs[0] == outputs[1]


# ---------------------------------------------------------------------------------------------- CSV
def report_with_csv(tmp_path: Path, table: Path, csv_name: str, *options: str) -> Result:
    args = ["mapping", "report", str(table), *options, "--out", str(tmp_path / "r.html"), "--csv", csv_name]
    return CliRunner().invoke(main, args)


def csv_rows(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows and tuple(rows[0]) == columns
    return rows


def test_csv_writes_each_section_beside_the_rule_table(tmp_path: Path, snapshot_file: Path) -> None:
    table = renamed_table(tmp_path)
    rules = tmp_path / "five9-rules.csv"
    history = ["--history", str(CALL_LOG), "--rejects", str(tmp_path / "rejects.jsonl")]
    result = report_with_csv(tmp_path, table, str(rules), "--catalog", str(snapshot_file), *history)
    assert result.exit_code == 1, result.output  # the call log has an unmapped record
    written = {
        "correlation": "CSV correlation settings",
        "proposals": "CSV proposed vs existing",
        "terraform": "CSV of what Terraform would create",
        "outbound": "CSV outbound flags",
    }
    for section, what in written.items():
        assert f"wrote the {what} to {tmp_path / f'five9-rules.{section}.csv'}" in result.stderr
    assert sorted(p.name for p in tmp_path.glob("five9-rules*.csv")) == sorted(
        ["five9-rules.csv", *(f"five9-rules.{section}.csv" for section in written)]
    )
    proposals = csv_rows(tmp_path / "five9-rules.proposals.csv", PROPOSAL_COLUMNS)
    assert [r["value"] for r in proposals if r["same"] == "no"] == ["Callback Scheduled", "Declined", "Wrong Number"]
    terraform = csv_rows(tmp_path / "five9-rules.terraform.csv", TERRAFORM_COLUMNS)
    [code] = [r for r in terraform if r["part"] == "code"]
    assert (code["resource"], code["code_name"]) == (
        "genesyscloud_routing_wrapupcode.misdial_wrong",
        "Misdial & <Wrong>",
    )
    assert terraform[0]["meaning"] == f"wrapup-bridge mapping terraform {table} --catalog {snapshot_file} --out tf/"
    outbound = csv_rows(tmp_path / "five9-rules.outbound.csv", OUTBOUND_COLUMNS)
    assert len([r for r in outbound if r["part"] == "code"]) == 7
    assert [r["kind"] for r in outbound if r["part"] == "org"] == ["not-read"]
    # the rule table stays one row per rule
    assert [int(r["rule"]) for r in csv.DictReader(io.StringIO(rules.read_text(encoding="utf-8")))] == list(
        range(1, 15)
    )


def test_csv_with_the_live_org_carries_the_outbound_diff(tmp_path: Path) -> None:
    rules = tmp_path / "rules.csv"
    live = ["--live", "--target", "emulator", "--org", str(ORG)]
    result = report_with_csv(tmp_path, MAPPINGS / "five9.yaml", str(rules), *live)
    assert result.exit_code == 0, result.output
    outbound = csv_rows(tmp_path / "rules.outbound.csv", OUTBOUND_COLUMNS)
    kinds = {r["code_name"]: r["kind"] for r in outbound if r["part"] == "code"}
    assert list(kinds.values()).count("added") + list(kinds.values()).count("changed") == 6  # as the page shows
    assert kinds["Do Not Call"] == "unchanged" and kinds["Sale"] == "changed"
    assert [r["meaning"] for r in outbound if r["part"] == "org"] == ["read at version 4"]
    assert not (tmp_path / "rules.proposals.csv").exists() and not (tmp_path / "rules.terraform.csv").exists()


def test_csv_names_files_it_did_not_write(tmp_path: Path, snapshot_file: Path) -> None:
    """A section file of an earlier report (here one that had proposals) is left, and said not to be this one's."""
    rules = tmp_path / "rules.csv"
    stale = tmp_path / "rules.proposals.csv"
    stale.write_bytes(b"an earlier report's\r\n")
    result = report_with_csv(tmp_path, MAPPINGS / "five9.yaml", str(rules), "--catalog", str(snapshot_file))
    assert result.exit_code == 0, result.output
    assert f"{stale} is not this report's: it has no proposals section" in result.stderr
    assert stale.read_bytes() == b"an earlier report's\r\n"
    assert "rules.terraform.csv" not in result.stderr  # no such file: nothing to say


def test_csv_to_stdout_holds_the_rule_table_only(tmp_path: Path, snapshot_file: Path) -> None:
    result = report_with_csv(tmp_path, renamed_table(tmp_path), "-", "--catalog", str(snapshot_file))
    assert result.exit_code == 1, result.output  # the renamed code is missing from the org
    assert next(csv.reader(io.StringIO(result.stdout))) == list(CSV_COLUMNS)
    assert "the correlation, terraform, outbound CSV not written" in result.stderr
    assert "(--csv FILE)" in result.stderr
    assert not list(tmp_path.glob("*.csv"))


# ---------------------------------------------------------------------------------------------- exit code
def conflict_table(tmp_path: Path) -> Path:
    """Wrong Number (DoNotDial) and Spoke To Spouse (RedialNumber) both reaching one code: an outbound conflict."""
    text = (MAPPINGS / "five9.yaml").read_text(encoding="utf-8")
    listing = (EXAMPLES / "five9" / "dispositions.yaml").as_posix()
    text = text.replace("catalog: ../examples/five9/dispositions.yaml", f"catalog: {listing}")
    old = "{code: [Wrong Number, Dial Error"
    assert old in text
    path = tmp_path / "five9-conflict.yaml"
    path.write_text(text.replace(old, "{code: [Wrong Number, Spoke To Spouse, Dial Error"), encoding="utf-8")
    return path


@pytest.mark.parametrize("strict", [[], ["--strict"]])
def test_an_outbound_conflict_exits_1(tmp_path: Path, snapshot_file: Path, strict: list[str]) -> None:
    args = ["mapping", "report", str(conflict_table(tmp_path)), "--catalog", str(snapshot_file), *strict]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "r.html"), "--md", str(tmp_path / "r.md")])
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[-1].endswith(": 0 errors, 0 warnings; 1 outbound conflict")
    # the page's verdict says why it failed, not only "0 errors, 0 warnings"
    assert "**Problems found**: 0 errors, 0 warnings, " in (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "notes, 1 outbound conflict." in (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "1 outbound conflict<" in (tmp_path / "r.html").read_text(encoding="utf-8")
    # the same table with the conflict settled in outbound.codes is all good
    text = (tmp_path / "five9-conflict.yaml").read_text(encoding="utf-8")
    settled = tmp_path / "five9-settled.yaml"
    settled.write_text(
        text.replace("  codes:\n", "  codes:\n    wrong_number: [NUMBER_UNCALLABLE]\n", 1), encoding="utf-8"
    )
    args[2] = str(settled)
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    assert "outbound conflict" not in result.stderr


def test_outbound_warnings_do_not_exit_1_even_with_strict(tmp_path: Path, snapshot_file: Path) -> None:
    """The shipped table's section warns of a disposition no rule maps; --strict is about the check's warnings."""
    result = CliRunner().invoke(
        main,
        ["mapping", "report", str(MAPPINGS / "five9.yaml"), "--catalog", str(snapshot_file), "--strict", "--out",
         str(tmp_path / "r.html"), "--md", str(tmp_path / "r.md")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "| warning | unreached |" in (tmp_path / "r.md").read_text(encoding="utf-8")


def test_an_invalid_flag_is_a_table_error_exit_2(tmp_path: Path) -> None:
    """A flag that is none of the six never reaches the section: the table does not load (file, line, field)."""
    text = (MAPPINGS / "five9.yaml").read_text(encoding="utf-8")
    old = "    FinalDisp: [RIGHT_PARTY_CONTACT]"
    assert old in text
    path = tmp_path / "five9-flag.yaml"
    path.write_text(text.replace(old, "    FinalDisp: [RIGHT_PARTY]"), encoding="utf-8")
    line = text[: text.index(old)].count("\n") + 1
    result = CliRunner().invoke(main, ["mapping", "report", str(path), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 2, result.output
    assert f"{path}:{line}: outbound.types.FinalDisp[0]: 'RIGHT_PARTY' is not an outbound flag" in result.stderr
    assert not (tmp_path / "r.html").exists()
