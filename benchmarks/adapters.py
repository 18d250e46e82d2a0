"""Adapter throughput on generated exports of each platform, each beside its baseline from the same run.

    .venv/bin/python benchmarks/adapters.py [--records 100000] [--only five9] [--passes 5] [--json results.json]

For each input (a Five9 Call Log, TaskRouter event callbacks as form bodies with their lifecycle events, an Event
Streams capture as JSON lines of CloudEvent arrays, a CXone completed-contacts page) it reports:
  - records/s read by the adapter from a strictly decoded stream, as the CLI reads (``adapters.textinput``);
  - the same through a plain ``open(errors="replace")`` stream, as before strict decoding: the cost of checking;
  - a bare parse -> JSON pass over the same bytes (csv.DictReader / json.loads / parse_qsl, then json.dumps of each
    record), the baseline DESIGN.md sets the Five9 reader against (within 3x).
For the Five9 Call Log it also times what a user runs, ``wrapup-bridge normalize -s five9 FILE -o OUT``: the whole
command in this process (click parsing, opening and strict decoding, grouping, time conversion, the Disposition,
one JSON line per record written to a file), against the bare pass that also writes its JSON lines to a file
(csv.DictReader -> json.dumps -> one line per row). That ratio is the DESIGN.md target; the adapter-only ratio
beside it leaves out the JSON output on both sides.

The Call Log is shaped like a real one: sorted by TIMESTAMP (a call every 0-3 s, so it runs over days and minutes
repeat as they do in an export), one call in 25 with a second, empty-disposition "3rd party transfer" leg right
after it (grouped into one record), the other columns as the standard report writes them.
Ratios are printed beside the figures, by wall clock and by this process's CPU time (steadier when other work
shares the machine); each figure is the best of ``--passes`` passes (5), the passes of what is compared interleaved. Nothing is asserted: this is
measurement, run on demand (run it three times on a noisy machine and give the range).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wrapup_bridge.adapters import get_adapter  # noqa: E402
from wrapup_bridge.adapters.textinput import decoded  # noqa: E402
from wrapup_bridge.cli.normalize import normalize  # noqa: E402

CODES = ["Payment Taken", "No Answer", "Callback Scheduled", "Transferred To 3rd Party", "Pagé Réalisé", "Busy"]


def five9_call_log(n: int, rng: random.Random) -> str:
    """``n`` calls (one in 25 with a transfer leg), sorted by time as Five9 writes the report."""
    header = ["CALL ID", "TIMESTAMP", "CAMPAIGN", "CALL TYPE", "AGENT", "AGENT NAME", "DISPOSITION", "ANI", "DNIS",
              "TALK TIME", "AFTER CALL WORK TIME", "GENESYS CONVERSATION ID"]  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    when = datetime(2026, 8, 21, 8, 0, 0)
    for i in range(n):
        when += timedelta(seconds=rng.randint(0, 3))
        stamp = f"{when:%a, %d %b %Y %H:%M:%S}"
        row = [
            f"3000000{i:08d}", stamp, "Billing Inbound", "Inbound", f"agent{i % 50}", f"Agent {i % 50}",
            rng.choice(CODES), "9045550101", "8005550100", "00:03:30", "00:00:18", f"c0ffee00-0000-4000-8000-{i:012d}",
        ]  # fmt: skip
        writer.writerow(row)
        if i % 25 == 0:
            writer.writerow([row[0], stamp, row[2], "3rd party transfer", "", "", "", *row[7:11], ""])
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


def raw_csv_to_lines(path: Path, out: Path) -> int:
    """The same pass writing its JSON lines to a file, as ``normalize -o`` does."""
    count = 0
    with path.open(encoding="utf-8", newline="") as handle, out.open("w", encoding="utf-8") as sink:
        for row in csv.DictReader(handle):
            sink.write(json.dumps(row) + "\n")
            count += 1
    return count


def normalize_command(path: Path, out: Path) -> int:
    """``wrapup-bridge normalize -s five9 PATH -o OUT`` run in this process; the records written."""
    messages = io.StringIO()
    with contextlib.redirect_stderr(messages), contextlib.suppress(SystemExit):
        normalize.main(["-s", "five9", str(path), "-o", str(out), "--rejects", str(out) + ".rejects"])
    if "records normalized" not in messages.getvalue() or " rejected" in messages.getvalue():
        raise RuntimeError(f"normalize did not read the file cleanly: {messages.getvalue()}")
    with out.open("rb") as lines:
        return sum(1 for _ in lines)


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


class Timing(NamedTuple):
    wall: float  #: best wall-clock seconds of the passes
    cpu: float  #: best CPU seconds of this process over the passes (steadier on a shared machine)
    count: int


def timed(*funcs: Callable[[], int], passes: int) -> list[Timing]:
    """Each of ``funcs`` run ``passes`` times, interleaved (a, b, a, b, ...) so that load from elsewhere falls on
    all of them alike; the best wall and CPU time of each."""
    wall = [float("inf")] * len(funcs)
    cpu = [float("inf")] * len(funcs)
    counts = [0] * len(funcs)
    for _ in range(passes):
        for i, func in enumerate(funcs):
            started, started_cpu = time.perf_counter(), time.process_time()
            counts[i] = func()
            cpu[i] = min(cpu[i], time.process_time() - started_cpu)
            wall[i] = min(wall[i], time.perf_counter() - started)
    return [Timing(w, c, n) for w, c, n in zip(wall, cpu, counts, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--only", choices=["five9", "twilio", "cxone"], help="Measure one platform's inputs only.")
    parser.add_argument("--passes", type=int, default=5, help="Passes of each; the best counts (default 5).")
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
            if args.only and source != args.only:
                continue
            path = Path(folder) / f"input.{ext}"
            path.write_text(make(args.records, rng), encoding="utf-8")
            strict, plain, bare = timed(
                lambda: adapter_read(source, path, True),  # noqa: B023 - used at once
                lambda: adapter_read(source, path, False),  # noqa: B023
                lambda: raw(path),  # noqa: B023
                passes=args.passes,
            )
            records = strict.count
            results[label] = {
                "records": records,
                "records_per_s": records / strict.wall,
                "strict_vs_replace": strict.wall / plain.wall,
                "adapter_vs_bare_parse_to_json": strict.wall / bare.wall,
                "adapter_vs_bare_parse_to_json_cpu": strict.cpu / bare.cpu,
                "mb": path.stat().st_size / 1e6,
            }
            print(
                f"{label:<26} {records:>8} records  {records / strict.wall:>9,.0f}/s  "
                f"strict decoding x{strict.wall / plain.wall:.2f} of errors=replace  "
                f"adapter x{strict.wall / bare.wall:.1f} (CPU x{strict.cpu / bare.cpu:.1f}) of a bare parse->JSON "
                f"pass ({path.stat().st_size / 1e6:.1f} MB)"
            )
            if source == "five9":
                out = Path(folder) / "out.jsonl"
                command, lines = timed(
                    lambda: normalize_command(path, out),  # noqa: B023
                    lambda: raw_csv_to_lines(path, Path(folder) / "bare.jsonl"),  # noqa: B023
                    passes=args.passes,
                )
                if command.count != records:
                    raise RuntimeError(f"normalize wrote {command.count} lines for {records} records")
                results[label] |= {
                    "rows": lines.count,
                    "normalize_s": command.wall,
                    "normalize_cpu_s": command.cpu,
                    "bare_csv_to_json_lines_s": lines.wall,
                    "bare_csv_to_json_lines_cpu_s": lines.cpu,
                    "normalize_vs_bare_csv_to_json_lines": command.wall / lines.wall,
                    "normalize_vs_bare_csv_to_json_lines_cpu": command.cpu / lines.cpu,
                }
                print(
                    f"{'  normalize -s five9 -o':<26} {records:>8} records  {records / command.wall:>9,.0f}/s  "
                    f"({lines.count} rows)  {command.wall:.2f} s vs {lines.wall:.2f} s: x{command.wall / lines.wall:.2f} "
                    f"(CPU {command.cpu:.2f} s vs {lines.cpu:.2f} s: x{command.cpu / lines.cpu:.2f}) of a bare "
                    "csv->JSON lines pass writing its file (target <= 3)"
                )
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
