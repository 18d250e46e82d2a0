"""``doctor --explain-request``: each mistake of the migration threads is named with its fix and the right
request; every right request is a real SDK method with real fields, and the emulator accepts it (202)."""

from __future__ import annotations

import asyncio
import functools
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES
from wrapup_bridge.emulator import Emulator, EmulatorConfig, derive_id
from wrapup_bridge.emulator.app import create_app
from wrapup_bridge.emulator.writes import _PARTICIPANT_FIELDS, _WRAPUP_FIELDS
from wrapup_bridge.genesys.requestlint import CODE_PLACEHOLDER, LintReport, lint_request, parse_request_line
from wrapup_bridge.genesys.surface import BODY_MODELS, ENDPOINTS

CID = "c0ffee00-0000-4000-8000-000000000001"
CID31 = "c0ffee00-0000-4000-8000-000000000031"
PID = derive_id(CID, "agent")
COMM = derive_id(CID, "agent", "voice")
RESOLVED = "50a74cff-026f-4c84-aa8f-f5f8d837115f"
POST_WRAPUP = "/api/v2/conversations/{media}/{conversationId}/participants/{participantId}/communications/{communicationId}/wrapup"
PATCH_PARTICIPANT = "/api/v2/conversations/{conversationId}/participants/{participantId}"


def kinds(report: LintReport) -> list[str]:
    return [f.kind for f in report.findings]


def finding(report: LintReport, kind: str) -> Any:
    return next(f for f in report.findings if f.kind == kind)


# --- each mistake, with its finding and the corrected request --------------------------------------------------
def test_the_forum_question_interaction_level_wrapup_with_wrapUpCode_object_and_a_bogus_id() -> None:
    report = lint_request("POST", f"/api/v2/conversations/interactions/{CID}", {"wrapUpCode": {"id": "12345-abc"}})
    assert kinds(report) == ["no-such-endpoint", "unknown-field", "wrong-type", "code-not-an-id"]
    assert "no endpoint that sets a wrap-up" in finding(report, "no-such-endpoint").message
    assert "'code'" in finding(report, "unknown-field").fix
    assert "GET /api/v2/routing/wrapupcodes?name=" in finding(report, "code-not-an-id").fix
    assert report.request is not None
    assert report.request.method == "POST"
    assert report.request.path == POST_WRAPUP.replace("{conversationId}", CID)
    assert report.request.body == {"code": CODE_PLACEHOLDER}
    assert set(report.request.fill) == {"media", "participantId", "communicationId"}


def test_interactions_participants_path_does_not_exist() -> None:
    report = lint_request("POST", f"/api/v2/conversations/interactions/{CID}/participants", {"code": RESOLVED})
    assert kinds(report) == ["no-such-endpoint"]
    assert report.request is not None and report.request.body == {"code": RESOLVED}


def test_voice_is_not_a_media_segment() -> None:
    report = lint_request("POST", f"/api/v2/conversations/voice/{CID}/participants/{PID}/communications/{COMM}/wrapup",
                          {"code": RESOLVED})  # fmt: skip
    assert "media-segment" in kinds(report) and finding(report, "media-segment").fix == "use 'calls' for voice"
    assert report.request is not None
    assert report.request.path == f"/api/v2/conversations/calls/{CID}/participants/{PID}/communications/{COMM}/wrapup"
    assert report.request.fill == {}


def test_patch_conversations_voice_is_the_participant_patch_with_a_nested_wrapup() -> None:
    report = lint_request(
        "PATCH", f"/api/v2/conversations/voice/{CID}", {"wrapupCode": "Resolved", "participantId": PID}
    )
    assert kinds(report) == ["no-such-endpoint", "id-in-body", "wrong-level", "unknown-field", "code-not-an-id"]
    assert "looks like the code's name" in finding(report, "code-not-an-id").message
    assert report.request is not None
    assert report.request.method == "PATCH"
    assert report.request.path == PATCH_PARTICIPANT.replace("{conversationId}", CID).replace("{participantId}", PID)
    assert report.request.body == {"wrapup": {"code": CODE_PLACEHOLDER}}


def test_users_wrapupcodes_does_not_exist_and_the_participant_list_is_what_a_wrapup_needs() -> None:
    report = lint_request("GET", "/api/v2/users/wrapupcodes/ea96e66b-d684-474a-b09a-cdcde48041e6")
    assert kinds(report) == ["no-such-endpoint"]
    assert "no endpoint has wrapupcodes under users" in report.findings[0].message
    assert "/api/v2/routing/queues/{queueId}/wrapupcodes" in report.findings[0].fix
    assert report.request is not None
    assert report.request.path == "/api/v2/conversations/{conversationId}/participants/{participantId}/wrapupcodes"


@pytest.mark.parametrize(
    ("method", "path", "body", "right_method", "right_path"),
    [
        ("PATCH", f"/api/v2/conversations/calls/{CID}/participants/{PID}/communications/{COMM}/wrapup",
         {"code": RESOLVED}, "POST", f"/api/v2/conversations/calls/{CID}/participants/{PID}/communications/{COMM}/wrapup"),
        ("POST", f"/api/v2/conversations/{CID}/participants/{PID}", {"wrapup": {"code": RESOLVED}},
         "PATCH", f"/api/v2/conversations/{CID}/participants/{PID}"),
        ("POST", f"/api/v2/conversations/calls/{CID}/participants/{PID}/wrapup", {"code": RESOLVED},
         "POST", f"/api/v2/conversations/calls/{CID}/participants/{PID}/communications/{{communicationId}}/wrapup"),
        ("PUT", f"/api/v2/conversations/calls/{CID}/participants/{PID}/communications/{COMM}/wrapup",
         {"code": RESOLVED}, "POST", f"/api/v2/conversations/calls/{CID}/participants/{PID}/communications/{COMM}/wrapup"),
    ],
)  # fmt: skip
def test_the_wrong_verb_for_a_real_path(method: str, path: str, body: Any, right_method: str, right_path: str) -> None:
    report = lint_request(method, path, body)
    assert kinds(report)[0] == "wrong-method", report.findings
    assert report.request is not None and (report.request.method, report.request.path) == (right_method, right_path)


def test_participant_id_in_the_body_belongs_in_the_path() -> None:
    report = lint_request("POST", POST_WRAPUP.replace("{media}", "calls").replace("{conversationId}", CID)
                          .replace("/participants/{participantId}", "/participants/{participantId}")
                          .replace("{communicationId}", COMM), {"code": RESOLVED, "participantId": PID})  # fmt: skip
    assert "id-in-body" in kinds(report)
    assert report.request is not None and PID in report.request.path and report.request.body == {"code": RESOLVED}


def test_state_is_not_part_of_a_wrapup_and_terminating_first_is_not_a_rule() -> None:
    post = lint_request(
        "POST",
        f"/api/v2/conversations/calls/{CID}/participants/{PID}/communications/{COMM}/wrapup",
        {"code": RESOLVED, "state": "terminated"},
    )
    assert kinds(post) == ["call-control-with-wrapup"]
    assert "No documented rule makes a wrap-up wait" in post.findings[0].message
    assert post.request is not None and post.request.body == {"code": RESOLVED}
    patch = lint_request("PATCH", f"/api/v2/conversations/{CID}/participants/{PID}",
                         {"state": "disconnected", "wrapup": {"code": RESOLVED}})  # fmt: skip
    assert kinds(patch) == ["call-control-with-wrapup"] and "403 not.authorized" in patch.findings[0].message
    assert patch.request is not None and patch.request.body == {"wrapup": {"code": RESOLVED}}


def test_wrapup_fields_at_the_wrong_level() -> None:
    patch = lint_request("PATCH", f"/api/v2/conversations/{CID}/participants/{PID}", {"code": RESOLVED, "notes": "n"})
    assert kinds(patch) == ["wrong-level"]
    assert patch.request is not None and patch.request.body == {"wrapup": {"code": RESOLVED, "notes": "n"}}
    post = lint_request(
        "POST",
        f"/api/v2/conversations/calls/{CID}/participants/{PID}/communications/{COMM}/wrapup",
        {"wrapup": {"code": RESOLVED}},
    )
    assert kinds(post) == ["wrong-level"] and post.request is not None and post.request.body == {"code": RESOLVED}


@pytest.mark.parametrize(("code", "name_like"), [("Resolved", True), ("12345-abc", False), ("Payment Taken", True)])
def test_a_code_that_is_not_an_id_says_how_to_look_it_up(code: str, name_like: bool) -> None:
    report = lint_request("POST", f"/api/v2/conversations/calls/{CID}/participants/{PID}/communications/{COMM}/wrapup",
                          {"code": code})  # fmt: skip
    found = finding(report, "code-not-an-id")
    assert ("looks like the code's name" in found.message) is name_like
    assert "wrapup-bridge catalog export" in found.fix


def test_unknown_and_mistyped_fields() -> None:
    report = lint_request(
        "POST",
        f"/api/v2/conversations/calls/{CID}/participants/{PID}/communications/{COMM}/wrapup",
        {"code": RESOLVED, "wrapup_code": RESOLVED, "colour": "red", "tags": "vip", "durationSeconds": "12"},
    )
    assert kinds(report) == ["unknown-field", "unknown-field", "wrong-type", "wrong-type"]
    assert "Genesys refuses unknown fields" in report.findings[1].message


def test_permissions_come_from_roles_not_scopes() -> None:
    report = lint_request("POST", f"/api/v2/conversations/calls/{CID}/participants/{PID}/communications/{COMM}/wrapup",
                          {"code": RESOLVED})  # fmt: skip
    assert report.ok and report.request is not None
    assert report.request.permissions == ("conversation:participant:wrapup",)
    assert any("not from scopes" in note and "conversation:participant:wrapup" in note for note in report.notes)


def test_a_right_request_has_no_finding() -> None:
    for method, path, body in (
        ("POST", f"/api/v2/conversations/messages/{CID31}/participants/p/communications/c/wrapup", {"code": RESOLVED}),
        ("PATCH", f"/api/v2/conversations/{CID}/participants/{PID}", {"wrapup": {"code": RESOLVED, "notes": "x"}}),
        ("GET", f"/api/v2/conversations/{CID}", None),
        ("GET", "/api/v2/routing/wrapupcodes?name=Resolved", None),
    ):
        report = lint_request(method, path, body)
        assert kinds(report) in ([], ["not-an-id", "not-an-id"]), (path, report.findings)


def test_request_lines_and_urls() -> None:
    assert parse_request_line("post https://api.mypurecloud.ie/api/v2/x?y=1") == ("POST", "/api/v2/x?y=1")
    with pytest.raises(ValueError, match="METHOD PATH"):
        parse_request_line("/api/v2/x")
    with pytest.raises(ValueError, match="not an HTTP method"):
        parse_request_line("FETCH /api/v2/x")


# --- every right request is real: the SDK has it, the emulator accepts it --------------------------------------
_CASES: list[tuple[str, str, Any]] = [
    ("POST", f"/api/v2/conversations/interactions/{CID}", {"wrapUpCode": {"id": "12345-abc"}}),
    ("POST", f"/api/v2/conversations/interactions/{CID}/participants", {"wrapupCode": "Resolved"}),
    ("PATCH", f"/api/v2/conversations/voice/{CID}", {"wrapupCode": "Resolved", "participantId": PID}),
    ("POST", f"/api/v2/conversations/voice/{CID}/participants/{PID}/communications/{COMM}/wrapup", {"code": "Resolved"}),
    ("PATCH", f"/api/v2/conversations/calls/{CID}/participants/{PID}/communications/{COMM}/wrapup", {"code": RESOLVED}),
    ("POST", f"/api/v2/conversations/{CID}/participants/{PID}", {"wrapup": {"code": RESOLVED}, "state": "terminated"}),
    ("POST", f"/api/v2/conversations/calls/{CID}/participants/{PID}/wrapup", {"code": RESOLVED}),
    ("PATCH", f"/api/v2/conversations/{CID}/participants/{PID}", {"code": RESOLVED}),
    ("POST", f"/api/v2/conversations/calls/{CID}/participants/{PID}/communications/{COMM}/wrapup", {"wrapup": {"code": RESOLVED}}),
    ("POST", f"/api/v2/conversations/{CID}/wrapup", {"wrapUpCode": RESOLVED}),
]  # fmt: skip


def _filled(report: LintReport) -> tuple[str, str, Any]:
    """The right request with its placeholders filled with demo-org conversation 1's real ids and a real code."""
    assert report.request is not None
    values = {"media": "calls", "conversationId": CID, "participantId": PID, "communicationId": COMM}
    path = report.request.path
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    body = _replace_code(report.request.body)
    return report.request.method, path, body


def _replace_code(body: Any) -> Any:
    if isinstance(body, dict):
        return {k: (RESOLVED if v == CODE_PLACEHOLDER else _replace_code(v)) for k, v in body.items()}
    return body


#: The tests that read Genesys's SDK share one worker with the other SDK tests (``make test`` runs with --dist
#: loadgroup): only that worker imports it.
SDK_GROUP = pytest.mark.xdist_group("genesys-sdk")


@functools.cache
def _sdk_paths() -> dict[tuple[str, str], tuple[str, str | None]]:
    """(verb, resource_path) -> (SDK method, body model) for every method of the SDK's ConversationsApi,
    RoutingApi, AnalyticsApi, UsersApi and OutboundApi (read once per worker: the files are large)."""
    sdk = pytest.importorskip("PureCloudPlatformClientV2")
    found: dict[tuple[str, str], tuple[str, str | None]] = {}
    for module in ("conversations_api", "routing_api", "analytics_api", "users_api", "outbound_api"):
        text = (Path(sdk.__file__).parent / "apis" / f"{module}.py").read_text(encoding="utf-8")
        for block in text.split("\n    def ")[1:]:
            name = block.split("(", 1)[0]
            path = re.search(r"resource_path = '([^']+)'", block)
            verb = re.search(r"call_api\(resource_path, '(\w+)'", block)
            body = re.search(r":param (\w+) body:", block)
            if path and verb:
                found[(verb.group(1), path.group(1))] = (name, body.group(1) if body else None)
    return found


@SDK_GROUP
def test_the_surface_is_the_sdks() -> None:
    sdk = pytest.importorskip("PureCloudPlatformClientV2")
    paths = _sdk_paths()
    for endpoint in ENDPOINTS:
        for media in endpoint.media or (None,):
            path = endpoint.template.replace("{media}", media) if media else endpoint.template
            assert (endpoint.method, path) in paths, (endpoint.method, path)
            method, body = paths[(endpoint.method, path)]
            assert method == endpoint.sdk_method(media), (path, method)
            assert body == endpoint.body, (path, body)
    for model, fields in BODY_MODELS.items():
        attribute_map = getattr(sdk.models, model)().attribute_map
        assert set(fields) == set(attribute_map.values()), model


def test_the_emulator_speaks_the_same_surface() -> None:
    app = create_app(Emulator.from_file(EXAMPLES / "demo-org.yaml").org)
    templates = {
        (e.method, e.template.replace("{media}", m) if m else e.template)
        for e in ENDPOINTS
        for m in (e.media or (None,))
    }
    for route in app.routes:
        path = getattr(route, "path", "")
        if not path.startswith("/api/v2/"):
            continue
        for method in getattr(route, "methods", None) or ():
            if method != "HEAD":
                assert (method, path) in templates, (method, path)
    assert set(_WRAPUP_FIELDS) == set(BODY_MODELS["WrapupInput"])
    assert set(_PARTICIPANT_FIELDS) == set(BODY_MODELS["MediaParticipantRequest"])


@SDK_GROUP
@pytest.mark.parametrize(("method", "path", "body"), _CASES)
def test_every_right_request_is_a_real_sdk_method_and_the_emulator_accepts_it(
    method: str, path: str, body: Any
) -> None:
    report = lint_request(method, path, body)
    assert report.findings, "each case is a mistake"
    right_method, right_path, right_body = _filled(report)
    assert report.request is not None
    template = re.sub(r"/calls/", "/calls/", report.request.path)
    sdk_method, sdk_body = _sdk_paths()[(report.request.method, _template_of(right_path))]
    assert report.request.sdk_method in (sdk_method, sdk_method.replace("_call_", "_{m}_"))
    model_fields = set(BODY_MODELS[sdk_body]) if sdk_body in BODY_MODELS else set()
    assert set(right_body or {}) <= model_fields and template
    if isinstance((right_body or {}).get("wrapup"), dict):
        assert set(right_body["wrapup"]) <= set(BODY_MODELS["WrapupInput"])
    emulator = Emulator.from_file(EXAMPLES / "demo-org.yaml", EmulatorConfig(rate_limit=None))

    async def send() -> int:
        token = emulator.token_for("demo-client")
        async with emulator.async_client() as client:
            response = await client.request(
                right_method, right_path, json=right_body, headers={"Authorization": f"Bearer {token}"}
            )
            return response.status_code

    assert asyncio.run(send()) == 202
    assert [(w.conversation_id, w.participant_id, w.code_id) for w in emulator.write_log] == [(CID, PID, RESOLVED)]


def _template_of(path: str) -> str:
    """A filled path back to the SDK's resource path (ids -> their placeholder names)."""
    return path.replace(CID, "{conversationId}").replace(PID, "{participantId}").replace(COMM, "{communicationId}")
