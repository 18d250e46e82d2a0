"""``mapping coverage``: exact numbers on the shipped examples and on generated history, rejected records kept,
spellings bounded per value, and memory that does not grow with the number of records."""

from __future__ import annotations

import csv
import gc
import json
import random
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import EXAMPLES, MAPPINGS
from wrapup_bridge.adapters.five9.call_log import CALL_LOG_HEADERS
from wrapup_bridge.cli import main
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.mapping import load_mapping
from wrapup_bridge.core.review import Coverage, DiffHistory
from wrapup_bridge.core.review.coverage import SPELLING_SLOTS

TWILIO_INPUTS = [
    "flex-task-attributes.jsonl",
    "taskrouter-events.txt",
    "insights-export.csv",
    "copilot-wrapup.json",
    "voice-status-callbacks.txt",
]


def coverage_json(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(
        main, ["mapping", "coverage", *args, "--json", "--rejects", str(tmp_path / "rejects.jsonl")]
    )
    return result.exit_code, json.loads(result.stdout)


def test_five9_example_exact_counts(tmp_path: Path) -> None:
    code, report = coverage_json(tmp_path, str(MAPPINGS / "five9.yaml"), str(EXAMPLES / "five9" / "call-log.csv"))
    assert code == 1  # one record ends unmapped
    assert report["records"] == 20 and report["rejected"] == 0
    assert report["decisions"] == {"mapped": 17, "skip": 2, "fallback": 0, "unmapped": 1}
    assert report["shares"]["mapped"] == 0.85
    hits = {r["rule"]: r["hits"] for r in report["rules"]}
    assert hits == {1: 3, 2: 2, 3: 1, 4: 1, 5: 1, 6: 1, 7: 2, 8: 1, 9: 1, 10: 1, 11: 1, 12: 2, 13: 1, 14: 1}
    assert report["rules_never_hit"] == [] and report["policy_hits"] == 1
    values = {v["value"]: v for v in report["values"]}
    assert values["payment taken"]["spellings"] == [
        {"raw": "Payment Taken", "count": 2},
        {"raw": "Payment  Taken", "count": 1},
    ]
    [unmapped] = report["top_unmapped"]
    assert unmapped["value"] == "spoke to spouse" and unmapped["count"] == 1
    assert not (tmp_path / "rejects.jsonl").exists()


def test_twilio_and_cxone_examples_exact_counts(tmp_path: Path) -> None:
    inputs = [str(EXAMPLES / "twilio" / name) for name in TWILIO_INPUTS]
    code, report = coverage_json(tmp_path, str(MAPPINGS / "twilio-flex.yaml"), *inputs)
    assert code == 1
    assert report["records"] == 34
    assert report["decisions"] == {"mapped": 31, "skip": 2, "fallback": 0, "unmapped": 1}
    assert report["rules_never_hit"] == [17]
    assert [v["value"] for v in report["top_unmapped"]] == ["spoke to manager"]

    code, report = coverage_json(
        tmp_path,
        str(MAPPINGS / "cxone.yaml"),
        str(EXAMPLES / "cxone" / "completed-contacts.json"),
        "--catalog",
        str(EXAMPLES / "cxone" / "skill-dispositions.json"),
    )
    assert code == 0
    assert report["records"] == 10 and report["decisions"] == {"mapped": 9, "skip": 1, "fallback": 0, "unmapped": 0}


def test_text_output_lists_hits_and_top_unmapped(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "mapping",
            "coverage",
            str(MAPPINGS / "five9.yaml"),
            str(EXAMPLES / "five9" / "call-log.csv"),
            "--rejects",
            str(tmp_path / "r"),
        ],
    )
    assert "mapped           17   85.0%" in result.output
    assert "'Spoke To Spouse': 1 records (5.0%)" in result.output
    assert "rules never hit: none" in result.output


def test_unreadable_records_are_counted_and_kept(tmp_path: Path) -> None:
    lines = (EXAMPLES / "five9" / "call-log.csv").read_text(encoding="utf-8-sig").splitlines()
    bad = lines[1].replace("c0ffee00-0000-4000-8000-000000000001", "not-a-conversation-id")
    export = tmp_path / "export.csv"
    export.write_text("\n".join([lines[0], bad, *lines[2:]]) + "\n", encoding="utf-8")
    code, report = coverage_json(tmp_path, str(MAPPINGS / "five9.yaml"), str(export))
    assert code == 1 and report["rejected"] == 1 and report["records"] == 19
    [reject] = [json.loads(line) for line in (tmp_path / "rejects.jsonl").read_text().splitlines()]
    assert reject["field"] == "GENESYS CONVERSATION ID"


def test_spellings_stay_bounded_and_the_heavy_one_is_exact() -> None:
    table = load_mapping(MAPPINGS / "five9.yaml")
    coverage = Coverage(table)
    rng = random.Random(5)
    for i in range(5000):
        raw = "Payment Taken" if i % 2 else "".join(c.upper() if rng.random() < 0.5 else c for c in "payment taken")
        coverage.resolve(Disposition(source="five9", source_id=str(i), code=raw))
    [value] = coverage.summary().values
    assert value.count == 5000 and value.spellings_approximate
    assert value.spellings[0] == ("Payment Taken", 2500)  # space-saving keeps the frequent one, exactly
    assert len(coverage._values["payment taken"].spellings) == SPELLING_SLOTS


def test_distinct_values_beyond_the_cap_are_counted_not_listed() -> None:
    coverage = Coverage(load_mapping(MAPPINGS / "five9.yaml"), max_values=10)
    for i in range(100):
        coverage.resolve(Disposition(source="five9", source_id=str(i), code=f"free text {i % 40}"))
    summary = coverage.summary()
    assert summary.records == 100 and summary.kinds["unmapped"] == 100
    assert summary.distinct_values == 10 and summary.untracked_records == 70


# ------------------------------------------------------------------------------------------ generated history
#: legacy value -> what mappings/five9.yaml does with it (rule number, or "unmapped")
GENERATED = {
    "Payment Taken": 1,
    "Sale": 2,
    "Not Interested": 5,
    "Busy": 10,
    "Sent To Voicemail": 9,
    "Declined": 13,
    "No Disposition": 14,
    "Left Message": "unmapped",
    "Spoke To Spouse": "unmapped",
}


def _spellings(value: str, rng: random.Random) -> list[str]:
    """About a dozen ways exports spell one value: case, doubled or trailing spaces, a no-break space, a zero-width space."""
    variants = {
        value,
        value.upper(),
        value.lower(),
        value.replace(" ", "  "),
        value + " ",
        value.replace(" ", "\u00a0"),
    }
    variants.add(value[:2] + "\u200b" + value[2:])
    variants.update("".join(c.upper() if rng.random() < 0.3 else c for c in value) for _ in range(6))
    return sorted(variants)


def generated(n: int, seed: int = 11) -> Iterator[tuple[str, object]]:
    """``n`` legacy values, each in one of a dozen spellings, with the outcome the five9 table gives it."""
    rng = random.Random(seed)
    spellings = {value: _spellings(value, rng) for value in GENERATED}
    names = list(GENERATED)
    for _ in range(n):
        value = rng.choice(names)
        yield rng.choice(spellings[value]), GENERATED[value]


def test_generated_call_log_through_the_adapter_gives_exact_counts(tmp_path: Path) -> None:
    export = tmp_path / "history.csv"
    expected: Counter[object] = Counter()
    with export.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CALL_LOG_HEADERS)
        for i, (value, outcome) in enumerate(generated(3000)):
            expected[outcome] += 1
            row = dict.fromkeys(CALL_LOG_HEADERS, "")
            row.update(
                {"CALL ID": str(400000000000 + i), "TIMESTAMP": "Fri, 21 Aug 2026 09:02:05", "DISPOSITION": value}
            )
            row.update({"CAMPAIGN": "Billing Inbound", "CALL TYPE": "Inbound", "AGENT": "jdoe"})
            writer.writerow(row.values())
    code, report = coverage_json(tmp_path, str(MAPPINGS / "five9.yaml"), str(export))
    assert code == 1 and report["records"] == 3000
    assert report["decisions"]["unmapped"] == expected["unmapped"]
    assert report["decisions"]["skip"] == expected[13] + expected[14]
    hits = {r["rule"]: r["hits"] for r in report["rules"]}
    assert all(hits[rule] == count for rule, count in expected.items() if isinstance(rule, int))
    assert report["distinct_values"] == len(GENERATED)


def _peak_bytes(n: int) -> tuple[int, int]:
    """Peak traced memory while coverage and a diff consume ``n`` freshly built records (nothing kept by the
    generator), and the number of unmapped records counted."""
    table = load_mapping(MAPPINGS / "five9.yaml")
    old = load_mapping(MAPPINGS / "five9.yaml")
    coverage, moves = Coverage(table), DiffHistory(old, table)
    records = (
        Disposition(source="five9", source_id=str(i), code=value, fields={"campaign": "Billing Inbound"})
        for i, (value, _) in enumerate(generated(n))
    )
    gc.collect()
    tracemalloc.start()
    try:
        for record in records:
            moves.add(record, coverage.resolve(record))
        summary = coverage.summary()
        return tracemalloc.get_traced_memory()[1], summary.kinds["unmapped"]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_memory_is_flat_in_the_number_of_records() -> None:
    small, _ = _peak_bytes(20_000)
    large, unmapped = _peak_bytes(200_000)
    assert unmapped == sum(1 for _, outcome in generated(200_000) if outcome == "unmapped")
    assert large < small * 1.5, (small, large)
