"""Live-path costs, each beside its baseline from the same run.

    .venv/bin/python benchmarks/live.py [--runs 9] [--applies 2000] [--clients 200] [--duration 30] [--json FILE]

What it measures (targets from DESIGN.md and issues 6 and 14):
  1. cold start, in fresh processes: ``import wrapup_bridge`` + building a Bridge from the environment (pointing
     at an emulator URL, with mappings/twilio-flex.yaml), against ``import PureCloudPlatformClientV2``; time and
     peak RSS                                                        (target: < 10% of the SDK's time)
     Also shown: the same plus a first apply over loopback (token, catalog, conversation, queue codes, write).
     Each side is timed inside its child from just before its first import (interpreter start-up excluded on
     both), as CPU time (``process_time``: what the code costs; other work on a busy machine delays a process
     without adding to it) and wall time. --runs rounds, each starting every kind of child once, in an order
     that rotates from round to round (none always runs right after the SDK's big import); a side's figure is
     its best of the rounds (``timeit``'s rule: noise only ever adds time), its median shown beside it. The
     ratio judged is best CPU time over best CPU time; the wall-clock ratio, best and median, is shown too.
     The package is byte-compiled first, as an install leaves it and as the SDK's is (PYTHONDONTWRITEBYTECODE
     would otherwise make every child compile each module edited since its last import).
  2. in-process overhead of Bridge.apply against the in-process emulator: the time of apply minus the time the
     emulator spends serving its requests (measured at the transport), per apply (median, p90, p99; and the CPU
     time, which a busy machine inflates less than the wall clock): the sink alone (baseline), the bridge without
     an outbox, and with one on disk and on tmpfs, where the outbox's two calls (accept: the durable commit, one
     fsync; settle) are timed too and the overhead is also given without them   (target: < 1 ms without the outbox)
     Two records for one conversation are applied in turn with overwrite on, so every apply writes without the
     emulator being reset in between (a reset copies the org afresh: its garbage and cold caches cost the client
     about half a millisecond per apply on a 2-core machine, none of it the client's).
  3. webhook latency under bounded loopback load: the emulator and ``uvicorn`` + the webhook app each in their own
     process, --clients concurrent clients posting signed TaskRouter callbacks for --duration seconds (at most
     --max-requests), every one a real write (overwrite on); after a one-client warm-up phase (unloaded latency).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ORG = ROOT / "examples" / "demo-org.yaml"
MAPPING = ROOT / "mappings" / "twilio-flex.yaml"
TWILIO_TOKEN = "benchmark-twilio-token"
SUPPORT_VOICE = list(range(21, 31))  # demo conversations on the Support queue, voice

#: Peak RSS of this process: VmHWM (reset by exec, unlike ru_maxrss, which keeps the forking parent's size).
PEAK_RSS = """
def peak_rss_kb():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""
OURS = (
    PEAK_RSS
    + """
import json, sys, time
t0, c0 = time.perf_counter(), time.process_time()
import wrapup_bridge
bridge = wrapup_bridge.Bridge.from_env(sys.argv[1])
t1, c1 = time.perf_counter(), time.process_time()
result = {"build_s": t1 - t0, "build_cpu_s": c1 - c0}
if len(sys.argv) > 2:
    outcome = bridge.apply_event("twilio", json.loads(sys.argv[2]))
    assert outcome.kind.value == "applied", outcome.reason
    result["first_apply_s"] = time.perf_counter() - t0
    result["first_apply_cpu_s"] = time.process_time() - c0
result["rss_kb"] = peak_rss_kb()
print(json.dumps(result))
"""
)
SDK = (
    PEAK_RSS
    + """
import json, time
t0, c0 = time.perf_counter(), time.process_time()
import PureCloudPlatformClientV2
t1, c1 = time.perf_counter(), time.process_time()
print(json.dumps({"build_s": t1 - t0, "build_cpu_s": c1 - c0, "rss_kb": peak_rss_kb()}))
"""
)
NOTHING = (
    PEAK_RSS
    + """
import json
print(json.dumps({"build_s": 0.0, "build_cpu_s": 0.0, "rss_kb": peak_rss_kb()}))
"""
)


def cid(n: int) -> str:
    return f"c0ffee00-0000-4000-8000-0000000000{n:02d}"


def attributes(n: int, outcome: str = "Resolved", sid: str | None = None) -> dict[str, Any]:
    return {
        "taskSid": sid or f"WTc0ffee000000400080000000000000{n:02d}",
        "genesys_conversation_id": cid(n),
        "conversations": {"outcome": outcome, "queue": "Support"},
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def emulator_env(base_url: str) -> dict[str, str]:
    return {
        "GENESYSCLOUD_OAUTHCLIENT_ID": "demo-client",
        "GENESYSCLOUD_OAUTHCLIENT_SECRET": "demo-secret",
        "GENESYSCLOUD_API_BASE": base_url,
        "GENESYSCLOUD_LOGIN_BASE": base_url,
    }


@contextmanager
def serve_in_thread(app: Any) -> Iterator[str]:
    """``app`` under uvicorn in a thread, on a socket with TCP_NODELAY (``Emulator.serve`` lacks it: each answer
    would wait ~40 ms for a delayed ACK, see ``genesys.emulator.handle.bind``); yields the base URL."""
    import threading

    import uvicorn

    from wrapup_bridge.emulator.handle import bind

    sock, url = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.01)
        yield url
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


# -- 1. cold start ------------------------------------------------------------------------------------------------
def _child(code: str, args: list[str], env: dict[str, str]) -> dict[str, Any]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"child failed: {result.stderr.strip()[-2000:]}")
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    data["process_s"] = time.perf_counter() - started
    return data


def cold_start(runs: int) -> dict[str, Any]:
    import compileall
    import re

    from wrapup_bridge.emulator import Emulator, EmulatorConfig

    # Byte-compiled first, as an install leaves the package (and as the SDK's is): with PYTHONDONTWRITEBYTECODE set,
    # or a module edited since it was last imported, every child would compile it again.
    compileall.compile_dir(ROOT / "wrapup_bridge", quiet=1, rx=re.compile(r"[/\\]data[/\\]"))

    emulator = Emulator.from_file(ORG, EmulatorConfig(rate_limit=None))
    has_sdk = importlib.util.find_spec("PureCloudPlatformClientV2") is not None
    samples: dict[str, list[dict[str, Any]]] = {"ours": [], "ours_first_apply": [], "sdk": [], "python": []}
    with serve_in_thread(emulator.app) as base_url, tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, **emulator_env(base_url), "WRAPUP_BRIDGE_OUTBOX": str(Path(tmp) / "outbox.sqlite")}
        children: list[tuple[str, Callable[[], dict[str, Any]]]] = [
            ("python", lambda: _child(NOTHING, [], env)),
            ("ours", lambda: _child(OURS, [str(MAPPING)], env)),
            ("ours_first_apply", lambda: _child(OURS, [str(MAPPING), json.dumps(attributes(21))], env)),
        ]
        if has_sdk:
            children.append(("sdk", lambda: _child(SDK, [], env)))
        for run in range(runs):
            print(f"  cold start run {run + 1}/{runs}", file=sys.stderr)
            shift = run % len(children)  # each kind of child in each place of the order, in turn
            for kind, start in children[shift:] + children[:shift]:
                if kind == "ours_first_apply":
                    emulator.reset()  # the first apply writes: a fresh org each time
                samples[kind].append(start())

    def summary(items: list[dict[str, Any]], key: str = "build_s") -> dict[str, float] | None:
        if not items:
            return None
        cpu_key = key.replace("_s", "_cpu_s")
        return {
            "median_s": statistics.median(i[key] for i in items),
            "min_s": min(i[key] for i in items),
            "max_s": max(i[key] for i in items),
            "median_cpu_s": statistics.median(i[cpu_key] for i in items),
            "min_cpu_s": min(i[cpu_key] for i in items),
            "max_cpu_s": max(i[cpu_key] for i in items),
            "median_process_s": statistics.median(i["process_s"] for i in items),
            "median_peak_rss_mb": statistics.median(i["rss_kb"] for i in items) / 1024,
        }

    result: dict[str, Any] = {
        "runs": runs,
        "python": summary(samples["python"]),
        "ours": summary(samples["ours"]),
        "ours_first_apply": summary(samples["ours_first_apply"], "first_apply_s"),
        "sdk": summary(samples["sdk"]),
        "samples": samples,
    }
    ours, sdk = result["ours"], result["sdk"]
    if sdk and ours:
        # The figure judged: best CPU time over best CPU time. The others are shown beside it.
        result["ours_vs_sdk_time"] = ours["min_cpu_s"] / sdk["min_cpu_s"]
        result["ours_vs_sdk_wall_best"] = ours["min_s"] / sdk["min_s"]
        result["ours_vs_sdk_wall_median"] = ours["median_s"] / sdk["median_s"]
    return result


# -- 2. in-process overhead ---------------------------------------------------------------------------------------
def overhead(applies: int) -> dict[str, Any]:
    import httpx
    from pydantic import SecretStr

    from wrapup_bridge.core.disposition import Disposition
    from wrapup_bridge.core.outcome import OutcomeKind
    from wrapup_bridge.emulator import Emulator, EmulatorConfig
    from wrapup_bridge.genesys.http import GenesysClient
    from wrapup_bridge.genesys.ratelimit import RateLimiter
    from wrapup_bridge.genesys.regions import resolve_region
    from wrapup_bridge.genesys.settings import GenesysSettings
    from wrapup_bridge.genesys.sink import ApplyOptions
    from wrapup_bridge.live import Bridge

    class Meter:
        """Wall and CPU time (``process_time``: every thread of this process) spent inside what it wraps, summed
        since the last take()."""

        def __init__(self) -> None:
            self.wall = self.cpu = 0.0
            self.calls = 0

        @contextmanager
        def timing(self) -> Iterator[None]:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                yield
            finally:
                self.wall += time.perf_counter() - wall
                self.cpu += time.process_time() - cpu
                self.calls += 1

        def take(self) -> tuple[float, float, int]:
            taken = self.wall, self.cpu, self.calls
            self.wall = self.cpu = 0.0
            self.calls = 0
            return taken

    class TimedTransport(httpx.AsyncBaseTransport):
        """Time spent inside the emulator (ASGI app and its in-process transport)."""

        def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
            self.inner = inner
            self.meter = Meter()

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            with self.meter.timing():
                response = await self.inner.handle_async_request(request)
                await response.aread()
                return response

    # Two records for one conversation, applied in turn with overwrite on: every apply is a real write (a GET and a
    # POST) without resetting the emulator in between, whose fresh copy of the org would put its garbage and its
    # cold caches on the client's time (half a millisecond per apply on the 2-core benchmark machine).
    records = [
        Disposition(source="twilio", source_id="WT1", conversation_id=cid(21), code="Resolved"),
        Disposition(source="twilio", source_id="WT2", conversation_id=cid(21), code="Not Resolved"),
    ]
    options = ApplyOptions(overwrite=True)
    settings = GenesysSettings(
        client_id="demo-client",
        client_secret=SecretStr("demo-secret"),
        region=resolve_region("http://emulator.invalid"),
        rate_per_minute=1e9,
    )

    def summary(samples: list[dict[str, float]], calls: Counter[int]) -> dict[str, Any]:
        def ms(key: str, q: float = 50) -> float:
            return percentile([s[key] for s in samples], q) * 1000

        result = {
            "applies": len(samples),
            "requests_per_apply": dict(calls),
            "apply_median_ms": ms("total"),
            "overhead_median_ms": ms("overhead"),
            "overhead_p90_ms": ms("overhead", 90),
            "overhead_p99_ms": ms("overhead", 99),
            "overhead_cpu_median_ms": ms("overhead_cpu"),
        }
        if "outbox" in samples[0]:
            result.update(
                outbox_median_ms=ms("outbox"),
                outbox_accept_median_ms=ms("accept"),
                outbox_settle_median_ms=ms("settle"),
                overhead_without_outbox_median_ms=ms("overhead_without_outbox"),
                overhead_without_outbox_p90_ms=ms("overhead_without_outbox", 90),
                overhead_without_outbox_cpu_median_ms=ms("overhead_without_outbox_cpu"),
            )
        return result

    def emulated() -> tuple[Emulator, TimedTransport]:
        emulator = Emulator.from_file(ORG, EmulatorConfig(rate_limit=None))
        return emulator, TimedTransport(emulator.transport())

    def measured(
        apply: Callable[[Disposition], Any], emulator: Emulator, timed: TimedTransport, outbox: Any = None
    ) -> dict[str, Any]:
        """``applies`` calls of ``apply`` (the records in turn) after 50 of warm-up (token, catalog, queue codes,
        connection set-up): each one's time minus the emulator's, and, with an outbox, minus the outbox's calls too."""
        accept, settle = Meter(), Meter()
        if outbox is not None:  # the outbox's two calls per apply, timed on this instance only
            original_accept, original_settle = outbox.accept, outbox.settle

            def timed_accept(*args: Any, **kwargs: Any) -> Any:
                with accept.timing():
                    return original_accept(*args, **kwargs)

            def timed_settle(*args: Any, **kwargs: Any) -> Any:
                with settle.timing():
                    return original_settle(*args, **kwargs)

            outbox.accept, outbox.settle = timed_accept, timed_settle
        samples: list[dict[str, float]] = []
        calls: Counter[int] = Counter()
        emulator.reset()
        for i in range(applies + 50):
            for meter in (timed.meter, accept, settle):
                meter.take()
            record = records[i % 2]
            wall, cpu = time.perf_counter(), time.process_time()
            outcome = apply(record)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            spent, spent_cpu, n = timed.meter.take()
            if outcome.kind is not OutcomeKind.APPLIED:
                raise RuntimeError(f"expected applied, got {outcome.kind}: {outcome.reason}")
            if i < 50:
                continue
            sample = {"total": wall, "overhead": wall - spent, "overhead_cpu": cpu - spent_cpu}
            if outbox is not None:
                accept_wall, accept_cpu, _ = accept.take()
                settle_wall, settle_cpu, _ = settle.take()
                sample.update(
                    accept=accept_wall,
                    settle=settle_wall,
                    outbox=accept_wall + settle_wall,
                    overhead_without_outbox=wall - spent - accept_wall - settle_wall,
                    overhead_without_outbox_cpu=cpu - spent_cpu - accept_cpu - settle_cpu,
                )
            samples.append(sample)
            calls[n] += 1
        return summary(samples, calls)

    results: dict[str, Any] = {}

    # Baseline: the sink alone, each apply run to its end on one event loop in this thread (no Bridge around it).
    def sink_alone_inline() -> dict[str, Any]:
        from wrapup_bridge.core.mapping import load_mapping
        from wrapup_bridge.genesys.sink import GenesysSink

        emulator, timed = emulated()
        table = load_mapping(MAPPING)
        decisions = {record.code: table.resolve(record) for record in records}
        loop = asyncio.new_event_loop()
        client = GenesysClient(settings, transport=timed, limiter=RateLimiter(rate_per_minute=1e9, pacing="burst"))
        sink = GenesysSink(client, options=options)

        def apply(record: Disposition) -> Any:
            return loop.run_until_complete(sink.apply(record, decisions[record.code]))

        try:
            return measured(apply, emulator, timed)
        finally:
            loop.run_until_complete(client.aclose())
            loop.close()

    results["the sink alone, run to its end on one loop (baseline: no Bridge)"] = sink_alone_inline()

    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None) as mem:
        variants: list[tuple[str, Path | None]] = [
            ("Bridge.apply, no outbox", None),
            (
                "Bridge.apply, outbox on disk (SQLite WAL, synchronous=FULL: one fsync per apply)",
                Path(tmp) / "o.sqlite",
            ),
        ]
        if shm.is_dir():
            label = "Bridge.apply, outbox on tmpfs (the same work, but the fsync costs nothing: the CPU part)"
            variants.append((label, Path(mem) / "o.sqlite"))
        for label, outbox in variants:
            emulator, timed = emulated()

            def factory(timed: TimedTransport = timed) -> GenesysClient:
                return GenesysClient(
                    settings, transport=timed, limiter=RateLimiter(rate_per_minute=1e9, pacing="burst")
                )

            with Bridge(MAPPING, client_factory=factory, outbox=outbox, options=options) as bridge:
                results[label] = measured(bridge.apply, emulator, timed, bridge.outbox)
    return results


# -- 3. webhook under load ----------------------------------------------------------------------------------------
@contextmanager
def process(command: list[str], env: dict[str, str], ready: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """A child process and the first stdout line containing ``ready``."""
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert child.stdout is not None
        for line in child.stdout:
            if ready in line:
                yield child, line.strip()
                break
        else:
            raise RuntimeError(f"{command[:4]} exited before it was ready")
    finally:
        child.terminate()
        try:
            child.wait(15)
        except subprocess.TimeoutExpired:
            child.kill()


def serve_for_benchmark(base_url: str, outbox: str) -> None:
    """The webhook app under uvicorn (the benchmark's server process): rate limiting off, overwrite on."""
    import uvicorn

    from wrapup_bridge.emulator.handle import bind
    from wrapup_bridge.genesys.sink import ApplyOptions
    from wrapup_bridge.live import Bridge, create_app

    if os.environ.get("BENCH_SWITCH"):
        sys.setswitchinterval(float(os.environ["BENCH_SWITCH"]))
    bridge = Bridge.from_env(
        MAPPING, outbox=outbox, env=emulator_env(base_url), options=ApplyOptions(overwrite=True), rate_per_minute=1e9
    )
    app = create_app(bridge, twilio_auth_token=TWILIO_TOKEN, close_bridge=True)
    sock, url = bind("127.0.0.1", 0)
    print(f"webhook {url}", flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", backlog=4096)
    uvicorn.Server(config).run(sockets=[sock])


def emulator_for_benchmark() -> None:
    """The emulator's process: the demo org without rate limiting, on a socket with TCP_NODELAY (see genesys.emulator.handle.bind)."""
    import uvicorn

    from wrapup_bridge.emulator import Emulator, EmulatorConfig
    from wrapup_bridge.emulator.handle import bind

    emulator = Emulator.from_file(ORG, EmulatorConfig(rate_limit=None))
    sock, url = bind("127.0.0.1", 0)
    print(f"emulator {url}", flush=True)
    config = uvicorn.Config(emulator.app, log_level="warning", access_log=False, lifespan="off", backlog=4096)
    uvicorn.Server(config).run(sockets=[sock])


async def _post(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, head: bytes, body: bytes) -> dict[str, str]:
    """One HTTP/1.1 request on a kept-alive connection; the status and headers of the answer (body discarded).

    A few lines of asyncio streams rather than an HTTP client library, so the load generator costs little CPU
    next to the server it measures on the same machine.
    """
    writer.write(head + body)
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionResetError("the server closed the connection")
    answer = {":status": status_line.split()[1].decode()}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        answer[name.strip().lower()] = value.strip()
    length = int(answer.get("content-length", "0"))
    if length:
        await reader.readexactly(length)
    return answer


async def _load(url: str, clients: int, duration: float, max_requests: int) -> dict[str, Any]:
    from urllib.parse import urlsplit

    from wrapup_bridge._optional import require

    twilio = require("twilio.request_validator", extra="twilio", purpose="the live benchmark's signed requests")
    validator = twilio.RequestValidator(TWILIO_TOKEN)
    target = urlsplit(url)
    host, port = target.hostname or "127.0.0.1", target.port or 80
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    deadline = time.monotonic() + duration
    issued = 0

    async def worker(index: int) -> None:
        nonlocal issued
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.monotonic() < deadline and issued < max_requests:
                issued += 1
                n = SUPPORT_VOICE[issued % len(SUPPORT_VOICE)]
                # Each conversation gets the two codes in turn: every request is a real write (overwrite is on).
                outcome = "Resolved" if (issued // len(SUPPORT_VOICE)) % 2 else "Not Resolved"
                params = {
                    "EventType": "task.completed",
                    "TaskSid": f"WT{index:08d}{issued:024d}",
                    "TaskAttributes": json.dumps(attributes(n, outcome)),
                    "TaskQueueName": "Support",
                    "TaskChannelUniqueName": "voice",
                }
                body = urlencode(params).encode()
                head = (
                    f"POST {target.path} HTTP/1.1\r\nHost: {target.netloc}\r\nContent-Length: {len(body)}\r\n"
                    "Content-Type: application/x-www-form-urlencoded\r\n"
                    f"X-Twilio-Signature: {validator.compute_signature(url, params)}\r\n\r\n"
                ).encode()
                started = time.perf_counter()
                try:
                    answer = await _post(reader, writer, head, body)
                    statuses[f"{answer[':status']} {answer.get('x-wrapup-bridge-outcome', '-')}"] += 1
                except (OSError, asyncio.IncompleteReadError) as exc:
                    statuses[type(exc).__name__] += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
                latencies.append(time.perf_counter() - started)
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(clients)))
    elapsed = time.perf_counter() - started
    return {
        "clients": clients,
        "seconds": elapsed,
        "requests": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p90_ms": percentile(latencies, 90) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "max_ms": max(latencies) * 1000,
        "answers": dict(statuses),
    }


def webhook_load(clients: int, duration: float, max_requests: int) -> dict[str, Any]:
    env = dict(os.environ)
    emulator_cmd = [sys.executable, str(Path(__file__).resolve()), "--_emulator"]
    with tempfile.TemporaryDirectory() as tmp, process(emulator_cmd, env, "emulator ") as (_, line):
        base_url = line.split()[1]
        server_cmd = [sys.executable, str(Path(__file__).resolve()), "--_serve", base_url, str(Path(tmp) / "o.sqlite")]
        with process(server_cmd, env, "webhook ") as (_, ready):
            url = ready.split()[1] + "/twilio/taskrouter"
            print("  webhook: one client, 5 s (unloaded latency)", file=sys.stderr)
            single = asyncio.run(_load(url, 1, 5.0, max_requests))
            print(f"  webhook: {clients} clients, {duration:g} s", file=sys.stderr)
            loaded = asyncio.run(_load(url, clients, duration, max_requests))
        import httpx

        stats = httpx.get(f"{base_url}/_emulator/stats", timeout=30).json()
    return {
        "one_client": single,
        "loaded": loaded,
        "emulator_requests": stats["total"],
        "emulator_429s": stats["throttled"],
    }


# -- report -------------------------------------------------------------------------------------------------------
def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _load_average() -> float | None:
    """The 1-minute load average (other work on the machine slows every wall-clock figure), None where unknown."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def report(results: dict[str, Any]) -> None:
    lines: list[str] = []
    loads = [f"{x:.1f}" for x in results.get("load", []) if x is not None]
    if loads:
        lines.append(f"machine: {results['cpus']} CPUs, load average {' -> '.join(loads)} (start -> end)")
    cold = results.get("cold_start")
    if cold:
        ours, first, sdk, bare = cold["ours"], cold["ours_first_apply"], cold["sdk"], cold["python"]

        def figures(item: dict[str, float]) -> str:
            return (
                f"CPU {_ms(item['min_cpu_s'])} best, {_ms(item['median_cpu_s'])} median; "
                f"wall {_ms(item['min_s'])} best, {_ms(item['median_s'])} median"
            )

        lines.append(
            f"cold start ({cold['runs']} rounds of fresh processes; time from the first import, interpreter "
            "start-up excluded):"
        )
        lines.append(
            f"  import wrapup_bridge + Bridge.from_env: {figures(ours)}, peak RSS {ours['median_peak_rss_mb']:.1f} MB"
        )
        lines.append(
            f"  ... + first apply over loopback:       {figures(first)}, peak RSS {first['median_peak_rss_mb']:.1f} MB"
        )
        if sdk:
            lines.append(
                f"  import PureCloudPlatformClientV2:      {figures(sdk)}, peak RSS {sdk['median_peak_rss_mb']:.1f} MB"
            )
            lines.append(
                f"  ratio: {cold['ours_vs_sdk_time']:.1%} of the SDK's import, best CPU time over best CPU time "
                f"(target < 10%); wall clock: {cold['ours_vs_sdk_wall_best']:.1%} best over best, "
                f"{cold['ours_vs_sdk_wall_median']:.1%} median over median"
            )
        else:
            lines.append("  PureCloudPlatformClientV2 is not installed: no SDK figure (pip install '.[sdk-fidelity]')")
        lines.append(
            f"  (a bare interpreter: peak RSS {bare['median_peak_rss_mb']:.1f} MB, "
            f"{_ms(bare['median_process_s'])} per process)"
        )
    for label, item in (results.get("overhead") or {}).items():
        lines.append(f"in-process, {label}: {item['applies']} applies, requests {item['requests_per_apply']}")
        lines.append(
            f"  apply {item['apply_median_ms']:.3f} ms median; overhead beyond the emulator's own work: median "
            f"{item['overhead_median_ms']:.3f} ms, p90 {item['overhead_p90_ms']:.3f}, p99 {item['overhead_p99_ms']:.3f}"
            f"; CPU {item['overhead_cpu_median_ms']:.3f} ms"
            + ("" if "outbox_median_ms" in item else " (target < 1 ms)")
        )
        if "outbox_median_ms" in item:
            lines.append(
                f"  the outbox's calls: median {item['outbox_median_ms']:.3f} ms (accept, the durable commit: "
                f"{item['outbox_accept_median_ms']:.3f}; settle: {item['outbox_settle_median_ms']:.3f})"
            )
            lines.append(
                f"  overhead without the outbox's calls: median {item['overhead_without_outbox_median_ms']:.3f} ms, "
                f"p90 {item['overhead_without_outbox_p90_ms']:.3f}; CPU "
                f"{item['overhead_without_outbox_cpu_median_ms']:.3f} ms (target < 1 ms)"
            )
    load = results.get("webhook")
    if load:
        for key in ("one_client", "loaded"):
            run = load[key]
            lines.append(
                f"webhook, {run['clients']} client(s), {run['seconds']:.1f} s: {run['requests']} requests "
                f"({run['per_second']:.0f}/s), latency p50 {run['p50_ms']:.1f} ms, p90 {run['p90_ms']:.1f}, "
                f"p99 {run['p99_ms']:.1f}, max {run['max_ms']:.1f}; answers {run['answers']}"
            )
        lines.append(f"  emulator served {load['emulator_requests']} requests, {load['emulator_429s']} of them 429")
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9, help="cold-start rounds (fresh processes of each kind)")
    parser.add_argument("--applies", type=int, default=2000, help="applies per in-process overhead figure")
    parser.add_argument("--clients", type=int, default=200, help="concurrent webhook clients")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of webhook load")
    parser.add_argument("--max-requests", type=int, default=100_000, help="cap on webhook requests per phase")
    parser.add_argument("--only", choices=["cold", "overhead", "webhook"], help="run one part")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--_serve", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--_emulator", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._serve:
        serve_for_benchmark(*args._serve)
        return
    if args._emulator:
        emulator_for_benchmark()
        return
    results: dict[str, Any] = {"python": sys.version.split()[0], "cpus": os.cpu_count(), "load": [_load_average()]}
    if args.only in (None, "cold"):
        print("cold start ...", file=sys.stderr)
        results["cold_start"] = cold_start(args.runs)
    if args.only in (None, "overhead"):
        print("in-process overhead ...", file=sys.stderr)
        results["overhead"] = overhead(args.applies)
    if args.only in (None, "webhook"):
        print("webhook load ...", file=sys.stderr)
        results["webhook"] = webhook_load(args.clients, args.duration, args.max_requests)
    results["load"].append(_load_average())
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
