"""Adapter throughput on generated exports of each platform, each beside its baseline from the same run.

    .venv/bin/python benchmarks/adapters.py [--records 100000] [--json results.json]

For each input (a Five9 Call Log, TaskRouter event callbacks as form bodies with their lifecycle events, an Event
Streams capture as JSON lines of CloudEvent arrays, a CXone completed-contacts page) it reports:
  - records/s read by the adapter from a strictly decoded stream, as the CLI reads (``adapters.textinput``);
  - the same through a plain ``open(errors="replace")`` stream, as before strict decoding: the cost of checking;
  - a bare parse -> JSON pass over the same bytes (csv.DictReader / json.loads / parse_qsl, then json.dumps of each
    record), the baseline DESIGN.md sets the Five9 reader against (within 3x).
Ratios are printed beside the figures. Nothing is asserted: this is measurement, run on demand.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wrapup_bridge.adapters import get_adapter  # noqa: E402
from wrapup_bridge.adapters.textinput import decoded  # noqa: E402

CODES = ["Payment Taken", "No Answer", "Callback Scheduled", "Transferred To 3rd Party", "Pagé Réalisé", "Busy"]


def five9_call_log(n: int, rng: random.Random) -> str:
    header = ["CALL ID", "TIMESTAMP", "CAMPAIGN", "CALL TYPE", "AGENT", "AGENT NAME", "DISPOSITION", "ANI", "DNIS",
              "TALK TIME", "AFTER CALL WORK TIME", "GENESYS CONVERSATION ID"]  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for i in range(n):
        writer.writerow([
            f"3000000{i:08d}", f"Fri, 21 Aug 2026 {9 + i % 9:02d}:{i % 60:02d}:05", "Billing Inbound", "Inbound",
            f"agent{i % 50}", f"Agent {i % 50}", rng.choice(CODES), "9045550101", "8005550100", "00:03:30",
            "00:00:18", f"c0ffee00-0000-4000-8000-{i:012d}",
        ])  # fmt: skip
    return out.getvalue()


def taskrouter_forms(n: int, rng: random.Random) -> str:
    """Per task: task.created, reservation.completed, task.completed (what a full EventCallback capture holds)."""
    lines = []
    for i in range(n):
        sid = f"WT{i:032x}"
        attributes = json.dumps(
            {
                "conversations": {
                    "outcome": rng.choice(CODES),
                    "conversation_attribute_9": f"c0ffee00-0000-4000-8000-{i:012d}",
                }
            }
        )
        base = {
            "TaskSid": sid,
            "TaskAttributes": attributes,
            "WorkspaceSid": "WS" + "0" * 32,
            "Timestamp": str(1_764_000_000 + i),
        }
        lines.append(urlencode({**base, "EventType": "task.created"}))
        lines.append(urlencode({**base, "EventType": "reservation.completed", "WorkerSid": "WK" + "1" * 32,
                                "WorkerName": f"agent{i % 50}@example.com"}))  # fmt: skip
        lines.append(urlencode({**base, "EventType": "task.completed", "TaskCompletedReason": "Task completed"}))
    return "\n".join(lines) + "\n"


def event_streams(n: int, rng: random.Random) -> str:
    lines = []
    for start in range(0, n, 50):
        batch = []
        for i in range(start, min(n, start + 50)):
            attributes = json.dumps({"conversations": {"outcome": rng.choice(CODES)}})
            batch.append({
                "specversion": "1.0", "type": "com.twilio.taskrouter.task.completed", "source": "/v1/Workspaces/WS",
                "id": f"EZ{i:032x}", "time": "2026-08-21T16:02:05.000Z", "datacontenttype": "application/json",
                "data": {"task_sid": f"WT{i:032x}", "task_attributes": attributes, "timestamp": 1_764_000_000_000,
                         "task_completed_reason": "Task completed"},
            })  # fmt: skip
        lines.append(json.dumps(batch))
    return "\n".join(lines) + "\n"


def cxone_contacts(n: int, rng: random.Random) -> str:
    contacts = [
        {"contactId": 712345000000 + i, "masterContactId": 712345000000 + i, "contactStart": "2026-09-14T15:55:20.517Z",
         "agentId": 11234567 + i % 50, "firstName": "Jane", "lastName": "Doe", "skillName": "Billing_IB_Voice",
         "mediaType": 4, "primaryDispositionId": rng.choice([0, 93, 94]), "totalDurationSeconds": 275,
         "ACWSeconds": 21, "genesysConversationId": f"c0ffee00-0000-4000-8000-{i:012d}"}
        for i in range(n)
    ]  # fmt: skip
    return json.dumps({"totalRecords": n, "contacts": contacts})


def raw_csv(path: Path) -> int:
    """The bare csv -> JSON pass DESIGN.md measures the Five9 reader against."""
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for row in csv.DictReader(handle) if json.dumps(row))


def raw_forms(path: Path) -> int:
    with path.open(encoding="utf-8") as handle:
        return sum(1 for line in handle if json.dumps(dict(parse_qsl(line.strip()))))


def raw_json_lines(path: Path) -> int:
    with path.open(encoding="utf-8") as handle:
        return sum(1 for line in handle if line.strip() for item in json.loads(line) if json.dumps(item))


def raw_json(path: Path) -> int:
    return sum(1 for item in json.loads(path.read_text(encoding="utf-8"))["contacts"] if json.dumps(item))


def adapter_read(source: str, path: Path, strict: bool) -> int:
    adapter = get_adapter(source)
    if strict:
        with path.open("rb") as raw:
            return sum(1 for _ in adapter.read(decoded(raw, name=path.name), name=path.name))
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        return sum(1 for _ in adapter.read(handle, name=path.name))


def timed(func: Callable[[], int]) -> tuple[float, int]:
    best = float("inf")
    count = 0
    for _ in range(3):
        started = time.perf_counter()
        count = func()
        best = min(best, time.perf_counter() - started)
    return best, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--json", dest="json_out")
    args = parser.parse_args()
    rng = random.Random(7)
    cases: list[tuple[str, str, str, Callable[[int, random.Random], str], Callable[[Path], int]]] = [
        ("five9 call log", "five9", "csv", five9_call_log, raw_csv),
        ("twilio taskrouter forms", "twilio", "txt", taskrouter_forms, raw_forms),
        ("twilio event streams", "twilio", "jsonl", event_streams, raw_json_lines),
        ("cxone contacts", "cxone", "json", cxone_contacts, raw_json),
    ]
    results: dict[str, Any] = {"records": args.records}
    with tempfile.TemporaryDirectory() as folder:
        for label, source, ext, make, raw in cases:
            path = Path(folder) / f"input.{ext}"
            path.write_text(make(args.records, rng), encoding="utf-8")
            strict_s, records = timed(lambda: adapter_read(source, path, True))  # noqa: B023 - used at once
            plain_s, _ = timed(lambda: adapter_read(source, path, False))  # noqa: B023
            raw_s, _ = timed(lambda: raw(path))  # noqa: B023
            results[label] = {
                "records": records,
                "records_per_s": records / strict_s,
                "strict_vs_replace": strict_s / plain_s,
                "adapter_vs_bare_parse_to_json": strict_s / raw_s,
                "mb": path.stat().st_size / 1e6,
            }
            print(
                f"{label:<26} {records:>8} records  {records / strict_s:>9,.0f}/s  "
                f"strict decoding x{strict_s / plain_s:.2f} of errors=replace  "
                f"adapter x{strict_s / raw_s:.1f} of a bare parse->JSON pass ({path.stat().st_size / 1e6:.1f} MB)"
            )
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
