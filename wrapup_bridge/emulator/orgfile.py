"""The org file: what an emulated Genesys Cloud org contains, as validated YAML.

The file is ours, so its own keys are snake_case; the *full* conversation form mirrors Genesys's
Conversation/Participant JSON (camelCase) so an odd case seen in a real org can be pasted in almost as is.
Shape checks live here; references between sections (a queue's codes, a conversation's agent) are checked
when the org is indexed (see ``directory``), and both report the key path and line of each problem.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

from wrapup_bridge.core.disposition import Media, is_genesys_id
from wrapup_bridge.core.outcome import is_system_code
from wrapup_bridge.emulator.config import EmulatorConfig
from wrapup_bridge.emulator.outbound import OutboundMappingSpec

__all__ = [
    "MEDIA_ARRAYS",
    "AcwSpec",
    "AfterCallWorkSpec",
    "CommunicationSpec",
    "CompactConversationSpec",
    "ConversationSpec",
    "DivisionSpec",
    "DurationSpec",
    "FullConversationSpec",
    "GenerateSpec",
    "GeneratedQueueSpec",
    "MissedAlertSpec",
    "OAuthClientSpec",
    "OrgSpec",
    "ParticipantSpec",
    "PeriodSpec",
    "QueueSpec",
    "RealismSpec",
    "UserSpec",
    "WrapupCodeSpec",
    "WrapupSpec",
    "is_system_code",
    "template_parts",
]


def _genesys_id(value: str) -> str:
    if not is_genesys_id(value):
        raise ValueError(f"{value!r} is not a Genesys id (expected a UUID)")
    return value.lower()


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


GenesysId = Annotated[str, AfterValidator(_genesys_id)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
UtcTime = Annotated[AwareDatetime, AfterValidator(_utc)]

_PERMISSION_RE = re.compile(r"^(\*|[A-Za-z][A-Za-z0-9]*)(:(\*|[A-Za-z][A-Za-z0-9]*)){2}$")


def _permission(value: str) -> str:
    if not _PERMISSION_RE.match(value):
        raise ValueError(f"{value!r} is not a permission of the form domain:entity:action (e.g. routing:queue:view)")
    return value


Permission = Annotated[str, AfterValidator(_permission)]

#: Media -> the Participant array that holds its communications in GET /api/v2/conversations/{id}.
MEDIA_ARRAYS: dict[Media, str] = {
    Media.VOICE: "calls",
    Media.CALLBACK: "callbacks",
    Media.EMAIL: "emails",
    Media.MESSAGE: "messages",
    Media.SOCIAL: "socialExpressions",
    Media.VIDEO: "videos",
}

Purpose = Literal[
    "acd", "agent", "api", "botflow", "campaign", "customer", "dialer", "external", "fax", "group", "inbound",
    "ivr", "manual", "outbound", "station", "user", "voicemail", "voicesurveyflow", "workflow",
]  # fmt: skip
MessageType = Literal[
    "apple", "facebook", "instagram", "kakao", "line", "open", "sms", "telegram", "twitter", "webmessaging",
    "whatsapp", "unknown",
]  # fmt: skip
DisconnectType = Literal[
    "endpoint", "endpoint.donotdisturb", "client", "system", "timeout", "transfer", "transfer.conference",
    "transfer.consult", "transfer.donotdisturb", "transfer.forward", "transfer.noanswer", "transfer.notavailable",
    "transport.failure", "error", "peer", "other", "spam", "uncallable", "inactivity", "session.expired",
    "takeover",
]  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DivisionSpec(_Strict):
    id: GenesysId
    name: Text


class WrapupCodeSpec(_Strict):
    id: GenesysId
    name: Text
    division: Text | None = Field(default=None, description="Division id or name; default: the first division")
    description: str | None = None
    date_created: UtcTime | None = None


class AcwSpec(_Strict):
    """A queue's after-call-work setting (Queue.acwSettings)."""

    wrapup_prompt: Literal[
        "MANDATORY", "OPTIONAL", "MANDATORY_TIMEOUT", "MANDATORY_FORCED_TIMEOUT", "AGENT_REQUESTED"
    ] = "MANDATORY_TIMEOUT"
    timeout_ms: int | None = Field(default=60_000, ge=1_000, le=3_600_000)

    @model_validator(mode="after")
    def _timeout_only_where_genesys_allows(self) -> AcwSpec:
        if self.timeout_ms is not None and self.wrapup_prompt in ("MANDATORY", "OPTIONAL"):
            raise ValueError(
                f"timeout_ms can only be used with AGENT_REQUESTED, MANDATORY_TIMEOUT or MANDATORY_FORCED_TIMEOUT "
                f"(wrapup_prompt is {self.wrapup_prompt}); set timeout_ms: null"
            )
        return self


class QueueSpec(_Strict):
    id: GenesysId
    name: Text
    division: Text | None = None
    description: str | None = None
    wrapup_codes: list[Text] = Field(default_factory=list, description="Assigned codes, by id or name")
    acw: AcwSpec = AcwSpec()


class UserSpec(_Strict):
    id: GenesysId
    name: Text
    email: Text | None = None
    username: Text | None = None
    division: Text | None = None


class OAuthClientSpec(_Strict):
    """A client-credentials OAuth client and the permissions its roles grant."""

    client_id: Text
    client_secret: Text
    name: str | None = None
    permissions: list[Permission] = Field(default_factory=list)
    divisions: list[Text] | None = Field(default=None, description="Division ids or names; None: every division")
    token_ttl_seconds: int = Field(default=86_400, ge=300, le=172_800)


# --- conversations -------------------------------------------------------------------------------------------


class MissedAlertSpec(_Strict):
    """An alert that rang out (RONA) or was declined before anyone connected: a real ``agent`` participant with
    the user's id, no ``connectedTime``, and a communication ended with ``disconnectType`` system or client."""

    agent: Text | None = Field(
        default=None, description="User id, email, username or name; default: the conversation's agent"
    )
    ended: Literal["system", "timeout", "client"] = Field(
        default="system", description="system/timeout: the alert rang out; client: the agent declined it"
    )
    seconds: float = Field(default=8.0, gt=0, le=600, description="How long it rang (the queue's alerting timeout)")
    wrapup: Text | None = Field(
        default=None,
        description="A system code (ININ-*) analytics shows on this leg's wrap-up segment, as real orgs do for "
        "agents who rang out",
    )

    @model_validator(mode="after")
    def _system_wrapup_only(self) -> MissedAlertSpec:
        if self.wrapup is not None and not is_system_code(self.wrapup):
            raise ValueError("a missed alert's wrapup is a system code (ININ-...), as Genesys stamps it")
        return self


class RealismSpec(_Strict):
    """How often compact conversations get the shapes real orgs have (deterministic per conversation id).

    A compact conversation that states ``missed_alerts`` or its ACW outcome keeps what it states; the shares
    apply to the rest. ``realism: false`` in the org file turns all of it off."""

    missed_alerts: float = Field(
        default=0.2, ge=0, le=1, description="Share of conversations where alerts rang out before the agent connected"
    )
    second_missed_alert: float = Field(default=0.25, ge=0, le=1, description="Of those, the share with two")
    declined: float = Field(default=0.3, ge=0, le=1, description="Share of missed alerts the agent declined (client)")
    same_agent: float = Field(
        default=0.5, ge=0, le=1, description="Share of missed alerts by the agent who then answered (a re-alert)"
    )
    missed_wrapup: float = Field(
        default=0.4, ge=0, le=1, description="Share of missed legs with a system wrap-up segment in analytics"
    )
    acw_timeout: float = Field(
        default=0.25,
        ge=0,
        le=1,
        description="Share of ended conversations on queues whose ACW can time out that carry ININ-WRAP-UP-TIMEOUT",
    )
    subsecond: bool = Field(
        default=True, description="Derived times (alerts, connections) carry milliseconds; whole seconds render without"
    )


class CompactConversationSpec(_Strict):
    """One conversation the common way: a customer, the queue, at most one agent, one communication each.

    With ``realism`` (the default), some get missed alerts and ACW timeouts as real orgs do; stating
    ``missed_alerts`` (0 for none) and ``acw`` fixes them."""

    id: GenesysId
    media: Media
    queue: Text
    agent: Text | None = Field(default=None, description="User id, email, username or name; null: no agent")
    customer: Text | None = Field(default=None, description="The customer's address (tel:+1..., an email, ...)")
    direction: Literal["inbound", "outbound"] = "inbound"
    ani: Text | None = Field(
        default=None,
        description="Voice: the calling number (analytics session ani); default: the customer when inbound",
    )
    dnis: Text | None = Field(
        default=None,
        description="Voice: the number dialled (analytics session dnis); default: the customer when outbound",
    )
    start: UtcTime
    end: UtcTime | None = Field(default=None, description="null: the conversation is still active")
    wrapup: Text | None = Field(default=None, description="Code id or name (or ININ-* system code) already applied")
    wrapup_notes: str | None = None
    wrapup_skipped: bool = False
    acw_end: UtcTime | None = None
    message_type: MessageType | None = None
    subject: str | None = None
    external_tag: str | None = None
    attributes: dict[str, str] = Field(default_factory=dict)
    missed_alerts: int | list[MissedAlertSpec] | None = Field(
        default=None,
        description="Alerts that rang out before the agent connected: a number (by the agent, ringing out) or a "
        "list; null: as realism decides",
    )
    agent_state: Literal["connected", "alerting", "missed"] = Field(
        default="connected",
        description="connected: the agent handled it; alerting: still ringing (needs end: null); missed: the "
        "agent's alert rang out too and nobody ever connected",
    )
    acw: Literal["pending", "timeout"] | None = Field(
        default=None,
        description="After-call work of an ended conversation without a wrap-up: pending, or timed out "
        "(ININ-WRAP-UP-TIMEOUT); null: as realism decides",
    )

    @model_validator(mode="after")
    def _consistent(self) -> CompactConversationSpec:
        if self.end is not None and self.end < self.start:
            raise ValueError("end is before start")
        if self.acw_end is not None and (self.end is None or self.acw_end < self.end):
            raise ValueError("acw_end needs an end and cannot be before it")
        if (self.wrapup is not None or self.wrapup_skipped) and self.agent is None:
            raise ValueError("a wrap-up (or wrapup_skipped) needs an agent: only agent participants carry one")
        if self.wrapup is not None and self.wrapup_skipped:
            raise ValueError("wrapup and wrapup_skipped are exclusive")
        if self.message_type is not None and self.media is not Media.MESSAGE:
            raise ValueError("message_type is only for media: message")
        if self.subject is not None and self.media is not Media.EMAIL:
            raise ValueError("subject is only for media: email")
        if isinstance(self.missed_alerts, int) and not 0 <= self.missed_alerts <= 10:
            raise ValueError("missed_alerts must be between 0 and 10")
        if self.agent_state != "connected" and self.agent is None:
            raise ValueError(f"agent_state {self.agent_state} needs an agent")
        if self.agent_state == "alerting" and self.end is not None:
            raise ValueError("agent_state alerting is for an active conversation (end: null)")
        if self.agent_state != "connected" and (self.wrapup is not None or self.wrapup_skipped):
            raise ValueError("an agent who never connected carries no wrap-up")
        if self.acw is not None and (self.end is None or self.wrapup is not None or self.wrapup_skipped):
            raise ValueError("acw is for an ended conversation without a wrap-up")
        if self.missed_alerts and self.agent is None and isinstance(self.missed_alerts, int):
            raise ValueError("a number of missed alerts needs the agent they rang for; list them with agent: instead")
        return self


class WrapupSpec(_Strict):
    """Genesys's Wrapup model; ``code`` may also be a code name or an ININ-* system code here."""

    code: Text
    notes: str | None = None
    tags: list[str] | None = None
    durationSeconds: int | None = Field(default=None, ge=0)
    endTime: UtcTime | None = None
    provisional: bool = False


class AfterCallWorkSpec(_Strict):
    startTime: UtcTime | None = None
    endTime: UtcTime | None = None
    state: Literal["unknown", "notApplicable", "skipped", "pending", "complete"]


CallState = Literal[
    "alerting", "dialing", "contacting", "offering", "connected", "disconnected", "terminated", "converting",
    "uploading", "transmitting", "none",
]  # fmt: skip
CallbackState = Literal[
    "alerting", "dialing", "contacting", "offering", "connected", "disconnected", "terminated", "scheduled", "none"
]
EmailState = Literal["alerting", "connected", "disconnected", "none", "parked", "transmitting"]
MessageState = Literal["alerting", "connected", "parked", "disconnected"]
OtherState = Literal["alerting", "dialing", "contacting", "offering", "connected", "disconnected", "terminated", "none"]


class CommunicationSpec(_Strict):
    """What every entry of a participant's communication arrays has; the media subclasses add the state enum."""

    id: GenesysId | None = Field(default=None, description="Default: derived from the conversation id and position")
    state: str
    initialState: str | None = None
    direction: Literal["inbound", "outbound"] | None = None
    startAlertingTime: UtcTime | None = None
    connectedTime: UtcTime | None = None
    disconnectedTime: UtcTime | None = None
    disconnectType: DisconnectType | None = None
    provider: str | None = None
    peerId: GenesysId | None = None
    afterCallWork: AfterCallWorkSpec | None = None
    afterCallWorkRequired: bool | None = None
    wrapup: WrapupSpec | None = None


class CallSpec(CommunicationSpec):
    state: CallState
    initialState: CallState | None = None


class CallbackSpec(CommunicationSpec):
    state: CallbackState
    initialState: CallbackState | None = None


class EmailSpec(CommunicationSpec):
    state: EmailState
    initialState: EmailState | None = None
    subject: str | None = None


class MessageSpec(CommunicationSpec):
    state: MessageState
    initialState: MessageState | None = None
    type: MessageType | None = None


class SocialSpec(CommunicationSpec):
    state: OtherState
    initialState: OtherState | None = None


class VideoSpec(CommunicationSpec):
    state: OtherState
    initialState: OtherState | None = None


class ParticipantSpec(_Strict):
    """Genesys's Participant model (the subset the emulator keeps)."""

    id: GenesysId | None = Field(default=None, description="Default: derived from the conversation id and position")
    purpose: Purpose
    name: str | None = None
    userId: Text | None = Field(default=None, description="User id, email, username or name")
    queueId: Text | None = Field(default=None, description="Queue id or name")
    startTime: UtcTime | None = None
    endTime: UtcTime | None = None
    connectedTime: UtcTime | None = None
    address: str | None = None
    ani: str | None = None
    dnis: str | None = None
    wrapupRequired: bool | None = None
    wrapupPrompt: Literal["mandatory", "optional", "agentRequested", "timeout", "forcedTimeout"] | None = None
    wrapupTimeoutMs: int | None = Field(default=None, ge=0)
    wrapupSkipped: bool | None = None
    wrapup: WrapupSpec | None = None
    startAcwTime: UtcTime | None = None
    endAcwTime: UtcTime | None = None
    alertingTimeoutMs: int | None = Field(default=None, ge=0)
    attributes: dict[str, str] = Field(default_factory=dict)
    calls: list[CallSpec] = Field(default_factory=list)
    callbacks: list[CallbackSpec] = Field(default_factory=list)
    emails: list[EmailSpec] = Field(default_factory=list)
    messages: list[MessageSpec] = Field(default_factory=list)
    socialExpressions: list[SocialSpec] = Field(default_factory=list)
    videos: list[VideoSpec] = Field(default_factory=list)


class FullConversationSpec(_Strict):
    """A conversation spelled out as Genesys's Conversation JSON: several agents, transfers, two communications."""

    id: GenesysId
    startTime: UtcTime
    endTime: UtcTime | None = None
    address: str | None = None
    externalTag: str | None = None
    participants: list[ParticipantSpec] = Field(min_length=1)


def _conversation_form(value: Any) -> str:
    if isinstance(value, dict):
        return "full" if "participants" in value else "compact"
    return "full" if hasattr(value, "participants") else "compact"


ConversationSpec = Annotated[
    Annotated[CompactConversationSpec, Tag("compact")] | Annotated[FullConversationSpec, Tag("full")],
    Discriminator(_conversation_form),
]

#: Tags that pydantic adds to error locations of the conversation union; not keys of the file.
UNION_TAGS = frozenset({"compact", "full"})


# --- generated conversations ---------------------------------------------------------------------------------

#: ``{n}`` or ``{n:08d}`` / ``{n:x}``: the only fields a generated text may hold (no attribute access, no other name).
_TEMPLATE_FIELD = re.compile(r"\{n(?::(0?[0-9]{0,2}[dx]))?\}")
_TEMPLATE_PIECE = re.compile(r"(\{\{|\}\}|\{[^{}]*\}|[{}])")
_ID_PREFIX = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}$")
#: The longest period a generate block may span (its profile holds one number per 15 minutes of it).
MAX_PERIOD_DAYS = 1830


def template_parts(template: str) -> list[tuple[str, str | None]]:
    """``template`` as (literal text, format of ``n`` or None) pairs: ``"L{n:08d}"`` -> ``[("L", "08d")]``.

    Raises ValueError for a field other than ``{n}``/``{n:FORMAT}`` or a lone brace (``{{``/``}}`` are braces)."""
    parts: list[tuple[str, str | None]] = []
    text = ""
    for i, piece in enumerate(_TEMPLATE_PIECE.split(template)):
        if i % 2 == 0 or piece in ("{{", "}}"):
            text += piece[0] if i % 2 else piece
            continue
        match = _TEMPLATE_FIELD.fullmatch(piece)
        if match is None:
            raise ValueError(
                f"{piece!r}: a generated text may only hold {{n}} or {{n:FORMAT}} (e.g. {{n:08d}}, {{n:x}}); "
                "write {{ and }} for braces"
            )
        parts.append((text, match.group(1) or "d"))
        text = ""
    if text:
        parts.append((text, None))
    return parts


def _template(value: str) -> str:
    template_parts(value)
    return value


Template = Annotated[str, AfterValidator(_template)]
Weight = Annotated[float, Field(ge=0)]


def _id_prefix(value: str) -> str:
    value = value.lower()
    if not _ID_PREFIX.match(value):
        raise ValueError(
            f"{value!r} is not the first four groups of a UUID (8-4-4-4 hex digits, e.g. 5eed0000-0000-4000-8000): "
            "conversation n gets the id PREFIX-nnnnnnnnnnnn"
        )
    return value


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{value!r} is not an IANA time zone name (e.g. America/New_York, Europe/Paris, UTC)"
        ) from None
    return value


W = TypeVar("W", list[float], dict[Media, float])


def _some_weight(value: W) -> W:
    if not any(value.values() if isinstance(value, dict) else value):
        raise ValueError("needs a weight above 0")
    return value


class PeriodSpec(_Strict):
    """When generated conversations start: from ``start`` (included) to ``end`` (excluded)."""

    start: UtcTime
    end: UtcTime

    @model_validator(mode="after")
    def _ordered(self) -> PeriodSpec:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if (self.end - self.start).days > MAX_PERIOD_DAYS:
            raise ValueError(f"a period spans at most {MAX_PERIOD_DAYS} days")
        return self


class DurationSpec(_Strict):
    """How long generated conversations last: ``min_seconds`` plus an exponential tail of mean
    ``mean_seconds - min_seconds``, cut at ``max_seconds`` (so the mean is a little under ``mean_seconds``)."""

    min_seconds: float = Field(default=20.0, ge=0)
    mean_seconds: float = Field(default=240.0, ge=0)
    max_seconds: float = Field(default=3600.0, ge=0, le=7 * 86_400)

    @model_validator(mode="after")
    def _ordered(self) -> DurationSpec:
        if not self.min_seconds <= self.mean_seconds <= self.max_seconds:
            raise ValueError("durations need min_seconds <= mean_seconds <= max_seconds")
        return self


class GeneratedQueueSpec(_Strict):
    """A queue of the generated conversations' pool: its share, the number callers dial, its agents."""

    weight: Weight = 1.0
    number: Text | None = Field(
        default=None,
        description="Voice: the number callers dial (dnis of inbound calls, ani of outbound ones); null: none",
    )
    agents: list[Text] | dict[Text, Weight] | None = Field(
        default=None,
        description="Users who answer this queue (ids, logins or names, weighted or not); null: the block's agents",
    )


class GenerateSpec(_Strict):
    """Conversations described by a seed and shares instead of listed: conversation ``n`` (1..count) is expanded
    from (seed, n) whenever it is asked for, with the id ``{id_prefix}-{n:012d}``; starts never decrease with
    ``n``. Each becomes a compact conversation (the same expansion and realism as a listed one), ended, answered
    by an agent of its queue unless ``unanswered`` picks it."""

    seed: int = 0
    count: int = Field(ge=1, le=999_999_999_999)
    id_prefix: Annotated[str, AfterValidator(_id_prefix)] = "ee000000-0000-4000-8000"
    period: PeriodSpec
    timezone: Annotated[str, AfterValidator(_zone)] = Field(
        default="UTC", description="The zone of the daily and hourly profiles (IANA name)"
    )
    daily: Annotated[list[Weight], AfterValidator(_some_weight)] = Field(
        default_factory=lambda: [1.0] * 7, min_length=7, max_length=7, description="Weights of Monday..Sunday"
    )
    hourly: Annotated[list[Weight], AfterValidator(_some_weight)] = Field(
        default_factory=lambda: [1.0] * 24, min_length=24, max_length=24, description="Weights of local hours 0-23"
    )
    duration: DurationSpec = DurationSpec()
    media: Annotated[dict[Media, Weight], AfterValidator(_some_weight)] = Field(
        default_factory=lambda: {Media.VOICE: 1.0}, description="Media -> weight"
    )
    outbound: float = Field(default=0.0, ge=0, le=1, description="Share of outbound conversations")
    queues: dict[Text, Weight | GeneratedQueueSpec] | None = Field(
        default=None, description="Queue (id or name) -> weight or settings; null: every queue, equally"
    )
    agents: list[Text] | dict[Text, Weight] | None = Field(
        default=None, description="Users who answer (ids, logins or names, weighted or not); null: every user"
    )
    unanswered: float = Field(default=0.0, ge=0, le=1, description="Share nobody answered (no agent participant)")
    wrapped: float = Field(
        default=0.0, ge=0, le=1, description="Share of answered ones already carrying a code of their queue"
    )
    customers: int | None = Field(
        default=None, ge=1, description="How many distinct customers call (repeat callers); null: one each"
    )
    attributes: dict[Text, Template] = Field(
        default_factory=dict, description="Customer participant attributes, {n} filled in (e.g. L{n:08d})"
    )
    external_tag: Template | None = None
    tagged: float = Field(default=1.0, ge=0, le=1, description="Share carrying the attributes and external_tag")
    realism: RealismSpec | Literal[False] | None = Field(
        default=None, description="Realism of these conversations; null: the org's"
    )


class OrgSpec(_Strict):
    """A whole org file."""

    name: str = "Emulated org"
    divisions: list[DivisionSpec] = Field(min_length=1)
    wrapup_codes: list[WrapupCodeSpec] = Field(default_factory=list)
    queues: list[QueueSpec] = Field(default_factory=list)
    users: list[UserSpec] = Field(default_factory=list)
    oauth_clients: list[OAuthClientSpec] = Field(default_factory=list)
    conversations: list[ConversationSpec] = Field(default_factory=list)
    generate: GenerateSpec | None = Field(
        default=None, description="Conversations expanded from a seed when asked for (see GenerateSpec)"
    )
    realism: RealismSpec | Literal[False] | None = Field(
        default=None, description="Real-org shapes in compact conversations; null: the defaults; false: none"
    )
    emulator: EmulatorConfig | None = None
    outbound_wrapupcode_mapping: OutboundMappingSpec | None = Field(
        default=None, description="The org's outbound wrap-up code mapping at the start (emulator/outbound.py)"
    )

    @property
    def realism_settings(self) -> RealismSpec | None:
        """The realism in force: the file's, the defaults, or None when turned off."""
        if self.realism is False:
            return None
        return self.realism or RealismSpec()
