"""``mapping terraform``: the files it writes (a directory, one file, HCL or JSON syntax) pass the provider-schema
check, it never overwrites without --force, it prints what it creates and the ids to put back, and usage errors
exit 2; with ``--outbound``, the org-wide outbound mapping resource over the org's current mapping (read live or from
a file), refused without one. Run through the command object (it joins the ``mapping`` group separately)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import EXAMPLES, MAPPINGS
from tests.core.authoring.tfconfig import parse_files, schema_errors
from tests.core.authoring.tfprovider import OUTBOUND, blocks, provider_rule_errors
from tests.core.review.samples import ORG
from wrapup_bridge.cli.mapping_terraform import terraform

#: The Five9 table with one code the demo org lacks ("Promise To Pay"), used on a rule scoped to Billing.
NEW_CODE = """\
  promise:            {id: 11111111-1111-4111-8111-111111111111, name: Promise To Pay}
"""
NEW_RULE = """\
  - when: {code: Promise To Pay, queue: Billing}
    code: promise
"""


@pytest.fixture
def table(tmp_path: Path) -> Path:
    text = (MAPPINGS / "five9.yaml").read_text(encoding="utf-8")
    text = text.replace("codes:\n", "codes:\n" + NEW_CODE, 1).replace("rules:\n", "rules:\n" + NEW_RULE, 1)
    path = tmp_path / "five9.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(terraform, list(args))


def test_a_directory_of_hcl(table: Path, snapshot_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "cx"
    result = run(str(table), "--catalog", str(snapshot_file), "--out", str(out))
    assert result.exit_code == 0, result.output
    files = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()}
    assert set(files) == {"versions.tf", "wrapup-codes.tf", "queue-wrapup-codes.tf"}
    config = parse_files(files)
    assert schema_errors(config) == []
    assert config["resource"]["genesyscloud_routing_wrapupcode"] == {
        "promise_to_pay": {"name": "Promise To Pay", "division_id": "48ddf357-eb7e-4766-9706-7cc07753a7de"}
    }
    assert '# Queue "Billing" (e0284275-ec9b-4fde-a99c-648c9c1726bc' in files["queue-wrapup-codes.tf"]
    text = result.stdout
    assert "creates 1 wrap-up code" in text and "promise_to_pay: 'Promise To Pay', division Home" in text
    assert "Billing (e0284275-ec9b-4fde-a99c-648c9c1726bc): 'Promise To Pay' (new)" in text
    assert "codes.promise.id (line 18): the id of 'Promise To Pay'" in text
    assert f"wrapup-bridge mapping sync {table} --live --write" in text
    assert "not by `terraform validate`" in text  # the note says how the output was checked

    again = run(str(table), "--catalog", str(snapshot_file), "--out", str(out))
    assert again.exit_code == 2 and "already exist" in again.output and "--force" in again.output
    forced = run(str(table), "--catalog", str(snapshot_file), "--out", str(out), "--force")
    assert forced.exit_code == 0, forced.output


def test_one_file_json_and_the_plan_as_json(table: Path, snapshot_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "codes.tf.json"
    result = run(str(table), "--catalog", str(snapshot_file), "--out", str(out), "--format", "json", "--json")
    assert result.exit_code == 0, result.output
    assert schema_errors(parse_files({out.name: out.read_text(encoding="utf-8")})) == []
    plan = json.loads(result.stdout)
    assert plan["files"] == [str(out)]
    assert [c["name"] for c in plan["new_codes"]] == ["Promise To Pay"]
    assert plan["queues"][0]["queue_name"] == "Billing"
    single = tmp_path / "codes.tf"
    assert run(str(table), "--catalog", str(snapshot_file), "--out", str(single)).exit_code == 0
    assert schema_errors(parse_files({single.name: single.read_text(encoding="utf-8")})) == []


def test_stdout_holds_the_configuration_and_stderr_the_summary(table: Path, snapshot_file: Path) -> None:
    result = run(str(table), "--catalog", str(snapshot_file), "--division", "EMEA")
    assert result.exit_code == 0, result.output
    config = parse_files({"main.tf": result.stdout})
    assert schema_errors(config) == []
    body = config["resource"]["genesyscloud_routing_wrapupcode"]["promise_to_pay"]
    assert body["division_id"] == "2dbf91d3-04e9-424e-b2e0-536107a74330"
    assert "creates 1 wrap-up code" in result.stderr and 'resource "' not in result.stderr


def test_live_reads_the_emulator(table: Path) -> None:
    result = run(str(table), "--live", "--target", "emulator", "--org", str(ORG))
    assert result.exit_code == 0, result.output
    assert "emulator (NOT Genesys Cloud)" in result.stderr
    assert "promise_to_pay" in result.stdout


def test_usage_errors(table: Path, snapshot_file: Path, tmp_path: Path) -> None:
    none = run(str(table))
    assert none.exit_code == 2 and "--catalog FILE" in none.output and "--live" in none.output
    both = run(str(table), "--catalog", str(snapshot_file), "--live")
    assert both.exit_code == 2 and "not both" in both.output
    division = run(str(table), "--catalog", str(snapshot_file), "--division", "Mars")
    assert division.exit_code == 2 and "'Mars'" in division.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\ncodes: {a: {id: nope, name: A}}\n", encoding="utf-8")
    bad = run(str(broken), "--catalog", str(snapshot_file))
    assert bad.exit_code == 2 and "broken.yaml:2" in bad.output
    assert not list(tmp_path.glob("*.tf"))


# ------------------------------------------------------------------------------------------------ --outbound
LISTING = EXAMPLES / "five9" / "dispositions.yaml"


def test_outbound_live_writes_the_org_wide_resource(table: Path, tmp_path: Path) -> None:
    out = tmp_path / "cx"
    args = ["--live", "--target", "emulator", "--org", str(ORG), "--outbound", "--dispositions", str(LISTING)]
    result = run(str(table), *args, "--out", str(out))
    assert result.exit_code == 0, result.output
    files = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()}
    assert "outbound-wrapupcode-mappings.tf" in files
    config = parse_files(files)
    assert schema_errors(config) == [] and provider_rule_errors(config) == []
    body = config["resource"][OUTBOUND]["wrapupcodemappings"]
    assert len(blocks(body, "mappings")) == 10 and body["default_set"] == ["CONTACT_UNCALLABLE"]
    text = result.stdout
    assert "ORG-WIDE" in text and "version 4" in text
    assert (
        "~ 'Sale' (0dd6a32c-c059-4534-97bf-c82d73d9c869): Right_Party_Contact -> RIGHT_PARTY_CONTACT + BUSINESS_SUCCESS"
        in text
    )
    assert "keeps 4 entries as the org has them (3 carried over" in text
    assert "owns the org's whole outbound mapping" in text


def test_outbound_from_a_snapshot_and_a_mapping_file(table: Path, snapshot_file: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps(
            {"version": 9, "defaultSet": [], "mapping": {"5f1bfb25-5eef-4f8d-bde5-4e17c7836f95": ["NUMBER_UNCALLABLE"]}}
        ),
        encoding="utf-8",
    )
    text = table.read_text(encoding="utf-8")
    table.write_text(text.replace("  codes:\n    sale:", "  codes:\n    promise: []\n    sale:", 1), encoding="utf-8")
    out = tmp_path / "all.tf.json"
    result = run(
        str(table),
        *("--catalog", str(snapshot_file), "--outbound", "--outbound-mapping", str(mapping)),
        *("--dispositions", str(LISTING), "--format", "json", "--out", str(out), "--json"),
    )
    assert result.exit_code == 0, result.output
    config = parse_files({out.name: out.read_text(encoding="utf-8")})
    assert schema_errors(config) == [] and provider_rule_errors(config) == []
    body = config["resource"][OUTBOUND]["wrapupcodemappings"]
    mapped = {b["wrapup_code_id"]: b["flags"] for b in blocks(body, "mappings")}
    assert mapped["5f1bfb25-5eef-4f8d-bde5-4e17c7836f95"] == ["NUMBER_UNCALLABLE"]  # carried over from the file
    assert mapped["genesyscloud_routing_wrapupcode.promise_to_pay.id"] == []  # the new code, by its resource
    plan = json.loads(result.stdout)
    assert plan["outbound"]["current_mapping"]["version"] == 9 and plan["outbound"]["default_set"] == []


def test_an_outbound_conflict_is_written_out_and_exits_1(table: Path, snapshot_file: Path, tmp_path: Path) -> None:
    """A second alias of Sale asking other flags (outbound plan's conflict): the resource is written with the org's
    entry for Sale, the error note is printed, and the exit code is 1, as `outbound plan` gives for it."""
    sale = "0dd6a32c-c059-4534-97bf-c82d73d9c869"
    text = table.read_text(encoding="utf-8").replace(
        "codes:\n", f"codes:\n  sale_again: {{id: {sale}, name: Sale}}\n", 1
    )
    table.write_text(
        text.replace("  codes:\n    sale:", "  codes:\n    sale_again: [NUMBER_UNCALLABLE]\n    sale:", 1),
        encoding="utf-8",
    )
    args = ["--live", "--target", "emulator", "--org", str(ORG), "--outbound", "--dispositions", str(LISTING)]
    result = run(str(table), *args, "--out", str(tmp_path / "cx"))
    assert result.exit_code == 1, result.output
    assert "set twice in outbound.codes" in result.output
    assert (tmp_path / "cx" / "outbound-wrapupcode-mappings.tf").exists()
    to_stdout = run(str(table), *args)
    assert to_stdout.exit_code == 1 and 'resource "genesyscloud_outbound_wrapupcodemappings"' in to_stdout.stdout


def test_outbound_usage_errors(table: Path, snapshot_file: Path, tmp_path: Path) -> None:
    catalog = ("--catalog", str(snapshot_file))
    alone = run(str(table), *catalog, "--outbound")
    assert alone.exit_code == 2 and "--outbound needs the org's current outbound mapping" in alone.output
    assert "--live" in alone.output and "--outbound-mapping FILE" in alone.output
    stray = run(str(table), *catalog, "--outbound-mapping", "x.json")
    assert stray.exit_code == 2 and "go with --outbound" in stray.output
    both = run(
        str(table), "--live", "--target", "emulator", "--org", str(ORG), "--outbound", "--outbound-mapping", "x.json"
    )
    assert both.exit_code == 2 and "not both" in both.output
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    bad = run(str(table), *catalog, "--outbound", "--outbound-mapping", str(broken))
    assert bad.exit_code == 2 and f"{broken}' is not JSON: line 1" in bad.output
    good = tmp_path / "m.json"
    good.write_text(json.dumps({"version": 1, "defaultSet": []}), encoding="utf-8")
    no_section = run(str(MAPPINGS / "cxone.yaml"), *catalog, "--outbound", "--outbound-mapping", str(good))
    assert no_section.exit_code == 2 and "has no outbound: section" in no_section.output
    no_listing = run(str(table), *catalog, "--outbound", "--outbound-mapping", str(good), "--out", str(tmp_path / "o"))
    assert no_listing.exit_code == 2 and "dispositions.yaml" in no_listing.output  # the table's relative listing
    refused = tmp_path / "refused.json"
    refused.write_text(json.dumps({"version": 1, "defaultSet": ["CALLBACK"]}), encoding="utf-8")
    flag = run(str(table), *catalog, "--outbound", "--outbound-mapping", str(refused), "--dispositions", str(LISTING))
    assert flag.exit_code == 2 and "'CALLBACK', which the provider refuses" in flag.output
    assert not list(tmp_path.glob("**/*.tf"))
