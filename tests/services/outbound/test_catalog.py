"""The legacy catalog read for outbound planning: Five9 names, types and redial settings in words; CXone
classifications, outcomes and groups; the platform told from the table or the file; problems named by entry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES
from wrapup_bridge.adapters.base import Five9RecordError
from wrapup_bridge.services.outbound.catalog import read_legacy_catalog


def test_the_five9_example_listing() -> None:
    found = read_legacy_catalog(str(EXAMPLES / "five9" / "dispositions.yaml"))
    assert [(d.name, d.type) for d in found] == [
        ("Payment Taken", "FinalDisp"),
        ("Sale", "FinalDisp"),
        ("Callback Scheduled", "RedialNumber"),
        ("Not Interested", "FinalDisp"),
        ("Wrong Number", "DoNotDial"),
        ("Spoke To Spouse", "RedialNumber"),
    ]
    callback = found[2]
    assert callback.redial == "redial after 1 day, 3 redial attempts, the agent may change the timer"
    assert callback.fields == {"disposition_type": "RedialNumber"} and callback.where.endswith("entry 3")
    assert all(d.platform == "five9" and d.redial is None for d in found if d.name != "Callback Scheduled")


def test_the_cxone_example_listing_is_detected() -> None:
    found = read_legacy_catalog(str(EXAMPLES / "cxone" / "skill-dispositions.json"))
    by_name = {d.name: d for d in found}
    assert by_name["Dispute"].classification == "Negative" and by_name["Dispute"].system_outcome == "Refusal"
    assert by_name["Busy"].reporting_group == "Connection Retry" and by_name["Busy"].platform == "cxone"
    assert by_name["Payment Taken"].where.endswith("dispositionId 1073743862")


def test_five9_listings_in_the_soap_shape_and_a_timer_in_hours(tmp_path: Path) -> None:
    listing = tmp_path / "d.json"
    listing.write_text(
        json.dumps(
            {
                "return": [
                    {
                        "name": "Busy Later",
                        "type": "RedialNumber",
                        "typeParameters": {
                            "useTimer": True,
                            "timer": {"days": 0, "hours": 8, "minutes": 30, "seconds": 0},
                        },
                    },
                    {"name": "Untyped"},
                ]
            }
        )
    )
    found = read_legacy_catalog(str(listing), "five9")
    assert found[0].redial == "redial after 8 hours, 30 minutes" and found[1].type is None and found[1].fields == {}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("- {name: X, type: FinalApplyToContact}\n", "not a Five9 disposition type"),
        ("- {type: FinalDisp}\n", "name is missing"),
        ("colour: red\n", "expected a list of dispositions"),
    ],
)
def test_problems_name_the_file_and_entry(tmp_path: Path, text: str, words: str) -> None:
    listing = tmp_path / "d.yaml"
    listing.write_text(text)
    with pytest.raises(Five9RecordError, match=words) as caught:
        read_legacy_catalog(str(listing), "five9")
    assert str(listing) in str(caught.value)
