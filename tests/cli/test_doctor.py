"""``wrapup-bridge doctor`` as a user runs it: against the emulator (no credentials set) and on a pasted error.

Three tests run it as a process of its own (no credentials in the environment, the real HTTP stack to a served
emulator, output piped); the others run the same command through click's runner in this process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.cli.process import invoke
from tests.conftest import ROOT

CONV = "c0ffee00-0000-4000-8000-000000000001"


def doctor(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``wrapup-bridge doctor *args`` through click's runner in this process, with no GENESYSCLOUD_* variable but
    those of ``env``."""
    return invoke("doctor", *args, env=env)


def doctor_process(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m wrapup_bridge doctor *args`` as a process of its own, its output piped, with no GENESYSCLOUD_*
    variable but those of ``env``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GENESYSCLOUD_")}
    return subprocess.run(
        [sys.executable, "-m", "wrapup_bridge", "doctor", *args],
        cwd=ROOT,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def findings(result: subprocess.CompletedProcess[str]) -> dict[str, object]:
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_without_credentials_doctor_says_it_talks_to_the_emulator() -> None:
    result = doctor_process("--json")
    assert result.returncode == 0, result.stderr
    report = findings(result)
    assert "emulator" in str(report["target"]) and "NOT Genesys" in str(report["target"])


def test_code_name_instead_of_id_is_called_out_with_the_id() -> None:
    result = doctor("--conversation", CONV, "--code", "Payment Taken", "--json")
    assert result.returncode == 0, result.stderr
    report = findings(result)
    titles = [f["title"] for f in report["findings"]]  # type: ignore[index, union-attr]
    assert any("is a code *name*; Genesys needs its id: dd1c84e4-4fa9-40d7-81ac-e0d9a2729d41" in t for t in titles)
    request = report["request"]
    assert isinstance(request, dict)
    assert request["method"] == "POST"
    assert request["path"].startswith(f"/api/v2/conversations/calls/{CONV}/participants/")
    assert request["json"]["code"] == "dd1c84e4-4fa9-40d7-81ac-e0d9a2729d41"


def test_code_not_allowed_and_no_agent_are_problems() -> None:
    other = "0cab9e0c-7015-4b96-9819-e59f32cd0700"  # assigned to no queue
    result = doctor("--conversation", CONV, "--code", other)
    assert result.returncode == 1
    assert "not among the codes allowed" in result.stdout
    result = doctor("--conversation", "c0ffee00-0000-4000-8000-000000000019", "--code", "Caller Abandoned")
    assert result.returncode == 1
    assert "no agent ever connected (1 alert(s) rang out, 1 declined)" in " ".join(result.stdout.split())


def test_apply_writes_through_the_sink() -> None:
    result = doctor("--conversation", CONV, "--code", "dd1c84e4-4fa9-40d7-81ac-e0d9a2729d41", "--apply", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    outcome = findings(result)["outcome"]
    assert isinstance(outcome, dict) and outcome["kind"] == "applied"


def test_real_http_stack_with_a_client_lacking_the_write_permission() -> None:
    """The emulator under uvicorn on loopback, doctor in another process with GENESYSCLOUD_* pointing at it."""
    from wrapup_bridge.emulator import Emulator

    emulator = Emulator.from_file(ROOT / "examples" / "demo-org.yaml")
    with emulator.serve() as base_url:
        env = {
            "GENESYSCLOUD_OAUTHCLIENT_ID": "readonly-client",
            "GENESYSCLOUD_OAUTHCLIENT_SECRET": "readonly-secret",
            "GENESYSCLOUD_API_BASE": base_url,
        }
        result = doctor_process("--conversation", CONV, "--code", "Payment Taken", "--apply", "--json", env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    report = findings(result)
    assert base_url in str(report["target"])
    outcome = report["outcome"]
    assert isinstance(outcome, dict) and outcome["kind"] == "rejected"
    assert outcome["error"]["status"] == 403
    assert "conversation:participant:wrapup" in outcome["reason"]
    assert emulator.write_log == []


def test_pasted_missing_permission_names_the_permission_and_divisions() -> None:
    pasted = json.dumps(
        {
            "message": "You are missing the following permission(s): [conversation:participant:wrapup]",
            "code": "missing.permissions",
            "status": 403,
            "messageParams": {"permissions": "conversation:participant:wrapup"},
            "contextId": "3b7c1e0e-1c5a-4f4e-9a51-2f6f1f0d9c11",
        }
    )
    result = doctor(
        "--explain-error",
        pasted,
        "--path",
        f"/api/v2/conversations/calls/{CONV}/participants/p/communications/c/wrapup",
    )
    assert result.returncode == 0
    assert "conversation:participant:wrapup" in result.stdout and "division" in result.stdout


def test_explain_a_pasted_rejection_of_a_name_sent_as_code() -> None:
    body = json.dumps({"message": "Invalid wrapup code", "code": "bad.request", "status": 400, "contextId": "x"})
    result = doctor(
        "--explain-error",
        body,
        "--path",
        "/api/v2/conversations/calls/c/participants/p/communications/m/wrapup",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["error"]["status"] == 400 and data["explanation"]


def test_genesys_target_without_credentials_is_a_usage_error() -> None:
    result = doctor("--target", "genesys")
    assert result.returncode == 2
    assert "GENESYSCLOUD_OAUTHCLIENT_ID" in result.stderr


def test_each_agent_participant_is_named_with_why_it_was_or_was_not_chosen() -> None:
    # Conversation 3 of the demo org: Maria Garcia declined, Kevin Chen's alert rang out, then Maria answered.
    three = "c0ffee00-0000-4000-8000-000000000003"
    result = doctor("--conversation", three, "--code", "Payment Taken", "--agent", "mgarcia", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    legs = [
        (f["title"], f["detail"])
        for f in findings(result)["findings"]  # type: ignore[attr-defined]
        if str(f["title"]).startswith("agent participant")
    ]
    assert [(title.split("(")[1], detail) for title, detail in legs] == [
        ("Maria Garcia): declined", "not chosen: the agent declined the alert, it never connected"),
        ("Kevin Chen): missed", "not chosen: the alert rang out, it never connected"),
        ("Maria Garcia): handled", "chosen: the agent the record names (mgarcia)"),
    ]
    # Naming an agent who only rang out is refused, saying who handled it.
    refused = doctor("--conversation", three, "--code", "Payment Taken", "--agent", "kchen")
    assert refused.returncode == 1
    assert "handled by Maria Garcia" in " ".join(refused.stdout.split())


def test_a_system_code_on_the_participant_is_said_to_be_one() -> None:
    # Conversation 2's after-call work timed out: Genesys stamped ININ-WRAP-UP-TIMEOUT.
    result = doctor("--conversation", "c0ffee00-0000-4000-8000-000000000002", "--code", "Payment Taken", "--json")
    titles = [f["title"] for f in findings(result)["findings"]]  # type: ignore[attr-defined]
    assert "the participant carries ININ-WRAP-UP-TIMEOUT, a code Genesys stamped itself" in titles


def test_explain_request_answers_the_forum_question_without_calling_genesys() -> None:
    """The request that starts every migration thread, with the 422 it got: the request's own mistakes first."""
    error = '{"message": "Invalid wrap-up code for interaction type", "code": "bad.request", "status": 422}'
    result = doctor(
        "--explain-request",
        f"POST /api/v2/conversations/interactions/{CONV}",
        "--body",
        '{"wrapUpCode": {"id": "12345-abc"}}',
        "--error",
        error,
        "--json",
        env={"GENESYSCLOUD_API_BASE": "http://127.0.0.1:9"},  # nothing listens: no call may be made
    )
    assert result.returncode == 1, result.stderr
    report = findings(result)
    assert [f["kind"] for f in report["findings"]] == [  # type: ignore[index, union-attr]
        "no-such-endpoint",
        "unknown-field",
        "wrong-type",
        "code-not-an-id",
    ]
    right = report["correctedRequest"]
    assert isinstance(right, dict) and right["method"] == "POST" and right["body"] == {"code": "<wrap-up code id>"}
    assert right["path"].endswith("/communications/{communicationId}/wrapup")
    assert report["error"]["status"] == 422  # type: ignore[index]
    text = doctor("--explain-request", f"POST /api/v2/conversations/{CONV}/participants/x/communications/y/wrapup",
                  "--body", '{"code": "dd1c84e4-4fa9-40d7-81ac-e0d9a2729d41"}')  # fmt: skip
    assert "the right request:" in text.stdout and "no-such-endpoint" in text.stdout


def test_explain_error_on_the_forum_path_lints_it_first_and_no_longer_blames_the_ids() -> None:
    """The issue's own reproduction: before, only "Check the request's ids and parameters"."""
    result = doctor(
        "--explain-error",
        '{"message": "Invalid wrap-up code for interaction type"}',
        "--status",
        "422",
        "--path",
        "/api/v2/conversations/interactions/abc",
    )
    assert result.returncode == 1
    text = " ".join(result.stdout.split())
    assert "there is no endpoint that sets a wrap-up at this path" in text
    assert "/communications/{communicationId}/wrapup" in text
    not_found = doctor("--explain-error", '{"message": "not found", "code": "not.found", "status": 404}',
                       "--path", "/api/v2/conversations/interactions/abc")  # fmt: skip
    assert "GENESYSCLOUD_REGION" not in not_found.stdout and "no real operation" in not_found.stdout


def test_the_exact_request_stays_whole_when_piped_and_its_body_is_json() -> None:
    result = doctor_process("--conversation", CONV, "--code", "Payment Taken", env={"COLUMNS": "60"})
    assert result.returncode == 0, result.stderr
    (line,) = [text for text in result.stdout.splitlines() if "the write would be:" in text]
    path = line.split("the write would be: POST ", 1)[1].strip()
    assert path.startswith(f"/api/v2/conversations/calls/{CONV}/participants/") and path.endswith("/wrapup")
    (body_line,) = [text for text in result.stdout.splitlines() if text.strip().startswith("body ")]
    assert json.loads(body_line.strip().removeprefix("body ")) == {
        "code": "dd1c84e4-4fa9-40d7-81ac-e0d9a2729d41",
        "name": "Payment Taken",
    }


NO_QUEUES = """
  - client_id: noqueue-client
    client_secret: noqueue-secret
    name: Cannot list queues
    permissions:
      - conversation:participant:wrapup
      - conversation:communication:view
      - routing:wrapupCode:view
      - analytics:conversationDetail:view
"""
SECRETS = ("demo-secret", "readonly-secret", "noqueue-secret", "a-wrong-secret")


def org_with_a_client_lacking_queues(folder: Path) -> Path:
    """The demo org with a third OAuth client, ``noqueue-client``, whose role lacks ``routing:queue:view``."""
    text = (ROOT / "examples" / "demo-org.yaml").read_text(encoding="utf-8")
    head, tail = text.split("conversations:\n", 1)
    org = folder / "org.yaml"
    org.write_text(head.rstrip("\n") + NO_QUEUES + "conversations:\n" + tail, encoding="utf-8")
    return org


def client_lines(output: str) -> list[str]:
    """doctor's line for each OAuth client (a finding's title, not its explanation below it)."""
    return [line.strip() for line in output.splitlines() if re.match(r"\s*(ok|problem)  OAuth client ", line)]


def test_every_configured_oauth_client_is_checked_one_line_each(tmp_path: Path) -> None:
    org = org_with_a_client_lacking_queues(tmp_path)
    clients = tmp_path / "clients.yaml"
    clients.write_text(
        "- id: readonly-client\n  secret: readonly-secret\n"
        "- id: noqueue-client\n  secret: noqueue-secret\n"
        "- id: demo-client-2\n  secret: a-wrong-secret\n",
        encoding="utf-8",
    )
    args = ("--target", "emulator", "--org", str(org), "--clients", str(clients))
    result = doctor(*args, "--conversation", CONV)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = client_lines(result.stdout)
    assert len(lines) == 4, result.stdout
    assert lines[0] == (
        "ok  OAuth client demo-client [the org's client demo-client]: token, routing:wrapupCode:view, "
        "routing:queue:view, conversation:communication:view, analytics:conversationDetail:view"
    )
    assert lines[1].startswith(f"ok  OAuth client readonly-client [{clients}:1]: token, ")
    assert lines[2].startswith(f"problem  OAuth client noqueue-client [{clients}:3]: routing:queue:view refused (403")
    assert lines[2].endswith("; token, routing:wrapupCode:view, conversation:communication:view, "
                             "analytics:conversationDetail:view ok")  # fmt: skip
    assert lines[3].startswith(f"problem  OAuth client demo-client-2 [{clients}:5]: token refused (")
    assert not any(secret in result.stdout + result.stderr for secret in SECRETS)
    # The first client is then checked in full, as with one client.
    assert "routing:queue:view (listed queues)" in result.stdout

    report = findings(doctor(*args, "--json"))
    checked = report["clients"]
    assert isinstance(checked, list)
    assert [(c["client_id"], c["ok"]) for c in checked] == [
        ("demo-client", True),
        ("readonly-client", True),
        ("noqueue-client", False),
        ("demo-client-2", False),
    ]
    assert checked[2]["passed"] == ["token", "routing:wrapupCode:view"]
    assert [r["check"] for r in checked[2]["refused"]] == ["routing:queue:view"]
    assert not any(secret in json.dumps(report) for secret in SECRETS)


def test_the_numbered_variables_clients_are_checked_over_http() -> None:
    from wrapup_bridge.emulator import Emulator

    emulator = Emulator.from_file(ROOT / "examples" / "demo-org.yaml")
    with emulator.serve() as base_url:
        env = {
            "GENESYSCLOUD_OAUTHCLIENT_ID": "demo-client",
            "GENESYSCLOUD_OAUTHCLIENT_SECRET": "demo-secret",
            "GENESYSCLOUD_OAUTHCLIENT_ID_2": "readonly-client",
            "GENESYSCLOUD_OAUTHCLIENT_SECRET_2": "readonly-secret",
            "GENESYSCLOUD_API_BASE": base_url,
        }
        result = doctor_process(env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = client_lines(result.stdout)
    assert lines == [
        "ok  OAuth client demo-client [GENESYSCLOUD_OAUTHCLIENT_ID]: token, routing:wrapupCode:view, routing:queue:view",
        "ok  OAuth client readonly-client [GENESYSCLOUD_OAUTHCLIENT_ID_2]: token, routing:wrapupCode:view, "
        "routing:queue:view",
    ]
    assert not any(secret in result.stdout + result.stderr for secret in SECRETS)


def test_one_client_gets_no_line_of_its_own() -> None:
    result = doctor("--json")
    assert result.returncode == 0, result.stderr
    assert "clients" not in findings(result)
