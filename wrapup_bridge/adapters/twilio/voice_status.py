"""Format ``voice-status``: Voice StatusCallback form bodies and async AMD callbacks, as system outcomes.

Outbound dialers built on Twilio Voice never show the agent a disposition for calls nobody answered: the
outcome is what Twilio reports about the call. Files hold one URL-encoded body per line; a live payload is
the dict of decoded parameters (names matched without case or underscores, like the ``taskrouter`` format).

- ``code`` = ``AnsweredBy`` when present and not ``human`` (``machine_start``, ``machine_end_beep``,
  ``machine_end_silence``, ``machine_end_other``, ``fax``, ``unknown``), else ``CallStatus`` (``busy``,
  ``no-answer``, ``failed``, ``canceled``, ``completed``, ...), exactly as written.
  ``fields["outcome_source"]`` says which (``AnsweredBy`` or ``CallStatus``).
- Not dispositions (skipped in files, refused as payloads): non-terminal statuses (``queued``,
  ``initiated``, ``ringing``, ``in-progress``, ``answered``), and an AMD callback that found a human and
  carries no status: the agent's own disposition applies to that call.
- ``fields``: ``call_status``, ``answered_by``, ``sip_response_code``, ``direction``, ``call_duration``,
  ``machine_detection_duration``, ``parent_call_sid`` when present, and ``outcome_kind`` = ``system``.
- ``source_id`` = ``CallSid``; ``occurred_at`` = ``Timestamp`` (RFC 2822; ISO 8601 and epoch also read);
  ``media`` is voice. Genesys conversation id: the parameter named by ``options.conversation_id_field``,
  by default ``GenesysConversationId`` (e.g. added to the StatusCallback URL's query by the dialer).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from wrapup_bridge.adapters.twilio._record import (
    RecordContext,
    Settings,
    build,
    canonical,
    conversation_id,
    scalar_text,
)
from wrapup_bridge.core.disposition import Disposition, Media

__all__ = ["NON_TERMINAL_STATUSES", "looks_like", "parse"]

NON_TERMINAL_STATUSES = frozenset({"queued", "initiated", "ringing", "in-progress", "answered"})
_FIELDS = (
    ("callstatus", "CallStatus", "call_status"),
    ("answeredby", "AnsweredBy", "answered_by"),
    ("sipresponsecode", "SipResponseCode", "sip_response_code"),
    ("direction", "Direction", "direction"),
    ("callduration", "CallDuration", "call_duration"),
    ("machinedetectionduration", "MachineDetectionDuration", "machine_detection_duration"),
    ("parentcallsid", "ParentCallSid", "parent_call_sid"),
)


def looks_like(record: Mapping[Any, Any]) -> bool:
    canon, _ = canonical(record)
    return "callsid" in canon and ("callstatus" in canon or "answeredby" in canon)


def parse(record: Any, rec: RecordContext, settings: Settings) -> Disposition:
    """One status or AMD callback (decoded form parameters) -> Disposition."""
    if not isinstance(record, Mapping):
        raise rec.error(f"expected Voice callback parameters, got {type(record).__name__}")
    params, spelled = canonical(record)

    def name(key: str, default: str) -> str:
        return spelled.get(key, default)

    def text(key: str, default: str) -> str | None:
        return scalar_text(params.get(key), name(key, default), rec)

    call_sid = text("callsid", "CallSid")
    if call_sid is None:
        raise rec.error("no CallSid: not a Voice status callback", name("callsid", "CallSid"))
    rec.ident = f"CallSid {call_sid.strip()}"
    status = text("callstatus", "CallStatus")
    answered_by = text("answeredby", "AnsweredBy")
    if answered_by is not None and answered_by.strip().lower() != "human":
        code, origin = answered_by, "AnsweredBy"
    elif status is None:
        if answered_by is not None:
            raise rec.skip(
                "AnsweredBy 'human' with no CallStatus: a person answered, so the agent's disposition applies",
                skip_key="AnsweredBy human",
                field=name("answeredby", "AnsweredBy"),
            )
        raise rec.error("neither CallStatus nor AnsweredBy is set", name("callstatus", "CallStatus"))
    elif status.strip().lower() in NON_TERMINAL_STATUSES:
        raise rec.skip(
            f"CallStatus {status.strip()!r} is not a final call outcome",
            skip_key=f"CallStatus {status.strip()}",
            field=name("callstatus", "CallStatus"),
        )
    else:
        code, origin = status, "CallStatus"

    fields = {"outcome_kind": "system", "outcome_source": origin}
    for key, default, target in _FIELDS:
        value = text(key, default)
        if value is not None:
            fields[target] = value
    param = settings.conversation_id_field or "GenesysConversationId"
    cid_key = re.sub(r"[_\-\s]", "", param).lower()
    cid_field = name(cid_key, param)
    return build(
        rec,
        source_id=call_sid.strip(),
        code=code,
        fields=fields,
        media=Media.VOICE,
        occurred_at=rec.time(params.get("timestamp"), name("timestamp", "Timestamp"), settings),
        conversation_id=conversation_id(params.get(cid_key), cid_field, rec),
        origins={"source_id": name("callsid", "CallSid"), "conversation_id": cid_field},
    )
