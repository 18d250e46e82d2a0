"""``wrapup-bridge replay`` with a pool of OAuth clients (numbered GENESYSCLOUD_* pairs, ``--clients FILE``): every
planned write exactly once through ``kill -9`` of the whole run and resumes with other pools, the report's section
per client, and set-up mistakes (a bad credentials file, a refused client) as one Error line naming the file:line or
the client, never a secret.

The emulator is served on loopback in this process (its write log is the ground truth, as in
test_replay_reliability.py) with four OAuth clients and a per-token rate limit; the CLI runs as its own process
(the kill test) or through click's runner.
"""

from __future__ import annotations

import json
import os
import random
import signal
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.cli.replay_harness import (
    Planned,
    apply_args,
    finish,
    invoke_replay,
    ledger_rows,
    plan_args,
    planned_writes,
    report_of,
    run_cli,
    start_cli,
    wait_for_writes,
    write_counts,
    writes_so_far,
)
from tests.cli.replay_scenario import make_org, pool_clients, write_scenario
from wrapup_bridge.emulator import Emulator, EmulatorConfig, FaultConfig

APPLIED = {"applied", "replaced-system-code", "already-applied"}
SECRETS = [secret for _, secret in pool_clients(4)]


def pool_env(base_url: str, clients: list[tuple[str, str]]) -> dict[str, str]:
    """The environment of a CLI process: the API base, and ``clients`` as GENESYSCLOUD_OAUTHCLIENT_ID/_SECRET and
    numbered pairs _2, _3, ..."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GENESYSCLOUD_", "WRAPUP_BRIDGE_"))}
    env.update({"GENESYSCLOUD_API_BASE": base_url, "PYTHONUNBUFFERED": "1"})
    for n, (client_id, secret) in enumerate(clients, start=1):
        suffix = "" if n == 1 else f"_{n}"
        env[f"GENESYSCLOUD_OAUTHCLIENT_ID{suffix}"] = client_id
        env[f"GENESYSCLOUD_OAUTHCLIENT_SECRET{suffix}"] = secret
    return env


def credentials_file(path: Path, clients: list[tuple[str, str]]) -> Path:
    path.write_text("".join(f"- id: {cid}\n  secret: {secret}\n" for cid, secret in clients), encoding="utf-8")
    return path


def assert_exactly_once(emulator: Emulator, planned: dict[str, Planned]) -> None:
    expected = Counter((p.conversation_id, p.participant_id, p.code_id) for p in planned.values())
    seen = write_counts(emulator)
    assert not {w: n for w, n in seen.items() if n > 1}, "written more than once"
    assert seen == expected, (len(seen), len(expected))


@pytest.mark.slow
def test_kill_9_of_a_pool_of_3_then_resumes_with_other_pools_write_everything_exactly_once(tmp_path: Path) -> None:
    rng = random.Random(20261214)
    scenario = write_scenario(tmp_path, count=360, seed=rng.randrange(1 << 30))
    # Each token may send 60 requests per 5 s window (the pool of 3: 36 per second), so writes are paced, every
    # client works, and the run lasts long enough to be killed several times; 20 ms per call keeps writes in flight.
    config = EmulatorConfig(
        rate_limit=60, rate_window_seconds=5, faults=FaultConfig(seed=14, latency_ms=20, latency_jitter_ms=10)
    )
    emulator = Emulator(make_org(scenario.count, clients=4), config)
    three = pool_clients(3)
    with emulator.serve() as base_url:
        env = pool_env(base_url, three)
        planned_run = run_cli(*plan_args(scenario), env=env)
        assert planned_run.returncode == 0, planned_run.stdout + planned_run.stderr
        plan_id, planned = planned_writes(scenario.plan)
        assert len(planned) == scenario.count
        in_flight_after_kill: list[int] = []
        for round_no in range(4):
            # Rounds 0-2: the pool of 3 of the plan; round 3 resumes with two of them only.
            round_env = env if round_no < 3 else pool_env(base_url, three[:2])
            process = start_cli(*apply_args(scenario), env=round_env)
            have = writes_so_far(emulator)
            target = have + rng.randint(5, max(6, (scenario.count - have) // 4))
            assert wait_for_writes(emulator, target, process), f"round {round_no}: apply ended before the kill"
            code, _, stderr = finish(process, signal.SIGKILL)
            assert code == -signal.SIGKILL, stderr
            in_flight_after_kill.append(sum(r.state == "in-flight" for r in ledger_rows(scenario.ledger).values()))
        assert writes_so_far(emulator) < scenario.count
        assert any(in_flight_after_kill), f"no kill left a write in flight: {in_flight_after_kill}"
        # The last run: another pool, in another order, from a credentials file, without the plan's client first.
        clients = credentials_file(tmp_path / "clients.yaml", [three[2], three[0], pool_clients(4)[3]])
        code, stdout, stderr = finish(
            start_cli(*apply_args(scenario, "--clients", str(clients)), env=pool_env(base_url, []))
        )
        assert code == 0, stdout + stderr
        stats = emulator.stats()
        writers = Counter(w.client_id for w in emulator.write_log)

    assert_exactly_once(emulator, planned)
    rows = ledger_rows(scenario.ledger)
    assert set(rows) == set(planned)
    assert all(r.state == "done" and r.outcome in APPLIED for r in rows.values())
    report = report_of(stdout)
    assert report["plan_id"] == plan_id
    assert sum(report["outcomes"].values()) + report["done_in_earlier_runs"] == scenario.count
    # Every client wrote, and no token was ever answered 429.
    assert set(writers) == {"demo-client", "pool-2", "pool-3", "pool-4"}, writers
    assert stats["rate_limited"] == {"token": 0, "org": 0} and stats["throttled"] == 0
    assert [c["client_id"] for c in report["pool"]["clients"]] == ["pool-3", "demo-client", "pool-4"]
    assert all(c["throttled"] == 0 for c in report["pool"]["clients"])
    assert not any(secret in stdout + stderr for secret in SECRETS)


@pytest.fixture(scope="module")
def served_pool() -> Iterator[tuple[Emulator, str]]:
    emulator = Emulator(make_org(40, clients=4), EmulatorConfig(rate_limit=400, rate_window_seconds=10))
    with emulator.serve() as base_url:
        yield emulator, base_url


def test_the_report_has_a_section_per_client(tmp_path: Path, served_pool: tuple[Emulator, str]) -> None:
    _, base_url = served_pool
    scenario = write_scenario(tmp_path, count=40, seed=7)
    clients = credentials_file(tmp_path / "clients.yaml", pool_clients(3)[1:])
    env = pool_env(base_url, pool_clients(1))  # the first client from the variables, two more from the file
    planned = invoke_replay(*plan_args(scenario), "--clients", str(clients), env=env, cwd=tmp_path)
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert "with 3 OAuth clients (demo-client, pool-2, pool-3)" in planned.stderr
    applied = invoke_replay(*apply_args(scenario), "--clients", str(clients), env=env, cwd=tmp_path)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    report = json.loads(applied.stdout.strip().splitlines()[-1])
    pool = report["pool"]
    assert [c["client_id"] for c in pool["clients"]] == ["demo-client", "pool-2", "pool-3"]
    assert [c["source"] for c in pool["clients"]] == ["GENESYSCLOUD_OAUTHCLIENT_ID", f"{clients}:1", f"{clients}:3"]
    assert sum(c["requests"] for c in pool["clients"]) == sum(v for k, v in report["api_calls"].items() if " " in k)
    assert all(c["requests"] > 0 and c["throttled"] == 0 and c["tokens"] == 1 for c in pool["clients"])
    # Each client's writes: together every write applied; nothing was retried or refused.
    wrote = report["outcomes"].get("applied", 0) + report["outcomes"].get("replaced-system-code", 0)
    assert sum(c["writes"] for c in pool["clients"]) == wrote > 0
    assert all(c["writes"] > 0 and c["retries"] == c["refusals"] == 0 for c in pool["clients"])
    assert abs(sum(c["share"] for c in pool["clients"]) - 1) < 0.01
    assert pool["org_rate"] == {"configured_per_minute": None, "per_minute_now": None, "learning": True, "org_429s": 0}
    again = invoke_replay(
        "apply", str(scenario.plan), "--target", "genesys", "--clients", str(clients), env=env, cwd=tmp_path
    )
    assert again.returncode == 0, again.stderr
    # The text report is laid out for a terminal and may wrap anywhere (a long temporary path mid-word): compared
    # without whitespace.
    shown = "".join(again.stdout.split())
    assert "OAuthclients:3" in shown and "demo-client:" in shown and "".join(f"[{clients}:3]".split()) in shown
    assert "0writes,0answered429,0retries,1token(s)" in shown  # the second run: every write was done before
    for output in (planned, applied, again):
        assert not any(secret in output.stdout + output.stderr for secret in SECRETS)
    written = scenario.plan.read_bytes() + scenario.ledger.read_bytes()
    assert b"demo-client" in written  # the plan records the client it was made for, by id
    assert not any(secret.encode() in written for secret in SECRETS)


def test_a_credentials_file_mistake_is_one_error_naming_file_and_line(
    tmp_path: Path, served_pool: tuple[Emulator, str]
) -> None:
    _, base_url = served_pool
    scenario = write_scenario(tmp_path, count=5, seed=8)
    broken = tmp_path / "clients.yaml"
    broken.write_text("- id: pool-2\n  secret: pool-secret-2\n- id: pool-3\n", encoding="utf-8")
    result = invoke_replay(
        *plan_args(scenario), "--clients", str(broken), env=pool_env(base_url, pool_clients(1)), cwd=tmp_path
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == f"Error: {broken}:3: the OAuth client has no secret"
    assert "pool-secret-2" not in result.stdout + result.stderr
    assert not scenario.plan.exists()


def test_a_refused_client_of_the_pool_stops_before_any_work_naming_it(
    tmp_path: Path, served_pool: tuple[Emulator, str]
) -> None:
    _, base_url = served_pool
    scenario = write_scenario(tmp_path, count=5, seed=9)
    env = pool_env(base_url, [pool_clients(1)[0], ("pool-2", "a-wrong-secret")])
    result = invoke_replay(*plan_args(scenario), env=env, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Error: GENESYSCLOUD_OAUTHCLIENT_ID_2: OAuth client 'pool-2' of the pool was refused" in result.stderr
    assert "a-wrong-secret" not in result.stdout + result.stderr
    assert not scenario.plan.exists()
    env = pool_env(base_url, [pool_clients(1)[0], ("pool-2", "")])
    result = invoke_replay(*plan_args(scenario), env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "Error: GENESYSCLOUD_OAUTHCLIENT_SECRET_2 not set" in result.stderr


def test_a_client_of_the_pool_lacking_a_permission_stops_the_run_named_by_id(tmp_path: Path) -> None:
    org = make_org(30, clients=3)
    lacking = org.directory.clients["pool-3"]
    org.directory.clients["pool-3"] = replace(
        lacking, permissions=lacking.permissions - {"conversation:participant:wrapup"}
    )
    scenario = write_scenario(tmp_path, count=30, seed=11)
    with Emulator(org, EmulatorConfig(rate_limit=None)).serve() as base_url:
        planned = invoke_replay(*plan_args(scenario), env=pool_env(base_url, pool_clients(1)), cwd=tmp_path)
        assert planned.returncode == 0, planned.stdout + planned.stderr
        result = invoke_replay(*apply_args(scenario), env=pool_env(base_url, pool_clients(3)), cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    error = " ".join(result.stderr.split())
    assert "OAuth client 'pool-3' of the pool lacks a permission (conversation:participant:wrapup)" in error, error
    assert "OAuth client 'demo-client'" not in error and "OAuth client 'pool-2'" not in error
    assert not any(secret in result.stdout + result.stderr for secret in SECRETS)
