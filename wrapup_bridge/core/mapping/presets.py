"""Named ``source:`` sections for the export variants met in practice, which a table (``preset:``) or a run
(``--preset``) can begin from instead of spelling every setting out.

A preset holds only what a table's ``source:`` section can hold (format, field places, time settings, region);
the table's own settings win over its preset, and the command line wins over both, so a preset is never a
hidden behaviour: ``normalize --list-presets`` prints each one whole. Where a variant is what an adapter reads by
default, its preset still pins the format, so a file of another shape is refused instead of read differently.

Each entry says where its shape comes from: the vendor's documentation or a public project that reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["PRESETS", "Preset", "preset_named"]


@dataclass(frozen=True)
class Preset:
    name: str
    platform: str
    description: str
    source: str  #: where the shape was seen
    settings: Mapping[str, Any] = field(default_factory=dict)  #: SourceSpec keys: format, fields, timezone, ...

    def render(self) -> str:
        lines = [f"{self.name} ({self.platform}): {self.description}", f"  seen in: {self.source}"]
        for key, value in self.settings.items():
            if key == "fields":
                for name, places in value.items():
                    shown = "|".join(places) if isinstance(places, list) else places
                    lines.append(f"  fields.{name}: {shown}")
            else:
                lines.append(f"  {key}: {value}")
        return "\n".join(lines)


_PRESETS = [
    Preset(
        "five9-call-log",
        "five9",
        "the standard Call Log report (CSV, upper-case columns, TIMESTAMP in the data centre's zone: add --region)",
        "Five9 Call Log report template; examples/five9/call-log.csv",
        {"format": "call-log"},
    ),
    Preset(
        "five9-warehouse",
        "five9",
        "a warehouse load of the Call Log (snake_case columns such as bill_time__rounded_, times in UTC)",
        "Singer taps: Pathlight/tap-five9 (snake_case call_log schema), Matatika/tap-five9 (times in UTC, RFC 3339); "
        "tests/adapters/fixtures/five9/SOURCES.md",
        {"format": "call-log", "timezone": "UTC"},
    ),
    Preset(
        "five9-web-connector",
        "five9",
        "web-connector variables under Five9's own names (call.disposition_name, call.call_id, agent.user_name)",
        "Five9 web connector variable list (@Call.disposition_name@ ...); examples/five9/web-connector.jsonl",
        {"format": "web-connector"},
    ),
    Preset(
        "five9-web-connector-named",
        "five9",
        "web-connector parameters an admin named (Disposition=@Call.disposition_name@, CallID=@Call.call_id@, ...)",
        "LasLabs/python-five9 web_connector model (ANI=@Call.ANI@); the alternates are common spellings, UNSURE: "
        "Five9 publishes no list of what admins choose; tests/adapters/fixtures/five9/SOURCES.md",
        {
            "format": "web-connector",
            "fields": {
                "code": ["Disposition", "disposition", "DispositionName"],
                "source_id": ["CallID", "CallId", "call_id"],
                "agent": ["AgentLogin", "Agent", "agent_username"],
                "agent_name": ["AgentName", "AgentFullName"],
                "time": ["EndTime", "Timestamp", "end_timestamp"],
                "notes": ["Notes", "Comments"],
                "conversation_id": ["GenesysId", "GenesysConversationId"],
            },
        },
    ),
    Preset(
        "cxone-completed-contacts",
        "cxone",
        "contacts/completed pages of any API version (resultSet, totalRecords+contacts, arrays, JSON lines)",
        "NICE CXone Reporting API, GET /contacts/completed; tests/adapters/fixtures/cxone/README.md",
        {"format": "completed-contacts"},
    ),
    Preset(
        "twilio-insights-us",
        "twilio",
        "a Flex Insights export with US dates and 12-hour times in separate Date and Time columns (11/24/2025, 2:06 PM)",
        "column names from twilio.com/docs/flex/developer/insights/api/export-data; the locale layout is UNSURE (no "
        "public sample); tests/adapters/fixtures/twilio/SOURCES.md",
        {"format": "insights-csv", "date_order": "mdy", "fields": {"time": "Date+Time"}},
    ),
    Preset(
        "twilio-insights-dmy",
        "twilio",
        "a Flex Insights export with day-first dates in separate Date and Time columns (24/11/2025, 14:06)",
        "column names from twilio.com/docs/flex/developer/insights/api/export-data; the locale layout is UNSURE (no "
        "public sample); tests/adapters/fixtures/twilio/SOURCES.md",
        {"format": "insights-csv", "date_order": "dmy", "fields": {"time": "Date+Time"}},
    ),
    Preset(
        "twilio-event-streams",
        "twilio",
        "TaskRouter events delivered by Event Streams (arrays of CloudEvents, to files or webhook sinks)",
        "Twilio Event Streams CloudEvents (com.twilio.taskrouter.*); tests/adapters/fixtures/twilio/SOURCES.md",
        {"format": "taskrouter"},
    ),
]

PRESETS: dict[str, Preset] = {preset.name: preset for preset in _PRESETS}


def preset_named(name: str, platform: str | None = None) -> Preset:
    """The preset ``name``; ValueError listing the known ones (for ``platform`` when given) otherwise, or when it
    is for another platform."""
    preset = PRESETS.get(name.strip().lower())
    if preset is None:
        known = [p.name for p in _PRESETS if platform is None or p.platform == platform]
        raise ValueError(f"unknown preset {name!r}; known: {', '.join(known)} (normalize --list-presets shows them)")
    if platform is not None and preset.platform != platform:
        raise ValueError(f"preset {preset.name!r} is for {preset.platform}, not {platform}")
    return preset
