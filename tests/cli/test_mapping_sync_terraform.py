"""``mapping sync --terraform-output``: the ids ``terraform output -json`` printed (tests/core/authoring/
tfoutput_samples.py says where its shape comes from), from a file or stdin, alone or on top of the org; a document
that cannot be used stops the command with exit 2, naming the file and what is wrong, before anything is written.

The first test runs the real command end to end, each step a process of its own as a user runs it: ``mapping
terraform`` on the demo org (emulator), the output the apply would print, ``mapping sync --write``, then ``mapping
validate`` and ``mapping check`` against the org as the apply left it. The others run through the command object.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.cli.process import run as run_process
from tests.conftest import MAPPINGS
from tests.core.authoring.tfconfig import parse_files
from tests.core.authoring.tfoutput_samples import (
    DISPUTE,
    DOCUMENT,
    IDS,
    PLACEHOLDER_DISPUTE,
    PLACEHOLDER_PROMISE,
    PROMISE,
    SINGLE,
    five9_with_new_codes,
)
from tests.core.review.samples import ORG
from wrapup_bridge.cli.mapping_sync import sync
from wrapup_bridge.core.authoring.terraform import IDS_OUTPUT

TABLE = five9_with_new_codes((MAPPINGS / "five9.yaml").read_text(encoding="utf-8"))
SYNCED = TABLE.replace(PLACEHOLDER_PROMISE, PROMISE).replace(PLACEHOLDER_DISPUTE, DISPUTE)
EMULATOR = ("--target", "emulator", "--org", str(ORG))


def after_apply(tmp_path: Path) -> Path:
    """The demo org as the apply leaves it: the two codes created (with the ids of the output), and Promise To Pay
    assigned to Billing by hand, as the queue comments of `mapping terraform` ask."""
    org = ORG.read_text(encoding="utf-8")
    codes = (
        f"  - {{id: {PROMISE}, name: Promise To Pay, division: Home}}\n"
        f'  - {{id: {DISPUTE}, name: "Billing & Payments Dispute", division: Home}}\n'
    )
    assert org.count("\nwrapup_codes:\n") == 1 and org.count("    wrapup_codes:\n      - Resolved\n") >= 1
    org = org.replace("\nwrapup_codes:\n", "\nwrapup_codes:\n" + codes, 1)
    org = org.replace(
        "    wrapup_codes:\n      - Resolved\n", "    wrapup_codes:\n      - Promise To Pay\n      - Resolved\n", 1
    )
    path = tmp_path / "org-after-apply.yaml"
    path.write_text(org, encoding="utf-8")
    return path


def test_terraform_apply_output_sync_validate_end_to_end(tmp_path: Path) -> None:
    table = tmp_path / "five9.yaml"
    table.write_text(TABLE, encoding="utf-8")
    tf = tmp_path / "tf"
    planned = run_process("mapping", "terraform", str(table), "--live", *EMULATOR, "--out", str(tf))
    assert planned.returncode == 0, planned.stderr
    assert "creates 2 wrap-up codes" in planned.stderr + planned.stdout
    config = parse_files({p.name: p.read_text(encoding="utf-8") for p in tf.iterdir()})
    # The hand-written output is what this configuration's output would print: one entry per name it declares.
    declared = config["output"][IDS_OUTPUT]["value"]
    assert set(declared) == set(IDS) == set(json.loads(DOCUMENT)[IDS_OUTPUT]["value"])
    assert declared["Promise To Pay"] == "genesyscloud_routing_wrapupcode.promise_to_pay.id"
    ids = tmp_path / "tf-out.json"
    ids.write_text(DOCUMENT, encoding="utf-8")

    # Alone, the output fills the new codes and cannot vouch for the others: shown, exit 1, nothing written.
    alone = run_process("mapping", "sync", str(table), "--terraform-output", str(ids))
    assert alone.returncode == 1, alone.stderr
    assert f"+  promise:            {{id: {PROMISE}, name: Promise To Pay}}" in alone.stdout
    assert "2 ids to write, 12 not filled" in alone.stderr
    assert "give --catalog FILE or --live as well" in alone.stderr
    assert table.read_text(encoding="utf-8") == TABLE

    # On top of the org as read before the apply (it lacks the new codes): complete, written.
    written = run_process(
        "mapping", "sync", str(table), "--terraform-output", "-", "--live", *EMULATOR, "--write", stdin=DOCUMENT
    )
    assert written.returncode == 0, written.stderr
    assert "2 ids written, 0 not filled, 12 already the org's" in written.stderr
    assert table.read_text(encoding="utf-8") == SYNCED
    assert sorted(p.name for p in tmp_path.iterdir()) == ["five9.yaml", "tf", "tf-out.json"]  # no temporary left

    validated = run_process("mapping", "validate", str(table))
    assert validated.returncode == 0 and validated.stdout.startswith(f"ok: {table}: 14 codes"), validated.stdout
    # The org as the apply left it has the table's ids now (before the sync, both were missing-code errors).
    org = after_apply(tmp_path)
    original = tmp_path / "unsynced.yaml"
    original.write_text(TABLE, encoding="utf-8")
    before = run_process("mapping", "check", str(original), "--live", "--target", "emulator", "--org", str(org))
    assert before.returncode == 1 and before.stdout.count("[missing-code]") == 2, before.stdout
    checked = run_process("mapping", "check", str(table), "--live", "--target", "emulator", "--org", str(org))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 errors" in checked.stdout + checked.stderr


def run(*args: str, stdin: str | bytes | None = None) -> Result:
    return CliRunner().invoke(sync, list(args), input=stdin)


@pytest.fixture
def table(tmp_path: Path) -> Path:
    path = tmp_path / "five9.yaml"
    path.write_text(TABLE, encoding="utf-8")
    return path


def test_with_a_catalog_file_and_the_single_output_on_stdin(table: Path, snapshot_file: Path) -> None:
    result = run(str(table), "--catalog", str(snapshot_file), "--terraform-output", "-", "--json", stdin=SINGLE)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["complete"] is True and report["written"] is False
    assert report["terraform_output"]["file"] == "<stdin>" and report["terraform_output"]["output"] is None
    assert {c["alias"]: (c["new"], c["from_output"]) for c in report["changes"]} == {
        "promise": (PROMISE, True),
        "dispute": (DISPUTE, True),
    }
    assert report["catalog"]["source"].endswith("and the Terraform output <stdin>")
    assert table.read_text(encoding="utf-8") == TABLE


def test_an_output_of_another_table_is_noted(table: Path, snapshot_file: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text(DOCUMENT.replace("Promise To Pay", "Hardship Plan"), encoding="utf-8")
    result = run(str(table), "--catalog", str(snapshot_file), "--terraform-output", str(other))
    assert result.exit_code == 1
    assert "note: the Terraform output names 'Hardship Plan', which no code of the table has" in result.stderr
    assert (
        "NOT FILLED line 31: code alias 'promise': neither the org nor the Terraform output has a code named "
        "'Promise To Pay'" in result.stderr
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "ids.json: empty, not what `terraform output -json` prints"),
        ("Outputs:\n", "ids.json:1: not JSON (Expecting value at column 1)"),
        (
            "{}\n",
            f"ids.json: no outputs at all (`terraform output -json` prints {{}} before `terraform apply` has run): no output {IDS_OUTPUT}",
        ),
        (
            '{"other": {"sensitive": false, "type": "string", "value": "x"}}',
            f"ids.json: no output {IDS_OUTPUT} (its outputs: other)",
        ),
        (f'{{"{IDS_OUTPUT}": {{"value": ["x"]}}}}', f"ids.json:1: the value of output {IDS_OUTPUT} is a list"),
        (
            DOCUMENT.replace(PROMISE, PROMISE[:-1]),
            f"ids.json:18: output {IDS_OUTPUT}: 'Promise To Pay' is '{PROMISE[:-1]}', not a code id (a UUID)",
        ),
    ],
)
def test_an_output_that_cannot_be_used_exits_2_and_writes_nothing(
    table: Path, snapshot_file: Path, tmp_path: Path, content: str, expected: str
) -> None:
    ids = tmp_path / "ids.json"
    ids.write_text(content, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        result = run(str(table), "--terraform-output", "ids.json", "--catalog", str(snapshot_file), "--write")
    assert result.exit_code == 2, result.output
    assert f"Error: {expected}" in result.stderr
    assert "Traceback" not in result.output
    assert table.read_text(encoding="utf-8") == TABLE
    assert sorted(p.name for p in tmp_path.iterdir()) == ["five9.yaml", "ids.json"]


def test_usage(table: Path, tmp_path: Path) -> None:
    none = run(str(table))
    assert none.exit_code == 2 and "--terraform-output FILE" in none.output and "--catalog FILE" in none.output
    missing = run(str(table), "--terraform-output", str(tmp_path / "nope.json"))
    assert missing.exit_code == 2 and "cannot read Terraform output" in missing.stderr and "nope.json" in missing.stderr
    directory = run(str(table), "--terraform-output", str(tmp_path))
    assert directory.exit_code == 2 and "is a directory" in directory.output.lower()
    assert table.read_text(encoding="utf-8") == TABLE
