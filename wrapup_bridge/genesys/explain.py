"""Plain-words advice for a Genesys error: the likely cause and what to check or change.

Genesys documents no wrap-up-specific error codes (reference §5.2: UNSURE), so nothing here may claim
certainty. Advice is driven by what is known for sure (status, the generic ``code``, the request method and
path, the code the request sent) and by words in the server's message, and it is phrased as "likely" and
"check". The classic mistakes it recognises: a code name sent instead of its id; a conversation- or
interaction-level wrap-up (there is none); the generic communication wrap-up path (there is none either);
a wrong media path segment; a participant that is not the agent; a code not allowed for the participant's
queue; a conversation or after-call work that is already over; a role permission missing in a division;
bad client credentials or the wrong region; an expired token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from wrapup_bridge.genesys.paths import MEDIA_SEGMENTS, PathInfo, PathKind, classify_path, suggest_media_segment

__all__ = ["ApiErrorFacts", "explain_api_error", "permissions_for_path"]

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

_MEDIA_MAP = (
    "voice → calls, callback → callbacks, email → emails, messaging → messages, social → socials, video → videos"
)

_NOT_AGENT = re.compile(r"\bnot (?:an? )?agent\b|\bpurpose\b|participant .*\b(?:agent|user)\b|\bno user\b", re.I)
_NOT_ALLOWED = re.compile(
    r"\bqueue\b|not (?:allowed|permitted|assigned|available|valid for)|\binvalid (?:wrap-?up )?code\b"
    r"|wrap-?up ?code.*\b(?:invalid|not valid|not found|unknown)\b",
    re.I,
)
_OVER = re.compile(
    r"\bended\b|\bterminated\b|\bdisconnected\b|after[- ]call[- ]work|\bacw\b|no longer|too late"
    r"|wrap-?up (?:period|window|time)|\bexpired\b|\bclosed\b|\bnot in wrap",
    re.I,
)

#: Permission each operation needs (reference §1, §2, §7), used when a 403 names none.
_PERMISSION_BY_KIND: dict[PathKind, tuple[str, ...]] = {
    PathKind.MEDIA_WRAPUP: ("conversation:participant:wrapup",),
    PathKind.PARTICIPANT: ("conversation:participant:wrapup",),
    PathKind.CONVERSATION: ("conversation:communication:view",),
    PathKind.WRAPUPCODES: ("routing:wrapupCode:view",),
    PathKind.WRAPUPCODE: ("routing:wrapupCode:view",),
    PathKind.QUEUE_WRAPUPCODES: ("routing:queue:view",),
    PathKind.QUEUE: ("routing:queue:view",),
    PathKind.ANALYTICS: ("analytics:conversationDetail:view",),
}


@dataclass(frozen=True, slots=True)
class ApiErrorFacts:
    """What is known about one error answer; everything ``explain_api_error`` may rely on."""

    status: int
    code: str | None
    message: str
    method: str
    path: str
    host: str | None = None
    sent_code: str | None = None
    permissions: tuple[str, ...] = ()
    after_refresh: bool = False
    budget: float | None = None
    attempts: int = 1
    allowed: str | None = None
    retry_after: float | None = None
    correlation_id: str | None = None
    info: PathInfo = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "info", classify_path(self.path))


def permissions_for_path(method: str, path: str) -> tuple[str, ...]:
    """The permission(s) an operation needs, for a 403 whose body does not name them."""
    info = classify_path(path)
    if method.upper() in ("GET", "HEAD") and info.kind in (PathKind.MEDIA_WRAPUP, PathKind.PARTICIPANT):
        return ("conversation:communication:view",)
    if info.kind is PathKind.OUTBOUND_WRAPUPCODEMAPPINGS:  # docs/reference-outbound.md §1.1 (VERIFIED)
        action = "view" if method.upper() in ("GET", "HEAD") else "edit"
        return (f"outbound:wrapUpCodeMapping:{action}",)
    return _PERMISSION_BY_KIND.get(info.kind, ())


def _looks_like_name(code: str | None) -> bool:
    return bool(code) and not _UUID.match(code or "") and not (code or "").upper().startswith("ININ-")


def _wrapup_endpoint(info: PathInfo) -> str:
    media = info.media if info.media in MEDIA_SEGMENTS else "{media}"
    cid = info.conversation_id or "{conversationId}"
    pid = info.participant_id or "{participantId}"
    comm = info.communication_id or "{communicationId}"
    return (
        f"POST /api/v2/conversations/{media}/{cid}/participants/{pid}/communications/{comm}/wrapup "
        f'({_MEDIA_MAP}), or PATCH /api/v2/conversations/{cid}/participants/{pid} with a "wrapup" object'
    )


def _allowed_codes_url(info: PathInfo) -> str:
    cid = info.conversation_id or "{conversationId}"
    pid = info.participant_id or "{participantId}"
    return f"GET /api/v2/conversations/{cid}/participants/{pid}/wrapupcodes"


def _path_mistake(facts: ApiErrorFacts) -> str | None:
    """Advice for a wrap-up aimed at an endpoint shape that cannot work, whatever the status."""
    info = facts.info
    write = facts.method.upper() in ("POST", "PUT", "PATCH")
    if info.kind is PathKind.GENERIC_COMMUNICATION_WRAPUP:
        return (
            "There is no generic .../participants/{pid}/communications/{commId}/wrapup endpoint: wrap-up is set "
            f"per media type. Use {_wrapup_endpoint(info)}."
        )
    if info.kind is PathKind.CONVERSATION_WRAPUP:
        return (
            "A wrap-up belongs to a participant (normally the agent), not to the conversation or interaction: "
            f"there is no conversation-level wrap-up endpoint. Use {_wrapup_endpoint(info)}."
        )
    if info.kind is PathKind.PARTICIPANT_WRAPUP and write:
        return (
            f".../participants/{info.participant_id}/wrapup only reads a wrap-up. To set one, use "
            f"{_wrapup_endpoint(info)}; the communication id is in GET /api/v2/conversations/{info.conversation_id}."
        )
    if info.media is not None and not info.media_known:
        better = suggest_media_segment(info.media)
        hint = f" (likely '{better}')" if better else ""
        return (
            f"'{info.media}' is not a media path segment Genesys knows{hint}. The segment must match the "
            f"conversation's media: {_MEDIA_MAP}."
        )
    if info.kind is PathKind.MEDIA_WRAPUP and write and info.media not in MEDIA_SEGMENTS:
        return f"'{info.media}' conversations have no wrap-up POST; wrap-up can be set for {_MEDIA_MAP}."
    return None


def _code_name_mistake(facts: ApiErrorFacts) -> str | None:
    if not _looks_like_name(facts.sent_code):
        return None
    return (
        f"The wrap-up was sent with code {facts.sent_code!r}, which is not an id: Genesys's WrapupInput.code takes "
        "the code's id (a UUID), not its name. Look the id up in GET /api/v2/routing/wrapupcodes "
        "(wrapup-bridge catalog) and put it in the mapping table."
    )


def _wrapup_rejection(facts: ApiErrorFacts) -> str:
    """Advice for a 4xx on a wrap-up write, most specific signal first."""
    info = facts.info
    text = facts.message
    if _NOT_AGENT.search(text):
        return (
            f"Genesys's message suggests participant {info.participant_id} is likely not the agent: wrap-up "
            "applies to the participant with purpose 'agent' and a userId. Check the participants of GET "
            f"/api/v2/conversations/{info.conversation_id} and use the agent's participant id."
        )
    if _OVER.search(text):
        return (
            "Genesys's message suggests the conversation or the agent's after-call work is likely already over. "
            "Whether Genesys accepts a wrap-up after that is not documented, so record it as rejected; check "
            f"GET /api/v2/conversations/{info.conversation_id}/participants/{info.participant_id}/wrapup "
            "for what is there now."
        )
    if _NOT_ALLOWED.search(text):
        return (
            "Genesys's message suggests the code is likely not allowed for this participant's queue. "
            f"{_allowed_codes_url(info)} lists the codes it accepts; add the code to the queue's wrap-up codes "
            "(Admin > Queues > Wrap-up Codes) or map to one that is assigned."
        )
    if facts.status == 409:
        return (
            "Likely a state conflict: the conversation or the agent's after-call work may already be over, or "
            "another wrap-up may already be recorded. Check "
            f"GET /api/v2/conversations/{info.conversation_id}/participants/{info.participant_id}/wrapup; "
            "retrying the same write will not help."
        )
    if facts.status == 404:
        media = f"'{info.media}'" if info.media else "the media"
        return (
            "Likely the ids in the path do not belong together, or the media path is wrong: check that "
            f"the conversation exists in this org and region, that {info.participant_id} is its agent participant, "
            f"and that the communication id comes from that participant's {media} array in "
            f"GET /api/v2/conversations/{info.conversation_id} ({_MEDIA_MAP})."
        )
    return (
        "Genesys rejected the wrap-up. Check, in this order: the code is sent by id, not name; the code is allowed "
        f"for this participant ({_allowed_codes_url(info)} lists them); the participant is the agent "
        "(purpose 'agent'); the media path matches the conversation; the conversation and after-call work are "
        "not already over."
    )


def _authentication(facts: ApiErrorFacts) -> str:
    code = (facts.code or "").lower()
    host = facts.host or "the login host"
    if code == "ip.not.authorized":
        return (
            "The org likely accepts API calls only from allow-listed IP addresses: check the org's IP address "
            "allowlist for this machine's address."
        )
    if facts.info.kind is PathKind.TOKEN or code in ("bad.credentials", "invalid_client", "unauthorized_client"):
        return (
            f"{host} refused the client id/secret. Check GENESYSCLOUD_OAUTHCLIENT_ID and "
            "GENESYSCLOUD_OAUTHCLIENT_SECRET, that the OAuth client uses the Client Credentials grant, and that "
            "GENESYSCLOUD_REGION is the org's region: an OAuth client is only known to its own region's login host."
        )
    if code == "credentials.expired" or "expired" in facts.message.lower():
        return (
            "The access token likely expired or was revoked, and a freshly fetched one was refused as well. Check "
            "that the OAuth client still exists, is active and that its secret was not rotated."
        )
    again = " even after a fresh token was fetched" if facts.after_refresh else ""
    return (
        f"Genesys rejected the access token{again}. Likely the OAuth client was disabled or deleted, or the token "
        f"came from another region than the API host ({facts.host}); check the OAuth client and GENESYSCLOUD_REGION."
    )


def _permission(facts: ApiErrorFacts) -> str:
    perms = facts.permissions or permissions_for_path(facts.method, facts.path)
    code = (facts.code or "").lower()
    if perms:
        joined = " or ".join(perms) if code == "missing.any.permissions" else ", ".join(perms)
        lacks = f"likely lacks {joined}"
    else:
        lacks = "likely lacks a permission this operation needs"
    advice = (
        f"The OAuth client's role {lacks}. Client-credentials clients get permissions only from roles granted "
        "to the OAuth client per division (Admin > Integrations > OAuth > the client > Roles): grant a role "
        "with it in the division of the queue, conversation or wrap-up code involved."
    )
    if facts.info.is_wrapup_write_shape and facts.method.upper() in ("POST", "PATCH") and not facts.permissions:
        advice += (
            " If the role already has conversation:participant:wrapup there, check whether this org lets a "
            "client-credentials client wrap up an agent's participant at all (not confirmed by Genesys docs)."
        )
    return advice


def _not_found(facts: ApiErrorFacts) -> str:
    info = facts.info
    host = f" (API host {facts.host})" if facts.host else ""
    region = f" and that GENESYSCLOUD_REGION points at the org's region{host}"
    if info.kind is PathKind.CONVERSATION:
        return (
            f"Genesys has no conversation {info.conversation_id} in this org: check the id{region}; very old "
            "conversations may be past the retention window (analytics may still have them)."
        )
    if info.kind is PathKind.WRAPUPCODE:
        return (
            f"There is no wrap-up code with id {info.code_id}: likely deleted or from another org. Check the mapping "
            "table's ids against the catalog (wrapup-bridge catalog)."
        )
    if info.kind in (PathKind.QUEUE, PathKind.QUEUE_WRAPUPCODES):
        return f"There is no queue {info.queue_id} in this org: check the queue id{region}."
    if info.kind in (PathKind.PARTICIPANT_WRAPUP, PathKind.PARTICIPANT_WRAPUPCODES):
        return (
            f"Likely participant {info.participant_id} is not part of conversation {info.conversation_id}, or the "
            f"conversation is unknown here: check both ids in GET /api/v2/conversations/{info.conversation_id}."
        )
    return f"Genesys has nothing at {facts.path}: check the ids in the path{region}."


def explain_api_error(facts: ApiErrorFacts) -> str:
    """One or two sentences on the likely cause of an error answer and the fix."""
    status = facts.status
    info = facts.info
    is_write = facts.method.upper() in ("POST", "PUT", "PATCH")
    if status == 401 or (info.kind is PathKind.TOKEN and 400 <= status < 500 and status != 429):
        return _authentication(facts)
    if status == 403:
        return _permission(facts)
    if status == 429:
        allowed = f" (the server allows {facts.allowed} per window)" if facts.allowed else ""
        budget = f" within the call's {facts.budget:g} s budget" if facts.budget else ""
        return (
            f"Genesys kept answering 429 Too Many Requests{budget} after {facts.attempts} attempt(s){allowed}: the "
            "limit is about 300 requests per minute per client-credentials token, shared by everything using "
            "this OAuth client. Nothing was applied; retry later, lower concurrency, or give replays a larger budget."
        )
    if status >= 500:
        return (
            f"Genesys answered {status} on every attempt{' within the budget' if facts.budget else ''}: likely a "
            "transient outage or overload on its side. It is safe to retry later; if it persists, give Genesys "
            f"support the correlation id{f' {facts.correlation_id}' if facts.correlation_id else ''}."
        )
    mistake = _path_mistake(facts) if is_write or status == 404 else None
    if mistake:
        return mistake
    patch_without_wrapup = info.kind is PathKind.PARTICIPANT and facts.sent_code is None
    if info.is_wrapup_write_shape and is_write and not patch_without_wrapup:
        name = _code_name_mistake(facts)
        if name:
            return name
        return _wrapup_rejection(facts)
    if status == 404:
        return _not_found(facts)
    message = f" Genesys says: {facts.message.rstrip('.')}." if facts.message else ""
    return (
        f"Genesys rejected {facts.method.upper()} {facts.path} with {status} {facts.code or ''}".rstrip()
        + f".{message} Check the request's ids and parameters against the API reference."
    )
