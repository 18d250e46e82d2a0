"""The outbound flags: exactly the six of the SDK's enum, read in any spelling, compared whatever the spelling."""

from __future__ import annotations

import pytest

from wrapup_bridge.core.outbound.flags import (
    BUSINESS_FLAGS,
    TERMINATING_FLAGS,
    OutboundFlag,
    canonical_flags,
    flag_key,
    flags_text,
    parse_flag,
    same_flags,
)


def test_the_enum_is_the_sdk_s() -> None:
    # docs/reference-outbound.md §1.3: the Java SDK's DefaultSetEnum and the provider's flagsSchema (VERIFIED).
    assert [f.value for f in OutboundFlag] == [
        "CONTACT_UNCALLABLE",
        "NUMBER_UNCALLABLE",
        "RIGHT_PARTY_CONTACT",
        "BUSINESS_SUCCESS",
        "BUSINESS_FAILURE",
        "BUSINESS_NEUTRAL",
    ]
    assert set(OutboundFlag) == BUSINESS_FLAGS | TERMINATING_FLAGS and not BUSINESS_FLAGS & TERMINATING_FLAGS


@pytest.mark.parametrize(
    "text",
    ["Right_Party_Contact", "right party contact", "RIGHT-PARTY-CONTACT", "  RIGHT_PARTY_CONTACT "],
)
def test_any_spelling_reads(text: str) -> None:
    assert parse_flag(text) is OutboundFlag.RIGHT_PARTY_CONTACT
    assert flag_key(text) == "RIGHT_PARTY_CONTACT"


def test_the_provider_s_spellings_read() -> None:
    # The Terraform provider's tests write these and assert them back from the API (reference §1.3).
    assert parse_flag("Contact_UnCallable") is OutboundFlag.CONTACT_UNCALLABLE
    assert parse_flag("Number_UnCallable") is OutboundFlag.NUMBER_UNCALLABLE
    assert parse_flag("Business_Neutral") is OutboundFlag.BUSINESS_NEUTRAL


@pytest.mark.parametrize("value", ["RIGHT_PARTY", "DO_NOT_CALL", "", 3, None])
def test_anything_else_is_named(value: object) -> None:
    with pytest.raises(ValueError, match=r"not an outbound flag|a flag is text"):
        parse_flag(value)


def test_a_near_spelling_is_suggested() -> None:
    with pytest.raises(ValueError, match=r"did you mean CONTACT_UNCALLABLE\?"):
        parse_flag("CONTACT_UNCALLABE")


def test_comparison_ignores_spelling_order_and_repeats() -> None:
    assert same_flags(["Right_Party_Contact", "BUSINESS_SUCCESS"], ["BUSINESS_SUCCESS", "RIGHT_PARTY_CONTACT"])
    assert same_flags([], [])
    assert not same_flags(["RIGHT_PARTY_CONTACT"], ["RIGHT_PARTY_CONTACT", "BUSINESS_SUCCESS"])
    assert not same_flags(["CONTACT_UNCALLABLE"], ["NUMBER_UNCALLABLE"])


def test_canonical_order_and_text() -> None:
    flags = [OutboundFlag.BUSINESS_SUCCESS, OutboundFlag.RIGHT_PARTY_CONTACT, OutboundFlag.BUSINESS_SUCCESS]
    assert canonical_flags(flags) == (OutboundFlag.RIGHT_PARTY_CONTACT, OutboundFlag.BUSINESS_SUCCESS)
    assert flags_text(["RIGHT_PARTY_CONTACT", "BUSINESS_SUCCESS"]) == "RIGHT_PARTY_CONTACT + BUSINESS_SUCCESS"
    assert flags_text([]) == "(no flags)"
