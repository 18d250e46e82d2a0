"""The mapping table's ``correlate:`` section: how legacy records are matched to Genesys conversations.

Correlation is a judgement, so its knobs live in the table beside the rules and are reviewed like them: what the
record's time is compared to and how far off it may be, where each part of the record is (``fields``), which
parts must agree (``require``), how much each counts (``weights``), and how sure a match must be (``threshold``,
``margin``). Every key has a default, so a table without the section still correlates, with the platform's
defaults for where the numbers and the direction are (``PLATFORM_FIELDS``, read from what the adapters produce).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from wrapup_bridge.core.disposition import GENESYS_ID_RE, is_genesys_id
from wrapup_bridge.core.normalize import normalize_text

__all__ = [
    "CORRELATE_FIELDS",
    "DEFAULT_WEIGHTS",
    "PLATFORM_FIELDS",
    "CorrelateSpec",
    "LegacyIdSpec",
    "RequiredField",
]

#: The parts of a record ``correlate.fields`` may place, and what each holds.
CORRELATE_FIELDS: dict[str, str] = {
    "ani": "the calling number (the customer on an inbound call, the caller id on an outbound one)",
    "dnis": "the number dialled (the org's number on an inbound call, the customer on an outbound one)",
    "direction": "inbound or outbound (Five9 CALL TYPE, Twilio direction, CXone isOutbound)",
    "queue": "the legacy queue, skill or campaign; read through 'queues' to a Genesys queue id",
    "legacy_id": "the legacy system's own id of the call, as it wrote it into Genesys (see 'legacy_id')",
}

#: Where each part is in the records each platform's adapter produces (keys of ``Disposition.fields``, or
#: ``source_id`` / ``agent``); a tuple tries each in order. ``correlate.fields`` overrides them one key at a time.
#: Five9: the Call Log's ANI, DNIS, CALL TYPE, SKILL / CAMPAIGN columns (adapters/five9/call_log.py; the web
#: connector's parameters of the same names). Twilio: the TaskRouter task attributes the adapter flattens to
#: ``task_*`` (from/to, caller/called, direction; adapters/twilio/task_attributes.py), a Voice status callback's
#: From/To/Caller/Called/Direction (``from``, ``to``, ``caller``, ``called``, ``direction``;
#: adapters/twilio/voice_status.py), and Insights columns that fold to those names, with Insights' ``queue``.
#: CXone: completed contacts' ``fromAddr`` / ``toAddr`` / ``isOutbound`` / ``skillName`` (../shared/reference/
#: cxone.md §4), as ``from_addr`` / ``to_addr`` / ``is_outbound`` / ``skill_name`` fields (adapters/cxone/contacts.py).
PLATFORM_FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "five9": {
        "ani": ("ani",),
        "dnis": ("dnis",),
        "direction": ("call_type",),
        "queue": ("skill", "campaign"),
        "legacy_id": ("source_id",),
    },
    "twilio": {
        "ani": ("task_from", "task_caller", "from", "caller"),
        "dnis": ("task_to", "task_called", "to", "called"),
        "direction": ("task_direction", "direction"),
        "queue": ("queue",),
        "legacy_id": ("source_id",),
    },
    "cxone": {
        "ani": ("ani", "from_addr"),
        "dnis": ("dnis", "to_addr"),
        "direction": ("is_outbound",),
        "queue": ("skill_name",),
        "legacy_id": ("source_id",),
    },
}
#: Any other source: the plain names.
_GENERIC_FIELDS: dict[str, tuple[str, ...]] = {
    "ani": ("ani",),
    "dnis": ("dnis",),
    "direction": ("direction",),
    "queue": ("queue",),
    "legacy_id": ("source_id",),
}

#: How much each part counts when both the record and the conversation know it.
DEFAULT_WEIGHTS: dict[str, float] = {
    "time": 3.0,
    "ani": 4.0,
    "dnis": 1.0,
    "agent": 2.0,
    "queue": 1.0,
    "direction": 0.5,
    "media": 0.5,
}

RequiredField = Literal["ani", "dnis", "agent", "queue", "direction", "media"]


class _Strict(BaseModel):
    # The mapping schema's _Strict, repeated: core.mapping.schema imports this module, not the other way round.
    model_config = ConfigDict(extra="forbid", frozen=True, str_max_length=4096)


class LegacyIdSpec(_Strict):
    """Where the legacy system wrote its own id of the call into Genesys (a SIP header or a data action storing
    it): the conversation's ``externalTag``, or a participant attribute. Only the async details jobs return
    participant attributes (SDK ``AnalyticsParticipant.attributes``; the sync query's
    ``AnalyticsParticipantWithoutAttributes`` has none), so ``attribute`` makes ``api: auto`` use the jobs."""

    external_tag: bool = Field(default=False, description="The id is the conversation's externalTag")
    attribute: str | None = Field(
        default=None, min_length=1, description="The id is this participant attribute (legacyCallId, ...)"
    )

    @model_validator(mode="after")
    def _one_place(self) -> LegacyIdSpec:
        if self.external_tag == (self.attribute is not None):
            raise ValueError("legacy_id needs exactly one of 'external_tag: true' or 'attribute: <name>'")
        return self


def _nothing_required() -> list[RequiredField]:
    """``default_factory=list``, as a Python function: pydantic reads a factory's signature, and the first reader of
    a builtin's (``list``'s text signature) compiles ``tokenize``'s big regex, ~3 ms of the live cold start."""
    return []


class CorrelateSpec(_Strict):
    """How legacy records without a Genesys conversation id are matched to conversations (``wrapup-bridge
    correlate``): each candidate conversation gets a score from the parts both sides know, and a record is
    matched only to a clear winner."""

    default_country: str = Field(
        default="US", description="ISO 3166 country (US, GB, DE, ...) of phone numbers written without one"
    )
    time: Literal["start", "end", "within"] = Field(
        default="within",
        description="What the record's time is compared to: the conversation's start, its end, or the span "
        "between them (inside it the distance is 0)",
    )
    tolerance_seconds: int = Field(
        default=120, gt=0, description="How far off the record's time may be; beyond it a conversation fails"
    )
    fields: dict[str, str | list[str]] = Field(
        default_factory=dict,
        description="Where each part is in the record: ani, dnis, direction, queue, legacy_id -> a field name "
        "(or source_id, agent); a list tries each. Defaults per platform: five9 ani/dnis/call_type, twilio "
        "task_from/task_to/task_direction, cxone from_addr/to_addr/is_outbound",
    )
    legacy_id: LegacyIdSpec | None = Field(
        default=None,
        description="Where the legacy id was written into Genesys: {external_tag: true} or {attribute: name}. "
        "An equal legacy id is decisive",
    )
    require: list[RequiredField] = Field(
        default_factory=_nothing_required,
        description="Parts that must agree: a conversation whose value differs fails (a value missing on either "
        "side is unknown, not a failure)",
    )
    weights: dict[str, float] = Field(
        default_factory=dict,
        description="How much each part counts (time 3, ani 4, dnis 1, agent 2, queue 1, direction 0.5, media 0.5 "
        "unless set here)",
    )
    threshold: float = Field(default=0.6, ge=0, le=1, description="The least score of a match (0..1)")
    margin: float = Field(
        default=0.15, ge=0, le=1, description="The least lead of the best over the next for 'matched'; else ambiguous"
    )
    queues: dict[str, str] = Field(
        default_factory=dict, description="Legacy queue, skill or campaign name -> Genesys queue id (a UUID)"
    )
    cutover: date | None = Field(
        default=None, description="The org's first day on Genesys: earlier records are 'before-cutover'"
    )
    retention_days: int | None = Field(
        default=None,
        gt=0,
        description="Records older than this many days are 'outside-retention' (Genesys does not publish the "
        "analytics retention; set it from your org)",
    )
    api: Literal["auto", "query", "jobs"] = Field(
        default="auto",
        description="The synchronous details query, the async details jobs, or auto (jobs when legacy_id."
        "attribute is set, since only jobs return participant attributes)",
    )
    slice: Literal["day"] = Field(default="day", description="How the search is cut: one query per UTC day")

    @field_validator("default_country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        code = value.strip().upper()
        if code == "UK":
            raise ValueError("'UK' is not an ISO 3166 country code; the United Kingdom is 'GB'")
        from wrapup_bridge.core.correlate.phone import known_region

        if len(code) != 2 or not known_region(code):
            raise ValueError(f"{value!r} is not a country code phone numbers know (ISO 3166 alpha-2: US, GB, DE, ...)")
        return code

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, value: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        for key, places in value.items():
            if key not in CORRELATE_FIELDS:
                raise ValueError(f"unknown field {key!r}; correlate.fields places: {', '.join(CORRELATE_FIELDS)}")
            items = [places] if isinstance(places, str) else places
            if not items or not all(isinstance(p, str) and p.strip() for p in items):
                raise ValueError(f"field {key!r} needs a field name (or source_id, agent)")
        return value

    @field_validator("require")
    @classmethod
    def _no_repeats(cls, value: list[RequiredField]) -> list[RequiredField]:
        repeated = sorted({v for v in value if value.count(v) > 1})
        if repeated:
            raise ValueError(f"{', '.join(repeated)} listed more than once")
        return value

    @field_validator("weights")
    @classmethod
    def _known_weights(cls, value: dict[str, float]) -> dict[str, float]:
        for key, weight in value.items():
            if key not in DEFAULT_WEIGHTS:
                raise ValueError(f"unknown weight {key!r}; weights: {', '.join(DEFAULT_WEIGHTS)}")
            if weight < 0:
                raise ValueError(f"weight {key!r} is negative; 0 ignores a part")
        if value.get("time", 1.0) <= 0:
            raise ValueError("weight 'time' must be more than 0: every match is judged by its time")
        return value

    @field_validator("queues")
    @classmethod
    def _queue_ids(cls, value: dict[str, str]) -> dict[str, str]:
        for name, queue_id in value.items():
            if not name.strip():
                raise ValueError("a queue entry has an empty legacy name")
            if not GENESYS_ID_RE.match(queue_id.strip()):
                raise ValueError(f"queue {name!r} maps to {queue_id!r}, not a Genesys queue id (a UUID)")
        return {name: queue_id.strip().lower() for name, queue_id in value.items()}

    # ----------------------------------------------------------------------------------------------- reading
    def places(self, key: str, platform: str) -> tuple[str, ...]:
        """Where ``key`` (ani, dnis, direction, queue, legacy_id) is in records of ``platform``: the table's
        ``fields`` when it places the key, else the platform's default."""
        placed = self.fields.get(key)
        if placed is not None:
            return (placed,) if isinstance(placed, str) else tuple(placed)
        return PLATFORM_FIELDS.get(platform, _GENERIC_FIELDS).get(key, ())

    def weight(self, part: str) -> float:
        """How much ``part`` (time, ani, dnis, agent, queue, direction, media) counts."""
        return self.weights.get(part, DEFAULT_WEIGHTS[part])

    def queue_id(self, name: str | None) -> str | None:
        """The Genesys queue id of a legacy queue name (``queues``, compared after normalization); a name that is
        itself a queue id is its own."""
        if name is None or not name.strip():
            return None
        if is_genesys_id(name.strip()):
            return name.strip().lower()
        found = self.queues.get(name)
        if found is None:
            wanted = normalize_text(name)
            found = next((qid for qname, qid in self.queues.items() if normalize_text(qname) == wanted), None)
        return found

    @property
    def resolved_api(self) -> Literal["query", "jobs"]:
        """The API ``auto`` stands for: the jobs when a participant attribute holds the legacy id, else the query."""
        if self.api != "auto":
            return self.api
        return "jobs" if self.legacy_id is not None and self.legacy_id.attribute is not None else "query"
