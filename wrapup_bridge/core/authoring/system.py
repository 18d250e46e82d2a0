"""Which records carry no outcome of their own: the legacy values ``mapping init`` proposes to skip.

Not every value in a disposition column is a disposition. Some say that nobody chose one; some are what a platform
writes about the call or the task rather than how the interaction ended. Mapping them to a Genesys code would put a
made-up outcome on the agent's participant, so they are proposed as ``skip`` (a reviewer can still map them).

Only values the adapters really produce are listed, each with where it comes from (../shared/reference):

- any platform: an empty value (Five9 and Twilio write none; the CXone adapter turns disposition id ``0``, "no
  disposition", into ``''``: ``adapters/cxone``; cxone.md section 3 lists no value 0);
- Five9: ``No Disposition``, system disposition id 0 (five9.md 1.5: the value agents pick when there is nothing to
  record, and the one offered on personal-DID calls);
- Twilio: a task's completion or cancel reason (``TaskCompletedReason`` / ``TaskCanceledReason`` on TaskRouter
  events, ``reason`` on Task resources), which the adapters use as the code only when the task has no
  ``conversations.outcome``, as Flex Insights does (twilio.md section 1: "Insights uses it as Outcome when
  conversations.outcome is not set"); Voice ``CallStatus`` ``completed`` (the call connected: the agent's own
  disposition is on the task, twilio.md section 3 "human / completed: fall through to the agent disposition") and
  AMD ``AnsweredBy`` ``unknown`` (detection could not tell, twilio.md section 3).

System values that ARE outcomes (``busy``, ``no-answer``, AMD ``machine_*``, ``fax``, Five9 ``Abandon``, CXone
``Answering Machine``) are not here: they are proposed a code by name like any other value. Pure: reads the record.
"""

from __future__ import annotations

from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.normalize import normalize_text

__all__ = ["BLANK", "skip_reason"]

BLANK = "No disposition was recorded (the value is empty)."
_FIVE9_NONE = "Five9's system disposition 'No Disposition' (id 0): the agent chose no outcome."
_TWILIO_REASON = (
    "A TaskRouter completion or cancel reason, used as the outcome only because the task had none (as Flex "
    "Insights does): not an agent's disposition."
)
_TWILIO_COMPLETED = "Twilio Voice status 'completed': the call connected; the agent's disposition comes from the task."
_TWILIO_AMD_UNKNOWN = "Twilio answering-machine detection could not tell who answered ('unknown'): no outcome."

#: ``fields["outcome_source"]`` values of the Twilio adapters that mean "the task's reason, not an outcome".
_TWILIO_REASON_SOURCES = frozenset({"TaskCompletedReason", "TaskCanceledReason", "reason"})


def skip_reason(disposition: Disposition) -> str | None:
    """Why ``disposition`` carries no outcome to map (the text a ``skip:`` rule gives), or None when it may."""
    code = normalize_text(disposition.code)
    if not code:
        return BLANK
    source = disposition.source
    if source == "five9":
        return _FIVE9_NONE if code == "no disposition" else None
    if source == "twilio":
        origin = disposition.fields.get("outcome_source", "")
        if origin in _TWILIO_REASON_SOURCES:
            return _TWILIO_REASON
        if origin == "CallStatus" and code == "completed":
            return _TWILIO_COMPLETED
        if origin == "AnsweredBy" and code == "unknown":
            return _TWILIO_AMD_UNKNOWN
    return None
