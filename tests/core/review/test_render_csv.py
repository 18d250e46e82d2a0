"""The report's authoring sections as CSV (core.review.render_csv): one file each beside the rule table's, with the
documented columns, the same rows the HTML and Markdown sections show, only when the report has the section, and
every cell safe to open in a spreadsheet. Reports are built by ``services.review.build_report`` from the real tools
over the shipped Five9 table, its call log and the demo org."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, MAPPINGS
from tests.core.review.samples import edited
from wrapup_bridge.core.mapping import MappingTable
from wrapup_bridge.core.outbound.diff import CurrentMapping
from wrapup_bridge.core.review import OrgCatalog, load_reviewed
from wrapup_bridge.core.review.render_csv import (
    CORRELATION_COLUMNS,
    CSV_SECTIONS,
    OUTBOUND_COLUMNS,
    PROPOSAL_COLUMNS,
    TERRAFORM_COLUMNS,
    correlation_csv_path,
    render_correlation_csv,
    render_outbound_csv,
    render_proposals_csv,
    render_terraform_csv,
    section_csv_path,
    section_csvs,
)
from wrapup_bridge.core.review.report import ReviewReport
from wrapup_bridge.services.inputs import adapter_options, build_adapter
from wrapup_bridge.services.review import InputHistory, OutboundOrg, build_report

CALL_LOG = EXAMPLES / "five9" / "call-log.csv"
LISTING = EXAMPLES / "five9" / "dispositions.yaml"
#: The listing is named relative to the table: a table copied elsewhere names it by its absolute path.
ABSOLUTE_LISTING = ("catalog: ../examples/five9/dispositions.yaml", f"catalog: {LISTING.as_posix()}")
SALE = "0dd6a32c-c059-4534-97bf-c82d73d9c869"
DO_NOT_CALL = "2d4579fe-90cf-4f1d-a7e3-deeab99a14f8"
NOT_INTERESTED = "ea3d9d20-48ec-4042-9e19-cfdf06744ffa"
WRONG_NUMBER = "{id: 975d8cba-c0ba-4e79-848f-dfc9b2829097, name: Wrong Number}"
NEW_ID = "00000000-0000-4000-8000-00000000abcd"


def report_of(
    path: Path,
    catalog: OrgCatalog | None,
    *,
    history: Path | None = CALL_LOG,
    org: OutboundOrg | None = None,
) -> ReviewReport:
    reviewed = load_reviewed(path)
    return build_report(
        reviewed,
        catalog=catalog,
        history=call_log(reviewed.table, history) if history is not None else None,
        generated_at="2026-01-01T00:00:00Z",
        outbound_org=org,
        org_option="--catalog demo.json",
    )


def call_log(table: MappingTable, path: Path) -> InputHistory:
    options = adapter_options(table, "five9")
    return InputHistory(build_adapter("five9", options), (str(path),), options.encoding)


def rows_of(text: str | None, columns: tuple[str, ...]) -> list[dict[str, str]]:
    assert text is not None
    assert text.endswith("\r\n")
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    assert tuple(header) == columns
    rows = list(reader)
    assert all(len(row) == len(columns) for row in rows)  # no cell spills into another column
    return [dict(zip(columns, row, strict=True)) for row in rows]


def renamed(tmp_path: Path, name: str = "Wrong Number Dialed") -> Path:
    """The Five9 table with its Wrong Number code renamed to one the demo org lacks (a new id)."""
    return edited(tmp_path, "five9-renamed.yaml", (WRONG_NUMBER, f"{{id: {NEW_ID}, name: {name!r}}}"), ABSOLUTE_LISTING)


# ------------------------------------------------------------------------------------------ file names
@pytest.mark.parametrize(
    ("rules", "section", "beside"),
    [
        ("out/rules.csv", "proposals", "out/rules.proposals.csv"),
        ("out/RULES.CSV", "terraform", "out/RULES.terraform.csv"),
        ("out/rules", "outbound", "out/rules.outbound.csv"),
        ("five9.review.csv", "correlation", "five9.review.correlation.csv"),
    ],
)
def test_each_section_goes_beside_the_rule_table(rules: str, section: str, beside: str) -> None:
    assert section_csv_path(rules, section) == Path(beside)


def test_correlation_path_is_one_of_them() -> None:
    assert correlation_csv_path("x/rules.csv") == section_csv_path("x/rules.csv", "correlation")
    assert CSV_SECTIONS == ("correlation", "proposals", "terraform", "outbound")


# ------------------------------------------------------------------------------------------ which sections
def test_only_the_sections_the_report_has(tmp_path: Path, org_catalog: OrgCatalog) -> None:
    full = report_of(renamed(tmp_path), org_catalog)
    assert [section for section, _, _ in section_csvs(full)] == list(CSV_SECTIONS)
    shipped = report_of(MAPPINGS / "five9.yaml", org_catalog, history=None)  # nothing to create, no history
    assert (render_proposals_csv(shipped), render_terraform_csv(shipped)) == (None, None)
    assert [section for section, _, _ in section_csvs(shipped)] == ["correlation", "outbound"]
    text = (MAPPINGS / "five9.yaml").read_text(encoding="utf-8")
    bare = tmp_path / "no-outbound.yaml"
    bare.write_text(text[: text.index("# --- outbound dialer semantics")], encoding="utf-8")
    assert render_outbound_csv(report_of(bare, None, history=None)) is None
    for section, _, csv_text in section_csvs(full):
        columns = {
            "correlation": CORRELATION_COLUMNS,
            "proposals": PROPOSAL_COLUMNS,
            "terraform": TERRAFORM_COLUMNS,
            "outbound": OUTBOUND_COLUMNS,
        }[section]
        assert rows_of(csv_text, columns)
    assert section_csvs(full)[0][2] == render_correlation_csv(full)


# ------------------------------------------------------------------------------------------ proposed vs existing
def test_proposals_one_row_per_legacy_value(org_catalog: OrgCatalog) -> None:
    """The figures of the section (and of `mapping init --compare`): 18 of 20 records alike, Callback Scheduled on
    the Billing campaign and Declined differ."""
    report = report_of(MAPPINGS / "five9.yaml", org_catalog)
    assert report.proposals is not None
    rows = rows_of(render_proposals_csv(report), PROPOSAL_COLUMNS)
    assert [r["value"] for r in rows] == [r.value for r in report.proposals.rows]  # every value, most records first
    assert sum(int(r["records"]) for r in rows) == 20
    assert sum(int(r["records"]) - int(r["differing"]) for r in rows) == 18
    by_value = {r["value"]: r for r in rows}
    assert by_value["Callback Scheduled"] == {
        "value": "Callback Scheduled",
        "records": "2",
        "label": "code-high",
        "proposed": "Callback Scheduled",
        "code_id": "0b1f3790-be06-42fd-9aaf-6ec4a380626b",
        "confidence": "1.000000",
        "reason": "same name (ignoring case, spacing and quotes)",
        "decided": "Callback Scheduled x1; Follow-up Required x1",
        "differing": "1",
        "same": "no",
    }
    declined = by_value["Declined"]
    assert (declined["label"], declined["proposed"], declined["code_id"], declined["confidence"]) == (
        "todo",
        "TODO",
        "",
        "",
    )
    assert (declined["decided"], declined["differing"], declined["same"]) == ("skip x1", "1", "no")
    assert by_value["No Disposition"]["proposed"] == "skip" and by_value["No Disposition"]["same"] == "yes"
    assert by_value["Spoke To Spouse"]["decided"] == "unmapped (dead letter) x1"
    assert [r["value"] for r in rows if r["same"] == "no"] == ["Callback Scheduled", "Declined"]


def test_records_of_values_past_the_tally_limit_are_one_last_row(org_catalog: OrgCatalog) -> None:
    """Free text in the disposition column: values past the first 5,000 are counted, not kept; a spreadsheet of the
    section still adds up to the history's records."""
    report = report_of(MAPPINGS / "five9.yaml", org_catalog)
    assert report.proposals is not None
    shown = len(report.proposals.rows)
    crowded = dataclasses.replace(report, proposals=dataclasses.replace(report.proposals, untracked=7))
    rows = rows_of(render_proposals_csv(crowded), PROPOSAL_COLUMNS)
    last = rows[-1]
    assert (last["value"], last["records"], last["label"], last["proposed"]) == (
        f"(values past the first {shown})",
        "7",
        "untracked",
        "TODO",
    )
    assert sum(int(r["records"]) for r in rows) == 20 + 7
    assert rows_of(render_proposals_csv(report), PROPOSAL_COLUMNS)[-1]["label"] != "untracked"


# ------------------------------------------------------------------------------------------ terraform
def test_terraform_codes_to_create_and_the_command(tmp_path: Path, org_catalog: OrgCatalog) -> None:
    path = renamed(tmp_path)
    report = report_of(path, org_catalog)
    assert report.terraform is not None
    rows = rows_of(render_terraform_csv(report), TERRAFORM_COLUMNS)
    assert rows[0]["part"] == "command"
    assert rows[0]["meaning"] == f"wrapup-bridge mapping terraform {path} --catalog demo.json --out tf/"
    [code] = [r for r in rows if r["part"] == "code"]
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if NEW_ID in text)
    assert code == {
        "part": "code",
        "resource": "genesyscloud_routing_wrapupcode.wrong_number_dialed",
        "code_name": "Wrong Number Dialed",
        "code_id": "",
        "division": "Home",
        "queue_name": "",
        "queue_id": "",
        "aliases": "wrong_number",
        "rules": "6",
        "line": str(line),
        "meaning": report.terraform.plan.new_codes[0].division_reason,
    }
    remarks = [r for r in rows if r["part"] == "remark"]
    assert [(r["line"], r["meaning"]) for r in remarks] == [
        (str(remark.line), remark.message) for remark in report.terraform.plan.remarks
    ]
    assert [r["part"] for r in rows] == ["command", "code", *["remark"] * len(remarks)]


def test_terraform_queue_assignments(tmp_path: Path, org_catalog: OrgCatalog) -> None:
    """A queue-scoped rule whose code the queue does not allow: one row per queue and code."""
    path = edited(
        tmp_path,
        "five9-queue.yaml",
        ("  - when: {code: Not Interested}\n", "  - when: {code: Not Interested, queue: Support}\n"),
        ABSOLUTE_LISTING,
    )
    report = report_of(path, org_catalog, history=None)
    assert report.terraform is not None
    [need] = report.terraform.plan.queues
    [queue] = [r for r in rows_of(render_terraform_csv(report), TERRAFORM_COLUMNS) if r["part"] == "queue"]
    assert (queue["queue_name"], queue["queue_id"], queue["division"]) == ("Support", need.queue.id, "Home")
    assert (queue["code_name"], queue["code_id"], queue["resource"], queue["rules"]) == (
        "Not Interested",
        NOT_INTERESTED,
        "",
        "5",
    )
    assert queue["meaning"] == "allow the code on the queue"


# ------------------------------------------------------------------------------------------ outbound
def test_outbound_without_the_org_mapping(org_catalog: OrgCatalog) -> None:
    report = report_of(MAPPINGS / "five9.yaml", org_catalog, history=None)
    assert report.outbound is not None
    rows = rows_of(render_outbound_csv(report), OUTBOUND_COLUMNS)
    assert [r["part"] for r in rows[:2]] == ["listing", "org"]
    assert Path(rows[0]["meaning"]).resolve() == LISTING.resolve()
    assert (rows[1]["kind"], rows[1]["meaning"]) == ("not-read", report.outbound.not_read)
    findings = [r for r in rows if r["part"] == "finding"]
    assert [(r["kind"], r["severity"], r["disposition"]) for r in findings] == [
        ("unreached", "warning", "Spoke To Spouse"),
        ("dropped", "info", "Callback Scheduled"),
    ]
    assert [r["meaning"] for r in findings] == [f.message for f in report.outbound.findings]
    codes = {r["code_name"]: r for r in rows if r["part"] == "code"}
    assert len(codes) == len(report.outbound.desired.entries) == 7
    sale = codes["Sale"]
    assert (sale["code_id"], sale["alias"], sale["wanted"]) == (SALE, "sale", "RIGHT_PARTY_CONTACT + BUSINESS_SUCCESS")
    assert (sale["kind"], sale["now"]) == ("", "")  # the org's mapping was not read
    assert sale["meaning"] == "outbound.codes.sale: RIGHT_PARTY_CONTACT + BUSINESS_SUCCESS"
    assert codes["Callback Scheduled"]["wanted"] == "(no flags)"
    assert rows[-1] == {
        "part": "default-set",
        "kind": "",
        "severity": "",
        "code_name": "",
        "code_id": "",
        "alias": "",
        "disposition": "",
        "now": "",
        "wanted": "",
        "meaning": "left as the org has it (the table does not set it)",
    }


def test_outbound_diff_against_the_org_mapping(tmp_path: Path, org_catalog: OrgCatalog) -> None:
    """The org's mapping read: each code's change and its flags there (what `outbound plan` shows), the
    defaultSet the table sets against the org's."""
    path = edited(
        tmp_path,
        "five9-default-set.yaml",
        ("  codes:\n    sale:", "  default_set: []\n  codes:\n    sale:"),
        ("    sale: [RIGHT_PARTY_CONTACT, BUSINESS_SUCCESS]\n", "    sale: [RIGHT_PARTY_CONTACT, BUSINESS_SUCCESS]\n"
         "    wrong_number: default\n"),
        ABSOLUTE_LISTING,
    )  # fmt: skip
    current = CurrentMapping.from_json(
        {
            "version": 7,
            "defaultSet": ["CONTACT_UNCALLABLE"],
            "mapping": {
                SALE: ["Right_Party_Contact"],
                DO_NOT_CALL: ["contact_uncallable"],
                "975d8cba-c0ba-4e79-848f-dfc9b2829097": ["NUMBER_UNCALLABLE"],
            },
        }
    )
    report = report_of(path, org_catalog, history=None, org=OutboundOrg(current))
    assert report.outbound is not None and report.outbound.diff is not None
    rows = rows_of(render_outbound_csv(report), OUTBOUND_COLUMNS)
    assert (rows[1]["part"], rows[1]["kind"], rows[1]["meaning"]) == ("org", "read", "read at version 7")
    codes = {r["code_name"]: r for r in rows if r["part"] == "code"}
    assert (codes["Sale"]["kind"], codes["Sale"]["now"], codes["Sale"]["wanted"]) == (
        "changed",
        "Right_Party_Contact",
        "RIGHT_PARTY_CONTACT + BUSINESS_SUCCESS",
    )
    assert (codes["Do Not Call"]["kind"], codes["Do Not Call"]["now"]) == ("unchanged", "CONTACT_UNCALLABLE")
    assert (codes["Payment Taken"]["kind"], codes["Payment Taken"]["now"]) == ("added", "no entry")
    wrong = codes["Wrong Number"]
    assert (wrong["kind"], wrong["now"], wrong["wanted"]) == ("removed", "NUMBER_UNCALLABLE", "no entry")
    changes = {c.code_name: c.kind.value for c in report.outbound.diff.changes}
    assert {name: r["kind"] for name, r in codes.items() if r["kind"] != "unchanged"} == changes
    default_set = rows[-1]
    assert (default_set["part"], default_set["kind"], default_set["now"], default_set["wanted"]) == (
        "default-set",
        "changed",
        "CONTACT_UNCALLABLE",
        "(no flags)",
    )
    assert default_set["meaning"] == "set by outbound.default_set"


def test_outbound_conflict_is_the_first_finding(tmp_path: Path, org_catalog: OrgCatalog) -> None:
    """Wrong Number (DoNotDial) and Spoke To Spouse (RedialNumber) both reaching one code: the code is left out."""
    path = edited(
        tmp_path,
        "five9-conflict.yaml",
        ("{code: [Wrong Number, Dial Error", "{code: [Wrong Number, Spoke To Spouse, Dial Error"),
        ABSOLUTE_LISTING,
    )
    report = report_of(path, org_catalog, history=None)
    rows = rows_of(render_outbound_csv(report), OUTBOUND_COLUMNS)
    first = rows[2]
    assert (first["part"], first["kind"], first["severity"]) == ("finding", "conflict", "error")
    assert "Spoke To Spouse" in first["meaning"]
    assert "Wrong Number" not in {r["code_name"] for r in rows if r["part"] == "code"}


# ------------------------------------------------------------------------------------------ spreadsheet safety
FORMULAS = ('=HYPERLINK("http://x")', "+1+2", "-3+4", "@SUM(A1)", "\tTAB", "\rCR")


def history_with_formulas(tmp_path: Path) -> Path:
    """The shipped call log with six more calls whose disposition a spreadsheet would run as a formula."""
    rows = list(csv.reader(io.StringIO(CALL_LOG.read_text(encoding="utf-8-sig"))))
    header, first = rows[0], rows[1]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(rows)
    for i, value in enumerate(FORMULAS):
        row = dict(zip(header, first, strict=True))
        row.update({"CALL ID": f"99910000000000{i}", "DISPOSITION": value, "GENESYS CONVERSATION ID": ""})
        writer.writerow(row.values())
    path = tmp_path / "formulas.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_cells_from_exports_and_tables_cannot_run_as_formulas(tmp_path: Path, org_catalog: OrgCatalog) -> None:
    table = renamed(tmp_path, "=cmd|' /C calc'!A0")
    report = report_of(table, org_catalog, history=history_with_formulas(tmp_path))
    proposals = rows_of(render_proposals_csv(report), PROPOSAL_COLUMNS)
    values = {r["value"] for r in proposals}
    spelled = {row.value for row in report.proposals.rows} if report.proposals is not None else set()
    hostile = {v for v in spelled if v.startswith(("=", "+", "-", "@", "\t", "\r"))}
    assert len(hostile) >= 4  # the adapter may trim the tab and carriage return; the others stay as written
    assert {"'" + v for v in hostile} <= values and not hostile & values
    wrong = next(r for r in proposals if r["value"] == "Wrong Number")
    assert wrong["decided"] == "'=cmd|' /C calc'!A0 x1"
    terraform = rows_of(render_terraform_csv(report), TERRAFORM_COLUMNS)
    assert next(r for r in terraform if r["part"] == "code")["code_name"] == "'=cmd|' /C calc'!A0"
    outbound = rows_of(render_outbound_csv(report), OUTBOUND_COLUMNS)
    assert "'=cmd|' /C calc'!A0" in {r["code_name"] for r in outbound}
    for section, _, text in section_csvs(report):
        for row in csv.reader(io.StringIO(text)):
            assert not [cell for cell in row if cell.startswith(("=", "+", "-", "@", "\t", "\r"))], (section, row)


def test_the_same_bytes_twice(tmp_path: Path, org_catalog: OrgCatalog) -> None:
    path = renamed(tmp_path)
    assert section_csvs(report_of(path, org_catalog)) == section_csvs(report_of(path, org_catalog))
