"""``mapping terraform --outbound``: the org's outbound wrap-up code mapping as the provider's
``genesyscloud_outbound_wrapupcodemappings`` resource (core/authoring/terraform_outbound.py).

The resource is org-wide and the provider PUTs only the entries it lists (tfprovider.py says where in its source), so
the output must carry the org's other entries over. These tests read the output with HashiCorp's parser, check it
against the provider's schema (tfconfig.py) and the validation the schema cannot express (tfprovider.py), and apply it
the way the provider does against the emulator, under both readings of Genesys's PUT (replace or merge: UNSURE,
docs/reference-outbound.md §1.4), comparing the org's mapping afterwards with what ``outbound apply`` leaves.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, MAPPINGS
from tests.core.authoring.tfconfig import parse_files, schema_errors
from tests.core.authoring.tfprovider import (
    OUTBOUND,
    blocks,
    configured_state,
    provider_put_body,
    provider_read,
    provider_rule_errors,
)
from tests.core.review.samples import ORG
from wrapup_bridge import testing
from wrapup_bridge.core.authoring.terraform import (
    CODE_RESOURCE,
    OutboundInputs,
    TerraformPlan,
    plan_terraform,
    render_hcl,
    render_json,
)
from wrapup_bridge.core.authoring.terraform_outbound import OUTBOUND_LABEL, OutboundTerraformError
from wrapup_bridge.core.mapping import MappingTable
from wrapup_bridge.core.outbound.desired import LegacyDisposition, desired_mapping
from wrapup_bridge.core.outbound.diff import CurrentMapping, diff_mapping
from wrapup_bridge.core.outbound.flags import flag_key
from wrapup_bridge.core.review import OrgCatalog, ReviewedTable
from wrapup_bridge.core.review.orgview import CatalogCode
from wrapup_bridge.genesys.outbound import read_mapping, write_mapping
from wrapup_bridge.services.catalog import export_catalog
from wrapup_bridge.services.outbound.catalog import read_legacy_catalog
from wrapup_bridge.services.target import connect

FIVE9 = (MAPPINGS / "five9.yaml").read_text(encoding="utf-8")
#: The shipped Five9 listing the table's outbound.catalog names (examples/five9/dispositions.yaml).
LEGACY = read_legacy_catalog(str(EXAMPLES / "five9" / "dispositions.yaml"), "five9")
SALE = "0dd6a32c-c059-4534-97bf-c82d73d9c869"
BUSY = "5f1bfb25-5eef-4f8d-bde5-4e17c7836f95"
NO_ANSWER = "46d1d9af-3dd4-40f3-951b-c8cc9eddb5e7"
PROMISE = "11111111-1111-4111-8111-111111111111"

#: The Five9 table with a code the demo org lacks ("Promise To Pay"), given its flags in outbound.codes.
WITH_NEW_CODE = (
    FIVE9.replace("codes:\n", f"codes:\n  promise:            {{id: {PROMISE}, name: Promise To Pay}}\n", 1)
    .replace("rules:\n", "rules:\n  - when: {code: Promise To Pay}\n    code: promise\n", 1)
    .replace("  codes:\n    sale:", "  codes:\n    promise: [RIGHT_PARTY_CONTACT, BUSINESS_SUCCESS]\n    sale:", 1)
)


async def _read_org(emulator: Any) -> tuple[OrgCatalog, CurrentMapping]:
    async with connect("emulator", emulator, rate_per_minute=100_000) as connection:
        return (await export_catalog(connection)).view, await read_mapping(connection.client)


@pytest.fixture(scope="module")
def org() -> tuple[OrgCatalog, CurrentMapping]:
    """The demo org's codes and its outbound mapping (version 4: Sale Right_Party_Contact, Do Not Call
    CONTACT_UNCALLABLE, No Answer / Busy / Answering Machine no flags; defaultSet CONTACT_UNCALLABLE)."""
    return asyncio.run(_read_org(testing.emulator(ORG)))


def reviewed(text: str) -> ReviewedTable:
    return ReviewedTable.from_text(MappingTable.from_text(text, name=str(MAPPINGS / "five9.yaml")), text)


def plan_of(
    catalog: OrgCatalog,
    current: CurrentMapping,
    text: str = FIVE9,
    legacy: list[LegacyDisposition] = LEGACY,
    source: str = "the demo org",
) -> TerraformPlan:
    table = reviewed(text)
    inputs = OutboundInputs(desired_mapping(table.table, legacy), current, source)
    return plan_terraform(table, catalog, outbound=inputs)


def resource_of(files: dict[str, str]) -> dict[str, Any]:
    config = parse_files(files)
    assert schema_errors(config) == [] and provider_rule_errors(config) == []
    body: dict[str, Any] = config["resource"][OUTBOUND][OUTBOUND_LABEL]
    return body


def by_id(body: dict[str, Any]) -> dict[str, list[str]]:
    return {block["wrapup_code_id"]: block["flags"] for block in blocks(body, "mappings")}


def flag_sets(mapping: dict[str, Any]) -> dict[str, frozenset[str]]:
    """A mapping's entries, ids and flags compared as Genesys compares them (ids without case, flags any spelling)."""
    return {code.lower(): frozenset(flag_key(f) for f in flags) for code, flags in mapping.items()}


# ------------------------------------------------------------------------------------------------ the plan
def test_the_org_mapping_is_carried_over_and_only_the_tables_entries_change(
    org: tuple[OrgCatalog, CurrentMapping],
) -> None:
    catalog, current = org
    plan = plan_of(catalog, current)
    outbound = plan.outbound
    assert outbound is not None and outbound.version == current.version == 4
    got = {e.code.name: (e.origin, [f.value for f in e.flags], e.changed) for e in outbound.entries}
    assert got == {
        "Answering Machine": ("org", [], False),
        "Busy": ("org", [], False),
        "No Answer": ("org", [], False),
        "Do Not Call": ("table", ["CONTACT_UNCALLABLE"], False),
        "Callback Scheduled": ("table", [], True),  # RedialNumber: [] (outbound.types)
        "Follow-up Required": ("table", [], True),
        "Not Interested": ("table", ["RIGHT_PARTY_CONTACT", "BUSINESS_FAILURE"], True),
        "Payment Taken": ("table", ["RIGHT_PARTY_CONTACT", "BUSINESS_SUCCESS"], True),
        "Sale": ("table", ["RIGHT_PARTY_CONTACT", "BUSINESS_SUCCESS"], True),
        "Wrong Number": ("table", ["NUMBER_UNCALLABLE"], True),
    }
    sale = next(e for e in outbound.entries if e.code.name == "Sale")
    assert sale.before == ("Right_Party_Contact",) and sale.code.id == SALE
    assert [f.value for f in outbound.default_set] == ["CONTACT_UNCALLABLE"] and not outbound.default_set_from_table
    # Every code of the org's mapping is in the resource: none can lose its entry, whatever the PUT does.
    assert {k.lower() for k in current.mapping} <= {e.code.id.lower() for e in outbound.entries if e.code.id}
    # And the resource is the object `outbound apply` would PUT (the same table, org and catalog).
    table = reviewed(FIVE9).table
    diff = diff_mapping(
        current, desired_mapping(table, LEGACY), org_codes={c.id: c.name for c in catalog.codes.values()}
    )
    applied = diff.put_body(current)
    assert flag_sets({e.code.id or "": [f.value for f in e.flags] for e in outbound.entries}) == flag_sets(
        applied["mapping"]
    )
    notes = "\n".join(n.message for n in outbound.notes)
    assert "'Spoke To Spouse'" in notes and "redial after 1 day" in notes  # the table's findings, as outbound plan


@pytest.mark.parametrize("syntax", ["hcl", "json"])
@pytest.mark.parametrize("split", [False, True])
def test_the_resource_passes_the_provider_schema(
    org: tuple[OrgCatalog, CurrentMapping], syntax: str, split: bool, tmp_path: Path
) -> None:
    catalog, current = org
    plan = plan_of(catalog, current, WITH_NEW_CODE)
    files = (render_json if syntax == "json" else render_hcl)(plan, split=split)
    suffix = ".tf.json" if syntax == "json" else ".tf"
    names = ("versions", "wrapup-codes", "outbound-wrapupcode-mappings", "queue-wrapup-codes") if split else ("main",)
    assert set(files) == {name + suffix for name in names}
    config = parse_files(files)
    assert schema_errors(config) == [] and provider_rule_errors(config) == []
    assert list(config["resource"][OUTBOUND]) == [OUTBOUND_LABEL]  # one, labelled as the provider's exporter does
    body = config["resource"][OUTBOUND][OUTBOUND_LABEL]
    assert set(body) == {"default_set", "mappings"}  # no placeholder: its default "***" keeps reads filtered
    mapped = by_id(body)
    assert mapped[f"{CODE_RESOURCE}.promise_to_pay.id"] == ["RIGHT_PARTY_CONTACT", "BUSINESS_SUCCESS"]
    assert mapped[SALE] == ["RIGHT_PARTY_CONTACT", "BUSINESS_SUCCESS"] and mapped[BUSY] == []
    assert "promise_to_pay" in config["resource"][CODE_RESOURCE]
    text = "".join(files.values())
    assert "ORG-WIDE RESOURCE" in text and "the demo org, version 4" in text
    if split:
        assert (
            OUTBOUND not in files[f"wrapup-codes{suffix}"]
            and OUTBOUND in files[f"outbound-wrapupcode-mappings{suffix}"]
        )
    if syntax == "hcl":
        reference = f"wrapup_code_id = {CODE_RESOURCE}.promise_to_pay.id\n"  # an expression, not a string
        assert reference in text
        for name, body_text in files.items():
            _fmt_check(body_text, tmp_path / name)
    else:
        assert f'"wrapup_code_id": "${{{CODE_RESOURCE}.promise_to_pay.id}}"' in text


def _fmt_check(text: str, path: Path) -> None:
    """``terraform fmt -check`` where Terraform is installed (no provider needed); the schema checks above run
    everywhere."""
    terraform = shutil.which("terraform")
    if terraform is None:
        return
    path.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [terraform, "fmt", "-check", "-diff", str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_reference_to_a_new_code_must_name_its_resource(org: tuple[OrgCatalog, CurrentMapping]) -> None:
    catalog, current = org
    plan = plan_of(catalog, current, WITH_NEW_CODE)
    assert plan.outbound is not None
    (promise,) = [e for e in plan.outbound.entries if e.code.name == "Promise To Pay"]
    assert promise.code.id is None and promise.code.resource == f"{CODE_RESOURCE}.promise_to_pay"
    assert [c.label for c in plan.new_codes] == ["promise_to_pay"]
    config = parse_files(render_hcl(plan, split=False))
    del config["resource"][CODE_RESOURCE]["promise_to_pay"]
    assert any("names no declared resource" in e for e in provider_rule_errors(config))
    # Once Terraform created the code, the provider PUTs its id.
    body = config["resource"][OUTBOUND][OUTBOUND_LABEL]
    put = provider_put_body(body, 4, {f"{CODE_RESOURCE}.promise_to_pay": PROMISE})
    assert put["mapping"][PROMISE] == ["RIGHT_PARTY_CONTACT", "BUSINESS_SUCCESS"] and put["version"] == 4


# ------------------------------------------------------------------------- applied as the provider applies it
async def _apply(mode: str, body: dict[str, Any] | None) -> dict[str, Any]:
    """The demo org's mapping after one write, on an emulator whose PUT ``mode`` is replace or merge: the provider's
    update for the resource ``body`` (GET, then PUT of default_set and the listed entries at that version), or, with
    None, ``outbound apply``'s (the whole object read, the table's changes made)."""
    emulator = testing.emulator(ORG, outbound_put=mode)
    async with connect("emulator", emulator, rate_per_minute=100_000) as connection:
        current = await read_mapping(connection.client)
        if body is None:
            catalog = (await export_catalog(connection)).view
            desired = desired_mapping(reviewed(FIVE9).table, LEGACY)
            org_codes = {c.id: c.name for c in catalog.codes.values()}
            put = diff_mapping(current, desired, org_codes=org_codes).put_body(current)
        else:
            put = provider_put_body(body, current.version)
        await write_mapping(connection.client, put)
        return (await read_mapping(connection.client)).raw


@pytest.mark.parametrize("mode", ["replace", "merge"])
def test_applied_by_the_provider_it_leaves_what_outbound_apply_leaves(
    org: tuple[OrgCatalog, CurrentMapping], mode: str
) -> None:
    catalog, current = org
    body = resource_of(render_hcl(plan_of(catalog, current), split=False))
    after = asyncio.run(_apply(mode, body))
    expected = asyncio.run(_apply(mode, None))
    assert flag_sets(after["mapping"]) == flag_sets(expected["mapping"])
    assert flag_sets({"d": after["defaultSet"]}) == flag_sets({"d": expected["defaultSet"]})
    assert flag_sets(after["mapping"])[NO_ANSWER] == frozenset()  # an entry the table does not decide, kept
    # The provider's next read keeps exactly what the configuration says: `terraform plan` shows no change.
    org_ids = {c.id for c in catalog.codes.values()}
    assert provider_read(body, after, org_ids) == configured_state(body)


def test_without_the_carried_over_entries_a_replacing_put_loses_them(org: tuple[OrgCatalog, CurrentMapping]) -> None:
    """Why the entries are carried over: a resource of the table's entries alone, applied by the provider to an org
    whose PUT replaces the mapping, takes the other codes' entries away (their flags fall back to defaultSet)."""
    catalog, current = org
    plan = plan_of(catalog, current)
    assert plan.outbound is not None
    body = resource_of(render_hcl(plan, split=False))
    carried = {e.code.id for e in plan.outbound.entries if e.origin == "org"}
    body["mappings"] = [block for block in blocks(body, "mappings") if block["wrapup_code_id"] not in carried]
    after = asyncio.run(_apply("replace", body))
    assert NO_ANSWER not in flag_sets(after["mapping"]) and BUSY not in flag_sets(after["mapping"])
    assert NO_ANSWER in flag_sets(asyncio.run(_apply("merge", body))["mapping"])


# ------------------------------------------------------------------------------ what cannot be carried over
def test_an_entry_of_a_deleted_code_is_left_out_with_a_note(org: tuple[OrgCatalog, CurrentMapping]) -> None:
    catalog, current = org
    gone = "77777777-7777-4777-8777-777777777777"
    raw = {**current.raw, "mapping": {**current.raw["mapping"], gone: ["NUMBER_UNCALLABLE"]}}
    plan = plan_of(catalog, CurrentMapping.from_json(raw))
    assert plan.outbound is not None
    assert gone not in {e.code.id for e in plan.outbound.entries}
    (note,) = [n for n in plan.outbound.notes if gone in n.message]
    assert note.severity == "info" and "deleted code" in note.message and "export it again" in note.message
    assert gone not in render_hcl(plan, split=False)["main.tf"].split("resource")[-1].split("# About")[0]


def test_a_default_entry_is_left_out_and_the_note_says_when_that_removes_it(
    org: tuple[OrgCatalog, CurrentMapping],
) -> None:
    catalog, current = org
    text = FIVE9.replace(
        "    do_not_call: [CONTACT_UNCALLABLE]\n", "    busy: default\n    do_not_call: [CONTACT_UNCALLABLE]\n"
    )
    plan = plan_of(catalog, current, text)
    assert plan.outbound is not None
    assert "Busy" not in {e.code.name for e in plan.outbound.entries}
    (note,) = [n for n in plan.outbound.notes if "outbound.codes.busy" in n.message]
    assert note.severity == "warning" and "only if Genesys's PUT replaces" in note.message
    assert note.line == reviewed(text).alias_line("busy")


def test_codes_that_are_no_code_here_or_disagree(org: tuple[OrgCatalog, CurrentMapping]) -> None:
    catalog, current = org
    ghost = "88888888-8888-4888-8888-888888888888"
    text = FIVE9.replace("codes:\n", f"codes:\n  ghost:              {{id: {ghost}, name: Ghost}}\n", 1)
    # A second alias of Sale's id asking other flags: outbound plan's conflict, so Sale keeps the org's entry.
    text = text.replace("codes:\n", f"codes:\n  sale_again:         {{id: {SALE}, name: Sale}}\n", 1)
    text = text.replace(
        "  codes:\n    sale:",
        "  codes:\n    ghost: [NUMBER_UNCALLABLE]\n    sale_again: [NUMBER_UNCALLABLE]\n    sale:",
        1,
    )
    plan = plan_of(catalog, current, text)
    assert plan.outbound is not None
    table = reviewed(text)
    (ghost_note,) = [n for n in plan.outbound.notes if "'ghost'" in n.message]
    assert ghost_note.severity == "warning" and ghost_note.line == table.alias_line("ghost")
    assert "this configuration does not create it" in ghost_note.message
    sale = next(e for e in plan.outbound.entries if e.code.name == "Sale")
    assert (sale.origin, [f.value for f in sale.flags], sale.changed) == ("org", ["RIGHT_PARTY_CONTACT"], False)
    assert any(n.severity == "error" and "set twice in outbound.codes" in n.message for n in plan.outbound.notes)


def test_two_aliases_of_one_new_code_must_agree(org: tuple[OrgCatalog, CurrentMapping]) -> None:
    catalog, current = org
    text = WITH_NEW_CODE.replace(
        "codes:\n",
        "codes:\n  promise_too:        {id: 12121212-1111-4111-8111-111111111111, name: promise to pay}\n",
        1,
    ).replace("  codes:\n    promise:", "  codes:\n    promise_too: [NUMBER_UNCALLABLE]\n    promise:", 1)
    text = text.replace("rules:\n", "rules:\n  - when: {code: Promise Too}\n    code: promise_too\n", 1)
    plan = plan_of(catalog, current, text)
    assert plan.outbound is not None and [c.aliases for c in plan.new_codes] == [("promise_too", "promise")]
    assert "Promise To Pay" not in {e.code.name for e in plan.outbound.entries}
    assert any(n.severity == "error" and "one code here" in n.message for n in plan.outbound.notes)


def test_the_default_set_is_the_tables_or_the_orgs(org: tuple[OrgCatalog, CurrentMapping]) -> None:
    catalog, current = org
    text = FIVE9.replace("  codes:\n    sale:", "  default_set: [number_uncallable]\n  codes:\n    sale:", 1)
    plan = plan_of(catalog, current, text)
    assert plan.outbound is not None and plan.outbound.default_set_from_table and plan.outbound.default_set_changed
    body = resource_of(render_hcl(plan, split=False))
    assert body["default_set"] == ["NUMBER_UNCALLABLE"]
    assert "outbound.default_set (the org's was CONTACT_UNCALLABLE)" in render_hcl(plan, split=False)["main.tf"]


@pytest.mark.parametrize(
    "raw",
    [
        {"version": 3, "defaultSet": ["CONTACT_UNCALLABLE"], "mapping": {BUSY: ["Callback"]}},
        {"version": 3, "defaultSet": ["NOT_A_FLAG"], "mapping": {}},
    ],
)
def test_a_flag_the_provider_refuses_stops_the_resource(
    org: tuple[OrgCatalog, CurrentMapping], raw: dict[str, Any]
) -> None:
    catalog, _ = org
    with pytest.raises(OutboundTerraformError) as caught:
        plan_of(catalog, CurrentMapping.from_json(raw), source="mapping.json")
    message = str(caught.value)
    assert message.startswith("mapping.json: ") and "the provider refuses" in message
    assert ('"Busy"' in message and "'Callback'" in message) or ("defaultSet" in message and "'NOT_A_FLAG'" in message)


def test_names_and_sources_stay_inside_their_comments(org: tuple[OrgCatalog, CurrentMapping]) -> None:
    catalog, current = org
    evil = 'Busy\n}\nresource "genesyscloud_outbound_wrapupcodemappings" "x" {\n  default_set = []\n#\u2028${x}'
    codes = [
        CatalogCode(c.id, evil if c.id == BUSY else c.name, c.division_id, c.division_name)
        for c in catalog.codes.values()
    ]
    odd = OrgCatalog.build(codes, catalog.queues, source=evil, fingerprint="sha256:0")
    plan = plan_of(odd, current, source=evil)
    for files in (render_hcl(plan, split=False), render_hcl(plan, split=True), render_json(plan, split=True)):
        config = parse_files(files)
        assert schema_errors(config) == [] and provider_rule_errors(config) == []
        assert list(config["resource"][OUTBOUND]) == [OUTBOUND_LABEL]
        assert by_id(config["resource"][OUTBOUND][OUTBOUND_LABEL])[BUSY] == []


def test_without_outbound_nothing_is_written_for_it(org: tuple[OrgCatalog, CurrentMapping]) -> None:
    catalog, _ = org
    plan = plan_terraform(reviewed(FIVE9), catalog)
    assert plan.outbound is None and plan.to_dict()["outbound"] is None
    for files in (render_hcl(plan, split=True), render_json(plan, split=False)):
        assert not any("outbound" in name for name in files) and OUTBOUND not in "".join(files.values())
    assert "outbound-wrapupcode-mappings.tf" not in render_hcl(plan, split=True)


def test_the_plan_as_json_says_what_the_resource_holds(org: tuple[OrgCatalog, CurrentMapping]) -> None:
    catalog, current = org
    data = json.loads(json.dumps(plan_of(catalog, current).to_dict()))
    outbound = data["outbound"]
    assert outbound["org_wide"] is True and outbound["resource"] == f"{OUTBOUND}.{OUTBOUND_LABEL}"
    assert outbound["current_mapping"] == {"source": "the demo org", "version": 4}
    sale = next(e for e in outbound["entries"] if e["name"] == "Sale")
    assert sale["before"] == ["Right_Party_Contact"] and sale["changed"] and sale["origin"] == "table"
