"""``outbound apply``: write a reviewed plan to the org, once, with the safety of a replay.

In order: the plan is read (its hash must match) and must be for this target; the org's mapping is read again
(preflight); the plan's changes the org does not hold yet are what is left to do, and when none is left the run
ends there ("nothing to change", no write: a second apply of the same plan writes nothing). When some are left,
the org must still be at the version the plan read, or the plan is refused as stale with what moved ("changed
since you planned: re-run plan"). Then the whole object is PUT once (the object read, with only the changes left,
at its version: the UNSURE replace-or-merge reading cannot lose an entry), read back and checked change by change.

Every run that gets past the preflight is recorded beside the plan, in ``<plan>.applied.jsonl``, one JSON line per
event, flushed to disk before the next step: the PUT about to be sent (so a run killed before its answer leaves a
trace), then its outcome (applied and verified, refused, stale, not answered). Nothing here prints.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from wrapup_bridge.core.clock import utc_now
from wrapup_bridge.core.outbound.diff import CurrentMapping, OutboundDiff, mapping_moves
from wrapup_bridge.services.outbound.plan import OutboundPlan, read_plan
from wrapup_bridge.services.replay.errors import StalePlan, WrongTarget

if TYPE_CHECKING:
    from wrapup_bridge.services.target import Connection

__all__ = ["ApplyResult", "Outcome", "apply_plan", "record_path"]

Outcome = Literal["applied", "nothing-to-change", "dry-run", "not-verified"]


def record_path(plan: str | os.PathLike[str]) -> Path:
    """Where the runs of ``plan`` are recorded: ``x.plan.json`` -> ``x.plan.applied.jsonl``."""
    return Path(plan).with_suffix(".applied.jsonl")


@dataclass
class ApplyResult:
    """What one apply did: the outcome, how many PUTs it sent, the changes it wrote (or would write), the versions
    before and after, and the differences a read-back found (empty when everything holds)."""

    plan: OutboundPlan
    outcome: Outcome
    writes: int
    changes: OutboundDiff
    version_before: int | None
    version_after: int | None = None
    body: dict[str, Any] | None = None  #: what was (or, dry run, would be) PUT
    problems: list[str] = field(default_factory=list)
    record: Path | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "writes": self.writes,
            "version_before": self.version_before,
            "version_after": self.version_after,
            "changes": [change.to_json() for change in self.changes.changes],
            "default_set": None if self.changes.default_set is None else self.changes.default_set.to_json(),
            "problems": self.problems,
            "record": None if self.record is None else str(self.record),
            "plan_hash": self.plan.plan_hash,
        }


class _Record:
    """The JSON lines beside the plan, each flushed and synced before the run goes on."""

    def __init__(self, path: Path, plan: OutboundPlan) -> None:
        self.path = path
        self.plan = plan

    def write(self, event: str, **facts: Any) -> None:
        line = {
            "time": utc_now().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "event": event,
            "plan_hash": self.plan.plan_hash,
            "target": self.plan.target,
            **facts,
        }
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())


async def apply_plan(
    connection: Connection, plan_file: str | os.PathLike[str], *, dry_run: bool = False
) -> ApplyResult:
    """Apply the plan at ``plan_file`` on ``connection`` (see the module's docstring for the order of things).

    Raises ``PlanError`` (unreadable or edited plan), ``WrongTarget`` (made for another target), ``StalePlan`` (the
    org's mapping moved since planning and changes are still to make: re-run plan), and the ``GenesysError`` of a
    read or a refused PUT as it came (``genesys.outbound.explain_outbound_error`` explains it); ``OSError`` when
    the record beside the plan cannot be written."""
    from wrapup_bridge.genesys.errors import AmbiguousWrite, GenesysAPIError
    from wrapup_bridge.genesys.outbound import is_version_conflict, read_mapping, write_mapping

    plan = read_plan(plan_file)
    if not connection.answers_to(plan.target):
        raise WrongTarget(
            f"{plan_file}: this plan was made for {plan.target_description} ({plan.target}), not for "
            f"{connection.description}: make a plan on this target"
        )
    current = await read_mapping(connection.client)
    left = plan.diff.still_needed(current)
    if left.empty:
        result = ApplyResult(plan, "nothing-to-change", 0, left, current.version, current.version)
        if not dry_run:
            result.record = record_path(plan_file)
            _Record(result.record, plan).write("nothing-to-change", version=current.version)
        return result
    if current.version != plan.version:
        raise StalePlan(_moved(plan, current))
    body = left.put_body(current)
    if dry_run:
        return ApplyResult(plan, "dry-run", 0, left, current.version, body=body)

    record = _Record(record_path(plan_file), plan)
    record.write("put", version=current.version, changes=len(left.changes), default_set=left.default_set is not None)
    try:
        written = await write_mapping(connection.client, body)
    except AmbiguousWrite as exc:
        # Sent, but no answer: whether Genesys applied it is read, never guessed (and the PUT is not sent again).
        after = await read_mapping(connection.client)
        if left.still_needed(after).empty:
            result = _checked(plan, left, current, after, body, record)
            result.problems.insert(0, f"the PUT got no answer ({exc}); the read-back shows it was applied")
            return result
        record.write("not-answered", error=exc.to_dict(), version=after.version)
        raise
    except GenesysAPIError as exc:
        if is_version_conflict(exc):
            record.write("stale", error=exc.to_dict())
            raise StalePlan(
                [
                    f"Genesys refused the PUT because the org's mapping changed since it was read ({exc}); nothing was "
                    "changed: run `wrapup-bridge outbound plan` again and apply the new plan"
                ]
            ) from exc
        record.write("refused", error=exc.to_dict())
        raise
    after = await read_mapping(connection.client)
    result = _checked(plan, left, current, after, body, record)
    if written.version is not None and after.version is not None and written.version != after.version:
        result.problems.append(
            f"the PUT answered version {written.version} but a read right after shows {after.version}"
        )
    return result


def _checked(
    plan: OutboundPlan,
    left: OutboundDiff,
    before: CurrentMapping,
    after: CurrentMapping,
    body: dict[str, Any],
    record: _Record,
) -> ApplyResult:
    """The read-back: every change written must hold in ``after``."""
    missing = left.still_needed(after)
    problems = [f"after the PUT, Genesys still reads {line}" for line in missing.describe()]
    outcome: Outcome = "not-verified" if problems else "applied"
    record.write(outcome, version_before=before.version, version_after=after.version, problems=problems, writes=1)
    return ApplyResult(plan, outcome, 1, left, before.version, after.version, body, problems, record.path)


def _moved(plan: OutboundPlan, current: CurrentMapping) -> list[str]:
    moves = mapping_moves(plan.current_mapping, current)
    return [
        f"the org's outbound wrap-up code mapping changed since you planned (read at version {plan.version} on "
        f"{plan.read_at}, now {current.version}): " + "; ".join(moves) + ". Nothing was changed: re-run `wrapup-bridge "
        "outbound plan` and review the new diff"
    ]
