"""Mapping throughput and memory, each figure beside its baseline from the same run.

    .venv/bin/python benchmarks/mapping.py [--rows 1000000] [--json results.json]

What it measures (targets from DESIGN.md):
  1. resolve alone, compiled table vs the naive linear scan, on a 300-rule table   (target >= 250k records/s)
  2. parse + normalize + resolve of a generated Five9 Call Log (--rows rows), streaming
  3. peak RSS of (2) at 10% of the rows and at all of them, in separate processes  (target: flat in the row count)
It also checks that the compiled resolver and the naive scan agree on every sampled record.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wrapup_bridge.adapters import get_adapter  # noqa: E402
from wrapup_bridge.core.disposition import Disposition  # noqa: E402
from wrapup_bridge.core.mapping import MappingTable, resolve_naive  # noqa: E402

HEADER = [
    "CALL ID", "TIMESTAMP", "CAMPAIGN", "CALL TYPE", "AGENT", "AGENT NAME", "DISPOSITION", "ANI", "CUSTOMER NAME",
    "DNIS", "CALL TIME", "BILL TIME (ROUNDED)", "COST", "IVR TIME", "QUEUE WAIT TIME", "RING TIME", "TALK TIME",
    "HOLD TIME", "PARK TIME", "AFTER CALL WORK TIME", "TRANSFERS", "CONFERENCES", "HOLDS", "ABANDONED", "RECORDINGS",
    "GENESYS CONVERSATION ID",
]  # fmt: skip
SYSTEM = ["No Answer", "Answering Machine", "Busy", "Declined", "Transferred To 3rd Party", "Abandon", "No Disposition",
          "Caller Disconnected", "Do Not Call", "Voicemail Dump", "Dial Error", "Operator Intercept"]  # fmt: skip
CAMPAIGNS = [f"Campaign {i:02d}" for i in range(40)]
RULES = 300


def legacy_values(rng: random.Random) -> list[str]:
    custom = [f"Custom Outcome {i:03d}" for i in range(260)]
    return SYSTEM + custom


def build_table(rng: random.Random) -> str:
    """A 300-rule table shaped like real ones: mostly exact values, some scoped by campaign, some patterns."""
    codes = {f"c{i}": {"id": f"{i:08x}-0000-4000-8000-{i:012x}", "name": f"Code {i}"} for i in range(1, 41)}
    values = legacy_values(rng)
    rules: list[dict[str, Any]] = []
    for i in range(RULES):
        alias = f"c{rng.randint(1, 40)}"
        kind = i % 10
        if kind in (3, 7):
            when: dict[str, Any] = {"code": rng.choice(values), "campaign": {"glob": f"Campaign {rng.randint(0, 3)}*"}}
        elif kind == 5:
            when = {"code": {"regex": rf"^custom outcome {rng.randint(0, 25):02d}\d$"}}
        elif kind == 9:
            when = {"code": {"glob": f"*{rng.randint(100, 259)}"}, "call_type": "Outbound"}
        else:
            when = {"code": rng.sample(values, k=rng.choice([1, 1, 1, 2, 3]))}
        rules.append({"when": when, "code": alias})
    return yaml.safe_dump({"version": 1, "codes": codes, "rules": rules, "unmapped": {"action": "dead-letter"}})


def write_call_log(path: Path, rows: int, rng: random.Random) -> None:
    values = [*legacy_values(rng), "Spoke To Spouse", "  no   answer ", "NO ANSWER"]
    weights = [1.0 / (rank + 1) for rank in range(len(values))]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        handle.write("\ufeff")
        writer.writerow(HEADER)
        for n in range(rows):
            call_id = str(300000010000000 + n)
            minute = n // 60
            stamp = time.strftime("%a, %d %b %Y %H:%M:%S", time.gmtime(1_780_000_000 + minute * 7 + n % 60))
            disposition = rng.choices(values, weights)[0]
            writer.writerow([
                call_id, stamp, rng.choice(CAMPAIGNS), rng.choice(["Inbound", "Outbound", "Preview"]), "jdoe",
                "Jane Doe", disposition, "9045550162", "", "8005550100", "00:04:12", "00:04:18", "0.0336", "00:00:21",
                "00:00:07.412", "00:00:03", "00:03:30", "00:00:15", "00:00:00", "00:00:18", "", "", "1", "0",
                "09:02:33(3:30)", f"c0ffee00-0000-4000-8000-{n % 10**12:012d}",
            ])  # fmt: skip


def rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def stream(table_text: str, log: Path, limit: int | None) -> dict[str, Any]:
    """parse + normalize + resolve the Call Log, counting decisions; runs in its own process for RSS."""
    table = MappingTable.from_text(table_text, name="bench.yaml")
    adapter = get_adapter("five9")
    counts: dict[str, int] = {}
    records = errors = 0
    started = time.perf_counter()
    with log.open(encoding="utf-8-sig", newline="") as handle:
        for result in adapter.read(handle, name=str(log)):
            if isinstance(result, Disposition):
                kind = table.resolve(result).kind.value
                counts[kind] = counts.get(kind, 0) + 1
                records += 1
            else:
                errors += 1
            if limit is not None and records >= limit:
                break
    elapsed = time.perf_counter() - started
    return {"records": records, "errors": errors, "seconds": elapsed, "per_second": records / elapsed,
            "peak_rss_mib": rss_kib() / 1024, "decisions": counts}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--resolve-records", type=int, default=300_000)
    parser.add_argument("--json", dest="json_out")
    parser.add_argument("--_stream", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._stream:
        table_path, log, limit = args._stream
        print(json.dumps(stream(Path(table_path).read_text(), Path(log), int(limit))))
        return

    rng = random.Random(20261125)
    table_text = build_table(rng)
    table = MappingTable.from_text(table_text, name="bench.yaml")
    values = [*legacy_values(rng), "Spoke To Spouse", "  no   answer ", "NO ANSWER", ""]
    records = [
        Disposition(
            source="five9", source_id=str(i), code=rng.choice(values),
            fields={"campaign": rng.choice(CAMPAIGNS), "call_type": rng.choice(["Inbound", "Outbound"])},
        )
        for i in range(args.resolve_records)
    ]  # fmt: skip

    started = time.perf_counter()
    compiled = [table.resolve(r) for r in records]
    compiled_rate = len(records) / (time.perf_counter() - started)
    sample = records[: max(1, len(records) // 10)]
    started = time.perf_counter()
    naive = [resolve_naive(table, r) for r in sample]
    naive_rate = len(sample) / (time.perf_counter() - started)
    mismatches = sum(1 for a, b in zip(compiled, naive, strict=False) if a != b)

    results: dict[str, Any] = {
        "rules": len(table.rules),
        "resolve": {"compiled_per_second": compiled_rate, "naive_per_second": naive_rate,
                    "speedup": compiled_rate / naive_rate, "mismatches_vs_naive": mismatches, "sample": len(sample)},
    }  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "call-log.csv"
        table_file = Path(tmp) / "table.yaml"
        table_file.write_text(table_text)
        print(f"generating a {args.rows:,}-row Five9 Call Log ...", file=sys.stderr)
        write_call_log(log, args.rows, rng)
        results["call_log_mib"] = log.stat().st_size / 2**20
        runs = {}
        for label, limit in (("tenth", args.rows // 10), ("all", args.rows)):
            out = subprocess.run(
                [sys.executable, __file__, "--_stream", str(table_file), str(log), str(limit)],
                check=True, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"},
            )  # fmt: skip
            runs[label] = json.loads(out.stdout)
        results["stream"] = runs
        results["rss_growth_ratio"] = runs["all"]["peak_rss_mib"] / runs["tenth"]["peak_rss_mib"]

    r = results["resolve"]
    print(f"table: {results['rules']} rules")
    print(f"resolve alone: compiled {r['compiled_per_second']:,.0f}/s vs naive scan {r['naive_per_second']:,.0f}/s "
          f"= {r['speedup']:.1f}x (target >= 250,000/s); mismatches vs naive: {r['mismatches_vs_naive']} of {r['sample']:,}")  # fmt: skip
    for label, run in results["stream"].items():
        print(f"parse+normalize+resolve ({label}: {run['records']:,} calls): {run['per_second']:,.0f}/s, "
              f"peak RSS {run['peak_rss_mib']:.1f} MiB")  # fmt: skip
    print(f"peak RSS, all rows vs a tenth of them: {results['rss_growth_ratio']:.2f}x (flat = ~1.0)")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
