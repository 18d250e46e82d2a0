"""``wrapup-bridge demo`` through the real entry point, run as a user would: the demo replays onto the emulator,
and a second run writes nothing."""

from __future__ import annotations

from pathlib import Path

from tests.cli.process import run


def test_demo_replays_onto_the_emulator_and_a_second_run_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    first = run("demo", "--out", str(out))
    assert first.returncode == 0, first.stderr
    assert "EMULATOR (NOT Genesys Cloud)" in first.stdout
    assert "wrap-ups written to the emulator this run: 42" in first.stdout
    # The demo org is realistic, and the report shows it: legs that rang out passed over, system codes replaced,
    # the abandoned call that nobody answered explained.
    text = " ".join(first.stdout.split())
    assert "agent participants whose alerts rang out or were declined were passed over" in text
    assert "8 wrap-ups replaced ININ-WRAP-UP-TIMEOUT" in text
    assert "no-target: no agent ever connected (1 alert(s) rang out, 1 declined)" in text
    assert (out / "five9.plan.jsonl").is_file() and (out / "five9.deadletter.jsonl").is_file()
    second = run("demo", "--out", str(out))
    assert second.returncode == 0, second.stderr
    assert "wrap-ups written to the emulator this run: 0" in second.stdout
    assert "nothing was written twice" in second.stdout
