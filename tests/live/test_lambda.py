"""The API Gateway handler with REST API (v1) and HTTP API (v2) proxy events: same answers as the webhook."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.live.helpers import (
    API_TOKEN,
    FIVE9_MAPPING,
    FIVE9_SECRET,
    ORG,
    PAYMENT_TAKEN,
    RESOLVED,
    TWILIO_MAPPING,
    cid,
    emulator_bridge,
    five9_variables,
    sign,
    signed_json,
    taskrouter_form,
)
from tests.live.lambda_events import DOMAIN, handler_for, v1_event, v2_event
from wrapup_bridge.emulator import Emulator
from wrapup_bridge.live import Bridge, LambdaHandler
from wrapup_bridge.live import lambda_handler as module
from wrapup_bridge.testing import served


@pytest.fixture
def bridge() -> Iterator[Bridge]:
    with emulator_bridge(mappings=[TWILIO_MAPPING, FIVE9_MAPPING]) as bridge:
        yield bridge


def writes(bridge: Bridge) -> list[tuple[str, str | None]]:
    assert bridge.emulator is not None
    return [(w.conversation_id, w.code_id) for w in bridge.emulator.write_log]


def test_v1_base64_form_with_mixed_case_headers(bridge: Bridge) -> None:
    params = taskrouter_form(21)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": sign(f"https://{DOMAIN}/prod/twilio/taskrouter", params),
    }
    answer = handler_for(bridge)(v1_event("/twilio/taskrouter", urlencode(params).encode(), headers), None)
    assert answer["statusCode"] == 204 and answer["body"] == ""
    assert answer["headers"]["X-Wrapup-Bridge-Outcome"] == "applied"
    assert writes(bridge) == [(cid(21), RESOLVED)]


def test_v2_plain_body_and_stage_prefixed_path(bridge: Bridge) -> None:
    params = taskrouter_form(22)
    headers = {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": sign(f"https://{DOMAIN}/prod/twilio/taskrouter", params),
    }
    answer = handler_for(bridge)(v2_event("/twilio/taskrouter", urlencode(params).encode(), headers), None)
    assert answer["statusCode"] == 204
    assert writes(bridge) == [(cid(22), RESOLVED)]


def test_v2_json_variant_keeps_the_raw_query(bridge: Bridge) -> None:
    full, body, headers = signed_json(f"https://{DOMAIN}/prod/twilio/taskrouter", taskrouter_form(23))
    raw_query = full.split("?", 1)[1]
    answer = handler_for(bridge)(v2_event("/twilio/taskrouter", body, headers, raw_query=raw_query, b64=True), None)
    assert answer["statusCode"] == 204


def test_v1_json_variant_rebuilds_the_query(bridge: Bridge) -> None:
    full, body, headers = signed_json(f"https://{DOMAIN}/prod/twilio/taskrouter", taskrouter_form(24))
    body_hash = full.split("bodySHA256=", 1)[1]
    event = v1_event("/twilio/taskrouter", body, headers, query={"bodySHA256": body_hash})
    assert handler_for(bridge)(event, None)["statusCode"] == 204


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_tampered_is_403_with_a_json_reason(bridge: Bridge, version: str) -> None:
    params = taskrouter_form(25)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": sign(f"https://{DOMAIN}/prod/twilio/taskrouter", params),
    }
    body = urlencode({**params, "TaskSid": "WT9"}).encode()
    event = (
        v1_event("/twilio/taskrouter", body, headers)
        if version == "v1"
        else v2_event("/twilio/taskrouter", body, headers)
    )
    answer = handler_for(bridge)(event, None)
    assert answer["statusCode"] == 403
    assert json.loads(answer["body"])["field"] == "X-Twilio-Signature"
    assert writes(bridge) == []


def test_public_url_replaces_the_gateway_url(bridge: Bridge) -> None:
    params = taskrouter_form(26)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": sign("https://hooks.example.com/twilio/taskrouter", params),
    }
    event = v2_event("/twilio/taskrouter", urlencode(params).encode(), headers)
    assert handler_for(bridge)(event, None)["statusCode"] == 403
    assert handler_for(bridge, "https://hooks.example.com")(event, None)["statusCode"] == 204


def test_v1_five9_with_the_secret_in_the_query(bridge: Bridge) -> None:
    body = json.dumps(five9_variables(1)).encode()
    event = v1_event("/five9/disposition", body, {"Content-Type": "application/json"}, query={"secret": FIVE9_SECRET})
    answer = handler_for(bridge)(event, None)
    assert answer["statusCode"] == 200 and json.loads(answer["body"])["code"]["id"] == PAYMENT_TAKEN
    event["multiValueQueryStringParameters"] = {"secret": ["nope"]}
    assert handler_for(bridge)(event, None)["statusCode"] == 403


def test_v2_generic_with_bearer(bridge: Bridge) -> None:
    body = json.dumps({"source": "twilio", "payload": taskrouter_form(27)}).encode()
    headers = {"Authorization": f"Bearer {API_TOKEN}", "Content-Type": "application/json"}
    answer = handler_for(bridge)(v2_event("/v1/dispositions", body, headers), None)
    assert answer["statusCode"] == 200 and json.loads(answer["body"])["kind"] == "applied"


def test_refusals(bridge: Bridge) -> None:
    handler = handler_for(bridge)
    headers = {"Authorization": f"Bearer {API_TOKEN}", "Content-Type": "application/json"}
    assert handler(v2_event("/v1/dispositions", b"x" * 70_000, headers), None)["statusCode"] == 413
    bad_b64 = v1_event("/v1/dispositions", b"{}", headers)
    bad_b64["body"] = "%%%not base64"
    answer = handler(bad_b64, None)
    assert answer["statusCode"] == 400 and json.loads(answer["body"])["field"] == "body"
    assert handler({"hello": "world"}, None)["statusCode"] == 400
    assert handler(v2_event("/v2/other", b"{}", headers), None)["statusCode"] == 404


def test_module_handler_is_built_once_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    emulator = Emulator.from_file(ORG)
    with served(emulator.app) as base_url:
        for name, value in {
            "GENESYSCLOUD_OAUTHCLIENT_ID": "demo-client",
            "GENESYSCLOUD_OAUTHCLIENT_SECRET": "demo-secret",
            "GENESYSCLOUD_API_BASE": base_url,
            "GENESYSCLOUD_LOGIN_BASE": base_url,
            "WRAPUP_BRIDGE_MAPPING": f"{TWILIO_MAPPING}, {FIVE9_MAPPING}",
            "WRAPUP_BRIDGE_API_TOKEN": API_TOKEN,
            "WRAPUP_BRIDGE_OUTBOX": str(tmp_path / "outbox.sqlite"),
            "WRAPUP_BRIDGE_BUDGET": "5",
        }.items():
            monkeypatch.setenv(name, value)
        module._from_environment.cache_clear()
        try:
            headers = {"Authorization": f"Bearer {API_TOKEN}", "Content-Type": "application/json"}
            for n in (28, 29):
                body = json.dumps({"source": "twilio", "payload": taskrouter_form(n)}).encode()
                answer = module.handler(v2_event("/v1/dispositions", body, headers), None)
                assert answer["statusCode"] == 200, answer["body"]
            built = module._from_environment()
            assert isinstance(built, LambdaHandler) and built.bridge.budget == 5.0
            assert module._from_environment.cache_info().misses == 1
            assert sorted(str(p) for p in built.bridge.tables) == ["five9", "twilio"]
        finally:
            if module._from_environment.cache_info().currsize:
                module._from_environment().bridge.close()
            module._from_environment.cache_clear()
    assert [w.conversation_id for w in emulator.write_log] == [cid(28), cid(29)]


def test_from_env_takes_the_twilio_shared_key_as_serve_does(tmp_path: Path) -> None:
    env = {
        "WRAPUP_BRIDGE_MAPPING": str(TWILIO_MAPPING),
        "TWILIO_AUTH_TOKEN": "auth-token",
        "WRAPUP_BRIDGE_TWILIO_SHARED_KEY": "shared-key-secret",
        "WRAPUP_BRIDGE_OUTBOX": str(tmp_path / "outbox.sqlite"),
        "GENESYSCLOUD_OAUTHCLIENT_ID": "demo-client",
        "GENESYSCLOUD_OAUTHCLIENT_SECRET": "demo-secret",
        "GENESYSCLOUD_API_BASE": "http://127.0.0.1:9",  # never called: only the endpoints are looked at
    }
    built = LambdaHandler.from_env(env)
    try:
        assert built.endpoints.twilio is not None and built.endpoints.twilio._shared is not None
    finally:
        built.bridge.close()


GENESYS = {
    "GENESYSCLOUD_OAUTHCLIENT_ID": "demo-client",
    "GENESYSCLOUD_OAUTHCLIENT_SECRET": "demo-secret",
    "GENESYSCLOUD_API_BASE": "http://127.0.0.1:9",  # never called: only what was built is looked at
}


def test_from_env_defaults_on_lambda() -> None:
    """Unset variables keep their documented defaults: the shipped Twilio Flex table, 8 s, the outbox in /tmp."""
    built = LambdaHandler.from_env({**GENESYS, "AWS_LAMBDA_FUNCTION_NAME": "wrapup", "WRAPUP_BRIDGE_MAPPING": " "})
    try:
        assert list(built.bridge.tables) == ["twilio"] and built.bridge.budget == 8.0
        outbox = built.bridge.outbox
        assert outbox is not None and outbox.path == Path("/tmp/wrapup-bridge-outbox.sqlite")
        assert built.public_url is None and built.endpoints.twilio is None
    finally:
        built.bridge.close()


@pytest.mark.parametrize("budget", ["soon", "0", "-1"])
def test_from_env_names_a_bad_budget(budget: str) -> None:
    with pytest.raises(ValueError, match="WRAPUP_BRIDGE_BUDGET"):
        LambdaHandler.from_env({**GENESYS, "WRAPUP_BRIDGE_BUDGET": budget})


def test_the_live_package_reads_no_environment_of_its_own() -> None:
    """``services.settings.Settings`` is the one reader; live modules take a Settings or a mapping."""
    live = Path(module.__file__).parent
    readers = [
        f"{path.name}:{n}"
        for path in sorted(live.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "os.environ" in line or "getenv" in line
    ]
    assert readers == []
