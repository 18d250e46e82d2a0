"""``GET/PUT /api/v2/outbound/wrapupcodemappings``: the SDK model's fields, the permissions, the version that must
match, strict bodies, and each UNSURE rule (stale-version status, replace or merge, unknown codes, flag case and
echo, business flags) under its switch; the org file's initial mapping and its errors with their lines."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import ROOT
from tests.emulator.helpers import (
    DEMO_ORG,
    HEAD_USERS,
    RESOLVED,
    SALE,
    Session,
    assert_error,
    make_emulator,
    run,
)
from tests.emulator.sdk_shapes import sdk, sdk_problems
from wrapup_bridge.emulator import Emulator, Org, OrgFileError, parse_org

PATH = "/api/v2/outbound/wrapupcodemappings"
DO_NOT_CALL = "2d4579fe-90cf-4f1d-a7e3-deeab99a14f8"
WRONG_NUMBER = "975d8cba-c0ba-4e79-848f-dfc9b2829097"
NO_ANSWER = "46d1d9af-3dd4-40f3-951b-c8cc9eddb5e7"
NOWHERE = "aaaaaaaa-0000-4000-8000-000000000000"


async def get(emu: Emulator, client: tuple[str, str] = ("demo-client", "demo-secret")) -> httpx.Response:
    async with emu.async_client() as c:
        s = await Session.login(c, *client)
        return await s.get(PATH)


async def put(emu: Emulator, body: Any, client: tuple[str, str] = ("demo-client", "demo-secret")) -> httpx.Response:
    async with emu.async_client() as c:
        s = await Session.login(c, *client)
        return await c.put(PATH, json=body, headers=s.headers)


def current(emu: Emulator) -> dict[str, Any]:
    response = run(get(emu))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_demo_org_s_mapping_has_the_sdk_model_s_fields(demo_org: Org) -> None:
    body = current(make_emulator(demo_org))
    assert list(body) == [
        "id", "name", "dateCreated", "dateModified", "version", "defaultSet", "mapping", "selfUri"
    ]  # fmt: skip
    assert body["version"] == 4 and body["defaultSet"] == ["CONTACT_UNCALLABLE"]
    assert body["mapping"] == {
        SALE: ["Right_Party_Contact"],  # names in the org file became ids; flags kept as written
        DO_NOT_CALL: ["CONTACT_UNCALLABLE"],
        NO_ANSWER: [],
        "5f1bfb25-5eef-4f8d-bde5-4e17c7836f95": [],
        "539bc950-fc1a-4092-aac3-07276f67594e": [],
    }
    assert body["dateModified"] == "2026-02-27T15:40:31.204Z" and body["dateCreated"] == "2026-02-16T10:12:00Z"
    assert sdk_problems(body, "WrapUpCodeMapping") == []


def test_put_with_the_current_version_bumps_it_and_replaces_the_mapping(demo_org: Org) -> None:
    emu = make_emulator(demo_org)
    before = current(emu)
    body = {"version": 4, "defaultSet": [], "mapping": {SALE: ["RIGHT_PARTY_CONTACT", "BUSINESS_SUCCESS"]}}
    response = run(put(emu, body))
    assert response.status_code == 200, response.text
    after = response.json()
    assert after["version"] == 5 and after["defaultSet"] == [] and after["mapping"] == body["mapping"]
    assert after["id"] == before["id"] and after["dateModified"] != before["dateModified"]
    assert current(emu) == after and sdk_problems(after, "WrapUpCodeMapping") == []
    assert [entry["body"] for entry in emu.runtime.outbound.history] == [body]
    assert emu.stats()["statuses"][f"PUT {PATH}"] == {"200": 1}
    emu.reset()
    assert current(emu)["version"] == 4  # a reset restores the org file's mapping


def test_read_only_fields_sent_back_are_ignored(demo_org: Org) -> None:
    emu = make_emulator(demo_org)
    whole = current(emu)
    response = run(put(emu, {**whole, "id": "something-else", "selfUri": "/elsewhere"}))
    assert response.status_code == 200, response.text
    assert response.json()["id"] == whole["id"] and response.json()["mapping"] == whole["mapping"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"defaultSet": []}, "version"),
        ({"version": "4", "defaultSet": []}, "version"),
        ({"version": 4, "defaultSet": "CONTACT_UNCALLABLE"}, "defaultSet"),
        ({"version": 4, "mapping": []}, "mapping"),
        ({"version": 4, "mapping": {SALE: "RIGHT_PARTY_CONTACT"}}, f"mapping.{SALE}"),
        ({"version": 4, "wrapupCodeMapping": {}}, "wrapupCodeMapping"),
    ],
)
def test_a_body_of_another_shape_is_a_400_naming_the_field(demo_org: Org, body: Any, field: str) -> None:
    emu = make_emulator(demo_org)
    error = assert_error(run(put(emu, body)), 400, "bad.request")
    assert error["details"] == [{"errorCode": "bad.request", "fieldName": field}]
    assert current(emu)["version"] == 4


def test_no_body_is_a_400(demo_org: Org) -> None:
    async def go() -> httpx.Response:
        async with emu.async_client() as c:
            s = await Session.login(c)
            return await c.put(PATH, headers=s.headers)

    emu = make_emulator(demo_org)
    assert_error(run(go()), 400, "bad.request")


@pytest.mark.parametrize(("status", "code", "words"), [(409, "conflict", "Unexpected version"), (400, "bad.request", "does not match the current version")])  # fmt: skip
def test_a_stale_version_is_refused_with_the_switch_s_status(demo_org: Org, status: int, code: str, words: str) -> None:
    emu = make_emulator(demo_org, outbound_version_conflict_status=status)
    error = assert_error(run(put(emu, {"version": 3, "defaultSet": [], "mapping": {}})), status, code)
    assert words in error["message"]
    assert current(emu)["version"] == 4 and emu.runtime.outbound.history == []


def test_flags_are_checked_in_any_case_or_upper_only(demo_org: Org) -> None:
    emu = make_emulator(demo_org)
    bad = assert_error(run(put(emu, {"version": 4, "mapping": {SALE: ["RIGHT_PARTY"]}})), 400, "invalid.value")
    assert "'RIGHT_PARTY' is not one of CONTACT_UNCALLABLE" in bad["message"]
    mixed = {"version": 4, "defaultSet": [], "mapping": {SALE: ["Right_Party_Contact", "Business_Success"]}}
    assert run(put(emu, mixed)).status_code == 200
    assert current(emu)["mapping"][SALE] == ["Right_Party_Contact", "Business_Success"]  # echoed as written

    strict = make_emulator(demo_org, outbound_flag_case="upper")
    assert_error(run(put(strict, mixed)), 400, "invalid.value")

    upper = make_emulator(demo_org, outbound_flag_echo="upper")
    assert current(upper)["mapping"][SALE] == ["RIGHT_PARTY_CONTACT"]
    assert run(put(upper, mixed)).json()["mapping"][SALE] == ["RIGHT_PARTY_CONTACT", "BUSINESS_SUCCESS"]


def test_two_business_flags_on_one_code_under_the_switch(demo_org: Org) -> None:
    body = {"version": 4, "defaultSet": [], "mapping": {SALE: ["BUSINESS_SUCCESS", "BUSINESS_FAILURE"]}}
    assert run(put(make_emulator(demo_org), body)).status_code == 200
    assert_error(run(put(make_emulator(demo_org, outbound_business_flags="one"), body)), 400, "invalid.value")


def test_unknown_code_ids_are_accepted_or_refused_by_the_switch(demo_org: Org) -> None:
    body = {"version": 4, "defaultSet": [], "mapping": {NOWHERE: ["NUMBER_UNCALLABLE"]}}
    assert run(put(make_emulator(demo_org), body)).status_code == 200
    error = assert_error(run(put(make_emulator(demo_org, outbound_unknown_codes="reject"), body)), 400, "invalid.value")
    assert NOWHERE in error["message"]


def test_replace_or_merge(demo_org: Org) -> None:
    partial = {"version": 4, "mapping": {WRONG_NUMBER: ["NUMBER_UNCALLABLE"]}}
    replaced = run(put(make_emulator(demo_org), partial)).json()
    assert replaced["mapping"] == {WRONG_NUMBER: ["NUMBER_UNCALLABLE"]} and replaced["defaultSet"] == []
    merged = run(put(make_emulator(demo_org, outbound_put="merge"), partial)).json()
    assert merged["mapping"][WRONG_NUMBER] == ["NUMBER_UNCALLABLE"] and merged["mapping"][SALE] == [
        "Right_Party_Contact"
    ]
    assert merged["defaultSet"] == ["CONTACT_UNCALLABLE"]


def test_permissions_view_and_edit(demo_org: Org) -> None:
    emu = make_emulator(demo_org)
    readonly = ("readonly-client", "readonly-secret")
    assert run(get(emu, readonly)).status_code == 200
    error = assert_error(run(put(emu, {"version": 4}, readonly)), 403, "missing.permissions")
    assert error["messageParams"] == {"permissions": "outbound:wrapUpCodeMapping:edit"}
    org = parse_org(HEAD_USERS)  # its client has no outbound permission
    error = assert_error(run(get(make_emulator(org))), 403, "missing.permissions")
    assert error["messageParams"] == {"permissions": "outbound:wrapUpCodeMapping:view"}


def test_an_org_without_the_key_starts_empty() -> None:
    body = current(make_emulator(parse_org(HEAD_USERS.replace("routing:queue:view", "outbound:*:*"))))
    assert (body["version"], body["defaultSet"], body["mapping"]) == (1, [], {})


def test_the_org_file_s_mapping_is_checked_with_its_lines() -> None:
    text = (
        HEAD_USERS
        + f"""outbound_wrapupcode_mapping:
  version: 2
  default_set: [CONTACT_UNCALLABLE, DO_NOT_CALL]
  mapping:
    Resolved: [Right_Party_Contact]
    Refunded: []
    {NOWHERE}: [NUMBER_UNCALLABLE, bogus]
"""
    )
    with pytest.raises(OrgFileError) as caught:
        parse_org(text, source="org.yaml")
    found = [str(p) for p in caught.value.problems]
    assert found == [
        "line 19: outbound_wrapupcode_mapping.default_set[1]: 'DO_NOT_CALL' is not an outbound flag "
        "(CONTACT_UNCALLABLE, NUMBER_UNCALLABLE, RIGHT_PARTY_CONTACT, BUSINESS_SUCCESS, BUSINESS_FAILURE, "
        "BUSINESS_NEUTRAL)",
        "line 22: outbound_wrapupcode_mapping.mapping.Refunded: no wrap-up code with id or name 'Refunded'",
        f"line 23: outbound_wrapupcode_mapping.mapping.{NOWHERE}[1]: 'bogus' is not an outbound flag "
        "(CONTACT_UNCALLABLE, NUMBER_UNCALLABLE, RIGHT_PARTY_CONTACT, BUSINESS_SUCCESS, BUSINESS_FAILURE, "
        "BUSINESS_NEUTRAL)",
    ]
    fixed = text.replace(", DO_NOT_CALL", "").replace("    Refunded: []\n", "").replace(", bogus", "")
    ok = parse_org(fixed.replace("routing:queue:view", "outbound:wrapUpCodeMapping:view"))
    body = current(make_emulator(ok))
    # a code the org does not have keeps its entry (deleted codes retain their mappings)
    assert body["mapping"] == {RESOLVED: ["Right_Party_Contact"], NOWHERE: ["NUMBER_UNCALLABLE"]}


# --- the official SDK ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(demo_org: Org) -> Iterator[tuple[Emulator, str]]:
    emu = Emulator(demo_org)
    with emu.serve() as base_url:
        yield emu, base_url


@pytest.mark.xdist_group("genesys-sdk")
def test_the_sdk_reads_and_writes_the_mapping(served: tuple[Emulator, str]) -> None:
    emu, base_url = served
    emu.reset()
    api_client = sdk().ApiClient(host=base_url)
    api_client.get_client_credentials_token("demo-client", "demo-secret")
    outbound = sdk().OutboundApi(api_client)
    read = outbound.get_outbound_wrapupcodemappings()
    assert read.version == 4 and read.default_set == ["CONTACT_UNCALLABLE"]
    assert read.mapping[SALE] == ["Right_Party_Contact"] and read.self_uri == PATH
    body = sdk().WrapUpCodeMapping()
    body.version = read.version
    body.default_set = ["CONTACT_UNCALLABLE"]
    body.mapping = {**read.mapping, WRONG_NUMBER: ["NUMBER_UNCALLABLE"]}
    written = outbound.put_outbound_wrapupcodemappings(body)
    assert written.version == 5 and written.mapping[WRONG_NUMBER] == ["NUMBER_UNCALLABLE"]
    stale = sdk().WrapUpCodeMapping()
    stale.version, stale.default_set, stale.mapping = 4, [], {}
    with pytest.raises(sdk().rest.ApiException) as caught:
        outbound.put_outbound_wrapupcodemappings(stale)
    assert caught.value.status == 409


def test_the_documented_block_loads() -> None:
    text = (ROOT / "docs" / "emulator.md").read_text(encoding="utf-8")
    block = text.split("## Outbound wrap-up code mapping", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    demo = DEMO_ORG.read_text(encoding="utf-8").split("outbound_wrapupcode_mapping:\n", 1)[0]
    org = parse_org(demo + block, source="docs/emulator.md")
    body = current(make_emulator(org))
    assert body["version"] == 4 and body["mapping"][SALE] == ["Right_Party_Contact"] and len(body["mapping"]) == 3
