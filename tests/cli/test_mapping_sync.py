"""``mapping sync``: shows the diff, writes only with --write (the file then differs only in the ids), exit 1 when a
code could not be filled, --json, usage errors exit 2. Run through the command object (it joins the ``mapping``
group separately)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from tests.conftest import MAPPINGS
from tests.core.review.samples import ORG
from wrapup_bridge.cli.mapping_sync import sync

FIVE9 = (MAPPINGS / "five9.yaml").read_text(encoding="utf-8")
PAYMENT_TAKEN = "dd1c84e4-4fa9-40d7-81ac-e0d9a2729d41"
WRONG = "00000000-0000-4000-8000-000000000000"


def run(*args: str) -> Result:
    return CliRunner().invoke(sync, list(args))


def test_diff_then_write(tmp_path: Path, snapshot_file: Path) -> None:
    table = tmp_path / "five9.yaml"
    broken = FIVE9.replace(PAYMENT_TAKEN, WRONG)
    table.write_text(broken, encoding="utf-8")
    shown = run(str(table), "--catalog", str(snapshot_file))
    assert shown.exit_code == 0, shown.output
    assert f"-  payment_taken:      {{id: {WRONG}, name: Payment Taken}}" in shown.stdout
    assert f"+  payment_taken:      {{id: {PAYMENT_TAKEN}, name: Payment Taken}}" in shown.stdout
    assert "would set line 18: payment_taken 'Payment Taken'" in shown.stderr and "--write" in shown.stderr
    assert table.read_text(encoding="utf-8") == broken  # nothing written without --write

    written = run(str(table), "--catalog", str(snapshot_file), "--write")
    assert written.exit_code == 0, written.output
    assert table.read_text(encoding="utf-8") == FIVE9
    assert "1 id written, 0 not filled, 11 already the org's" in written.stderr

    again = run(str(table), "--catalog", str(snapshot_file), "--write")
    assert again.exit_code == 0 and again.stdout == "" and "0 ids written" in again.stderr


def test_a_code_that_cannot_be_filled_exits_1(tmp_path: Path) -> None:
    table = tmp_path / "five9.yaml"
    text = FIVE9.replace(PAYMENT_TAKEN, WRONG).replace("name: Busy}", "name: Very Busy}")
    table.write_text(text, encoding="utf-8")
    result = run(str(table), "--live", "--target", "emulator", "--org", str(ORG), "--write", "--json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["written"] is True and report["complete"] is False
    assert [c["alias"] for c in report["changes"]] == ["payment_taken"]
    assert [(n["alias"], n["kind"], n["line"]) for n in report["not_filled"]] == [("busy", "missing", 26)]
    # The filled id is written all the same; the one not filled keeps what it had.
    assert table.read_text(encoding="utf-8") == FIVE9.replace("name: Busy}", "name: Very Busy}")

    text_run = run(str(table), "--live", "--target", "emulator", "--org", str(ORG))
    assert text_run.exit_code == 1
    assert "NOT FILLED line 26: code alias 'busy': the org has no code named 'Very Busy'" in text_run.stderr


def test_usage_errors(tmp_path: Path, snapshot_file: Path) -> None:
    table = tmp_path / "t.yaml"
    table.write_text(FIVE9, encoding="utf-8")
    none = run(str(table))
    assert none.exit_code == 2 and "--catalog FILE" in none.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("codes: {a: [\n", encoding="utf-8")
    bad = run(str(broken), "--catalog", str(snapshot_file))
    assert bad.exit_code == 2 and "broken.yaml:" in bad.output and "YAML syntax error" in bad.output
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("codes:\n  a: {id: x, name: Caf\u00e9}\n".encode("latin-1"))
    wrong = run(str(latin1), "--catalog", str(snapshot_file))
    assert wrong.exit_code == 2 and "not UTF-8" in wrong.output
    missing = run(str(tmp_path / "nope.yaml"), "--catalog", str(snapshot_file))
    assert missing.exit_code == 2 and "cannot read" in missing.output
