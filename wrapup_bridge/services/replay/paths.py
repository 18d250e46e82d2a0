"""Where a replay's files live: a plan, and beside it its ledger and dead letters, so one name finds them all."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ReplayPaths", "default_plan", "retry_plan"]


@dataclass(frozen=True)
class ReplayPaths:
    """A plan and its companions: the ledger (what is done, for resuming) and the dead letters (what did not
    apply, with why). They sit beside the plan unless named."""

    plan: Path
    ledger: Path
    dead_letters: Path

    @classmethod
    def beside(cls, plan: Path, ledger: Path | None = None, dead_letters: Path | None = None) -> ReplayPaths:
        stem = plan.name.removesuffix(".jsonl").removesuffix(".plan")
        return cls(
            plan,
            ledger or plan.with_name(f"{stem}.ledger.sqlite"),
            dead_letters or plan.with_name(f"{stem}.deadletter.jsonl"),
        )


def default_plan(inputs: Iterable[str]) -> Path:
    """``calls.plan.jsonl`` in the current folder for ``exports/calls.csv`` (``stdin.plan.jsonl`` for stdin)."""
    first = next((i for i in inputs if i != "-"), "stdin")
    return Path(Path(first).name.split(".")[0] + ".plan.jsonl")


def retry_plan(dead_letter_file: Path) -> Path:
    """``X.retry.plan.jsonl`` beside the dead letters, or ``X.retry-N.plan.jsonl`` when an earlier retry's plan is
    there (each retry is a plan of its own, with its own ledger: an earlier one is kept, not overwritten)."""
    stem = dead_letter_file.name.removesuffix(".jsonl")
    candidate = dead_letter_file.with_name(f"{stem}.retry.plan.jsonl")
    number = 1
    while candidate.exists() or ReplayPaths.beside(candidate).ledger.exists():
        number += 1
        candidate = dead_letter_file.with_name(f"{stem}.retry-{number}.plan.jsonl")
    return candidate
