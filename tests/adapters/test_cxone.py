"""CXone adapter: completed-contact shapes, the disposition catalog join, errors, fuzzing."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import EXAMPLES
from wrapup_bridge.adapters import AdapterOptions, CXoneRecordError, FieldMap, get_adapter
from wrapup_bridge.adapters.cxone import CXoneAdapter
from wrapup_bridge.core.disposition import Disposition, Media

# cxone.md section 5, verbatim: a completed contact wrapped with the skill disposition it was given.
REFERENCE = """\
{"completedContact": {"contactId": 712345678901, "masterContactId": 712345678901,
  "contactStart": "2024-03-21T15:55:20.512Z", "lastUpdateTime": "2024-03-21T16:02:11.000Z",
  "agentId": 11234567, "teamId": 2045, "teamName": "Billing", "skillId": 4012345, "skillName": "Billing_IB_Voice",
  "campaignId": 301, "campaignName": "Billing", "mediaType": 4, "mediaTypeName": "Call", "isOutbound": false,
  "fromAddr": "4084574613", "toAddr": "8005550100", "primaryDispositionId": 1073743862,
  "secondaryDispositionId": null, "dispositionNotes": "Card payment taken", "abandoned": false,
  "ACWSeconds": 18, "agentSeconds": 245, "holdSeconds": 15, "inQueueSeconds": 7, "totalDurationSeconds": 290},
 "skillDisposition": {"dispositionId": 1073743862, "dispositionName": "Payment Taken", "displayOrder": 1,
  "classification": "Positive no Amount", "reportingGroup": "Positive Outcome", "systemOutcome": "Commitment",
  "requireCommitmentAmount": false, "requireRescheduleDate": false, "agentSpecific": false, "isPreviewDisposition": false},
 "agentDispositionRequest": {"primaryDispositionId": 1073743862, "primaryDispositionNotes": "Card payment taken"}}
"""

CATALOG = EXAMPLES / "cxone" / "skill-dispositions.json"
CONV = "c0ffee00-0000-4000-8000-0000000000{:02d}"
AGENT_IDS = {"jdoe": "11234567", "asmith": "11234568", "mgarcia": "11234569", "kchen": "11234570"}


def contact(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "contactId": 700000000001,
        "masterContactId": 700000000001,
        "contactStart": "2026-09-14T15:55:20.512Z",
        "lastUpdateTime": "2026-09-14T16:02:11.000Z",
        "agentId": 11234567,
        "skillId": 4012345,
        "skillName": "Billing_IB_Voice",
        "mediaType": 4,
        "primaryDispositionId": 1073743862,
        "secondaryDispositionId": None,
        "dispositionNotes": None,
    }
    base.update(overrides)
    return base


def with_catalog() -> CXoneAdapter:
    return CXoneAdapter(AdapterOptions(catalog=str(CATALOG)))


def read(text: str, adapter: CXoneAdapter | None = None, name: str = "contacts.json") -> list[Any]:
    return list((adapter or CXoneAdapter()).read(io.StringIO(text), name=name))


def only(results: list[Any]) -> Any:
    assert len(results) == 1, results
    return results[0]


def dispositions(results: Iterable[object]) -> list[Disposition]:
    """All results, asserting that none is an error (and telling the type checker so)."""
    records = list(results)
    assert all(isinstance(r, Disposition) for r in records), records
    return [r for r in records if isinstance(r, Disposition)]


# --- the reference record and the shipped example ------------------------------------------------------------------


def test_reference_record_takes_its_name_from_the_inline_skill_disposition() -> None:
    record = only(read(REFERENCE))
    assert isinstance(record, Disposition)
    assert (record.source, record.source_id, record.code) == ("cxone", "712345678901", "Payment Taken")
    assert record.agent == "11234567"
    assert record.notes == "Card payment taken"
    assert record.media is Media.VOICE
    # contactStart 15:55:20.512 + totalDurationSeconds 290 + ACWSeconds 18 (not lastUpdateTime 16:02:11)
    assert record.occurred_at == datetime(2024, 3, 21, 16, 0, 28, 512000, tzinfo=UTC)
    assert record.fields == {
        "master_contact_id": "712345678901",
        "skill_name": "Billing_IB_Voice",
        "skill_id": "4012345",
        "campaign_name": "Billing",
        "team_name": "Billing",
        "media_type_name": "Call",
        "from_addr": "4084574613",
        "to_addr": "8005550100",
        "is_outbound": "false",
        "abandoned": "false",
        "disposition_id": "1073743862",
        "classification": "Positive no Amount",
        "reporting_group": "Positive Outcome",
        "system_outcome": "Commitment",
        "media_type_id": "4",
    }


def test_example_contacts_read_for_demo_conversations_41_to_50() -> None:
    adapter = get_adapter("cxone", AdapterOptions(catalog=str(CATALOG)))
    with (EXAMPLES / "cxone" / "completed-contacts.json").open(encoding="utf-8") as stream:
        records = dispositions(adapter.read(stream, name="completed-contacts.json"))
    assert [r.conversation_id for r in records] == [CONV.format(n) for n in range(41, 51)]
    order = ["jdoe", "asmith", "mgarcia", "kchen"]
    for n, record in zip(range(41, 51), records, strict=True):
        assert record.agent == AGENT_IDS[order[(n - 1) % 4]]
        assert record.media is (Media.EMAIL if n in (45, 46) else Media.VOICE)
        assert "disposition_name_missing" not in record.fields
    assert [r.code for r in records] == [
        "Payment Taken", "Promise To Pay", "Dispute", "Busy", "Dispute", "", "Answering Machine", "No Answer",
        "Abandon", "Promise To Pay",
    ]  # fmt: skip
    assert records[9].fields["secondary_disposition"] == "Dispute"
    assert records[9].fields["secondary_disposition_id"] == "1073743864"


def test_example_contacts_keep_the_calling_and_the_dialled_number() -> None:
    with (EXAMPLES / "cxone" / "completed-contacts.json").open(encoding="utf-8") as stream:
        records = dispositions(CXoneAdapter().read(stream, name="completed-contacts.json"))
    inbound, outbound, email = records[0], records[3], records[4]
    # inbound: the customer called the point of contact; outbound: dialled from the org's number to the customer
    assert (inbound.fields["from_addr"], inbound.fields["to_addr"], inbound.fields["is_outbound"]) == (
        "4084574641",
        "8005550100",
        "false",
    )
    assert (outbound.fields["from_addr"], outbound.fields["to_addr"], outbound.fields["is_outbound"]) == (
        "8005550100",
        "4084574644",
        "true",
    )
    # an email contact's addresses are kept as written (correlation reads them as no number)
    assert (email.fields["from_addr"], email.fields["to_addr"]) == ("customer45@example.net", "billing@example.com")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"fromAddr": "4084574613", "toAddr": "8005550100"}, {"from_addr": "4084574613", "to_addr": "8005550100"}),
        ({"fromAddr": "  ", "toAddr": None}, {}),  # blank and null are left out
        ({"fromAddr": 4084574613}, {"from_addr": "4084574613"}),  # a number where the schema says string
    ],
)
def test_from_and_to_addresses(overrides: dict[str, Any], expected: dict[str, str]) -> None:
    record = only(read(json.dumps(contact(**overrides))))
    assert isinstance(record, Disposition)
    assert {k: v for k, v in record.fields.items() if k in ("from_addr", "to_addr")} == expected


def test_example_catalog_has_the_system_and_custom_dispositions() -> None:
    catalog = with_catalog().catalog
    assert catalog is not None
    names = {entry.name for entry in catalog.values()}
    assert {"Busy", "No Answer", "Answering Machine", "Abandon", "Payment Taken", "Promise To Pay", "Dispute"} <= names


# --- the catalog join ------------------------------------------------------------------------------------------------


def test_without_a_catalog_the_code_is_the_id_and_says_the_name_is_missing() -> None:
    record = CXoneAdapter().from_payload(contact(secondaryDispositionId="1073743864"))
    assert record.code == "1073743862"
    assert record.fields["disposition_name_missing"] == "true"
    assert record.fields["secondary_disposition"] == "1073743864"
    assert record.fields["secondary_disposition_id"] == "1073743864"
    assert "classification" not in record.fields


def test_with_a_catalog_the_code_is_the_name_and_the_classification_is_kept() -> None:
    record = with_catalog().from_payload(contact(primaryDispositionId=1073743872, secondaryDispositionId=1073743863))
    assert record.code == "Answering Machine"
    assert record.fields["classification"] == "Retry - Answering Machine"
    assert record.fields["reporting_group"] == "Connection Retry"
    assert record.fields["system_outcome"] == "Answering Machine"
    assert record.fields["secondary_disposition"] == "Promise To Pay"
    assert "disposition_name_missing" not in record.fields


@pytest.mark.parametrize("key", ["primaryDispositionId", "secondaryDispositionId"])
def test_an_id_missing_from_the_catalog_is_an_error_naming_the_field(key: str) -> None:
    page = {"completedContacts": [contact(), contact(contactId=7002, **{key: 999})], "totalRecords": 2}
    good, bad = read(json.dumps(page), with_catalog(), name="page.json")
    assert isinstance(good, Disposition)
    assert isinstance(bad, CXoneRecordError)
    assert bad.field == key
    assert bad.record == "line 1 contact 2 (contactId 7002)"
    assert bad.input_name == "page.json"
    assert "999" in bad.message and "catalog" in bad.message
    assert bad.raw["contactId"] == 7002


def test_a_null_primary_disposition_is_an_empty_code() -> None:
    record = with_catalog().from_payload(contact(primaryDispositionId=None, dispositionNotes="left a voicemail"))
    assert record.code == "" and record.notes == "left a voicemail"
    assert "disposition_id" not in record.fields and "disposition_name_missing" not in record.fields


@pytest.mark.parametrize("value", ["abc", 1.5, True, {"id": 1}])
def test_a_disposition_id_that_is_not_a_number_is_an_error(value: Any) -> None:
    with pytest.raises(CXoneRecordError) as caught:
        CXoneAdapter().from_payload(contact(primaryDispositionId=value), ref="event 3")
    assert caught.value.field == "primaryDispositionId" and caught.value.record == "event 3 (contactId 700000000001)"


def test_string_ids_are_accepted() -> None:
    record = with_catalog().from_payload(contact(contactId="700000000009", primaryDispositionId=" 1073743864 "))
    assert (record.source_id, record.code) == ("700000000009", "Dispute")


# --- catalog shapes and problems ---------------------------------------------------------------------------------------

ENTRY = {"dispositionId": 11, "dispositionName": "Promise To Pay", "classification": "Positive w/Amount"}


@pytest.mark.parametrize(
    "doc",
    [
        {"dispositions": [ENTRY]},
        {"skillId": 4012345, "dispositions": [ENTRY]},
        [{"dispositions": [ENTRY]}, {"dispositions": [ENTRY]}],
        [ENTRY],
        {"4012345": [ENTRY], "4012346": [ENTRY]},
    ],
)
def test_catalog_shapes(tmp_path: Path, doc: Any) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(doc))
    record = CXoneAdapter(AdapterOptions(catalog=str(path))).from_payload(contact(primaryDispositionId=11))
    assert record.code == "Promise To Pay" and record.fields["classification"] == "Positive w/Amount"


def test_catalog_in_yaml(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text("dispositions:\n  - dispositionId: '11'\n    dispositionName: Dispute\n    classificationId: 5\n")
    record = CXoneAdapter(AdapterOptions(catalog=str(path))).from_payload(contact(primaryDispositionId=11))
    assert record.code == "Dispute" and record.fields["classification_id"] == "5"


@pytest.mark.parametrize(
    ("doc", "record", "field", "words"),
    [
        ({"dispositions": [ENTRY, {"dispositionId": 12}]}, "entry 2", "dispositionName", "missing"),
        ({"dispositions": [{"dispositionId": "x", "dispositionName": "A"}]}, "entry 1", "dispositionId", "not a numeric id"),
        ({"dispositions": [ENTRY, "Busy"]}, "entry 2", None, "expected a disposition object"),
        ({"4012345": [ENTRY], "4012346": [{**ENTRY, "dispositionName": "Dispute"}]}, "skill 4012346 entry 1", "dispositionName", "skill 4012345 entry 1"),
        ([{"skillId": 9, "dispositions": "Busy"}], "item 1 skill 9", "dispositions", "not a list"),
        ({"dispositions": []}, None, None, "no dispositions"),
        ("Busy", None, None, "expected"),
    ],
)  # fmt: skip
def test_catalog_problems_raise_from_the_constructor_naming_file_and_entry(
    tmp_path: Path, doc: Any, record: str | None, field: str | None, words: str
) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(CXoneRecordError) as caught:
        CXoneAdapter(AdapterOptions(catalog=str(path)))
    assert caught.value.input_name == str(path)
    assert (caught.value.record, caught.value.field) == (record, field)
    assert words in caught.value.message


def test_catalog_that_is_not_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_text('{"dispositions": [\n  {"dispositionId": 1,,}\n]}')
    with pytest.raises(CXoneRecordError) as caught:
        CXoneAdapter(AdapterOptions(catalog=str(path)))
    assert caught.value.record == "line 2" and "not valid JSON" in caught.value.message


def test_a_missing_catalog_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CXoneRecordError, match="cannot read the disposition catalog"):
        CXoneAdapter(AdapterOptions(catalog=str(tmp_path / "missing.json")))


# --- input shapes ------------------------------------------------------------------------------------------------------


def test_a_list_of_contacts_json_lines_and_pages_per_line() -> None:
    listed = read(json.dumps([contact(contactId=1), contact(contactId=2)]))
    assert [r.source_id for r in listed] == ["1", "2"]
    lines = read("\n".join(json.dumps(contact(contactId=n)) for n in (3, 4)))
    assert [r.source_id for r in lines] == ["3", "4"]
    pages = "\n".join(json.dumps({"completedContacts": [contact(contactId=n)], "totalRecords": 2}) for n in (5, 6))
    assert [r.source_id for r in read(pages)] == ["5", "6"]


def test_bad_lines_are_reported_and_reading_goes_on() -> None:
    text = "\n".join(
        [
            json.dumps(contact(contactId=1)),
            "{oops",
            "42",
            json.dumps({"completedContacts": {"a": 1}}),
            json.dumps(contact(contactId=2)),
        ]
    )
    results = read(text, name="history.jsonl")
    assert [r.source_id for r in results if isinstance(r, Disposition)] == ["1", "2"]
    errors = [r for r in results if isinstance(r, CXoneRecordError)]
    assert [(e.record, e.field) for e in errors] == [
        ("line 2", None),
        ("line 3", None),
        ("line 4", "completedContacts"),
    ]
    assert errors[0].raw == "{oops" and "not valid JSON" in errors[0].message
    assert "expected a contact object" in errors[1].message


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"contactId": None}, "contactId"), ({"contactId": True}, "contactId"), ({"contactId": " "}, "contactId")],
)
def test_contact_id_is_required(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(CXoneRecordError) as caught:
        CXoneAdapter().from_payload(contact(**overrides))
    assert caught.value.field == field and caught.value.record == "payload"


def test_a_page_is_not_a_payload() -> None:
    with pytest.raises(CXoneRecordError) as caught:
        CXoneAdapter().from_payload({"completedContacts": [contact()], "totalRecords": 1})
    assert caught.value.field == "completedContacts"


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(CXoneRecordError) as caught:
        CXoneAdapter(AdapterOptions(format="call-log"))
    assert caught.value.field == "format"


# --- media and time ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("media_type", "media", "unknown"),
    [(4, Media.VOICE, False), (5, Media.VOICE, False), (1, Media.EMAIL, False), ("3", Media.MESSAGE, False),
     (9, Media.MESSAGE, False), (6, Media.MESSAGE, False), (42, Media.VOICE, True), (None, Media.VOICE, True),
     ("Call", Media.VOICE, True)],
)  # fmt: skip
def test_media_types(media_type: Any, media: Media, unknown: bool) -> None:
    record = CXoneAdapter().from_payload(contact(mediaType=media_type))
    assert record.media is media
    assert record.fields.get("media_type_unknown") == ("true" if unknown else None)


# Changed with issue 10: occurred_at used to be lastUpdateTime, which CXone moves whenever it touches the record
# afterwards (warehousing); it is now contactStart + totalDurationSeconds (+ ACW seconds), lastUpdateTime last.
START = datetime(2026, 9, 14, 15, 55, 20, 512000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("overrides", "expected", "flags"),
    [
        ({"totalDurationSeconds": 290, "ACWSeconds": 18}, datetime(2026, 9, 14, 16, 0, 28, 512000, tzinfo=UTC), {}),
        ({"totalDurationSeconds": 290}, datetime(2026, 9, 14, 16, 0, 10, 512000, tzinfo=UTC), {}),
        ({}, START, {"time_precision": "start"}),  # no duration: the start, flagged
        ({"lastUpdateTime": None}, START, {"time_precision": "start"}),
        ({"contactStart": "2026-09-14T15:55:20", "totalDurationSeconds": 10}, datetime(2026, 9, 14, 15, 55, 30, tzinfo=UTC), {}),  # naive = UTC
        ({"contactStart": "2026-09-14T08:55:20-07:00", "totalDurationSeconds": 0}, datetime(2026, 9, 14, 15, 55, 20, tzinfo=UTC), {}),
        ({"contactStart": "2026-09-14T15:55:20.1234567Z"}, datetime(2026, 9, 14, 15, 55, 20, 123456, tzinfo=UTC), {"time_precision": "start"}),
        ({"contactStart": None}, datetime(2026, 9, 14, 16, 2, 11, tzinfo=UTC), {"time_source": "lastUpdateTime"}),
        ({"lastUpdateTime": None, "contactStart": None}, None, {}),
    ],
)  # fmt: skip
def test_occurred_at(overrides: dict[str, Any], expected: datetime | None, flags: dict[str, str]) -> None:
    record = CXoneAdapter().from_payload(contact(**overrides))
    assert record.occurred_at == expected
    assert {k: v for k, v in record.fields.items() if k.startswith("time_")} == flags


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"contactStart": None, "lastUpdateTime": "yesterday"}, "lastUpdateTime"),
        ({"contactStart": 1726329320}, "contactStart"),
        ({"totalDurationSeconds": "long"}, "totalDurationSeconds"),
        ({"totalDurationSeconds": 60, "ACWSeconds": -5}, "ACWSeconds"),
        ({"totalDurationSeconds": 1e300}, "totalDurationSeconds"),
    ],
)
def test_a_bad_time_is_an_error_naming_the_field(overrides: dict[str, Any], key: str) -> None:
    with pytest.raises(CXoneRecordError) as caught:
        CXoneAdapter().from_payload(contact(**overrides))
    assert caught.value.field == key


# --- Genesys conversation id -------------------------------------------------------------------------------------------


def test_conversation_id_default_places_and_option() -> None:
    assert CXoneAdapter().from_payload(contact(genesysConversationId=CONV.format(41))).conversation_id == CONV.format(
        41
    )
    upper = CONV.format(42).upper()
    assert CXoneAdapter().from_payload(contact(genesys_conversation_id=upper)).conversation_id == CONV.format(42)
    assert CXoneAdapter().from_payload(contact()).conversation_id is None
    adapter = CXoneAdapter(AdapterOptions(conversation_id_field="custom.genesys"))
    nested = contact(custom={"genesys": CONV.format(43)}, genesysConversationId=CONV.format(44))
    assert adapter.from_payload(nested).conversation_id == CONV.format(43)
    wrapped = {"completedContact": contact(), "custom": {"genesys": CONV.format(45)}}
    assert adapter.from_payload(wrapped).conversation_id == CONV.format(45)


def test_a_malformed_conversation_id_is_an_error_naming_the_path() -> None:
    with pytest.raises(CXoneRecordError) as caught:
        CXoneAdapter().from_payload(contact(genesysConversationId="conv-41"))
    assert caught.value.field == "genesysConversationId" and "UUID" in caught.value.message


# --- fuzzing: anything in ends as a Disposition or a CXoneRecordError ----------------------------------------------------

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
KEYS = st.sampled_from(
    ["contactId", "primaryDispositionId", "secondaryDispositionId", "mediaType", "lastUpdateTime", "contactStart",
     "agentId", "dispositionNotes", "genesysConversationId", "completedContact", "skillDisposition", "isOutbound",
     "contactStartDate", "totalDurationSeconds", "ACWSeconds", "acwSeconds", "firstName", "lastName", "mediaTypeId",
     "mediaTypeName", "resultSet", "contacts", "completedContacts", "totalRecords"]
)  # fmt: skip
VALUES = st.one_of(
    JSON,
    st.sampled_from(
        [
            1073743862,
            "1073743864",
            999,
            "2026-09-14T16:02:11Z",
            CONV.format(41),
            4,
            6,
            0,
            "0",
            "True",
            "187",
            1e300,
            float("inf"),
            "-5",
        ]
    ),
    st.fixed_dictionaries({"dispositionId": st.sampled_from([1073743862, 5]), "dispositionName": st.text(max_size=5)}),
)
CONTACTS = st.dictionaries(KEYS | st.text(max_size=6), VALUES, max_size=8)


def assert_outcomes(results: list[Any]) -> None:
    for result in results:
        assert isinstance(result, Disposition | CXoneRecordError), result
        if isinstance(result, CXoneRecordError):
            str(result)
            json.dumps(result.to_json_dict(), default=str)


@given(st.one_of(CONTACTS, st.fixed_dictionaries({"completedContact": CONTACTS}), JSON))
def test_fuzz_payloads(payload: Any) -> None:
    for adapter in (CXoneAdapter(), with_catalog()):
        try:
            result: Any = adapter.from_payload(payload)
        except CXoneRecordError as exc:
            result = exc
        assert_outcomes([result])


@given(st.lists(CONTACTS | JSON, max_size=4), st.sampled_from(["list", "page", "lines", "result-set", "reporting"]))
def test_fuzz_documents(items: list[Any], shape: str) -> None:
    if shape == "list":
        text = json.dumps(items)
    elif shape == "page":
        text = json.dumps({"completedContacts": items, "totalRecords": len(items)})
    elif shape == "result-set":
        text = json.dumps({"resultSet": {"businessUnitId": "1", "completedContacts": items}})
    elif shape == "reporting":
        text = json.dumps({"totalRecords": len(items), "contacts": items})
    else:
        text = "\n".join(json.dumps(item) for item in items)
    assert_outcomes(read(text, with_catalog()))
    mapped = CXoneAdapter(
        AdapterOptions(
            fields=FieldMap.from_assignments(
                ["code=contacts|primaryDispositionId", "time=contactStartDate+ACWSeconds"]
            ),
            timezone="Europe/London",
            date_order="dmy",
        )
    )
    assert_outcomes(read(text, mapped))
    explained = mapped.explain(io.StringIO(text), name="fuzz")
    explained.render()
    json.dumps(explained.to_dict(), default=str)


@given(st.text(max_size=200))
def test_fuzz_any_text(text: str) -> None:
    assert_outcomes(read(text))
    CXoneAdapter().explain(io.StringIO(text), name="fuzz").render()
