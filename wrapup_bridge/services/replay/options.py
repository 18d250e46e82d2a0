"""How a replay's writes are made: chosen when planning, recorded in the plan, followed when applying.

The options are written into the plan's header, so the plan a person reviewed is applied the way it was planned
(whoever applies it, with whatever flags), and a plan made by an older version still reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from wrapup_bridge.genesys.sink import ApplyOptions

__all__ = ["DEFAULT_BUDGET", "PlanOptions"]

#: How long one Genesys call may take, retries and waits included, unless a run says otherwise.
DEFAULT_BUDGET = 60.0


@dataclass(frozen=True)
class PlanOptions:
    """``overwrite``: replace another code already on the participant (else a conflict). ``historical``: leave the
    wrap-up end time alone (a late write must not stretch the agent's after-call work). ``allowed_check``: check that
    the participant's queue allows the code first (``queue``), ask Genesys per participant, or ``off``. ``budget``:
    seconds one call may take. ``system_codes``: ``replace`` codes Genesys stamped itself (``ININ-*``, no agent chose
    them) or ``keep`` them. ``agent_fallback``: when the record's agent did not handle the conversation, no target
    (``none``) or the last agent who connected."""

    overwrite: bool = False
    historical: bool = True
    allowed_check: Literal["queue", "participant", "off"] = "queue"
    budget: float = DEFAULT_BUDGET
    system_codes: Literal["replace", "keep"] = "replace"
    agent_fallback: Literal["none", "last-connected"] = "none"

    def to_dict(self) -> dict[str, Any]:
        """As written in the plan's header."""
        return asdict(self)

    @classmethod
    def from_dict(cls, options: Mapping[str, Any]) -> PlanOptions:
        """From a plan's header; what it does not say (an older plan) keeps its default, an unknown value the safe
        one."""
        allowed = options.get("allowed_check", "queue")
        return cls(
            overwrite=bool(options.get("overwrite")),
            historical=bool(options.get("historical", True)),
            allowed_check=allowed if allowed in ("queue", "participant", "off") else "queue",
            budget=float(options.get("budget") or DEFAULT_BUDGET),
            system_codes="keep" if options.get("system_codes") == "keep" else "replace",
            agent_fallback="last-connected" if options.get("agent_fallback") == "last-connected" else "none",
        )

    def apply_options(self, budget: float | None = None) -> ApplyOptions:
        """The sink's options for these (``budget``: this run's, over the plan's)."""
        from wrapup_bridge.genesys.sink import ApplyOptions

        return ApplyOptions(
            overwrite=self.overwrite,
            historical=self.historical,
            allowed_check=self.allowed_check,
            budget=budget if budget is not None else self.budget,
            system_codes=self.system_codes,
            agent_fallback=self.agent_fallback,
        )
