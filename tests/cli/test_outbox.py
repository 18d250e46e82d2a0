"""The ``outbox`` commands: status, list and drain of an outbox a Bridge filled, to its own target or, on purpose
only, another; ``--retry-dead`` with a fixed table."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tests.live.helpers import ORG, RESOLVED, TWILIO_MAPPING, cid, emulator_bridge, task_attributes
from wrapup_bridge.cli import main
from wrapup_bridge.core.outcome import OutcomeKind
from wrapup_bridge.live import Bridge

UNREACHABLE = {
    "GENESYSCLOUD_OAUTHCLIENT_ID": "demo-client",
    "GENESYSCLOUD_OAUTHCLIENT_SECRET": "demo-secret",
    "GENESYSCLOUD_API_BASE": "http://127.0.0.1:9",  # discard port: nothing answers
}


def _outbox_with_rows(path: Path) -> None:
    """One row queued (Genesys unreachable) and one dead (unmapped)."""
    with Bridge.from_env(TWILIO_MAPPING, outbox=path, env=UNREACHABLE, budget=0.5, max_attempts=1) as bridge:
        assert bridge.apply_event("twilio", task_attributes(22)).kind is OutcomeKind.QUEUED
        assert bridge.apply_event("twilio", task_attributes(23, outcome="Fixed Later")).kind is OutcomeKind.UNMAPPED


def test_outbox_status_list_and_drain(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite"
    runner = CliRunner()
    missing = runner.invoke(main, ["outbox", "status", "--outbox", str(path)])
    assert missing.exit_code == 2 and "no outbox" in missing.output
    _outbox_with_rows(path)

    status = runner.invoke(main, ["outbox", "status", "--outbox", str(path), "--json"])
    assert status.exit_code == 1
    assert json.loads(status.output)["counts"] == {"pending": 1, "in-flight": 0, "done": 0, "dead": 1}

    listed = runner.invoke(main, ["outbox", "list", "--outbox", str(path), "--json"])
    rows = [json.loads(line) for line in listed.output.splitlines()]
    assert [(r["state"], r["conversation_id"]) for r in rows] == [("pending", cid(22)), ("dead", cid(23))]
    assert rows[1]["last_kind"] == "unmapped" and "Fixed Later" in rows[1]["last_reason"]
    people = runner.invoke(main, ["outbox", "list", "--outbox", str(path), "--state", "dead"])
    assert "unmapped:" in people.output and "#2 dead" in people.output

    # The row was queued for Genesys Cloud: a drain without its credentials never falls back to the emulator, and a
    # drain to another target (the emulator here) refuses unless told to retarget on purpose.
    clean_env = dict.fromkeys(("GENESYSCLOUD_OAUTHCLIENT_ID", "GENESYSCLOUD_OAUTHCLIENT_SECRET"), "")
    auto = runner.invoke(main, ["outbox", "drain", "--outbox", str(path)], env=clean_env)
    assert auto.exit_code == 2 and "never falls back to the emulator" in " ".join(auto.output.split())
    elsewhere = runner.invoke(
        main, ["outbox", "drain", "--outbox", str(path), "--target", "emulator", "--org", str(ORG)]
    )
    assert elsewhere.exit_code == 2 and "--retarget" in elsewhere.output
    assert (
        json.loads(runner.invoke(main, ["outbox", "status", "--outbox", str(path), "--json"]).output)["counts"][
            "pending"
        ]
        == 1
    )  # nothing was delivered by the refused drains
    drained = runner.invoke(
        main,
        ["outbox", "drain", "--outbox", str(path), "--target", "emulator", "--org", str(ORG), "--retarget", "--json"],
    )
    assert drained.exit_code == 0, drained.output
    report = json.loads(drained.output)
    assert report["states"] == {"done": 1} and report["outcomes"][0]["kind"] == "applied"
    assert report["counts"]["dead"] == 1 and "NOT Genesys" in report["target"]

    fixed = tmp_path / "fixed.yaml"
    fixed.write_text(
        TWILIO_MAPPING.read_text(encoding="utf-8").replace(
            "  - when: {code: Resolved}\n", "  - when: {code: [Resolved, Fixed Later]}\n"
        ),
        encoding="utf-8",
    )
    target = ["--target", "emulator", "--org", str(ORG)]
    again = runner.invoke(
        main,
        ["outbox", "drain", "--outbox", str(path), *target, "--retry-dead", "--retarget", "--mapping", str(fixed)],
    )
    assert again.exit_code == 0, again.output
    assert "drained 1 row(s)" in again.output and "1 done" in again.output


def test_drain_exits_1_when_rows_stay_pending(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite"
    _outbox_with_rows(path)
    env = {**UNREACHABLE, "GENESYSCLOUD_REGION": ""}
    result = CliRunner().invoke(
        main, ["outbox", "drain", "--outbox", str(path), "--target", "genesys", "--budget", "0.5"], env=env
    )
    assert result.exit_code == 1, result.output
    assert "1 pending" in result.output and "queued in outbox row 1" in result.output


def test_emulator_bridge_outbox_matches_the_cli_view(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite"
    with emulator_bridge(path) as bridge:
        outcome = bridge.apply_event("twilio", task_attributes(24))
    listed = CliRunner().invoke(main, ["outbox", "list", "--outbox", str(path), "--state", "done", "--json"])
    (row,) = [json.loads(line) for line in listed.output.splitlines()]
    assert row["id"] == outcome.outbox_id and row["code"]["id"] == RESOLVED and row["last_kind"] == "applied"
