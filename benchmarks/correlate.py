"""Correlation cost, accuracy and memory against the Genesys emulator on loopback, each figure beside its baseline.

    .venv/bin/python benchmarks/correlate.py [--conversations 20000] [--records 10000] [--days 7]
        [--subsets 2500,5000] [--baseline-records 100] [--mapping mappings/five9.yaml]
        [--time table|start|end|within] [--cli-arg ARG ...] [--keep DIR] [--json out.json]
    .venv/bin/python benchmarks/correlate.py --check     # only: is the generator deterministic and valid (~5 s)

The scenario (benchmarks/correlate_scenario.py): an emulator org of --conversations voice calls over --days days
(business hours, repeat callers, Support calls the export never names) and a Five9 Call Log of --records calls
without Genesys conversation ids, ~3 % of which never reached Genesys; the generator knows which conversation each
record was. ``wrapup-bridge correlate`` runs as the CLI, a process of its own, against the emulator served in
another process (the org's memory is not the correlation's), on the full log and on evenly spread subsets of it
(same days, same org), then on the densest UTC day's records alone.

What it measures (targets from issue 13), every figure and its baseline from the same run:
  (a) Genesys API calls per correlated (matched) record, counted by the emulator (token requests aside), on the
      whole log and on the dense day                                        (target <= 0.05 on a dense day)
      vs the per-record lookup forum answers give: one details query per record, by the customer's number over
      the record's time +-120 s, the closest start wins (run on --baseline-records records of the log)
  (b) precision (correct matches / matched) and recall (correct matches / records that have a conversation)
      against the generator's truth, the counts by status, and how often an ambiguous record lists the right
      conversation among its candidates; the same for the per-record lookup
  (c) peak RSS (VmHWM) of the correlate process at each record count, against the same org
                                                                (target: flat, largest vs smallest <= 1.10x)
  (d) wall time and records/s of each run (the emulator answering in its own process is part of it) and the CPU
      time of the correlate process alone; the per-record lookup's time per record beside it
  and, apart from those, what building the emulator org costs (seconds, peak RSS of its process).

``--time`` runs a copy of the table with another ``correlate.time`` (what a record's time is compared to). The
generator writes each record's TIMESTAMP near its conversation's start, as Five9 does (the Call Log's TIMESTAMP +
IVR TIME + QUEUE WAIT TIME is its RECORDINGS start in a live sample, ../shared/reference/five9.md 2.4), so
``--time start`` measures the anchor that fits Five9; the default measures the shipped table as it is.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import dataclasses
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.correlate_scenario import (  # noqa: E402
    CAMPAIGNS,
    CLIENT,
    Scenario,
    ScenarioSpec,
    generate_calls,
    generate_records,
    read_truth,
    write_org,
    write_scenario,
)

#: An emulator rate limit no run reaches; its inin-ratelimit-* headers tell the client it is that high.
UNLIMITED = 10_000_000
#: The module the measured process runs as ``python -m``; a rehearsal may point it at a stand-in.
CLI_MODULE = "wrapup_bridge"
#: Runs the CLI in a process that reports its own VmHWM when it exits (and imports nothing of the benchmark).
RSS_WRAPPER = """
import atexit, runpy, sys
def _peak():
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                sys.stderr.write("BENCH " + line)
atexit.register(_peak)
module = sys.argv[1]
sys.argv = ["wrapup-bridge", *sys.argv[2:]]
runpy.run_module(module, run_name="__main__", alter_sys=True)
"""
#: The correlation output's columns (the design of issue 13).
OUTPUT_COLUMNS = ("source", "source_id", "status", "conversation_id", "score", "margin", "evidence", "candidates")
TOLERANCE_SECONDS = 120


# ------------------------------------------------------------------------------------------- the emulator process
def _listen() -> tuple[socket.socket, str]:
    """A loopback socket with proto=IPPROTO_TCP, so asyncio sets TCP_NODELAY (benchmarks/replay.py says why)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    return sock, f"http://127.0.0.1:{sock.getsockname()[1]}"


def vmhwm_mib(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (/proc/PID/stat utime and stime)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def spec_to_json(spec: ScenarioSpec) -> str:
    return json.dumps(dataclasses.asdict(spec), default=str)


def spec_from_json(text: str) -> ScenarioSpec:
    data = json.loads(text)
    data["first_day"] = date.fromisoformat(data["first_day"])
    return ScenarioSpec(**data)


def serve_forever(spec_json: str, config_json: str) -> None:
    """The emulator process: build the scenario's org, print one JSON line (base URL, build cost), serve until
    SIGINT."""
    from benchmarks.correlate_scenario import make_org
    from wrapup_bridge.emulator import Emulator, EmulatorConfig

    started = time.perf_counter()
    org = make_org(spec_from_json(spec_json))
    build_seconds = time.perf_counter() - started
    build_mib = vmhwm_mib()
    emulator = Emulator(org, EmulatorConfig.model_validate_json(config_json))
    sock, base_url = _listen()
    print(json.dumps({"base_url": base_url, "build_seconds": build_seconds, "build_peak_rss_mib": build_mib,
                      "conversations": len(org.conversations)}), flush=True)  # fmt: skip
    emulator.run(sock)


@dataclass
class Served:
    base_url: str
    process: subprocess.Popen[str]
    build: dict[str, Any]

    def stats(self) -> dict[str, Any]:
        data: dict[str, Any] = httpx.get(f"{self.base_url}/_emulator/stats", timeout=60).json()
        return data


@contextlib.contextmanager
def served(spec: ScenarioSpec, **config: Any) -> Iterator[Served]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--_serve", spec_to_json(spec), json.dumps(config)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("{"):
            raise RuntimeError(f"the emulator process did not start (exit code {process.poll()})")
        build = json.loads(line)
        yield Served(build["base_url"], process, build)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def api_requests(before: dict[str, Any], after: dict[str, Any]) -> dict[str, int]:
    """Genesys API requests the emulator answered between two stats, by endpoint (token requests and its own
    /_emulator endpoints aside)."""
    counts = {
        endpoint: n - before["requests"].get(endpoint, 0)
        for endpoint, n in after["requests"].items()
        if " /api/v2/" in endpoint
    }
    return {endpoint: n for endpoint, n in sorted(counts.items()) if n}


def client_env(base_url: str) -> dict[str, str]:
    """This environment, pointed at the emulator process as Genesys would be: the GENESYSCLOUD_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENESYSCLOUD_")}
    return env | {"GENESYSCLOUD_OAUTHCLIENT_ID": CLIENT[0], "GENESYSCLOUD_OAUTHCLIENT_SECRET": CLIENT[1],
                  "GENESYSCLOUD_API_BASE": base_url}  # fmt: skip


# ----------------------------------------------------------------------------------------------- the correlation
def correlate_args(call_log: Path, mapping: Path, out: Path, extra: Sequence[str] = ()) -> list[str]:
    """The command measured: ``wrapup-bridge correlate`` against the target the GENESYSCLOUD_* variables name."""
    return ["correlate", str(call_log), "--mapping", str(mapping), "--out", str(out), "--target", "genesys", *extra]


@dataclass
class Run:
    """One correlate process: what it cost (the emulator's count), how long it took, its peak RSS, its exit."""

    calls: dict[str, int]
    seconds: float
    peak_rss_mib: float
    exit_code: int
    cpu_seconds: float = 0.0  # user + system time of the correlate process (the emulator's is not in it)
    emulator_cpu_seconds: float = 0.0  # the emulator process's, answering this run

    @property
    def api_calls(self) -> int:
        return sum(self.calls.values())


def run_correlation(server: Served, call_log: Path, mapping: Path, out: Path, extra: Sequence[str] = ()) -> Run:
    """The single call site of the correlation: the CLI in a process of its own, reporting its VmHWM at exit."""
    out.unlink(missing_ok=True)
    before = server.stats()
    # The correlate process is the only child waited for in between (the emulator's is waited for at the end).
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    emulator_before = cpu_seconds(server.process.pid)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", RSS_WRAPPER, CLI_MODULE, *correlate_args(call_log, mapping, out, extra)],
        env=client_env(server.base_url), cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    emulator_cpu = cpu_seconds(server.process.pid) - emulator_before
    after = server.stats()
    peaks = [line.split()[2] for line in result.stderr.splitlines() if line.startswith("BENCH VmHWM:")]
    if not out.is_file() or not peaks:
        raise RuntimeError(
            f"wrapup-bridge correlate {call_log.name} wrote no {out.name} (exit code {result.returncode}):\n"
            f"{result.stdout[-2000:]}{result.stderr[-3000:]}"
        )
    return Run(api_requests(before, after), seconds, int(peaks[0]) / 1024, result.returncode, cpu, emulator_cpu)


def reading_peak_mib(call_log: Path, out: Path) -> float:
    """Peak RSS of reading ``call_log`` alone (``wrapup-bridge normalize -s five9``, the reader correlate uses):
    what the record count costs before any correlation. The Five9 reader holds a look-back window of rows to
    merge a call's rows (adapters/five9/call_log.py, 5,000 rows), so it grows until the log is that long."""
    result = subprocess.run(
        [sys.executable, "-c", RSS_WRAPPER, CLI_MODULE, "normalize", "-s", "five9", str(call_log), "-o", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    out.unlink(missing_ok=True)
    peaks = [line.split()[2] for line in result.stderr.splitlines() if line.startswith("BENCH VmHWM:")]
    return int(peaks[0]) / 1024 if peaks else 0.0


def read_output(path: Path) -> Iterator[dict[str, str]]:
    """The correlation file's rows (CSV with a header row, or JSONL), as text by column."""
    with path.open(encoding="utf-8", newline="") as handle:
        if path.suffix == ".csv":
            reader = csv.DictReader(handle)
            missing = set(OUTPUT_COLUMNS) - set(reader.fieldnames or ())
            if missing:
                raise RuntimeError(f"{path}: the header lacks {', '.join(sorted(missing))}: {reader.fieldnames}")
            yield from reader
        else:
            for line in handle:
                if line.strip():
                    row = json.loads(line)
                    yield {
                        k: v if isinstance(v, str) else json.dumps(v) if v is not None else "" for k, v in row.items()
                    }


@dataclass
class Accuracy:
    """A correlation's output scored against the truth."""

    records: int = 0  # rows read (one per CALL ID)
    with_truth: int = 0  # records of the input that had a conversation (recall's denominator)
    matched: int = 0
    correct: int = 0
    wrong: int = 0  # matched to another conversation, or matched although the call never reached Genesys
    false_matches_of_unreached: int = 0  # the latter, a part of ``wrong``
    ambiguous: int = 0
    ambiguous_listing_truth: int = 0
    statuses: Counter[str] = dataclasses.field(default_factory=Counter)
    unknown_ids: int = 0  # rows whose source_id the truth does not know
    duplicates: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.matched if self.matched else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.with_truth if self.with_truth else 0.0

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        return data | {"statuses": dict(self.statuses), "precision": self.precision, "recall": self.recall}


def _candidate_ids(text: str) -> list[str]:
    try:
        items = json.loads(text) if text else []
    except json.JSONDecodeError:
        return []
    return [str(item.get("conversation_id")) for item in items if isinstance(item, dict)]


def score(rows: Iterator[Mapping[str, str]], truth: Mapping[str, str | None], inputs: Iterable[str]) -> Accuracy:
    """``rows`` (the correlation's output) against ``truth``; ``inputs``: the CALL IDs of the input, so a record
    the output left out still counts against recall."""
    acc = Accuracy(with_truth=sum(1 for call_id in set(inputs) if truth.get(call_id) is not None))
    seen: set[str] = set()
    for row in rows:
        source_id = row["source_id"]
        if source_id in seen:
            acc.duplicates += 1
            continue
        seen.add(source_id)
        if source_id not in truth:
            acc.unknown_ids += 1
            continue
        expected = truth[source_id]
        acc.records += 1
        status = row["status"]
        acc.statuses[status] += 1
        if status == "matched":
            acc.matched += 1
            if row["conversation_id"] == expected:
                acc.correct += 1
            else:
                acc.wrong += 1
                acc.false_matches_of_unreached += expected is None
        elif status == "ambiguous":
            acc.ambiguous += 1
            acc.ambiguous_listing_truth += expected is not None and expected in _candidate_ids(row["candidates"])
    return acc


def log_call_ids(call_log: Path) -> set[str]:
    """The CALL IDs of a generated log (a transfer's leg row shares its call's)."""
    with call_log.open(encoding="utf-8-sig", newline="") as handle:
        return {row["CALL ID"] for row in csv.DictReader(handle)}


def measure(server: Served, call_log: Path, mapping: Path, out: Path, truth: Mapping[str, str | None],
            extra: Sequence[str]) -> dict[str, Any]:  # fmt: skip
    run = run_correlation(server, call_log, mapping, out, extra)
    reading = reading_peak_mib(call_log, out.with_suffix(".normalized.jsonl"))
    call_ids = log_call_ids(call_log)
    acc = score(read_output(out), truth, call_ids)
    records = len(call_ids)
    return {
        "log": call_log.name,
        "records": records,
        "exit_code": run.exit_code,
        "calls": run.calls,
        "api_calls": run.api_calls,
        "calls_per_matched": run.api_calls / acc.matched if acc.matched else None,
        "calls_per_record": run.api_calls / records,
        "seconds": run.seconds,
        "records_per_second": records / run.seconds,
        "cpu_seconds": run.cpu_seconds,
        "emulator_cpu_seconds": run.emulator_cpu_seconds,
        "peak_rss_mib": run.peak_rss_mib,
        "reading_peak_rss_mib": reading,
        "accuracy": acc.as_dict(),
        "rows_missing": records - acc.records - acc.unknown_ids,
    }


# ------------------------------------------------------------------------------------------ the per-record lookup
def e164_us(text: str) -> str | None:
    """What a per-record script does with a North American number: digits, +1 in front."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) == 10:
        return "+1" + digits
    if len(digits) == 11 and digits.startswith("1"):
        return "+" + digits
    return None


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def lookup_sample(call_log: Path, limit: int) -> list[Any]:
    """``limit`` records spread evenly over the log (Dispositions, as the Five9 adapter reads them)."""
    from wrapup_bridge.adapters import get_adapter
    from wrapup_bridge.core.disposition import Disposition

    records: list[Disposition] = []
    with call_log.open(encoding="utf-8-sig", newline="") as handle:
        for result in get_adapter("five9").read(handle, name=str(call_log)):
            if isinstance(result, Disposition):
                records.append(result)
    step = max(1, len(records) // limit)
    return records[::step][:limit]


async def per_record_lookup(server: Served, sample: Sequence[Any]) -> tuple[list[dict[str, str]], int]:
    """One details query per record, by the customer's number (inbound ANI, outbound DNIS) over its time +-120 s;
    the conversation whose start is closest wins, if within 120 s. Returns output-shaped rows and the calls."""
    from wrapup_bridge.services.settings import Settings
    from wrapup_bridge.services.target import build_target

    settings = Settings.from_env(client_env(server.base_url))
    target = build_target("genesys", settings=settings, budget=60.0, rate_per_minute=UNLIMITED)
    rows: list[dict[str, str]] = []
    calls = 0
    async with target.client() as client:
        for record in sample:
            outbound = record.fields.get("call_type", "").lower() != "inbound"
            number = e164_us(record.fields.get("dnis" if outbound else "ani") or "")
            when = record.occurred_at
            status, best = "none", ""
            if number is not None and when is not None:
                tolerance = timedelta(seconds=TOLERANCE_SECONDS)
                body = {
                    "interval": f"{(when - tolerance):%Y-%m-%dT%H:%M:%SZ}/{(when + tolerance):%Y-%m-%dT%H:%M:%SZ}",
                    "order": "asc",
                    "orderBy": "conversationStart",
                    "segmentFilters": [{"type": "and", "predicates": [
                        {"dimension": "dnis" if outbound else "ani", "value": f"tel:{number}"}]}],
                    "paging": {"pageSize": 100, "pageNumber": 1},
                }  # fmt: skip
                answer = await client.post_json("/api/v2/analytics/conversations/details/query", body, idempotent=True)
                calls += 1
                offsets = [
                    (abs((_parse_time(c["conversationStart"]) - when).total_seconds()), c["conversationId"])
                    for c in (answer.json or {}).get("conversations", [])
                ]
                near = min(offsets, default=None)
                if near is not None and near[0] <= TOLERANCE_SECONDS:
                    status, best = "matched", near[1]
            rows.append({"source_id": record.source_id, "status": status, "conversation_id": best, "candidates": ""})
    return rows, calls


def baseline(server: Served, call_log: Path, truth: Mapping[str, str | None], limit: int) -> dict[str, Any]:
    sample = lookup_sample(call_log, limit)  # read before the clocks start: the lookups alone are measured
    before = server.stats()
    own_before = resource.getrusage(resource.RUSAGE_SELF)
    emulator_before = cpu_seconds(server.process.pid)
    started = time.perf_counter()
    rows, calls = asyncio.run(per_record_lookup(server, sample))
    seconds = time.perf_counter() - started
    own_after = resource.getrusage(resource.RUSAGE_SELF)
    emulator_cpu = cpu_seconds(server.process.pid) - emulator_before
    counted = sum(api_requests(before, server.stats()).values())
    acc = score(iter(rows), truth, (row["source_id"] for row in rows))
    return {
        "records": len(rows),
        "api_calls": counted,
        "client_calls": calls,
        "calls_per_matched": counted / acc.matched if acc.matched else None,
        "calls_per_record": counted / len(rows) if rows else None,
        "seconds": seconds,
        "cpu_seconds": own_after.ru_utime - own_before.ru_utime + own_after.ru_stime - own_before.ru_stime,
        "emulator_cpu_seconds": emulator_cpu,
        "accuracy": acc.as_dict(),
    }


# ---------------------------------------------------------------------------------------------- the generator
def read_log(call_log: Path) -> tuple[int, list[str]]:
    """Records the Five9 adapter reads from a log (as ``wrapup-bridge normalize -s five9`` does), and its errors."""
    from wrapup_bridge.adapters import get_adapter
    from wrapup_bridge.core.disposition import Disposition

    records, errors = 0, []
    with call_log.open(encoding="utf-8-sig", newline="") as handle:
        for result in get_adapter("five9").read(handle, name=str(call_log)):
            if isinstance(result, Disposition):
                records += 1
            else:
                errors.append(str(result))
    return records, errors


def check_scenario(scenario: Scenario, truth: Mapping[str, str | None]) -> None:
    """What every run relies on: each log reads without an error, one record per CALL ID the truth knows."""
    for log in [*scenario.call_logs.values(), scenario.dense_log]:
        records, errors = read_log(log)
        if errors or records != len(log_call_ids(log)):
            raise RuntimeError(f"{log.name}: {records} records, {len(errors)} unreadable: {errors[:3]}")
    if len(truth) != scenario.spec.records:
        raise RuntimeError(f"the truth names {len(truth)} records, not {scenario.spec.records}")


def check_generator() -> list[str]:
    """``--check``: a small scenario is generated twice (byte for byte the same), reads with ``wrapup-bridge
    normalize -s five9`` without a reject, its org file loads into the emulator, and each true conversation is
    one the details query finds by the record's number near its time. Returns what is wrong (nothing: valid)."""
    from wrapup_bridge.emulator import Emulator, EmulatorConfig
    from wrapup_bridge.services.target import build_target

    spec = ScenarioSpec(conversations=400, records=200, agents=8, seed=7)
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="correlate-check-") as tmp:
        first = write_scenario(Path(tmp) / "a", spec, (100,))
        again = write_scenario(Path(tmp) / "b", spec, (100,))
        for path in sorted(first.folder.iterdir()):
            if path.read_bytes() != (again.folder / path.name).read_bytes():
                problems.append(f"{path.name} differs between two generations of the same spec")
        log = first.call_logs[spec.records]
        rejects = Path(tmp) / "rejects.jsonl"
        normalized = subprocess.run(
            [sys.executable, "-m", "wrapup_bridge", "normalize", "-s", "five9", str(log), "--rejects", str(rejects)],
            cwd=ROOT, capture_output=True, text=True, check=False,
        )  # fmt: skip
        lines = [line for line in normalized.stdout.splitlines() if line.strip()]
        if normalized.returncode != 0 or len(lines) != spec.records:
            problems.append(
                f"normalize: exit {normalized.returncode}, {len(lines)} records: {normalized.stderr[-500:]}"
            )
        if rejects.is_file() and rejects.read_text().strip():
            problems.append(f"normalize rejected: {rejects.read_text()[:500]}")
        if any(json.loads(line).get("conversation_id") for line in lines):
            problems.append("a record names its conversation: the log must not say it")
        truth = read_truth(first.truth)
        calls = generate_calls(spec)
        records = generate_records(spec, calls)
        if sum(1 for v in truth.values() if v is None) != round(spec.records * spec.unreached):
            problems.append("the share of records that never reached Genesys is not the spec's")
        by_id = {c.id: c for c in calls}
        for record in records:
            call = by_id.get(record.truth or "")
            if record.truth is not None and (
                call is None or abs((record.time - call.start).total_seconds()) > spec.jitter_seconds
            ):
                problems.append(f"record {record.call_id}: its conversation {record.truth} is not within the jitter")
        emulator = Emulator.from_file(write_org(Path(tmp) / "org.json", spec, calls), EmulatorConfig(rate_limit=None))
        if len(emulator.org.conversations) != spec.conversations:
            problems.append(f"the org file holds {len(emulator.org.conversations)} conversations")
        target = build_target("emulator", emulator, rate_per_minute=UNLIMITED)
        problems += asyncio.run(_found_by_number(target, records[:40]))
    return problems


async def _found_by_number(target: Any, records: Sequence[Any]) -> list[str]:
    problems = []
    async with target.client() as client:
        for record in records:
            if record.truth is None:
                continue
            dimension = "ani" if CAMPAIGNS[record.kind].direction == "inbound" else "dnis"
            when = record.time
            body = {
                "interval": f"{when - timedelta(minutes=2):%Y-%m-%dT%H:%M:%SZ}/{when + timedelta(minutes=2):%Y-%m-%dT%H:%M:%SZ}",
                "segmentFilters": [{"type": "and", "predicates": [{"dimension": dimension, "value": f"tel:{record.customer}"}]}],
                "paging": {"pageSize": 100, "pageNumber": 1},
            }  # fmt: skip
            answer = await client.post_json("/api/v2/analytics/conversations/details/query", body, idempotent=True)
            found = [c["conversationId"] for c in (answer.json or {}).get("conversations", [])]
            if record.truth not in found:
                problems.append(
                    f"record {record.call_id}: {dimension} tel:{record.customer} does not find {record.truth}"
                )
    return problems


# ------------------------------------------------------------------------------------------------------ the run
def table_time(mapping: Path) -> str:
    """The table's ``correlate.time`` (its default when the table has no section or says nothing)."""
    from wrapup_bridge.core.mapping import load_mapping

    return str(load_mapping(mapping).correlate.time)


def table_with_time(mapping: Path, anchor: str, path: Path) -> Path:
    """A copy of the table whose ``correlate.time`` is ``anchor`` (the rest as written; its comments are lost)."""
    import yaml

    data = yaml.safe_load(mapping.read_text(encoding="utf-8"))
    data.setdefault("correlate", {})["time"] = anchor
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def run(args: argparse.Namespace) -> dict[str, Any]:
    spec = ScenarioSpec(conversations=args.conversations, records=args.records, days=args.days, seed=args.seed)
    subsets = sorted({int(s) for s in args.subsets.split(",") if s.strip()} - {spec.records})
    mapping = Path(args.mapping).resolve()
    results: dict[str, Any] = {"command": " ".join([Path(sys.executable).name, *sys.argv]),
                               "scenario": json.loads(spec_to_json(spec)), "mapping": str(mapping)}  # fmt: skip
    with contextlib.ExitStack() as stack:
        tmp = args.keep or stack.enter_context(tempfile.TemporaryDirectory(prefix="correlate-bench-"))
        Path(tmp).mkdir(parents=True, exist_ok=True)
        if args.time != "table":
            mapping = table_with_time(mapping, args.time, Path(tmp) / f"{mapping.stem}-time-{args.time}.yaml")
        results["time"] = table_time(mapping)
        print(f"generating {spec.conversations:,} conversations and {spec.records:,} records ...", file=sys.stderr)
        started = time.perf_counter()
        scenario: Scenario = write_scenario(Path(tmp), spec, subsets)
        truth = read_truth(scenario.truth)
        check_scenario(scenario, truth)
        if args.keep:
            write_org(Path(tmp) / "org.json", spec)
        results["generation"] = {
            "seconds": time.perf_counter() - started,
            "conversations": scenario.conversations,
            "records_by_utc_day": dict(scenario.records_by_day),
            "unreached": sum(1 for v in truth.values() if v is None),
            "dense_day": scenario.dense_day.isoformat(),
            "dense_day_records": scenario.dense_records,
        }
        print("building the org in the emulator process ...", file=sys.stderr)
        with served(spec, rate_limit=UNLIMITED) as server:
            results["org"] = server.build
            runs: dict[str, Any] = {}
            for count, log in scenario.call_logs.items():
                print(f"  correlate {count:,} records ...", file=sys.stderr)
                runs[str(count)] = measure(
                    server, log, mapping, Path(tmp) / f"matches-{count}.csv", truth, args.cli_arg
                )
            print(f"  correlate the dense day ({scenario.dense_day}, {scenario.dense_records:,} records) ...",
                  file=sys.stderr)  # fmt: skip
            runs["dense-day"] = measure(server, scenario.dense_log, mapping, Path(tmp) / "matches-dense.csv", truth,
                                        args.cli_arg)  # fmt: skip
            results["runs"] = runs
            if args.baseline_records:
                print(f"  per-record lookup on {args.baseline_records:,} records ...", file=sys.stderr)
                results["baseline"] = baseline(server, scenario.call_logs[spec.records], truth, args.baseline_records)
            results["org"]["emulator_peak_rss_mib"] = vmhwm_mib(server.process.pid)
    sized = [runs[str(c)] for c in scenario.call_logs]
    results["rss_growth"] = sized[-1]["peak_rss_mib"] / sized[0]["peak_rss_mib"]
    results["reading_rss_growth"] = sized[-1]["reading_peak_rss_mib"] / sized[0]["reading_peak_rss_mib"]
    return results


# ----------------------------------------------------------------------------------------------------- the report
def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def _times(ours: float | None, theirs: float | None, fewer: str = "fewer") -> str:
    """How many times ``theirs`` is ``ours`` ("17x fewer")."""
    return f"{theirs / ours:,.1f}x {fewer}" if ours and theirs else "n/a"


def _table(results: dict[str, Any]) -> None:
    header = ("run", "records", "matched", "ambig.", "none", "other", "precision", "recall", "API calls",
              "calls/matched", "seconds", "rec/s", "CPU s", "peak RSS MiB", "exit")  # fmt: skip
    table: list[tuple[str, ...]] = []
    for label, r in results["runs"].items():
        acc = r["accuracy"]
        statuses = acc["statuses"]
        other = acc["records"] - statuses.get("matched", 0) - statuses.get("ambiguous", 0) - statuses.get("none", 0)
        per = r["calls_per_matched"]
        table.append((
            label, f"{r['records']:,}", f"{acc['matched']:,}", f"{acc['ambiguous']:,}", f"{statuses.get('none', 0):,}",
            f"{other:,}", f"{acc['precision']:.4f}", f"{acc['recall']:.4f}", f"{r['api_calls']:,}",
            f"{per:.4f}" if per is not None else "n/a", f"{r['seconds']:.1f}", f"{r['records_per_second']:,.0f}",
            f"{r.get('cpu_seconds', 0.0):.1f}", f"{r['peak_rss_mib']:.1f}", str(r["exit_code"]),
        ))  # fmt: skip
    if "baseline" in results:
        b = results["baseline"]
        acc = b["accuracy"]
        per = b["calls_per_matched"]
        table.append((
            "per-record lookup", f"{b['records']:,}", f"{acc['matched']:,}", "-",
            f"{acc['statuses'].get('none', 0):,}", "-", f"{acc['precision']:.4f}", f"{acc['recall']:.4f}",
            f"{b['api_calls']:,}", f"{per:.4f}" if per is not None else "n/a", f"{b['seconds']:.1f}",
            f"{b['records'] / b['seconds']:,.0f}", "-", "-", "-",
        ))  # fmt: skip
    widths = [max(len(row[i]) for row in [header, *table]) for i in range(len(header))]
    for row in [header, *table]:
        cells = (cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
        print("  " + "  ".join(cells))


def print_results(results: dict[str, Any]) -> None:
    scenario, generation, org = results["scenario"], results["generation"], results["org"]
    print(f"command: {results['command']}")
    print(f"table: {results['mapping']} (correlate.time: {results.get('time', 'as the table says')})")
    print(
        f"scenario: {generation['conversations']:,} conversations over {scenario['days']} days, "
        f"{scenario['records']:,} Five9 records ({generation['unreached']} never reached Genesys), seed "
        f"{scenario['seed']}; generated in {generation['seconds']:.1f} s"
    )
    print(
        f"emulator org (its own process, not in the figures below): built in {org['build_seconds']:.1f} s, "
        f"peak RSS {org['build_peak_rss_mib']:.0f} MiB after the build, {org['emulator_peak_rss_mib']:.0f} MiB at the end"
    )
    _table(results)
    runs = results["runs"]
    dense = runs["dense-day"]
    full = runs[str(scenario["records"])]
    base = results.get("baseline")
    print(
        f"(a) API calls per correlated record: dense day ({generation['dense_day']}, {dense['records']:,} records) "
        f"{dense['calls_per_matched'] or 0:.4f}, whole log {full['calls_per_matched'] or 0:.4f}"
        f"  -> target <= 0.05 on a dense day: {verdict((dense['calls_per_matched'] or 1) <= 0.05)}"
    )
    if base:
        print(
            f"    per-record lookup {base['calls_per_matched'] or 0:.4f}: dense day "
            f"{_times(dense['calls_per_matched'], base['calls_per_matched'])}, whole log "
            f"{_times(full['calls_per_matched'], base['calls_per_matched'])} calls per correlated record"
        )
    print(f"    calls by endpoint (whole log): {full['calls']}")
    acc = full["accuracy"]
    print(
        f"(b) whole log: precision {acc['precision']:.4f}, recall {acc['recall']:.4f} ({acc['correct']:,} right, "
        f"{acc['wrong']:,} wrong of which {acc['false_matches_of_unreached']} records that never reached Genesys; "
        f"{acc['ambiguous']:,} ambiguous, {acc['ambiguous_listing_truth']:,} of them listing the right conversation; "
        f"statuses {acc['statuses']}; rows missing {full['rows_missing']}, duplicated {acc['duplicates']})"
    )
    if base:
        b = base["accuracy"]
        print(
            f"    per-record lookup on {base['records']:,} records of the log: precision {b['precision']:.4f}, recall "
            f"{b['recall']:.4f} (it never says ambiguous: the closest start wins)"
        )
    sizes = [k for k in runs if k != "dense-day"]
    small, large = runs[sizes[0]], runs[sizes[-1]]
    print(
        "(c) peak RSS of the correlate process: "
        + ", ".join(f"{runs[k]['records']:,} records {runs[k]['peak_rss_mib']:.1f} MiB" for k in sizes)
        + f"; {large['records']:,} vs {small['records']:,}: {results['rss_growth']:.2f}x"
        f"  -> flat (<= 1.10x): {verdict(results['rss_growth'] <= 1.10)}"
    )  # fmt: skip
    print(
        "    reading the log alone (wrapup-bridge normalize -s five9, the same reader): "
        + ", ".join(f"{runs[k]['records']:,} records {runs[k]['reading_peak_rss_mib']:.1f} MiB" for k in sizes)
        + f" ({results['reading_rss_growth']:.2f}x: the Five9 reader's 5,000-row look-back window filling); "
        "correlate above reading: "
        + ", ".join(f"{runs[k]['peak_rss_mib'] - runs[k]['reading_peak_rss_mib']:.1f} MiB" for k in sizes)
    )
    cpu = full.get("cpu_seconds") or 0.0
    emulator = full.get("emulator_cpu_seconds") or 0.0
    per_1000 = (cpu + emulator) / full["records"] * 1000
    print(
        f"(d) time, whole log: {cpu:.1f} s CPU in the correlate process ({cpu / full['records'] * 1000:.2f} s per 1,000 "
        f"records) + {emulator:.1f} s in the emulator answering it = {per_1000:.2f} s per 1,000 records; "
        f"{full['seconds']:.1f} s wall ({full['records_per_second']:,.0f} records/s, on a machine shared with "
        f"whatever else runs)"
    )
    if base:
        base_1000 = (base["cpu_seconds"] + base["emulator_cpu_seconds"]) / base["records"] * 1000
        print(
            f"    per-record lookup: {base_1000:.2f} s CPU per 1,000 records (client {base['cpu_seconds']:.1f} s + "
            f"emulator {base['emulator_cpu_seconds']:.1f} s for {base['records']:,}) = "
            f"{_times(per_1000, base_1000, 'less CPU')}; wall {base['seconds'] / base['records']:.3f} s per record = "
            f"{_times(full['seconds'] / full['records'], base['seconds'] / base['records'], 'faster')}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=20_000, help="conversations in the emulator org")
    parser.add_argument("--records", type=int, default=10_000, help="records in the full Five9 Call Log")
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--subsets", default="2500,5000", help="smaller record counts, spread over the same days")
    parser.add_argument("--baseline-records", type=int, default=100,
                        help="records the per-record lookup runs on (one query each; 0: skip it)")  # fmt: skip
    parser.add_argument("--mapping", default=str(ROOT / "mappings" / "five9.yaml"), help="the mapping table")
    parser.add_argument("--time", choices=("table", "start", "end", "within"), default="table",
                        help="correlate.time for the run: the table's (default), or a copy of the table with this one")  # fmt: skip
    parser.add_argument("--cli-arg", action="append", default=[],
                        help="an extra argument for wrapup-bridge correlate (repeat: --cli-arg=--tolerance --cli-arg=90)")  # fmt: skip
    parser.add_argument("--json", dest="json_out", help="write every figure and its inputs here")
    parser.add_argument(
        "--keep", metavar="DIR", help="generate into DIR and keep it (logs, truth.json, org.json, matches)"
    )
    parser.add_argument("--check", action="store_true", help="only check the generator (deterministic, valid); fast")
    parser.add_argument("--_serve", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._serve:
        serve_forever(*args._serve)
        return
    if args.check:
        problems = check_generator()
        print(
            "\n".join(problems) or "generator: deterministic, reads without a reject, org loads, truth found by number"
        )
        sys.exit(1 if problems else 0)
    results = run(args)
    print_results(results)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
