"""The table's ``outbound:`` section: loaded like the rest of the table (every problem with its file, line and key),
flags read in any case and written UPPER_SNAKE, kept by ``to_yaml``, and described by the published JSON Schema."""

from __future__ import annotations

import json

import jsonschema
import yaml

from tests.conftest import ROOT
from wrapup_bridge.core.mapping import MappingTable, MappingTableError
from wrapup_bridge.core.outbound.flags import OutboundFlag

HEADER = """version: 1
codes:
  sale: {id: 0dd6a32c-c059-4534-97bf-c82d73d9c869, name: Sale}
  callback: {id: 0b1f3790-be06-42fd-9aaf-6ec4a380626b, name: Callback Scheduled}
rules:
  - when: {code: Sale}
    code: sale
"""  # outbound: starts on line 8


def problems(section: str) -> list[str]:
    try:
        MappingTable.from_text(HEADER + section, name="t.yaml")
    except MappingTableError as exc:
        return [str(p) for p in exc.problems]
    raise AssertionError("the table loaded")


def test_flags_in_any_case_come_out_upper_snake() -> None:
    table = MappingTable.from_text(
        HEADER
        + """outbound:
  catalog: five9/dispositions.yaml
  types:
    finaldisp: [Right_Party_Contact]
    DoNotDial: [number uncallable, NUMBER-UNCALLABLE]
  outcomes:
    Positive w/Amount: [RIGHT_PARTY_CONTACT, business_success]
  codes:
    sale: [Business_Success, right_party_contact]
    callback: default
  default_set: []
""",
        name="t.yaml",
    )
    spec = table.document.outbound
    assert spec is not None and spec.catalog == "five9/dispositions.yaml"
    assert spec.types == {
        "FinalDisp": (OutboundFlag.RIGHT_PARTY_CONTACT,),
        "DoNotDial": (OutboundFlag.NUMBER_UNCALLABLE,),
    }
    # each flag once, in the enum's order, whatever order the table wrote
    assert spec.codes == {
        "sale": (OutboundFlag.RIGHT_PARTY_CONTACT, OutboundFlag.BUSINESS_SUCCESS),
        "callback": "default",
    }
    assert spec.default_set == ()
    dumped = yaml.safe_load(table.to_yaml())["outbound"]
    assert dumped["types"] == {"FinalDisp": ["RIGHT_PARTY_CONTACT"], "DoNotDial": ["NUMBER_UNCALLABLE"]}
    assert dumped["codes"] == {"sale": ["RIGHT_PARTY_CONTACT", "BUSINESS_SUCCESS"], "callback": "default"}
    again = MappingTable.from_text(table.to_yaml(), name="again.yaml")
    assert again.document.outbound == spec


def test_a_table_without_the_section_has_none() -> None:
    table = MappingTable.from_text(HEADER, name="t.yaml")
    assert table.document.outbound is None and "outbound" not in yaml.safe_load(table.to_yaml())


def test_every_problem_is_named_with_file_line_and_key() -> None:
    found = problems(
        """outbound:
  types:
    FinalDsp: [RIGHT_PARTY_CONTACT]
    DoNotDial:
      - number_uncallable
      - Right-Party
    RedialNumber: [BUSINESS_SUCCESS, business_failure]
  outcomes:
    Negative: [RIGHT_PARTY_CONTACT]
    negative: []
  codes:
    sael: [BUSINESS_SUCCESS]
    sale: maybe
  default_set: [CONTACT_UNCALLABLE, 7]
  colour: red
"""
    )
    assert found == [
        "t.yaml:10: outbound.types.FinalDsp: 'FinalDsp' is not a Five9 disposition type (did you mean FinalDisp?); "
        "types: FinalDisp, FinalApplyToCampaigns, AddActiveNumber, AddAndFinalize, AddAllNumbers, DoNotDial, "
        "RedialNumber",
        "t.yaml:13: outbound.types.DoNotDial[1]: 'Right-Party' is not an outbound flag (did you mean "
        "RIGHT_PARTY_CONTACT?); flags: CONTACT_UNCALLABLE, NUMBER_UNCALLABLE, RIGHT_PARTY_CONTACT, BUSINESS_SUCCESS, "
        "BUSINESS_FAILURE, BUSINESS_NEUTRAL",
        "t.yaml:14: outbound.types.RedialNumber: at most one business flag per list (got BUSINESS_SUCCESS, "
        "BUSINESS_FAILURE): a code has one outcome category",
        "t.yaml:15: outbound.outcomes: 'negative' and 'Negative' are the same outcome; list it once",
        "t.yaml:19: outbound.codes.sael: code alias 'sael' is not defined under 'codes:' (did you mean 'sale'?)",
        "t.yaml:20: outbound.codes.sale: write a list of flags ([] for none), or 'default' for the org's defaultSet",
        "t.yaml:21: outbound.default_set[1]: '7' is not an outbound flag; flags: CONTACT_UNCALLABLE, "
        "NUMBER_UNCALLABLE, RIGHT_PARTY_CONTACT, BUSINESS_SUCCESS, BUSINESS_FAILURE, BUSINESS_NEUTRAL",
        "t.yaml:22: outbound.colour: unknown key 'colour'; allowed here: catalog, types, outcomes, codes, default_set",
    ]


def test_one_type_spelled_twice_is_refused() -> None:
    assert problems("outbound:\n  types:\n    FinalDisp: []\n    finaldisp: [RIGHT_PARTY_CONTACT]\n") == [
        "t.yaml:9: outbound.types: 'finaldisp' and 'FinalDisp' are the same type (FinalDisp); list it once"
    ]


def test_published_schema_describes_the_section() -> None:
    published = json.loads((ROOT / "wrapup_bridge" / "schema" / "mapping-v1.schema.json").read_text())
    good = yaml.safe_load(
        HEADER
        + "outbound:\n  types: {FinalDisp: [Right_Party_Contact]}\n  codes: {sale: [BUSINESS_SUCCESS], callback: default}\n"
        "  default_set: [CONTACT_UNCALLABLE]\n"
    )
    jsonschema.validate(good, published)
    for bad in (
        {"types": {"FinalDisp": ["RIGHT_PARTY"]}},
        {"codes": {"sale": "maybe"}},
        {"default_set": "CONTACT_UNCALLABLE"},
        {"colour": "red"},
    ):
        try:
            jsonschema.validate({**good, "outbound": bad}, published)
        except jsonschema.ValidationError:
            continue
        raise AssertionError(f"the schema accepts {bad}")
