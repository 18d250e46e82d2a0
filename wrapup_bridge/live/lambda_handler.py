"""The disposition endpoints as an AWS Lambda function behind API Gateway (REST API v1 and HTTP API v2 events).

Same routes, authentication, size limit, refusals and answers as the webhook service: both hand an
``Incoming`` to ``endpoints.Endpoints``. Set the function's handler to
``wrapup_bridge.live.lambda_handler.handler``; the bridge and the endpoint secrets are built once per
container, on the first invocation, from the environment:

- ``GENESYSCLOUD_OAUTHCLIENT_ID`` / ``_SECRET`` / ``GENESYSCLOUD_REGION``: the Genesys org;
- ``WRAPUP_BRIDGE_MAPPING``: mapping table path(s), separated by commas (default ``mappings/twilio-flex.yaml``);
- ``TWILIO_AUTH_TOKEN``, ``WRAPUP_BRIDGE_FIVE9_SECRET``, ``WRAPUP_BRIDGE_API_TOKEN``: each turns its endpoint on;
- ``WRAPUP_BRIDGE_PUBLIC_URL``: the base URL Twilio calls (recommended: API Gateway stages and custom domains
  make the URL the function sees differ from the one Twilio signed);
- ``WRAPUP_BRIDGE_OUTBOX``: the outbox file (default ``/tmp/...``, which lives only as long as the container:
  mount EFS for an outbox that survives it); ``WRAPUP_BRIDGE_BUDGET``: seconds (default 8).

Routing matches the end of the path, so stage prefixes (``/prod/twilio/taskrouter``) and base-path mappings
need no configuration. Without a public URL the signed URL is rebuilt as ``https://{domainName}{path}?{query}``;
REST API v1 events carry the query string only decoded, so it is re-encoded (``bodySHA256`` and plain values
survive that exactly; unusual encodings may not), while HTTP API v2 events carry it raw.
"""

from __future__ import annotations

import base64
import binascii
import functools
import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode

from wrapup_bridge.live.endpoints import ROUTES, Endpoints, Incoming, Reply, request_url

if TYPE_CHECKING:
    from wrapup_bridge.live.bridge import Bridge

__all__ = ["LambdaHandler", "handler", "incoming_from_event"]

logger = logging.getLogger("wrapup_bridge.live.lambda")

LambdaEvent = Mapping[str, Any]


def _route(path: str) -> str:
    """The route a (possibly stage-prefixed) path ends with, or the path itself (answered 404)."""
    for route in ROUTES:
        if path == route or path.endswith(route):
            return route
    return path


def _headers(event: LambdaEvent) -> dict[str, str]:
    headers: dict[str, str] = {}
    multi = event.get("multiValueHeaders") or {}
    for key, values in multi.items():
        if isinstance(values, list) and values:
            headers[str(key).lower()] = str(values[0])
    for key, value in (event.get("headers") or {}).items():
        headers.setdefault(str(key).lower(), str(value))
    return headers


def _v1_query(event: LambdaEvent) -> str:
    multi = event.get("multiValueQueryStringParameters")
    if isinstance(multi, Mapping) and multi:
        pairs = [(str(k), str(v)) for k, values in multi.items() for v in (values or [])]
    else:
        pairs = [(str(k), str(v)) for k, v in (event.get("queryStringParameters") or {}).items()]
    return urlencode(pairs)


def incoming_from_event(event: LambdaEvent, *, public_url: str | None = None) -> Incoming | Reply:
    """An API Gateway proxy event (v1 or v2) as an ``Incoming``, or a 400 when it is not one."""
    if not isinstance(event, Mapping):
        return Reply(400, {"error": "not an API Gateway proxy event", "field": None})
    context = event.get("requestContext") or {}
    if event.get("version") == "2.0":
        http = context.get("http") or {}
        method, raw_path = http.get("method"), event.get("rawPath") or http.get("path")
        raw_query = str(event.get("rawQueryString") or "")
    else:
        method, raw_path = event.get("httpMethod"), context.get("path") or event.get("path")
        raw_query = _v1_query(event)
    if not isinstance(method, str) or not isinstance(raw_path, str):
        return Reply(400, {"error": "not an API Gateway proxy event (no method or path)", "field": None})
    headers = _headers(event)
    if "cookies" in event and "cookie" not in headers:
        headers["cookie"] = "; ".join(str(c) for c in event.get("cookies") or [])
    body_text = event.get("body") or ""
    try:
        body = base64.b64decode(body_text, validate=True) if event.get("isBase64Encoded") else body_text.encode()
    except (binascii.Error, ValueError):
        return Reply(400, {"error": "the body is marked base64 but is not valid base64", "field": "body"})
    route = _route(raw_path)
    domain = str(context.get("domainName") or headers.get("host") or "")
    # Twilio signs the URL it called: the stage-prefixed path on the API Gateway domain, or the public URL.
    url = request_url(public_url, "https", domain, route if public_url else raw_path, raw_query)
    return Incoming(
        method=method.upper(),
        path=route,
        url=url,
        headers=headers,
        query=parse_qs(raw_query, keep_blank_values=True),
        body=body,
    )


def _response(reply: Reply) -> dict[str, Any]:
    return {
        "statusCode": reply.status,
        "headers": reply.all_headers(),
        "body": reply.content().decode("utf-8"),
        "isBase64Encoded": False,
    }


class LambdaHandler:
    """``handler(event, context)`` for one bridge and one set of endpoint secrets (the Lambda argument order)."""

    def __init__(self, bridge: Bridge, endpoints: Endpoints, *, public_url: str | None = None) -> None:
        self.bridge = bridge
        self.endpoints = endpoints
        self.public_url = public_url

    def __call__(self, event: LambdaEvent, context: Any = None) -> dict[str, Any]:
        incoming = incoming_from_event(event, public_url=self.public_url)
        if isinstance(incoming, Reply):
            return _response(incoming)
        try:
            reply = self.endpoints.handle(self.bridge, incoming)
        except Exception:
            logger.exception("%s %s -> 500: unexpected error", incoming.method, incoming.path)
            reply = Reply(500, {"error": "internal error; the function log has the details", "field": None})
        return _response(reply)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LambdaHandler:
        """Everything from the environment variables listed in the module docstring."""
        from wrapup_bridge.live.bridge import Bridge
        from wrapup_bridge.live.defaults import DEFAULT_BUDGET, DEFAULT_MAPPING

        source = os.environ if env is None else env
        mappings = [m.strip() for m in source.get("WRAPUP_BRIDGE_MAPPING", DEFAULT_MAPPING).split(",") if m.strip()]
        budget_text = source.get("WRAPUP_BRIDGE_BUDGET", "").strip()
        try:
            budget = float(budget_text) if budget_text else DEFAULT_BUDGET
        except ValueError:
            raise ValueError(f"WRAPUP_BRIDGE_BUDGET: {budget_text!r} is not a number of seconds") from None
        bridge = Bridge.from_env(mappings, budget=budget, env=source)
        endpoints = Endpoints(
            twilio_auth_token=source.get("TWILIO_AUTH_TOKEN") or None,
            five9_secret=source.get("WRAPUP_BRIDGE_FIVE9_SECRET") or None,
            api_token=source.get("WRAPUP_BRIDGE_API_TOKEN") or None,
            about={"target": bridge.description},
        )
        return cls(bridge, endpoints, public_url=source.get("WRAPUP_BRIDGE_PUBLIC_URL") or None)


@functools.cache
def _from_environment() -> LambdaHandler:
    return LambdaHandler.from_env()


def handler(event: LambdaEvent, context: Any = None) -> dict[str, Any]:
    """The Lambda entry point: built from the environment on the first call, reused while the container lives."""
    return _from_environment()(event, context)
