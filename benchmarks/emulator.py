"""The emulator at scale: start time, memory and the reads a replay or a correlation makes, for an org whose
conversations are listed in the file (the baseline) and one whose ``generate:`` block describes them.

    .venv/bin/python benchmarks/emulator.py [--listed 100000] [--generated 1000000] [--small 10000] [--runs 3]
                                            [--filtered] [--before DIR] [--only listed|generated] [--json out.json]

Each org is served by a process of its own (a generated org: its YAML file, by ``wrapup-bridge emulator --org FILE
--port 0 --rate-limit 0``, as a person starts it), and every figure is measured from outside that process:
  start        from spawning the command to the first answered request (a token)       (target: < 5 s at 1M)
  RSS          the process's VmRSS once started, and its VmHWM (peak) at the end   (target: 1M / small <= ~1.1x)
  GET by id    GET /api/v2/conversations/{id} of 50 conversations spread over the org, median
  day page     the details query's page 1 (100 conversations, no filter) of a busy UTC day: the first one of the
               run (which also builds what a run keeps) and the median of 5 later pages of that day
  day filtered (--filtered) page 1 of the same day with a dnis segment filter, which evaluates the whole day
  write        POST .../communications/{id}/wrapup on 10 answered conversations without a code, median; and the
               read-back, GET /api/v2/analytics/conversations/{id}/details showing the code, median
The listed org is tests/emulator/week_org.py's (a week, realism on), built in its process from Python objects
(as YAML, 100,000 listed conversations exceed what an org file may hold); the generated ones are
tests/emulator/generated_org.py's (March 2026 in New York time, office hours, realism on). ``--before DIR`` also
serves the listed org from another checkout of the package (``git archive <commit> | tar -x -C DIR``), in the same
run, for the code before a change.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.emulator.generated_org import generated_id, generated_org_text  # noqa: E402
from tests.emulator.week_org import BILLING, FIRST_DAY, RESOLVED, conversation_id  # noqa: E402

QUERY = "/api/v2/analytics/conversations/details/query"
_START_TIMEOUT = 900.0


@dataclass(frozen=True)
class OrgFile:
    """One org to serve: how to start it, how its conversations are named, and its busy day."""

    name: str
    #: The command's arguments after ``python``.
    command: list[str]
    count: int
    ids: Callable[[int], str]
    busy_day: str
    #: Serve the package from this folder instead of this checkout.
    tree: Path | None = None


def listed_org(count: int, tree: Path | None = None) -> OrgFile:
    """The week org, listed. Built in the serving process from Python objects, as benchmarks/replay.py builds its
    org: as YAML, 100,000 listed conversations are more nodes than an org file may hold (MAX_YAML_NODES)."""
    busy = (FIRST_DAY + timedelta(days=3)).date().isoformat()  # every day of the week org is as busy
    command = [__file__, "--_serve-listed", str(count)]
    name = f"listed {count:,}" + (" (before)" if tree is not None else "")
    return OrgFile(name, command, count, conversation_id, busy, tree)


def generated_org(folder: Path, count: int) -> OrgFile:
    """The generated month, as a YAML file served by ``wrapup-bridge emulator``."""
    path = folder / f"generated-{count}.yaml"
    path.write_text(generated_org_text(count), encoding="utf-8")
    command = ["-m", "wrapup_bridge", "emulator", "--org", str(path), "--port", "0", "--rate-limit", "0"]
    return OrgFile(f"generated {count:,}", command, count, generated_id, "2026-03-10")  # a Tuesday


def serve_listed(count: int) -> None:
    """The listed org's process: build it, print its base URL as the command does, serve until terminated."""
    tree = os.environ.get("BENCH_TREE")
    if tree:
        sys.path.insert(0, tree)
        for name in [m for m in sys.modules if m == "tests" or m.startswith(("tests.", "wrapup_bridge"))]:
            del sys.modules[name]
    import wrapup_bridge
    from tests.emulator.week_org import make_week_org
    from wrapup_bridge.emulator import Emulator, EmulatorConfig
    from wrapup_bridge.emulator.handle import bind

    print(f"serving the package at {Path(wrapup_bridge.__file__).parent}", file=sys.stderr, flush=True)
    emulator = Emulator(make_week_org(count), EmulatorConfig(rate_limit=None))
    sock, base_url = bind("127.0.0.1", 0)
    print(f"  base URL  {base_url}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    emulator.run(sock)


def _status(pid: int, key: str) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{key}:"):
                return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Served:
    base_url: str
    process: subprocess.Popen[str]
    started: float


@contextmanager
def served(org: OrgFile) -> Iterator[Served]:
    """``org`` served by a process of its own until the block ends; ``started``: seconds to the first answer."""
    tree = org.tree
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"], env["BENCH_TREE"] = str(tree), str(tree)
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, *org.command], cwd=tree or ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        base_url = None
        while base_url is None:
            line = process.stdout.readline()
            if not line:
                raise RuntimeError(f"{org.name}: the emulator did not start (exit code {process.wait()})")
            if line.strip().startswith("base URL"):
                base_url = line.split()[2]
        while True:
            try:
                httpx.post(f"{base_url}/oauth/token", data={"grant_type": "client_credentials"},
                           auth=("demo-client", "demo-secret"), timeout=_START_TIMEOUT).raise_for_status()  # fmt: skip
                break
            except httpx.TransportError:
                if time.perf_counter() - began > _START_TIMEOUT:
                    raise
                time.sleep(0.01)
        yield Served(base_url, process, time.perf_counter() - began)
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _ms(action: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    result = action()
    return (time.perf_counter() - began) * 1000, result


def _day_body(day: str, page: int, **more: Any) -> dict[str, Any]:
    after = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    interval = f"{day}T00:00:00Z/{after}T00:00:00Z"
    return {"interval": interval, "paging": {"pageSize": 100, "pageNumber": page}, **more}


def _uncoded_agent(conversation: dict[str, Any]) -> str | None:
    """The wrap-up path of the answering agent of a call that has no code yet, if it is one."""
    for participant in conversation["participants"]:
        calls = participant.get("calls") or []
        if participant["purpose"] == "agent" and participant.get("connectedTime") and calls:
            if participant.get("wrapup") or participant.get("queueId") != BILLING or "endTime" not in conversation:
                return None
            return (
                f"/api/v2/conversations/calls/{conversation['id']}/participants/{participant['id']}"
                f"/communications/{calls[0]['id']}/wrapup"
            )
    return None


def measure(org: OrgFile, filtered: bool) -> dict[str, Any]:
    """Every figure of one served org (one process)."""
    with served(org) as server:
        out: dict[str, Any] = {"org": org.name, "start_s": round(server.started, 3)}
        out["rss_started_mib"] = round(_status(server.process.pid, "VmRSS"), 1)
        with httpx.Client(base_url=server.base_url, timeout=600) as client:
            token = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                                auth=("demo-client", "demo-secret")).json()["access_token"]  # fmt: skip
            client.headers["Authorization"] = f"Bearer {token}"
            draw = random.Random(7)
            ns = [draw.randint(1, org.count) for _ in range(50)]
            gets = []
            for n in ns:
                took, answer = _ms(lambda n=n: client.get(f"/api/v2/conversations/{org.ids(n)}"))
                assert answer.status_code == 200, answer.text
                gets.append(took)
            out["get_by_id_ms"] = round(statistics.median(gets), 2)
            took, first = _ms(lambda: client.post(QUERY, json=_day_body(org.busy_day, 1)).json())
            out["day_total"] = first["totalHits"]
            out["day_first_page_ms"] = round(took, 1)
            pages = max(1, first["totalHits"] // 100)
            later = [_ms(lambda p=p: client.post(QUERY, json=_day_body(org.busy_day, p)).json())[0]
                     for p in (2, pages // 4, pages // 2, 3 * pages // 4, pages)]  # fmt: skip
            out["day_page_ms"] = round(statistics.median(later), 1)
            if filtered:
                dnis = {"dimension": "dnis", "value": "tel:+18005550100"}
                body = _day_body(org.busy_day, 1, segmentFilters=[{"type": "and", "predicates": [dnis]}])
                took, answer = _ms(lambda: client.post(QUERY, json=body).json())
                out["day_filtered_first_page_ms"], out["day_filtered_total"] = round(took, 1), answer["totalHits"]
            writes, reads = [], []
            for conversation in first["conversations"]:
                if len(writes) == 10:
                    break
                path = _uncoded_agent(client.get(f"/api/v2/conversations/{conversation['conversationId']}").json())
                if path is None:
                    continue
                took, answer = _ms(lambda path=path: client.post(path, json={"code": RESOLVED}))
                assert answer.status_code == 202, answer.text
                writes.append(took)
                cid = conversation["conversationId"]
                took, details = _ms(lambda cid=cid: client.get(f"/api/v2/analytics/conversations/{cid}/details"))
                codes = [g.get("wrapUpCode") for p in details.json()["participants"] for s in p["sessions"]
                         for g in s["segments"]]  # fmt: skip
                assert RESOLVED in codes, f"{cid}: the write is not read back"
                reads.append(took)
            out["write_ms"] = round(statistics.median(writes), 2)
            out["read_back_ms"] = round(statistics.median(reads), 2)
        out["rss_end_mib"] = round(_status(server.process.pid, "VmRSS"), 1)
        out["hwm_mib"] = round(_status(server.process.pid, "VmHWM"), 1)
    return out


def _span(values: list[float]) -> str:
    low, high = min(values), max(values)
    return f"{low:g}" if low == high else f"{low:g}-{high:g}"


_RATIOS = ("start_s", "rss_started_mib", "hwm_mib", "get_by_id_ms", "day_first_page_ms", "day_page_ms",
           "day_filtered_first_page_ms", "write_ms", "read_back_ms")  # fmt: skip


def _ratios(label: str, base: list[dict[str, Any]], other: list[dict[str, Any]], keys: tuple[str, ...]) -> None:
    """``other / base`` of each key, run by run (both measured in the same runs)."""
    for key in keys:
        ratios = [round(o[key] / b[key], 3) for b, o in zip(base, other, strict=False) if key in b and key in o]
        if ratios:
            print(f"  {label} {key:28} {_span(ratios)}")


def report(results: list[dict[str, Any]]) -> None:
    by_org: dict[str, list[dict[str, Any]]] = {}
    for result in results:
        by_org.setdefault(result["org"], []).append(result)
    keys = [k for k in results[0] if k != "org"]
    for result in results[1:]:
        keys += [k for k in result if k not in keys and k != "org"]
    print(f"{'':28}" + "".join(f"{name:>28}" for name in by_org))
    for key in keys:
        print(f"{key:28}" + "".join(f"{_span([r[key] for r in runs if key in r]):>28}" for runs in by_org.values()))
    names = list(by_org)
    listed = sorted((n for n in names if n.startswith("listed")), key=lambda n: "(before)" not in n)
    generated = sorted((n for n in names if n.startswith("generated")), key=lambda n: by_org[n][0]["day_total"])
    print("ratios, run by run:")
    if len(listed) == 2:
        _ratios(f"{listed[1]} / {listed[0]}:", by_org[listed[0]], by_org[listed[1]], _RATIOS)
    if listed and generated:
        _ratios(f"{generated[-1]} / {listed[0]}:", by_org[listed[0]], by_org[generated[-1]], _RATIOS)
    if len(generated) == 2:
        keys = ("start_s", "rss_started_mib", "rss_end_mib", "hwm_mib")
        _ratios(f"{generated[1]} / {generated[0]}:", by_org[generated[0]], by_org[generated[1]], keys)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listed", type=int, default=100_000, help="conversations of the listed org (0: none)")
    parser.add_argument("--generated", type=int, default=1_000_000, help="conversations of the generated org")
    parser.add_argument("--small", type=int, default=10_000, help="a small generated org, for the memory ratio")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--only", choices=["listed", "generated"])
    parser.add_argument("--filtered", action="store_true", help="also a day page with a dnis segment filter")
    parser.add_argument(
        "--before", type=Path, help="also serve the listed org from this folder (a checkout of an earlier commit)"
    )
    parser.add_argument("--folder", type=Path, help="where the org files go (default: a temporary folder)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--_serve-listed", type=int, dest="serve_listed", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_listed:
        serve_listed(args.serve_listed)
        return
    with tempfile.TemporaryDirectory(prefix="emulator-bench-") as scratch:
        folder = args.folder or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        orgs: list[OrgFile] = []
        if args.before is not None and args.listed:
            orgs.append(listed_org(args.listed, args.before))
        if args.only != "generated" and args.listed:
            orgs.append(listed_org(args.listed))
        if args.only != "listed":
            orgs += [generated_org(folder, count) for count in (args.small, args.generated) if count]
        results = []
        for run in range(args.runs):
            for org in orgs:
                print(f"run {run + 1}: {org.name} ...", file=sys.stderr, flush=True)
                results.append(measure(org, args.filtered))
                print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    report(results)
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
