"""The Starlette app: Genesys's paths wired to their handlers, plus the emulator's own /_emulator/ endpoints.

Routes are registered per media (calls, callbacks, ...) rather than with a path variable, so that only the
media paths Genesys really has exist, and request counters name the endpoint the way a person reads it.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from wrapup_bridge.emulator import analytics, analytics_jobs, analytics_query, conversations, outbound, routing, users
from wrapup_bridge.emulator.config import EmulatorConfig
from wrapup_bridge.emulator.errors import error_body
from wrapup_bridge.emulator.gateway import ApiEndpoint, Call, Handler, Permissions, TokenEndpoint
from wrapup_bridge.emulator.org import Org
from wrapup_bridge.emulator.runtime import Clock, Runtime, Sleep

__all__ = ["create_app", "runtime_of"]

_CONVERSATION_VIEW = Permissions("ANY", ("conversation:communication:view",))
_WRAPUP_WRITE = Permissions("ANY", ("conversation:participant:wrapup",))
_PARTICIPANT_PATCH = Permissions(
    "ANY", ("conversation:participant:wrapup", "conversation:call:record", "conversation:communication:disconnect")
)
_EMAIL_PATCH = Permissions("ANY", (*_PARTICIPANT_PATCH.names, "conversation:email:park"))
_CODES_VIEW = Permissions("ALL", ("routing:wrapupCode:view",))
_QUEUES_VIEW_ANY = Permissions("ANY", ("routing:queue:view",))
_QUEUES_VIEW_ALL = Permissions("ALL", ("routing:queue:view",))
_ANALYTICS = Permissions("ANY", ("analytics:conversationDetail:view", "analytics:agentConversationDetail:view"))
#: GET .../details/jobs/availability: "Requires ANY permissions: analytics:conversationDetail:view" (the SDK docs).
_ANALYTICS_AVAILABILITY = Permissions("ANY", ("analytics:conversationDetail:view",))

#: Media path segments of each per-media endpoint family, as PureCloudPlatformClientV2 269.0.0 has them
#: (screenshares/cobrowsesessions and the removed chats are not emulated).
_POST_WRAPUP_MEDIA = ("calls", "callbacks", "emails", "messages", "socials", "videos")
_GET_COMMUNICATION_WRAPUP_MEDIA = ("calls", "callbacks", "emails", "messages", "socials", "videos")
_GET_PARTICIPANT_MEDIA = ("calls", "callbacks", "emails", "messages")
_PATCH_PARTICIPANT_MEDIA = ("calls", "callbacks", "emails", "messages")
#: GET /api/v2/conversations/{media}/{id}: the media views (no permission listed in the SDK docs).
_MEDIA_VIEWS = ("calls", "callbacks", "emails", "messages")

_P = "/api/v2/conversations/{conversationId}/participants/{participantId}"


def _with_media(handler: Handler, segment: str) -> Handler:
    async def bound(call: Call) -> tuple[int, Any]:
        call.params["media"] = segment
        return await handler(call)

    return bound


def _routes(rt: Runtime) -> list[BaseRoute]:
    routes: list[BaseRoute] = [Route("/oauth/token", TokenEndpoint(rt), methods=["POST"])]

    def api(method: str, path: str, handler: Handler, permissions: Permissions | None) -> None:
        routes.append(Route(path, ApiEndpoint(rt, method, path, handler, permissions), methods=[method]))

    api("GET", "/api/v2/routing/wrapupcodes", routing.list_wrapupcodes, _CODES_VIEW)
    api("GET", "/api/v2/routing/wrapupcodes/{codeId}", routing.get_wrapupcode, _CODES_VIEW)
    api("GET", "/api/v2/routing/queues", routing.list_queues, _QUEUES_VIEW_ANY)
    api("GET", "/api/v2/routing/queues/{queueId}", routing.get_queue, _QUEUES_VIEW_ANY)
    api("GET", "/api/v2/routing/queues/{queueId}/wrapupcodes", routing.list_queue_wrapupcodes, _QUEUES_VIEW_ALL)

    api("GET", "/api/v2/users", users.list_users, None)
    api("GET", "/api/v2/users/{userId}", users.get_user, None)

    api("GET", "/api/v2/conversations/{conversationId}", conversations.get_conversation, _CONVERSATION_VIEW)
    for media in _MEDIA_VIEWS:
        api(
            "GET",
            f"/api/v2/conversations/{media}/{{conversationId}}",
            _with_media(conversations.get_media_conversation, media),
            None,
        )
    api("GET", f"{_P}/wrapup", conversations.get_participant_wrapup, None)
    api("GET", f"{_P}/wrapupcodes", conversations.get_participant_wrapupcodes, None)
    api("PATCH", _P, conversations.patch_participant, _PARTICIPANT_PATCH)
    for media in _GET_PARTICIPANT_MEDIA:
        base = f"/api/v2/conversations/{media}/{{conversationId}}/participants/{{participantId}}"
        api("GET", f"{base}/wrapup", _with_media(conversations.get_participant_wrapup, media), None)
        api("GET", f"{base}/wrapupcodes", _with_media(conversations.get_participant_wrapupcodes, media), None)
    for media in _PATCH_PARTICIPANT_MEDIA:
        base = f"/api/v2/conversations/{media}/{{conversationId}}/participants/{{participantId}}"
        permissions = _EMAIL_PATCH if media == "emails" else _PARTICIPANT_PATCH
        api("PATCH", base, _with_media(conversations.patch_participant, media), permissions)
    for media in _GET_COMMUNICATION_WRAPUP_MEDIA:
        path = (
            f"/api/v2/conversations/{media}/{{conversationId}}/participants/{{participantId}}"
            "/communications/{communicationId}/wrapup"
        )
        api("GET", path, _with_media(conversations.get_communication_wrapup, media), None)
    for media in _POST_WRAPUP_MEDIA:
        path = (
            f"/api/v2/conversations/{media}/{{conversationId}}/participants/{{participantId}}"
            "/communications/{communicationId}/wrapup"
        )
        api("POST", path, _with_media(conversations.post_communication_wrapup, media), _WRAPUP_WRITE)

    api("GET", "/api/v2/analytics/conversations/details", analytics.get_details, _ANALYTICS)
    api("POST", "/api/v2/analytics/conversations/details/query", analytics_query.post_details_query, _ANALYTICS)
    jobs = "/api/v2/analytics/conversations/details/jobs"
    api("POST", jobs, analytics_jobs.post_details_job, _ANALYTICS)
    # Before {jobId}, which "availability" would otherwise match.
    api("GET", f"{jobs}/availability", analytics_jobs.get_details_jobs_availability, _ANALYTICS_AVAILABILITY)
    api("GET", f"{jobs}/{{jobId}}", analytics_jobs.get_details_job, _ANALYTICS)
    api("DELETE", f"{jobs}/{{jobId}}", analytics_jobs.delete_details_job, _ANALYTICS)
    api("GET", f"{jobs}/{{jobId}}/results", analytics_jobs.get_details_job_results, _ANALYTICS)
    api(
        "GET",
        "/api/v2/analytics/conversations/{conversationId}/details",
        analytics.get_conversation_details,
        _ANALYTICS,
    )
    api("GET", outbound.PATH, outbound.get_wrapupcode_mappings, Permissions("ANY", (outbound.VIEW_PERMISSION,)))
    api("PUT", outbound.PATH, outbound.put_wrapupcode_mappings, Permissions("ANY", (outbound.EDIT_PERMISSION,)))

    async def writes(request: Request) -> Response:
        with rt.lock:
            records = [record.to_json() for record in rt.write_log]
        return JSONResponse({"writes": records})

    async def stats(request: Request) -> Response:
        with rt.lock:
            return JSONResponse(rt.stats.to_json())

    async def reset(request: Request) -> Response:
        rt.reset()
        return JSONResponse({"reset": True})

    routes += [
        Route("/_emulator/writes", writes, methods=["GET"]),
        Route("/_emulator/stats", stats, methods=["GET"]),
        Route("/_emulator/reset", reset, methods=["POST"]),
    ]
    return routes


def create_app(
    org: Org,
    config: EmulatorConfig | None = None,
    *,
    clock: Clock | None = None,
    sleep: Sleep | None = None,
) -> Starlette:
    """The emulator as an ASGI app for ``org``; ``config`` defaults to the org file's ``emulator:`` section.

    ``clock`` (a ``core.clock.Clock``) and ``sleep`` are injectable so tests can move time and observe latency without
    waiting. The app's runtime state is reachable with ``runtime_of(app)``.
    """
    effective = config or org.emulator_config or EmulatorConfig()
    kwargs: dict[str, Any] = {}
    if clock is not None:
        kwargs["clock"] = clock
    if sleep is not None:
        kwargs["sleep"] = sleep
    rt = Runtime(org, effective, **kwargs)

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        correlation_id = str(uuid.uuid4())
        if status == 405:
            body = error_body(405, "method.not.allowed", f"HTTP {request.method} is not supported by this path",
                              context_id=correlation_id)  # fmt: skip
        else:
            body = error_body(status, "not.found", "HTTP 404 Not Found", context_id=correlation_id)
        with rt.lock:
            rt.stats.count("(no such endpoint)", status)
        return JSONResponse(body, status_code=status, headers={"ININ-Correlation-Id": correlation_id})

    app = Starlette(routes=_routes(rt), exception_handlers={404: http_error, 405: http_error})
    app.state.runtime = rt
    return app


def runtime_of(app: Starlette) -> Runtime:
    """The runtime state behind an app made by ``create_app``."""
    rt = app.state.runtime
    assert isinstance(rt, Runtime)
    return rt
