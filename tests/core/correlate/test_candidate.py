"""Candidates read from real analytics details shapes: tests/emulator/details_samples.py keeps a real 2024 inbound
voice answer's structure, tests/genesys/real_shapes.py real callback and voice details (their sources are cited
there)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.emulator.details_samples import AGENT, QUEUE, VOICE_RESPONSE
from tests.genesys import real_shapes as real
from wrapup_bridge.core.correlate.candidate import Candidate


def voice() -> dict[str, Any]:
    conversation: dict[str, Any] = copy.deepcopy(VOICE_RESPONSE["conversations"][0])
    return conversation


def test_the_real_inbound_voice_answer() -> None:
    candidate = Candidate.from_analytics(voice(), "US")
    assert candidate.conversation_id == "b1c2d3e4-0000-4000-8000-00000000aa03"
    assert candidate.start == datetime(2026, 3, 2, 17, 30, 43, 90000, tzinfo=UTC)
    assert candidate.end == datetime(2026, 3, 2, 17, 38, 17, 974000, tzinfo=UTC)
    assert candidate.direction == "inbound"
    assert candidate.media == {"voice"}
    # Every session carries tel:+E164 ani and dnis; the agent's SIP sessionDnis is not read as a number.
    assert candidate.anis == {"+13175550142"}
    assert candidate.dnises == {"+18005550199"}
    assert candidate.queue_ids == {QUEUE}
    assert candidate.user_ids == {AGENT}  # the agent; the ivr and acd participants have no userId
    assert candidate.external_tag is None and dict(candidate.attributes) == {}


def test_analytics_callback_with_an_alert_only_leg_and_no_numbers() -> None:
    candidate = Candidate.from_analytics(real.analytics_preview_callback(), "US")
    assert candidate.conversation_id == real.CID
    assert candidate.end is None  # the sample has no conversationEnd
    assert candidate.direction == "outbound"
    assert candidate.media == {"callback"}
    assert candidate.anis == frozenset() and candidate.dnises == frozenset()
    assert candidate.queue_ids == {real.BILLING}
    assert candidate.user_ids == {real.JDOE}  # two legs, one user


def test_analytics_rona_then_answered_lists_both_agents() -> None:
    candidate = Candidate.from_analytics(real.analytics_rona_then_timeout(), "US")
    assert candidate.user_ids == {real.ASMITH, real.MGARCIA}
    assert candidate.media == {"voice"}
    assert candidate.direction == "inbound"
    assert candidate.queue_ids == frozenset()  # no segment of the sample names a queue


def test_external_tag_and_job_attributes() -> None:
    """Only the async jobs' results carry participant attributes (SDK AnalyticsParticipant.attributes)."""
    conversation = voice()
    conversation["externalTag"] = " LEGACY-300000010270801 "
    conversation["participants"][0]["attributes"] = {"legacyCallId": "300000010270801", "score": 7}
    conversation["participants"][3]["attributes"] = {"legacyCallId": "other", "lang": None}
    candidate = Candidate.from_analytics(conversation, "US")
    assert candidate.external_tag == "LEGACY-300000010270801"
    assert dict(candidate.attributes) == {"legacyCallId": "300000010270801", "score": "7"}  # the first wins


def test_an_outbound_call_by_a_user_has_its_sip_ani_dropped() -> None:
    """In an outbound call placed by a user, the user's session has ani = its own SIP address (the 2016 sample in
    docs/reference-analytics-details.md)."""
    conversation = {
        "conversationId": "C0FFEE00-0000-4000-8000-000000000099",
        "conversationStart": "2016-09-06T00:14:57Z",
        "originatingDirection": "Outbound",
        "participants": [
            {
                "purpose": "user",
                "userId": "EA96E66B-D684-474A-B09A-CDCDE48041E6",
                "sessions": [
                    {
                        "mediaType": "voice",
                        "direction": "outbound",
                        "ani": "sip:jdoe@example.mypurecloud.com",
                        "dnis": "tel:+13125550212",
                        "segments": [{"segmentType": "interact"}],
                    }
                ],
            },
            {
                "purpose": "external",
                "sessions": [{"mediaType": "voice", "ani": "tel:+18005550300", "dnis": "tel:+13125550212"}],
            },
        ],
    }
    candidate = Candidate.from_analytics(conversation, "US")
    assert candidate.conversation_id == "c0ffee00-0000-4000-8000-000000000099"
    assert candidate.direction == "outbound"
    assert candidate.anis == {"+18005550300"}
    assert candidate.dnises == {"+13125550212"}
    assert candidate.user_ids == {"ea96e66b-d684-474a-b09a-cdcde48041e6"}


def test_national_numbers_read_with_the_default_country() -> None:
    conversation = voice()
    for participant in conversation["participants"]:
        for session in participant["sessions"]:
            session["ani"], session["dnis"] = "020 7946 0000", "0800 123 4567"
    candidate = Candidate.from_analytics(conversation, "GB")
    assert candidate.anis == {"+442079460000"} and candidate.dnises == {"+448001234567"}


def test_odd_shapes_are_absences_not_errors() -> None:
    conversation = {
        "conversationId": "c0ffee00-0000-4000-8000-000000000098",
        "conversationStart": "2026-03-02T17:30:43Z",
        "participants": [
            "not a participant",
            {"purpose": "agent", "userId": 7, "sessions": None},
            {"purpose": "customer", "attributes": ["x"], "sessions": [{"ani": 5, "segments": "none"}, 3]},
        ],
    }
    candidate = Candidate.from_analytics(conversation, "US")
    assert candidate.media == frozenset() and candidate.user_ids == frozenset() and candidate.direction is None


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"conversationId": None}, "no conversationId"),
        ({"conversationStart": None}, "conversationStart is missing"),
        ({"conversationStart": "yesterday"}, "conversationStart is missing or not a time"),
    ],
)
def test_a_conversation_without_id_or_start_is_refused(change: dict[str, Any], fragment: str) -> None:
    conversation = {**voice(), **change}
    with pytest.raises(ValueError, match=fragment):
        Candidate.from_analytics(conversation, "US")


def test_candidates_are_hashable_and_frozen() -> None:
    candidate = Candidate.from_analytics(voice(), "US")
    assert len({candidate, Candidate.from_analytics(voice(), "US")}) == 1
    with pytest.raises(AttributeError):
        candidate.direction = "outbound"  # type: ignore[misc]
