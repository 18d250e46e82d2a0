"""``mapping report`` with the authoring sections, through the real CLI against the demo org (a `catalog export`
snapshot, or the in-process emulator with --live): proposed vs existing, what Terraform would create (a copy of the
Five9 table with one code renamed to one the org lacks), and the outbound flags with the org's diff."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from tests.cli.htmltree import by_id, parse, select
from tests.conftest import EXAMPLES, MAPPINGS
from wrapup_bridge.cli import main

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
