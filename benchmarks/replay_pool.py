"""A replay with a pool of OAuth clients against per-token rate limits: wall time with 1, 2 and 4 clients.

    .venv/bin/python benchmarks/replay_pool.py [--records 20000] [--clients 1,2,4] [--limit 500] [--window 10]
                                               [--concurrency 4] [--fresh-for 0] [--json out.json]
                                               [--org-limit N [--org-headers token|org]]

Genesys limits each client-credentials token (300 requests per minute by default, reference §6.3); a pool of OAuth
clients (genesys/pool.py) gives a replay one budget per client. This measures ``replay apply`` of one plan of
``--records`` writes (the replay service, as the CLI calls it) with pools of 1, 2 and 4 clients against an emulator
that limits every token to ``--limit`` requests per ``--window`` seconds (scaled from Genesys's 300 per 60 s so a
run takes minutes; the clients are told the same rate) and has no org-wide limit:

  wall-time ratio of k clients to one client      (target: 4 clients >= 3.6x one client)
  429s the emulator answered                      (target: 0)
  writes in the emulator's write log              (target: every planned write exactly once)
  each client's share of the requests             (from the pool's report and from the emulator's per-client counts)

With ``--org-limit N`` the emulator also limits the whole org to N requests per ``--window`` (its
``org_rate_limit``; ``--org-headers``: what that limit's 429s show, the token's own headers or the org window's), a
limit the pool is not told: it learns it from the first 429s and must then meet none (``429s after learning``: those
answered after the pause the first one asked for), at about the org's rate (``cap``: the ceiling it learned, per
minute). The speedup targets do not apply then: the org's limit, not the clients', sets the pace.

The emulator runs in its own process (``benchmarks/replay.py``'s listener, TCP_NODELAY), serving the generated
scenario of tests/cli/replay_scenario.py with four OAuth clients; it is reset before each run, and each run applies
the same plan with a fresh ledger, re-reading each batch's targets (``--fresh-for 0``: the same calls in every run).
Apply's concurrency is ``--concurrency`` per client, as ``replay apply`` sets it. The client needs CPU for every
request (about 2 ms): with 4 clients at the default limit that is about half a core, so run it on a quiet machine
(``cpu c/e``: the client's and the emulator's CPU seconds per run; a lower ``--limit`` needs less).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.cli.replay_scenario import Scenario, pool_clients, write_scenario  # noqa: E402
from wrapup_bridge.adapters import AdapterOptions  # noqa: E402
from wrapup_bridge.core.mapping import load_mapping  # noqa: E402
from wrapup_bridge.core.replay.plan import read_plan  # noqa: E402
from wrapup_bridge.genesys.http import GenesysClient  # noqa: E402
from wrapup_bridge.genesys.pool import ClientPool, pool_usage  # noqa: E402
from wrapup_bridge.genesys.ratelimit import RateLimiter  # noqa: E402
from wrapup_bridge.services.replay import (  # noqa: E402
    PlanOptions,
    ReplayPaths,
    apply_from_plan,
    plan_from_records,
    source_records,
)
from wrapup_bridge.services.settings import Settings  # noqa: E402
from wrapup_bridge.services.target import connect  # noqa: E402

PLAN_OPTIONS = PlanOptions(overwrite=False, historical=True, allowed_check="queue", budget=60.0)
MAX_CLIENTS = 4


# ------------------------------------------------------------------------------------------- the emulator process
def serve_forever(count: int, clients: int, config_json: str) -> None:
    """The emulator process: the scenario's org with ``clients`` OAuth clients; prints its base URL, serves until
    SIGINT."""
    from benchmarks.replay import _listen
    from tests.cli.replay_scenario import make_org
    from wrapup_bridge.emulator import Emulator, EmulatorConfig

    emulator = Emulator(make_org(count, clients), EmulatorConfig.model_validate_json(config_json))
    sock, base_url = _listen()
    print(base_url, flush=True)
    emulator.run(sock)


@dataclass
class Served:
    base_url: str
    pid: int

    def cpu_seconds(self) -> float:
        """The emulator process's CPU time so far (user + system)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text(encoding="ascii").rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def get(self, what: str) -> dict[str, Any]:
        data: dict[str, Any] = httpx.get(f"{self.base_url}/_emulator/{what}", timeout=120).json()
        return data

    def reset(self) -> None:
        httpx.post(f"{self.base_url}/_emulator/reset", timeout=600).raise_for_status()


@contextlib.contextmanager
def served(count: int, clients: int, **config: Any) -> Iterator[Served]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--_serve", str(count), str(clients), json.dumps(config)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("http://"):
            raise RuntimeError(f"the emulator process did not start (exit code {process.poll()})")
        yield Served(line, process.pid)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ----------------------------------------------------------------------------------------------------- the runs
def variables(base_url: str, clients: int) -> Settings:
    """The emulator pointed at as Genesys would be, with a pool of ``clients`` in the numbered variables."""
    env = {"GENESYSCLOUD_API_BASE": base_url}
    for n, (client_id, secret) in enumerate(pool_clients(clients), start=1):
        suffix = "" if n == 1 else f"_{n}"
        env[f"GENESYSCLOUD_OAUTHCLIENT_ID{suffix}"] = client_id
        env[f"GENESYSCLOUD_OAUTHCLIENT_SECRET{suffix}"] = secret
    return Settings.from_env(env)


async def make_plan(server: Served, scenario: Scenario, rate_per_minute: float) -> None:
    table = load_mapping(scenario.mapping)
    options = AdapterOptions(conversation_id_field=table.source.conversation_id, format=table.source.format)
    async with connect(
        "genesys", settings=variables(server.base_url, MAX_CLIENTS), budget=60.0, pool=True,
        rate_per_minute=rate_per_minute,
    ) as connection:  # fmt: skip
        await plan_from_records(
            source_records("five9", options, (str(scenario.call_log),)),
            table=table,
            connection=connection,
            out=scenario.plan,
            source="five9",
            inputs=(str(scenario.call_log),),
            options=PLAN_OPTIONS,
        )


@dataclass
class Refused:
    """When the pool's clients were answered 429, and when the pause the first one asked for ended."""

    at: list[float]
    first_pause_end: float | None = None

    def after_learning(self) -> int:
        """429s answered after the first pause: what the pool met once it had learned from the first."""
        end = self.first_pause_end
        return 0 if end is None else sum(t > end for t in self.at)


def watch_429s(client: GenesysClient) -> Refused:
    """Record every 429 each member of ``client`` (a pool, or a plain client) is answered."""
    refused = Refused([])
    members = client.members if isinstance(client, ClientPool) else (client,)
    for member in members:
        limiter = member.limiter
        observe = limiter.observe

        def observed(
            status: int,
            headers: Any,
            retry_after: float | None = None,
            limiter: RateLimiter = limiter,
            observe: Any = observe,
        ) -> None:
            observe(status, headers, retry_after)
            if status == 429:
                now = limiter.clock.monotonic()
                refused.at.append(now)
                if refused.first_pause_end is None:
                    refused.first_pause_end = max(now, limiter.cap.paused_until)

        limiter.observe = observed  # type: ignore[method-assign]
    return refused


async def apply_with(
    server: Served, scenario: Scenario, clients: int, rate_per_minute: float, concurrency: int, fresh_for: float
) -> dict[str, Any]:
    """``replay apply`` of the scenario's plan with a pool of ``clients``, on a reset emulator and a fresh ledger."""
    paths = ReplayPaths.beside(scenario.plan)
    for stale in (paths.ledger, paths.dead_letters):
        stale.unlink(missing_ok=True)
    server.reset()
    emulator_cpu = server.cpu_seconds()
    cpu = time.process_time()
    started = time.perf_counter()
    async with connect(
        "genesys", settings=variables(server.base_url, clients), budget=60.0, pool=True,
        rate_per_minute=rate_per_minute,
    ) as connection:  # fmt: skip
        refused = watch_429s(connection.client)
        _, report = await apply_from_plan(
            paths, connection, concurrency=concurrency * connection.pool_size, fresh_for=fresh_for
        )
        pool = pool_usage(connection.client)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    emulator_cpu = server.cpu_seconds() - emulator_cpu
    stats = server.get("stats")
    writes = server.get("writes")["writes"]
    report_pool = report.pool.to_dict() if report.pool is not None else None
    return {
        "clients": clients,
        "seconds": seconds,
        "client_cpu_seconds": round(cpu, 2),
        "emulator_cpu_seconds": round(emulator_cpu, 2),
        "applied": report.applied,
        "outcomes": dict(report.outcomes),
        "api_requests": sum(v for k, v in report.calls.items() if " " in k),
        "calls": report.calls,
        "emulator_429": stats["rate_limited"],
        "429_after_learning": refused.after_learning(),
        "emulator_by_client": {c: u["requests"] for c, u in stats["clients"].items()},
        "pool": pool,
        "library_report_pool": report_pool,
        "writes": writes,
    }


def exactly_once(plan: Path, writes: list[dict[str, Any]]) -> dict[str, int]:
    """The planned writes against the emulator's write log: how many are missing, written twice, or unplanned."""
    _, items, _ = read_plan(plan)
    planned: Counter[tuple[str, str, str]] = Counter()
    for item in items:
        if item.action.writes and item.target is not None and item.decision and item.decision.code:
            planned[(item.target.conversation_id, item.target.participant_id, item.decision.code.id)] += 1
    seen = Counter((w["conversation_id"], w["participant_id"], w["code_id"] or "") for w in writes)
    return {
        "planned": sum(planned.values()),
        "written": len(writes),
        "missing": sum((planned - seen).values()),
        "twice": sum(n - 1 for n in seen.values() if n > 1),
        "unplanned": sum((seen - planned).values()),
    }


# ---------------------------------------------------------------------------------------------------- reporting
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--clients", default="1,2,4", help="pool sizes to run, comma-separated (at most 4)")
    parser.add_argument("--limit", type=int, default=500, help="requests per token per window")
    parser.add_argument("--window", type=float, default=10.0, help="the rate window, seconds")
    parser.add_argument("--concurrency", type=int, default=4, help="writes in flight per client")
    parser.add_argument(
        "--fresh-for",
        type=float,
        default=0.0,
        help="replay apply --fresh-for: 0 (the default here) re-reads the targets of every batch, so every run makes "
        "the same calls however old the plan is by then",
    )
    parser.add_argument(
        "--org-limit", type=int, default=None, help="requests per window for the whole org (default: no org limit)"
    )
    parser.add_argument(
        "--org-headers",
        choices=("token", "org"),
        default="token",
        help="what the org limit's 429s show: the token's own headers (budget left) or the org window's",
    )
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument("--_serve", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._serve:
        serve_forever(int(args._serve[0]), int(args._serve[1]), args._serve[2])
        return
    sizes = [int(part) for part in args.clients.split(",")]
    if not sizes or min(sizes) < 1 or max(sizes) > MAX_CLIENTS:
        parser.error(f"--clients: pool sizes from 1 to {MAX_CLIENTS}")
    rate_per_minute = args.limit / args.window * 60
    config: dict[str, Any] = {"rate_limit": args.limit, "rate_window_seconds": args.window}
    if args.org_limit is not None:
        config.update(
            org_rate_limit=args.org_limit, org_rate_window_seconds=args.window, org_rate_limit_headers=args.org_headers
        )
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="replay-pool-") as folder:
        scenario = write_scenario(Path(folder), args.records, seed=args.records)
        with served(args.records, MAX_CLIENTS, **config) as server:
            started = time.perf_counter()
            asyncio.run(make_plan(server, scenario, rate_per_minute))
            plan_seconds = time.perf_counter() - started
            for clients in sizes:
                run = asyncio.run(
                    apply_with(server, scenario, clients, rate_per_minute, args.concurrency, args.fresh_for)
                )
                run["exactly_once"] = exactly_once(scenario.plan, run.pop("writes"))
                runs.append(run)
                _print_run(run, args.records)
    base = next((r["seconds"] for r in runs if r["clients"] == 1), None)
    for run in runs:
        run["speedup_vs_one"] = round(base / run["seconds"], 3) if base else None
    summary = {
        "command": " ".join([".venv/bin/python", "benchmarks/replay_pool.py", *sys.argv[1:]]),
        "records": args.records,
        "limit_per_token": f"{args.limit} per {args.window:g} s",
        "org_limit": f"{args.org_limit} per {args.window:g} s, 429s show {args.org_headers} headers"
        if args.org_limit is not None
        else None,
        "concurrency_per_client": args.concurrency,
        "plan_seconds": round(plan_seconds, 1),
        "runs": runs,
    }
    print()
    org = args.org_limit is not None
    extra = f" {'after learning':>14} {'cap/min':>8}" if org else ""
    print(f"{'clients':>7} {'seconds':>8} {'x one':>6} {'429s':>5}{extra} {'exactly once':>13} {'cpu c/e':>11}  shares")
    for run in runs:
        once = run["exactly_once"]
        ok = once["missing"] == once["twice"] == once["unplanned"] == 0 and once["written"] == once["planned"]
        shares = ", ".join(f"{c['share']:.0%}" for c in (run["pool"] or {"clients": []})["clients"])
        throttled = run["emulator_429"]["token"] + run["emulator_429"]["org"]
        if org:
            cap = (run["pool"] or {"org_rate": {}})["org_rate"].get("per_minute_now")
            extra = f" {run['429_after_learning']:>14} {cap or 0:>8.0f}"
        print(
            f"{run['clients']:>7} {run['seconds']:>8.1f} {run['speedup_vs_one'] or 0:>6.2f} {throttled:>5}{extra} "
            f"{'yes' if ok else 'NO':>13} {run['client_cpu_seconds']:>5.0f}/{run['emulator_cpu_seconds']:<5.0f}  {shares}"
        )
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2), encoding="utf-8")


def _print_run(run: dict[str, Any], records: int) -> None:
    once = run["exactly_once"]
    print(
        f"{run['clients']} client(s): {run['seconds']:.1f} s, {run['applied']} applied of {records}, "
        f"{run['api_requests']} requests, 429s {run['emulator_429']}, by client {run['emulator_by_client']}, "
        f"writes {once}",
        flush=True,
    )


if __name__ == "__main__":
    main()
