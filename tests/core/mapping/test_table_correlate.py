"""The table's ``correlate:`` section: loaded like the rest of the table (every problem with its line and key),
the defaults when it is absent, kept by ``to_yaml``, and described by the published JSON Schema."""

from __future__ import annotations

import json
from datetime import date

import jsonschema
import pytest
import yaml

from tests.conftest import ROOT
from wrapup_bridge.core.correlate.spec import CorrelateSpec, LegacyIdSpec
from wrapup_bridge.core.mapping import MappingTable, MappingTableError

HEADER = """version: 1
codes:
  sale: {id: 0dd6a32c-c059-4534-97bf-c82d73d9c869, name: Sale}
rules:
  - when: {code: Sale}
    code: sale
"""  # correlate: starts on line 7

SECTION = """correlate:
  default_country: gb
  time: start
  tolerance_seconds: 90
  fields:
    ani: [caller, ani]
    legacy_id: session_id
  legacy_id: {attribute: legacyCallId}
  require: [dnis, agent]
  weights: {ani: 4, media: 0}
  threshold: 0.7
  margin: 0.2
  queues:
    Billing Inbound: B1C2D3E4-0000-4000-8000-00000000AA01
  cutover: 2026-01-05
  retention_days: 400
  api: query
"""


def problems(text: str) -> list[tuple[int, str, str]]:
    with pytest.raises(MappingTableError) as info:
        MappingTable.from_text(text, name="t.yaml")
    return [(p.line, p.path, p.message) for p in info.value.problems]


def test_the_section_is_read() -> None:
    spec = MappingTable.from_text(HEADER + SECTION, name="t.yaml").correlate
    assert spec.default_country == "GB" and spec.time == "start" and spec.tolerance_seconds == 90
    assert spec.places("ani", "five9") == ("caller", "ani")
    assert spec.places("legacy_id", "five9") == ("session_id",)
    assert spec.legacy_id == LegacyIdSpec(attribute="legacyCallId")
    assert spec.require == ["dnis", "agent"]
    assert spec.weight("ani") == 4 and spec.weight("media") == 0 and spec.weight("time") == 3
    assert (spec.threshold, spec.margin) == (0.7, 0.2)
    assert spec.queue_id("billing inbound") == "b1c2d3e4-0000-4000-8000-00000000aa01"
    assert spec.cutover == date(2026, 1, 5) and spec.retention_days == 400
    assert spec.resolved_api == "query"


def test_without_the_section_the_defaults() -> None:
    table = MappingTable.from_text(HEADER, name="t.yaml")
    assert table.document.correlate is None
    assert table.correlate == CorrelateSpec()


@pytest.mark.parametrize(
    ("section", "line", "path", "fragment"),
    [
        ("correlate:\n  tolerence_seconds: 60\n", 8, "correlate.tolerence_seconds", "did you mean 'tolerance_seconds'"),
        ("correlate:\n  tolerance_seconds: soon\n", 8, "correlate.tolerance_seconds", "valid integer"),
        ("correlate:\n  tolerance_seconds: 60\n  default_country: UK\n", 9, "correlate.default_country", "'GB'"),
        ("correlate:\n  require: [ani, phone]\n", 8, "correlate.require[1]", "'ani', 'dnis'"),
        ("correlate:\n  weights: {colour: 1}\n", 8, "correlate.weights", "unknown weight 'colour'"),
        ("correlate:\n  fields: {phone: x}\n", 8, "correlate.fields", "unknown field 'phone'"),
        ("correlate:\n  threshold: 2\n", 8, "correlate.threshold", "less than or equal to 1"),
        ("correlate:\n  queues: {Billing: x}\n", 8, "correlate.queues", "not a Genesys queue id"),
        ("correlate:\n  cutover: tomorrow\n", 8, "correlate.cutover", "valid date"),
        ("correlate:\n  api: fast\n", 8, "correlate.api", "'auto', 'query' or 'jobs'"),
        (
            "correlate:\n  legacy_id:\n    external_tag: true\n    attribute: legacyCallId\n",
            8,
            "correlate.legacy_id",
            "exactly one of",
        ),
        (
            "correlate:\n  legacy_id:\n    attribut: legacyCallId\n",
            9,
            "correlate.legacy_id.attribut",
            "unknown key 'attribut' (did you mean 'attribute'?); allowed here: external_tag, attribute",
        ),
        ("correlate: [tolerance_seconds]\n", 7, "correlate", "valid dictionary"),
    ],
)
def test_each_problem_names_its_line_and_key(section: str, line: int, path: str, fragment: str) -> None:
    found = problems(HEADER + section)
    assert any(ln == line and p == path and fragment in msg for ln, p, msg in found), found


def test_all_problems_at_once_with_the_rest_of_the_table() -> None:
    found = problems(HEADER.replace("code: sale", "code: sael") + "correlate:\n  margin: -1\n  colour: red\n")
    assert [(ln, p) for ln, p, _ in found] == [
        (6, "rule #1: code"),
        (8, "correlate.margin"),
        (9, "correlate.colour"),
    ]
    assert "allowed here: default_country, time, tolerance_seconds" in found[2][2]


def test_to_yaml_keeps_what_was_set_and_leaves_an_absent_section_out() -> None:
    table = MappingTable.from_text(HEADER + SECTION, name="t.yaml")
    dumped = yaml.safe_load(table.to_yaml())
    assert dumped["correlate"]["tolerance_seconds"] == 90
    assert "threshold" in dumped["correlate"] and "slice" not in dumped["correlate"]  # only what differs
    again = MappingTable.from_text(table.to_yaml(), name="again.yaml")
    assert again.document == table.document
    assert "correlate" not in MappingTable.from_text(HEADER, name="t.yaml").to_yaml()
    empty = MappingTable.from_text(HEADER + "correlate: {}\n", name="t.yaml")
    assert MappingTable.from_text(empty.to_yaml(), name="again.yaml").document == empty.document


def test_the_published_schema_accepts_the_section_and_refuses_unknown_keys() -> None:
    published = json.loads((ROOT / "wrapup_bridge" / "schema" / "mapping-v1.schema.json").read_text())
    document = json.loads(json.dumps(yaml.safe_load(HEADER + SECTION), default=str))
    jsonschema.validate(document, published)
    document["correlate"]["colour"] = "red"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, published)
