"""What a record offers to correlate: read from the real examples through the adapters, and each platform's
spelling of direction, numbers, media, queue and agent turned into the terms analytics uses."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from tests.conftest import ROOT
from wrapup_bridge.adapters import get_adapter
from wrapup_bridge.core.correlate.probe import Probe, analytics_media, direction_of, probe_for
from wrapup_bridge.core.correlate.spec import CorrelateSpec, LegacyIdSpec
from wrapup_bridge.core.disposition import Disposition, Media

EXAMPLES = ROOT / "examples"
BILLING = "b1c2d3e4-0000-4000-8000-00000000aa01"


def record(source: str = "five9", **fields: str) -> Disposition:
    return Disposition(
        source=source,
        source_id="300000010270801",
        code="Sale",
        fields=fields,
        agent="jdoe",
        occurred_at=datetime(2026, 8, 21, 16, 2, 5, tzinfo=UTC),
    )


def test_the_first_five9_call_log_row() -> None:
    path = EXAMPLES / "five9" / "call-log.csv"
    with path.open(encoding="utf-8") as stream:
        first = next(iter(get_adapter("five9").read(stream, name=str(path))))
    assert isinstance(first, Disposition)
    spec = CorrelateSpec(queues={"Billing Inbound": BILLING})
    probe = probe_for(first, spec, {"jdoe": "jdoe@example.com"})
    assert probe == Probe(
        source="five9",
        source_id="300000010270801",
        time=datetime(2026, 8, 21, 16, 2, 5, tzinfo=UTC),
        ani="+19045550101",
        dnis="+18005550100",
        direction="inbound",
        media="voice",
        queue="Billing Inbound",
        queue_id=BILLING,
        agent="jdoe",
        agent_keys=frozenset({"jdoe", "jdoe@example.com"}),
        legacy_id=None,  # the table says nowhere in Genesys the legacy id is
    )


def test_twilio_task_attributes() -> None:
    path = EXAMPLES / "twilio" / "flex-task-attributes.jsonl"
    with path.open(encoding="utf-8") as stream:
        first = next(iter(get_adapter("twilio").read(stream, name=str(path))))
    assert isinstance(first, Disposition)
    probe = probe_for(first, CorrelateSpec(), {})
    assert (probe.ani, probe.dnis, probe.direction, probe.queue) == (
        "+14155550021",
        "+18005550199",
        "inbound",
        "Support",
    )
    assert probe.time is None and probe.queue_id is None  # this export has no time; no queue map


def test_cxone_contacts() -> None:
    path = EXAMPLES / "cxone" / "completed-contacts.json"
    with path.open(encoding="utf-8") as stream:
        first = next(iter(get_adapter("cxone").read(stream, name=str(path))))
    assert isinstance(first, Disposition)
    probe = probe_for(first, CorrelateSpec(), {})
    assert probe.direction == "inbound"  # isOutbound false
    assert probe.queue == "Billing_IB_Voice"
    assert probe.media == "voice"


def example_records(platform: str, name: str) -> list[Disposition]:
    path = EXAMPLES / name
    with path.open(encoding="utf-8", newline="") as stream:
        records = list(get_adapter(platform).read(stream, name=str(path)))
    assert all(isinstance(r, Disposition) for r in records), records
    return [r for r in records if isinstance(r, Disposition)]


def test_cxone_example_contacts_offer_their_numbers() -> None:
    contacts = example_records("cxone", "cxone/completed-contacts.json")
    numbers = [(p.ani, p.dnis, p.direction) for p in (probe_for(c, CorrelateSpec(), {}) for c in contacts)]
    assert numbers[0] == ("+14084574641", "+18005550100", "inbound")  # the customer called the point of contact
    assert numbers[3] == ("+18005550100", "+14084574644", "outbound")  # dialled from the org's number
    assert numbers[4] == (None, None, "inbound")  # an email contact's addresses are no numbers
    assert sum(ani is not None and dnis is not None for ani, dnis, _ in numbers) == 8


def test_twilio_voice_status_example_offers_its_numbers() -> None:
    callbacks = example_records("twilio", "twilio/voice-status-callbacks.txt")
    probe = probe_for(callbacks[0], CorrelateSpec(), {})
    assert (probe.ani, probe.dnis, probe.direction) == ("+18005550199", "+14155550138", "outbound")
    assert all(probe_for(c, CorrelateSpec(), {}).dnis is not None for c in callbacks)


def test_twilio_voice_status_older_names_are_read_when_from_and_to_are_missing() -> None:
    probe = probe_for(
        record("twilio", caller="+14155550100", called="+18005550199", direction="inbound"), CorrelateSpec(), {}
    )
    assert (probe.ani, probe.dnis, probe.direction) == ("+14155550100", "+18005550199", "inbound")


def test_twilio_taskrouter_example_offers_the_task_from() -> None:
    events = example_records("twilio", "twilio/taskrouter-events.txt")
    probe = probe_for(events[1], CorrelateSpec(), {})
    assert (probe.ani, probe.direction) == ("+14155550033", "inbound")


def test_twilio_insights_columns_that_fold_to_the_default_names() -> None:
    csv = (
        "Date,Time,Segment,Outcome,Direction,From,To\n"
        "2025-11-24,14:06:00,WT0123456789abcdef0123456789abcdef,Resolved,Inbound,+14155550021,+18005550199\n"
    )
    (row,) = get_adapter("twilio").read(io.StringIO(csv), name="insights.csv")
    assert isinstance(row, Disposition)
    probe = probe_for(row, CorrelateSpec(), {})
    assert (probe.ani, probe.dnis, probe.direction) == ("+14155550021", "+18005550199", "inbound")


def test_cxone_from_and_to_addresses() -> None:
    probe = probe_for(
        record("cxone", from_addr="4084574613", to_addr="8005550100", is_outbound="true"), CorrelateSpec(), {}
    )
    assert (probe.ani, probe.dnis, probe.direction) == ("+14084574613", "+18005550100", "outbound")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Inbound", "inbound"),
        ("INBOUND", "inbound"),
        ("Inbound Voicemail", "inbound"),
        ("Outbound", "outbound"),
        ("Manual", "outbound"),
        ("Preview", "outbound"),
        ("Autodial", "outbound"),
        ("inbound", "inbound"),
        ("outbound-api", "outbound"),
        ("outbound-dial", "outbound"),
        ("true", "outbound"),
        ("false", "inbound"),
        ("Internal", None),
        ("3rd party transfer", None),
        ("Queue Callback", None),
        ("", None),
        (None, None),
    ],
)
def test_directions(value: str | None, expected: str | None) -> None:
    assert direction_of(value, "call_type") == expected


def test_a_yes_no_direction_named_inbound_reads_the_other_way() -> None:
    assert direction_of("true", "is_outbound") == "outbound"
    assert direction_of("true", "is_inbound") == "inbound"
    assert direction_of("no", "inbound_flag") == "outbound"


def test_media_as_analytics_names_it() -> None:
    assert [analytics_media(m) for m in Media] == ["voice", "callback", "email", "message", "message", "video"]
    unknown = Disposition(source="cxone", source_id="1", code="", fields={"media_type_unknown": "true"})
    assert probe_for(unknown, CorrelateSpec(), {}).media is None


def test_the_table_places_parts_and_a_list_tries_each() -> None:
    spec = CorrelateSpec(fields={"ani": ["caller", "ani"], "dnis": "Called Number", "direction": "dir"})
    probe = probe_for(record(ani="9045550101", called_number="8005550100", dir="Outbound"), spec, {})
    assert (probe.ani, probe.dnis, probe.direction) == ("+19045550101", "+18005550100", "outbound")
    probe = probe_for(record(caller="+44 20 7946 0000", ani="9045550101"), spec, {})
    assert probe.ani == "+442079460000"


def test_blank_and_non_numbers_are_unknown() -> None:
    probe = probe_for(record(ani="Anonymous", dnis="  ", call_type="Internal"), CorrelateSpec(), {})
    assert (probe.ani, probe.dnis, probe.direction) == (None, None, None)


def test_the_default_country_reads_national_numbers() -> None:
    probe = probe_for(record(ani="020 7946 0000"), CorrelateSpec(default_country="GB"), {})
    assert probe.ani == "+442079460000"


def test_the_legacy_id_is_read_only_when_genesys_has_it() -> None:
    assert probe_for(record(), CorrelateSpec(), {}).legacy_id is None
    spec = CorrelateSpec(legacy_id=LegacyIdSpec(external_tag=True))
    assert probe_for(record(), spec, {}).legacy_id == "300000010270801"
    spec = CorrelateSpec(legacy_id=LegacyIdSpec(attribute="legacyCallId"), fields={"legacy_id": "session_id"})
    assert probe_for(record(session_id="C86EBE50"), spec, {}).legacy_id == "C86EBE50"


def test_agent_keys_with_the_directory_entry() -> None:
    directory = {"JDoe": "EA96E66B-D684-474A-B09A-CDCDE48041E6", "asmith": "asmith@example.com"}
    probe = probe_for(record(), CorrelateSpec(), directory)
    assert probe.agent == "jdoe"
    assert probe.agent_keys == {"jdoe", "ea96e66b-d684-474a-b09a-cdcde48041e6"}
    nobody = Disposition(source="five9", source_id="1", code="", agent="  ")
    assert probe_for(nobody, CorrelateSpec(), directory).agent_keys == frozenset()
    # A directory changed between runs is read afresh.
    assert probe_for(record(), CorrelateSpec(), {"jdoe ": "jane@example.com"}).agent_keys == {
        "jdoe",
        "jane@example.com",
    }
