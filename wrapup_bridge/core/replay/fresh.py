"""When ``apply`` may use the plan's own target lookups instead of reading every target again right before writing.

Planning looked every target up in batches (analytics conversation details) moments ago; reading them all again
right before writing costs one more call per batch (40 calls per 2,000 writes) and tells nothing new when nothing
can have changed. What the re-read protects against is someone else writing a wrap-up on the participant between
planning and applying (an agent, the live bridge, another replay). Applying writing twice is not among them: that is
the ledger's job (an item without a ledger row was never sent by this plan), and it does not depend on reading.

A plan is *fresh*, and its lookups stand in for a re-read, when all of these hold:

- it was made less than ``max_age`` seconds ago (default 300), measured from its header's ``created_at``, which is
  taken before its first lookup, so no lookup is older than that; checked again before each batch, so a long run
  goes back to re-reading once its plan has aged; a plan stamped in the future (clocks apart) is not fresh;
- it is not stale: the mapping table, the inputs and the org's wrap-up code catalog (its fingerprint) are what the
  plan was made with (``replay apply --force`` on a stale plan re-reads);
- this is its first apply: the ledger holds nothing of an earlier run. A resume after a crash or a stop, or a
  second apply, re-reads; anything the ledger says was tried before is re-checked before it is written again.

Whatever is re-read or reused, the write path still honours the code the target shows (same code: nothing written;
another agent's code: a conflict unless overwrite was planned), and in-flight items are re-checked first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from wrapup_bridge.core.clock import utc_now

__all__ = ["DEFAULT_MAX_AGE", "PlanFreshness"]

#: Seconds a plan's lookups stand in for a re-read ("made minutes ago").
DEFAULT_MAX_AGE = 300.0


@dataclass(frozen=True)
class PlanFreshness:
    """Whether a plan's target lookups may be reused now (see the module). ``not_fresh`` holds the reasons that
    rule it out for the whole run (stale, resumed); the age is checked on each call of ``fresh``."""

    made_at: datetime
    max_age: float = DEFAULT_MAX_AGE
    not_fresh: tuple[str, ...] = ()
    now: Callable[[], datetime] = utc_now

    def age(self) -> float:
        """Seconds since the plan was made (negative when its stamp is in the future)."""
        return (self.now() - self.made_at).total_seconds()

    def fresh(self) -> bool:
        """The plan's lookups may stand in for a re-read of the next batch."""
        return not self.not_fresh and 0 <= self.age() < self.max_age

    def why(self) -> str:
        """In words, why the plan's lookups are reused or not (for the report)."""
        if self.not_fresh:
            return "; ".join(self.not_fresh)
        age = self.age()
        if age < 0:
            return "the plan is stamped in the future (this machine's clock and the planner's disagree)"
        if age >= self.max_age:
            return f"the plan was made {age:.0f} s ago, more than {self.max_age:g} s"
        return f"the plan was made {age:.0f} s ago (under {self.max_age:g} s), with the catalog it was made with"
