"""The proposed table's text: a valid table whatever the legacy values hold, deciding each value as proposed (TODO
values unmapped), with the comments a reviewer reads, and the same bytes for the same proposals."""

from __future__ import annotations

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from wrapup_bridge.core.authoring.propose import Candidate, Proposal, ProposalKind, TalliedValue, propose
from wrapup_bridge.core.authoring.render import TableContext, code_aliases, comment_text, render_table, yaml_scalar
from wrapup_bridge.core.authoring.similarity import Score
from wrapup_bridge.core.decision import DecisionKind
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.mapping import MappingTable
from wrapup_bridge.core.normalize import normalize_text
from wrapup_bridge.core.review.orgview import CatalogCode
from wrapup_bridge.services.authoring.init import load_synonyms

SYNONYMS = load_synonyms()
SALE = CatalogCode("0dd6a32c-c059-4534-97bf-c82d73d9c869", "Sale")
RESOLVED = CatalogCode("50a74cff-026f-4c84-aa8f-f5f8d837115f", "Resolved")
CALLBACK = CatalogCode("0b1f3790-be06-42fd-9aaf-6ec4a380626b", "Callback Scheduled")
CODES = [SALE, RESOLVED, CALLBACK]
CONTEXT = TableContext(
    platform="five9",
    inputs=("calls.csv",),
    records=10,
    catalog="snapshot org.json of an org",
    fingerprint="sha256:abc",
    synonyms="synonyms.yaml (shipped)",
    source={"format": "call-log", "fields": {"code": "DISPO", "time": ["A+B", "C"]}},
)


def tallied(name: str, count: int = 1, spellings: tuple[tuple[str, int], ...] | None = None) -> TalliedValue:
    return TalliedValue(normalize_text(name), count, spellings or ((name, count),), False, 0, None)


def code_proposal(name: str, code: CatalogCode, confidence: float = 1.0) -> Proposal:
    score = Score(confidence, "same name", "x")
    return Proposal(tallied(name), ProposalKind.CODE, "a reason", code, confidence, (Candidate(code, score),))


def load(text: str) -> MappingTable:
    return MappingTable.from_text(text, name="proposed.yaml")


def decide(table: MappingTable, code: str) -> tuple[DecisionKind, str | None]:
    decision = table.resolve(Disposition(source="five9", source_id="1", code=code))
    return decision.kind, decision.code.id if decision.code else None


def test_the_table_decides_each_value_as_proposed_and_leaves_todo_values_unmapped() -> None:
    values = [tallied("Sale", 4, (("Sale", 3), ("SALE ", 1))), tallied("Call Back", 3), tallied("Zebra", 2)]
    values.append(TalliedValue("no disposition", 1, (("No Disposition", 1),), False, 1, "Nobody chose one."))
    proposals = propose(values, CODES, SYNONYMS)
    assert [p.kind for p in proposals] == [ProposalKind.CODE, ProposalKind.CODE, ProposalKind.TODO, ProposalKind.SKIP]
    text = render_table(proposals, CONTEXT)
    table = load(text)
    assert decide(table, "sale") == (DecisionKind.MAPPED, SALE.id)
    assert decide(table, "call  back") == (DecisionKind.MAPPED, CALLBACK.id)
    assert decide(table, "Zebra") == (DecisionKind.UNMAPPED, None)
    assert decide(table, "No Disposition") == (DecisionKind.SKIP, None)
    assert decide(table, "never seen") == (DecisionKind.UNMAPPED, None)
    assert table.unmapped.action.value == "dead-letter"
    # the rules keep the proposals' order (most frequent first); TODO values are no rule
    assert [r.spec.when["code"].values for r in table.rules] == [("Sale",), ("Call Back",), ("No Disposition",)]
    assert [r.spec.skip for r in table.rules][-1] == "Nobody chose one."
    # the source: section reads the same exports
    assert table.source.platform == "five9" and table.source.format == "call-log"
    assert table.source.fields == {"code": "DISPO", "time": ["A+B", "C"]}
    # only the codes used, each once
    assert set(table.codes) == {"sale", "callback_scheduled"}


def test_the_comments_say_what_history_showed_and_why() -> None:
    values = [tallied("Sale", 4, (("Sale", 3), ("SALE ", 1))), tallied("Call Back", 3), tallied("Zebra", 2)]
    text = render_table(propose(values, CODES, SYNONYMS), CONTEXT)
    assert "# PROPOSED by `wrapup-bridge mapping init`" in text
    assert "# History: 10 records of five9 (calls.csv), 0 unreadable; 3 distinct legacy values." in text
    assert "snapshot org.json of an org (fingerprint sha256:abc)" in text
    assert '  # "Sale": 4 records (40.0%); spellings "Sale" x3, "SALE " x1\n' in text
    assert "  # proposed: Sale, confidence 1.00 (high): same name (ignoring case, spacing and quotes)\n" in text
    assert "  # proposed: Callback Scheduled, confidence 0.90 (high): synonyms (reviewed group callback)\n" in text
    assert '  # "Zebra": 2 records (20.0%)' in text
    assert "  # TODO: no code is close\n  # - when: {code: Zebra}\n" in text
    assert "Synonyms: synonyms.yaml (shipped)." in text


def test_a_low_confidence_proposal_says_so_and_names_the_next_closest() -> None:
    score = Score(0.7, "similar names", "words 0.70, spelling 0.40")
    proposal = Proposal(
        tallied("Big Sale"),
        ProposalKind.CODE,
        "similar names (words 0.70, spelling 0.40)",
        SALE,
        0.7,
        (
            Candidate(SALE, score),
            Candidate(RESOLVED, Score(0.45, "similar names", "")),
            Candidate(CALLBACK, Score(0.1)),
        ),
    )
    text = render_table([proposal], CONTEXT)
    assert "confidence 0.70 (LOW: check it): similar names (words 0.70, spelling 0.40)" in text
    assert "  # next closest: Resolved 0.45\n" in text  # a far one (0.10) is not shown


def test_no_code_and_no_rule_still_make_a_valid_table() -> None:
    todo = Proposal(tallied("Zebra"), ProposalKind.TODO, "no code is close")
    text = render_table([todo], TableContext(platform=None))
    assert "codes: {}" in text and "rules: []" in text
    table = load(text)
    assert table.rules == () and table.codes == {}
    assert load(render_table([], TableContext(platform="twilio"))).source.platform == "twilio"


def test_aliases_are_unique_and_read_as_names() -> None:
    codes = [
        CatalogCode("1" * 8 + "-1111-4111-8111-" + "1" * 12, "Follow-up Required"),
        CatalogCode("2" * 8 + "-2222-4222-8222-" + "2" * 12, "follow up required!"),
        CatalogCode("3" * 8 + "-3333-4333-8333-" + "3" * 12, "3rd Party"),
        CatalogCode("4" * 8 + "-4444-4444-8444-" + "4" * 12, "???"),
        CatalogCode("5" * 8 + "-5555-4555-8555-" + "5" * 12, "NULL"),  # hypothesis found it: `code: null`
        CatalogCode("6" * 8 + "-6666-4666-8666-" + "6" * 12, "No"),
    ]
    assert list(code_aliases(codes).values()) == [
        "follow_up_required",
        "follow_up_required_2",
        "code_3rd_party",
        "code",
        "code_null",
        "code_no",
    ]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), st.text(min_size=1, max_size=40))
@example(raw="", name="NULL").via("found by CI: the alias null read as YAML null")
@example(raw="yes", name="Off")
def test_any_legacy_value_and_code_name_round_trip(raw: str, name: str) -> None:
    """Quotes, '#', ': ', YAML words (yes, null), leading dashes, line and paragraph separators, controls: the table
    loads and its rule matches exactly the value it was written for."""
    code = CatalogCode("0dd6a32c-c059-4534-97bf-c82d73d9c869", name)
    proposal = Proposal(
        TalliedValue(normalize_text(raw), 1, ((raw, 1),), False, 0, None),
        ProposalKind.CODE,
        f"reason {raw}",
        code,
        1.0,
        (Candidate(code, Score(1.0)),),
    )
    skip = Proposal(TalliedValue("other", 1, (("other", 1),), False, 1, f"why {raw}"), ProposalKind.SKIP, f"why {raw}")
    if normalize_text(raw) == "other":
        return
    text = render_table([proposal, skip], TableContext(platform="cxone", inputs=(raw,), catalog=raw))
    table = load(text)
    assert table.codes[next(iter(table.codes))].name == name
    assert decide(table, raw) == (DecisionKind.MAPPED, code.id)
    assert table.rules[1].spec.skip == f"why {raw}"
    # comments are one line each: no value can start a key or a rule
    assert all(line.startswith(("#", " ", "version", "description", "source", "codes", "rules", "unmapped")) or not line
               for line in text.splitlines())  # fmt: skip


@given(st.text(max_size=30))
def test_scalars_read_back_exactly(text: str) -> None:
    assert yaml.safe_load(f"v: {yaml_scalar(text)}")["v"] == text
    assert yaml.safe_load(f"v: {{a: {yaml_scalar(text)}}}")["v"]["a"] == text
    assert "\n" not in comment_text(text) and "\u2028" not in comment_text(text)


def test_the_same_proposals_give_the_same_bytes() -> None:
    values = [tallied("Sale", 4), tallied("Call Back", 3), tallied("Zebra", 2)]
    first = render_table(propose(values, CODES, SYNONYMS), CONTEXT)
    again = render_table(propose(list(values), list(reversed(CODES)), SYNONYMS), CONTEXT)
    assert first == again
