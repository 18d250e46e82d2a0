"""``normalize --explain-format``: what an unfamiliar export was read as, and where each value came from.

The first thing a person runs on an export nobody here has seen: which format and envelope the adapter detected
(or was told), which settings apply (time zone, field map), and for the first few records, each part of the
disposition with the column, parameter or path it was taken from. Readers note those places in an ``Origins``
while they build a record; the adapter's ``explain`` reads a handful of records with one attached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["FormatReport", "Origins", "RecordTrace"]

#: Records an explanation shows.
SAMPLE = 3


class Origins:
    """Where the parts of the record being built came from: ``put("code", "DISPOSITION")``."""

    def __init__(self) -> None:
        self.places: dict[str, str] = {}

    def put(self, attribute: str, place: str) -> None:
        self.places[attribute] = place

    def take(self) -> dict[str, str]:
        """The places noted since the last ``take``, and forget them (one record at a time)."""
        places, self.places = self.places, {}
        return places


@dataclass
class RecordTrace:
    """One record as read: each Disposition attribute, its value and where it came from (or why it is empty)."""

    position: str
    values: dict[str, tuple[Any, str]] = field(default_factory=dict)
    error: str | None = None


@dataclass
class FormatReport:
    """What ``explain`` found in one input."""

    input_name: str
    source: str
    format: str
    how: str
    envelope: str
    settings: list[str] = field(default_factory=list)
    records: list[RecordTrace] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": self.input_name,
            "source": self.source,
            "format": self.format,
            "how": self.how,
            "envelope": self.envelope,
            "settings": list(self.settings),
            "records": [
                {
                    "position": r.position,
                    "error": r.error,
                    "values": {k: {"value": v, "from": where} for k, (v, where) in r.values.items()},
                }
                for r in self.records
            ],
            "notes": list(self.notes),
        }

    def render(self) -> str:
        lines = [
            f"{self.input_name}: {self.source} {self.format} ({self.how})",
            f"  envelope: {self.envelope}",
        ]
        lines += [f"  setting: {s}" for s in self.settings]
        for record in self.records:
            lines.append(f"  {record.position}:")
            if record.error:
                lines.append(f"    unreadable: {record.error}")
                continue
            width = max((len(k) for k in record.values), default=0)
            for key, (value, where) in record.values.items():
                shown = "-" if value in (None, "", {}) else repr(value) if isinstance(value, str) else str(value)
                lines.append(f"    {key:<{width}}  {shown}  <- {where}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def trace_record(position: str, disposition: Any, places: dict[str, str]) -> RecordTrace:
    """A RecordTrace of a built Disposition, with the places its reader noted (``?`` where it noted none)."""
    trace = RecordTrace(position)
    data = disposition.to_json_dict()
    for key in ("source_id", "code", "conversation_id", "agent", "occurred_at", "media", "notes"):
        where = places.get(key) or ("not in the record" if data.get(key) in (None, "") else "the adapter's rule")
        trace.values[key] = (data.get(key), where)
    for name, value in sorted((data.get("fields") or {}).items()):
        trace.values[f"fields.{name}"] = (value, places.get(f"fields.{name}", "the adapter's rule"))
    return trace
