"""Signals: a second field that names the outcome its value does not (system.signal). A Twilio ``failed`` call's
``SipResponseCode`` (RFC 3261 section 21) splits the value in the tally, is proposed for the signal's phrase, and
is written as a rule naming the field, read before the bare value's rule; ``--compare``'s per-key shortcut still
gives what resolving every record would.

The records are shaped as the Twilio voice-status adapter reads them from the shipped
``examples/twilio/voice-status-callbacks.txt`` (line 6: ``CallStatus=failed ... SipResponseCode=404``), itself
written from Twilio's call resource docs (shared/reference/twilio.md section 3)."""

from __future__ import annotations

import random

import pytest

from tests.conftest import MAPPINGS
from wrapup_bridge.core.authoring.compare import Agreement, decision_key
from wrapup_bridge.core.authoring.propose import ProposalKind, Tally, propose
from wrapup_bridge.core.authoring.render import TableContext, render_table
from wrapup_bridge.core.authoring.system import signal
from wrapup_bridge.core.decision import DecisionKind
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.mapping import MappingTable, load_mapping
from wrapup_bridge.core.review.orgview import CatalogCode
from wrapup_bridge.services.authoring.init import load_synonyms

SYNONYMS = load_synonyms()
WRONG = CatalogCode("975d8cba-c0ba-4e79-848f-dfc9b2829097", "Wrong Number")
BUSY = CatalogCode("5f1bfb25-5eef-4f8d-bde5-4e17c7836f95", "Busy")
NO_ANSWER = CatalogCode("46d1d9af-3dd4-40f3-951b-c8cc9eddb5e7", "No Answer")
CODES = [WRONG, BUSY, NO_ANSWER]


def call(status: str, sip: str | None, n: int = 1, source: str = "twilio") -> Disposition:
    fields = {"outcome_kind": "system", "outcome_source": "CallStatus", "call_status": status}
    if sip is not None:
        fields["sip_response_code"] = sip
    return Disposition(source=source, source_id=f"CA{n:032x}", code=status, fields=fields)


@pytest.mark.parametrize(
    ("status", "sip", "phrase"),
    [
        ("failed", "404", "number does not exist"),
        ("failed", "484", "number does not exist"),
        ("Failed", " 604 ", "number does not exist"),
        ("fail", "404", "number does not exist"),  # Voice Insights call_state
        ("failed", "486", "busy"),
        ("failed", "600", "busy"),
    ],
)
def test_a_failed_call_s_sip_status_names_its_outcome(status: str, sip: str, phrase: str) -> None:
    found = signal(call(status, sip))
    assert found is not None and found.phrase == phrase and found.field == "sip_response_code"


@pytest.mark.parametrize(
    "disposition",
    [
        call("failed", "487"),  # Request Terminated: a cancelled attempt names no outcome
        call("failed", "480"),
        call("failed", None),
        call("busy", "486"),  # the value is an outcome already
        call("completed", "200"),
        call("failed", "404", source="five9"),  # only Twilio's failed calls carry a SipResponseCode
    ],
)
def test_other_records_have_no_signal(disposition: Disposition) -> None:
    assert signal(disposition) is None


def test_the_tally_splits_a_value_by_signal_and_keeps_the_split_values_before_the_bare_one() -> None:
    tally = Tally()
    records = [call("failed", "404", 1), call("failed", "604", 2), call("failed", "487", 3)]
    records += [call("failed", None, 4), call("failed", "486", 5), call("no-answer", "487", 6)]
    records += [call("no-answer", None, n) for n in range(7, 10)]
    for record in records:
        tally.add(record)
    values = tally.values()
    # "failed" has 5 records in all: before "no-answer" (4); its split values first, most records first
    assert [(v.label, v.count) for v in values] == [
        ("failed (sip_response_code 404, 484, 604)", 2),
        ("failed (sip_response_code 486, 600)", 1),
        ("failed", 2),
        ("no-answer", 4),
    ]
    assert values[0].display == "failed" and values[2].signal is None


def test_a_split_value_is_proposed_for_the_signal_s_phrase_and_says_why() -> None:
    tally = Tally()
    for n, sip in enumerate(["404", "486", "487"]):
        tally.add(call("failed", sip, n))
    proposals = propose(tally.values(), CODES, SYNONYMS)
    by_label = {p.value.label: p for p in proposals}
    wrong = by_label["failed (sip_response_code 404, 484, 604)"]
    assert wrong.kind is ProposalKind.CODE and wrong.code == WRONG and wrong.high
    assert wrong.reason.startswith("SIP 404/484/604 (RFC 3261")
    busy = by_label["failed (sip_response_code 486, 600)"]
    assert busy.code == BUSY and busy.confidence == 1.0
    assert by_label["failed"].kind is ProposalKind.TODO  # the bare value says only that the call failed


def _table(records: list[Disposition]) -> MappingTable:
    tally = Tally()
    for record in records:
        tally.add(record)
    proposals = propose(tally.values(), CODES, SYNONYMS)
    text = render_table(proposals, TableContext(platform="twilio", records=tally.records))
    return MappingTable.from_text(text, name="proposed.yaml")


def test_the_written_rule_names_the_field_and_decides_as_proposed() -> None:
    table = _table([call("failed", "404", 1), call("failed", "486", 2), call("failed", "487", 3)])
    split = [r.spec.when for r in table.rules]
    assert [(w["code"].values, w["sip_response_code"].values) for w in split] == [
        (("failed",), ("486", "600")),  # one record each: by key, the same order every run
        (("failed",), ("404", "484", "604")),
    ]

    def decide(status: str, sip: str | None) -> tuple[DecisionKind, str | None]:
        decision = table.resolve(call(status, sip))
        return decision.kind, decision.code.id if decision.code else None

    assert decide("failed", "604") == (DecisionKind.MAPPED, WRONG.id)
    assert decide("failed", "600") == (DecisionKind.MAPPED, BUSY.id)
    assert decide("failed", "487") == (DecisionKind.UNMAPPED, None)
    assert decide("failed", None) == (DecisionKind.UNMAPPED, None)


def test_a_bare_value_with_a_code_does_not_shadow_the_split_rule() -> None:
    """When the bare value is proposed a code too, its rule comes after the split one, which stays reachable."""
    codes = [*CODES, CatalogCode("a4b0f3f4-8a57-4f1c-9a55-0d1f4b2f6e11", "Failed")]
    tally = Tally()
    for n, sip in enumerate(["487", "487", "487", "404"]):
        tally.add(call("failed", sip, n))
    proposals = propose(tally.values(), codes, SYNONYMS)
    text = render_table(proposals, TableContext(platform="twilio", records=tally.records))
    table = MappingTable.from_text(text, name="proposed.yaml")
    assert [r.spec.when.get("sip_response_code") is not None for r in table.rules] == [True, False]
    split, bare = table.resolve(call("failed", "404")).code, table.resolve(call("failed", "487")).code
    assert split is not None and split.id == WRONG.id
    assert bare is not None and bare.name == "Failed"


def test_compare_s_per_key_shortcut_agrees_with_resolving_every_record() -> None:
    reference = load_mapping(MAPPINGS / "twilio-flex.yaml")
    rng = random.Random(3)
    records = [
        call(rng.choice(["failed", "busy", "no-answer"]), rng.choice(["404", "484", "486", "487", None]), n)
        for n in range(600)
    ]
    proposed = _table(records)
    tally, agreement = Tally(), Agreement(reference)
    for record in records:
        agreement.add(tally.add(record), record)
    comparison = agreement.against(proposed)
    naive = [decision_key(reference.resolve(r)) == decision_key(proposed.resolve(r)) for r in records]
    assert comparison.records == 600 and comparison.agreed == sum(naive)
