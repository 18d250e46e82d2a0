"""API Gateway proxy events as the Lambda handler receives them (REST API v1 and HTTP API v2), and a handler with
the live tests' secrets: shared by the Lambda, fuzz and bounded-input tests."""

from __future__ import annotations

import base64
from typing import Any

from tests.live.helpers import API_TOKEN, FIVE9_SECRET, TWILIO_TOKEN
from wrapup_bridge.live import Bridge, LambdaHandler
from wrapup_bridge.live.endpoints import Endpoints

DOMAIN = "abc123.execute-api.us-east-1.amazonaws.com"


def handler_for(bridge: Bridge, public_url: str | None = None) -> LambdaHandler:
    endpoints = Endpoints(twilio_auth_token=TWILIO_TOKEN, five9_secret=FIVE9_SECRET, api_token=API_TOKEN)
    return LambdaHandler(bridge, endpoints, public_url=public_url)


def v1_event(
    path: str, body: bytes, headers: dict[str, str], *, query: dict[str, str] | None = None, b64: bool = True
) -> dict[str, Any]:
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": "POST",
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "requestContext": {"path": f"/prod{path}", "stage": "prod", "domainName": DOMAIN, "httpMethod": "POST"},
        "body": base64.b64encode(body).decode() if b64 else body.decode(),
        "isBase64Encoded": b64,
    }


def v2_event(
    path: str, body: bytes, headers: dict[str, str], *, raw_query: str = "", b64: bool = False
) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": f"/prod{path}",
        "rawQueryString": raw_query,
        "headers": {k.lower(): v for k, v in headers.items()},
        "requestContext": {"domainName": DOMAIN, "stage": "prod", "http": {"method": "POST", "path": f"/prod{path}"}},
        "body": base64.b64encode(body).decode() if b64 else body.decode(),
        "isBase64Encoded": b64,
    }
