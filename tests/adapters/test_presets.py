"""Presets: named source: sections for the common export variants, starting points that settings override."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, MAPPINGS, ROOT
from wrapup_bridge.adapters import get_adapter, options_for
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.mapping import MappingTableError, load_mapping
from wrapup_bridge.core.mapping.presets import PRESETS, preset_named

FIXTURES = Path(__file__).parent / "fixtures"


def read(source: str, path: Path, **given: object) -> list[object]:
    adapter = get_adapter(source, options_for(None, platform=source, **given))
    return list(adapter.read(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""), name=path.name))


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_builds_an_adapter_of_its_platform(name: str) -> None:
    preset = PRESETS[name]
    options = options_for(None, preset=name, platform=preset.platform)
    assert options.format == preset.settings["format"]
    get_adapter(preset.platform, options)  # no option its format cannot use
    assert name in preset.render() and preset.source


def test_named_web_connector_preset_reads_admin_named_parameters() -> None:
    first, second, third = read(
        "five9", FIXTURES / "five9" / "web-connector-admin-named.txt", preset="five9-web-connector-named"
    )
    assert isinstance(first, Disposition) and (first.source_id, first.code, first.agent) == (
        "300000010271401",
        "Payment Taken",
        "jdoe",
    )
    assert first.conversation_id == "c0ffee00-0000-4000-8000-000000000041"
    assert isinstance(second, Disposition) and second.code == "No Answer"
    assert not isinstance(third, Disposition)  # the disposition placeholder was never substituted


def test_insights_preset_is_the_declared_order_and_joined_columns() -> None:
    path = FIXTURES / "twilio" / "insights-locale.csv"
    by_preset = read("twilio", path, preset="twilio-insights-us", timezone="America/New_York")
    by_hand = read("twilio", path, date_order="mdy", timezone="America/New_York")
    assert by_preset == by_hand and all(isinstance(r, Disposition) for r in by_preset)


def test_settings_win_over_the_preset_and_the_run_over_the_table(tmp_path: Path) -> None:
    text = (MAPPINGS / "five9.yaml").read_text(encoding="utf-8")
    table_path = tmp_path / "t.yaml"
    table_path.write_text(
        text.replace("  format: call-log\n", "  preset: five9-warehouse\n  timezone: Europe/London\n"), encoding="utf-8"
    )
    table = load_mapping(table_path)
    assert options_for(table.source).timezone == "Europe/London"  # the table over its preset
    assert options_for(table.source, timezone="America/Chicago").timezone == "America/Chicago"  # the run over both
    assert options_for(table.source).format == "call-log"  # what the table does not say comes from the preset


@pytest.mark.parametrize(
    ("preset", "says"), [("nope", "unknown preset 'nope'"), ("twilio-insights-us", "is for twilio, not five9")]
)
def test_a_table_naming_an_unusable_preset_is_refused_with_its_line(tmp_path: Path, preset: str, says: str) -> None:
    text = (MAPPINGS / "five9.yaml").read_text(encoding="utf-8")
    path = tmp_path / "t.yaml"
    path.write_text(text.replace("  format: call-log\n", f"  preset: {preset}\n"), encoding="utf-8")
    with pytest.raises(MappingTableError) as caught:
        load_mapping(path)
    (problem,) = caught.value.problems
    assert says in problem.message and problem.line == 9  # the preset: line


def test_unknown_presets_list_the_known_ones() -> None:
    with pytest.raises(ValueError, match="five9-warehouse"):
        preset_named("five9-warehous", "five9")


def test_the_cli_lists_presets_and_takes_the_platform_from_one(tmp_path: Path) -> None:
    cli = [sys.executable, "-m", "wrapup_bridge", "normalize"]
    listed = subprocess.run([*cli, "--list-presets", "--source", "cxone"], capture_output=True, text=True, check=False)
    assert listed.returncode == 0 and "cxone-completed-contacts" in listed.stdout and "five9" not in listed.stdout
    result = subprocess.run(
        [*cli, "--preset", "cxone-completed-contacts", str(EXAMPLES / "cxone" / "completed-contacts.json")],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert {json.loads(line)["source"] for line in result.stdout.splitlines()} == {"cxone"}
    assert ROOT.is_dir()
