"""The org's mapping against what the table asks: added, changed and removed entries, the defaultSet, codes the org
does not have, and the whole object to PUT (the object read, with only our changes, at the version it was read)."""

from __future__ import annotations

import pytest

from wrapup_bridge.core.decision import CodeRef
from wrapup_bridge.core.outbound.desired import DesiredEntry, DesiredMapping, FindingKind
from wrapup_bridge.core.outbound.diff import (
    ChangeKind,
    CurrentMapping,
    OutboundDiff,
    diff_mapping,
    mapping_moves,
)
from wrapup_bridge.core.outbound.flags import OutboundFlag

R, N, C = OutboundFlag.RIGHT_PARTY_CONTACT, OutboundFlag.NUMBER_UNCALLABLE, OutboundFlag.CONTACT_UNCALLABLE
SUCCESS = OutboundFlag.BUSINESS_SUCCESS
SALE = "0dd6a32c-c059-4534-97bf-c82d73d9c869"
PAID = "dd1c84e4-4fa9-40d7-81ac-e0d9a2729d41"
BUSY = "5f1bfb25-5eef-4f8d-bde5-4e17c7836f95"
WRONG = "975d8cba-c0ba-4e79-848f-dfc9b2829097"
GONE = "aaaaaaaa-0000-4000-8000-000000000000"

CURRENT = {
    "id": "8bfbb3fe-0000-0000-0000-000000000000",
    "name": "Wrap-up Code Mapping",
    "version": 7,
    "defaultSet": ["CONTACT_UNCALLABLE"],
    "mapping": {
        SALE.upper(): ["Right_Party_Contact"],  # spelled as the provider's tests read it back
        PAID: ["RIGHT_PARTY_CONTACT"],
        BUSY: [],
        GONE: ["NUMBER_UNCALLABLE"],
    },
    "selfUri": "/api/v2/outbound/wrapupcodemappings",
}


def entry(code_id: str, name: str, *flags: OutboundFlag, default: bool = False) -> DesiredEntry:
    return DesiredEntry(CodeRef(alias=name.lower(), id=code_id, name=name), None if default else flags, "test")


def desired(*entries: DesiredEntry, default_set: tuple[OutboundFlag, ...] | None = None) -> DesiredMapping:
    return DesiredMapping({e.code.id: e for e in entries}, default_set, ())


def test_added_changed_removed_and_unchanged() -> None:
    current = CurrentMapping.from_json(CURRENT)
    diff = diff_mapping(
        current,
        desired(
            entry(SALE, "Sale", R, SUCCESS),
            entry(PAID, "Payment Taken", R),
            entry(WRONG, "Wrong Number", N),
            entry(BUSY, "Busy", default=True),
        ),
    )
    kinds = {change.code_id: change.kind for change in diff.changes}
    assert kinds == {SALE: ChangeKind.CHANGED, WRONG: ChangeKind.ADDED, BUSY: ChangeKind.REMOVED}
    assert diff.unchanged == (PAID,) and diff.default_set is None
    sale = next(c for c in diff.changes if c.code_id == SALE)
    assert sale.flags_added == ("BUSINESS_SUCCESS",) and sale.flags_removed == ()
    assert diff.describe() == [
        "~ Sale (0dd6a32c-c059-4534-97bf-c82d73d9c869): Right_Party_Contact -> RIGHT_PARTY_CONTACT + "
        "BUSINESS_SUCCESS (+BUSINESS_SUCCESS)",
        "+ Wrong Number (975d8cba-c0ba-4e79-848f-dfc9b2829097): NUMBER_UNCALLABLE",
        "- Busy (5f1bfb25-5eef-4f8d-bde5-4e17c7836f95): (no flags) -> no entry (the org's defaultSet applies)",
    ]


def test_the_put_body_is_the_whole_object_read_with_only_our_changes() -> None:
    current = CurrentMapping.from_json(CURRENT)
    diff = diff_mapping(
        current,
        desired(entry(SALE, "Sale", R, SUCCESS), entry(WRONG, "Wrong Number", N), entry(BUSY, "Busy", default=True)),
    )
    body = diff.put_body(current)
    assert set(body) == {"version", "defaultSet", "mapping"}  # what the provider sends; nothing read-only
    assert body["version"] == 7 and body["defaultSet"] == ["CONTACT_UNCALLABLE"]
    assert body["mapping"] == {
        SALE.upper(): ["RIGHT_PARTY_CONTACT", "BUSINESS_SUCCESS"],  # the key as the org holds it
        PAID: ["RIGHT_PARTY_CONTACT"],  # untouched
        GONE: ["NUMBER_UNCALLABLE"],  # a deleted code's entry stays: not ours to drop
        WRONG: ["NUMBER_UNCALLABLE"],
    }
    assert CURRENT["mapping"][BUSY] == []  # the answer read is not changed in place


def test_the_default_set_changes_only_when_the_table_says() -> None:
    current = CurrentMapping.from_json(CURRENT)
    assert diff_mapping(current, desired()).empty
    same = diff_mapping(current, desired(default_set=(C,)))
    assert same.empty
    moved = diff_mapping(current, desired(default_set=()))
    assert moved.default_set is not None and moved.describe() == ["~ defaultSet: CONTACT_UNCALLABLE -> (no flags)"]
    assert moved.put_body(current)["defaultSet"] == []


def test_once_applied_nothing_is_still_needed() -> None:
    current = CurrentMapping.from_json(CURRENT)
    diff = diff_mapping(
        current, desired(entry(SALE, "Sale", R, SUCCESS), entry(BUSY, "Busy", default=True), default_set=(N,))
    )
    assert diff.still_needed(current) == diff
    after = CurrentMapping.from_json({**diff.put_body(current), "version": 8})
    assert diff.still_needed(after).empty
    assert diff_mapping(after, desired(entry(SALE, "Sale", R, SUCCESS), default_set=(N,))).empty
    # what GET answers may spell the flags otherwise (UNSURE): still the same
    echoed = {
        **after.raw,
        "mapping": {**after.raw["mapping"], SALE.upper(): ["Business_Success", "right_party_contact"]},
    }
    assert diff.still_needed(CurrentMapping.from_json(echoed)).empty


def test_codes_the_org_lacks_are_findings() -> None:
    current = CurrentMapping.from_json(CURRENT)
    org = {SALE: "Sale", PAID: "Payment Taken", BUSY: "Busy"}
    diff = diff_mapping(current, desired(entry(WRONG, "Wrong Number", N)), org_codes=org)
    kinds = {(f.kind, f.code_id) for f in diff.findings}
    assert kinds == {(FindingKind.UNKNOWN_CODE, WRONG), (FindingKind.ORPHAN, GONE)}
    assert diff.changes[0].kind is ChangeKind.ADDED  # still planned: whether Genesys refuses it is UNSURE


def test_the_plan_file_form_round_trips() -> None:
    current = CurrentMapping.from_json(CURRENT)
    diff = diff_mapping(current, desired(entry(SALE, "Sale", R), entry(BUSY, "Busy", default=True), default_set=()))
    assert OutboundDiff.from_json(diff.to_json()) == diff


def test_how_the_org_moved_between_two_reads() -> None:
    before = CurrentMapping.from_json(CURRENT)
    after = CurrentMapping.from_json(
        {
            **CURRENT,
            "version": 9,
            "defaultSet": [],
            "mapping": {SALE: ["RIGHT_PARTY_CONTACT"], WRONG: ["NUMBER_UNCALLABLE"]},
        }
    )
    assert mapping_moves(before, after) == [
        "version 7 -> 9",
        "defaultSet: CONTACT_UNCALLABLE -> (no flags)",
        f"{PAID}: RIGHT_PARTY_CONTACT -> no entry",
        f"{BUSY}: (no flags) -> no entry",
        f"{GONE}: NUMBER_UNCALLABLE -> no entry",
        f"{WRONG}: no entry -> NUMBER_UNCALLABLE",
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "WrapUpCodeMapping object"),
        ({"version": "7"}, "'version'"),
        ({"version": True}, "'version'"),
        ({"defaultSet": "CONTACT_UNCALLABLE"}, "'defaultSet'"),
        ({"mapping": []}, "'mapping'"),
        ({"mapping": {SALE: "RIGHT_PARTY_CONTACT"}}, f"'mapping.{SALE}'"),
    ],
)
def test_an_answer_of_another_shape_names_the_field(body: object, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        CurrentMapping.from_json(body)


def test_absent_parts_read_as_empty() -> None:
    current = CurrentMapping.from_json({"version": 1})
    assert current.default_set == () and current.mapping == {}
