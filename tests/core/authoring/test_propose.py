"""Proposals of ``mapping init``: the tally (by normalized value, bounded spellings, flat memory), skips for records
that carry no outcome (system.skip_reason), codes with their confidence, TODO where nothing is close or two codes
are equally close, and the minimum confidence never under the threshold."""

from __future__ import annotations

import random

import pytest

from wrapup_bridge.core.authoring.propose import (
    DEFAULT_MIN_CONFIDENCE,
    HIGH_CONFIDENCE,
    SPELLING_SLOTS,
    Proposal,
    ProposalKind,
    TalliedValue,
    Tally,
    propose,
)
from wrapup_bridge.core.authoring.similarity import THRESHOLD
from wrapup_bridge.core.authoring.system import BLANK, skip_reason
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.review.orgview import CatalogCode
from wrapup_bridge.services.authoring.init import load_synonyms

SYNONYMS = load_synonyms()
CODES = [
    CatalogCode("50a74cff-026f-4c84-aa8f-f5f8d837115f", "Resolved"),
    CatalogCode("f11fc8de-3eb4-49c8-8f8d-e0e973e1d036", "Not Resolved"),
    CatalogCode("0dd6a32c-c059-4534-97bf-c82d73d9c869", "Sale"),
    CatalogCode("0b1f3790-be06-42fd-9aaf-6ec4a380626b", "Call Back"),
    CatalogCode("a3d1165a-531a-4dec-81f0-3b05c05c6f96", "Caller Abandoned"),
    CatalogCode("71cc128f-b45b-4900-9ede-424776790f49", "Automatically Completed"),
    CatalogCode("704540b7-6a01-44ad-ba29-c5c1268ca41b", "Completed by Supervisor"),
]


def record(code: str, source: str = "five9", **fields: str) -> Disposition:
    return Disposition(source=source, source_id="1", code=code, fields=fields)


def value(name: str, count: int = 1, *, skipped: int = 0, reason: str | None = None) -> TalliedValue:
    return TalliedValue(name.lower(), count, ((name, count),), False, skipped, reason)


def one(name: str, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> Proposal:
    (proposal,) = propose([value(name)], CODES, SYNONYMS, min_confidence=min_confidence)
    return proposal


# ------------------------------------------------------------------------------------------ tally
def test_tally_counts_by_normalized_value_most_frequent_first() -> None:
    tally = Tally()
    for code in ["Sale", "SALE", "sale ", "Payment\u00a0Taken", "Payment Taken", "Busy", "Abandon"]:
        tally.add(record(code))
    values = tally.values()
    assert [(v.normalized, v.count) for v in values] == [
        ("sale", 3),
        ("payment taken", 2),
        ("abandon", 1),
        ("busy", 1),
    ]
    assert values[0].spellings == (("SALE", 1), ("Sale", 1), ("sale ", 1))
    assert values[0].display == "SALE"  # ties by sorted spelling: the same every run
    assert tally.records == 7


def test_memory_is_flat_in_the_record_count() -> None:
    """Per value: a count and at most SPELLING_SLOTS spellings, whatever the records; values past the limit are
    counted, not kept."""
    tally = Tally(max_values=3)
    rng = random.Random(7)
    for i in range(20_000):
        name = rng.choice(["sale", "busy", "no answer"])
        spelled = "".join(c.upper() if rng.random() < 0.5 else c for c in name)  # 16 to 256 spellings each
        tally.add(record(spelled if i % 2 else name))
    for i in range(50):
        assert tally.add(record(f"free text {i}")) is None
    assert len(tally) == 3 and tally.records == 20_050 and tally.untracked == 50
    for v in tally.values():
        assert len(v.spellings) <= SPELLING_SLOTS
        assert v.spellings_approximate
    assert sum(v.count for v in tally.values()) == 20_000


def test_tally_keeps_how_many_records_of_a_value_carry_no_outcome() -> None:
    tally = Tally()
    tally.add(record("completed", "twilio", outcome_source="CallStatus"))
    tally.add(record("completed", "twilio", outcome_source="conversations.outcome"))
    (v,) = tally.values()
    assert (v.count, v.skipped) == (2, 1)
    assert v.skip_reason is not None and "Voice status" in v.skip_reason


# ------------------------------------------------------------------------------------------ skips
@pytest.mark.parametrize(
    ("disposition", "expected"),
    [
        (record(""), BLANK),
        (record("  ", "cxone"), BLANK),
        (record("No Disposition"), "No Disposition"),
        (record("no  disposition"), "No Disposition"),
        (record("Task completed", "twilio", outcome_source="TaskCompletedReason"), "TaskRouter"),
        (record("Task TTL Exceeded", "twilio", outcome_source="TaskCanceledReason"), "TaskRouter"),
        (record("Done", "twilio", outcome_source="reason"), "TaskRouter"),
        (record("completed", "twilio", outcome_source="CallStatus"), "Voice status 'completed'"),
        (record("unknown", "twilio", outcome_source="AnsweredBy"), "'unknown'"),
    ],
)
def test_records_without_an_outcome_are_skipped(disposition: Disposition, expected: str) -> None:
    reason = skip_reason(disposition)
    assert reason is not None and expected in reason


@pytest.mark.parametrize(
    "disposition",
    [
        record("Sale"),
        record("No Disposition", "cxone"),  # Five9's value; elsewhere a name like any other
        record("completed", "twilio", outcome_source="conversations.outcome"),  # an agent's own outcome
        record("busy", "twilio", outcome_source="CallStatus"),  # a system value that IS an outcome
        record("machine_end_beep", "twilio", outcome_source="AnsweredBy"),
        record("Abandon"),
    ],
)
def test_records_with_an_outcome_are_not(disposition: Disposition) -> None:
    assert skip_reason(disposition) is None


def test_a_value_is_skipped_only_when_all_its_records_carry_no_outcome() -> None:
    skipped, mixed = propose(
        [value("Task completed", 2, skipped=2, reason="r"), value("Automatically completed", 3, skipped=1, reason="r")],
        CODES,
        SYNONYMS,
    )
    assert skipped.kind is ProposalKind.SKIP and skipped.reason == "r" and skipped.confidence == 1.0
    assert mixed.kind is ProposalKind.CODE and mixed.code is not None
    assert mixed.code.name == "Automatically Completed"
    assert "1 of its 3 records carry no outcome" in mixed.reason


# ------------------------------------------------------------------------------------------ codes and TODO
def test_the_same_name_is_a_code_with_full_confidence() -> None:
    proposal = one("RESOLVED ")
    assert proposal.kind is ProposalKind.CODE and proposal.code is not None and proposal.code.name == "Resolved"
    assert proposal.confidence == 1.0 and proposal.high and proposal.label == "code-high"


def test_synonyms_give_a_high_confidence_code() -> None:
    proposal = one("Callback Scheduled")
    assert proposal.code is not None and proposal.code.name == "Call Back"
    assert proposal.confidence == 0.9 and proposal.high
    assert "synonyms" in proposal.reason and "callback" in proposal.reason


def test_a_partial_name_is_a_low_confidence_code() -> None:
    proposal = one("Promotional Sale")
    assert proposal.kind is ProposalKind.CODE and proposal.code is not None and proposal.code.name == "Sale"
    assert THRESHOLD <= proposal.confidence < HIGH_CONFIDENCE and proposal.label == "code-low"


def test_nothing_close_is_a_todo_naming_the_nearest() -> None:
    proposal = one("Spoke to my Supervisor")
    assert proposal.kind is ProposalKind.TODO and proposal.code is None
    assert proposal.reason.startswith("no code is close (best: Completed by Supervisor ")
    nothing = one("Zebra")
    assert nothing.reason == "no code is close"


def test_two_codes_equally_close_are_a_todo_never_a_guess() -> None:
    proposal = one("Completed")
    assert proposal.kind is ProposalKind.TODO
    assert "Automatically Completed" in proposal.reason and "Completed by Supervisor" in proposal.reason


def test_two_codes_of_one_name_are_a_todo() -> None:
    twins = [*CODES, CatalogCode("0cab9e0c-7015-4b96-9819-e59f32cd0700", "sale", "emea", "EMEA")]
    (proposal,) = propose([value("Sale")], twins, SYNONYMS)
    assert proposal.kind is ProposalKind.TODO and "equally close" in proposal.reason


def test_a_code_listed_twice_counts_once() -> None:
    (proposal,) = propose([value("Sale")], [*CODES, CODES[2]], SYNONYMS)
    assert proposal.kind is ProposalKind.CODE


def test_the_minimum_confidence_is_never_under_the_threshold() -> None:
    assert one("Promotional Sale", min_confidence=0.9).kind is ProposalKind.TODO
    # "Agent Abandon" scores 0.5 against "Caller Abandoned": under THRESHOLD, so a TODO even when asked for 0
    low = one("Agent Abandon", min_confidence=0.0)
    assert low.kind is ProposalKind.TODO and "Caller Abandoned 0.50" in low.reason
    with pytest.raises(ValueError, match="between 0 and 1"):
        propose([value("Sale")], CODES, SYNONYMS, min_confidence=1.5)


def test_the_same_inputs_give_the_same_proposals_whatever_the_order_of_the_codes() -> None:
    values = [value(n, c) for n, c in [("Sale", 3), ("Completed", 2), ("Resolved", 1), ("Zebra", 1)]]
    first = propose(values, CODES, SYNONYMS)
    shuffled = CODES[:]
    random.Random(3).shuffle(shuffled)
    assert propose(values, shuffled, SYNONYMS) == first
    assert [p.value.display for p in first] == ["Sale", "Completed", "Resolved", "Zebra"]
