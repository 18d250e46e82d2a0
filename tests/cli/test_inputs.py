"""How commands are told an export's shape and encoding, run through the real CLI as a user would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, MAPPINGS, ROOT

CLI = [sys.executable, "-m", "wrapup_bridge"]
CALL_LOG = EXAMPLES / "five9" / "call-log.csv"


def run(*args: str, cwd: Path = ROOT, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*CLI, *args], cwd=cwd, input=stdin, capture_output=True, timeout=120, check=False)
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode("utf-8"), result.stderr.decode("utf-8")
    )


@pytest.fixture
def latin_export(tmp_path: Path) -> Path:
    """The shipped Call Log as Excel on Windows saves it (cp1252), with a disposition that is not ASCII."""
    text = CALL_LOG.read_text(encoding="utf-8-sig").replace("Payment Taken", "Pagé Réalisé")
    path = tmp_path / "call-log-cp1252.csv"
    path.write_bytes(text.encode("cp1252"))
    return path


def codes(stdout: str) -> list[str]:
    return [json.loads(line)["code"] for line in stdout.splitlines()]


def test_a_windows_export_read_as_utf8_stops_with_where_and_what_to_pass(latin_export: Path, tmp_path: Path) -> None:
    result = run("normalize", "--source", "five9", str(latin_export), cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{latin_export}: line 2, byte offset" in result.stderr
    assert "Pagé Réalisé" in result.stderr
    assert "--encoding cp1252" in result.stderr
    assert "Pag\ufffd" not in result.stdout  # nothing mangled reaches the output


def test_encoding_option_and_table_setting_read_it_right(latin_export: Path, tmp_path: Path) -> None:
    by_option = run("normalize", "--source", "five9", "--encoding", "cp1252", str(latin_export), cwd=tmp_path)
    assert "Pagé Réalisé" in codes(by_option.stdout), by_option.stderr
    table = tmp_path / "five9-cp1252.yaml"
    table.write_text(
        (MAPPINGS / "five9.yaml")
        .read_text(encoding="utf-8")
        .replace("  format: call-log\n", "  format: call-log\n  encoding: cp1252\n"),
        encoding="utf-8",
    )
    by_table = run("normalize", "--mapping", str(table), str(latin_export), cwd=tmp_path)
    assert codes(by_table.stdout) == codes(by_option.stdout)
    coverage = run("mapping", "coverage", str(table), str(latin_export), cwd=tmp_path)
    assert "Traceback" not in coverage.stderr and coverage.returncode in (0, 1), coverage.stderr
    assert "Pagé Réalisé" in coverage.stdout


def test_stdin_is_decoded_strictly_too(latin_export: Path, tmp_path: Path) -> None:
    result = run("normalize", "--source", "five9", "-", cwd=tmp_path, stdin=latin_export.read_bytes())
    assert result.returncode == 2 and "<stdin>: line 2, byte offset" in result.stderr
    result = run(
        "normalize", "--source", "five9", "--encoding", "latin-1", "-", cwd=tmp_path, stdin=latin_export.read_bytes()
    )
    assert "Pagé Réalisé" in codes(result.stdout)


def test_unknown_encodings_are_refused_before_reading(latin_export: Path, tmp_path: Path) -> None:
    result = run("normalize", "--source", "five9", "--encoding", "klingon", str(latin_export), cwd=tmp_path)
    assert result.returncode == 2 and "unknown encoding 'klingon'" in result.stderr
    table = tmp_path / "bad.yaml"
    table.write_text(
        (MAPPINGS / "five9.yaml")
        .read_text(encoding="utf-8")
        .replace("  format: call-log\n", "  format: call-log\n  encoding: klingon\n"),
        encoding="utf-8",
    )
    result = run("mapping", "validate", str(table), cwd=tmp_path)
    assert result.returncode == 1 and "klingon" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_utf8_with_bom_and_utf16_exports(tmp_path: Path) -> None:
    text = CALL_LOG.read_text(encoding="utf-8-sig")
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode())
    (tmp_path / "u16.csv").write_bytes(text.encode("utf-16"))
    plain = run("normalize", "--source", "five9", str(CALL_LOG), cwd=tmp_path)
    assert codes(run("normalize", "--source", "five9", "bom.csv", cwd=tmp_path).stdout) == codes(plain.stdout)
    refused = run("normalize", "--source", "five9", "u16.csv", cwd=tmp_path)
    assert refused.returncode == 2 and "--encoding utf-16" in refused.stderr
    assert codes(
        run("normalize", "--source", "five9", "--encoding", "utf-16", "u16.csv", cwd=tmp_path).stdout
    ) == codes(plain.stdout)


def test_explain_format_says_what_each_value_came_from(tmp_path: Path) -> None:
    result = run("normalize", "--source", "five9", "--explain-format", str(CALL_LOG), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "five9 call-log" in result.stdout
    assert "code" in result.stdout and "<- DISPOSITION" in result.stdout
    assert "America/Los_Angeles" in result.stdout


def test_an_option_the_format_cannot_use_is_refused_not_ignored(tmp_path: Path) -> None:
    result = run(
        "normalize",
        "--source",
        "cxone",
        "--region",
        "uk",
        str(EXAMPLES / "cxone" / "completed-contacts.json"),
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "--region: not used by the cxone" in result.stderr and "silently ignored" in result.stderr


def test_field_assignments_are_checked_and_used(tmp_path: Path) -> None:
    bad = run("normalize", "--source", "five9", "--field", "bogus", str(CALL_LOG), cwd=tmp_path)
    assert bad.returncode == 2 and "expected KEY=PLACE" in bad.stderr
    unknown = run("normalize", "--source", "five9", "--field", "colour=DISPOSITION", str(CALL_LOG), cwd=tmp_path)
    assert unknown.returncode == 2 and "colour" in unknown.stderr
    moved = run("normalize", "--source", "five9", "--field", "code=CAMPAIGN", str(CALL_LOG), cwd=tmp_path)
    assert set(codes(moved.stdout)) <= {"Billing Inbound", "Sales Outbound"}, moved.stderr


def test_the_rejects_file_holds_this_runs_rejects_only(tmp_path: Path) -> None:
    text = CALL_LOG.read_text(encoding="utf-8-sig")
    (tmp_path / "cut.csv").write_text(text[: text.rindex("\n", 0, len(text) - 1) + 40], encoding="utf-8")
    for _ in range(2):
        assert run("normalize", "--source", "five9", "cut.csv", cwd=tmp_path).returncode == 1
    assert len((tmp_path / "rejects.jsonl").read_text(encoding="utf-8").splitlines()) == 1
    clean = run("normalize", "--source", "five9", str(CALL_LOG), cwd=tmp_path)
    assert clean.returncode == 0, clean.stderr
    assert (tmp_path / "rejects.jsonl").read_text(encoding="utf-8") == ""  # no stale rejects from the last run
    assert not (tmp_path / "elsewhere.jsonl").exists()
    run("normalize", "--source", "five9", "--rejects", "elsewhere.jsonl", str(CALL_LOG), cwd=tmp_path)
    assert not (tmp_path / "elsewhere.jsonl").exists(), "no empty file is created when nothing is rejected"


def test_an_unwritable_rejects_or_output_path_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    for args in (["--rejects", "a-file/rejects.jsonl"], ["--out", "no/such/dir/out.jsonl"], ["--rejects", "/dev/full"]):
        text = CALL_LOG.read_text(encoding="utf-8-sig")
        (tmp_path / "cut.csv").write_text(text[: text.rindex("\n", 0, len(text) - 1) + 40], encoding="utf-8")
        result = run("normalize", "--source", "five9", *args, "cut.csv", cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr
        assert f"cannot write the {'rejects' if args[0] == '--rejects' else 'output'} file" in result.stderr
