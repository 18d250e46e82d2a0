"""Phone numbers to E.164 in the forms exports and Genesys write them, and what is no number at all."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT
from wrapup_bridge.core.correlate.phone import known_region, to_e164

US = "+19045550101"
UK = "+442079460000"  # Ofcom's drama range (020 7946 0xxx)
UK_MOBILE = "+447700900123"
DE = "+49301234567"
FR = "+33123456789"
AU = "+61298765432"


@pytest.mark.parametrize(
    ("text", "country", "expected"),
    [
        # United States: national, with the trunk 1, international, Genesys and SIP forms
        ("9045550101", "US", US),
        ("19045550101", "US", US),
        ("(904) 555-0101", "US", US),
        ("904-555-0101", "US", US),
        ("904.555.0101", "US", US),
        ("1 (904) 555-0101", "US", US),
        ("+1 904 555 0101", "US", US),
        ("+19045550101", "US", US),
        ("  +1-904-555-0101  ", "US", US),
        ("tel:+19045550101", "US", US),
        ("TEL:+1-904-555-0101", "US", US),
        ("tel:+19045550101;phone-context=example.com", "US", US),
        ("sip:+19045550101@edge.example.com;user=phone", "US", US),
        ("sips:19045550101@edge.example.com", "US", US),
        ("+1 904 555 0101", "GB", US),
        ("001 904 555 0101", "GB", US),
        ("0019045550101", "DE", US),
        # United Kingdom
        ("020 7946 0000", "GB", UK),
        ("(020) 7946 0000", "GB", UK),
        ("+44 20 7946 0000", "US", UK),
        ("+44 (0)20 7946 0000", "US", UK),
        ("0044 20 7946 0000", "US", UK),
        ("011 44 20 7946 0000", "US", UK),
        ("442079460000", "US", UK),
        ("07700 900123", "GB", UK_MOBILE),
        ("tel:+447700900123", "DE", UK_MOBILE),
        # Germany
        ("030 1234567", "DE", DE),
        ("030/1234567", "DE", DE),
        ("030-123 45 67", "DE", DE),
        ("+49 30 1234567", "US", DE),
        ("+49 (0)30 1234567", "US", DE),
        ("0049 30 1234567", "GB", DE),
        # France
        ("01 23 45 67 89", "FR", FR),
        ("01.23.45.67.89", "FR", FR),
        ("+33 1 23 45 67 89", "US", FR),
        ("0033 1 23 45 67 89", "US", FR),
        ("0033123456789", "DE", FR),
        # Australia (0011 is its international prefix)
        ("(02) 9876 5432", "AU", AU),
        ("02 9876 5432", "AU", AU),
        ("+61 2 9876 5432", "US", AU),
        ("0011 61 2 9876 5432", "AU", AU),
        ("0011 61 2 9876 5432", "US", AU),
        # The default country decides what a national number means
        ("904-555-0101", "GB", "+449045550101"),
        ("020 7946 0000", "gb", UK),
    ],
)
def test_written_forms_become_e164(text: str, country: str, expected: str) -> None:
    assert to_e164(text, country) == expected


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "Anonymous",
        "anonymous",
        "Restricted",
        "Unknown",
        "Chris Park",  # a chat task's "from"
        "sip:jdoe@example.com",  # an agent's own SIP address
        "sip:0a1b2c3d4e5f+example.orgspan.com;tgrp=x;trunk-context=example@localhost",  # a real agent sessionDnis
        "tel:",
        "+",
        "2323",  # an internal extension
        "911",
        "0",
        "0000000000",  # a placeholder for "no number"
        "9045550101 x12",
        "@Call.ANI@",  # a Five9 variable left unsubstituted
        "904555010199999999",
    ],
)
def test_what_is_no_phone_number_is_none(text: str | None) -> None:
    assert to_e164(text, "US") is None


def test_an_unknown_default_country_reads_only_international_numbers() -> None:
    assert to_e164("+44 20 7946 0000", "ZZ") == UK
    assert to_e164("020 7946 0000", "ZZ") is None


def test_regions() -> None:
    assert known_region("US") and known_region("gb") and known_region("DE")
    assert not known_region("UK") and not known_region("XX")


def test_results_are_cached() -> None:
    to_e164.cache_clear()
    for _ in range(3):
        to_e164("(904) 555-0101", "US")
    assert to_e164.cache_info().hits == 2


def test_phonenumbers_is_imported_only_when_a_number_is_read() -> None:
    code = (
        "import sys, wrapup_bridge, wrapup_bridge.core.correlate, wrapup_bridge.core.mapping\n"
        "from wrapup_bridge.core.mapping import MappingTable\n"
        "MappingTable.from_text('version: 1\\ncodes: {}\\ncorrelate: {tolerance_seconds: 60}\\n')\n"
        "print('phonenumbers' in sys.modules)\n"
        "from wrapup_bridge.core.correlate import to_e164\n"
        "to_e164('9045550101', 'US')\n"
        "print('phonenumbers' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]
