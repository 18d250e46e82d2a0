"""Fixtures of the CLI tests: the demo org exported by ``wrapup-bridge catalog export`` (once per session), and
the planted table of the review tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.core.review.samples import ORG, write_planted
from wrapup_bridge.cli import main


@pytest.fixture(scope="session")
def snapshot_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo org exported by `wrapup-bridge catalog export` against the in-process emulator."""
    out = tmp_path_factory.mktemp("catalog") / "demo-catalog.json"
    result = CliRunner().invoke(
        main, ["catalog", "export", "--target", "emulator", "--org", str(ORG), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def snapshot(snapshot_file: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(snapshot_file.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    return write_planted(tmp_path)
