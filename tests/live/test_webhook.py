"""The webhook service over real HTTP: uvicorn on 127.0.0.1, the in-process emulator behind the bridge."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from tests.live.helpers import (
    API_TOKEN,
    FIVE9_MAPPING,
    FIVE9_SECRET,
    ORG,
    PAYMENT_TAKEN,
    RESOLVED,
    TWILIO_MAPPING,
    TWILIO_TOKEN,
    cid,
    cloud_event,
    emulator_bridge,
    fast_config,
    five9_variables,
    sign,
    signed_form,
    signed_json,
    task_attributes,
    taskrouter_form,
)
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.outcome import OutcomeKind
from wrapup_bridge.emulator import Emulator, FaultConfig
from wrapup_bridge.live import Bridge, Outbox, create_app
from wrapup_bridge.live.outbox import RetryPolicy
from wrapup_bridge.testing import served

SECRETS = {"twilio_auth_token": TWILIO_TOKEN, "five9_secret": FIVE9_SECRET, "api_token": API_TOKEN}


@pytest.fixture(scope="module")
def bridge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bridge]:
    outbox = tmp_path_factory.mktemp("webhook") / "outbox.sqlite"
    with emulator_bridge(outbox, mappings=[TWILIO_MAPPING, FIVE9_MAPPING]) as bridge:
        yield bridge


@pytest.fixture(scope="module")
def base_url(bridge: Bridge) -> Iterator[str]:
    app = create_app(bridge, twilio_auth_token=TWILIO_TOKEN, five9_secret=FIVE9_SECRET, api_token=API_TOKEN)
    with served(app) as url:
        yield url


@pytest.fixture(autouse=True)
def fresh_org(bridge: Bridge) -> None:
    assert bridge.emulator is not None
    bridge.emulator.reset()


def writes(bridge: Bridge) -> list[tuple[str, str | None]]:
    assert bridge.emulator is not None
    return [(w.conversation_id, w.code_id) for w in bridge.emulator.write_log]


def post(url: str, content: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(url, content=content, headers=headers, timeout=30)


# -- Twilio ---------------------------------------------------------------------------------------------------
def test_signed_taskrouter_callback_is_applied_and_answered_204(base_url: str, bridge: Bridge) -> None:
    url = f"{base_url}/twilio/taskrouter"
    body, headers = signed_form(url, taskrouter_form(21))
    response = post(url, body, headers)
    assert response.status_code == 204 and response.content == b""
    assert response.headers["x-wrapup-bridge-outcome"] == "applied"
    assert writes(bridge) == [(cid(21), RESOLVED)]


def test_one_parameter_changed_is_403(base_url: str, bridge: Bridge) -> None:
    url = f"{base_url}/twilio/taskrouter"
    params = taskrouter_form(22)
    signature = sign(url, params)
    tampered = {**params, "TaskAttributes": params["TaskAttributes"].replace("Resolved", "Escalation")}
    response = post(url, urlencode(tampered).encode(), _form_headers(signature))
    assert response.status_code == 403
    assert response.json()["field"] == "X-Twilio-Signature"
    assert writes(bridge) == []


def test_signature_for_another_url_is_403(base_url: str) -> None:
    url = f"{base_url}/twilio/taskrouter"
    params = taskrouter_form(22)
    response = post(url, urlencode(params).encode(), _form_headers(sign(f"{url}?x=1", params)))
    assert response.status_code == 403


def test_missing_signature_is_403_before_the_body_is_read(base_url: str) -> None:
    url = f"{base_url}/twilio/taskrouter"
    response = post(url, urlencode(taskrouter_form(22)).encode(), {"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 403
    assert response.json() == {"error": response.json()["error"], "field": "X-Twilio-Signature"}
    assert "missing" in response.json()["error"]


def test_json_variant_with_body_hash(base_url: str, bridge: Bridge) -> None:
    full, body, headers = signed_json(f"{base_url}/twilio/taskrouter", taskrouter_form(23))
    response = post(full, body, headers)
    assert response.status_code == 204 and response.headers["x-wrapup-bridge-outcome"] == "applied"
    # The same body with one byte changed no longer matches its hash.
    assert post(full, body.replace(b"Resolved", b"Resolvee"), headers).status_code == 403
    assert writes(bridge) == [(cid(23), RESOLVED)]


def test_event_streams_delivers_an_array_of_cloudevents(base_url: str, bridge: Bridge) -> None:
    """Event Streams webhook sinks POST a JSON array of CloudEvents, signed like any JSON body (bodySHA256 in the
    URL): each event is applied on its own; those that are not dispositions are counted as ignored."""
    events = [cloud_event(28), cloud_event(29, kind="task.created")]
    full, body, headers = signed_json(f"{base_url}/twilio/taskrouter", events)
    response = post(full, body, headers)
    assert response.status_code == 204, response.text
    assert response.headers["x-wrapup-bridge-outcome"] == "applied=1,ignored=1"
    assert writes(bridge) == [(cid(28), RESOLVED)]
    # Unsigned, or the array changed after signing: refused before anything is applied.
    assert post(full, body.replace(b"Resolved", b"Resolvee"), headers).status_code == 403
    assert post(full, body, {"Content-Type": "application/json"}).status_code == 403
    assert writes(bridge) == [(cid(28), RESOLVED)]


def test_an_array_with_a_non_object_is_400_naming_the_item(base_url: str) -> None:
    full, body, headers = signed_json(f"{base_url}/twilio/taskrouter", [cloud_event(28), 5])
    response = post(full, body, headers)
    assert response.status_code == 400 and response.json()["field"] == "[1]"


def test_events_without_a_disposition_are_acknowledged_and_ignored(base_url: str, bridge: Bridge) -> None:
    url = f"{base_url}/twilio/taskrouter"
    body, headers = signed_form(url, taskrouter_form(24, event="task.created"))
    response = post(url, body, headers)
    assert response.status_code == 204 and response.headers["x-wrapup-bridge-outcome"] == "ignored"
    assert bridge.emulator is not None and bridge.emulator.requests == {}


def test_unreadable_event_is_400_naming_the_field(base_url: str) -> None:
    url = f"{base_url}/twilio/taskrouter"
    body, headers = signed_form(url, {**taskrouter_form(24), "TaskAttributes": "{not json"})
    response = post(url, body, headers)
    assert response.status_code == 400
    assert response.json()["field"] == "TaskAttributes"


def _form_headers(signature: str) -> dict[str, str]:
    return {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}


# -- size and shape -------------------------------------------------------------------------------------------
def test_declared_oversized_body_is_413(base_url: str) -> None:
    response = post(f"{base_url}/v1/dispositions", b"x" * (64 * 1024 + 1), _bearer())
    assert response.status_code == 413 and response.json()["field"] == "body"


def test_streamed_oversized_body_without_length_is_413(base_url: str) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(80):
            yield b"y" * 1024

    url = f"{base_url}/twilio/taskrouter"
    # Signed (the header is there), so the body is read, and refused once it passes the limit.
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "unchecked-yet"}
    response = httpx.post(url, content=chunks(), headers=headers)
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert response.status_code == 413


def test_unknown_content_type_wrong_method_unknown_path(base_url: str) -> None:
    assert post(f"{base_url}/v1/dispositions", b"hi", {**_bearer(), "Content-Type": "text/plain"}).status_code == 415
    wrong_method = httpx.get(f"{base_url}/twilio/taskrouter")
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "POST"
    assert httpx.post(f"{base_url}/twilio/other").status_code == 404


def test_healthz_says_what_it_serves_and_no_secret(base_url: str) -> None:
    response = httpx.get(f"{base_url}/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and "emulator" in body["target"]
    assert body["endpoints"] == ["/twilio/taskrouter", "/five9/disposition", "/v1/dispositions"]
    assert not any(secret in response.text for secret in SECRETS.values())


# -- Five9 ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["header", "query"])
def test_five9_with_the_shared_secret(base_url: str, bridge: Bridge, how: str) -> None:
    url = f"{base_url}/five9/disposition"
    headers = {"Content-Type": "application/json"}
    if how == "header":
        headers["X-Wrapup-Bridge-Secret"] = FIVE9_SECRET
    else:
        url += f"?secret={FIVE9_SECRET}"
    response = post(url, json.dumps(five9_variables(1)).encode(), headers)
    assert response.status_code == 200, response.text
    assert response.json()["kind"] == "applied" and response.json()["code"]["id"] == PAYMENT_TAKEN
    assert writes(bridge) == [(cid(1), PAYMENT_TAKEN)]


def test_five9_form_body(base_url: str, bridge: Bridge) -> None:
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Wrapup-Bridge-Secret": FIVE9_SECRET}
    response = post(f"{base_url}/five9/disposition", urlencode(five9_variables(2)).encode(), headers)
    # Conversation 2's after-call work timed out in the demo org: the write replaces ININ-WRAP-UP-TIMEOUT.
    assert response.status_code == 200 and response.json()["kind"] == "replaced-system-code"


def test_five9_with_a_wrong_secret_is_403(base_url: str, bridge: Bridge) -> None:
    headers = {"Content-Type": "application/json", "X-Wrapup-Bridge-Secret": "guess"}
    response = post(f"{base_url}/five9/disposition", json.dumps(five9_variables(1)).encode(), headers)
    assert response.status_code == 403 and "guess" not in response.text
    assert writes(bridge) == []


# -- generic JSON ---------------------------------------------------------------------------------------------
def _bearer(token: str = API_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def test_generic_disposition_object(base_url: str, bridge: Bridge) -> None:
    record = Disposition(source="twilio", source_id="WT1", conversation_id=cid(25), code="Resolved")
    response = post(f"{base_url}/v1/dispositions", record.model_dump_json().encode(), _bearer())
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "applied" and body["conversation_id"] == cid(25) and body["outbox_state"] == "done"
    assert writes(bridge) == [(cid(25), RESOLVED)]


def test_generic_event_with_conversation_override(base_url: str, bridge: Bridge) -> None:
    event = {"source": "twilio", "payload": taskrouter_form(26), "conversation_id": cid(27)}
    response = post(f"{base_url}/v1/dispositions", json.dumps(event).encode(), _bearer())
    assert response.status_code == 200 and response.json()["conversation_id"] == cid(27)
    assert writes(bridge) == [(cid(27), RESOLVED)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{oops", "body"),
        (b"[1, 2]", "body"),
        (json.dumps({"source": "twilio", "source_id": "WT1"}).encode(), "code"),
        (json.dumps({"source": "twilio", "payload": "not an object"}).encode(), "payload"),
        (json.dumps({"payload": {}}).encode(), "source"),
        (json.dumps({"source": "twilio", "payload": {"x": 1}, "conversation_id": 5}).encode(), "conversation_id"),
    ],
)
def test_generic_malformed_is_400_naming_the_field(base_url: str, body: bytes, field: str) -> None:
    response = post(f"{base_url}/v1/dispositions", body, _bearer())
    assert response.status_code == 400
    assert response.json()["field"] == field


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {API_TOKEN}"}])
def test_generic_without_the_token_is_403(base_url: str, headers: dict[str, str]) -> None:
    record = Disposition(source="twilio", source_id="WT1", conversation_id=cid(25), code="Resolved")
    response = post(
        f"{base_url}/v1/dispositions",
        record.model_dump_json().encode(),
        {"Content-Type": "application/json", **headers},
    )
    assert response.status_code == 403 and response.json()["field"] == "Authorization"


def test_generic_queued_is_202(tmp_path: Path) -> None:
    # Genesys unreachable (nothing listens on the discard port): the disposition waits in the outbox.
    env = {
        "GENESYSCLOUD_OAUTHCLIENT_ID": "demo-client",
        "GENESYSCLOUD_OAUTHCLIENT_SECRET": "demo-secret",
        "GENESYSCLOUD_API_BASE": "http://127.0.0.1:9",
    }
    with (
        Bridge.from_env(TWILIO_MAPPING, outbox=tmp_path / "o.sqlite", env=env, budget=1.0, max_attempts=2) as bridge,
        served(create_app(bridge, api_token=API_TOKEN)) as url,
    ):
        record = Disposition(source="twilio", source_id="WT1", conversation_id=cid(25), code="Resolved")
        response = post(f"{url}/v1/dispositions", record.model_dump_json().encode(), _bearer())
        assert response.status_code == 202
        assert response.json()["kind"] == "queued" and response.json()["outbox_state"] == "pending"
        # Endpoints whose secret is not set are off, not open.
        assert post(f"{url}/five9/disposition", b"{}", {"Content-Type": "application/json"}).status_code == 404


# -- proxies --------------------------------------------------------------------------------------------------
def test_public_url_is_what_the_signature_covers(bridge: Bridge) -> None:
    public = "https://hooks.example.com/bridge"
    with served(create_app(bridge, public_url=public, twilio_auth_token=TWILIO_TOKEN)) as url:
        params = taskrouter_form(28)
        signed_public = _form_headers(sign(f"{public}/twilio/taskrouter", params))
        signed_local = _form_headers(sign(f"{url}/twilio/taskrouter", params))
        assert post(f"{url}/twilio/taskrouter", urlencode(params).encode(), signed_local).status_code == 403
        assert post(f"{url}/twilio/taskrouter", urlencode(params).encode(), signed_public).status_code == 204


def test_forwarded_headers_only_when_trusted(bridge: Bridge) -> None:
    params = taskrouter_form(29)
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "hooks.example.com"}
    headers = {**_form_headers(sign("https://hooks.example.com/twilio/taskrouter", params)), **forwarded}
    for trusted, expected in ((False, 403), (True, 204)):
        with served(create_app(bridge, trust_forwarded=trusted, twilio_auth_token=TWILIO_TOKEN)) as url:
            assert post(f"{url}/twilio/taskrouter", urlencode(params).encode(), headers).status_code == expected


# -- secrets stay secret --------------------------------------------------------------------------------------
def test_secrets_never_reach_logs_answers_or_errors(
    base_url: str, bridge: Bridge, caplog: pytest.LogCaptureFixture
) -> None:
    sent_wrong = ["wrong-five9-7e21", "wrong-token-a3f0"]
    answers: list[str] = []
    with caplog.at_level(logging.DEBUG):
        url = f"{base_url}/twilio/taskrouter"
        for params in (taskrouter_form(30), taskrouter_form(30, event="task.created"), {"TaskSid": "WT1"}):
            body, headers = signed_form(url, params)
            answers.append(post(url, body, headers).text)
        answers.append(post(url, b"TaskSid=WT1", _form_headers("bogus")).text)
        five9 = f"{base_url}/five9/disposition"
        for secret in (FIVE9_SECRET, sent_wrong[0]):
            answers.append(post(f"{five9}?secret={secret}", b"{bad", {"Content-Type": "application/json"}).text)
            body = json.dumps(five9_variables(3)).encode()
            answers.append(post(f"{five9}?secret={secret}", body, {"Content-Type": "application/json"}).text)
        for token in (API_TOKEN, sent_wrong[1]):
            answers.append(post(f"{base_url}/v1/dispositions", b"{}", _bearer(token)).text)
    # The test's own HTTP client logs the URLs it calls (query secret included); everything else is the server's.
    server_side = [
        r for r in caplog.records if not (r.threadName == "MainThread" and r.name.startswith(("httpx", "httpcore")))
    ]
    assert any(r.name.startswith("uvicorn") or r.name.startswith("wrapup_bridge") for r in server_side)
    texts = [
        *(r.getMessage() for r in server_side),
        *(str(r.exc_info[1]) for r in server_side if r.exc_info),
        *answers,
        repr(bridge),
    ]
    for secret in [*SECRETS.values(), *sent_wrong]:
        for text in texts:
            assert secret not in text
    messages = [r.getMessage() for r in server_side]
    assert any(m.startswith("POST /five9/disposition -> 200 applied") for m in messages)  # outcomes are logged


def test_background_drainer_delivers_queued_rows(tmp_path: Path) -> None:
    class Gate:
        slow = True

        async def __call__(self, seconds: float) -> None:
            if self.slow:
                await asyncio.sleep(seconds)

    gate = Gate()
    emulator = Emulator.from_file(ORG, fast_config(faults=FaultConfig(latency_ms=400)), sleep=gate)
    outbox = Outbox(tmp_path / "o.sqlite", retry=RetryPolicy(initial=0.0))
    with Bridge.for_emulator(emulator, TWILIO_MAPPING, outbox=outbox, budget=0.3) as bridge:
        assert bridge.apply_event("twilio", task_attributes(35)).kind is OutcomeKind.QUEUED
        gate.slow = False
        with served(create_app(bridge, api_token=API_TOKEN, drain_interval=0.05)):
            deadline = time.monotonic() + 20
            while outbox.counts()["done"] == 0 and time.monotonic() < deadline:
                time.sleep(0.02)
        assert outbox.counts()["done"] == 1
    assert [w.code_id for w in emulator.write_log] == [RESOLVED]
