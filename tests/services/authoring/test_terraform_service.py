"""``services.authoring.terraform``: where ``--out`` puts the files (one file or a directory) and that nothing is
written over a file that exists unless forced."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MAPPINGS
from wrapup_bridge.core.review.orgview import OrgCatalog
from wrapup_bridge.services.authoring.terraform import build_terraform, is_single_file, output_paths, write_terraform

EMPTY = OrgCatalog.build([], [], source="an empty org", fingerprint="sha256:0")


def test_one_file_or_a_directory(tmp_path: Path) -> None:
    assert is_single_file(tmp_path / "codes.tf", "hcl") and is_single_file(tmp_path / "codes.tf.json", "json")
    assert not is_single_file(tmp_path / "codes.tf", "json") and not is_single_file(tmp_path / "cx", "hcl")
    (tmp_path / "dir.tf").mkdir()
    assert not is_single_file(tmp_path / "dir.tf", "hcl")
    split = build_terraform(MAPPINGS / "five9.yaml", EMPTY, split=True)
    assert set(output_paths(tmp_path / "cx", split)) == {
        tmp_path / "cx" / name for name in ("versions.tf", "wrapup-codes.tf", "queue-wrapup-codes.tf")
    }
    one = build_terraform(MAPPINGS / "five9.yaml", EMPTY, syntax="json")
    assert list(output_paths(tmp_path / "codes.tf.json", one)) == [tmp_path / "codes.tf.json"]
    assert len(one.plan.new_codes) == 12  # an empty org lacks every code


def test_nothing_is_written_over_an_existing_file(tmp_path: Path) -> None:
    output = build_terraform(MAPPINGS / "five9.yaml", EMPTY, split=True)
    paths = output_paths(tmp_path / "cx", output)
    existing = tmp_path / "cx" / "wrapup-codes.tf"
    existing.parent.mkdir()
    existing.write_text("# mine\n", encoding="utf-8")
    with pytest.raises(FileExistsError, match=r"wrapup-codes\.tf"):
        write_terraform(paths)
    assert sorted(p.name for p in existing.parent.iterdir()) == ["wrapup-codes.tf"]  # none of the others either
    assert existing.read_text(encoding="utf-8") == "# mine\n"
    assert write_terraform(paths, force=True) == list(paths)
    assert existing.read_text(encoding="utf-8") == output.files["wrapup-codes.tf"]
