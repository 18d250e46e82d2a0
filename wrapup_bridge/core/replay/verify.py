"""Checking a planned item before it is applied: a plan is a file people review, and can edit.

``replay apply`` writes what an item says only when the item is what planning made of its record:

- the mapping table (the one the plan pins, loaded once) still gives the item's code for its record: an item whose
  code id was edited by hand is refused, with what the table gives instead;
- the item's key is the key of its record and code (the idempotency key the ledger counts on);
- an item that does not write cannot be turned into one that does (an ``unmapped`` or ``skip`` record made a
  ``write``);
- its line still matches the check written with it (version 2 plans): its record, target, action or reason were
  not changed after planning.

A refused item is never applied as edited: ``apply`` counts it as ``invalid`` and dead-letters it with the reason.
Everything here is in-process work on the already-loaded table (a few microseconds an item): no API call.
"""

from __future__ import annotations

from wrapup_bridge.core.decision import CodeRef, Decision
from wrapup_bridge.core.mapping.table import MappingTable
from wrapup_bridge.core.replay.plan import Action, PlanHeader, PlanItem, item_key

__all__ = ["EDITED", "ItemVerifier"]

#: How every refusal starts (a person searching the dead letters finds them all).
EDITED = "item edited after planning"

#: Actions planning gives a record whose decision applies no code.
_NO_CODE_ACTIONS = frozenset({Action.UNMAPPED, Action.SKIP, Action.DUPLICATE})


def _code(code: CodeRef | None) -> str:
    return f"{code.name!r} ({code.id})" if code is not None else "no code"


def _gives(decision: Decision) -> str:
    if decision.code is not None and decision.applies:
        return _code(decision.code)
    return f"no code ({decision.kind.value}: {decision.reason})"


class ItemVerifier:
    """Refuses items that are not what planning made (see the module docstring).

    ``table``: the mapping table to re-derive decisions with, None when it cannot be loaded (then only the checks
    written with the items are compared). ``table_is_pinned``: False when the table on disk is not the one the
    plan pins (applied with ``--force``): decisions are then re-derived with the table as it is now, and a refusal
    says so.
    """

    def __init__(self, header: PlanHeader, table: MappingTable | None, *, table_is_pinned: bool = True) -> None:
        self.header = header
        self.table = table
        self.table_is_pinned = table_is_pinned
        self.refused = 0

    def refusal(self, item: PlanItem) -> str | None:
        """Why ``item`` must not be applied as it stands, or None."""
        reason = self._refusal(item)
        if reason is not None:
            self.refused += 1
        return reason

    def _refusal(self, item: PlanItem) -> str | None:
        record, planned = item.record, item.decision
        if record is not None:
            if planned is None:
                return f"{EDITED}: it holds a record but no decision"
            if self.table is not None:
                derived = self.table.resolve(record)
                if not _same_write(derived, planned):
                    table = (
                        "the mapping" if self.table_is_pinned else "the mapping as it is now (changed since planning)"
                    )
                    return (
                        f"{EDITED}: {table} gives {_gives(derived)} for {record.code!r}, the item says "
                        f"{_says(planned)}; it was not applied"
                    )
            code = planned.code if planned.applies else None
            if item.key != item_key(record, code.id if code is not None else None):
                return f"{EDITED}: its key does not match its record and code (source id, conversation or code changed)"
            if not planned.applies and item.action not in _NO_CODE_ACTIONS:
                return f"{EDITED}: the mapping gives no code for {record.code!r}, the item says {item.action.value!r}"
            if planned.applies and item.action is Action.UNMAPPED:
                return (
                    f"{EDITED}: the mapping gives {_code(planned.code)} for {record.code!r}, the item says 'unmapped'"
                )
        elif item.action is not Action.INVALID:
            return f"{EDITED}: a {item.action.value!r} item without its record"
        if item.sealed is False:
            return (
                f"{EDITED}: its line no longer matches the check written with it (its record, target, action or "
                "reason were changed, or the line was copied from another plan)"
            )
        return None


def _says(decision: Decision) -> str:
    if decision.code is not None and decision.applies:
        return decision.code.id
    if decision.code is not None:
        return f"{decision.code.id} (as {decision.kind.value})"
    return f"no code ({decision.kind.value})"


def _same_write(derived: Decision, planned: Decision) -> bool:
    """The same thing would be written: same kind of decision, same code id and name (what the request carries)."""
    if derived.kind != planned.kind:
        return False
    if derived.code is None or planned.code is None:
        return derived.code is None and planned.code is None
    return derived.code.id == planned.code.id and derived.code.name == planned.code.name
