"""Strict loading: every kind of malformed table is rejected, all problems at once, each with its line."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.conftest import MAPPINGS, ROOT
from wrapup_bridge.core.mapping import MappingDocument, MappingTable, MappingTableError, load_mapping
from wrapup_bridge.core.mapping.schema import ConditionKind

HEADER = """version: 1
codes:
  sale: {id: 0dd6a32c-c059-4534-97bf-c82d73d9c869, name: Sale}
  busy: {id: 5f1bfb25-5eef-4f8d-bde5-4e17c7836f95, name: Busy}
rules:
"""  # rules start on line 6


def problems_of(text: str) -> list[tuple[int, str]]:
    with pytest.raises(MappingTableError) as info:
        MappingTable.from_text(text, name="t.yaml")
    return [(p.line, p.message) for p in info.value.problems]


@pytest.mark.parametrize(
    ("rules", "line", "fragment"),
    [
        (
            "  - when: {code: Sale}\n    code: sael\n",
            7,
            "code alias 'sael' is not defined under 'codes:' (did you mean 'sale'?)",
        ),
        ("  - when: {code: Sale}\n    code: sale\n    colour: red\n", 8, "unknown key 'colour'"),
        ("  - when: {code: {regex: 'no (answer'}}\n    code: sale\n", 6, "invalid regex"),
        ("  - when: {code: {regex: '(?<=no )answer'}}\n    code: sale\n", 6, "lookaround and backreferences"),
        ("  - when: {code: {regex: '(no)\\1'}}\n    code: sale\n", 6, "invalid regex"),
        ("  - when: {}\n    code: sale\n", 6, "'when' has no conditions"),
        ("  - when: {code: []}\n    code: sale\n", 6, "empty list"),
        ("  - when: {code: ~}\n    code: sale\n", 6, "condition has no value"),
        ("  - when: {code: {contains: x}}\n    code: sale\n", 6, "unknown condition 'contains'"),
        ("  - when: {code: Sale}\n", 6, "exactly one of 'code'"),
        ("  - when: {code: Sale}\n    code: sale\n    skip: also\n", 6, "exactly one of 'code'"),
        ("  - when: {code: Sale, code: Busy}\n    code: sale\n", 6, "duplicate key 'code'"),
        (
            "  - when: {code: Sale}\n    code: sale\n  - when:\n      code: Busy\n      code: No\n    code: busy\n",
            10,
            "duplicate key 'code' (first defined on line 9)",
        ),
        ("  - when: {code: [Sale\n", 7, "YAML syntax error"),
    ],
)
def test_each_malformed_rule_is_reported_on_its_line(rules: str, line: int, fragment: str) -> None:
    found = problems_of(HEADER + rules)
    assert any(ln == line and fragment in msg for ln, msg in found), found


def test_malformed_codes_and_top_level() -> None:
    text = """version: 2
codes:
  sale: {id: Sale, name: Sale}
  nameless: {id: 0dd6a32c-c059-4534-97bf-c82d73d9c869}
  sale: {id: 5f1bfb25-5eef-4f8d-bde5-4e17c7836f95, name: Busy}
rulez: []
unmapped: {action: fallback, code: nope}
"""
    found = problems_of(text)
    expected = {
        (1, "version must be 1"),
        (3, "'Sale' is not a Genesys wrap-up code id"),
        (4, "missing required key 'name'"),
        (5, "duplicate key 'sale' (first defined on line 3)"),
        (6, "unknown key 'rulez' (did you mean 'rules'?)"),
        (7, "code alias 'nope' is not defined"),
    }
    for line, fragment in expected:
        assert any(ln == line and fragment in msg for ln, msg in found), (line, fragment, found)


def test_all_problems_reported_together_sorted_by_line() -> None:
    text = HEADER + "  - when: {code: Sale}\n    code: nope1\n  - when: {code: Busy}\n    code: nope2\n"
    with pytest.raises(MappingTableError) as info:
        MappingTable.from_text(text, name="t.yaml")
    error = info.value
    assert [p.line for p in error.problems] == [7, 9]
    assert "t.yaml:7: rule #1: code: code alias 'nope1'" in str(error)
    assert "t.yaml:9: rule #2: code:" in str(error)


def test_empty_and_non_mapping_documents() -> None:
    assert "the file is empty" in problems_of("")[0][1]
    assert "top level must be a mapping" in problems_of("- a\n- b\n")[0][1]


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(MappingTableError) as info:
        load_mapping(missing)
    error = info.value
    assert str(missing) in str(error)
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"version: 1\ncodes:\n  a: \xff\xfe\n")
    with pytest.raises(MappingTableError) as info:
        load_mapping(binary)
    error = info.value
    assert error.problems[0].line == 3 and "UTF-8" in error.problems[0].message


def test_scalars_mean_what_they_look_like() -> None:
    table = MappingTable.from_text(
        HEADER + "  - when: {sip_response_code: 404, abandoned: yes, campaign: 1.10}\n    code: busy\n"
    )
    conditions = table.rules[0].spec.when
    assert conditions["sip_response_code"].values == ("404",)
    assert conditions["abandoned"].values == ("yes",)
    assert conditions["campaign"].values == ("1.10",)
    assert conditions["campaign"].kind is ConditionKind.EXACT


def test_yaml_bombs_are_refused() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(7)
    )
    assert any("too large" in msg for _, msg in problems_of(bomb))


def test_published_json_schema_is_current_and_accepts_shipped_tables() -> None:
    published = json.loads((ROOT / "wrapup_bridge" / "schema" / "mapping-v1.schema.json").read_text())
    assert published == MappingDocument.model_json_schema(), "run `make schema` to refresh the published schema"
    shipped = sorted(MAPPINGS.glob("*.yaml"))
    assert shipped, "the shipped mappings are missing"
    for path in shipped:
        as_json = json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))  # YAML dates -> ISO text
        jsonschema.validate(as_json, published)
        load_mapping(path)  # and the strict loader agrees


def test_a_catastrophic_regex_matches_in_linear_time() -> None:
    """``(a+)+$`` on 40 a's and a '!' never returns with a backtracking engine; RE2 answers at once. A generous
    budget only guards against a hang (no timing is asserted)."""
    import threading

    table = MappingTable.from_text(HEADER + "  - when: {code: {regex: '(a+)+$'}}\n    code: sale\n", name="t.yaml")
    from wrapup_bridge.core.disposition import Disposition

    results: list[str] = []
    values = ["a" * 40 + "!", "a" * 100_000 + "!", "x" * 1_000_000]

    def work() -> None:
        for value in values:
            record = Disposition(source="five9", source_id="1", code=value)
            results.append(table.resolve(record).kind.value)
            table.explain(record)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "matching hung"
    assert results == ["unmapped", "unmapped", "unmapped"]
    assert table.resolve(Disposition(source="five9", source_id="1", code="aaa")).kind.value == "mapped"
