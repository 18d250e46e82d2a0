"""The part of the Genesys Cloud Platform API that wrap-ups touch, as data: endpoints, their bodies, permissions.

One table that the request linter (``doctor --explain-request``) reasons from and the emulator serves, so the two
cannot drift apart, and that a test proves against the official SDK (PureCloudPlatformClientV2 269.0.0): every
endpoint is a real SDK method with this verb and path, every body field a real field of its model. Nothing here
comes from forum answers; the mistakes the linter names are found by comparing a request with this table.

Permissions are as the SDK docs state them ("Requires ANY permissions"); media segments as the SDK's paths have
them (``chats`` is gone from SDK 264 on; ``screenshares`` and ``cobrowsesessions`` are deprecated).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "BODY_MODELS",
    "ENDPOINTS",
    "MEDIA_BY_NAME",
    "WRITE_MEDIA",
    "BodyField",
    "Endpoint",
    "endpoints_for",
]


@dataclass(frozen=True)
class BodyField:
    """One JSON field of a request model: its JSON type and what it holds."""

    type: str  #: "string", "integer", "boolean", "array of strings", "date-time", or a model name
    summary: str


#: Request models by name, their JSON fields as the SDK's ``attribute_map`` spells them.
BODY_MODELS: dict[str, dict[str, BodyField]] = {
    "WrapupInput": {
        "code": BodyField("string", "the wrap-up code's id (a UUID), never its name"),
        "name": BodyField("string", "the code's name (informational)"),
        "notes": BodyField("string", "notes for the wrap-up"),
        "tags": BodyField("array of strings", "tags"),
        "durationSeconds": BodyField("integer", "after-call work duration in seconds"),
        "endTime": BodyField("date-time", "when after-call work ended (ISO 8601)"),
        "provisional": BodyField("boolean", "a draft that does not require a code"),
        "disableEndTimeUpdates": BodyField("boolean", "keep the wrap-up end time as it is"),
    },
    "MediaParticipantRequest": {
        "wrapup": BodyField("WrapupInput", "the wrap-up to assign to this participant"),
        "state": BodyField("string", "connected or disconnected: changes the call, not the wrap-up"),
        "recording": BodyField("boolean", "recording on or off"),
        "muted": BodyField("boolean", "muted"),
        "confined": BodyField("boolean", "confined (on hold for a transfer)"),
        "held": BodyField("boolean", "on hold"),
        "wrapupSkipped": BodyField("boolean", "the agent skips wrap-up"),
        "resumeTime": BodyField("date-time", "when a parked email resumes"),
    },
    "WrapUpCodeMapping": {
        "id": BodyField("string", "the mapping's id (read-only)"),
        "name": BodyField("string", "its name"),
        "dateCreated": BodyField("date-time", "when it was created (read-only)"),
        "dateModified": BodyField("date-time", "when it was last changed (read-only)"),
        "version": BodyField("integer", "required for updates: the version of the most recent update"),
        "defaultSet": BodyField("array of strings", "the outbound flags of codes without an entry"),
        "mapping": BodyField("object", "wrap-up code id -> its outbound flags"),
        "selfUri": BodyField("string", "the URI of the object (read-only)"),
    },
}

#: Media path segments that take a wrap-up POST (and, for ``PATCH .../{media}/{cid}/participants/{pid}``, the
#: participant PATCH).
WRITE_MEDIA = ("calls", "callbacks", "emails", "messages", "socials", "videos")
_READ_MEDIA = ("calls", "callbacks", "emails", "messages", "cobrowsesessions")
_PATCH_MEDIA = ("calls", "callbacks", "emails", "messages")
_COMMUNICATION_READ_MEDIA = ("calls", "callbacks", "emails", "messages", "socials", "videos", "screenshares",
                             "cobrowsesessions")  # fmt: skip

#: What people call a media -> the path segment Genesys uses (the conversation's media type, pluralised).
MEDIA_BY_NAME: dict[str, str] = {
    "voice": "calls", "call": "calls", "phone": "calls", "calls": "calls",
    "callback": "callbacks", "callbacks": "callbacks",
    "email": "emails", "mail": "emails", "emails": "emails",
    "message": "messages", "messaging": "messages", "messages": "messages", "sms": "messages", "chat": "messages",
    "chats": "messages", "webchat": "messages", "webmessaging": "messages", "whatsapp": "messages",
    "social": "socials", "socials": "socials", "socialexpressions": "socials",
    "video": "videos", "videos": "videos",
}  # fmt: skip

_WRAPUP = ("conversation:participant:wrapup",)
_PARTICIPANT_PATCH = (
    "conversation:participant:wrapup",
    "conversation:call:record",
    "conversation:communication:disconnect",
)
_C = "/api/v2/conversations"
_P = "{conversationId}/participants/{participantId}"


@dataclass(frozen=True)
class Endpoint:
    """One operation: verb, path template (``{media}`` stands for one of ``media``), body model, SDK method."""

    method: str
    template: str
    summary: str
    sdk: str  #: the SDK method, with {m} for the media's singular (call, callback, ...) where ``media`` is set
    body: str | None = None
    permissions: tuple[str, ...] = ()
    media: tuple[str, ...] = ()
    sets_wrapup: bool = False
    notes: str = ""
    placeholders: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        names = tuple(part[1:-1] for part in self.template.split("/") if part.startswith("{") and part.endswith("}"))
        object.__setattr__(self, "placeholders", names)

    def sdk_method(self, media: str | None) -> str:
        """The SDK method for this endpoint (for ``media``; ``{m}`` stays when the media is not known)."""
        return self.sdk.replace("{m}", media.removesuffix("s")) if media else self.sdk


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("POST", f"{_C}/{{media}}/{_P}/communications/{{communicationId}}/wrapup",
             "apply a wrap-up to one communication of a participant", "post_conversations_{m}_participant_communication_wrapup",
             body="WrapupInput", permissions=_WRAPUP, media=WRITE_MEDIA, sets_wrapup=True),
    Endpoint("PATCH", f"{_C}/{_P}", "update a participant (a wrap-up in its 'wrapup' object)",
             "patch_conversation_participant", body="MediaParticipantRequest", permissions=_PARTICIPANT_PATCH,
             sets_wrapup=True),
    Endpoint("PATCH", f"{_C}/{{media}}/{_P}", "update a participant of a media conversation (wrap-up in 'wrapup')",
             "patch_conversations_{m}_participant", body="MediaParticipantRequest", permissions=_PARTICIPANT_PATCH,
             media=_PATCH_MEDIA, sets_wrapup=True),
    Endpoint("GET", f"{_C}/{{media}}/{_P}/communications/{{communicationId}}/wrapup",
             "read a communication's wrap-up", "get_conversations_{m}_participant_communication_wrapup",
             media=_COMMUNICATION_READ_MEDIA),
    Endpoint("GET", f"{_C}/{_P}/wrapup", "read a participant's wrap-up", "get_conversation_participant_wrapup"),
    Endpoint("GET", f"{_C}/{{media}}/{_P}/wrapup", "read a participant's wrap-up",
             "get_conversations_{m}_participant_wrapup", media=_READ_MEDIA),
    Endpoint("GET", f"{_C}/{_P}/wrapupcodes", "the wrap-up codes a participant may use",
             "get_conversation_participant_wrapupcodes"),
    Endpoint("GET", f"{_C}/{{media}}/{_P}/wrapupcodes", "the wrap-up codes a participant may use",
             "get_conversations_{m}_participant_wrapupcodes", media=_READ_MEDIA),
    Endpoint("GET", f"{_C}/{{conversationId}}", "a conversation with its participants and communication ids",
             "get_conversation", permissions=("conversation:communication:view",)),
    Endpoint("GET", f"{_C}/{{media}}/{{conversationId}}", "a media view of a conversation (no communication ids)",
             "get_conversations_{m}", media=_PATCH_MEDIA),
    Endpoint("PATCH", f"{_C}/{{media}}/{{conversationId}}", "update a conversation (e.g. disconnect it); sets no wrap-up",
             "patch_conversations_{m}", body="Conversation", media=_PATCH_MEDIA,
             notes="changes the conversation's state; a wrap-up belongs to a participant"),
    Endpoint("GET", "/api/v2/routing/wrapupcodes", "list wrap-up codes (?name= finds one by name)",
             "get_routing_wrapupcodes", permissions=("routing:wrapupCode:view",)),
    Endpoint("GET", "/api/v2/routing/wrapupcodes/{codeId}", "one wrap-up code", "get_routing_wrapupcode",
             permissions=("routing:wrapupCode:view",)),
    Endpoint("GET", "/api/v2/routing/queues", "list queues", "get_routing_queues", permissions=("routing:queue:view",)),
    Endpoint("GET", "/api/v2/routing/queues/{queueId}", "one queue", "get_routing_queue",
             permissions=("routing:queue:view",)),
    Endpoint("GET", "/api/v2/routing/queues/{queueId}/wrapupcodes", "the wrap-up codes assigned to a queue",
             "get_routing_queue_wrapupcodes", permissions=("routing:queue:view",)),
    Endpoint("GET", "/api/v2/analytics/conversations/details", "conversation details by id (?id=a,b)",
             "get_analytics_conversations_details", permissions=("analytics:conversationDetail:view",)),
    Endpoint("GET", "/api/v2/analytics/conversations/{conversationId}/details", "one conversation's details",
             "get_analytics_conversation_details", permissions=("analytics:conversationDetail:view",)),
    Endpoint("POST", "/api/v2/analytics/conversations/details/query", "query conversation details",
             "post_analytics_conversations_details_query", body="ConversationQuery",
             permissions=("analytics:conversationDetail:view",)),
    Endpoint("POST", "/api/v2/analytics/conversations/details/jobs", "start an async conversation details job",
             "post_analytics_conversations_details_jobs", body="AsyncConversationQuery",
             permissions=("analytics:conversationDetail:view",)),
    Endpoint("GET", "/api/v2/analytics/conversations/details/jobs/{jobId}", "an async details job's state",
             "get_analytics_conversations_details_job", permissions=("analytics:conversationDetail:view",)),
    Endpoint("GET", "/api/v2/analytics/conversations/details/jobs/availability",
             "the data lake's availability date (dataAvailabilityDate)",
             "get_analytics_conversations_details_jobs_availability",
             permissions=("analytics:conversationDetail:view",)),
    Endpoint("DELETE", "/api/v2/analytics/conversations/details/jobs/{jobId}", "cancel an async details job",
             "delete_analytics_conversations_details_job", permissions=("analytics:conversationDetail:view",)),
    Endpoint("GET", "/api/v2/analytics/conversations/details/jobs/{jobId}/results",
             "a page of an async details job's results (?cursor=&pageSize=)",
             "get_analytics_conversations_details_job_results", permissions=("analytics:conversationDetail:view",)),
    Endpoint("GET", "/api/v2/users", "users (?id=a,b in bulk)", "get_users"),
    Endpoint("GET", "/api/v2/users/{userId}", "one user", "get_user"),
    Endpoint("GET", "/api/v2/outbound/wrapupcodemappings", "the dialer's outbound flags per wrap-up code",
             "get_outbound_wrapupcodemappings", permissions=("outbound:wrapUpCodeMapping:view",)),
    Endpoint("PUT", "/api/v2/outbound/wrapupcodemappings", "update the dialer's outbound flags per wrap-up code "
             "(the whole object, with its version)", "put_outbound_wrapupcodemappings", body="WrapUpCodeMapping",
             permissions=("outbound:wrapUpCodeMapping:edit",)),
)  # fmt: skip


def endpoints_for(method: str | None = None, *, sets_wrapup: bool | None = None) -> list[Endpoint]:
    """The endpoints with this verb (any when None), optionally only those that set a wrap-up."""
    return [
        e
        for e in ENDPOINTS
        if (method is None or e.method == method.upper()) and (sets_wrapup is None or e.sets_wrapup == sets_wrapup)
    ]
