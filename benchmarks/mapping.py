"""Mapping throughput and memory, each figure beside its baseline from the same run.

    .venv/bin/python benchmarks/mapping.py [--rows 1000000] [--json results.json]
    .venv/bin/python benchmarks/mapping.py --only big-table [--big-rules 3000] [--big-records 100000] [--profile]

What it measures (targets from DESIGN.md):
  1. resolve alone, compiled table vs the naive linear scan, on a 300-rule table   (target >= 250k records/s)
  2. parse + normalize + resolve of a generated Five9 Call Log (--rows rows), streaming
  3. peak RSS of (2) at 10% of the rows and at all of them, in separate processes  (target: flat, issue 14: <= 1.05x)
  4. a 3,000-rule table (big-table): text -> MappingTable (located YAML, validation, compile) beside
     ``yaml.load`` of the same text with libyaml (target < 0.5 s), and the first resolve pass of a freshly loaded
     table beside the warm pass of the same table over the same records (target: within 2x)
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


# ------------------------------------------------------------------------------------------------ big table
WORDS = ["Payment", "Promise", "Callback", "Dispute", "Refund", "Escalated", "Sale", "Renewal", "Upgrade", "Cancel",
         "Complaint", "Survey", "Retention", "Billing", "Address", "Verified", "Fraud", "Transfer", "Voicemail", "Info"]  # fmt: skip
QUEUES = ["Billing", "Sales", "Support", "Retention", "Collections", "Tech L1", "Tech L2", "Fraud"]
AGENTS = [f"agent{i:03d}" for i in range(60)]


def big_legacy_values(rules: int) -> list[str]:
    """About 0.8 distinct legacy values per rule: a big migration's many campaigns each with their own names."""
    count = max(50, rules * 4 // 5)
    return SYSTEM + [f"{WORDS[i % len(WORDS)]} {WORDS[(i // len(WORDS)) % len(WORDS)]} {i:04d}" for i in range(count)]


def _flow(value: str) -> str:
    """A value as a table author writes it in a flow mapping: plain when YAML allows, quoted otherwise."""
    return value if value[:1].isalpha() and ":" not in value and "#" not in value else f'"{value}"'


def build_big_table(rng: random.Random, rules: int) -> str:
    """A table shaped like the shipped ones (flow-style ``when:``, comments, notes, a source, review and
    correlate section), scaled to ``rules`` rules: mostly exact codes (some lists), about a tenth scoped by
    campaign, call type, queue, agent or media, about 5% code globs and regexes, a few rules with no code at all.
    Nearly every legacy value is named by some rule, as in a table written from the exports' values."""
    values = big_legacy_values(rules)
    order = rng.sample(values, len(values))  # a table is written from the values the exports hold: each named once
    codes = max(40, rules // 20)
    lines = [
        "# A generated big table (benchmarks/mapping.py): shaped like mappings/*.yaml, scaled up.",
        "version: 1",
        'description: "Generated: many campaigns of one legacy platform migrated at once."',
        "source:", "  platform: five9", "  format: call-log", "  conversation_id: GENESYS CONVERSATION ID",
        "review:", "  owner: ops@example.com", "  reviewed_at: 2026-11-20", "  ticket: MIG-900",
        "", "codes:",
    ]  # fmt: skip
    for i in range(1, codes + 1):
        lines.append(f"  c{i}: {{id: {i:08x}-0000-4000-8000-{i:012x}, name: Code {i}}}")
    lines += ["", "rules:"]
    for i in range(rules):
        if i % 250 == 0:
            lines.append(f"  # --- campaign group {i // 250} ---")
        alias = f"c{rng.randint(1, codes)}"
        value = order[i] if i < len(order) else rng.choice(values)
        kind = i % 40
        if kind in (0, 20):
            when = f'code: {{glob: "{value[:8]}*"}}, call_type: {rng.choice(["Inbound", "Outbound"])}'
        elif kind == 10:
            when = f'code: {{regex: "^{value.split()[0].lower()} .* {rng.randint(0, 99):02d}\\\\d{{2}}$"}}'
        elif kind == 30 and i % 400 == 30:
            when = f'campaign: {{glob: "Legacy {rng.randint(0, 9)}*"}}'
        elif kind in (1, 11, 21):
            when = f"code: {_flow(value)}, campaign: {_flow(rng.choice(CAMPAIGNS))}"
        elif kind in (2, 22):
            when = f'code: {_flow(value)}, campaign: {{glob: "Campaign {rng.randint(0, 3)}*"}}'
        elif kind == 3:
            when = f"code: {_flow(value)}, call_type: Outbound, media: voice"
        elif kind == 13:
            when = f'code: {_flow(value)}, queue: {{regex: "^(tech|support)"}}'
        elif kind == 23:
            when = f"code: {_flow(value)}, agent: [{', '.join(rng.sample(AGENTS, 3))}]"
        elif kind % 7 == 4:
            picked = rng.sample(values, k=rng.choice([2, 2, 3]))
            when = f"code: [{', '.join(_flow(v) for v in picked)}]"
        else:
            when = f"code: {_flow(value)}"
        lines.append(f"  - when: {{{when}}}")
        if i % 97 == 5:
            lines.append("    skip: Nothing to wrap up in Genesys for this outcome.")
        else:
            lines.append(f"    code: {alias}")
        if i % 13 == 0:
            lines.append(f"    notes: Reviewed with the {rng.choice(QUEUES)} team lead.")
    lines += ["", "unmapped:", "  action: dead-letter", "",
              "correlate:", "  default_country: US", "  time: within", "  tolerance_seconds: 120",
              "  require: [ani, dnis]", "  cutover: 2026-03-02", ""]  # fmt: skip
    return "\n".join(lines)


def big_records(rng: random.Random, rules: int, count: int) -> list[Disposition]:
    """Records over the big table's values with a long tail (Zipf-like), respellings and ~2% unknown values."""
    values = big_legacy_values(rules)
    rng.shuffle(values)
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(values))]
    drawn = rng.choices(values, weights, k=count)
    records = []
    for n, drawn_value in enumerate(drawn):
        roll = n % 50
        value = drawn_value
        if roll == 0:
            value = f"Unknown Outcome {rng.randint(0, 999)}"
        elif roll in (1, 2):
            value = f"  {drawn_value.upper()} "
        records.append(
            Disposition(
                source="five9", source_id=str(n), code=value, agent=rng.choice(AGENTS),
                fields={"campaign": rng.choice(CAMPAIGNS), "call_type": rng.choice(["Inbound", "Outbound"]),
                        "queue": rng.choice(QUEUES)},
            )
        )  # fmt: skip
    return records


def _timed(func: Any) -> tuple[float, float, Any]:
    """Wall and CPU seconds of ``func()`` (CPU: this process only, steadier on a busy machine), and its result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = func()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def big_table(rules: int, count: int, repeats: int, profile: bool) -> dict[str, Any]:
    """Load and first-pass figures for a ``rules``-rule table, each beside its baseline from this run; every
    repeat loads the table afresh, so each first pass is a fresh table's."""
    from wrapup_bridge.core.mapping.yamlsource import load_located_yaml

    rng = random.Random(20261126)
    text = build_big_table(rng, rules)
    c_loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    figures: dict[str, list[tuple[float, float]]] = {
        name: [] for name in ("baseline_safe_load", "located_yaml", "load", "first_pass", "warm_pass")
    }
    # Loads first, before the records exist: with 100,000 records alive every collection the garbage collector
    # makes during a load walks them too, which would weigh on the baseline and the load alike but unevenly.
    for _ in range(repeats):
        figures["baseline_safe_load"].append(_timed(lambda: yaml.load(text, Loader=c_loader))[:2])
        figures["located_yaml"].append(_timed(lambda: load_located_yaml(text))[:2])
        figures["load"].append(_timed(lambda: MappingTable.from_text(text, name="big.yaml"))[:2])
    records = big_records(rng, rules, count)
    table = MappingTable.from_text(text, name="big.yaml")
    for _ in range(repeats):
        table = MappingTable.from_text(text, name="big.yaml")  # a fresh table for each first pass
        figures["first_pass"].append(_timed(lambda: [table.resolve(r) for r in records])[:2])  # noqa: B023
        figures["warm_pass"].append(_timed(lambda: [table.resolve(r) for r in records])[:2])  # noqa: B023
    sample = records[: max(1, count // 20)]
    mismatches = sum(1 for r in sample if table.resolve(r) != resolve_naive(table, r))

    def ratios(top: str, bottom: str, which: int) -> list[float]:
        return [a[which] / b[which] for a, b in zip(figures[top], figures[bottom], strict=True)]

    result: dict[str, Any] = {
        "rules": len(table.rules), "records": count, "table_kib": len(text.encode()) / 1024,
        "libyaml": bool(getattr(yaml, "__with_libyaml__", False)),
        **{f"{name}_seconds": [{"wall": w, "cpu": c} for w, c in values] for name, values in figures.items()},
        "load_vs_safe_load": {"wall": ratios("load", "baseline_safe_load", 0),
                              "cpu": ratios("load", "baseline_safe_load", 1)},
        "first_vs_warm": {"wall": ratios("first_pass", "warm_pass", 0), "cpu": ratios("first_pass", "warm_pass", 1)},
        "mismatches_vs_naive": mismatches, "sample": len(sample),
    }  # fmt: skip
    if profile:
        import cProfile
        import pstats

        def first_pass() -> None:
            fresh = MappingTable.from_text(text, name="big.yaml")
            for one in records:
                fresh.resolve(one)

        for label, func in (
            ("load", lambda: MappingTable.from_text(text, name="big.yaml")),
            ("first pass", first_pass),
        ):
            profiler = cProfile.Profile()
            profiler.runcall(func)
            print(f"--- cProfile: {label} ---", file=sys.stderr)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
    return result


def print_big_table(r: dict[str, Any]) -> None:
    def ms(name: str) -> str:
        values = r[f"{name}_seconds"]
        return (", ".join(f"{v['wall'] * 1000:.0f}" for v in values) + " ms wall / "
                + ", ".join(f"{v['cpu'] * 1000:.0f}" for v in values) + " ms CPU")  # fmt: skip

    def ratios(name: str) -> str:
        return (", ".join(f"{v:.2f}x" for v in r[name]["wall"]) + " wall / "
                + ", ".join(f"{v:.2f}x" for v in r[name]["cpu"]) + " CPU")  # fmt: skip

    print(f"big table: {r['rules']:,} rules ({r['table_kib']:.0f} KiB), {r['records']:,} records, "
          f"libyaml {'yes' if r['libyaml'] else 'no'}")  # fmt: skip
    print(f"  load text -> MappingTable: {ms('load')} (target < 500 ms)")
    print(f"    of which the located YAML read: {ms('located_yaml')}")
    print(f"    baseline yaml.load(CSafeLoader) of the same text: {ms('baseline_safe_load')}")
    print(f"    load / baseline: {ratios('load_vs_safe_load')}")
    print(f"  first pass of a fresh table: {ms('first_pass')}")
    print(f"  warm pass (same table, same records): {ms('warm_pass')}")
    print(f"    first / warm: {ratios('first_vs_warm')} (target <= 2x)")
    print(f"  mismatches vs naive: {r['mismatches_vs_naive']} of {r['sample']:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--resolve-records", type=int, default=300_000)
    parser.add_argument("--json", dest="json_out")
    parser.add_argument("--_stream", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=["big-table"], help="run one part only")
    parser.add_argument("--big-rules", type=int, default=3000)
    parser.add_argument("--big-records", type=int, default=100_000)
    parser.add_argument("--big-repeats", type=int, default=3, help="fresh loads (and passes) in one run")
    parser.add_argument("--profile", action="store_true", help="cProfile the big table's load and first pass")
    args = parser.parse_args()
    if args.only == "big-table":
        big = big_table(args.big_rules, args.big_records, args.big_repeats, args.profile)
        print_big_table(big)
        if args.json_out:
            Path(args.json_out).write_text(json.dumps({"big_table": big}, indent=2))
        return
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

    results["big_table"] = big_table(args.big_rules, args.big_records, args.big_repeats, args.profile)

    r = results["resolve"]
    print(f"table: {results['rules']} rules")
    print(f"resolve alone: compiled {r['compiled_per_second']:,.0f}/s vs naive scan {r['naive_per_second']:,.0f}/s "
          f"= {r['speedup']:.1f}x (target >= 250,000/s); mismatches vs naive: {r['mismatches_vs_naive']} of {r['sample']:,}")  # fmt: skip
    for label, run in results["stream"].items():
        print(f"parse+normalize+resolve ({label}: {run['records']:,} calls): {run['per_second']:,.0f}/s, "
              f"peak RSS {run['peak_rss_mib']:.1f} MiB")  # fmt: skip
    growth = results["rss_growth_ratio"]
    print(
        f"peak RSS, all rows vs a tenth of them: {growth:.2f}x (target <= 1.05x: {'MET' if growth <= 1.05 else 'MISSED'})"
    )
    print_big_table(results["big_table"])
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
