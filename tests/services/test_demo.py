"""The demo service runs from an empty folder with nothing but the package's shipped data (as after a ``pip
install``): 42 wrap-ups on a first run, none on a second with the same output folder; ``root`` is only an
override, and one without the demo's files is refused with a library error."""

from __future__ import annotations

from pathlib import Path

import pytest

from wrapup_bridge.data import DATA_DIR
from wrapup_bridge.services.demo import DemoDataMissing, DemoError, DemoTarget, run_demo


def test_the_demo_runs_from_an_empty_folder_on_shipped_data_and_writes_nothing_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # nothing of the checkout here: no mappings/, no examples/
    told: list[DemoTarget] = []
    first = run_demo(Path("out/demo"), on_target=told.append)
    assert [r.source for r in first.sets] == ["five9", "twilio", "cxone"]
    assert all(r.mapping.is_relative_to(DATA_DIR) for r in first.sets)  # the shipped tables
    assert first.writes == 42
    assert told == [first.target] and "EMULATOR (NOT Genesys Cloud)" in first.target.description
    assert str(DATA_DIR / "examples" / "demo-org.yaml") in first.target.description
    assert first.totals["replaced-system-code"] == 8
    assert first.passed_over_legs > 0 and first.passed_over_conversations > 0
    assert (tmp_path / "out/demo/five9.plan.jsonl").is_file()
    assert [p.name for p in first.dead_letter_files] == ["five9.deadletter.jsonl", "twilio.deadletter.jsonl"]
    assert sum(first.reasons.values()) == sum(
        r.outcomes.get(k, 0) for r in first.sets for k in ("unmapped", "no-target", "rejected")
    )

    second = run_demo(Path("out/demo"))
    assert second.target.restored == 42
    assert second.writes == 0 and second.nothing_written_twice


def test_a_root_without_the_demo_files_and_an_unusable_out_are_library_errors(tmp_path: Path) -> None:
    with pytest.raises(DemoDataMissing, match=r"demo-org\.yaml not found"):
        run_demo(tmp_path / "out", root=tmp_path)
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    with pytest.raises(DemoError, match="cannot create the demo folder"):
        run_demo(tmp_path / "a-file" / "demo")
