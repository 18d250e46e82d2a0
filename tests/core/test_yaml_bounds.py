"""YAML that is not plain data, or nested beyond reason, is refused with its file and line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MAPPINGS
from wrapup_bridge.core.mapping import MappingTableError, load_mapping
from wrapup_bridge.emulator.org import OrgFileError, load_org

TABLE = (MAPPINGS / "five9.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("value", "shown"),
    [("!include other.yaml", "!include"), ("!!python/name:os.system", "!!python/name:os.system"),
     ("!!binary aGVsbG8=", "!!binary"), ("!custom {a: 1}", "!custom")],
)  # fmt: skip
def test_tags_on_values_are_refused_with_their_line(tmp_path: Path, value: str, shown: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(TABLE.replace("description: Five9 campaigns", f"description: {value}\n#", 1), encoding="utf-8")
    with pytest.raises(MappingTableError) as caught:
        load_mapping(path)
    (problem,) = caught.value.problems
    assert problem.line == 6 and f"YAML tag {shown} is not supported" in problem.message


def test_yaml_own_tags_stay_usable(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(TABLE.replace("version: 1", "version: !!int 1"), encoding="utf-8")
    assert load_mapping(path).document.version == 1


@pytest.mark.parametrize("style", ["block", "flow"])
def test_a_table_nested_thousands_deep_is_a_problem_not_a_crash(tmp_path: Path, style: str) -> None:
    if style == "block":
        body = "".join("  " * i + f"k{i}:\n" for i in range(3000)) + "  " * 3000 + "x: 1\n"
    else:
        body = "k: " + "[" * 3000 + "]" * 3000 + "\n"
    path = tmp_path / "deep.yaml"
    path.write_text("version: 1\ncodes:\n" + "\n".join("  " + line for line in body.splitlines()), encoding="utf-8")
    with pytest.raises(MappingTableError, match="nested"):
        load_mapping(path)


def test_org_files_binary_or_deep_are_problems(tmp_path: Path) -> None:
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x90\xff")
    with pytest.raises(OrgFileError, match="not UTF-8"):
        load_org(binary)
    deep = tmp_path / "deep.yaml"
    deep.write_text("wrapup_codes: " + "[" * 900 + "]" * 900 + "\n", encoding="utf-8")
    with pytest.raises(OrgFileError, match="nested more than"):
        load_org(deep)
