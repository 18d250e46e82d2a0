"""``mapping coverage``: exact numbers on the shipped examples and on generated history read through the adapter,
and rejected records kept (spellings and memory are tested on core.review.Coverage in
tests/core/review/test_coverage.py)."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tests.conftest import EXAMPLES, MAPPINGS
from tests.core.review.samples import GENERATED, generated
from wrapup_bridge.adapters.five9.call_log import CALL_LOG_HEADERS
from wrapup_bridge.cli import main

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
