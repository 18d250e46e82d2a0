"""What a table and a legacy catalog ask of the org's outbound mapping: each code's flags and why, every default
named for review, and a conflict (never a silent pick) when dispositions reaching one code disagree."""

from __future__ import annotations

from wrapup_bridge.core.mapping import MappingTable
from wrapup_bridge.core.outbound.desired import (
    FindingKind,
    LegacyDisposition,
    codes_reached,
    desired_mapping,
    flags_for,
)
from wrapup_bridge.core.outbound.flags import OutboundFlag
from wrapup_bridge.core.outbound.spec import OutboundSpec

R, N, C = OutboundFlag.RIGHT_PARTY_CONTACT, OutboundFlag.NUMBER_UNCALLABLE, OutboundFlag.CONTACT_UNCALLABLE
SUCCESS, FAILURE = OutboundFlag.BUSINESS_SUCCESS, OutboundFlag.BUSINESS_FAILURE

SALE = "0dd6a32c-c059-4534-97bf-c82d73d9c869"
PAID = "dd1c84e4-4fa9-40d7-81ac-e0d9a2729d41"
CALLBACK = "0b1f3790-be06-42fd-9aaf-6ec4a380626b"
FOLLOW_UP = "2e7abed5-658e-430d-8569-80bb0977e471"
WRONG = "975d8cba-c0ba-4e79-848f-dfc9b2829097"
OTHER = "0cab9e0c-7015-4b96-9819-e59f32cd0700"

CODES = f"""version: 1
codes:
  sale: {{id: {SALE}, name: Sale}}
  paid: {{id: {PAID}, name: Payment Taken}}
  callback: {{id: {CALLBACK}, name: Callback Scheduled}}
  follow_up: {{id: {FOLLOW_UP}, name: Follow-up Required}}
  wrong: {{id: {WRONG}, name: Wrong Number}}
  other: {{id: {OTHER}, name: Other}}
"""
RULES = """rules:
  - when: {code: Sale}
    code: sale
  - when: {code: Payment Taken}
    code: paid
  - when: {code: Callback Scheduled, campaign: {glob: "Sales*"}}
    code: callback
  - when: {code: Callback Scheduled}
    code: follow_up
  - when: {code: [Wrong Number, Dial Error]}
    code: wrong
  - when: {code: Declined}
    skip: nobody talked to the customer
"""


def table(outbound: str = "", rules: str = RULES, unmapped: str = "") -> MappingTable:
    return MappingTable.from_text(CODES + rules + unmapped + outbound, name="t.yaml")


def five9(name: str, kind: str | None, **extra: str) -> LegacyDisposition:
    fields = {"disposition_type": kind} if kind else {}
    return LegacyDisposition(name, "five9", f"cat.yaml entry {name}", type=kind, fields=fields, **extra)


CATALOG = [
    five9("Sale", "FinalDisp"),
    five9("Payment Taken", "FinalDisp"),
    five9("Callback Scheduled", "RedialNumber", redial="redial after 1 day, 3 attempts"),
    five9("Wrong Number", "DoNotDial"),
    five9("Spoke To Spouse", "RedialNumber"),
    five9("Declined", "FinalDisp"),
]


def test_the_example_catalog_gets_the_proposed_defaults_each_named() -> None:
    desired = desired_mapping(table(), CATALOG)
    flags = {code_id: entry.flags for code_id, entry in desired.entries.items()}
    # docs/reference-outbound.md §4, rule 4 (the business flags come only from the table: none here)
    assert flags == {SALE: (R,), PAID: (R,), CALLBACK: (), FOLLOW_UP: (), WRONG: (N,)}
    kinds = [f.kind for f in desired.findings]
    defaults = [f.message for f in desired.findings if f.kind is FindingKind.DEFAULT]
    assert len(defaults) == 3 and all("our built-in default" in m for m in defaults)
    assert any(m.startswith("type FinalDisp -> RIGHT_PARTY_CONTACT") for m in defaults)
    dropped = [f for f in desired.findings if f.kind is FindingKind.DROPPED]
    assert [f.disposition for f in dropped] == ["Callback Scheduled"] and "1 day, 3 attempts" in dropped[0].message
    unreached = {f.disposition: f.message for f in desired.findings if f.kind is FindingKind.UNREACHED}
    assert set(unreached) == {"Spoke To Spouse", "Declined"}
    assert "no rule maps it" in unreached["Spoke To Spouse"] and "skips it: nobody talked" in unreached["Declined"]
    assert FindingKind.CONFLICT not in kinds and desired.default_set is None
    assert "via rule #3 (line 14), when its other conditions hold" in desired.entries[CALLBACK].why


def test_the_table_s_word_wins_over_the_default_and_says_where_it_is() -> None:
    spec = "outbound:\n  types:\n    FinalDisp: [RIGHT_PARTY_CONTACT, BUSINESS_NEUTRAL]\n  default_set: [CONTACT_UNCALLABLE]\n"
    desired = desired_mapping(table(spec), CATALOG[:2])
    assert desired.entries[SALE].flags == (R, OutboundFlag.BUSINESS_NEUTRAL)
    assert "outbound.types.FinalDisp" in desired.entries[SALE].why
    assert not [f for f in desired.findings if f.kind is FindingKind.DEFAULT]
    assert desired.default_set == (C,)


def test_dispositions_that_disagree_on_a_code_are_a_conflict_not_a_pick() -> None:
    rules = RULES + "  - when: {code: Sold}\n    code: sale\n"
    catalog = [five9("Sale", "FinalDisp"), five9("Sold", "AddAllNumbers")]
    desired = desired_mapping(table(rules=rules), catalog)
    assert SALE not in desired.entries
    (conflict,) = desired.conflicts
    assert conflict.code_id == SALE and conflict.severity == "error"
    assert "'Sale'" in conflict.message and "'Sold'" in conflict.message and "outbound.codes.sale" in conflict.message

    settled = desired_mapping(
        table("outbound:\n  codes:\n    sale: [RIGHT_PARTY_CONTACT, BUSINESS_SUCCESS]\n", rules=rules), catalog
    )
    assert settled.entries[SALE].flags == (R, SUCCESS) and not settled.conflicts
    assert [f.kind for f in settled.findings if f.code_id == SALE] == [FindingKind.SETTLED]


def test_agreeing_dispositions_share_a_code_without_a_finding() -> None:
    rules = RULES + "  - when: {code: Sold}\n    code: sale\n"
    desired = desired_mapping(table(rules=rules), [five9("Sale", "FinalDisp"), five9("Sold", "FinalDisp")])
    assert desired.entries[SALE].flags == (R,) and not desired.conflicts


def test_codes_are_final_and_default_removes_the_entry() -> None:
    spec = "outbound:\n  codes:\n    callback: [RIGHT_PARTY_CONTACT]\n    other: default\n"
    desired = desired_mapping(table(spec), CATALOG)
    assert desired.entries[CALLBACK].flags == (R,) and desired.entries[CALLBACK].why.startswith("outbound.codes")
    assert desired.entries[OTHER].flags is None  # no disposition reaches it; the table still decides it
    assert desired.entries[FOLLOW_UP].flags == ()


def test_two_aliases_of_one_code_asking_differently_conflict() -> None:
    codes_twice = CODES + f"  sale2: {{id: {SALE}, name: Sale}}\n"
    text = codes_twice + RULES + "outbound:\n  codes:\n    sale: [RIGHT_PARTY_CONTACT]\n    sale2: []\n"
    desired = desired_mapping(MappingTable.from_text(text, name="t.yaml"), CATALOG[:1])
    assert SALE not in desired.entries and [f.code_id for f in desired.conflicts] == [SALE]


def test_rules_on_the_type_are_decided_from_the_catalog() -> None:
    rules = """rules:
  - when: {disposition_type: DoNotDial}
    code: wrong
  - when: {code: {glob: "*"}, disposition_type: RedialNumber}
    code: callback
"""
    t = table(rules=rules)
    reached, _ = codes_reached(t, five9("Anything", "DoNotDial"))
    assert [(r.code.id, r.conditional) for r in reached] == [(WRONG, False)]
    reached, _ = codes_reached(t, five9("Later", "RedialNumber"))
    assert [(r.code.id, r.conditional) for r in reached] == [(CALLBACK, False)]
    assert codes_reached(t, five9("Sale", "FinalDisp"))[0] == []


def test_the_fallback_code_is_reached_by_what_no_rule_maps() -> None:
    t = table(unmapped="unmapped: {action: fallback, code: other}\n")
    reached, _ = codes_reached(t, five9("Spoke To Spouse", "RedialNumber"))
    assert [(r.code.id, r.via) for r in reached] == [(OTHER, "the unmapped fallback")]


def test_cxone_reads_classification_then_system_outcome_then_group() -> None:
    spec = OutboundSpec()

    def cx(**kwargs: str) -> LegacyDisposition:
        return LegacyDisposition("X", "cxone", "skills.json entry 1", **kwargs)

    positive = flags_for(spec, cx(classification="Positive no Amount", system_outcome="Commitment"))
    assert positive is not None and positive.flags == (R, SUCCESS) and positive.meaning.startswith("classification")
    refusal = flags_for(spec, cx(classification="Busy", system_outcome="Refusal"))
    assert refusal is not None and refusal.flags == (R, FAILURE) and refusal.meaning == "system outcome Refusal"
    retry = flags_for(
        spec, cx(classification="Busy", system_outcome="Other Non-Live", reporting_group="Connection Retry")
    )
    assert retry is not None and retry.flags == () and retry.meaning == "reporting group Connection Retry"
    dnc = flags_for(spec, cx(classification="Negative \u2014 DNC \u2014 BU"))  # the help page's em dashes
    assert dnc is not None and dnc.flags == (C,) and "DNC list" in dnc.caveat
    assert flags_for(spec, cx(classification="Busy", system_outcome="Other Non-Live")) is None
    assert flags_for(spec, cx()) is None
    table_says = OutboundSpec.model_validate({"outcomes": {"busy": ["NUMBER_UNCALLABLE"]}})
    busy = flags_for(table_says, cx(classification="Busy", reporting_group="Positive Outcome"))
    assert busy is not None and busy.flags == (N,) and busy.reviewed and busy.origin == "outbound.outcomes.busy"


def test_a_disposition_nothing_knows_is_a_warning() -> None:
    rules = "rules:\n  - when: {code: Busy}\n    code: other\n"
    cx = LegacyDisposition(
        "Busy", "cxone", "skills.json entry 4", classification="Busy", system_outcome="Other Non-Live"
    )
    desired = desired_mapping(table(rules=rules), [cx])
    assert desired.entries == {}
    (finding,) = desired.findings
    assert (
        finding.kind is FindingKind.NO_FLAGS
        and finding.severity == "warning"
        and "skills.json entry 4" in finding.message
    )
