"""A replay survives what real migrations meet: ``kill -9``, Ctrl-C, 5xx, 429 storms, dropped connections and
expiring tokens, and still writes every planned wrap-up exactly once, or says why not, with nothing lost.

Each test serves a generated org on loopback (uvicorn, in this process: its write log is the server's own
record of what it applied) and runs ``wrapup-bridge replay plan|apply`` as separate processes pointed at it
through ``GENESYSCLOUD_*``, the way an operator would. Kill moments and faults are drawn from fixed seeds.
"""

from __future__ import annotations

import random
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.cli.replay_harness import (
    Planned,
    apply_args,
    cli_env,
    dead_letters,
    expire_tokens,
    finish,
    ledger_rows,
    plan_args,
    planned_writes,
    report_of,
    run_cli,
    set_faults,
    start_cli,
    wait_for_writes,
    write_counts,
    writes_so_far,
)
from tests.cli.replay_scenario import Scenario, make_org, write_scenario
from wrapup_bridge.core.replay.ledger import Ledger
from wrapup_bridge.emulator import Burst429, Emulator, EmulatorConfig, FaultConfig

#: Ledger outcomes of an item that is on the participant: written (over nothing, or over a code Genesys stamped
#: itself when after-call work timed out), or found already there.
APPLIED = {"applied", "replaced-system-code", "already-applied"}


def plan_via_cli(scenario: Scenario, env: dict[str, str]) -> tuple[str, dict[str, Planned]]:
    result = run_cli(*plan_args(scenario), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    plan_id, planned = planned_writes(scenario.plan)
    assert len(planned) == scenario.count, f"{len(planned)} planned writes for {scenario.count} rows"
    return plan_id, planned


def assert_exactly_once(emulator: Emulator, planned: dict[str, Planned], keys: set[str]) -> None:
    """The write log holds one write for each of ``keys`` (with the planned code) and nothing else."""
    expected = Counter((p.conversation_id, p.participant_id, p.code_id) for k, p in planned.items() if k in keys)
    seen = write_counts(emulator)
    twice = {w: n for w, n in seen.items() if n > 1}
    assert not twice, f"written more than once: {twice}"
    missing = expected - seen
    assert not missing, f"{len(missing)} planned writes are not in the write log, e.g. {next(iter(missing))}"
    extra = seen - expected
    assert not extra, f"{len(extra)} writes nobody planned (or for an item not counted as applied): {extra}"


def assert_intent_before_write(emulator: Emulator, planned: dict[str, Planned], scenario: Scenario) -> None:
    """Every write the server applied has its ledger row on disk (the intent, or the result): what a killed run left.
    The ledger commits intents a batch at a time (group commit); none may be sent before its commit."""
    rows = ledger_rows(scenario.ledger)
    key_of = {(p.conversation_id, p.participant_id): key for key, p in planned.items()}
    unrecorded = [w for w in emulator.write_log if key_of[(w.conversation_id, w.participant_id)] not in rows]
    assert not unrecorded, f"{len(unrecorded)} writes reached the server without their intent in the ledger"


@pytest.mark.slow
def test_kill_9_at_random_moments_then_resume_writes_everything_exactly_once(tmp_path: Path) -> None:
    rng = random.Random(20261207)
    scenario = write_scenario(tmp_path, count=400, seed=rng.randrange(1 << 30))
    # Some ms per call so writes are really in flight (sent, not yet answered) when the kill lands, and so the run
    # cannot finish between reaching the chosen moment and the kill, even on a loaded machine.
    config = EmulatorConfig(rate_limit=100_000, faults=FaultConfig(seed=11, latency_ms=20, latency_jitter_ms=10))
    emulator = Emulator(make_org(scenario.count), config)
    with emulator.serve() as base_url:
        env = cli_env(base_url)
        plan_id, planned = plan_via_cli(scenario, env)
        kills: list[str] = []
        in_flight_after_kill: list[int] = []
        for round_no in range(5):
            process = start_cli(*apply_args(scenario), env=env)
            have = writes_so_far(emulator)
            remaining = scenario.count - have
            if round_no % 2 == 0:  # right after the n-th write the server applied: requests are surely in flight
                target = have + rng.randint(1, max(1, remaining // 4))
                reached = wait_for_writes(emulator, target, process)
                moment = f"after write {target}"
            else:  # anywhere: while starting, reading the ledger, looking targets up, or writing
                delay = rng.uniform(0.3, 1.2)
                # ... but before the run could finish: at the latest after another third of what remains.
                reached = wait_for_writes(emulator, have + remaining // 3, process, delay, or_timeout=True)
                moment = f"after {delay:.2f} s or {remaining // 3} writes"
            assert reached, f"round {round_no}: apply ended before the kill ({moment}): {process.communicate()}"
            code, _, stderr = finish(process, signal.SIGKILL)
            assert code == -signal.SIGKILL, stderr
            kills.append(f"{moment} ({writes_so_far(emulator)} writes)")
            in_flight_after_kill.append(sum(r.state == "in-flight" for r in ledger_rows(scenario.ledger).values()))
            assert_intent_before_write(emulator, planned, scenario)

        assert writes_so_far(emulator) < scenario.count, f"the kills came too late to test anything: {kills}"
        assert any(in_flight_after_kill), f"no kill left a write in flight ({kills}); the resume path went untested"
        code, stdout, stderr = finish(start_cli(*apply_args(scenario), env=env))
        assert code == 0, stdout + stderr

    report = report_of(stdout)
    assert_exactly_once(emulator, planned, set(planned))
    rows = ledger_rows(scenario.ledger)
    assert set(rows) == set(planned)
    assert all(r.state == "done" and r.outcome in APPLIED and not r.dead_lettered for r in rows.values()), Counter(
        (r.state, r.outcome) for r in rows.values()
    )
    # Writes that landed just before a kill are found on the participant and counted already-applied, not redone.
    totals = report["ledger_totals"]
    assert sum(totals.get(kind, 0) for kind in APPLIED) == scenario.count, totals
    assert totals.get("replaced-system-code", 0) > 0, "the realistic org has ACW timeouts: some writes replace them"
    assert sum(report["outcomes"].values()) + report["done_in_earlier_runs"] == scenario.count, report
    assert report["dead_lettered"] == 0 and not scenario.dead_letters.exists()
    assert plan_id == report["plan_id"]


@pytest.mark.slow
def test_faults_every_item_applied_once_or_dead_lettered_with_its_reason(tmp_path: Path) -> None:
    rng = random.Random(20261208)
    scenario = write_scenario(tmp_path, count=240, seed=rng.randrange(1 << 30))
    faults = FaultConfig(
        seed=rng.randrange(1 << 30),
        latency_ms=2,
        error_5xx_ratio=0.10,
        burst_429=Burst429(every=70, length=2, retry_after_seconds=1),
        drop_ratio=0.05,
        drop_applied_ratio=0.6,
        token_ttl_seconds=4,
    )
    # A short rate window keeps a 429 that has no Retry-After (the client then waits for inin-ratelimit-reset)
    # to seconds, so the test stays fast.
    config = EmulatorConfig(rate_limit=100_000, rate_window_seconds=2, faults=faults)
    emulator = Emulator(make_org(scenario.count), config)
    with emulator.serve() as base_url:
        env = cli_env(base_url)
        plan_id, planned = plan_via_cli(scenario, env)
        process = start_cli(*apply_args(scenario), env=env)
        # Mid-run: every token dies early (the client must take the 401, renew once and resend), then the 429
        # storms stop carrying Retry-After.
        assert wait_for_writes(emulator, scenario.count // 3, process), process.communicate()
        assert expire_tokens(emulator) >= 1
        assert wait_for_writes(emulator, scenario.count // 2, process), process.communicate()
        no_retry_after = Burst429(every=70, length=2, retry_after_seconds=None)
        set_faults(emulator, faults.model_copy(update={"seed": faults.seed + 1, "burst_429": no_retry_after}))
        first_code, first_out, first_err = finish(process)
        first = report_of(first_out)
        assert first_code in (0, 1), first_out + first_err  # 1: some records were dead-lettered
        runs = [first]
        if first["dead_lettered"]:  # as an operator would: run the same apply once more
            code, out, err = finish(start_cli(*apply_args(scenario), env=env))
            assert code in (0, 1), out + err
            runs.append(report_of(out))
        stats = emulator.stats()

    # The faults really happened, of every kind.
    assert {"500", "503", "429", "drop"} <= set(stats["faults"]), stats["faults"]
    assert stats["statuses"].get("POST /oauth/token", {}).get("200", 0) >= 3, "tokens were not renewed mid-run"
    assert sum(s.get("401", 0) for s in stats["statuses"].values()) >= 1, "no request met the expired token"
    assert any(w.dropped for w in emulator.write_log), "no write was applied before a dropped connection"
    assert stats["throttled"] >= 1

    rows = ledger_rows(scenario.ledger)
    letters = dead_letters(scenario.dead_letters)
    assert set(rows) == set(planned), "an item vanished from the ledger"
    applied = {k for k, r in rows.items() if r.outcome in APPLIED}
    not_applied = set(rows) - applied
    assert applied, "nothing was applied"
    assert_exactly_once(emulator, planned, applied)
    for key in not_applied:
        row = rows[key]
        assert row.state == "done" and row.dead_lettered, (key, row)
        letter = letters.get(key)
        assert letter is not None, f"{key} did not apply and is not in the dead letters"
        assert letter["class"] == row.outcome and letter["reason"], letter
        assert letter["error"], f"dead letter of {key} has no error body: {letter}"
        assert letter["record"]["conversation_id"] == planned[key].conversation_id
    final = runs[-1]
    assert final["ledger_totals"] == dict(Counter(r.outcome for r in rows.values())), final
    assert sum(final["outcomes"].values()) + final["done_in_earlier_runs"] == scenario.count
    assert plan_id == final["plan_id"]


@pytest.mark.slow
def test_kill_9_while_failed_writes_wait_for_their_retry_then_resume_exactly_once(tmp_path: Path) -> None:
    """Under 5xx and dropped connections (some after the write landed) a run holds failed writes for its retry
    rounds, their rows in flight: kills land among them, and whatever the moment, the resumes write every planned
    wrap-up once."""
    rng = random.Random(20261214)
    scenario = write_scenario(tmp_path, count=300, seed=rng.randrange(1 << 30))
    faults = FaultConfig(seed=rng.randrange(1 << 30), latency_ms=15, latency_jitter_ms=10, error_5xx_ratio=0.12,
                         drop_ratio=0.06, drop_applied_ratio=0.6)  # fmt: skip
    emulator = Emulator(make_org(scenario.count), EmulatorConfig(rate_limit=100_000, faults=faults))
    with emulator.serve() as base_url:
        env = cli_env(base_url)
        _, planned = plan_via_cli(scenario, env)
        for _ in range(4):
            have = writes_so_far(emulator)
            if have >= scenario.count * 0.8:
                break
            process = start_cli(*apply_args(scenario), env=env)
            reached = wait_for_writes(emulator, have + rng.randint(20, 50), process)
            assert reached, f"apply ended before the kill: {process.communicate()}"
            code, _, stderr = finish(process, signal.SIGKILL)
            assert code == -signal.SIGKILL, stderr
            assert_intent_before_write(emulator, planned, scenario)
        runs = []
        for _ in range(3):  # faults go on: a resume may leave a few for the next run, as an operator would see
            code, stdout, stderr = finish(start_cli(*apply_args(scenario), env=env))
            assert code in (0, 1), stdout + stderr
            runs.append(report_of(stdout))
            if code == 0:
                break
        stats = emulator.stats()

    assert {"500", "503", "drop"} <= set(stats["faults"]), stats["faults"]
    assert any(w.dropped for w in emulator.write_log), "no write landed before its connection dropped"
    assert sum(r["in_run_retries"].get("deferred", 0) for r in runs) > 0
    assert_exactly_once(emulator, planned, set(planned))
    rows = ledger_rows(scenario.ledger)
    assert set(rows) == set(planned)
    assert all(r.state == "done" and r.outcome in APPLIED for r in rows.values()), Counter(
        (r.state, r.outcome) for r in rows.values()
    )


@pytest.mark.slow
def test_one_run_under_faults_leaves_nothing_failed_and_writes_each_once(tmp_path: Path) -> None:
    """A write answered 500, 503 without Retry-After, or whose connection dropped is re-checked (in batches, through
    analytics) and retried within the same run: one run ends with every record applied, none twice."""
    rng = random.Random(20261215)
    scenario = write_scenario(tmp_path, count=300, seed=rng.randrange(1 << 30))
    faults = FaultConfig(seed=rng.randrange(1 << 30), latency_ms=2, error_5xx_ratio=0.08, drop_ratio=0.04,
                         drop_applied_ratio=0.5)  # fmt: skip
    emulator = Emulator(make_org(scenario.count), EmulatorConfig(rate_limit=100_000, faults=faults))
    with emulator.serve() as base_url:
        env = cli_env(base_url)
        _, planned = plan_via_cli(scenario, env)
        code, stdout, stderr = finish(start_cli(*apply_args(scenario), env=env))
        stats = emulator.stats()
    assert code == 0, stdout + stderr
    report = report_of(stdout)
    assert {"500", "503", "drop"} <= set(stats["faults"]), stats["faults"]
    assert report["outcomes"].get("failed", 0) == 0 and report["dead_lettered"] == 0
    assert_exactly_once(emulator, planned, set(planned))
    retries = report["in_run_retries"]
    assert retries["deferred"] >= 10 and retries["confirmed"] >= 1 and retries["recovered"] >= 5, retries
    # Batched: a few analytics calls re-checked them all (with the client's own retries of those calls), not a GET
    # each; only those no later write vouched for were read one by one.
    assert report["api_calls"].get("GET analytics", 0) <= 2 * retries["rounds"] + 2, report["api_calls"]
    assert retries.get("precise_rechecks", 0) < retries["rechecked"] / 2, retries
    assert report["plan_lookups"]["reused"] == scenario.count  # a fresh plan: targets not read again


@pytest.mark.slow
def test_ctrl_c_exits_130_with_a_consistent_ledger_and_a_rerun_finishes_exactly_once(tmp_path: Path) -> None:
    rng = random.Random(20261209)
    scenario = write_scenario(tmp_path, count=200, seed=rng.randrange(1 << 30))
    # Slow enough writes (100 ms each, 4 in flight) that the run cannot finish before the signal lands, even on a
    # loaded machine: at most half the writes are done when SIGINT is sent, leaving seconds of work.
    config = EmulatorConfig(rate_limit=100_000, faults=FaultConfig(seed=5, latency_ms=100))
    emulator = Emulator(make_org(scenario.count), config)
    with emulator.serve() as base_url:
        env = cli_env(base_url)
        plan_id, planned = plan_via_cli(scenario, env)
        process = start_cli(*apply_args(scenario), env=env)
        assert wait_for_writes(emulator, rng.randint(20, scenario.count // 2), process), process.communicate()
        code, stdout, stderr = finish(process, signal.SIGINT)
        assert code == 130, stdout + stderr
        assert "interrupted" in stderr and str(scenario.ledger) in stderr, stderr
        after_interrupt = write_counts(emulator)
        assert 0 < sum(after_interrupt.values()) < scenario.count

        with Ledger(scenario.ledger, plan_id) as ledger:  # opens: not locked, not corrupt, the same plan
            entries = ledger.entries()
        assert entries, "the interrupted run recorded nothing"
        for key, entry in entries.items():
            p = planned[key]
            written = after_interrupt[(p.conversation_id, p.participant_id, p.code_id)]
            assert entry.outcome not in APPLIED or written == 1, (key, entry, written)
            assert entry.state.value in ("done", "in-flight"), entry

        code, stdout, stderr = finish(start_cli(*apply_args(scenario), env=env))
        assert code == 0, stdout + stderr

    report = report_of(stdout)
    assert_exactly_once(emulator, planned, set(planned))
    rows = ledger_rows(scenario.ledger)
    assert all(r.state == "done" and r.outcome in APPLIED for r in rows.values())
    assert len(rows) == scenario.count
    assert report["done_in_earlier_runs"] + sum(report["outcomes"].values()) == scenario.count


@pytest.mark.slow
def test_ctrl_c_while_planning_exits_130_and_leaves_no_plan(tmp_path: Path) -> None:
    """An interrupted plan is no plan: exit 130 with one line (not click's "Aborted!" and 1), and neither the plan
    nor its partial file is left behind, so a half plan can never be applied."""
    scenario = write_scenario(tmp_path, count=400, seed=20261202)
    # Slow answers (300 ms each) keep the planner busy for seconds: the signal lands mid-plan.
    config = EmulatorConfig(rate_limit=100_000, faults=FaultConfig(seed=3, latency_ms=300))
    emulator = Emulator(make_org(scenario.count), config)
    with emulator.serve() as base_url:
        process = start_cli(*plan_args(scenario), env=cli_env(base_url))
        deadline = time.monotonic() + 60
        while sum(sum(s.values()) for s in emulator.stats()["statuses"].values()) < 2:  # a token and a lookup
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the plan never reached the emulator"
            time.sleep(0.05)
        code, stdout, stderr = finish(process, signal.SIGINT)
    assert code == 130, stdout + stderr
    assert "interrupted: no plan was made" in stderr and "Traceback" not in stderr, stderr
    assert not scenario.plan.exists()
    assert not scenario.plan.with_name(scenario.plan.name + ".partial").exists()
