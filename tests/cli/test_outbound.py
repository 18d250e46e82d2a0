"""``wrapup-bridge outbound plan|apply`` end to end: the real CLI and HTTP stack, the emulator served on loopback and
pointed at through the GENESYSCLOUD_* variables, as Genesys would be. The plan shows the diff and writes nothing;
apply writes it with one PUT, read back; a second apply writes nothing; a plan whose org moved, that was edited, or
that was made for another target is refused; a missing permission is named. Plan, apply and apply again run as
processes of their own, as a user runs them; the other tests run the CLI through click's runner in this process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cli.process import invoke
from tests.conftest import EXAMPLES, MAPPINGS
from wrapup_bridge.emulator import Emulator, EmulatorConfig

PATH = "/api/v2/outbound/wrapupcodemappings"
PUT = f"PUT {PATH}"
SALE = "0dd6a32c-c059-4534-97bf-c82d73d9c869"
WRONG_NUMBER = "975d8cba-c0ba-4e79-848f-dfc9b2829097"
CALLBACK = "0b1f3790-be06-42fd-9aaf-6ec4a380626b"
DO_NOT_CALL = "2d4579fe-90cf-4f1d-a7e3-deeab99a14f8"


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Emulator, dict[str, str]]]:
    emulator = Emulator.from_file(EXAMPLES / "demo-org.yaml", EmulatorConfig(rate_limit=100_000))
    with emulator.serve() as base_url:
        env = {
            "GENESYSCLOUD_OAUTHCLIENT_ID": "demo-client",
            "GENESYSCLOUD_OAUTHCLIENT_SECRET": "demo-secret",
            "GENESYSCLOUD_API_BASE": base_url,
        }
        yield emulator, env


@pytest.fixture
def emulator(served: tuple[Emulator, dict[str, str]]) -> Emulator:
    served[0].reset()
    return served[0]


@pytest.fixture
def table(tmp_path: Path) -> Path:
    """The shipped Five9 table beside its catalog, as a user's copy (the catalog is named relative to the table)."""
    (tmp_path / "mappings").mkdir()
    shutil.copytree(EXAMPLES / "five9", tmp_path / "examples" / "five9")
    copy = tmp_path / "mappings" / "five9.yaml"
    shutil.copy(MAPPINGS / "five9.yaml", copy)
    return copy


def process(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m wrapup_bridge outbound *args --target genesys`` as a process of its own."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GENESYSCLOUD_")}
    return subprocess.run(
        [sys.executable, "-m", "wrapup_bridge", "outbound", *args, "--target", "genesys"],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def cli(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``outbound *args --target genesys`` through click's runner in this process."""
    return invoke("outbound", *args, "--target", "genesys", env=env, cwd=cwd)


def puts(emulator: Emulator) -> dict[str, int]:
    return dict(emulator.stats()["statuses"].get(PUT, {}))


def mapping(emulator: Emulator) -> dict[str, Any]:
    with emulator.runtime.lock:
        return emulator.runtime.outbound.to_json(emulator.config)


def records(plan: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in plan.with_suffix(".applied.jsonl").read_text().splitlines()]


def test_plan_shows_the_diff_apply_writes_once_and_again_writes_nothing(
    emulator: Emulator, served: tuple[Emulator, dict[str, str]], table: Path, tmp_path: Path
) -> None:
    env = served[1]
    plan = process(env, tmp_path, "plan", str(table), "--out", "o.plan.json")
    assert plan.returncode == 0, plan.stderr
    text = plan.stdout
    assert "read at version 4" in text and "Changes (6):" in text
    assert (
        "~ Sale (0dd6a32c-c059-4534-97bf-c82d73d9c869): Right_Party_Contact -> RIGHT_PARTY_CONTACT + BUSINESS_SUCCESS "
        "(+BUSINESS_SUCCESS)" in text
    )
    assert "+ Wrong Number (975d8cba-c0ba-4e79-848f-dfc9b2829097): NUMBER_UNCALLABLE" in text
    assert "+ Callback Scheduled (0b1f3790-be06-42fd-9aaf-6ec4a380626b): (no flags)" in text
    assert (
        "why: 'Wrong Number' via rule #6 (line 45) (type DoNotDial -> NUMBER_UNCALLABLE, outbound.types.DoNotDial)"
        in text
    )
    assert "Already right: Do Not Call." in text
    assert "defaultSet: CONTACT_UNCALLABLE, left as it is" in text
    assert "warning  'Spoke To Spouse'" in text and "redial after 1 day, 3 redial attempts" in text
    assert "wrapup-bridge outbound apply o.plan.json" in text
    assert puts(emulator) == {}  # a plan writes nothing

    applied = process(env, tmp_path, "apply", "o.plan.json")
    assert applied.returncode == 0, applied.stderr
    assert "Applied: 1 PUT, version 4 -> 5; every change reads back as written." in applied.stdout
    assert puts(emulator) == {"200": 1}
    after = mapping(emulator)
    assert after["version"] == 5 and after["defaultSet"] == ["CONTACT_UNCALLABLE"]
    assert after["mapping"][SALE] == ["RIGHT_PARTY_CONTACT", "BUSINESS_SUCCESS"]
    assert after["mapping"][WRONG_NUMBER] == ["NUMBER_UNCALLABLE"] and after["mapping"][CALLBACK] == []
    assert after["mapping"][DO_NOT_CALL] == ["CONTACT_UNCALLABLE"]  # untouched entries stay
    assert len(after["mapping"]) == 5 + 5  # the org's five and the five new ones
    plan_file = tmp_path / "o.plan.json"
    assert [r["event"] for r in records(plan_file)] == ["put", "applied"]
    assert records(plan_file)[1]["version_after"] == 5

    again = process(env, tmp_path, "apply", "o.plan.json")
    assert again.returncode == 0, again.stderr
    assert "Nothing to change" in again.stdout and "0 writes" in again.stdout
    assert puts(emulator) == {"200": 1}  # nothing twice
    assert [r["event"] for r in records(plan_file)] == ["put", "applied", "nothing-to-change"]

    replanned = cli(env, tmp_path, "plan", str(table), "--out", "p2.json")
    assert replanned.returncode == 0 and "No changes" in replanned.stdout and "read at version 5" in replanned.stdout


def test_a_plan_whose_org_moved_is_refused_with_what_moved(
    emulator: Emulator, served: tuple[Emulator, dict[str, str]], table: Path, tmp_path: Path
) -> None:
    env = served[1]
    assert cli(env, tmp_path, "plan", str(table), "--out", "o.plan.json").returncode == 0
    # Someone saves the mapping in the admin UI meanwhile.
    base = env["GENESYSCLOUD_API_BASE"]
    token = httpx.post(
        f"{base}/oauth/token", data={"grant_type": "client_credentials"}, auth=("demo-client", "demo-secret")
    )
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    current = httpx.get(f"{base}{PATH}", headers=headers).json()
    moved = {**current, "mapping": {**current["mapping"], CALLBACK: ["CONTACT_UNCALLABLE"]}}
    assert httpx.put(f"{base}{PATH}", json=moved, headers=headers).status_code == 200

    refused = cli(env, tmp_path, "apply", "o.plan.json")
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "changed since you planned (read at version 4" in refused.stderr and "now 5" in refused.stderr
    assert (
        f"{CALLBACK}: no entry -> CONTACT_UNCALLABLE" in refused.stderr
        and "re-run `wrapup-bridge outbound plan`" in refused.stderr
    )
    assert "nothing was written" in refused.stderr
    assert puts(emulator) == {"200": 1}  # the other client's only

    # The new plan, made from version 5, applies; it puts Callback Scheduled back to no flags.
    assert cli(env, tmp_path, "plan", str(table), "--out", "o.plan.json").returncode == 0
    applied = cli(env, tmp_path, "apply", "o.plan.json")
    assert applied.returncode == 0 and "version 5 -> 6" in applied.stdout
    assert mapping(emulator)["mapping"][CALLBACK] == []


def test_dry_run_writes_nothing_and_shows_the_body(
    emulator: Emulator, served: tuple[Emulator, dict[str, str]], table: Path, tmp_path: Path
) -> None:
    env = served[1]
    assert cli(env, tmp_path, "plan", str(table), "--out", "o.plan.json").returncode == 0
    dry = cli(env, tmp_path, "apply", "o.plan.json", "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    result = json.loads(dry.stdout)
    assert result["outcome"] == "dry-run" and result["writes"] == 0 and len(result["changes"]) == 6
    assert result["body"]["version"] == 4 and set(result["body"]) == {"version", "defaultSet", "mapping"}
    assert puts(emulator) == {} and not (tmp_path / "o.plan.applied.jsonl").exists()


def test_an_edited_plan_and_a_plan_for_another_target_are_refused(
    emulator: Emulator, served: tuple[Emulator, dict[str, str]], table: Path, tmp_path: Path
) -> None:
    env = served[1]
    assert cli(env, tmp_path, "plan", str(table), "--out", "o.plan.json", "--json").returncode == 0
    plan_file = tmp_path / "o.plan.json"
    data = json.loads(plan_file.read_text())
    data["changes"]["changes"][0]["after"] = ["CONTACT_UNCALLABLE"]
    edited = tmp_path / "edited.plan.json"
    edited.write_text(json.dumps(data))
    refused = cli(env, tmp_path, "apply", str(edited))
    assert refused.returncode == 2 and "changed after it was made" in refused.stderr
    other = invoke("outbound", "apply", str(plan_file), "--target", "emulator", cwd=tmp_path)
    assert other.returncode == 2 and "this plan was made for" in other.stderr
    not_a_plan = cli(env, tmp_path, "apply", str(table))
    assert not_a_plan.returncode == 2 and "not an outbound plan" in not_a_plan.stderr
    assert puts(emulator) == {}


def test_the_missing_permission_is_named_and_nothing_written(
    emulator: Emulator, served: tuple[Emulator, dict[str, str]], table: Path, tmp_path: Path
) -> None:
    env = served[1]
    readonly = {
        **env,
        "GENESYSCLOUD_OAUTHCLIENT_ID": "readonly-client",
        "GENESYSCLOUD_OAUTHCLIENT_SECRET": "readonly-secret",
    }
    assert cli(readonly, tmp_path, "plan", str(table), "--out", "o.plan.json").returncode == 0  # view is enough
    refused = cli(readonly, tmp_path, "apply", "o.plan.json")
    assert refused.returncode == 2 and "403 missing.permissions" in refused.stderr
    assert "outbound:wrapUpCodeMapping:edit" in refused.stderr and "contextId" in refused.stderr
    assert [r["event"] for r in records(tmp_path / "o.plan.json")] == ["put", "refused"]
    assert puts(emulator) == {"403": 1} and mapping(emulator)["version"] == 4


def test_dispositions_that_disagree_are_left_out_and_exit_1(
    emulator: Emulator, served: tuple[Emulator, dict[str, str]], table: Path, tmp_path: Path
) -> None:
    env = served[1]
    text = table.read_text().replace(
        "  - when: {code: [Wrong Number, Dial Error, Operator Intercept]}",
        "  - when: {code: Spoke To Spouse}\n    code: wrong_number\n"
        "  - when: {code: [Wrong Number, Dial Error, Operator Intercept]}",
    )
    table.write_text(text)
    planned = cli(env, tmp_path, "plan", str(table), "--out", "o.plan.json", "--json")
    assert planned.returncode == 1, planned.stderr
    summary = json.loads(planned.stdout)
    assert summary["conflicts"] == 1
    assert WRONG_NUMBER not in {c["code_id"] for c in summary["changes"]}
    (conflict,) = [f for f in summary["findings"] if f["kind"] == "conflict"]
    assert "'Spoke To Spouse'" in conflict["message"] and "outbound.codes.wrong_number" in conflict["message"]


def test_a_broken_outbound_section_is_named_with_its_line(tmp_path: Path, table: Path) -> None:
    table.write_text(table.read_text().replace("DoNotDial: [NUMBER_UNCALLABLE]", "DoNotDial: [NUMBER_UNCALABLE]"))
    result = invoke("outbound", "plan", str(table), "--target", "emulator", cwd=tmp_path)
    assert result.returncode == 2
    assert (
        f"{table}:" in result.stderr
        and "outbound.types.DoNotDial[0]: 'NUMBER_UNCALABLE' is not an outbound flag" in result.stderr
    )


def test_cxone_outcomes_take_the_built_in_defaults(tmp_path: Path) -> None:
    result = invoke(
        "outbound", "plan", str(MAPPINGS / "cxone.yaml"), "--catalog", str(EXAMPLES / "cxone" / "skill-dispositions.json"),
        "--target", "emulator", "--out", "c.plan.json", "--json", cwd=tmp_path,
    )  # fmt: skip
    summary = json.loads(result.stdout)
    after = {c["code_name"]: c["after"] for c in summary["changes"]}
    assert after["Payment Taken"] == ["RIGHT_PARTY_CONTACT", "BUSINESS_SUCCESS"]  # classification Positive no Amount
    assert after["Follow-up Required"] == ["RIGHT_PARTY_CONTACT", "BUSINESS_SUCCESS"]  # Promise To Pay: w/Amount
    assert "Busy" not in after  # already []: reporting group Connection Retry
    # Escalated is reached by Dispute (Negative) and by Promise To Pay when its secondary disposition is Dispute
    # (Positive w/Amount): a person decides, the plan does not pick.
    assert result.returncode == 1 and summary["conflicts"] == 1 and "Escalated" not in after
    (conflict,) = [f for f in summary["findings"] if f["kind"] == "conflict"]
    assert "'Dispute'" in conflict["message"] and "'Promise To Pay' via rule #2" in conflict["message"]
    defaults = [f["message"] for f in summary["findings"] if f["kind"] == "default"]
    assert any(m.startswith("classification Positive no Amount -> ") for m in defaults)
