"""The ``correlate:`` section's model: defaults, what it refuses and why, where each part is read per platform."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from tests.conftest import ROOT
from wrapup_bridge.adapters import get_adapter
from wrapup_bridge.core.correlate.spec import (
    CORRELATE_FIELDS,
    DEFAULT_WEIGHTS,
    PLATFORM_FIELDS,
    CorrelateSpec,
    LegacyIdSpec,
)
from wrapup_bridge.core.disposition import Disposition

EXAMPLES = ROOT / "examples"


def test_defaults() -> None:
    spec = CorrelateSpec()
    assert spec.default_country == "US"
    assert spec.time == "within"
    assert spec.tolerance_seconds == 120
    assert spec.threshold == 0.6 and spec.margin == 0.15
    assert spec.require == [] and spec.legacy_id is None and spec.cutover is None and spec.retention_days is None
    assert spec.api == "auto" and spec.resolved_api == "query" and spec.slice == "day"
    assert {k: spec.weight(k) for k in DEFAULT_WEIGHTS} == {
        "time": 3.0,
        "ani": 4.0,
        "dnis": 1.0,
        "agent": 2.0,
        "queue": 1.0,
        "direction": 0.5,
        "media": 0.5,
    }


def test_weights_override_one_at_a_time() -> None:
    spec = CorrelateSpec(weights={"ani": 4, "media": 0})
    assert spec.weight("ani") == 4 and spec.weight("media") == 0 and spec.weight("time") == 3


def test_the_country_is_an_iso_code_phone_numbers_know() -> None:
    assert CorrelateSpec(default_country=" gb ").default_country == "GB"
    with pytest.raises(ValidationError, match="'GB'"):
        CorrelateSpec(default_country="UK")
    with pytest.raises(ValidationError, match="not a country code"):
        CorrelateSpec(default_country="XX")
    with pytest.raises(ValidationError, match="not a country code"):
        CorrelateSpec(default_country="USA")


@pytest.mark.parametrize(
    ("settings", "fragment"),
    [
        ({"tolerance_seconds": 0}, "greater than 0"),
        ({"threshold": 1.2}, "less than or equal to 1"),
        ({"margin": -0.1}, "greater than or equal to 0"),
        ({"retention_days": 0}, "greater than 0"),
        ({"time": "middle"}, "'start', 'end' or 'within'"),
        ({"api": "fast"}, "'auto', 'query' or 'jobs'"),
        ({"slice": "hour"}, "'day'"),
        ({"require": ["phone"]}, "'ani'"),
        ({"require": ["ani", "ani"]}, "ani listed more than once"),
        ({"weights": {"colour": 1}}, "unknown weight 'colour'"),
        ({"weights": {"ani": -1}}, "negative"),
        ({"weights": {"time": 0}}, "'time' must be more than 0"),
        ({"fields": {"phone": "x"}}, "unknown field 'phone'"),
        ({"fields": {"ani": []}}, "needs a field name"),
        ({"fields": {"ani": " "}}, "needs a field name"),
        ({"queues": {"Billing": "not-a-uuid"}}, "not a Genesys queue id"),
        ({"queues": {" ": "b1c2d3e4-0000-4000-8000-00000000aa01"}}, "empty legacy name"),
        ({"legacy_id": {}}, "exactly one of"),
        ({"legacy_id": {"external_tag": True, "attribute": "legacyCallId"}}, "exactly one of"),
        ({"colour": "red"}, "Extra inputs are not permitted"),
    ],
)
def test_what_is_refused(settings: dict[str, object], fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        CorrelateSpec.model_validate(settings)


def test_text_values_from_the_yaml_reader_are_read_as_their_types() -> None:
    """The table's YAML reader keeps every scalar as text; the section still reads numbers, booleans and dates."""
    spec = CorrelateSpec.model_validate(
        {
            "tolerance_seconds": "90",
            "threshold": "0.7",
            "weights": {"ani": "4"},
            "legacy_id": {"external_tag": "true"},
            "cutover": "2026-01-05",
            "retention_days": "400",
        }
    )
    assert spec.tolerance_seconds == 90 and spec.threshold == 0.7 and spec.weight("ani") == 4
    assert spec.legacy_id == LegacyIdSpec(external_tag=True)
    assert spec.cutover == date(2026, 1, 5) and spec.retention_days == 400


def test_the_api_auto_is_jobs_only_for_a_participant_attribute() -> None:
    assert CorrelateSpec(legacy_id=LegacyIdSpec(external_tag=True)).resolved_api == "query"
    assert CorrelateSpec(legacy_id=LegacyIdSpec(attribute="legacyCallId")).resolved_api == "jobs"
    assert CorrelateSpec(legacy_id=LegacyIdSpec(attribute="x"), api="query").resolved_api == "query"
    assert CorrelateSpec(api="jobs").resolved_api == "jobs"


def test_places_come_from_the_table_else_the_platform() -> None:
    spec = CorrelateSpec(fields={"ani": "caller_number", "dnis": ["called", "dialled"]})
    assert spec.places("ani", "five9") == ("caller_number",)
    assert spec.places("dnis", "five9") == ("called", "dialled")
    assert spec.places("direction", "five9") == ("call_type",)
    assert spec.places("direction", "twilio") == ("task_direction", "direction")
    assert spec.places("direction", "cxone") == ("is_outbound",)
    assert CorrelateSpec().places("ani", "genesys-export") == ("ani",)
    assert spec.places("legacy_id", "cxone") == ("source_id",)


def test_every_platform_places_every_part() -> None:
    for platform, places in PLATFORM_FIELDS.items():
        assert set(places) == set(CORRELATE_FIELDS), platform


def test_queue_ids_by_legacy_name() -> None:
    spec = CorrelateSpec(queues={"Billing Inbound": "B1C2D3E4-0000-4000-8000-00000000AA01"})
    assert spec.queues == {"Billing Inbound": "b1c2d3e4-0000-4000-8000-00000000aa01"}
    assert spec.queue_id("Billing Inbound") == "b1c2d3e4-0000-4000-8000-00000000aa01"
    assert spec.queue_id("  billing   INBOUND ") == "b1c2d3e4-0000-4000-8000-00000000aa01"
    assert spec.queue_id("Support") is None
    assert spec.queue_id("") is None and spec.queue_id(None) is None
    # A record that carries a Genesys queue id already is its own.
    assert spec.queue_id("32F46174-FC86-4B1C-A519-6BD0BCDE15A0") == "32f46174-fc86-4b1c-a519-6bd0bcde15a0"


def _read(source: str, path: Path) -> list[Disposition]:
    with path.open(encoding="utf-8") as stream:
        records = list(get_adapter(source).read(stream, name=str(path)))
    assert records and all(isinstance(r, Disposition) for r in records)
    return [r for r in records if isinstance(r, Disposition)]


@pytest.mark.parametrize(
    ("source", "path", "parts"),
    [
        ("five9", EXAMPLES / "five9" / "call-log.csv", ("ani", "dnis", "direction", "queue")),
        ("five9", EXAMPLES / "five9" / "web-connector.jsonl", ("ani", "dnis", "direction", "queue")),
        ("twilio", EXAMPLES / "twilio" / "flex-task-attributes.jsonl", ("ani", "dnis", "direction", "queue")),
        ("twilio", EXAMPLES / "twilio" / "taskrouter-events.txt", ("direction", "queue")),
        ("twilio", EXAMPLES / "twilio" / "insights-export.csv", ("queue",)),
        ("twilio", EXAMPLES / "twilio" / "voice-status-callbacks.txt", ("direction",)),
        ("cxone", EXAMPLES / "cxone" / "completed-contacts.json", ("direction", "queue")),
    ],
)
def test_the_platform_defaults_find_the_parts_in_the_real_examples(
    source: str, path: Path, parts: tuple[str, ...]
) -> None:
    """The defaults name the keys the adapters really produce (a misspelt default would never find anything); not
    every record has every part (a chat has no number dialled, a preview call's row may lack its ANI)."""
    spec = CorrelateSpec()
    found = {
        part
        for record in _read(source, path)
        for part in CORRELATE_FIELDS
        if any(place in record.fields for place in spec.places(part, source))
    }
    assert set(parts) <= found


def test_the_published_schema_has_the_section() -> None:
    published = json.loads((ROOT / "wrapup_bridge" / "schema" / "mapping-v1.schema.json").read_text())
    assert "correlate" in published["properties"]
    assert published["$defs"]["CorrelateSpec"]["additionalProperties"] is False
