"""Replay cost, pacing, speed and memory against the Genesys emulator on loopback, each figure beside its baseline.

    .venv/bin/python benchmarks/replay.py [--records 2000] [--rate-seconds 60] [--rss-large 100000] [--json out.json]
    .venv/bin/python benchmarks/replay.py --only a --transport both    # (a) with httpx's own transport beside lean

What it measures (targets from DESIGN.md and issue 4), every figure and its baseline from the same run:
  (a) Genesys API calls per applied disposition, ``replay plan`` + ``replay apply`` (counted by the clients and,
      independently, by the emulator) vs the recipe forum answers give: GET conversation + GET code + POST for
      every record                               (target <= 1.05; issue 14: <= 1.025 on a clean run, --only ac)
      and the client's CPU time per applied write: the apply phase's process CPU time (this process; the
      emulator runs in its own) / writes                                              (issue 14: <= 1 ms)
      --transport lean|httpx runs the client on that HTTP transport (WRAPUP_BRIDGE_HTTP_TRANSPORT; default: what
      the environment picks); --transport both runs the apply on each in turn, --transport-passes times (best
      CPU of each), and prints both figures and their ratio (benchmarks/transport.py adds aiohttp and import costs)
  (b) share of the allowed request rate ``replay apply`` sustains under an emulator rate limit scaled to run in
      about --rate-seconds (default 600 requests per 10 s window; the client is told the same rate), and the
      429s the emulator sent                                                  (target >= 95%, no 429 at all)
  (c) dispositions per second without a rate limit: plan + apply vs a naive sequential loop, and the same loop 8 at
      a time (what a thread pool of 8 gives; one client shared, so the same transport), each (GET conversation +
      POST, one at a time, same process, same emulator)
  (d) peak RSS (VmHWM) of ``replay plan`` and of ``replay apply``, each its own process, over --rss-large
      records vs --rss-small                                                          (target: flat, ~1.0x)
  (e) one ``replay apply`` run under injected faults (default 5 % of calls 500/503 without Retry-After, 2 %
      dropped connections, half of them after the write was applied): writes it leaves failed, writes the
      emulator's own log shows twice, calls per applied write in that run     (target: 0 failed, 0 twice)

The emulator runs in its own process (a 100k-conversation org takes about a gigabyte), serving a generated org
(tests/cli/replay_scenario.py) on a socket bound here with IPPROTO_TCP: see ``_listen`` for why.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.cli.replay_scenario import CLIENT, Scenario, write_scenario  # noqa: E402
from wrapup_bridge.adapters import AdapterOptions  # noqa: E402
from wrapup_bridge.core.disposition import Disposition  # noqa: E402
from wrapup_bridge.core.mapping import MappingTable, load_mapping  # noqa: E402
from wrapup_bridge.genesys.sink import ApplyOptions, wrapup_body, wrapup_request  # noqa: E402
from wrapup_bridge.genesys.target import NoTarget, resolve_target  # noqa: E402
from wrapup_bridge.services.replay import (  # noqa: E402
    PlanOptions,
    ReplayPaths,
    apply_from_plan,
    plan_from_records,
    source_records,
)
from wrapup_bridge.services.settings import Settings  # noqa: E402
from wrapup_bridge.services.target import Target, build_target, connect  # noqa: E402

#: An emulator limit no run reaches; its inin-ratelimit-* headers tell the client (and the CLI) it is that high.
UNLIMITED = 10_000_000
PLAN_OPTIONS = PlanOptions(overwrite=False, historical=True, allowed_check="queue", budget=60.0)
#: Runs the CLI in a process that reports its own VmHWM when it exits (and imports nothing of the benchmark).
RSS_WRAPPER = """
import atexit, runpy, sys
def _peak():
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                sys.stderr.write("BENCH " + line)
atexit.register(_peak)
sys.argv = ["wrapup-bridge", *sys.argv[1:]]
runpy.run_module("wrapup_bridge", run_name="__main__", alter_sys=True)
"""


@contextlib.contextmanager
def using_transport(name: str | None) -> Iterator[None]:
    """Clients built inside run on ``name``'s HTTP transport ("lean" or "httpx"), as a user picks it: through
    WRAPUP_BRIDGE_HTTP_TRANSPORT. None leaves the environment as it is."""
    from wrapup_bridge.genesys.transport import TRANSPORT_VARIABLE

    before = os.environ.get(TRANSPORT_VARIABLE)
    if name is not None:
        os.environ[TRANSPORT_VARIABLE] = name
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(TRANSPORT_VARIABLE, None)
        else:
            os.environ[TRANSPORT_VARIABLE] = before


# ------------------------------------------------------------------------------------------- the emulator process
def _listen() -> tuple[socket.socket, str]:
    """A loopback listening socket created with proto=IPPROTO_TCP.

    asyncio sets TCP_NODELAY only on sockets whose ``proto`` is IPPROTO_TCP, and accepted sockets inherit the
    listener's; ``emulator.handle.bind`` creates it with proto 0, so every answer with a body on a kept-alive
    connection (headers and body are two writes) waits ~40 ms for the client's delayed ACK (Nagle). That would
    measure the kernel, not the replay.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    return sock, f"http://127.0.0.1:{sock.getsockname()[1]}"


def serve_forever(count: int, config_json: str) -> None:
    """The emulator process: build the org, print the base URL, serve until SIGINT."""
    from tests.cli.replay_scenario import make_org
    from wrapup_bridge.emulator import Emulator, EmulatorConfig

    emulator = Emulator(make_org(count), EmulatorConfig.model_validate_json(config_json))
    sock, base_url = _listen()
    print(base_url, flush=True)
    emulator.run(sock)


def vmhwm_mib(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Served:
    base_url: str
    process: subprocess.Popen[str]

    def stats(self) -> dict[str, Any]:
        data: dict[str, Any] = httpx.get(f"{self.base_url}/_emulator/stats", timeout=60).json()
        return data

    def reset(self) -> None:
        httpx.post(f"{self.base_url}/_emulator/reset", timeout=600).raise_for_status()

    def writes(self) -> list[dict[str, Any]]:
        """The emulator's write log: every wrap-up write it applied (dropped connections included)."""
        data: list[dict[str, Any]] = httpx.get(f"{self.base_url}/_emulator/writes", timeout=60).json()["writes"]
        return data


@contextlib.contextmanager
def served(count: int, **config: Any) -> Iterator[Served]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--_serve", str(count), json.dumps(config)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("http://"):
            raise RuntimeError(f"the emulator process did not start (exit code {process.poll()})")
        yield Served(line, process)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def api_requests(stats: dict[str, Any]) -> int:
    """Genesys API requests the emulator answered (token requests and its own /_emulator endpoints aside)."""
    return sum(n for endpoint, n in stats["requests"].items() if " /api/v2/" in endpoint)


def token_requests(stats: dict[str, Any]) -> int:
    return int(stats["requests"].get("POST /oauth/token", 0))


# ----------------------------------------------------------------------------------------------------- clients
def variables(base_url: str) -> Settings:
    """The emulator process, pointed at as Genesys would be: through the GENESYSCLOUD_* variables (and the transport
    ``using_transport`` set)."""
    from wrapup_bridge.genesys.transport import TRANSPORT_VARIABLE

    return Settings.from_env(
        {"GENESYSCLOUD_OAUTHCLIENT_ID": CLIENT[0], "GENESYSCLOUD_OAUTHCLIENT_SECRET": CLIENT[1],
         "GENESYSCLOUD_API_BASE": base_url, TRANSPORT_VARIABLE: os.environ.get(TRANSPORT_VARIABLE, "")}
    )  # fmt: skip


def genesys_target(base_url: str, rate_per_minute: float) -> Target:
    """The target the replay service talks to, built by the one target factory as the CLI builds it."""
    return build_target("genesys", settings=variables(base_url), budget=60.0, rate_per_minute=rate_per_minute)


def _records(scenario: Scenario, table: MappingTable) -> Iterator[Any]:
    options = AdapterOptions(conversation_id_field=table.source.conversation_id, format=table.source.format)
    return source_records("five9", options, (str(scenario.call_log),))


async def our_replay(
    server: Served, scenario: Scenario, rate_per_minute: float, concurrency: int, batch_size: int
) -> dict[str, Any]:
    """``replay plan`` then ``replay apply`` through the replay service (what the CLI calls), each with its own
    client."""
    table = load_mapping(scenario.mapping)
    paths = ReplayPaths.beside(scenario.plan)
    for stale in (paths.plan, paths.ledger, paths.dead_letters):
        stale.unlink(missing_ok=True)
    before = server.stats()
    started = time.perf_counter()
    async with connect(
        "genesys", settings=variables(server.base_url), budget=60.0, rate_per_minute=rate_per_minute
    ) as connection:
        await plan_from_records(
            _records(scenario, table),
            table=table,
            connection=connection,
            out=paths.plan,
            source="five9",
            inputs=(str(scenario.call_log),),
            options=PLAN_OPTIONS,
            batch_size=batch_size,
        )
        plan_sent = sum(connection.client.sent.values())
    plan_seconds = time.perf_counter() - started
    between = server.stats()
    started = time.perf_counter()
    cpu_started = time.process_time()  # this process is the client: the emulator has its own
    async with connect(
        "genesys", settings=variables(server.base_url), budget=60.0, rate_per_minute=rate_per_minute
    ) as connection:
        _, report = await apply_from_plan(
            paths, connection, concurrency=concurrency, verify=False, refresh=True, batch_size=batch_size
        )
        apply_sent = sum(connection.client.sent.values())
        client_throttled = connection.client.limiter.throttled
    apply_cpu = time.process_time() - cpu_started
    apply_seconds = time.perf_counter() - started
    after = server.stats()
    return {
        "records": scenario.count,
        "applied": report.applied,
        "outcomes": dict(report.outcomes),
        "calls": {"plan": plan_sent, "apply": apply_sent, "by_kind": report.calls},
        "emulator_calls": {
            "plan": api_requests(between) - api_requests(before),
            "apply": api_requests(after) - api_requests(between),
            "token_requests": token_requests(after) - token_requests(before),
        },
        "emulator_429": {"plan": between["throttled"] - before["throttled"], "apply": after["throttled"] - between["throttled"]},
        "client_saw_429": client_throttled,
        "seconds": {"plan": plan_seconds, "apply": apply_seconds},
        "client_cpu": {"apply_seconds": apply_cpu, "per_applied_ms": 1000 * apply_cpu / max(1, report.applied)},
        # What the apply report says of itself (absent from reports of versions before these figures existed).
        "report": {k: v for k, v in report.to_dict().items() if k in ("plan_lookups", "in_run_retries", "ledger_commits", "dead_lettered")},
    }  # fmt: skip


async def sequential_loop(server: Served, scenario: Scenario, *, code_lookup: bool, workers: int = 1) -> dict[str, Any]:
    """One record at a time: GET the conversation, (GET the code,) POST the wrap-up; what forum answers do.
    ``workers`` > 1: that many such loops at once over the same records (the naive concurrent loop people write
    with a thread pool), sharing one client, so the transport is the same as ours."""
    table = load_mapping(scenario.mapping)
    options = ApplyOptions(historical=True)
    counts = {"applied": 0, "skipped": 0}
    before = server.stats()
    started = time.perf_counter()
    records = iter(_records(scenario, table))
    async with genesys_target(server.base_url, UNLIMITED).client() as client:

        async def loop() -> None:
            for _, _, record in records:  # one shared iterator: each record taken by one worker
                code = table.resolve(record).code if isinstance(record, Disposition) else None
                if not isinstance(record, Disposition) or code is None or not record.conversation_id:
                    counts["skipped"] += 1
                    continue
                conversation = await client.get_json(f"/api/v2/conversations/{record.conversation_id}")
                target = resolve_target(conversation, record)
                if isinstance(target, NoTarget):
                    counts["skipped"] += 1
                    continue
                if code_lookup:
                    await client.get_json(f"/api/v2/routing/wrapupcodes/{code.id}")
                method, path, body = wrapup_request(target, wrapup_body(code, record, options), "post")
                await client.request(method, path, json=body)
                counts["applied"] += 1

        await asyncio.gather(*(loop() for _ in range(workers)))
        sent = sum(client.sent.values())
    applied, skipped = counts["applied"], counts["skipped"]
    seconds = time.perf_counter() - started
    after = server.stats()
    return {
        "records": scenario.count,
        "applied": applied,
        "skipped": skipped,
        "calls": sent,
        "emulator_calls": api_requests(after) - api_requests(before),
        "seconds": seconds,
    }


# ------------------------------------------------------------------------------------------------ measurements
def transports_side_by_side(
    server: Served, scenario: Scenario, concurrency: int, batch_size: int, names: list[str], passes: int
) -> dict[str, Any]:
    """``replay plan`` + ``replay apply`` on each transport of ``names`` in turn, ``passes`` rounds (the order turned
    each round, the emulator reset before each run, a collection before each so no run pays for the last one's
    garbage); per transport the run whose apply took the least client CPU, and every run's CPU per write."""
    best: dict[str, dict[str, Any]] = {}
    runs: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(passes):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            server.reset()
            gc.collect()
            with using_transport(name):
                run = asyncio.run(our_replay(server, scenario, UNLIMITED, concurrency, batch_size))
            runs[name].append(run["client_cpu"]["per_applied_ms"])
            if name not in best or run["client_cpu"]["per_applied_ms"] < best[name]["client_cpu"]["per_applied_ms"]:
                best[name] = run
    return {"best": best, "cpu_per_applied_ms_by_run": runs, "passes": passes}


def cost_and_speed(
    folder: Path,
    records: int,
    concurrency: int,
    batch_size: int,
    transport: str | None = None,
    transport_passes: int = 3,
) -> dict[str, Any]:
    """(a) and (c): one emulator without a rate limit, reset before each contender so each starts clean.
    ``transport``: "lean" or "httpx" for every client here, "both" to run ours on each (``transports_side_by_side``;
    the lean run is then the "ours" of the other figures)."""
    scenario = write_scenario(folder / "cost", records, seed=records)
    single = None if transport == "both" else transport
    side_by_side = None
    with served(records, rate_limit=UNLIMITED) as server, using_transport(single):
        forum = asyncio.run(sequential_loop(server, scenario, code_lookup=True))
        server.reset()
        naive = asyncio.run(sequential_loop(server, scenario, code_lookup=False))
        server.reset()
        naive8 = asyncio.run(sequential_loop(server, scenario, code_lookup=False, workers=8))
        server.reset()
        if transport == "both":
            side_by_side = transports_side_by_side(
                server, scenario, concurrency, batch_size, ["httpx", "lean"], transport_passes
            )
            ours = side_by_side["best"]["lean"]
        else:
            ours = asyncio.run(our_replay(server, scenario, UNLIMITED, concurrency, batch_size))
        emulator_mib = vmhwm_mib(server.process.pid)
    ours_calls = ours["calls"]["plan"] + ours["calls"]["apply"]
    return {
        "transport": transport or "default",
        "transports": side_by_side,
        "ours": ours,
        "forum": forum,
        "naive": naive,
        "naive_8": naive8,
        "emulator_peak_rss_mib": emulator_mib,
        "calls_per_applied": {
            "ours": ours_calls / ours["applied"],
            "ours_by_emulator": (ours["emulator_calls"]["plan"] + ours["emulator_calls"]["apply"]) / ours["applied"],
            "forum": forum["calls"] / forum["applied"],
        },
        "per_second": {
            "ours_plan_and_apply": ours["applied"] / (ours["seconds"]["plan"] + ours["seconds"]["apply"]),
            "ours_apply": ours["applied"] / ours["seconds"]["apply"],
            "naive": naive["applied"] / naive["seconds"],
            "naive_8": naive8["applied"] / naive8["seconds"],
            "forum": forum["applied"] / forum["seconds"],
        },
    }


def rate_share(
    folder: Path, limit: int, window: float, seconds: float, concurrency: int, batch_size: int
) -> dict[str, Any]:
    """(b): the apply phase under a limit of ``limit`` requests per ``window`` seconds, told to the client too."""
    allowed_per_second = limit / window
    records = max(100, int(seconds * allowed_per_second / (1 + 1 / batch_size)))
    scenario = write_scenario(folder / "rate", records, seed=records)
    with served(records, rate_limit=limit, rate_window_seconds=window) as server:
        ours = asyncio.run(our_replay(server, scenario, allowed_per_second * 60, concurrency, batch_size))
    requests = ours["emulator_calls"]["apply"]
    achieved = requests / ours["seconds"]["apply"]
    return {
        "limit": limit,
        "window_seconds": window,
        "allowed_per_second": allowed_per_second,
        "records": records,
        "apply_requests": requests,
        "apply_seconds": ours["seconds"]["apply"],
        "achieved_per_second": achieved,
        "share": achieved / allowed_per_second,
        "emulator_429": ours["emulator_429"],
        "replay": ours,
    }  # fmt: skip


def under_faults(
    folder: Path, records: int, concurrency: int, batch_size: int, error_5xx: float, drop: float, seed: int
) -> dict[str, Any]:
    """(e): plan, then one apply run, against an emulator answering ``error_5xx`` of its calls 500/503 (no
    Retry-After) and dropping the connection of ``drop`` of them (half of those after applying the write); how
    many writes that one run leaves failed, whether any was written twice (the emulator's own write log), and what
    it cost in calls."""
    scenario = write_scenario(folder / "faults", records, seed=records + 1)
    faults = {"seed": seed, "error_5xx_ratio": error_5xx, "drop_ratio": drop, "drop_applied_ratio": 0.5}
    with served(records, rate_limit=UNLIMITED, faults=faults) as server:
        ours = asyncio.run(our_replay(server, scenario, UNLIMITED, concurrency, batch_size))
        writes = server.writes()
        stats = server.stats()
    per_participant: dict[tuple[str, str], int] = {}
    for write in writes:
        where = (write["conversation_id"], write["participant_id"])
        per_participant[where] = per_participant.get(where, 0) + 1
    failed = ours["outcomes"].get("failed", 0)
    return {
        "records": records,
        "faults": faults,
        "injected": stats.get("faults", {}),
        "applied": ours["applied"],
        "failed": failed,
        "failed_share": failed / records,
        "written_twice": sum(1 for n in per_participant.values() if n > 1),
        "participants_written": len(per_participant),
        "apply_calls_per_applied": ours["calls"]["apply"] / max(1, ours["applied"]),
        "apply_emulator_calls_per_applied": ours["emulator_calls"]["apply"] / max(1, ours["applied"]),
        "replay": ours,
    }


def _cli_peak(args: list[str], env: dict[str, str]) -> tuple[float, dict[str, Any], float]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", RSS_WRAPPER, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    peaks = [line.split()[2] for line in result.stderr.splitlines() if line.startswith("BENCH VmHWM:")]
    if result.returncode != 0 or not peaks:
        raise RuntimeError(f"wrapup-bridge {' '.join(args[:2])} failed ({result.returncode}): {result.stderr[-3000:]}")
    return int(peaks[0]) / 1024, json.loads(result.stdout.strip().splitlines()[-1]), seconds


def peak_rss(folder: Path, small: int, large: int) -> dict[str, Any]:
    """(d): ``replay plan`` and ``replay apply`` as the CLI runs them, each in its own process, small then large."""
    runs: dict[str, Any] = {}
    with served(large, rate_limit=UNLIMITED) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GENESYSCLOUD_")}
        env |= {"GENESYSCLOUD_OAUTHCLIENT_ID": CLIENT[0], "GENESYSCLOUD_OAUTHCLIENT_SECRET": CLIENT[1],
                "GENESYSCLOUD_API_BASE": server.base_url}  # fmt: skip
        for label, count in (("small", small), ("large", large)):
            server.reset()
            print(f"  (d) {count:,} records: plan + apply in their own processes ...", file=sys.stderr)
            scenario = write_scenario(folder / label, count, seed=count)
            plan_args = ["replay", "plan", "--mapping", str(scenario.mapping), "--out", str(scenario.plan),
                         "--target", "genesys", "--json", str(scenario.call_log)]  # fmt: skip
            plan_mib, summary, plan_seconds = _cli_peak(plan_args, env)
            apply_args = ["replay", "apply", str(scenario.plan), "--target", "genesys", "--json"]
            apply_mib, report, apply_seconds = _cli_peak(apply_args, env)
            runs[label] = {
                "records": count,
                "plan_peak_rss_mib": plan_mib,
                "apply_peak_rss_mib": apply_mib,
                "plan_seconds": plan_seconds,
                "apply_seconds": apply_seconds,
                "planned": summary["actions"],
                "outcomes": report["outcomes"],
                "plan_file_mib": scenario.plan.stat().st_size / 2**20,
            }
        emulator_mib = vmhwm_mib(server.process.pid)
    return {
        "runs": runs,
        "plan_growth": runs["large"]["plan_peak_rss_mib"] / runs["small"]["plan_peak_rss_mib"],
        "apply_growth": runs["large"]["apply_peak_rss_mib"] / runs["small"]["apply_peak_rss_mib"],
        "emulator_peak_rss_mib": emulator_mib,
    }


# ------------------------------------------------------------------------------------------------------ report
def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def print_results(results: dict[str, Any]) -> None:
    if "cost_and_speed" in results:
        r = results["cost_and_speed"]
        ours, forum, per = r["ours"], r["forum"], r["calls_per_applied"]
        calls = ours["calls"]
        print(
            f"(a) Genesys API calls per applied disposition, {ours['applied']:,} applied of {ours['records']:,} records:"
        )
        print(
            f"    ours (plan + apply): {per['ours']:.3f}  [plan {calls['plan']} + apply {calls['apply']} calls; "
            f"the emulator counted {per['ours_by_emulator']:.3f}; plus {ours['emulator_calls']['token_requests']} "
            f"token requests]"
        )
        print(
            f"    forum recipe (GET conversation + GET code + POST): {per['forum']:.3f}  [{forum['calls']} calls]"
            f"  -> target <= 1.05: {verdict(per['ours'] <= 1.05)}"
        )
        cpu = ours["client_cpu"]
        report = ours["report"]
        print(
            f"    client CPU per applied write (the apply phase's process CPU time / writes; the emulator runs in its "
            f"own process): {cpu['per_applied_ms']:.2f} ms [{cpu['apply_seconds']:.2f} s for {ours['applied']:,}; "
            f"ledger commits {report.get('ledger_commits', 'n/a')}; plan lookups {report.get('plan_lookups', 'n/a')}]"
            f"  -> target <= 1 ms: {verdict(cpu['per_applied_ms'] <= 1.0)}"
        )
        side = r.get("transports")
        if side:
            best = side["best"]
            httpx_ms = best["httpx"]["client_cpu"]["per_applied_ms"]
            lean_ms = best["lean"]["client_cpu"]["per_applied_ms"]
            print(
                f"    by HTTP transport (best of {side['passes']} interleaved runs each): httpx's own "
                f"{httpx_ms:.2f} ms CPU/write ({best['httpx']['seconds']['apply']:.2f} s apply), lean "
                f"{lean_ms:.2f} ms ({best['lean']['seconds']['apply']:.2f} s): httpx/lean = {httpx_ms / lean_ms:.2f}x"
                "  [every run, ms/write: "
                + "; ".join(
                    f"{n} " + ", ".join(f"{ms:.2f}" for ms in got)
                    for n, got in side["cpu_per_applied_ms_by_run"].items()
                )
                + "]"
            )
        apply_per = calls["apply"] / ours["applied"]
        print(
            f"    calls per applied write, clean run: {per['ours']:.3f} (plan + apply), apply alone {apply_per:.3f}"
            f"  -> target <= 1.025: {verdict(per['ours'] <= 1.025)}"
        )
        ps = r["per_second"]
        print(
            f"(c) dispositions/s, no rate limit: ours plan+apply {ps['ours_plan_and_apply']:,.0f}/s (apply alone "
            f"{ps['ours_apply']:,.0f}/s) vs naive sequential loop (GET conversation + POST) {ps['naive']:,.0f}/s "
            f"= {ps['ours_plan_and_apply'] / ps['naive']:.2f}x (forum recipe {ps['forum']:,.0f}/s); "
            f"vs the same loop 8 at a time {ps['naive_8']:,.0f}/s = {ps['ours_plan_and_apply'] / ps['naive_8']:.2f}x"
        )
    if "rate_share" in results:
        b = results["rate_share"]
        throttled = b["emulator_429"]["plan"] + b["emulator_429"]["apply"]
        print(
            f"(b) under {b['limit']} requests / {b['window_seconds']:g} s ({b['allowed_per_second']:.1f}/s allowed): "
            f"apply sent {b['apply_requests']:,} requests in {b['apply_seconds']:.1f} s = "
            f"{b['achieved_per_second']:.2f}/s = {b['share']:.1%} of the allowed rate; 429s from the emulator: "
            f"{throttled}  -> target >= 95% with no 429: {verdict(b['share'] >= 0.95 and throttled == 0)}"
        )
    if "faults" in results:
        e = results["faults"]
        retries = e["replay"]["report"].get("in_run_retries", "n/a (no in-run retries)")
        print(
            f"(e) one apply run of {e['records']:,} records under {e['faults']['error_5xx_ratio']:.0%} 5xx (no "
            f"Retry-After) and {e['faults']['drop_ratio']:.0%} dropped connections (injected {e['injected']}): "
            f"{e['applied']:,} applied, {e['failed']} failed ({e['failed_share']:.1%}), written twice: "
            f"{e['written_twice']}; calls per applied write in that run {e['apply_calls_per_applied']:.3f} (the "
            f"emulator counted {e['apply_emulator_calls_per_applied']:.3f}); in-run retries {retries}"
            f"  -> target 0 failed, none twice: {verdict(e['failed'] == 0 and e['written_twice'] == 0)}"
        )
    if "peak_rss" in results:
        d = results["peak_rss"]
        small, large = d["runs"]["small"], d["runs"]["large"]
        print(
            f"(d) peak RSS (VmHWM), {large['records']:,} vs {small['records']:,} records: "
            f"plan {large['plan_peak_rss_mib']:.1f} vs {small['plan_peak_rss_mib']:.1f} MiB "
            f"({d['plan_growth']:.2f}x), apply {large['apply_peak_rss_mib']:.1f} vs "
            f"{small['apply_peak_rss_mib']:.1f} MiB ({d['apply_growth']:.2f}x); emulator process "
            f"{d['emulator_peak_rss_mib']:.0f} MiB  -> flat (<= 1.10x): plan {verdict(d['plan_growth'] <= 1.10)}, "
            f"apply {verdict(d['apply_growth'] <= 1.10)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=2000, help="records for (a) and (c)")
    parser.add_argument("--rate-limit", type=int, default=600, help="(b): requests per window")
    parser.add_argument("--window", type=float, default=10.0, help="(b): rate-limit window in seconds")
    parser.add_argument("--rate-seconds", type=float, default=60.0, help="(b): about how long the apply should run")
    parser.add_argument("--rss-small", type=int, default=10_000)
    parser.add_argument("--rss-large", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=4, help="replay apply --concurrency (the CLI default)")
    parser.add_argument("--batch-size", type=int, default=50, help="analytics batch size (the CLI default)")
    parser.add_argument("--fault-records", type=int, default=2000, help="(e): records applied under faults")
    parser.add_argument("--error-5xx", type=float, default=0.05, help="(e): share of calls answered 500/503")
    parser.add_argument("--drop", type=float, default=0.02, help="(e): share of calls whose connection drops")
    parser.add_argument("--fault-seed", type=int, default=14, help="(e): the emulator's fault seed")
    parser.add_argument(
        "--transport",
        choices=("lean", "httpx", "both"),
        help="(a)+(c): the HTTP transport of every client (WRAPUP_BRIDGE_HTTP_TRANSPORT); both: (a) on each, compared",
    )
    parser.add_argument("--transport-passes", type=int, default=3, help="--transport both: runs of each transport")
    parser.add_argument("--only", default="abcde", help="which figures: any of a, b, c, d, e (a and c share a run)")
    parser.add_argument("--json", dest="json_out", help="write every figure and its inputs here")
    parser.add_argument("--_serve", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._serve:
        serve_forever(int(args._serve[0]), args._serve[1])
        return

    results: dict[str, Any] = {"command": " ".join([Path(sys.executable).name, *sys.argv])}
    with tempfile.TemporaryDirectory(prefix="replay-bench-") as tmp:
        folder = Path(tmp)
        if {"a", "c"} & set(args.only):
            print(f"(a)+(c): {args.records:,} records, forum recipe, naive loop, then ours ...", file=sys.stderr)
            results["cost_and_speed"] = cost_and_speed(
                folder, args.records, args.concurrency, args.batch_size, args.transport, args.transport_passes
            )
        if "b" in args.only:
            print(f"(b): about {args.rate_seconds:g} s under {args.rate_limit}/{args.window:g} s ...", file=sys.stderr)
            results["rate_share"] = rate_share(
                folder, args.rate_limit, args.window, args.rate_seconds, args.concurrency, args.batch_size
            )
        if "e" in args.only:
            print(f"(e): {args.fault_records:,} records under faults ...", file=sys.stderr)
            results["faults"] = under_faults(
                folder,
                args.fault_records,
                args.concurrency,
                args.batch_size,
                args.error_5xx,
                args.drop,
                args.fault_seed,
            )
        if "d" in args.only:
            print(f"(d): {args.rss_small:,} and {args.rss_large:,} records ...", file=sys.stderr)
            results["peak_rss"] = peak_rss(folder, args.rss_small, args.rss_large)
    print_results(results)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
