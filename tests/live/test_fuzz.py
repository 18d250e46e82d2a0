"""Fuzzing every live input surface: "a clear 4xx or the right answer, never a 500, never a traceback, never a hang".

Random and mutated bodies, headers and content types go over real HTTP (loopback) to the webhook routes, signed
when the route needs it so the fuzz reaches the parsers and the bridge, not only the signature check; random and
mutated events go to the Lambda handler. The emulator stands behind the bridge. Each request has a generous
timeout (a hang guard, not a timing target); example counts are modest so the file runs in seconds.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from tests.live.helpers import (
    API_TOKEN,
    FIVE9_MAPPING,
    FIVE9_SECRET,
    TWILIO_MAPPING,
    TWILIO_TOKEN,
    cid,
    cloud_event,
    emulator_bridge,
    five9_variables,
    task_attributes,
    taskrouter_form,
)
from tests.live.lambda_events import handler_for, v1_event, v2_event
from wrapup_bridge.core.outcome import OutcomeKind
from wrapup_bridge.live import Bridge, create_app
from wrapup_bridge.testing import served

HANG_GUARD = 30.0
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
KINDS = {kind.value for kind in OutcomeKind}


class Records(logging.Handler):
    """Every log record of the test process (the server runs in a thread of it)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def crashes(self) -> list[str]:
        return [
            r.getMessage()
            for r in self.records
            if r.exc_info or "Traceback" in r.getMessage() or r.getMessage().startswith("Exception in ASGI")
        ]


@pytest.fixture(scope="module")
def records() -> Iterator[Records]:
    handler = Records()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


@pytest.fixture(scope="module")
def bridge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bridge]:
    outbox = tmp_path_factory.mktemp("fuzz") / "outbox.sqlite"
    with emulator_bridge(outbox, mappings=[TWILIO_MAPPING, FIVE9_MAPPING]) as bridge:
        yield bridge


@pytest.fixture(scope="module")
def client(bridge: Bridge, records: Records) -> Iterator[tuple[httpx.Client, str]]:
    app = create_app(bridge, twilio_auth_token=TWILIO_TOKEN, five9_secret=FIVE9_SECRET, api_token=API_TOKEN)
    with served(app) as url, httpx.Client(timeout=HANG_GUARD) as http:
        yield http, url
    assert records.crashes() == []


# -- strategies ----------------------------------------------------------------------------------------------------
scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=30)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=25,
)
CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "application/cloudevents-batch+json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "multipart/form-data; boundary=x",
    "",
]
content_types = st.sampled_from(CONTENT_TYPES) | st.text(
    st.characters(min_codepoint=32, max_codepoint=126), max_size=40
).map(str.strip)  # h11 (the client) sends no value with surrounding spaces
header_names = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz-"), min_size=1, max_size=20).filter(
    lambda n: n.strip("-") and n not in ("content-length", "transfer-encoding", "host", "connection", "expect")
)
# Latin-1 text, sent as its bytes (what a client may put on the wire; httpx would refuse non-ASCII str values).
header_values = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=60).map(str.strip)
extra_headers = st.dictionaries(header_names, header_values.map(lambda v: v.encode("latin-1")), max_size=4)


def deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@st.composite
def mutated(draw: st.DrawFn, value: Any) -> Any:
    """``value`` with a few keys replaced by random JSON, dropped, or added; nested objects too."""
    if isinstance(value, dict) and value:
        value = dict(value)
        for _ in range(draw(st.integers(0, 3))):
            key = draw(st.sampled_from(sorted(value)) | st.text(max_size=8) if value else st.text(max_size=8))
            action = draw(st.sampled_from(["replace", "drop", "recurse", "deep"]))
            if action == "drop":
                value.pop(key, None)
            elif action == "recurse" and key in value:
                value[key] = draw(mutated(value[key]))
            elif action == "deep":
                value[key] = json.loads(deep(draw(st.integers(60, 200))))
            else:
                value[key] = draw(json_values)
        return value
    if isinstance(value, list) and value:
        return [draw(mutated(item)) for item in value]
    return draw(json_values) if draw(st.booleans()) else value


@st.composite
def raw_bodies(draw: st.DrawFn) -> bytes:
    """Bytes that are not what any route expects: junk, truncated JSON, deep JSON, long forms, odd encodings."""
    choice = draw(st.sampled_from(["bytes", "json", "truncated", "deep", "form", "latin1"]))
    if choice == "bytes":
        return draw(st.binary(max_size=300))
    if choice == "json":
        return json.dumps(draw(json_values)).encode()
    if choice == "truncated":
        text = json.dumps(draw(json_values))
        return text[: draw(st.integers(0, len(text)))].encode()
    if choice == "deep":
        return deep(draw(st.integers(60, 20_000))).encode()
    if choice == "form":
        pairs = draw(st.lists(st.tuples(st.text(max_size=10), st.text(max_size=20)), max_size=30))
        return urlencode(pairs).encode()
    return draw(st.text(max_size=100)).encode("utf-16")


def assert_answer(response: httpx.Response, allowed: set[int]) -> None:
    """One of the route's answers; a refusal is JSON naming what is wrong; an outcome is JSON with its kind."""
    assert response.status_code in allowed, (response.status_code, response.text[:300])
    if response.status_code == 204:
        assert response.content == b""
        return
    body = response.json()
    if response.status_code >= 400:
        assert isinstance(body["error"], str) and body["error"], body
        assert body["field"] is None or isinstance(body["field"], str)
    else:
        assert body.get("kind") in KINDS or body.get("status") == "ok", body


def signed_json_request(url: str, body: bytes) -> tuple[str, dict[str, str]]:
    validator = RequestValidator(TWILIO_TOKEN)
    full = f"{url}?bodySHA256={validator.compute_hash(body.decode('utf-8', 'replace'))}"
    return full, {"Content-Type": "application/json", "X-Twilio-Signature": validator.compute_signature(full, {})}


# -- POST /v1/dispositions -----------------------------------------------------------------------------------------
GENERIC_OK = {200, 202, 400, 403, 413, 415}


@st.composite
def generic_requests(draw: st.DrawFn) -> tuple[bytes, dict[str, Any]]:
    n = draw(st.integers(1, 40))
    base = draw(
        st.sampled_from(
            [
                {"source": "twilio", "payload": task_attributes(n), "conversation_id": cid(n)},
                {"source": "twilio", "payload": taskrouter_form(n)},
                {"source": "five9", "payload": five9_variables(n)},
                {"source": "twilio", "source_id": f"WT{n}", "conversation_id": cid(n), "code": "Resolved"},
            ]
        )
    )
    body = json.dumps(draw(mutated(base))).encode() if draw(st.integers(0, 3)) else draw(raw_bodies())
    # Mostly what a real caller sends, so most examples reach the parser and the bridge.
    headers = {**draw(extra_headers), "Content-Type": draw(st.just("application/json") | content_types)}
    auth = draw(st.sampled_from([f"Bearer {API_TOKEN}"] * 6 + ["Bearer nope", f"Basic {API_TOKEN}", "", "Bearer"]))
    if auth:
        headers["Authorization"] = auth
    return body, headers


@FUZZ
@given(request=generic_requests())
def test_fuzz_generic_json(client: tuple[httpx.Client, str], request: tuple[bytes, dict[str, Any]]) -> None:
    http, url = client
    body, headers = request
    assert_answer(http.post(f"{url}/v1/dispositions", content=body, headers=headers), GENERIC_OK)


def test_the_unmutated_generic_event_is_applied(client: tuple[httpx.Client, str]) -> None:
    http, url = client
    event = {"source": "twilio", "payload": task_attributes(31)}
    answer = http.post(f"{url}/v1/dispositions", json=event, headers={"Authorization": f"Bearer {API_TOKEN}"})
    assert answer.status_code == 200 and answer.json()["kind"] in ("applied", "already-applied")


# -- POST /twilio/taskrouter ---------------------------------------------------------------------------------------
TWILIO_OK = {204, 400, 403, 413, 415}


@st.composite
def twilio_requests(draw: st.DrawFn, url: str) -> tuple[str, bytes, dict[str, Any]]:
    route = f"{url}/twilio/taskrouter"
    n = draw(st.integers(1, 40))
    shape = draw(st.sampled_from(["form", "json", "events", "raw"]))
    if shape == "form":
        params = draw(mutated(taskrouter_form(n, event=draw(st.sampled_from(["task.completed", "task.created"])))))
        pairs = {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
        validator = RequestValidator(TWILIO_TOKEN)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": validator.compute_signature(route, pairs),
        }
        target, body = route, urlencode(pairs).encode()
    elif shape in ("json", "events"):
        value = taskrouter_form(n) if shape == "json" else [cloud_event(n), cloud_event(n + 1, kind="task.created")]
        body = json.dumps(draw(mutated(value))).encode()
        target, headers = signed_json_request(route, body)
    else:
        body = draw(raw_bodies())
        target, headers = signed_json_request(route, body)
        headers["Content-Type"] = draw(content_types)
    if draw(st.integers(0, 5)) == 0:  # now and then unsigned or tampered
        if draw(st.booleans()):
            del headers["X-Twilio-Signature"]
        else:
            headers["X-Twilio-Signature"] = "x"
    return target, body, {**draw(extra_headers), **headers}


@FUZZ
@given(data=st.data())
def test_fuzz_twilio_taskrouter(client: tuple[httpx.Client, str], data: st.DataObject) -> None:
    http, url = client
    target, body, headers = data.draw(twilio_requests(url))
    assert_answer(http.post(target, content=body, headers=headers), TWILIO_OK)


# -- POST /five9/disposition ---------------------------------------------------------------------------------------
FIVE9_OK = {200, 400, 403, 413, 415}


@st.composite
def five9_requests(draw: st.DrawFn) -> tuple[str, bytes, dict[str, Any]]:
    n = draw(st.integers(1, 40))
    variables = draw(mutated(five9_variables(n)))
    if draw(st.booleans()):
        body = json.dumps(variables).encode()
        content_type = "application/json"
    else:
        pairs = {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in variables.items()}
        body, content_type = urlencode(pairs).encode(), "application/x-www-form-urlencoded"
    if draw(st.integers(0, 4)) == 0:
        body, content_type = draw(raw_bodies()), draw(content_types)
    secret = draw(st.sampled_from([FIVE9_SECRET] * 3 + ["nope", ""]))
    how = draw(st.sampled_from(["header", "query"]))
    headers = {**draw(extra_headers), "Content-Type": content_type}
    query = ""
    if how == "header" and secret:
        headers["X-Wrapup-Bridge-Secret"] = secret
    elif secret:
        query = "?" + urlencode({"secret": secret})
    return query, body, headers


@FUZZ
@given(request=five9_requests())
def test_fuzz_five9(client: tuple[httpx.Client, str], request: tuple[str, bytes, dict[str, Any]]) -> None:
    http, url = client
    query, body, headers = request
    assert_answer(http.post(f"{url}/five9/disposition{query}", content=body, headers=headers), FIVE9_OK)


# -- any path, any method ------------------------------------------------------------------------------------------
@FUZZ
@given(
    method=st.sampled_from(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]),
    path=st.sampled_from(["/healthz", "/v1/dispositions", "/twilio/taskrouter", "/five9/disposition", "/"])
    | st.text(st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="?#%"), max_size=40).map(
        lambda p: "/" + p
    ),
    body=raw_bodies(),
    headers=extra_headers,
)
def test_fuzz_any_route(
    client: tuple[httpx.Client, str], method: str, path: str, body: bytes, headers: dict[str, str]
) -> None:
    http, url = client
    response = http.request(method, f"{url}{path}", content=body, headers=headers)
    assert response.status_code < 500, (response.status_code, response.text[:200])


# -- the Lambda handler --------------------------------------------------------------------------------------------
LAMBDA_OK = {200, 202, 204, 400, 403, 404, 405, 413, 415}


@st.composite
def lambda_events(draw: st.DrawFn) -> Any:
    shape = draw(st.sampled_from(["v1", "v2", "v2", "random"]))
    if shape == "random":
        return draw(json_values)
    n = draw(st.integers(1, 40))
    body = json.dumps({"source": "twilio", "payload": task_attributes(n)}).encode()
    if draw(st.booleans()):
        body = draw(raw_bodies())
    extra = {name: value.decode("latin-1") for name, value in draw(extra_headers).items()}
    headers = {"Authorization": f"Bearer {API_TOKEN}", "Content-Type": draw(content_types), **extra}
    path = draw(st.sampled_from(["/v1/dispositions", "/healthz", "/twilio/taskrouter", "/nope"]))
    encoded = draw(st.booleans())
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        encoded = True  # API Gateway sends a body that is not UTF-8 text base64-encoded
    make = v1_event if shape == "v1" else v2_event
    event = draw(mutated(make(path, body, headers, b64=encoded)))
    if isinstance(event, dict) and draw(st.integers(0, 3)) == 0:
        event["body"] = draw(st.text(max_size=50) | st.binary(max_size=50).map(lambda b: base64.b64encode(b).decode()))
    return event


def call_with_guard(bridge: Bridge, event: Any) -> dict[str, Any]:
    answers: list[dict[str, Any]] = []
    thread = threading.Thread(target=lambda: answers.append(handler_for(bridge)(event, None)), daemon=True)
    thread.start()
    thread.join(HANG_GUARD)
    assert not thread.is_alive(), "the handler hung"
    assert answers, "the handler raised"
    return answers[0]


@FUZZ
@given(event=lambda_events())
def test_fuzz_lambda_handler(bridge: Bridge, records: Records, event: Any) -> None:
    answer = call_with_guard(bridge, event)
    assert set(answer) == {"statusCode", "headers", "body", "isBase64Encoded"}
    assert answer["statusCode"] in LAMBDA_OK, answer
    assert isinstance(answer["body"], str) and answer["isBase64Encoded"] is False
    if answer["body"]:
        body = json.loads(answer["body"])
        assert "error" in body or "kind" in body or body.get("status") == "ok", body
    assert records.crashes() == []
