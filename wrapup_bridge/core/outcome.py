"""Where a disposition was aimed on Genesys and what became of it.

These are platform-neutral records: the Genesys sink fills them, the ledger stores them, reports count them.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from wrapup_bridge.core.decision import Decision
from wrapup_bridge.core.disposition import Disposition, Media

__all__ = ["SYSTEM_CODE_PREFIX", "Outcome", "OutcomeKind", "WrapupTarget", "is_system_code"]

#: Wrap-up codes Genesys stamps itself (``ININ-WRAP-UP-TIMEOUT`` when after-call work timed out,
#: ``ININ-OUTBOUND-*`` from the dialer, ...). They are not catalog entries and no agent chose them.
SYSTEM_CODE_PREFIX = "ININ-"
_SYSTEM_CODE_RE = re.compile(r"^ININ-[A-Za-z0-9_-]+$")


def is_system_code(value: str | None) -> bool:
    """True for a code Genesys applied on its own (``ININ-*``), as opposed to one an agent chose."""
    return bool(value) and bool(_SYSTEM_CODE_RE.match(value or ""))


class WrapupTarget(BaseModel):
    """The exact participant and communication a wrap-up is applied to, and what it carries now."""

    model_config = ConfigDict(frozen=True)

    conversation_id: str
    participant_id: str
    communication_id: str
    media: Media
    media_path: str
    queue_id: str | None = None
    user_id: str | None = None
    current_code: str | None = Field(default=None, description="Id of the wrap-up code already on the participant")
    current_name: str | None = None
    #: How the ids were found: "conversation" (GET /api/v2/conversations/{id}, authoritative) or "analytics"
    #: (batch lookup, whose sessionId-as-communication-id is an assumption checked when a write says not found).
    resolved_by: str = "conversation"
    #: Why this participant was chosen, in words ("the agent the record names", "the last agent who connected").
    chosen_by: str = ""
    #: Said when the choice is weaker than the record asked for (an agent fallback was used); reports count it.
    fallback: str | None = None
    #: Agent participants of the conversation passed over because they never connected (alerts that rang out or
    #: were declined): real conversations have them, and a wrap-up written on one is on the wrong participant.
    missed_legs: int = 0

    @property
    def current_is_system(self) -> bool:
        """The participant carries a code Genesys stamped itself (no agent chose it)."""
        return is_system_code(self.current_code)


class OutcomeKind(StrEnum):
    """The end state of one disposition."""

    APPLIED = "applied"  #: Genesys accepted the wrap-up
    REPLACED_SYSTEM_CODE = "replaced-system-code"  #: accepted, in place of a code Genesys had stamped (ININ-*)
    ALREADY_APPLIED = "already-applied"  #: the same code was already there; nothing written
    CONFLICT = "conflict"  #: another code is already there; nothing written (overwrite not asked)
    UNMAPPED = "unmapped"  #: the mapping table has no code for it
    SKIPPED = "skipped"  #: the mapping table deliberately leaves it alone
    NO_TARGET = "no-target"  #: no conversation id, or no agent participant/communication to wrap up
    REJECTED = "rejected"  #: Genesys answered 4xx; the error body says why
    FAILED = "failed"  #: retries or the time budget ran out (429/5xx/network); safe to retry later
    QUEUED = "queued"  #: not delivered yet; kept in a durable outbox for a later drain

    @property
    def wrote(self) -> bool:
        """Genesys accepted a write of ours for this disposition."""
        return self in (OutcomeKind.APPLIED, OutcomeKind.REPLACED_SYSTEM_CODE)

    @property
    def is_final(self) -> bool:
        """True when retrying would not change anything without a fix by a person."""
        return self not in (OutcomeKind.FAILED, OutcomeKind.QUEUED)


class Outcome(BaseModel):
    """What happened to one disposition, in words a person can act on."""

    model_config = ConfigDict(frozen=True)

    kind: OutcomeKind
    reason: str
    disposition: Disposition | None = None
    decision: Decision | None = None
    target: WrapupTarget | None = None
    #: The Genesys error envelope (status, code, message, messageParams, contextId) for rejected/failed writes.
    error: dict[str, Any] | None = None
    correlation_id: str | None = None
    #: Things worth a look that did not stop the write (a code renamed in Genesys since the table was reviewed...).
    warnings: tuple[str, ...] = ()
