"""The review report's authoring sections (core.review.report_authoring): proposed vs existing, what Terraform would
create, outbound flags; built by ``services.review.build_report`` from the real tools over the shipped Five9 table,
its call log and the demo org, and rendered as HTML and Markdown."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.htmltree import by_id, parse, select
from tests.conftest import EXAMPLES, MAPPINGS
from tests.core.review.samples import HOSTILE, edited
from wrapup_bridge.core.mapping import MappingTable, load_mapping
from wrapup_bridge.core.outbound.diff import CurrentMapping
from wrapup_bridge.core.review import OrgCatalog, load_reviewed
from wrapup_bridge.core.review.render_html import render_html
from wrapup_bridge.core.review.render_md import render_markdown
from wrapup_bridge.core.review.report import ReviewReport
from wrapup_bridge.core.review.report_authoring import ProposalCollector, outbound_review, terraform_review
from wrapup_bridge.services.authoring.init import load_synonyms, propose_table
from wrapup_bridge.services.inputs import adapter_options, build_adapter
from wrapup_bridge.services.review import InputHistory, OutboundOrg, build_report

CALL_LOG = str(EXAMPLES / "five9" / "call-log.csv")
LISTING = EXAMPLES / "five9" / "dispositions.yaml"
SALE = "0dd6a32c-c059-4534-97bf-c82d73d9c869"
WRONG_NUMBER_ID = "975d8cba-c0ba-4e79-848f-dfc9b2829097"
NEW_ID = "00000000-0000-4000-8000-00000000abcd"
#: The listing is named relative to the table: a table copied elsewhere names it by its absolute path.
ABSOLUTE_LISTING = ("catalog: ../examples/five9/dispositions.yaml", f"catalog: {LISTING.as_posix()}")


def call_log(table: MappingTable) -> InputHistory:
    options = adapter_options(table, "five9")
    return InputHistory(build_adapter("five9", options), (CALL_LOG,), options.encoding)


def report_of(
    path: Path,
    catalog: OrgCatalog | None,
    *,
    history: bool = True,
    org: OutboundOrg | None = None,
    strict: bool = False,
) -> ReviewReport:
    reviewed = load_reviewed(path)
    return build_report(
        reviewed,
        catalog=catalog,
        history=call_log(reviewed.table) if history else None,
        generated_at="2026-01-01T00:00:00Z",
        outbound_org=org,
        org_option="--catalog demo.json",
        strict=strict,
    )


def conflicting(tmp_path: Path) -> Path:
    """Wrong Number (DoNotDial) and Spoke To Spouse (RedialNumber) both reaching one code: a conflict."""
    return edited(
        tmp_path,
        "five9-conflict.yaml",
        ("{code: [Wrong Number, Dial Error", "{code: [Wrong Number, Spoke To Spouse, Dial Error"),
        ABSOLUTE_LISTING,
    )


def renamed(tmp_path: Path, name: str = "Wrong Number Dialed") -> Path:
    """The Five9 table with its Wrong Number code renamed to one the demo org lacks (a new id)."""
    return edited(
        tmp_path,
        "five9-renamed.yaml",
        (f"{{id: {WRONG_NUMBER_ID}, name: Wrong Number}}", f"{{id: {NEW_ID}, name: {name!r}}}"),
        ABSOLUTE_LISTING,
    )


# ------------------------------------------------------------------------------------------ proposed vs existing
def test_proposals_match_mapping_init_compare(org_catalog: OrgCatalog) -> None:
    """Per value, the figures `mapping init --compare` gives for the same history and table (docs/authoring.md:
    18 of 20 decided alike; Callback Scheduled on the Billing campaign and Declined differ)."""
    report = report_of(MAPPINGS / "five9.yaml", org_catalog)
    review = report.proposals
    assert review is not None
    table = load_mapping(MAPPINGS / "five9.yaml")
    comparison = propose_table(call_log(table), org_catalog, platform="five9", synonyms=load_synonyms(), compare=table)
    assert comparison.comparison is not None
    assert (review.records, review.agreed_records) == (comparison.records, comparison.comparison.agreed) == (20, 18)
    differing = {d.value.casefold() for d in comparison.comparison.differences}  # the first record's spelling
    assert {r.value.casefold() for r in review.differing} == differing == {"callback scheduled", "declined"}
    rows = {row.value: row for row in review.rows}
    callback = rows["Callback Scheduled"]
    assert (callback.proposed, callback.label, callback.differing, callback.records) == (
        "Callback Scheduled",
        "code-high",
        1,
        2,
    )
    assert dict(callback.decided) == {"Callback Scheduled": 1, "Follow-up Required": 1}
    assert (rows["Declined"].proposed, rows["Declined"].decided) == ("TODO", (("skip", 1),))
    assert rows["Abandon"].label == "code-low" and rows["Abandon"].agrees  # low confidence, same code: no prompt
    assert rows["No Disposition"].proposed == "skip" and rows["No Disposition"].agrees
    assert [r.records for r in review.rows] == sorted((r.records for r in review.rows), reverse=True)


def test_proposals_need_history_and_a_catalog(org_catalog: OrgCatalog) -> None:
    assert report_of(MAPPINGS / "five9.yaml", org_catalog, history=False).proposals is None
    assert report_of(MAPPINGS / "five9.yaml", None).proposals is None


# ------------------------------------------------------------------------------------------ terraform
def test_terraform_lists_codes_the_org_lacks(tmp_path: Path, org_catalog: OrgCatalog) -> None:
    report = report_of(renamed(tmp_path), org_catalog)
    assert report.terraform is not None
    (code,) = report.terraform.plan.new_codes
    assert (code.name, code.label, code.aliases, code.rules) == (
        "Wrong Number Dialed",
        "wrong_number_dialed",
        ("wrong_number",),
        (6,),
    )
    assert code.division_name == "Home"
    assert report.terraform.command == (
        f"wrapup-bridge mapping terraform {tmp_path / 'five9-renamed.yaml'} --catalog demo.json --out tf/"
    )
    # the section holds exactly mapping terraform's plan
    direct = terraform_review(load_reviewed(renamed(tmp_path)), org_catalog, "x").plan
    assert direct.new_codes == report.terraform.plan.new_codes and direct.queues == report.terraform.plan.queues


def test_terraform_section_absent_when_nothing_to_create(org_catalog: OrgCatalog) -> None:
    assert report_of(MAPPINGS / "five9.yaml", org_catalog).terraform is None
    assert report_of(MAPPINGS / "five9.yaml", None).terraform is None


def test_terraform_queue_assignments(tmp_path: Path, org_catalog: OrgCatalog) -> None:
    """A queue-scoped rule whose code the queue does not allow needs an assignment (as `mapping check` reads it)."""
    path = edited(
        tmp_path,
        "five9-queue.yaml",
        ("  - when: {code: Not Interested}\n", "  - when: {code: Not Interested, queue: Support}\n"),
        ABSOLUTE_LISTING,
    )
    report = report_of(path, org_catalog, history=False)
    assert report.terraform is not None
    needs = {need.queue.name: [c.name for c in need.codes] for need in report.terraform.plan.queues}
    assert needs == {"Support": ["Not Interested"]}
    html = parse(render_html(report))
    [row] = select(html, "tr", cls="queue-need", inside=by_id(html, "terraform-queues"))
    assert row.text.startswith("Support") and "Not Interested" in row.text and "#5" in row.text


# ------------------------------------------------------------------------------------------ outbound
def test_outbound_without_the_org_mapping_shows_desired_flags_only(org_catalog: OrgCatalog) -> None:
    report = report_of(MAPPINGS / "five9.yaml", org_catalog)
    outbound = report.outbound
    assert outbound is not None and outbound.diff is None
    assert "not read" in outbound.not_read
    flags = {e.code.name: [f.value for f in e.flags or ()] for e in outbound.desired.entries.values()}
    assert flags["Sale"] == ["RIGHT_PARTY_CONTACT", "BUSINESS_SUCCESS"]
    assert flags["Wrong Number"] == ["NUMBER_UNCALLABLE"]
    assert flags["Callback Scheduled"] == []
    assert [f.kind.value for f in outbound.findings] == ["unreached", "dropped"]
    assert outbound.legacy_catalog is not None and Path(outbound.legacy_catalog).resolve() == LISTING.resolve()


def test_outbound_diff_against_the_org_mapping(org_catalog: OrgCatalog) -> None:
    current = CurrentMapping.from_json(
        {"version": 7, "defaultSet": ["CONTACT_UNCALLABLE"], "mapping": {SALE: ["Right_Party_Contact"]}}
    )
    report = report_of(MAPPINGS / "five9.yaml", org_catalog, org=OutboundOrg(current))
    outbound = report.outbound
    assert outbound is not None and outbound.diff is not None and outbound.current_version == 7
    changes = {c.code_name: c.kind.value for c in outbound.diff.changes}
    assert changes["Sale"] == "changed" and changes["Wrong Number"] == "added"
    assert changes["Do Not Call"] == "added"  # no entry in this org, wanted CONTACT_UNCALLABLE
    assert "Busy" not in changes  # the table says nothing of it
    html = parse(render_html(report))
    kinds = [r.classes - {"outbound-change"} for r in select(html, "tr", cls="outbound-change")]
    assert {"changed"} in kinds and {"added"} in kinds
    assert "version 7" in by_id(html, "outbound").text


def test_outbound_conflict_is_an_error_finding_first(tmp_path: Path, org_catalog: OrgCatalog) -> None:
    """Wrong Number (DoNotDial) and Spoke To Spouse (RedialNumber) both reaching one code: no pick, a conflict."""
    report = report_of(conflicting(tmp_path), org_catalog, history=False)
    outbound = report.outbound
    assert outbound is not None
    assert outbound.findings[0].kind.value == "conflict" and outbound.conflicts == outbound.findings[:1]
    assert WRONG_NUMBER_ID not in outbound.desired.entries
    html = parse(render_html(report))
    first = select(html, "tr", cls="outbound-finding")[0]
    assert "error" in first.classes and "Spoke To Spouse" in first.text
    assert "| error | conflict |" in render_markdown(report)


@pytest.mark.parametrize("strict", [False, True])
def test_an_outbound_conflict_fails_the_report_as_a_check_error_does(
    tmp_path: Path, org_catalog: OrgCatalog, strict: bool
) -> None:
    """The exit code's verdict: a conflict leaves a code out of what the table asks of the org's mapping, which
    `outbound plan` fails on; the report fails on it with or without strict."""
    report = report_of(conflicting(tmp_path), org_catalog, history=False, strict=strict)
    assert not report.check.failed(strict=strict)  # nothing else on the page is a problem
    assert report.outbound_conflicts == 1 and report.failed
    assert "**Problems found**" in render_markdown(report)
    assert "fail" in by_id(parse(render_html(report)), "verdict").classes


@pytest.mark.parametrize("strict", [False, True])
def test_outbound_warnings_and_notes_do_not_fail_the_report(org_catalog: OrgCatalog, strict: bool) -> None:
    """--strict keeps meaning the check's warnings: the section's own (a disposition no rule maps) are for
    `outbound plan`, which does not fail on them either."""
    report = report_of(MAPPINGS / "five9.yaml", org_catalog, history=False, strict=strict)
    assert report.outbound is not None
    assert [f.severity for f in report.outbound.findings] == ["warning", "info"]
    assert report.outbound_conflicts == 0 and not report.failed


def test_no_outbound_section_no_conflicts(tmp_path: Path, org_catalog: OrgCatalog) -> None:
    text = (MAPPINGS / "five9.yaml").read_text(encoding="utf-8")
    path = tmp_path / "no-outbound.yaml"
    path.write_text(text[: text.index("# --- outbound dialer semantics")], encoding="utf-8")
    report = report_of(path, org_catalog, history=False, strict=True)
    assert report.outbound is None and report.outbound_conflicts == 0 and not report.failed


def test_outbound_section_only_with_an_outbound_section(tmp_path: Path, org_catalog: OrgCatalog) -> None:
    text = (MAPPINGS / "five9.yaml").read_text(encoding="utf-8")
    path = tmp_path / "no-outbound.yaml"
    path.write_text(text[: text.index("# --- outbound dialer semantics")], encoding="utf-8")
    report = report_of(path, org_catalog, history=False)
    assert report.outbound is None
    assert 'id="outbound"' not in render_html(report) and "## Outbound flags" not in render_markdown(report)


def test_outbound_review_with_an_unreadable_listing(tmp_path: Path) -> None:
    path = edited(
        tmp_path, "five9-listing.yaml", ("catalog: ../examples/five9/dispositions.yaml", "catalog: nowhere.yaml")
    )
    report = report_of(path, None, history=False)
    assert report.outbound is not None
    assert "could not be read" in report.outbound.findings[0].message
    assert report.outbound.desired.entries  # outbound.codes still decide
    assert outbound_review(load_mapping(path), [], legacy_catalog=None).not_read


# ------------------------------------------------------------------------------------------ rendering
def test_sections_render_escaped_in_html_and_markdown(tmp_path: Path, org_catalog: OrgCatalog) -> None:
    report = report_of(renamed(tmp_path, f"Wrong {HOSTILE}"), org_catalog)
    html = render_html(report)
    assert "<script>" not in html and "&lt;script&gt;" in html
    elements = parse(html)
    sections = [e.attrs["id"] for e in select(elements, "section")]
    assert sections.index("proposals") < sections.index("terraform") < sections.index("outbound")
    [code_row] = select(elements, "tr", cls="new-code")
    assert HOSTILE in code_row.text  # shown as text, not markup
    differs = [r.text.split(" ")[0] for r in select(elements, "tr", cls="differs")]
    assert differs == ["Callback", "Declined", "Wrong"]
    assert "18 of 20" not in by_id(elements, "proposals-summary").text  # the renamed code now differs too
    assert by_id(elements, "proposals-summary").text.startswith("17 of 20 records decided alike; 3 of 15")
    assert "mapping terraform" in by_id(elements, "terraform-command").text
    assert "not read" in by_id(elements, "outbound-not-read").text
    markdown = render_markdown(report)
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown
    for heading in ("## Proposed vs existing", "## What Terraform would create", "## Outbound flags"):
        assert heading in markdown


def test_sections_are_deterministic(tmp_path: Path, org_catalog: OrgCatalog) -> None:
    path = renamed(tmp_path)
    first, second = report_of(path, org_catalog), report_of(path, org_catalog)
    assert render_html(first) == render_html(second)
    assert render_markdown(first) == render_markdown(second)


@pytest.mark.parametrize("history", [True, False])
def test_no_catalog_no_proposals_or_terraform(tmp_path: Path, history: bool) -> None:
    report = report_of(renamed(tmp_path), None, history=history)
    html = render_html(report)
    assert 'id="proposals"' not in html and 'id="terraform"' not in html and 'id="outbound"' in html


def test_a_value_split_by_a_signal_is_its_own_row(org_catalog: OrgCatalog) -> None:
    """A Twilio ``failed`` call with SIP 404 (examples/twilio/voice-status-callbacks.txt, line 6) is proposed by its
    SIP status (core/authoring/system.py): its row says so, and the shipped table decides it the same."""
    table = load_mapping(MAPPINGS / "twilio-flex.yaml")
    options = adapter_options(table, "twilio")
    history = InputHistory(build_adapter("twilio", options), (str(EXAMPLES / "twilio" / "voice-status-callbacks.txt"),))
    collector = ProposalCollector()
    for record in history:
        collector.add(record, table.resolve(record))
    rows = {row.value: row for row in collector.review(org_catalog, load_synonyms()).rows}
    split = rows["failed (sip_response_code 404, 484, 604)"]
    assert (split.proposed, split.records, split.differing) == ("Wrong Number", 1, 0)
