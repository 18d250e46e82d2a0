"""What one legacy record offers to find its conversation by, in the terms Genesys analytics uses.

Each platform spells the same facts its own way: Five9's CALL TYPE ``Inbound`` / ``Manual`` / ``Preview``,
Twilio's ``inbound`` / ``outbound-api`` / ``outbound-dial``, CXone's ``isOutbound`` ``true`` / ``false``; numbers
in national or international form; a queue by its legacy name. ``probe_for`` reads them once (where the table's
``correlate.fields`` or the platform's defaults say) and turns them into what a candidate conversation holds:
``inbound`` / ``outbound``, E.164, a Genesys queue id, an analytics ``mediaType``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from wrapup_bridge.core.correlate.phone import to_e164
from wrapup_bridge.core.correlate.spec import CorrelateSpec
from wrapup_bridge.core.disposition import Disposition, Media
from wrapup_bridge.core.normalize import normalize_key, normalize_text

__all__ = ["Probe", "analytics_media", "direction_of", "probe_for"]

Direction = Literal["inbound", "outbound"]

#: Legacy direction words (lowercase) -> Genesys originatingDirection. Five9 CALL TYPE (../shared/reference/five9.md:
#: Inbound, Outbound, Preview, 3rd party transfer, Queue Callback; Manual, Autodial, Internal likely), Twilio
#: Direction (inbound, outbound-api, outbound-dial). Internal calls, transfers and queue callbacks say nothing
#: certain about the Genesys conversation's origin, so they stay unknown.
_DIRECTIONS: dict[str, Direction] = {
    "inbound": "inbound",
    "in": "inbound",
    "incoming": "inbound",
    "inbound voicemail": "inbound",
    "outbound": "outbound",
    "out": "outbound",
    "outgoing": "outbound",
    "outbound-api": "outbound",
    "outbound-dial": "outbound",
    "manual": "outbound",
    "preview": "outbound",
    "autodial": "outbound",
    "predictive": "outbound",
    "progressive": "outbound",
    "power": "outbound",
}
_TRUE = frozenset({"true", "yes", "1", "y"})
_FALSE = frozenset({"false", "no", "0", "n"})

#: Disposition media -> the analytics session ``mediaType`` it shows as (SDK AnalyticsSession.media_type).
_ANALYTICS_MEDIA: dict[Media, str] = {
    Media.VOICE: "voice",
    Media.CALLBACK: "callback",
    Media.EMAIL: "email",
    Media.MESSAGE: "message",
    Media.SOCIAL: "message",
    Media.VIDEO: "video",
}


@dataclass(frozen=True, slots=True)
class Probe:
    """What one record offers: its time, numbers (E.164), direction, media (an analytics mediaType), the Genesys
    queue id its queue maps to, its agent (with the directory entry, lowercased) and its legacy id."""

    source: str
    source_id: str
    time: datetime | None
    ani: str | None = None
    dnis: str | None = None
    direction: Direction | None = None
    media: str | None = None
    queue: str | None = None  #: the legacy queue name as written (for evidence)
    queue_id: str | None = None
    agent: str | None = None  #: the agent as the record names it (for evidence)
    agent_keys: frozenset[str] = frozenset()
    legacy_id: str | None = None  #: only when the table's ``correlate.legacy_id`` says where Genesys has it


def probe_for(disposition: Disposition, spec: CorrelateSpec, agents: Mapping[str, str]) -> Probe:
    """The probe of ``disposition``: each part read where ``spec`` says (``correlate.fields``, else the platform's
    defaults), with ``agents`` (the table's agent directory: legacy agent -> Genesys user id, e-mail or login)."""
    platform = disposition.source

    def read(key: str) -> tuple[str, str] | None:
        for place in spec.places(key, platform):
            value = _value(disposition, place)
            if value is not None:
                return place, value
        return None

    ani = read("ani")
    dnis = read("dnis")
    direction = read("direction")
    queue = read("queue")
    legacy = read("legacy_id") if spec.legacy_id is not None else None
    agent = disposition.agent.strip() if disposition.agent and disposition.agent.strip() else None
    return Probe(
        source=disposition.source,
        source_id=disposition.source_id,
        time=disposition.occurred_at,
        ani=to_e164(ani[1], spec.default_country) if ani else None,
        dnis=to_e164(dnis[1], spec.default_country) if dnis else None,
        direction=direction_of(direction[1], direction[0]) if direction else None,
        media=None if disposition.fields.get("media_type_unknown") == "true" else analytics_media(disposition.media),
        queue=queue[1] if queue else None,
        queue_id=spec.queue_id(queue[1]) if queue else None,
        agent=agent,
        agent_keys=_agent_keys(agent, agents),
        legacy_id=legacy[1] if legacy else None,
    )


def direction_of(value: str | None, place: str = "") -> Direction | None:
    """``inbound`` / ``outbound`` from a legacy direction word (``Inbound``, ``Manual``, ``outbound-api``), or from
    a yes/no value read as "is outbound" (CXone ``isOutbound``; "is inbound" when ``place`` names inbound);
    None when the value says nothing certain (``Internal``, ``Queue Callback``, empty)."""
    if value is None:
        return None
    word = " ".join(value.strip().lower().split())
    if word in _DIRECTIONS:
        return _DIRECTIONS[word]
    if word in _TRUE or word in _FALSE:
        outbound = word in _TRUE
        if "inbound" in place.lower():
            outbound = not outbound
        return "outbound" if outbound else "inbound"
    return None


def analytics_media(media: Media) -> str:
    """The analytics session ``mediaType`` a record of ``media`` shows as."""
    return _ANALYTICS_MEDIA[media]


def _normalized(agents: Mapping[str, str]) -> dict[str, str]:
    """The directory keyed by normalized legacy agent, built once per directory object (a run passes the same
    one for every record) instead of once per record."""
    if _LAST_DIRECTORY and _LAST_DIRECTORY[0][0] is agents and _LAST_DIRECTORY[0][1] == len(agents):
        return _LAST_DIRECTORY[0][2]
    normalized: dict[str, str] = {}
    for legacy, user in agents.items():
        normalized.setdefault(normalize_text(legacy), user)
    _LAST_DIRECTORY[:] = [(agents, len(agents), normalized)]
    return normalized


#: The last directory seen and its normalized form (one slot; holding it keeps its identity meaningful).
_LAST_DIRECTORY: list[tuple[Mapping[str, str], int, dict[str, str]]] = []


def _value(disposition: Disposition, place: str) -> str | None:
    if place == "source_id":
        text: str | None = disposition.source_id
    elif place == "agent":
        text = disposition.agent
    else:
        fields = disposition.fields
        text = fields.get(place)
        if text is None:
            text = fields.get(normalize_key(place))
    return text.strip() if text is not None and text.strip() else None


def _agent_keys(agent: str | None, agents: Mapping[str, str]) -> frozenset[str]:
    """The record's agent and its directory entry (exact, else compared after normalization), lowercased."""
    if agent is None:
        return frozenset()
    keys = {normalize_text(agent)}
    entry = agents.get(agent)
    if entry is None:
        entry = _normalized(agents).get(normalize_text(agent))
    if entry is not None and entry.strip():
        keys.add(normalize_text(entry))
    return frozenset(k for k in keys if k)
