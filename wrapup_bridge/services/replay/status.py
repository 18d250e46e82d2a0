"""What of a plan is applied, still pending, or dead (by class): read from its ledger and dead letters only.

Status talks to no target, so it answers on a machine without credentials, while a run is going, or long after.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wrapup_bridge.services.replay.errors import ReplayError

if TYPE_CHECKING:
    from wrapup_bridge.core.replay.ledger import LedgerSnapshot
    from wrapup_bridge.services.replay.paths import ReplayPaths

__all__ = ["ReplayStatus", "replay_status"]


@dataclass(frozen=True)
class ReplayStatus:
    """A plan's state. ``still_not_applied``: the dead-letter file's entries once it was made current (a retry may
    have resolved some of what the ledger counts as dead), or the ledger's dead count when there is no file."""

    plan: Path
    plan_id: str
    target: str
    items: int
    #: None until something of the plan was applied.
    ledger: Path | None
    applied: int = 0
    replaced_system_code: int = 0
    already_applied: int = 0
    skipped: int = 0
    duplicate: int = 0
    not_started: int = 0
    in_flight: int = 0
    dead_by_class: dict[str, int] = field(default_factory=dict)
    dead_letters: Path = Path()
    dead_letter_entries: dict[str, int] = field(default_factory=dict)
    #: Why the dead-letter file could not be read, when it could not.
    dead_letters_problem: str | None = None
    still_not_applied: int = 0

    @property
    def pending(self) -> int:
        return self.not_started + self.in_flight

    @property
    def dead(self) -> int:
        return sum(self.dead_by_class.values())

    @property
    def complete(self) -> bool:
        """Every item finished and nothing still not applied."""
        return not self.pending and not self.still_not_applied

    def to_dict(self) -> dict[str, Any]:
        """As ``replay status --json`` prints it."""
        return {
            "plan": str(self.plan),
            "plan_id": self.plan_id,
            "target": self.target,
            "items": self.items,
            "ledger": str(self.ledger) if self.ledger is not None else None,
            "applied": {
                "total": self.applied + self.replaced_system_code,
                "applied": self.applied,
                "replaced-system-code": self.replaced_system_code,
            },
            "already_applied": self.already_applied,
            "skipped": self.skipped,
            "duplicate": self.duplicate,
            "pending": {"total": self.pending, "not_started": self.not_started, "in_flight": self.in_flight},
            "dead": {
                "total": self.dead,
                "by_class": dict(self.dead_by_class),
                "retried_by_apply": self.dead_by_class.get("failed", 0),
                "still_not_applied": self.still_not_applied,
            },
            "dead_letters": {
                "path": str(self.dead_letters),
                "entries": sum(self.dead_letter_entries.values()),
                "by_class": dict(self.dead_letter_entries),
                "problem": self.dead_letters_problem,
            },
        }


def replay_status(paths: ReplayPaths) -> ReplayStatus:
    """The state of the plan of ``paths``; ``ReplayError`` when the plan or its ledger cannot be read, or the
    ledger belongs to another plan."""
    from wrapup_bridge.core.replay.deadletter import DEAD_LETTER_CLASSES, DeadLetterError, read_dead_letters
    from wrapup_bridge.core.replay.ledger import LedgerError, State, read_ledger
    from wrapup_bridge.services.replay.apply import open_plan_or_fail

    opened = open_plan_or_fail(paths.plan, check_items=False, note="")
    header = opened.header
    snapshot: LedgerSnapshot | None = None
    if paths.ledger.exists():
        try:
            snapshot = read_ledger(paths.ledger)
        except LedgerError as exc:
            raise ReplayError(str(exc)) from exc
        if snapshot.plan_id is not None and snapshot.plan_id != header.plan_id:
            raise ReplayError(f"{paths.ledger} belongs to plan {snapshot.plan_id}, not {header.plan_id} ({paths.plan})")
    finished: Counter[str] = Counter()
    dead: Counter[str] = Counter()
    in_flight = rows = 0
    for (state, outcome), count in (snapshot.counts if snapshot is not None else Counter()).items():
        rows += count
        if state != State.DONE.value or outcome is None:
            in_flight += count
        elif outcome in DEAD_LETTER_CLASSES:
            dead[outcome] += count
        else:
            finished[outcome] += count
    letters: Counter[str] = Counter()
    problem = None
    if paths.dead_letters.is_file():
        try:
            for _, entry in read_dead_letters(paths.dead_letters):
                if entry.get("plan_id") in (None, header.plan_id):
                    letters[str(entry.get("class") or "unknown")] += 1
        except DeadLetterError as exc:
            problem = str(exc)
    current = paths.dead_letters.is_file() and not problem
    return ReplayStatus(
        plan=paths.plan,
        plan_id=header.plan_id,
        target=header.target_id or header.target,
        items=opened.summary.items,
        ledger=paths.ledger if snapshot is not None else None,
        applied=finished["applied"],
        replaced_system_code=finished["replaced-system-code"],
        already_applied=finished["already-applied"],
        skipped=finished["skipped"],
        duplicate=finished["duplicate"],
        not_started=max(0, opened.summary.items - rows),
        in_flight=in_flight,
        dead_by_class=dict(dead),
        dead_letters=paths.dead_letters,
        dead_letter_entries=dict(letters),
        dead_letters_problem=problem,
        still_not_applied=sum(letters.values()) if current else sum(dead.values()),
    )
