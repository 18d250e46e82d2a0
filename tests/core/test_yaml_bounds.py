"""YAML that is not plain data, or nested beyond reason, is refused with its file and line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MAPPINGS
from wrapup_bridge.core import yamlsource
from wrapup_bridge.core.limits import MAX_NESTING
from wrapup_bridge.core.mapping import MappingTableError, load_mapping
from wrapup_bridge.core.yamlsource import locate_yaml
from wrapup_bridge.emulator.org import OrgFileError, load_org, parse_org

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


# --- one reader, one set of bounds for tables and org files ------------------------------------------------------

#: Seven lines whose aliases expand to 10**7 nodes ("billion laughs"): the org reader took 40 s over it before the
#: shared node bound; both readers now stop after MAX_YAML_NODES.
LAUGHS = "\n".join(
    ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 7)]
)


def test_alias_bombs_are_refused_by_both_readers_with_a_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlsource, "MAX_YAML_NODES", 50_000)  # the real bound, a million, takes seconds to reach
    path = tmp_path / "t.yaml"
    path.write_text("version: 1\n" + LAUGHS + "\n", encoding="utf-8")
    with pytest.raises(MappingTableError, match="too large"):
        load_mapping(path)
    with pytest.raises(OrgFileError) as caught:
        parse_org(LAUGHS, source="org.yaml")
    (problem,) = caught.value.problems
    assert problem.line is not None and "aliases are expanded" in problem.message


@pytest.mark.parametrize("typed", [False, True])
def test_the_same_depth_bound_for_text_and_typed_reading(typed: bool) -> None:
    def exceeded(levels: int) -> str | None:
        return locate_yaml("k: " + "[" * levels + "1" + "]" * levels, typed=typed).exceeded

    assert exceeded(MAX_NESTING - 1) is None and exceeded(MAX_NESTING) == "depth"


def test_lines_follow_keys_items_and_merges() -> None:
    text = "base: &b\n  x: 1\nc:\n  <<: *b\n  y: [a,\n    b]\n"
    typed = locate_yaml(text, typed=True, fast=True)
    assert typed.value == {"base": {"x": 1}, "c": {"x": 1, "y": ["a", "b"]}}
    assert typed.lines == {(): 1, ("base",): 1, ("base", "x"): 2, ("c",): 3, ("c", "x"): 2, ("c", "y"): 5,
                           ("c", "y", 0): 5, ("c", "y", 1): 6}  # fmt: skip
    plain = locate_yaml(text.replace("  <<: *b\n", ""))
    assert plain.value == {"base": {"x": "1"}, "c": {"y": ["a", "b"]}} and plain.line_of(("c", "y", 1, "z")) == 5


def test_plain_reading_reports_what_typed_reading_takes_as_pyyaml_does() -> None:
    text = "a: 1\na: 2\n"
    assert locate_yaml(text, typed=True).value == {"a": 2}
    (problem,) = locate_yaml(text).problems
    assert (problem.line, problem.message) == (2, "duplicate key 'a' (first defined on line 1)")
