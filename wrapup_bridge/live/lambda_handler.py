"""The disposition endpoints as an AWS Lambda function behind API Gateway (REST API v1 and HTTP API v2 events).

Same routes, authentication, size limit, refusals and answers as the webhook service: both hand an
``Incoming`` to ``endpoints.Endpoints``. Set the function's handler to
``wrapup_bridge.live.lambda_handler.handler``; the bridge and the endpoint secrets are built once per
container, on the first invocation, from the environment:

- ``GENESYSCLOUD_OAUTHCLIENT_ID`` / ``_SECRET`` / ``GENESYSCLOUD_REGION``: the Genesys org;
- ``WRAPUP_BRIDGE_MAPPING``: mapping table path(s), separated by commas (default: the shipped
  ``twilio-flex.yaml``);
- ``TWILIO_AUTH_TOKEN``, ``WRAPUP_BRIDGE_FIVE9_SECRET``, ``WRAPUP_BRIDGE_API_TOKEN``: each turns its endpoint on
  (``WRAPUP_BRIDGE_TWILIO_SHARED_KEY`` adds Twilio's SharedKey signing, as ``serve`` does);
- ``WRAPUP_BRIDGE_PUBLIC_URL``: the base URL Twilio calls (recommended: API Gateway stages and custom domains
  make the URL the function sees differ from the one Twilio signed);
- ``WRAPUP_BRIDGE_OUTBOX``: the outbox file (default ``/tmp/...``, which lives only as long as the container:
  mount EFS for an outbox that survives it); ``WRAPUP_BRIDGE_BUDGET``: seconds (default 8).

Event shapes (checked, so a malformed event is a 400 naming the key, never an exception): REST API and HTTP API
payload 1.0 (``httpMethod``, ``path``, ``headers``/``multiValueHeaders``, ``queryStringParameters``/
``multiValueQueryStringParameters``, each an object or null; ``body`` a string or null; ``isBase64Encoded``), and
payload 2.0 (``version: "2.0"``, ``rawPath``, ``rawQueryString``, ``cookies``, ``headers``, ``requestContext.http
.method``), which Lambda function URLs use too. Sources: "Create AWS Lambda proxy integrations for HTTP APIs"
(docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html, both formats),
"Invoking Lambda function URLs" (docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html, request payload), and
the ``APIGatewayProxyEvent``/``APIGatewayProxyEventV2`` types of DefinitelyTyped's ``aws-lambda``
(types/aws-lambda/trigger/api-gateway-proxy.d.ts: ``body: string | null``, ``queryStringParameters: ... | null``).

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
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode

from wrapup_bridge.live.endpoints import ROUTES, Endpoints, Incoming, Reply, public_target, request_url

if TYPE_CHECKING:
    from wrapup_bridge.live.bridge import Bridge

__all__ = ["LambdaHandler", "handler", "incoming_from_event"]

logger = logging.getLogger("wrapup_bridge.live.lambda")

LambdaEvent = Mapping[str, Any]

#: Query parameters read from one event (API Gateway bounds the request line; this bounds the parsing).
_MAX_QUERY_FIELDS = 1000


def _route(path: str) -> str:
    """The route a (possibly stage-prefixed) path ends with, or the path itself (answered 404)."""
    for route in ROUTES:
        if path == route or path.endswith(route):
            return route
    return path


class _BadEvent(Exception):
    """The event is not shaped as API Gateway or a function URL sends one; answered 400 naming the key."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.message = message
        self.key = key


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return names.get(type(value), "null" if value is None else type(value).__name__)


def _object(parent: Mapping[str, Any], key: str, where: str = "") -> Mapping[str, Any]:
    """``parent[key]`` as an object; absent or null (API Gateway sends null for no query parameters) is empty."""
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _BadEvent(f"'{where}{key}' is {_kind(value)}; API Gateway sends an object there", f"{where}{key}")
    return value


def _string(parent: Mapping[str, Any], key: str, where: str = "") -> str | None:
    value = parent.get(key)
    if value is None or isinstance(value, str):
        return value
    raise _BadEvent(f"'{where}{key}' is {_kind(value)}; API Gateway sends a string there", f"{where}{key}")


def _strings(mapping: Mapping[str, Any], key: str) -> dict[str, str]:
    """An object of string values (``headers``, ``queryStringParameters``); null values are left out."""
    out: dict[str, str] = {}
    for name, value in _object(mapping, key).items():
        if value is None:
            continue
        if not isinstance(value, str):
            raise _BadEvent(f"'{key}.{name}' is {_kind(value)}; API Gateway sends strings there", f"{key}.{name}")
        out[str(name)] = value
    return out


def _lists(mapping: Mapping[str, Any], key: str) -> dict[str, list[str]]:
    """An object of string lists (``multiValueHeaders``, ``multiValueQueryStringParameters``)."""
    out: dict[str, list[str]] = {}
    for name, values in _object(mapping, key).items():
        if values is None:
            continue
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise _BadEvent(f"'{key}.{name}' is not a list of strings, as API Gateway sends there", f"{key}.{name}")
        out[str(name)] = values
    return out


def _headers(event: LambdaEvent) -> dict[str, str]:
    headers: dict[str, str] = {}
    for key, values in _lists(event, "multiValueHeaders").items():
        if values:
            headers[key.lower()] = values[0]
    for key, value in _strings(event, "headers").items():
        headers.setdefault(key.lower(), value)
    return headers


def _v1_query(event: LambdaEvent) -> str:
    multi = _lists(event, "multiValueQueryStringParameters")
    if multi:
        pairs = [(k, v) for k, values in multi.items() for v in values]
    else:
        pairs = list(_strings(event, "queryStringParameters").items())
    return urlencode(pairs)


def _body(event: LambdaEvent) -> bytes:
    text = event.get("body")
    if text is None:
        return b""
    if not isinstance(text, str):
        raise _BadEvent(
            f"'body' is {_kind(text)}; API Gateway sends the body as a string (base64 when isBase64Encoded)", "body"
        )
    encoded = event.get("isBase64Encoded")
    if encoded is not None and not isinstance(encoded, bool):
        raise _BadEvent(f"'isBase64Encoded' is {_kind(encoded)}, not true or false", "isBase64Encoded")
    try:
        if encoded:
            return base64.b64decode(text, validate=True)
        return text.encode("utf-8")
    except (binascii.Error, ValueError):
        if encoded:
            raise _BadEvent("the body is marked base64 but is not valid base64", "body") from None
        raise _BadEvent("the body holds text that is not valid Unicode (a lone surrogate)", "body") from None


def _incoming(event: LambdaEvent, public_url: str | None) -> Incoming:
    context = _object(event, "requestContext")
    if event.get("version") == "2.0":  # HTTP API payload 2.0, and function URLs (which use the same format)
        http = _object(context, "http", "requestContext.")
        method = _string(http, "method", "requestContext.http.")
        raw_path = _string(event, "rawPath") or _string(http, "path", "requestContext.http.")
        raw_query = _string(event, "rawQueryString") or ""
    else:  # REST API, or HTTP API payload 1.0
        method = _string(event, "httpMethod")
        raw_path = _string(context, "path", "requestContext.") or _string(event, "path")
        raw_query = _v1_query(event)
    if not method or not raw_path:
        raise _BadEvent("not an API Gateway proxy event (no method or path)", "requestContext")
    headers = _headers(event)
    cookies = event.get("cookies")
    if cookies is not None:
        if not isinstance(cookies, list) or not all(isinstance(c, str) for c in cookies):
            raise _BadEvent("'cookies' is not a list of strings, as API Gateway sends", "cookies")
        headers.setdefault("cookie", "; ".join(cookies))
    body = _body(event)
    route = _route(raw_path)
    domain = _string(context, "domainName", "requestContext.") or headers.get("host") or ""
    # Twilio signs the URL it called: the stage-prefixed path on the API Gateway domain, or the public URL.
    url = request_url(public_url, "https", domain, route if public_url else raw_path, raw_query)
    return Incoming(
        method=method.upper(),
        path=route,
        url=url,
        headers=headers,
        query=parse_qs(raw_query, keep_blank_values=True, max_num_fields=_MAX_QUERY_FIELDS),
        body=body,
    )


def incoming_from_event(event: LambdaEvent, *, public_url: str | None = None) -> Incoming | Reply:
    """An API Gateway proxy event (v1 or v2, or a function URL's) as an ``Incoming``, or a 400 naming the key
    that is not shaped as API Gateway sends it (never an exception)."""
    if not isinstance(event, Mapping):
        return Reply(400, {"error": f"not an API Gateway proxy event: the event is {_kind(event)}", "field": None})
    try:
        return _incoming(event, public_url)
    except _BadEvent as exc:
        logger.warning("event refused -> 400: %s", exc.message)
        return Reply(400, {"error": exc.message, "field": exc.key})
    except ValueError as exc:  # parse_qs: more than _MAX_QUERY_FIELDS fields
        logger.warning("event refused -> 400: %s", exc)
        return Reply(400, {"error": f"unreadable query string: {exc}", "field": "queryStringParameters"})


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
        """Everything from the variables listed in the module docstring, read by ``services.settings.Settings``
        (of ``env`` when given, else of the process environment)."""
        from wrapup_bridge.live.bridge import Bridge
        from wrapup_bridge.live.defaults import DEFAULT_BUDGET, DEFAULT_MAPPING
        from wrapup_bridge.services.settings import Settings

        settings = Settings.from_env(env)
        mappings = list(settings.mappings) or [DEFAULT_MAPPING]
        budget = settings.budget or DEFAULT_BUDGET
        bridge = Bridge.from_env(mappings, budget=budget, env=settings.variables)
        secrets = settings.secrets
        endpoints = Endpoints(
            twilio_auth_token=secrets["twilio_auth_token"],
            twilio_shared_key=secrets["twilio_shared_key"],
            five9_secret=secrets["five9_secret"],
            api_token=secrets["api_token"],
            about={"target": public_target(bridge)},
        )
        return cls(bridge, endpoints, public_url=settings.public_url)


@functools.cache
def _from_environment() -> LambdaHandler:
    return LambdaHandler.from_env()


def handler(event: LambdaEvent, context: Any = None) -> dict[str, Any]:
    """The Lambda entry point: built from the environment on the first call, reused while the container lives.

    A function that cannot be built (credentials, mapping tables, a bad setting) answers 500 saying so, with the
    reason in one log line, and tries again on the next invocation (a fixed environment means a new container)."""
    from wrapup_bridge.core.mapping import MappingTableError
    from wrapup_bridge.genesys.settings import SettingsError

    try:
        built = _from_environment()
    except (SettingsError, MappingTableError, OSError, ValueError, RuntimeError) as exc:
        logger.error("the function is not configured: %s", exc)
        message = "the function is not configured; its log says why"
        return _response(Reply(500, {"error": message, "field": None}))
    return built(event, context)
