"""CXone adapter on the shapes real exports have (issue 10): every envelope, string values, 0 = no disposition,
agent names, when the contact ended, the field map and the options, and ``explain``.

Fixtures are in tests/adapters/fixtures/cxone/ (real field names and envelopes, invented values); its README.md
names the source of each shape.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from wrapup_bridge.adapters import AdapterOptionError, AdapterOptions, CXoneRecordError, FieldMap
from wrapup_bridge.adapters.cxone import CXoneAdapter
from wrapup_bridge.core.disposition import Disposition, Media
from wrapup_bridge.genesys.target import _agent_values

FIXTURES = Path(__file__).parent / "fixtures" / "cxone"
# frankkessler/incontact-laravel-oauth2-rest tests/AdminApiTest.php: {"skillDispositions": {...}}, all strings
SKILL_DISPOSITIONS = FIXTURES / "skill-dispositions.json"


def adapter(**options: Any) -> CXoneAdapter:
    options.setdefault("catalog", str(SKILL_DISPOSITIONS))
    return CXoneAdapter(AdapterOptions(**options))


def read_fixture(name: str, reader: CXoneAdapter | None = None) -> list[Any]:
    with (FIXTURES / name).open(encoding="utf-8") as stream:
        return list((reader or adapter()).read(stream, name=name))


def records(results: list[Any]) -> list[Disposition]:
    assert all(isinstance(r, Disposition) for r in results), results
    return [r for r in results if isinstance(r, Disposition)]


def contact(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "contactId": 712345670009,
        "contactStart": "2026-09-14T15:55:20.517Z",
        "totalDurationSeconds": 100,
        "agentId": 11234567,
        "mediaType": 4,
        "primaryDispositionId": 93,
    }
    return {**base, **values}


# --- envelopes ---------------------------------------------------------------------------------------------------------


def test_older_result_set_envelope_with_every_value_a_string() -> None:
    # shape of the NICE API model CompletedContactsResponse_Reporting; keys of singer-io/tap-nice-incontact
    # schemas/contacts_completed.json; values as strings per its transform.py
    first, abandoned, email = records(read_fixture("completed-contacts-resultset.json"))
    assert [r.source_id for r in (first, abandoned, email)] == ["712345670001", "712345670002", "712345670003"]
    assert (first.code, first.agent, first.media, first.notes) == (
        "Payment Taken",
        "11234567",
        Media.VOICE,
        "Card payment taken",
    )
    assert first.fields["abandoned"] == "false" and first.fields["is_outbound"] == "false"
    assert first.fields["disposition_id"] == "93" and first.fields["media_type_id"] == "4"
    assert abandoned.fields["abandoned"] == "true" and abandoned.agent is None
    assert (email.code, email.media, email.fields["is_outbound"]) == ("Promise To Pay", Media.EMAIL, "true")
    assert email.fields["secondary_disposition"] == "Dispute"
    assert email.notes is None  # "dispositionNotes": ""
    # "ACWSeconds": "187" and "totalDurationSeconds": "313" read as numbers: 15:55:20.517 + 500 s
    assert first.occurred_at == datetime(2026, 9, 14, 16, 3, 40, 517000, tzinfo=UTC)
    assert first.conversation_id == "c0ffee00-0000-4000-8000-000000000101"


def test_newer_reporting_envelope_with_typed_values() -> None:
    # {"totalRecords": N, "contacts": [...]} with contactStartDate, mediaTypeId, acwSeconds, endReason (issue 10)
    voice, chat = records(read_fixture("contacts-reporting.json"))
    assert (voice.source_id, voice.code, voice.media) == ("712345680001", "Promise To Pay", Media.VOICE)
    assert voice.fields["end_reason"] == "Contact Hung Up" and voice.fields["media_type_id"] == "4"
    assert voice.occurred_at == datetime(2026, 9, 14, 17, 24, 48, 665000, tzinfo=UTC)  # + 750 + acwSeconds 18
    assert (chat.code, chat.media, chat.agent) == ("", Media.MESSAGE, "11234570")
    assert chat.occurred_at == datetime(2026, 9, 14, 17, 35, 53, 702000, tzinfo=UTC)  # no acwSeconds: + 320


def test_a_bare_array_and_json_lines_are_read() -> None:
    listed = records(read_fixture("contacts-array.json"))  # saved pages / warehouse exports, string values
    assert [(r.source_id, r.code) for r in listed] == [("712345690001", "Dispute"), ("712345690002", "Payment Taken")]
    lines = records(read_fixture("contacts.jsonl"))
    assert [(r.source_id, r.code, r.media) for r in lines] == [
        ("712345700001", "Payment Taken", Media.VOICE),
        ("712345700002", "Promise To Pay", Media.EMAIL),
    ]
    assert lines[1].fields["secondary_disposition"] == "Dispute"


def test_envelopes_inside_arrays_and_lines() -> None:
    page = {"completedContacts": [contact(contactId=1)], "totalRecords": 1}
    old = {"resultSet": {"businessUnitId": "1", "completedContacts": [contact(contactId=2)]}}
    new = {"totalRecords": 1, "contacts": [contact(contactId=3)]}
    wrapped = {
        "completedContact": contact(contactId=4),
        "skillDisposition": {"dispositionId": 93, "dispositionName": "X"},
    }
    for text in (json.dumps([page, old, new, wrapped]), "\n".join(json.dumps(d) for d in (page, old, new, wrapped))):
        assert [r.source_id for r in records(list(adapter().read(io.StringIO(text))))] == ["1", "2", "3", "4"]


def test_an_unknown_envelope_is_an_error_naming_the_keys_it_has() -> None:
    (error,) = read_fixture("unknown-envelope.json")
    assert isinstance(error, CXoneRecordError)
    assert error.record == "line 1" and error.input_name == "unknown-envelope.json"
    assert "it has keys count, data, nextPageToken" in error.message and "completedContacts" in error.message
    with pytest.raises(CXoneRecordError, match="it has keys count, data, nextPageToken"):
        adapter().from_payload(json.loads((FIXTURES / "unknown-envelope.json").read_text()))


@pytest.mark.parametrize(
    ("doc", "field", "words"),
    [
        ({"resultSet": {"_links": {}, "lastPollTime": "2026-09-17T02:10:44Z"}}, "resultSet", "its keys: _links, lastPollTime"),
        ({"resultSet": []}, "resultSet", "not an object"),
        ({"totalRecords": 2, "contacts": {"a": 1}}, "contacts", "not a list"),
        ({"resultSet": {"completedContacts": "none"}}, "resultSet.completedContacts", "not a list"),
        ({"totalRecords": 3}, None, "totalRecords 3 but no contacts list"),
    ],
)  # fmt: skip
def test_broken_envelopes_say_what_they_found(doc: Any, field: str | None, words: str) -> None:
    (error,) = list(adapter().read(io.StringIO(json.dumps(doc)), name="page.json"))
    assert isinstance(error, CXoneRecordError)
    assert (error.record, error.field) == ("line 1", field)
    assert words in error.message


@pytest.mark.parametrize(
    "page",
    [
        {"resultSet": {"completedContacts": [contact()]}},
        {"totalRecords": 1, "contacts": [contact()]},
        {"completedContacts": [contact()]},
    ],
)
def test_a_page_is_still_not_a_payload(page: dict[str, Any]) -> None:
    with pytest.raises(CXoneRecordError, match="page of completed contacts"):
        adapter().from_payload(page)


# --- catalogs ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("catalog", "classification"),
    [
        ("skill-dispositions.json", "Positive w/Amount"),  # frankkessler/...AdminApiTest.php: all strings
        ("skill-dispositions-list.json", "Positive w/Amount"),  # several skills' responses saved together
        ("dispositions.json", "Positive w/Amount"),  # the general dispositions list, typed ids
    ],
)
def test_catalog_shapes_of_the_real_answers(catalog: str, classification: str) -> None:
    reader = adapter(catalog=str(FIXTURES / catalog))
    assert reader.catalog is not None and set(reader.catalog) == {"93", "94", "95"}
    second = records(read_fixture("contacts.jsonl", reader))[1]
    assert (second.code, second.fields["secondary_disposition"]) == ("Promise To Pay", "Dispute")
    assert second.fields["classification"] == classification
    dispute = reader.catalog["95"]
    assert dispute.name == "Dispute"
    if catalog != "dispositions.json":  # "classification": "" is no classification
        assert dispute.classification is None and dispute.reporting_group is None


@pytest.mark.parametrize(
    ("doc", "record"),
    [
        ({"skillDispositions": {"skillId": "1", "skillName": "x"}}, "skillDispositions"),
        ([{"skillDispositions": {"skillId": "1"}}], "item 1 skillDispositions"),
        ({"skillDispositions": [{"dispositions": []}, "Busy"]}, "skillDispositions 2"),
    ],
)
def test_a_skill_dispositions_answer_without_dispositions_is_an_error(tmp_path: Path, doc: Any, record: str) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(CXoneRecordError) as caught:
        adapter(catalog=str(path))
    assert (caught.value.record, caught.value.field) == (record, "skillDispositions")


# --- values ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("zero", [0, "0", " 0 "])
def test_disposition_id_zero_means_no_disposition(zero: Any) -> None:
    record = adapter().from_payload(contact(primaryDispositionId=zero, secondaryDispositionId=zero))
    assert record.code == ""
    assert not {
        "disposition_id",
        "secondary_disposition",
        "secondary_disposition_id",
        "disposition_name_missing",
    } & set(record.fields)
    secondary_only = adapter().from_payload(contact(secondaryDispositionId=zero))
    assert secondary_only.code == "Payment Taken" and "secondary_disposition" not in secondary_only.fields
    no_catalog = CXoneAdapter().from_payload(contact(primaryDispositionId=zero))  # 0 is never looked up
    assert no_catalog.code == "" and "disposition_name_missing" not in no_catalog.fields


@pytest.mark.parametrize(("text", "expected"), [("True", "true"), ("False", "false"), ("TRUE", "true"), (True, "true")])
def test_boolean_strings_are_read_as_booleans(text: Any, expected: str) -> None:
    record = adapter().from_payload(contact(abandoned=text, isOutbound=text))
    assert record.fields["abandoned"] == expected and record.fields["is_outbound"] == expected


def test_numeric_strings_are_read_as_numbers() -> None:
    record = adapter().from_payload(
        contact(contactId="712345670010", primaryDispositionId="94", mediaType="1", totalDurationSeconds="60",
                ACWSeconds="30", agentId="11234568")
    )  # fmt: skip
    assert (record.source_id, record.code, record.media, record.agent) == (
        "712345670010",
        "Promise To Pay",
        Media.EMAIL,
        "11234568",
    )
    assert record.occurred_at == datetime(2026, 9, 14, 15, 56, 50, 517000, tzinfo=UTC)


def test_agent_names_are_carried_for_the_genesys_target_choice() -> None:
    record = adapter().from_payload(contact(firstName=" Jane ", lastName="Doe"))
    assert record.fields["agent_first_name"] == "Jane" and record.fields["agent_last_name"] == "Doe"
    assert record.fields["agent_name"] == "Jane Doe"
    assert "Jane Doe" in _agent_values(record) and "11234567" in _agent_values(record)
    only_first = adapter().from_payload(contact(firstName="Jane"))
    assert only_first.fields["agent_first_name"] == "Jane" and "agent_name" not in only_first.fields
    assert "agent_first_name" not in adapter().from_payload(contact()).fields


# --- when the contact ended ----------------------------------------------------------------------------------------


def test_occurred_at_is_the_end_of_the_contact_not_last_update_time() -> None:
    # lastUpdateTime of these contacts is two days later (warehoused): it must not be read as the end
    for name in ("completed-contacts-resultset.json", "contacts-reporting.json", "contacts-array.json"):
        for record in records(read_fixture(name)):
            assert record.occurred_at is not None and record.occurred_at.date() == datetime(2026, 9, 14).date()
            assert "time_source" not in record.fields and "time_precision" not in record.fields
    warehoused = contact(lastUpdateTime="2026-09-16T07:31:02Z", totalDurationSeconds=313, ACWSeconds=187)
    assert adapter().from_payload(warehoused).occurred_at == datetime(2026, 9, 14, 16, 3, 40, 517000, tzinfo=UTC)
    new_names = {k: v for k, v in warehoused.items() if k not in ("contactStart", "ACWSeconds")}
    new_names |= {"contactStartDate": "2026-09-14T15:55:20.517Z", "acwSeconds": 187}
    assert adapter().from_payload(new_names).occurred_at == datetime(2026, 9, 14, 16, 3, 40, 517000, tzinfo=UTC)


def test_occurred_at_falls_back_to_the_start_then_last_update_time_with_flags() -> None:
    start_only = adapter().from_payload(contact(totalDurationSeconds=None, lastUpdateTime="2026-09-16T07:31:02Z"))
    assert start_only.occurred_at == datetime(2026, 9, 14, 15, 55, 20, 517000, tzinfo=UTC)
    assert start_only.fields["time_precision"] == "start"
    last = adapter().from_payload(contact(contactStart=None, lastUpdateTime="2026-09-16T07:31:02Z"))
    assert last.occurred_at == datetime(2026, 9, 16, 7, 31, 2, tzinfo=UTC)
    assert last.fields["time_source"] == "lastUpdateTime"


# --- field map and options ---------------------------------------------------------------------------------------------


def fields(**places: str) -> FieldMap:
    return FieldMap.from_assignments(f"{key}={place}" for key, place in places.items())


def test_the_field_map_is_honored() -> None:
    reader = adapter(
        fields=fields(
            code="export.disposition_name",
            source_id="export.contact_id",
            agent="export.agent_email|agentId",
            agent_name="export.agent_full_name",
            notes="export.note",
            media="export.channel",
            conversation_id="export.genesys_id",
        )
    )
    row = contact(
        export={
            "disposition_name": "Callback Requested", "contact_id": "C-7", "agent_email": "jdoe@example.com",
            "agent_full_name": "Jane Q. Doe", "note": "call back at 5", "channel": "Chat",
            "genesys_id": "c0ffee00-0000-4000-8000-000000000141",
        },
        firstName="Jane", lastName="Doe", primaryDispositionId=94,
    )  # fmt: skip
    record = reader.from_payload(row)
    assert (record.code, record.source_id, record.agent) == ("Callback Requested", "C-7", "jdoe@example.com")
    assert (record.notes, record.media) == ("call back at 5", Media.MESSAGE)
    assert record.fields["agent_name"] == "Jane Q. Doe" and record.fields["agent_first_name"] == "Jane"
    assert record.conversation_id == "c0ffee00-0000-4000-8000-000000000141"
    assert "disposition_id" not in record.fields  # the code came from the mapped place, not primaryDispositionId
    # an alternative is tried when the first is blank; a mapped code holding a number is a disposition id
    fallback = reader.from_payload({**row, "export": {"contact_id": "C-8", "disposition_name": 95}})
    assert (fallback.agent, fallback.code, fallback.fields["disposition_id"]) == ("11234567", "Dispute", "95")
    # the wrapping record is looked into after the contact
    wrapped = adapter(fields=fields(code="legacy.outcome")).from_payload(
        {"completedContact": contact(), "legacy": {"outcome": "Sale"}}
    )
    assert wrapped.code == "Sale"


@pytest.mark.parametrize(
    ("place", "values", "expected"),
    [
        ("contactStartDate+totalDurationSeconds+acwSeconds", {"contactStartDate": "2026-09-14T10:00:00Z", "totalDurationSeconds": "60", "acwSeconds": 30}, datetime(2026, 9, 14, 10, 1, 30, tzinfo=UTC)),
        ("call_date+call_time", {"call_date": "2026-09-14", "call_time": "10:00:05"}, datetime(2026, 9, 14, 10, 0, 5, tzinfo=UTC)),
        ("ended_at", {"ended_at": "2026-09-14T12:00:00+02:00"}, datetime(2026, 9, 14, 10, 0, tzinfo=UTC)),
        ("ended_at|contactStartDate+totalDurationSeconds", {"contactStartDate": "2026-09-14T10:00:00Z", "totalDurationSeconds": 5}, datetime(2026, 9, 14, 10, 0, 5, tzinfo=UTC)),
        ("ended_at", {}, None),
    ],
)  # fmt: skip
def test_a_mapped_time_and_its_joins(place: str, values: dict[str, Any], expected: datetime | None) -> None:
    row = {**contact(contactStart=None, totalDurationSeconds=None), **values}
    record = adapter(fields=fields(time=place)).from_payload(row)
    assert record.occurred_at == expected
    assert "time_precision" not in record.fields


def test_timezone_time_format_and_date_order_read_offset_less_times() -> None:
    naive = contact(contactStart="2026-09-14T08:55:20", totalDurationSeconds=0)
    assert adapter().from_payload(naive).occurred_at == datetime(2026, 9, 14, 8, 55, 20, tzinfo=UTC)
    pacific = adapter(timezone="America/Los_Angeles")
    assert pacific.from_payload(naive).occurred_at == datetime(2026, 9, 14, 15, 55, 20, tzinfo=UTC)
    with_offset = contact(contactStart="2026-09-14T08:55:20-07:00", totalDurationSeconds=0)
    assert pacific.from_payload(with_offset).occurred_at == datetime(2026, 9, 14, 15, 55, 20, tzinfo=UTC)
    ambiguous = pacific.from_payload(contact(contactStart="2026-11-01T01:30:00", totalDurationSeconds=0))
    assert ambiguous.fields["time_ambiguous"] == "true"
    us = adapter(date_order="mdy", timezone="America/New_York")
    assert us.from_payload(
        contact(contactStart="09/14/2026 11:55:20", totalDurationSeconds=10)
    ).occurred_at == datetime(2026, 9, 14, 15, 55, 30, tzinfo=UTC)
    declared = adapter(time_format="%d.%m.%Y %H:%M")
    assert declared.from_payload(contact(contactStart="14.09.2026 15:55", totalDurationSeconds=0)).occurred_at == (
        datetime(2026, 9, 14, 15, 55, tzinfo=UTC)
    )
    with pytest.raises(CXoneRecordError) as caught:
        declared.from_payload(contact(contactStart="2026-09-14 15:55"))
    assert caught.value.field == "contactStart" and "time_format" in caught.value.message


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"region": "us"}, "--region"),
        ({"fields": fields(code="disposition+secondary")}, "only 'time' can do"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
    ],
)
def test_options_the_format_cannot_use_are_refused(options: dict[str, Any], words: str) -> None:
    with pytest.raises(AdapterOptionError, match=words.replace("(", r"\(")):
        adapter(**options)


# --- explain -----------------------------------------------------------------------------------------------------------


def explain(name: str, **options: Any) -> Any:
    with (FIXTURES / name).open(encoding="utf-8") as stream:
        return adapter(**options).explain(stream, name=name)


def test_explain_the_older_envelope() -> None:
    report = explain("completed-contacts-resultset.json")
    assert (report.source, report.format, report.how) == ("cxone", "completed-contacts", "detected")
    assert report.envelope == '{"resultSet": {"completedContacts": [...]}} (older API, values as strings)'
    assert any(s.startswith(f"catalog: {SKILL_DISPOSITIONS} (3 dispositions)") for s in report.settings)
    assert "agent_name: firstName + lastName (default)" in report.settings
    first, second, _third = report.records
    assert first.position == "line 1 contact 1"
    assert first.values["code"] == ("Payment Taken", "primaryDispositionId 93 -> catalog name")
    assert first.values["occurred_at"] == (
        "2026-09-14T16:03:40.517000Z",
        "contactStart + totalDurationSeconds + ACWSeconds",
    )
    assert first.values["agent"] == ("11234567", "agentId")
    assert first.values["fields.agent_name"] == ("Jane Doe", "firstName + lastName")
    assert second.values["code"] == ("", "primaryDispositionId 0: no disposition")
    assert "3 contact(s) in the input" in report.notes
    assert "primaryDispositionId 0 in 1 contact(s): read as no disposition, not as an id" in report.notes
    assert any("values arrived as strings" in n for n in report.notes)
    assert any(n.startswith("lastUpdateTime is read only when") for n in report.notes)
    text = report.render()
    assert 'envelope: {"resultSet"' in text and "<- contactStart + totalDurationSeconds + ACWSeconds" in text
    json.dumps(report.to_dict())


@pytest.mark.parametrize(
    ("name", "envelope"),
    [
        ("contacts-reporting.json", '{"totalRecords": N, "contacts": [...]} (newer reporting)'),
        ("contacts-array.json", "a JSON array of contacts"),
        ("contacts.jsonl", "JSON lines of contacts"),
        ("unknown-envelope.json", "an object of no known shape"),
    ],
)
def test_explain_names_each_envelope(name: str, envelope: str) -> None:
    assert explain(name).envelope == envelope


def test_explain_with_a_field_map_a_given_format_and_an_unreadable_record() -> None:
    text = "\n".join([json.dumps(contact(outcome="Sale")), "{oops", json.dumps(contact(contactId=2))])
    report = adapter(format="completed-contacts", fields=fields(code="outcome")).explain(io.StringIO(text), name="x")
    assert report.how == "given (--format)" and "code: outcome (field map)" in report.settings
    assert report.records[0].values["code"] == ("Sale", "outcome (a name, as written)")
    assert report.records[1].error is not None and "not valid JSON" in report.records[1].error
    assert report.records[2].values["code"] == ("", "not in the record (field code: outcome)")
