"""``wrapup-bridge demo`` through the real entry point, run as a user would: the demo correlates the Five9 export
without conversation ids and says where the file to review is, replays everything onto the emulator (52 wrap-ups:
42 from the exports with ids, 10 matched by correlation), and a second run writes nothing."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.cli.process import run


def test_demo_replays_onto_the_emulator_and_a_second_run_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    first = run("demo", "--out", str(out))
    assert first.returncode == 0, first.stderr
    assert "EMULATOR (NOT Genesys Cloud)" in first.stdout
    text = " ".join(first.stdout.split())
    assert "wrap-ups written to the emulator this run: 52" in text
    # The correlation step, before the replay: what it found, what it cost, where to review it.
    assert "(15 records without a conversation id)" in text
    assert "10 matched, 2 ambiguous, 2 none, 1 before-cutover; 3 API calls" in text
    assert "the five9 replay below takes its 10 matched rows as reviewed; the 5 others go to the dead letters" in text
    assert text.index("correlated ") < text.index("wrap-ups written to the emulator")
    with (out / "five9.correlation.csv").open(encoding="utf-8", newline="") as handle:
        assert [r["status"] for r in csv.DictReader(handle)].count("matched") == 10
    assert "2 no-target: correlation ambiguous: 2 conversations score within 0.15 of each other" in text
    assert "1 no-target: correlation before-cutover: the record is before the org's first day on Genesys" in text
    # The demo org is realistic, and the report shows it: legs that rang out passed over, system codes replaced,
    # the abandoned call that nobody answered explained.
    assert "agent participants whose alerts rang out or were declined were passed over" in text
    assert "8 wrap-ups replaced ININ-WRAP-UP-TIMEOUT" in text
    assert "no-target: no agent ever connected (1 alert(s) rang out, 1 declined)" in text
    assert (out / "five9.plan.jsonl").is_file() and (out / "five9.deadletter.jsonl").is_file()
    second = run("demo", "--out", str(out))
    assert second.returncode == 0, second.stderr
    again = " ".join(second.stdout.split())
    assert "wrap-ups written to the emulator this run: 0" in again
    assert "nothing was written twice" in again
    assert "10 matched, 2 ambiguous, 2 none, 1 before-cutover" in again
