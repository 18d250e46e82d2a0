"""``core.authoring.sync``: ids filled by name from the org, only the id text edited.

The shipped Five9 table with ids blanked, wrong, missing or written in every style comes back byte for byte as
shipped from the demo org's catalog; names the org lacks or shares between divisions are left alone and reported.
"""

from __future__ import annotations

import asyncio
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import MAPPINGS
from tests.core.review.samples import ORG
from wrapup_bridge import testing
from wrapup_bridge.core.authoring.sync import describe_change, sync_ids
from wrapup_bridge.core.mapping import MappingTable, MappingTableError
from wrapup_bridge.core.review import OrgCatalog
from wrapup_bridge.core.review.orgview import CatalogCode
from wrapup_bridge.services.catalog import export_catalog
from wrapup_bridge.services.target import connect

FIVE9 = (MAPPINGS / "five9.yaml").read_text(encoding="utf-8")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
#: The shipped table's code lines: alias -> (id, name).
CODES = {
    m.group(1): (m.group(2), m.group(3))
    for m in re.finditer(r"^  (\w+): +\{id: ([0-9a-f-]{36}), name: ([^}]+)\}$", FIVE9, re.M)
}
EMEA = "2dbf91d3-04e9-424e-b2e0-536107a74330"
WRONG = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def demo() -> OrgCatalog:
    async def export() -> OrgCatalog:
        async with connect("emulator", testing.emulator(ORG), rate_per_minute=100_000) as connection:
            return (await export_catalog(connection)).view

    return asyncio.run(export())


def changed_lines(old: str, new: str) -> list[int]:
    old_lines, new_lines = old.splitlines(), new.splitlines()
    assert len(old_lines) == len(new_lines)
    return [i + 1 for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]


def test_the_shipped_table_is_already_in_sync(demo: OrgCatalog) -> None:
    assert len(CODES) == 12
    result = sync_ids(FIVE9, demo, name="five9.yaml")
    assert not result.changed and result.complete and result.diff() == ""
    assert set(result.unchanged) == set(CODES)


def test_blank_and_wrong_ids_are_filled_and_nothing_else_changes(demo: OrgCatalog) -> None:
    broken = FIVE9
    edits = {
        "payment_taken": ("{id: dd1c84e4-4fa9-40d7-81ac-e0d9a2729d41,", "{id: ,"),
        "sale": ("0dd6a32c-c059-4534-97bf-c82d73d9c869", WRONG),
        "busy": ("{id: 5f1bfb25-5eef-4f8d-bde5-4e17c7836f95,", "{id: ~,"),
        "transferred": ("cf9e4f42-04fb-4856-93c7-0a70c92c2150", "f99e6ae5-c3c7-4558-bad3-67d4ab3e1d35"),  # Escalated's
    }
    for old, new in edits.values():
        assert broken.count(old) == 1
        broken = broken.replace(old, new)
    result = sync_ids(broken, demo, name="five9.yaml")
    assert result.new_text == FIVE9  # byte for byte: comments, spacing, order, quoting
    assert result.complete and {c.alias for c in result.changes} == set(edits)
    lines = {
        FIVE9.splitlines().index(line) + 1
        for line in FIVE9.splitlines()
        if re.match(r"  (payment_taken|sale|busy|transferred):", line)
    }
    assert set(changed_lines(broken, result.new_text)) == lines
    diff = result.diff()
    assert diff.startswith("--- five9.yaml\n+++ five9.yaml (ids from the org)\n")
    assert {
        line[1:].split(":")[0].strip() for line in diff.splitlines() if line[:1] in "+-" and line[1:2] == " "
    } == set(edits)
    sale = next(c for c in result.changes if c.alias == "sale")
    assert (sale.old, sale.new, sale.division) == (WRONG, CODES["sale"][0], "Home")
    assert describe_change(sale) == f"line 19: sale 'Sale': {WRONG} -> {CODES['sale'][0]} (division Home)"
    assert MappingTable.from_text(result.new_text).codes["sale"].id == CODES["sale"][0]


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sets(st.sampled_from(sorted(CODES)), min_size=1), st.sampled_from(["blank", "null", "wrong", "quoted"]))
def test_any_ids_broken_come_back_as_shipped(demo: OrgCatalog, aliases: set[str], how: str) -> None:
    broken = FIVE9
    for alias in aliases:
        code_id = CODES[alias][0]
        replacement = {"blank": "", "null": "null", "wrong": WRONG, "quoted": '"TODO"'}[how]
        broken = broken.replace(f"{{id: {code_id},", f"{{id: {replacement},")
    result = sync_ids(broken, demo, name="five9.yaml")
    expected = FIVE9
    if how == "quoted":  # the quotes stay, around the right id
        for alias in aliases:
            expected = expected.replace(f"{{id: {CODES[alias][0]},", f'{{id: "{CODES[alias][0]}",')
    assert result.new_text == expected
    assert {c.alias for c in result.changes} == aliases


def test_comments_and_layout_survive(demo: OrgCatalog) -> None:
    text = """\
\ufeffversion: 1   # a table with a byte order mark and Windows line ends
codes:
  # the codes the rules use
  sale:    {id: "", name: Sale}   # was: 0dd6...
  payment:             # a block mapping
    name: Payment Taken   # no id yet
  callback: {name: Callback Scheduled}
  follow:
    id:     # filled later
    name: 'Follow-up Required'
rules:
  - when: {code: Sale}
    code: sale
""".replace("\n", "\r\n")
    result = sync_ids(text, demo, name="t.yaml")
    expected = (
        text.replace('id: ""', f'id: "{CODES["sale"][0]}"')
        .replace(
            "    name: Payment Taken",
            f"    id: {CODES['payment_taken'][0]}\r\n    name: Payment Taken",
        )
        .replace("{name: Callback", f"{{id: {CODES['callback'][0]}, name: Callback")
        .replace("id:     # filled later", f"id: {CODES['follow_up'][0]} # filled later")
    )
    assert result.new_text == expected
    assert result.new_text.startswith("\ufeff") and "\n" not in result.new_text.replace("\r\n", "")
    assert {c.alias: c.old for c in result.changes} == {"sale": None, "payment": None, "callback": None, "follow": None}


def test_ambiguous_and_missing_names_are_not_filled(demo: OrgCatalog) -> None:
    other_home = CatalogCode(
        "77777777-7777-4777-8777-777777777777", "Other", "48ddf357-eb7e-4766-9706-7cc07753a7de", "Home"
    )
    catalog = OrgCatalog.build([*demo.codes.values(), other_home], demo.queues, source="org", fingerprint="sha256:0")
    emea_other = "0cab9e0c-7015-4b96-9819-e59f32cd0700"
    text = f"""\
version: 1
codes:
  other:   {{id: {WRONG}, name: Other}}
  picked:  {{id: {emea_other}, name: other}}
  ghost:   {{id: {WRONG}, name: Ghost Code}}
  renamed: {{id: 50a74cff-026f-4c84-aa8f-f5f8d837115f, name: Solved}}
  nameless: {{id: {WRONG}}}
rules: []
"""
    result = sync_ids(text, catalog, name="t.yaml")
    assert not result.changed and not result.complete
    assert result.unchanged == ("picked",)  # ambiguous name, but the table's id is one of them: kept
    found = {n.alias: n for n in result.not_filled}
    assert {a: n.kind for a, n in found.items()} == {
        "other": "ambiguous",
        "ghost": "missing",
        "renamed": "missing",
        "nameless": "unwritable",
    }
    assert {c.id for c in found["other"].candidates} == {emea_other, other_home.id}
    assert "EMEA" in found["other"].message and "Home" in found["other"].message
    assert found["other"].line == 3 and found["ghost"].line == 5
    assert "mapping terraform" in found["ghost"].message
    assert "is the org's 'Resolved': renamed?" in found["renamed"].message


def test_forms_sync_does_not_edit_are_reported(demo: OrgCatalog) -> None:
    text = f"""\
version: 1
anchors: {{x: &wrong {WRONG}}}
codes:
  sale:    {{id: *wrong, name: Sale}}
  busy:    {{id: &mine {WRONG}, name: Busy}}
  tagged:  {{id: !!str {WRONG}, name: No Answer}}
  block:
    id: |
      {WRONG}
    name: Transferred
"""
    result = sync_ids(text, demo, name="t.yaml")
    assert not result.changed
    assert {n.alias: n.kind for n in result.not_filled} == dict.fromkeys(
        ["sale", "busy", "tagged", "block"], "unwritable"
    )
    assert all(n.message.endswith(f"its id is {demo.codes_named(n.name or '')[0].id}") for n in result.not_filled)


def test_what_is_not_a_table_is_an_error(demo: OrgCatalog) -> None:
    with pytest.raises(MappingTableError, match=r"t.yaml:2: .*duplicate key"):
        sync_ids("codes:\ncodes:\n", demo, name="t.yaml")
    with pytest.raises(MappingTableError, match="no codes: mapping"):
        sync_ids("version: 1\nrules: []\n", demo, name="t.yaml")
    with pytest.raises(MappingTableError, match="YAML syntax error"):
        sync_ids("codes: {a: [\n", demo, name="t.yaml")
