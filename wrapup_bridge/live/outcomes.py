"""What the live bridge answers: an ``Outcome`` that also says where its outbox row is, and drain reports.

Also the one rule that turns an Outcome into the state its outbox row is left in, shared by live applies and
drains so both leave the same rows behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wrapup_bridge.core.decision import Decision
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.outcome import Outcome, OutcomeKind

__all__ = ["BridgeOutcome", "DrainReport", "bridge_outcome", "in_progress", "row_state"]


class BridgeOutcome(Outcome):
    """An ``Outcome`` plus the outbox row that keeps it (queued rows, dead letters, and delivered rows)."""

    outbox_id: int | None = None
    #: The state the outbox row is left in: pending (queued), done, dead (needs a person), or None (no row).
    outbox_state: str | None = None

    def to_json_dict(self) -> dict[str, Any]:
        """What the webhook answers and ``--json`` prints: kind, reason, where it went, and the Genesys error."""
        disposition, decision, target = self.disposition, self.decision, self.target
        return {
            "kind": self.kind.value,
            "reason": self.reason,
            "outbox_id": self.outbox_id,
            "outbox_state": self.outbox_state,
            "source": disposition.source if disposition else None,
            "source_id": disposition.source_id if disposition else None,
            "conversation_id": disposition.conversation_id if disposition else None,
            "legacy_code": disposition.code if disposition else None,
            "code": {"id": decision.code.id, "name": decision.code.name} if decision and decision.code else None,
            "rule": str(decision.rule) if decision and decision.rule else None,
            "participant_id": target.participant_id if target else None,
            "correlation_id": self.correlation_id,
            "warnings": list(self.warnings),
            "error": self.error,
        }


def bridge_outcome(
    outcome: Outcome, outbox_id: int | None = None, outbox_state: str | None = None, **update: Any
) -> BridgeOutcome:
    fields = dict(outcome)
    fields.update(update)
    return BridgeOutcome(**fields, outbox_id=outbox_id, outbox_state=outbox_state)


@dataclass
class DrainReport:
    """What one drain did: rows it picked up, how each ended, and the outcome of each."""

    claimed: int = 0
    states: dict[str, int] = field(default_factory=dict)
    outcomes: list[BridgeOutcome] = field(default_factory=list)

    def add(self, state: str, outcome: BridgeOutcome) -> None:
        self.claimed += 1
        self.states[state] = self.states.get(state, 0) + 1
        self.outcomes.append(outcome)

    @property
    def clean(self) -> bool:
        """True when every row picked up was delivered (nothing dead, nothing left pending)."""
        return all(state == "done" for state in self.states) or not self.states

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "claimed": self.claimed,
            "states": dict(self.states),
            "outcomes": [o.to_json_dict() for o in self.outcomes],
        }


def _is_auth_failure(outcome: Outcome) -> bool:
    """401, or the login host refusing the client (400 ``invalid_client`` as real token errors show), is about the
    bridge's credentials, never about the record: keep it for a retry, not as dead."""
    error = outcome.error or {}
    return outcome.kind is OutcomeKind.REJECTED and (
        error.get("status") == 401 or error.get("type") == "AuthenticationError"
    )


def in_progress(disposition: Disposition, decision: Decision, row_id: int) -> BridgeOutcome:
    return BridgeOutcome(
        kind=OutcomeKind.QUEUED,
        reason=f"the same disposition is already being delivered (outbox row {row_id}); not sent twice",
        disposition=disposition,
        decision=decision,
        outbox_id=row_id,
        outbox_state="in-flight",
    )


def row_state(outcome: Outcome) -> str:
    """Where a delivery attempt leaves its outbox row: done (nothing left to do), pending (worth retrying
    without anyone changing anything), or dead (a person must look)."""
    if outcome.kind.wrote or outcome.kind in (OutcomeKind.ALREADY_APPLIED, OutcomeKind.SKIPPED):
        return "done"
    if outcome.kind in (OutcomeKind.FAILED, OutcomeKind.QUEUED) or _is_auth_failure(outcome):
        return "pending"
    return "dead"
