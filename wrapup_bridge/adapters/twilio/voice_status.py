"""Format ``voice-status``: Voice StatusCallback form bodies and async AMD callbacks, as system outcomes.

Outbound dialers built on Twilio Voice never show the agent a disposition for calls nobody answered: the
outcome is what Twilio reports about the call. Files hold one URL-encoded body per line; a live payload is
the dict of decoded parameters (names matched without case or underscores, like the ``taskrouter`` format).
Event Streams delivers the same callbacks as CloudEvents of type ``com.twilio.voice.status-callback.call.*``
with the parameters under ``data.request.parameters``; they read the same (errors name
``data.request.parameters.<Name>``), and the CloudEvent ``time`` stands in for a missing ``Timestamp``.

- ``code`` = ``AnsweredBy`` when present and not ``human`` (``machine_start``, ``machine_end_beep``,
  ``machine_end_silence``, ``machine_end_other``, ``fax``, ``unknown``), else ``CallStatus`` (``busy``,
  ``no-answer``, ``failed``, ``canceled``, ``completed``, ...), exactly as written.
  ``fields["outcome_source"]`` says which (``AnsweredBy`` or ``CallStatus``).
- Not dispositions (skipped in files, refused as payloads): non-terminal statuses (``queued``,
  ``initiated``, ``ringing``, ``in-progress``, ``answered``), and an AMD callback that found a human and
  carries no status: the agent's own disposition applies to that call.
- ``fields``: ``call_status``, ``answered_by``, ``sip_response_code``, ``direction``, ``call_duration``,
  ``machine_detection_duration``, ``parent_call_sid`` when present, and ``outcome_kind`` = ``system``.
- ``fields["from"]``, ``["to"]``, ``["caller"]``, ``["called"]``: the numbers (or client / SIP identifiers) as
  written, which correlation (``core.correlate.spec.PLATFORM_FIELDS["twilio"]``) reads as the calling and the
  dialled number together with ``direction``. ``From`` / ``To`` / ``Caller`` / ``Called`` / ``Direction`` are
  base StatusCallback parameters (../shared/reference/twilio.md §3, from the Call resource docs); ``From`` is the
  party that placed the call (the caller id on ``outbound-api`` / ``outbound-dial`` calls), ``To`` the one
  called; ``Caller`` / ``Called`` are their older names, carrying the same values.
- ``source_id`` = ``CallSid``; ``occurred_at`` = ``Timestamp`` (RFC 2822; ISO 8601 and epoch also read);
  ``media`` is voice. Genesys conversation id: the parameter named by ``options.conversation_id_field``,
  by default ``GenesysConversationId`` (e.g. added to the StatusCallback URL's query by the dialer).
- Field map places are parameter names (``fields.code: SipResponseCode``); ``media`` cannot be placed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wrapup_bridge.adapters.twilio._record import (
    Parts,
    RecordContext,
    Settings,
    canonical,
    canonical_key,
    conversation_id,
    finish,
    scalar_text,
)
from wrapup_bridge.adapters.twilio.cloudevents import is_cloudevent, voice_parameters
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
    # the numbers, for correlation
    ("from", "From", "from"),
    ("to", "To", "to"),
    ("caller", "Caller", "caller"),
    ("called", "Called", "called"),
)


def looks_like(record: Mapping[Any, Any]) -> bool:
    canon, _ = canonical(record)
    return "callsid" in canon and ("callstatus" in canon or "answeredby" in canon)


def parse(record: Any, rec: RecordContext, settings: Settings) -> Disposition:
    """One status or AMD callback (decoded form parameters, or its Event Streams CloudEvent) -> Disposition."""
    if not isinstance(record, Mapping):
        raise rec.error(f"expected Voice callback parameters, got {type(record).__name__}")
    envelope_time: Any = None
    if is_cloudevent(record):
        inner, prefix = voice_parameters(record)
        if inner is None:
            raise rec.error("this Voice CloudEvent has no form parameters (data.request.parameters)", prefix)
        params, spelled = canonical(inner)
        spelled = {k: prefix + v for k, v in spelled.items()}
        envelope_time = record.get("time")
    else:
        params, spelled = canonical(record)

    def name(key: str, default: str) -> str:
        return spelled.get(key, default)

    def text(key: str, default: str) -> str | None:
        return scalar_text(params.get(key), name(key, default), rec)

    def lookup(place: str) -> tuple[Any, str] | None:
        key = canonical_key(place)
        return (params[key], name(key, place)) if key in params else None

    call_sid = text("callsid", "CallSid")
    if call_sid is None and "source_id" not in settings.fields.places:
        raise rec.error("no CallSid: not a Voice status callback", name("callsid", "CallSid"))
    if call_sid is not None:
        rec.ident = f"CallSid {call_sid.strip()}"
        rec.put("source_id", name("callsid", "CallSid"))
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
    rec.put("code", name(origin.lower(), origin))

    fields = {"outcome_kind": "system", "outcome_source": origin}
    for key, default, target in _FIELDS:
        value = text(key, default)
        if value is not None:
            fields[target] = value
            rec.put(f"fields.{target}", name(key, default))
    param = settings.conversation_id_field or "GenesysConversationId"
    cid_key = canonical_key(param)
    cid_field = name(cid_key, param)
    rec.put("conversation_id", cid_field if params.get(cid_key) is not None else None)
    when_field = name("timestamp", "Timestamp")
    when = rec.time(params.get("timestamp"), when_field, settings)
    if when is None and envelope_time is not None:
        when, when_field = rec.time(envelope_time, "time", settings), "time"
    rec.put("occurred_at", when_field if when is not None else None)
    parts = Parts(
        source_id=call_sid,
        code=code,
        fields=fields,
        media=Media.VOICE,
        occurred_at=when,
        conversation_id=conversation_id(params.get(cid_key), cid_field, rec),
    )
    return finish(
        rec,
        parts,
        settings,
        lookup,
        missing_sid=("no CallSid: not a Voice status callback", name("callsid", "CallSid")),
    )
