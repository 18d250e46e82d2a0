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
``Answering Machine``) are not here: they are proposed a code by name like any other value.

Some values carry no outcome by themselves but a second field of the same record does (``signal``): a Twilio call
whose status is ``failed`` (or Voice Insights ``fail``) says only that it did not connect, while its
``SipResponseCode`` (twilio.md section 3: "terminal; e.g. 404 unreachable"; "failed: refine with SipResponseCode")
says why, in the meaning RFC 3261 section 21 gives each status (https://www.rfc-editor.org/rfc/rfc3261#section-21):

- 404 Not Found ("the user does not exist at the domain specified in the Request-URI", 21.4.5), 484 Address
  Incomplete (21.4.22) and 604 Does Not Exist Anywhere ("the user indicated in the Request-URI does not exist
  anywhere", 21.6.3): the number does not exist;
- 486 Busy Here (21.4.24) and 600 Busy Everywhere (21.6.1): the line was busy.

Other statuses (408, 480, 487 ...) name no outcome a reviewer would agree on (a timeout, an unavailable subscriber
or a cancelled attempt), so those records stay with the bare value. ``mapping init`` counts a record with a signal
apart from the bare value and proposes for the signal's phrase (``number does not exist`` -> the org's "Wrong
Number" through the reviewed synonyms), in a rule that names the field's values. Pure: reads the record.
"""

from __future__ import annotations

from dataclasses import dataclass

from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.normalize import normalize_text

__all__ = ["BLANK", "SIGNAL_FIELDS", "Signal", "signal", "skip_reason"]

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


@dataclass(frozen=True)
class Signal:
    """A second field of a record that names the outcome its value does not: ``field`` holding one of ``values``
    means ``phrase`` (matched against the org's codes as a legacy value would be), for the reason ``why``."""

    key: str  #: short and stable: part of the value's tally key
    field: str  #: the disposition field (``fields[field]``) a rule's ``when:`` names
    values: tuple[str, ...]  #: what that field holds, as the rule lists them
    phrase: str
    why: str


#: Twilio ``SipResponseCode`` groups (RFC 3261 section 21; module docstring).
_SIP_SIGNALS = (
    Signal(
        "sip-no-such-number",
        "sip_response_code",
        ("404", "484", "604"),
        "number does not exist",
        "SIP 404/484/604 (RFC 3261: Not Found, Address Incomplete, Does Not Exist Anywhere): the number does not "
        "exist or is incomplete",
    ),
    Signal(
        "sip-busy",
        "sip_response_code",
        ("486", "600"),
        "busy",
        "SIP 486/600 (RFC 3261: Busy Here, Busy Everywhere): the line was busy",
    ),
)
_SIP_BY_CODE = {value: s for s in _SIP_SIGNALS for value in s.values}
#: Twilio values that say only that a call failed: ``CallStatus`` ``failed``, Voice Insights ``call_state`` ``fail``.
_TWILIO_FAILED = frozenset({"failed", "fail"})
#: Fields a proposed rule may name beside ``code``: those of the signals.
SIGNAL_FIELDS = frozenset(s.field for s in _SIP_SIGNALS)


def signal(disposition: Disposition) -> Signal | None:
    """The second field that names ``disposition``'s outcome when its value does not (module docstring), or None."""
    if disposition.source != "twilio" or normalize_text(disposition.code) not in _TWILIO_FAILED:
        return None
    sip = disposition.fields.get("sip_response_code", "").strip()
    return _SIP_BY_CODE.get(sip)
