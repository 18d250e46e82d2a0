"""Replay as a library: historical dispositions onto Genesys conversations, planned, reviewed, applied, retried.

The CLI (``wrapup-bridge replay plan|apply|run|retry|status``), the demo, the benchmarks and the tests all call
these; the CLI only adds its options, the progress display, printing and exit codes. Nothing here prints or exits:
what stops a replay is a ``ReplayError`` whose message says what was left and how to resume.

    plan    ``source_records`` (legacy exports) -> ``plan_from_records`` -> a plan file (``ReplayPaths.plan``)
    apply   ``apply_from_plan``: the plan's writes, once each, with a ledger (resumable) and dead letters; a
            fresh plan's lookups reused (``DEFAULT_MAX_AGE``), failed writes retried in the run (``RetryPolicy``)
    retry   ``DeadLetterRecords`` -> ``plan_from_records`` -> ``apply_from_plan`` -> ``drop_resolved``
    status  ``replay_status``: applied / pending / dead, from the ledger and the dead letters only

A minimal replay onto the in-process emulator::

    from wrapup_bridge.services.inputs import adapter_options
    from wrapup_bridge.services.target import connect

    table = load_mapping("mappings/five9.yaml")
    paths = ReplayPaths.beside(Path("calls.plan.jsonl"))
    async with connect("emulator") as connection:
        records = source_records("five9", adapter_options(table), ["calls.csv"])
        await plan_from_records(records, table=table, connection=connection, out=paths.plan, source="five9",
                                inputs=["calls.csv"])
        header, report = await apply_from_plan(paths, connection)
"""

from __future__ import annotations

from wrapup_bridge.core.replay.fresh import DEFAULT_MAX_AGE
from wrapup_bridge.core.replay.retry import RetryPolicy
from wrapup_bridge.services.replay.apply import RESOLVED, apply_from_plan, staleness, target_for_plan
from wrapup_bridge.services.replay.errors import (
    ReplayError,
    StalePlan,
    TargetFailed,
    WrongTarget,
    explain_target_failure,
)
from wrapup_bridge.services.replay.options import DEFAULT_BUDGET, PlanOptions
from wrapup_bridge.services.replay.paths import ReplayPaths, default_plan, retry_plan
from wrapup_bridge.services.replay.plan import plan_from_records, source_records
from wrapup_bridge.services.replay.progress import Progress
from wrapup_bridge.services.replay.retry import DeadLetterRecords, drop_resolved
from wrapup_bridge.services.replay.status import ReplayStatus, replay_status

__all__ = [
    "DEFAULT_BUDGET",
    "DEFAULT_MAX_AGE",
    "RESOLVED",
    "DeadLetterRecords",
    "PlanOptions",
    "Progress",
    "ReplayError",
    "ReplayPaths",
    "ReplayStatus",
    "RetryPolicy",
    "StalePlan",
    "TargetFailed",
    "WrongTarget",
    "apply_from_plan",
    "default_plan",
    "drop_resolved",
    "explain_target_failure",
    "plan_from_records",
    "replay_status",
    "retry_plan",
    "source_records",
    "staleness",
    "target_for_plan",
]
