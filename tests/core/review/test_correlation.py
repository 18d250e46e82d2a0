"""The ``correlate:`` section reviewed with the rules (core.review.correlation through check_table): each finding on
its line with its severity, its claim held against what core.correlate really does with the setting (classify,
score, window_status, probe_for), and the settings in effect that the report shows, the defaults marked."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MAPPINGS
from tests.core.review.samples import edited, line_of
from wrapup_bridge.core.correlate import (
    Candidate,
    CorrelateSpec,
    CorrelationStatus,
    Probe,
    Scored,
    classify,
    probe_for,
    score,
    window_status,
)
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.review import (
    CheckResult,
    FindingKind,
    OrgCatalog,
    check_table,
    load_reviewed,
    review_correlation,
)
from wrapup_bridge.core.review.correlation import decision_text

TODAY = date(2026, 12, 2)
BILLING = "e0284275-ec9b-4fde-a99c-648c9c1726bc"  # the demo org's Billing queue
SALES = "1fe52838-127f-42fd-bd21-e6ef4db35835"  # the demo org's Sales Outbound queue
ELSEWHERE = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"  # no queue of the demo org
BILLING_ENTRY = f"    Billing Inbound: {BILLING}"
CUTOVER = "  cutover: 2026-03-02"
REQUIRE = "  require: [ani, dnis]"


def check(path: Path, catalog: OrgCatalog | None, today: date = TODAY) -> CheckResult:
    return check_table(load_reviewed(path), catalog, today=today)


def correlate_findings(result: CheckResult) -> list[tuple[str, str, int]]:
    return [(f.kind.value, f.severity.value, f.line) for f in result.findings if f.kind.value.startswith("correlate-")]


def message(result: CheckResult, kind: FindingKind) -> str:
    (found,) = [f.message for f in result.findings if f.kind is kind]
    return found


def at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, 2, hour, minute, second, tzinfo=UTC)


# ----------------------------------------------------------------------------------------------- the queues
def test_a_queue_id_the_org_does_not_have_is_an_error_on_its_line(tmp_path: Path, org_catalog: OrgCatalog) -> None:
    path = edited(tmp_path, "t.yaml", (BILLING_ENTRY, f"    Billing Inbound: {ELSEWHERE}   # <wrong>"))
    result = check(path, org_catalog)
    assert correlate_findings(result) == [("correlate-queue", "error", line_of(path.read_text(), "wrong"))]
    text = message(result, FindingKind.CORRELATE_QUEUE)
    assert "'Billing Inbound'" in text and ELSEWHERE in text and "not a queue of the org" in text
    # no queue is named "Billing Inbound": the org's queues are listed instead of a guess
    assert "no queue of the org has this id" in text and f"'Billing' {BILLING}" in text
    assert "never match" not in text  # queue is not required here
    assert result.failed()
    rows = {q.legacy: q for q in result.correlation.queues} if result.correlation else {}
    assert rows["Billing Inbound"].status == "unknown" and rows["Sales Outbound"].genesys_name == "Sales Outbound"


def test_a_legacy_name_that_is_a_queue_of_the_org_suggests_its_id(tmp_path: Path, org_catalog: OrgCatalog) -> None:
    path = edited(
        tmp_path,
        "t.yaml",
        (BILLING_ENTRY, f"{BILLING_ENTRY}\n    billing: {ELSEWHERE}   # <named>"),
        (REQUIRE, "  require: [ani, dnis, queue]"),
    )
    result = check(path, org_catalog)
    assert correlate_findings(result) == [("correlate-queue", "error", line_of(path.read_text(), "named"))]
    text = message(result, FindingKind.CORRELATE_QUEUE)
    assert f"the org's queue 'Billing' has id {BILLING}" in text
    assert "since require lists 'queue', every such conversation fails: these records never match" in text


def test_what_a_wrong_queue_id_does_to_a_record() -> None:
    """The finding's claim, held against score(): the record's queue 'differs' from a Billing call's, and with
    'queue' required the call fails."""
    record = Disposition(source="five9", source_id="1", code="Sale", occurred_at=at(14, 1), fields={"campaign": "X"})
    call = Candidate("c1", at(14), at(14, 4), queue_ids=frozenset({BILLING}))
    for required, fails in (([], False), (["queue"], True)):
        spec = CorrelateSpec(queues={"X": ELSEWHERE}, require=required)
        scored = score(probe_for(record, spec, {}), call, spec)
        assert [e.verdict.value for e in scored.evidence if e.field == "queue"] == ["fails" if fails else "differs"]
        assert scored.failed is fails and scored.score < 1


def test_without_a_catalog_the_queue_ids_are_not_checked(tmp_path: Path) -> None:
    path = edited(tmp_path, "t.yaml", (BILLING_ENTRY, f"    Billing Inbound: {ELSEWHERE}"))
    result = check(path, None)
    assert correlate_findings(result) == []
    (note,) = [f.message for f in result.findings if f.kind is FindingKind.NOT_CHECKED]
    assert "queue assignments and the correlate: section's queue ids were not checked" in note
    assert result.correlation is not None and {q.status for q in result.correlation.queues} == {"not-checked"}


# --------------------------------------------------------------------------------------- cutover, retention
def test_a_cutover_after_today_leaves_every_record_unsearched(tmp_path: Path, org_catalog: OrgCatalog) -> None:
    path = edited(tmp_path, "t.yaml", (CUTOVER, "  cutover: 2027-01-04   # <future>"))
    result = check(path, org_catalog)
    assert correlate_findings(result) == [("correlate-cutover", "warning", line_of(path.read_text(), "future"))]
    assert not result.failed() and result.failed(strict=True)
    text = message(result, FindingKind.CORRELATE_CUTOVER)
    assert "2027-01-04 is after today (2026-12-02)" in text and "'before-cutover'" in text
    spec = load_reviewed(path).table.correlate
    yesterday = datetime(2026, 12, 1, 12, tzinfo=UTC)
    assert window_status(yesterday, spec, datetime(2026, 12, 2, tzinfo=UTC)) is CorrelationStatus.BEFORE_CUTOVER
    # the shipped table's cutover is judged on the day it is checked: fine from that day on
    assert (
        correlate_findings(check(MAPPINGS / "five9.yaml", org_catalog, date(2026, 3, 1)))[0][0] == "correlate-cutover"
    )
    assert correlate_findings(check(MAPPINGS / "five9.yaml", org_catalog, date(2026, 3, 2))) == []


def test_a_retention_reaching_past_the_cutover_says_which_status_wins(tmp_path: Path, org_catalog: OrgCatalog) -> None:
    path = edited(tmp_path, "t.yaml", (CUTOVER, f"{CUTOVER}\n  retention_days: 100   # <retention>"))
    result = check(path, org_catalog)
    assert correlate_findings(result) == [("correlate-retention", "warning", line_of(path.read_text(), "retention"))]
    text = message(result, FindingKind.CORRELATE_RETENTION)
    assert "reaches back only to 2026-08-24" in text and "from 2026-03-02 to 2026-08-24 are 'outside-retention'" in text
    assert "before-cutover wins" in text
    # what window_status does, checked on the same day
    spec, now = load_reviewed(path).table.correlate, datetime(2026, 12, 2, tzinfo=UTC)
    assert window_status(datetime(2026, 3, 1, 12, tzinfo=UTC), spec, now) is CorrelationStatus.BEFORE_CUTOVER
    assert window_status(datetime(2026, 5, 1, tzinfo=UTC), spec, now) is CorrelationStatus.OUTSIDE_RETENTION
    assert window_status(datetime(2026, 9, 1, tzinfo=UTC), spec, now) is None
    # a retention that still reaches the cutover says nothing
    assert correlate_findings(check(path, org_catalog, date(2026, 6, 1))) == []


# ------------------------------------------------------------------------------------------------ require
def test_requiring_a_queue_that_can_never_be_known_does_nothing(tmp_path: Path, org_catalog: OrgCatalog) -> None:
    text = (MAPPINGS / "five9.yaml").read_text(encoding="utf-8")
    queues = text[text.index("  queues:") : text.index(CUTOVER)]
    path = edited(tmp_path, "t.yaml", (queues, ""), (REQUIRE, "  require:   # <require>\n    - ani\n    - queue"))
    result = check(path, org_catalog)
    assert correlate_findings(result) == [("correlate-require", "warning", line_of(path.read_text(), "require") + 2)]
    said = message(result, FindingKind.CORRELATE_REQUIRE)
    assert "the records' queue (skill, campaign) is a name" in said and "requiring 'queue' does nothing" in said
    # the claim, held against probe_for and score: the queue is unknown, so a call on any queue never fails
    spec = load_reviewed(path).table.correlate
    record = Disposition(source="five9", source_id="1", code="Sale", occurred_at=at(14, 1), fields={"campaign": "X"})
    probe = probe_for(record, spec, {})
    scored = score(probe, Candidate("c1", at(14), at(14, 4), queue_ids=frozenset({BILLING})), spec)
    assert probe.queue == "X" and probe.queue_id is None and not scored.failed
    assert [e.verdict.value for e in scored.evidence if e.field == "queue"] == ["unknown"]
    # a place of the table's own (a column that may hold Genesys queue ids) is the reviewer's call: no finding
    placed = edited(tmp_path, "p.yaml", (queues, "  fields: {queue: genesys queue}\n"), (REQUIRE, "  require: [queue]"))
    assert correlate_findings(check(placed, org_catalog)) == []


# ------------------------------------------------------------------------------------- threshold and margin
def conversation(number: int) -> str:
    return f"c0ffee00-0000-4000-8000-{number:012d}"


def candidates(*scores: float) -> list[tuple[Candidate, Scored]]:
    return [(Candidate(conversation(i), at(14, i)), Scored(s, False, ())) for i, s in enumerate(scores)]


PROBE = Probe(source="five9", source_id="1", time=at(14))


def test_threshold_and_margin_over_one_leave_two_passing_calls_ambiguous(
    tmp_path: Path, org_catalog: OrgCatalog
) -> None:
    path = edited(tmp_path, "t.yaml", (CUTOVER, f"{CUTOVER}\n  threshold: 0.9   # <threshold>\n  margin: 0.2"))
    result = check(path, org_catalog)
    assert correlate_findings(result) == [("correlate-threshold", "warning", line_of(path.read_text(), "threshold"))]
    said = message(result, FindingKind.CORRELATE_THRESHOLD)
    assert "threshold 0.9 + margin 0.2 is more than 1" in said and "by at most 0.1" in said
    assert "always ambiguous" in said and "alone, a conversation needs ≥ 0.9" in said
    # the claim, held against classify: matching is not impossible, but a second passing call always stops it
    spec = load_reviewed(path).table.correlate
    assert classify(PROBE, candidates(1.0), spec).status is CorrelationStatus.MATCHED
    assert classify(PROBE, candidates(1.0, 0.5), spec).status is CorrelationStatus.MATCHED
    assert classify(PROBE, candidates(1.0, 0.9), spec).status is CorrelationStatus.AMBIGUOUS
    assert classify(PROBE, candidates(1.0, 0.85), spec).status is CorrelationStatus.AMBIGUOUS
    assert "0.9 + 0.2 > 1" in decision_text(spec)


def test_margin_zero_decides_near_ties(tmp_path: Path, org_catalog: OrgCatalog) -> None:
    path = edited(tmp_path, "t.yaml", (CUTOVER, f"{CUTOVER}\n  margin: 0   # <margin>"))
    result = check(path, org_catalog)
    assert correlate_findings(result) == [("correlate-margin", "warning", line_of(path.read_text(), "margin"))]
    said = message(result, FindingKind.CORRELATE_MARGIN)
    assert "leads another by any amount" in said and "only an exact tie stays ambiguous" in said
    # the claims, held against classify: a lead of 0.001 is matched, an exact tie is not
    spec = load_reviewed(path).table.correlate
    near = [
        (Candidate(conversation(1), at(13, 59)), Scored(0.899, False, (), 60.0)),
        (Candidate(conversation(2), at(14)), Scored(0.9, False, (), 10.0)),
    ]
    picked = classify(PROBE, near, spec)
    assert picked.status is CorrelationStatus.MATCHED and picked.conversation_id == conversation(2)
    tie = [
        (Candidate(conversation(1), at(13, 59)), Scored(0.9, False, (), 60.0)),
        (Candidate(conversation(2), at(14)), Scored(0.9, False, (), 10.0)),
    ]
    assert classify(PROBE, tie, spec).status is CorrelationStatus.AMBIGUOUS
    # any margin above 0 leaves the tie to a person, and is not reported
    spec = CorrelateSpec(margin=0.001)
    assert classify(PROBE, tie, spec).status is CorrelationStatus.AMBIGUOUS
    kept = edited(tmp_path, "k.yaml", (CUTOVER, f"{CUTOVER}\n  margin: 0.001"))
    assert correlate_findings(check(kept, org_catalog)) == []


# ---------------------------------------------------------------------------------------------- legacy id
@pytest.mark.parametrize(
    ("api", "expected"),
    [
        ("query", [("correlate-legacy-id", "error")]),
        ("auto", [("correlate-legacy-id", "info")]),
        ("jobs", [("correlate-legacy-id", "info")]),
    ],
)
def test_a_participant_attribute_needs_the_jobs(
    tmp_path: Path, org_catalog: OrgCatalog, api: str, expected: list[tuple[str, str]]
) -> None:
    path = edited(
        tmp_path, "t.yaml", (CUTOVER, f"{CUTOVER}\n  legacy_id:\n    attribute: legacyCallId   # <attr>\n  api: {api}")
    )
    result = check(path, org_catalog)
    assert correlate_findings(result) == [(*e, line_of(path.read_text(), "attr")) for e in expected]
    said = message(result, FindingKind.CORRELATE_LEGACY_ID)
    if api == "query":
        assert "'legacyCallId' is never seen" in said and "set api: auto" in said and result.failed()
    else:
        assert "--api query would never see the legacy id" in said and not result.failed(strict=True)


def test_the_query_never_gives_classify_the_attribute() -> None:
    """The error's claim: a conversation as the sync query returns it (participants without attributes) never
    carries the legacy id, so an equal legacy id never decides; as the jobs return it, it does."""
    spec = CorrelateSpec.model_validate({"legacy_id": {"attribute": "legacyCallId"}, "api": "query"})
    probe = Probe(source="five9", source_id="1", time=at(14), legacy_id="L-1")
    conversation: dict[str, Any] = {
        "conversationId": "c1",
        "conversationStart": "2026-03-02T14:00:00Z",
        "participants": [{"purpose": "customer", "sessions": [{"mediaType": "voice"}]}],
    }
    from_query = Candidate.from_analytics(conversation, "US")
    conversation["participants"][0]["attributes"] = {"legacyCallId": "L-1"}
    from_jobs = Candidate.from_analytics(conversation, "US")
    assert not score(probe, from_query, spec).decisive and score(probe, from_jobs, spec).decisive


def test_an_external_tag_is_seen_by_the_query(tmp_path: Path, org_catalog: OrgCatalog) -> None:
    path = edited(tmp_path, "t.yaml", (CUTOVER, f"{CUTOVER}\n  legacy_id: {{external_tag: true}}\n  api: query"))
    assert correlate_findings(check(path, org_catalog)) == []


# ---------------------------------------------------------------------------------------- settings in effect
def test_the_shipped_section_in_effect(org_catalog: OrgCatalog) -> None:
    result = check(MAPPINGS / "five9.yaml", org_catalog)
    review = result.correlation
    assert review is not None and review.section and review.platform == "five9" and review.findings == ()
    text = (MAPPINGS / "five9.yaml").read_text(encoding="utf-8").splitlines()
    assert review.line is not None and text[review.line - 1] == "correlate:"
    settings = {s.key: s for s in review.settings}
    assert (settings["require"].value, settings["require"].default) == ("ani, dnis", False)
    assert text[(settings["require"].line or 0) - 1].startswith(REQUIRE)
    assert (settings["threshold"].value, settings["threshold"].default, settings["threshold"].line) == (
        "0.6",
        True,
        None,
    )
    assert settings["api"].value == "auto: the synchronous details query" and settings["api"].default
    assert settings["tolerance_seconds"].meaning.startswith("How far off the record's time may be")
    places = {p.part: p for p in review.places}
    assert places["queue"].places == ("skill", "campaign") and places["queue"].default
    assert places["direction"].places == ("call_type",) and not places["legacy_id"].used
    assert {w.part: w.weight for w in review.weights} == {
        "time": 3.0, "ani": 4.0, "dnis": 1.0, "agent": 2.0, "queue": 1.0, "direction": 0.5, "media": 0.5
    }  # fmt: skip
    assert [(q.legacy, q.status, q.genesys_name) for q in review.queues] == [
        ("Billing Inbound", "ok", "Billing"),
        ("Sales Outbound", "ok", "Sales Outbound"),
    ]
    assert review.decision.startswith("matched only when one conversation scores ≥ 0.6 and leads the next by ≥ 0.15")
    assert result.to_dict()["correlation"]["queues"][0]["queue_id"] == BILLING


def test_written_settings_carry_their_lines(tmp_path: Path, org_catalog: OrgCatalog) -> None:
    path = edited(
        tmp_path,
        "t.yaml",
        (CUTOVER, f"{CUTOVER}\n  weights: {{agent: 0}}   # <weights>\n  fields:\n    ani: [ANI, caller]   # <ani>"),
    )
    review = check(path, org_catalog).correlation
    assert review is not None
    weights = {w.part: w for w in review.weights}
    assert (weights["agent"].weight, weights["agent"].default) == (0.0, False)
    assert weights["agent"].line == line_of(path.read_text(), "weights") and weights["time"].default
    ani = next(p for p in review.places if p.part == "ani")
    assert (ani.places, ani.default, ani.line) == (("ANI", "caller"), False, line_of(path.read_text(), "ani"))


def test_a_platform_table_without_a_section_shows_the_defaults(org_catalog: OrgCatalog) -> None:
    result = check(MAPPINGS / "cxone.yaml", org_catalog)
    review = result.correlation
    assert review is not None and not review.section and review.line is None and review.findings == ()
    assert all(s.default and s.line is None for s in review.settings)
    places = {p.part: p.places for p in review.places}
    assert places["ani"] == ("ani", "from_addr") and places["direction"] == ("is_outbound",)


def test_a_table_with_neither_section_nor_platform_has_no_correlation(tmp_path: Path) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text(
        "version: 1\ncodes:\n  sale: {id: 0dd6a32c-c059-4534-97bf-c82d73d9c869, name: Sale}\n"
        "rules:\n  - when: {code: Sale}\n    code: sale\n",
        encoding="utf-8",
    )
    reviewed = load_reviewed(path)
    assert review_correlation(reviewed, None, today=TODAY) is None
    assert check_table(reviewed, None).to_dict()["correlation"] is None
    # a section without a platform is shown; its field places are the table's only (the rest: --source decides)
    path.write_text(path.read_text() + "correlate:\n  fields: {ani: caller}\n", encoding="utf-8")
    review = review_correlation(load_reviewed(path), None, today=TODAY)
    assert review is not None and review.platform is None and review.line == 7
    assert {p.part: p.places for p in review.places}["ani"] == ("caller",)
    assert {p.part: p.places for p in review.places}["dnis"] == ()


def test_decision_in_words() -> None:
    assert decision_text(CorrelateSpec()) == (
        "matched only when one conversation scores ≥ 0.6 and leads the next by ≥ 0.15; otherwise ambiguous when "
        "the best scores that much without that lead, none when nothing does"
    )
    assert "alone leads by its score, so it needs ≥ 0.5" in decision_text(CorrelateSpec(threshold=0.3, margin=0.5))
    assert "a tie is picked" in decision_text(CorrelateSpec(margin=0))
    assert decision_text(CorrelateSpec(legacy_id={"external_tag": True})).endswith(
        "an equal legacy id on exactly one conversation decides on its own"
    )
