"""Input no caller can use to crash or probe the live surfaces: deep JSON, malformed Lambda events, paths in answers.

Every route refuses JSON nested past ``core.limits.MAX_NESTING`` with a 400 naming the body (a 30,000-deep body
was a 500; 5,000 deep crashed the Lambda handler); a Lambda event that API Gateway would never send is a 400
naming the key, never an exception; and no answer shows a filesystem path (the outbox's is in the log only).
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live.helpers import (
    API_TOKEN,
    FIVE9_MAPPING,
    FIVE9_SECRET,
    TWILIO_MAPPING,
    TWILIO_TOKEN,
    cid,
    emulator_bridge,
    signed_json,
)
from tests.live.lambda_events import handler_for, v1_event, v2_event
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.limits import MAX_NESTING
from wrapup_bridge.live import Bridge, create_app
from wrapup_bridge.testing import served

BEARER = {"Authorization": f"Bearer {API_TOKEN}", "Content-Type": "application/json"}
FIVE9_JSON = {"Content-Type": "application/json", "X-Wrapup-Bridge-Secret": FIVE9_SECRET}


def deep_array(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def deep_object(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


@pytest.fixture(scope="module")
def bridge() -> Iterator[Bridge]:
    with emulator_bridge(mappings=[TWILIO_MAPPING, FIVE9_MAPPING]) as bridge:
        yield bridge


@pytest.fixture(scope="module")
def base_url(bridge: Bridge) -> Iterator[str]:
    app = create_app(bridge, twilio_auth_token=TWILIO_TOKEN, five9_secret=FIVE9_SECRET, api_token=API_TOKEN)
    with served(app) as url:
        yield url


def assert_nesting_refused(status: int, body: dict[str, Any]) -> None:
    assert status == 400, body
    assert body["field"] == "body" and f"nested more than {MAX_NESTING} levels" in body["error"]


# -- deep JSON ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [deep_array(MAX_NESTING + 1), deep_array(900), deep_array(5_000), deep_array(30_000), deep_object(9_000)],
    ids=["limit+1", "900", "5000", "30000", "object-9000"],
)
def test_deep_json_to_v1_dispositions_is_400(base_url: str, body: bytes) -> None:
    response = httpx.post(f"{base_url}/v1/dispositions", content=body, headers=BEARER, timeout=30)
    assert_nesting_refused(response.status_code, response.json())


def test_deep_and_too_big_is_413(base_url: str) -> None:
    response = httpx.post(f"{base_url}/v1/dispositions", content=deep_object(30_000), headers=BEARER, timeout=30)
    assert response.status_code == 413


def test_nesting_at_the_limit_is_read(base_url: str) -> None:
    """A body exactly MAX_NESTING deep is parsed and judged on its content (not a disposition: field 'code')."""
    value: Any = "x"
    for _ in range(MAX_NESTING - 2):  # inside the record (level 1) and its fields (level 2)
        value = [value]
    record = {"source": "twilio", "source_id": "WT1", "fields": {"deep": value}}
    response = httpx.post(f"{base_url}/v1/dispositions", json=record, headers=BEARER, timeout=30)
    assert response.status_code == 400 and response.json()["field"] == "code"


def test_deep_json_to_five9_is_400(base_url: str) -> None:
    response = httpx.post(f"{base_url}/five9/disposition", content=deep_object(9_000), headers=FIVE9_JSON)
    assert_nesting_refused(response.status_code, response.json())


@pytest.mark.parametrize("body", [deep_array(20_000), deep_object(3_000)])
def test_deep_json_to_twilio_is_400(base_url: str, body: bytes) -> None:
    """Signed as Twilio signs JSON (bodySHA256), an Event Streams array or an object: 400 before anything runs."""
    from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

    validator = RequestValidator(TWILIO_TOKEN)
    url = f"{base_url}/twilio/taskrouter?bodySHA256={validator.compute_hash(body.decode())}"
    headers = {"Content-Type": "application/json", "X-Twilio-Signature": validator.compute_signature(url, {})}
    response = httpx.post(url, content=body, headers=headers)
    assert_nesting_refused(response.status_code, response.json())


def test_deep_cloudevent_in_an_event_streams_array_is_400(base_url: str) -> None:
    event: Any = {"specversion": "1.0", "type": "com.twilio.taskrouter.task.completed"}
    for _ in range(MAX_NESTING):
        event = {"data": event}
    full, body, headers = signed_json(f"{base_url}/twilio/taskrouter", [event])
    response = httpx.post(full, content=body, headers=headers)
    assert_nesting_refused(response.status_code, response.json())


@pytest.mark.parametrize("version", ["v1", "v2"])
@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 5_000, 30_000])
def test_deep_json_to_the_lambda_handler_is_400(bridge: Bridge, version: str, depth: int) -> None:
    make = v1_event if version == "v1" else v2_event
    answer = handler_for(bridge)(make("/v1/dispositions", deep_array(depth), BEARER), None)
    assert_nesting_refused(answer["statusCode"], json.loads(answer["body"]))


# -- Lambda events API Gateway would never send -------------------------------------------------------------------
def _v2(**update: Any) -> dict[str, Any]:
    event = v2_event("/v1/dispositions", b"{}", BEARER)
    event.update(update)
    return {k: v for k, v in event.items() if v is not _DROP}


def _v1(**update: Any) -> dict[str, Any]:
    event = v1_event("/v1/dispositions", b"{}", BEARER)
    event.update(update)
    return {k: v for k, v in event.items() if v is not _DROP}


_DROP = object()


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (_v2(headers=["authorization", "x"]), "headers"),
        (_v2(headers="authorization: Bearer x"), "headers"),
        (_v2(headers={"authorization": ["Bearer", "x"]}), "headers.authorization"),
        (_v2(headers={"content-type": 5}), "headers.content-type"),
        (_v2(body={"source": "twilio"}), "body"),
        (_v2(body=12), "body"),
        (_v2(body=["x"]), "body"),
        (_v2(isBase64Encoded="yes"), "isBase64Encoded"),
        (_v2(body="%%% not base64", isBase64Encoded=True), "body"),
        (_v2(body="\ud800", isBase64Encoded=False), "body"),
        (_v2(requestContext="prod"), "requestContext"),
        (_v2(requestContext=_DROP), "requestContext"),
        (_v2(requestContext={"http": "POST"}), "requestContext.http"),
        (_v2(requestContext={"http": {"method": 5, "path": "/v1/dispositions"}}), "requestContext.http.method"),
        (_v2(rawPath=["/v1/dispositions"]), "rawPath"),
        (_v2(rawQueryString={"a": "b"}), "rawQueryString"),
        (_v2(cookies="a=b"), "cookies"),
        (_v2(cookies=[1, 2]), "cookies"),
        (_v1(multiValueHeaders=["x"]), "multiValueHeaders"),
        (_v1(multiValueHeaders={"authorization": "Bearer x"}), "multiValueHeaders.authorization"),
        (_v1(queryStringParameters=["a"]), "queryStringParameters"),
        (_v1(queryStringParameters={"a": {"b": "c"}}), "queryStringParameters.a"),
        (_v1(multiValueQueryStringParameters={"a": "b"}), "multiValueQueryStringParameters.a"),
        (_v1(httpMethod=None), "requestContext"),
        (_v1(httpMethod=["POST"]), "httpMethod"),
        (_v1(path=5, requestContext={}), "path"),
    ],
)
def test_malformed_lambda_events_are_400_naming_the_key(bridge: Bridge, event: dict[str, Any], field: str) -> None:
    answer = handler_for(bridge)(event, None)
    assert answer["statusCode"] == 400, answer
    assert set(answer) == {"statusCode", "headers", "body", "isBase64Encoded"}
    assert answer["headers"]["Content-Type"] == "application/json"
    body = json.loads(answer["body"])
    assert body["field"] == field and body["error"]


@pytest.mark.parametrize("event", [None, [], "GET /", 5, b"{}"])
def test_an_event_that_is_not_an_object_is_400(bridge: Bridge, event: Any) -> None:
    answer = handler_for(bridge)(event, None)
    assert answer["statusCode"] == 400 and "not an API Gateway proxy event" in json.loads(answer["body"])["error"]


def test_nulls_api_gateway_does_send_are_taken_as_empty(bridge: Bridge) -> None:
    """REST API events carry null for absent query parameters, headers of a console test, and a GET's body."""
    event = _v1(queryStringParameters=None, multiValueQueryStringParameters=None, multiValueHeaders=None)
    record = Disposition(source="twilio", source_id="WT1", conversation_id=cid(30), code="Resolved")
    event["body"] = base64.b64encode(record.model_dump_json().encode()).decode()
    assert handler_for(bridge)(event, None)["statusCode"] == 200
    health = _v1(httpMethod="GET", path="/healthz", requestContext=None, headers=None, body=None, isBase64Encoded=None)
    health["multiValueHeaders"] = None
    answer = handler_for(bridge)(health, None)
    assert answer["statusCode"] == 200 and json.loads(answer["body"])["status"] == "ok"


def test_a_function_that_cannot_be_built_answers_500_saying_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from wrapup_bridge.live import lambda_handler as module

    for name in ("GENESYSCLOUD_OAUTHCLIENT_ID", "GENESYSCLOUD_OAUTHCLIENT_SECRET", "GENESYSCLOUD_REGION"):
        monkeypatch.delenv(name, raising=False)
    module._from_environment.cache_clear()
    try:
        with caplog.at_level(logging.ERROR):
            answer = module.handler(v2_event("/v1/dispositions", b"{}", BEARER), None)
    finally:
        module._from_environment.cache_clear()
    assert answer["statusCode"] == 500 and "not configured" in json.loads(answer["body"])["error"]
    assert [r.getMessage().startswith("the function is not configured") for r in caplog.records] == [True]
    assert not any(r.exc_info for r in caplog.records)


# -- no filesystem path in any answer -----------------------------------------------------------------------------
UNREACHABLE = {
    "GENESYSCLOUD_OAUTHCLIENT_ID": "demo-client",
    "GENESYSCLOUD_OAUTHCLIENT_SECRET": "demo-secret",
    "GENESYSCLOUD_API_BASE": "http://127.0.0.1:9",  # discard port: nothing answers
}


def test_a_queued_answer_names_the_outbox_row_not_its_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    outbox = tmp_path / "private-dir" / "outbox.sqlite"
    with (
        Bridge.from_env(TWILIO_MAPPING, outbox=outbox, env=UNREACHABLE, budget=0.5, max_attempts=1) as bridge,
        served(create_app(bridge, api_token=API_TOKEN)) as url,
        caplog.at_level(logging.INFO),
    ):
        record = Disposition(source="twilio", source_id="WT1", conversation_id=cid(25), code="Resolved")
        response = httpx.post(f"{url}/v1/dispositions", content=record.model_dump_json(), headers=BEARER, timeout=30)
        health = httpx.get(f"{url}/healthz")
    assert response.status_code == 202
    body = response.json()
    assert body["kind"] == "queued" and body["outbox_id"] == 1 and "outbox row 1" in body["reason"]
    for text in (response.text, health.text):
        assert str(tmp_path) not in text and "private-dir" not in text and ".sqlite" not in text
    # The operator finds the file in the server log, beside the row id.
    assert any(f"outbox row 1 in {outbox}" in r.getMessage() for r in caplog.records)


def test_an_unwritable_outbox_is_not_shown_to_the_caller(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with (
        emulator_bridge(blocker / "outbox.sqlite") as bridge,
        served(create_app(bridge, api_token=API_TOKEN)) as url,
        caplog.at_level(logging.INFO),
    ):
        record = Disposition(source="twilio", source_id="WT2", conversation_id=cid(26), code="Resolved")
        applied = httpx.post(f"{url}/v1/dispositions", content=record.model_dump_json(), headers=BEARER, timeout=30)
        unmapped = record.model_copy(update={"source_id": "WT3", "code": "Nothing Maps This"})
        kept = httpx.post(f"{url}/v1/dispositions", content=unmapped.model_dump_json(), headers=BEARER, timeout=30)
        health = httpx.get(f"{url}/healthz")
    assert applied.status_code == 200 and applied.json()["kind"] == "applied"
    assert any("not recorded in the outbox" in w for w in applied.json()["warnings"])
    assert kept.status_code == 200 and any("not kept in the outbox" in w for w in kept.json()["warnings"])
    for text in (applied.text, kept.text, health.text):
        assert str(tmp_path) not in text and "a-file" not in text and "demo-org" not in text
    assert any(str(blocker) in r.getMessage() for r in caplog.records)  # the log says where and why
