"""The HTTP transport under the Genesys client, side by side in one run: httpx's own, the lean one, aiohttp's.

    .venv/bin/python benchmarks/transport.py [--records 2000] [--passes 3] [--requests 2000] [--import-runs 7]
    PYTHONPATH=/tmp/aioprobe .venv/bin/python benchmarks/transport.py     # aiohttp too (see below)

Why: genesys/transport.py is hand-written HTTP/1.1; the team's rule is that a well-kept library wins unless the
hand-written code is measured to gain enough. This script measures that gain, every figure beside the others of
the same run (2 shared cores: CPU time and its ratios are the figures; wall time is shown, not trusted).

Contenders (each client built as users build it, the transport picked by WRAPUP_BRIDGE_HTTP_TRANSPORT):
  httpx    httpx's own transport (httpcore over h11 over anyio)
  lean     wrapup_bridge.genesys.transport.LeanTransport (asyncio streams)
  aiohttp  httpx_aiohttp.AiohttpTransport (aiohttp under httpx), only when ``httpx_aiohttp`` can be imported: it is
           no dependency of the project; to measure it, install it apart and put it on PYTHONPATH for this run only:
           ``.venv/bin/pip install --no-deps --target /tmp/aioprobe httpx-aiohttp`` (aiohttp itself must be
           importable too). Its clients are given the transport directly (the variable knows lean and httpx only).

Figures:
  1. ``replay plan`` + ``replay apply`` of --records generated records (benchmarks/replay.py (a)) on each
     transport, --passes rounds interleaved (the order turned each round, the emulator reset before each run):
     client CPU per applied write of the apply phase (best run of each), wall time, ratios against lean.
  2. --requests GETs of a conversation, 4 in flight, through one GenesysClient: client CPU per request (the
     transport's share without the replay's own work), same rounds.
  3. cold start, fresh processes, --import-runs each, median: ``import wrapup_bridge.genesys.http``, the transport
     built with its TLS context, one request over loopback, beside the same on httpx.MockTransport: the modules only
     the transport imports and their own import time (``python -X importtime``'s self column: robust on a busy
     machine) and the process CPU it adds (noisier), since the same client runs in serverless functions where cold
     start matters.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from replay import UNLIMITED, Served, our_replay, served, using_transport, variables  # noqa: E402

from tests.cli.replay_scenario import conversation_id, write_scenario  # noqa: E402

#: One request over loopback with one transport, in a fresh process; prints the process's CPU time. Every variant
#: imports the client's package first (wrapup_bridge.genesys.http imports transport.py whichever transport runs), so
#: the differences are the transport's own; each builds the TLS context an https request to Genesys needs (httpx's
#: and aiohttp's transports make theirs when built, the lean one at its first https connection: made here).
FIRST_REQUEST = """
import asyncio, time, httpx
import wrapup_bridge.genesys.http
{imports}
async def _serve(reader, writer):
    await reader.readuntil(b"\\r\\n\\r\\n")
    writer.write(b"HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nContent-Type: application/json\\r\\n\\r\\n{{}}")
    await writer.drain()
    writer.close()
async def _main():
    server = await asyncio.start_server(_serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with httpx.AsyncClient(transport={make}) as client:
        assert (await client.get(f"http://127.0.0.1:{{port}}/")).json() == {{}}
    server.close()
asyncio.run(_main())
print("CPU", time.process_time())
"""
#: name -> (imports, transport expression) of FIRST_REQUEST.
FIRST_REQUESTS = {
    "baseline": ("", "httpx.MockTransport(lambda request: httpx.Response(200, json={}))"),
    "httpx": ("", "httpx.AsyncHTTPTransport()"),
    "lean": (
        "from wrapup_bridge.genesys.transport import LeanTransport",
        "LeanTransport(ssl_context=httpx.create_ssl_context())",
    ),
    "aiohttp": ("from httpx_aiohttp import AiohttpTransport", "AiohttpTransport()"),
}


def aiohttp_available() -> bool:
    return importlib.util.find_spec("httpx_aiohttp") is not None and importlib.util.find_spec("aiohttp") is not None


@contextlib.contextmanager
def contender(name: str) -> Iterator[None]:
    """Clients built inside use ``name``'s transport: lean and httpx through WRAPUP_BRIDGE_HTTP_TRANSPORT, as a user
    picks them; aiohttp by standing in for the client's default transport (benchmark only)."""
    if name != "aiohttp":
        with using_transport(name):
            yield
        return
    from httpx_aiohttp import AiohttpTransport

    from wrapup_bridge.genesys import http

    chosen = http.default_transport
    http.default_transport = lambda *_, **__: AiohttpTransport()  # type: ignore[assignment,return-value]
    try:
        yield
    finally:
        http.default_transport = chosen


async def get_loop(base_url: str, requests: int, conversations: int) -> tuple[float, float]:
    """``requests`` GETs of conversations, 4 in flight, through one GenesysClient: (CPU seconds, wall seconds)."""
    from wrapup_bridge.genesys.http import GenesysClient

    settings = variables(base_url).genesys(budget=60.0, rate_per_minute=UNLIMITED)
    async with GenesysClient(settings) as client:
        await client.get_json(f"/api/v2/conversations/{conversation_id(1)}")  # token and first connection
        in_flight = asyncio.Semaphore(4)

        async def one(n: int) -> None:
            async with in_flight:
                await client.get_json(f"/api/v2/conversations/{conversation_id(1 + n % conversations)}")

        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(requests)))
        return time.process_time() - cpu, time.perf_counter() - wall


def side_by_side(
    folder: Path, names: list[str], records: int, passes: int, requests: int, concurrency: int, batch_size: int
) -> dict[str, Any]:
    scenario = write_scenario(folder / "transport", records, seed=records)
    replays: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    gets: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    with served(records, rate_limit=UNLIMITED) as server:
        for round_ in range(passes):
            shift = round_ % len(names)
            for name in names[shift:] + names[:shift]:
                print(f"  round {round_ + 1}/{passes}: {name} ...", file=sys.stderr)
                replays[name].append(one_replay(server, scenario, name, concurrency, batch_size))
                if requests:
                    gc.collect()
                    with contender(name):
                        gets[name].append(asyncio.run(get_loop(server.base_url, requests, records)))
    return {"replays": replays, "gets": gets, "records": records, "requests": requests, "passes": passes}


def one_replay(server: Served, scenario: Any, name: str, concurrency: int, batch_size: int) -> dict[str, Any]:
    server.reset()
    gc.collect()
    with contender(name):
        run = asyncio.run(our_replay(server, scenario, UNLIMITED, concurrency, batch_size))
    if run["outcomes"].get("failed") or run["applied"] != scenario.count:
        raise RuntimeError(f"{name}: the apply did not write every record: {run['outcomes']}")
    return {
        "cpu_ms_per_write": run["client_cpu"]["per_applied_ms"],
        "apply_seconds": run["seconds"]["apply"],
        "applied": run["applied"],
        "apply_calls": run["calls"]["apply"],
    }


def _imported(script: str, env: dict[str, str]) -> tuple[dict[str, int], float]:
    """The modules a fresh process running ``script`` imported, each with its own import time (µs, ``-X
    importtime``'s self column), and the CPU seconds the script printed."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", script], env=env, capture_output=True, text=True, check=True
    )
    modules: dict[str, int] = {}
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            own, _, name = line.removeprefix("import time:").split("|")
            if own.strip().isdigit():  # the first line is the column titles
                modules[name.strip()] = int(own)
    return modules, float(result.stdout.split()[-1])


def import_costs(names: list[str], runs: int) -> dict[str, dict[str, float]]:
    """Per contender, median over ``runs`` fresh processes (interleaved) of FIRST_REQUEST: the modules it imports
    that the baseline (httpx.MockTransport) does not, their own import time added up (ms: the other modules' times
    are the same work, and only add noise on a shared machine), and the process's CPU time (ms)."""
    samples: dict[str, dict[str, list[float]]] = {n: {"own_import_ms": [], "cpu_ms": [], "modules": []} for n in names}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop("WRAPUP_BRIDGE_HTTP_TRANSPORT", None)
    baseline = set(_imported(FIRST_REQUEST.format(imports="", make=FIRST_REQUESTS["baseline"][1]), env)[0])
    for _ in range(runs):
        for name in names:
            imports, make = FIRST_REQUESTS[name]
            modules, cpu = _imported(FIRST_REQUEST.format(imports=imports, make=make), env)
            extra = {module: us for module, us in modules.items() if module not in baseline}
            samples[name]["own_import_ms"].append(sum(extra.values()) / 1000)
            samples[name]["modules"].append(len(modules))
            samples[name]["cpu_ms"].append(1000 * cpu)
    return {name: {key: statistics.median(values) for key, values in got.items()} for name, got in samples.items()}


def report(results: dict[str, Any]) -> None:
    print(f"command: {results['command']}")
    names = results["contenders"]
    runs = results["side_by_side"]
    if runs:
        side_by_side_report(runs, names)
    imports_report(results.get("imports"), names)


def side_by_side_report(runs: dict[str, Any], names: list[str]) -> None:
    print(
        f"1. replay plan + apply, {runs['records']:,} records, client CPU per applied write of the apply phase "
        f"(best of {runs['passes']} interleaved runs; every run in brackets), apply wall time of that run:"
    )
    best = {name: min(got, key=lambda run: run["cpu_ms_per_write"]) for name, got in runs["replays"].items()}
    lean = best.get("lean", next(iter(best.values())))["cpu_ms_per_write"]
    for name in names:
        each = ", ".join(f"{run['cpu_ms_per_write']:.3f}" for run in runs["replays"][name])
        print(
            f"   {name:<8} {best[name]['cpu_ms_per_write']:.3f} ms/write ({best[name]['cpu_ms_per_write'] / lean:.2f}x"
            f" lean) [{each}]  wall {best[name]['apply_seconds']:.2f} s, {best[name]['apply_calls']} calls"
        )
    if runs["requests"]:
        print(f"2. {runs['requests']:,} GETs, 4 in flight, one GenesysClient: client CPU per request (best of rounds):")
        per = {name: min(cpu for cpu, _ in got) * 1000 / runs["requests"] for name, got in runs["gets"].items()}
        walls = {name: min(wall for _, wall in got) for name, got in runs["gets"].items()}
        for name in names:
            print(
                f"   {name:<8} {per[name]:.3f} ms/request ({per[name] / per.get('lean', per[name]):.2f}x lean), "
                f"wall {walls[name]:.2f} s"
            )


def imports_report(costs: dict[str, dict[str, float]] | None, names: list[str]) -> None:
    if costs:
        base = costs["baseline"]
        print(
            "3. cold start, fresh processes, median: import wrapup_bridge.genesys.http, build the transport and its "
            "TLS context, send one loopback request; beside the same with httpx.MockTransport (baseline "
            f"{base['cpu_ms']:.1f} ms process CPU, {base['modules']:.0f} modules): the modules only the transport "
            "imports and their own import time, and the process CPU it adds:"
        )
        for name in names:
            got = costs[name]
            print(
                f"   {name:<8} +{got['modules'] - base['modules']:.0f} modules, {got['own_import_ms']:.1f} ms importing "
                f"them; +{got['cpu_ms'] - base['cpu_ms']:.1f} ms process CPU"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument(
        "--passes", type=int, default=3, help="interleaved rounds; the best run of each is shown (0: figure 3 only)"
    )
    parser.add_argument("--requests", type=int, default=2000, help="figure 2's GETs per round (0: skip it)")
    parser.add_argument("--import-runs", type=int, default=7, help="figure 3's processes per contender (0: skip)")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--without", action="append", default=[], help="leave a contender out (httpx, lean, aiohttp)")
    parser.add_argument("--json", dest="json_out", help="write every figure here")
    args = parser.parse_args()
    names = [n for n in ("httpx", "lean", *(["aiohttp"] if aiohttp_available() else [])) if n not in args.without]
    if "aiohttp" not in names and "aiohttp" not in args.without:
        print("aiohttp: httpx_aiohttp is not importable; measuring httpx and lean only", file=sys.stderr)
    results: dict[str, Any] = {"command": " ".join([Path(sys.executable).name, *sys.argv]), "contenders": names}
    if os.environ.get("PYTHONPATH"):
        results["command"] = f"PYTHONPATH={os.environ['PYTHONPATH']} {results['command']}"
    if args.import_runs:
        print("  import costs ...", file=sys.stderr)
        results["imports"] = import_costs(["baseline", *names], args.import_runs)
    with tempfile.TemporaryDirectory(prefix="transport-bench-") as tmp:
        results["side_by_side"] = args.passes and side_by_side(
            Path(tmp), names, args.records, args.passes, args.requests, args.concurrency, args.batch_size
        )
    report(results)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
