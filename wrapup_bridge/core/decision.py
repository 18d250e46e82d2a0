"""What the mapping table says about one disposition.

A ``Decision`` is never ``None`` and never an exception for ordinary input: an unknown value is an
explicit ``unmapped`` decision with its reason, so every record lands somewhere a person can see it.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

__all__ = ["CodeRef", "Decision", "DecisionKind", "RuleRef"]


class DecisionKind(StrEnum):
    """Why the record will or will not get a Genesys wrap-up code."""

    MAPPED = "mapped"  #: a rule matched and names a code
    FALLBACK = "fallback"  #: no rule matched; the table's ``unmapped`` policy supplies a code
    SKIP = "skip"  #: a rule, or the ``unmapped`` policy, says to deliberately leave it alone
    UNMAPPED = "unmapped"  #: no rule matched; dead-lettered for a person to decide


class CodeRef(BaseModel):
    """A Genesys wrap-up code as the table names it: the id Genesys needs and the name people check it by."""

    model_config = ConfigDict(frozen=True)

    alias: str
    id: str
    name: str


class RuleRef(BaseModel):
    """Which rule decided: its position (1-based, as people count) and the YAML line it starts on."""

    model_config = ConfigDict(frozen=True)

    number: int
    line: int
    notes: str | None = None

    def __str__(self) -> str:
        return f"rule #{self.number} (line {self.line})"


class Decision(BaseModel):
    """The outcome of resolving one disposition against a mapping table."""

    model_config = ConfigDict(frozen=True)

    kind: DecisionKind
    code: CodeRef | None = None
    rule: RuleRef | None = None
    reason: str

    @property
    def applies(self) -> bool:
        """True when a Genesys code should be applied (a rule matched, or the fallback code)."""
        return self.code is not None and self.kind in (DecisionKind.MAPPED, DecisionKind.FALLBACK)
