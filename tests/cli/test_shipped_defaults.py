"""The commands work from an empty folder, as after ``pip install wrapup-bridge``: their defaults are the shipped
package data (the demo org, the Twilio Flex table), never paths relative to the current folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from wrapup_bridge.cli import main
from wrapup_bridge.data import DEMO_ORG, TWILIO_FLEX_MAPPING, shipped


@pytest.fixture
def empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty current folder and no Genesys credentials: ``auto`` targets are the emulator of the demo org."""
    folder = tmp_path / "empty"
    folder.mkdir()
    monkeypatch.chdir(folder)
    for name in ("GENESYSCLOUD_OAUTHCLIENT_ID", "WRAPUP_BRIDGE_OUTBOX", "WRAPUP_BRIDGE_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    return folder


def test_catalog_export_reads_the_shipped_demo_org(empty: Path) -> None:
    result = CliRunner().invoke(main, ["catalog", "export"])
    assert result.exit_code == 0, result.output
    snapshot = json.loads(result.stdout)
    assert snapshot["target"] == "emulator" and str(DEMO_ORG) in snapshot["exportedFrom"]
    assert "exported 21 wrap-up codes and 4 queues" in result.stderr
    assert list(empty.iterdir()) == []


def test_mapping_check_of_a_shipped_table_against_the_demo_org(empty: Path) -> None:
    result = CliRunner().invoke(main, ["mapping", "check", str(shipped("mappings/five9.yaml")), "--live"])
    assert result.exit_code == 0, result.output
    assert f"org file {DEMO_ORG}" in result.stdout and "0 errors, 0 warnings" in result.stdout


def test_serve_help_names_the_shipped_defaults(empty: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--help"], terminal_width=400, max_content_width=400)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "the shipped twilio-flex.yaml" in text and "the shipped demo org" in text


def test_serve_opens_its_bridge_with_the_shipped_table(empty: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The bridge (shipped table, demo org) is built before the address is taken: an address that cannot be
    # listened on is the first problem found, and nothing is left in the folder.
    monkeypatch.setenv("WRAPUP_BRIDGE_API_TOKEN", "secret")
    result = CliRunner().invoke(main, ["serve", "--host", "256.0.0.1", "--port", "0"])
    assert result.exit_code == 2 and "cannot listen on 256.0.0.1:0" in result.output, result.output
    assert list(empty.iterdir()) == []


def test_outbox_drain_without_a_mapping_uses_the_shipped_table(empty: Path, tmp_path: Path) -> None:
    from wrapup_bridge.live.outbox import Outbox

    path = tmp_path / "outbox.sqlite"
    with Outbox(path) as box:
        box.counts()
    result = CliRunner().invoke(main, ["outbox", "drain", "--outbox", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["claimed"] == 0 and "NOT Genesys Cloud" in report["target"]
    assert TWILIO_FLEX_MAPPING.is_file() and list(empty.iterdir()) == []
