"""Format ``copilot``: the Flex Agent Copilot wrap-up notes webhook (``note_created`` / ``note_updated``).

Copilot is the one Flex feature with real disposition codes (with multi-level topic paths); its webhook is
the only place they leave Twilio, so this reads the payload as documented for the public beta
(https://www.twilio.com/docs/flex/developer/copilot-webhooks).

- ``code`` = ``codes.selected[0].disposition_code`` (the first selected entry that names a code); when the
  agent selected nothing, the first generated code; ``fields["code_origin"]`` says ``selected``,
  ``generated`` or ``none`` (code ``""``).
- ``fields["topic_path"]`` = that entry's ``topic_path`` (``"Topic|Subtopic"``); the documented example spells
  the key ``" topic_path"`` with a leading space, so any key that is ``topic_path`` once trimmed counts.
- ``fields["secondary_codes"]`` = the other selected codes, pipe-joined.
- ``notes`` = ``summary`` (what the agent kept), else ``generated_summary``.
- ``fields``: ``sentiment`` (``sentiment``, else ``generated_sentiment``), ``detected_language``,
  ``event_type``, ``disposition_code_sid``, ``generated_disposition_code_sid``.
- ``source_id`` = ``context.task_sid``, else ``interaction_sid``. ``occurred_at`` = ``date_updated`` or
  ``date_created`` when the payload has them. The payload names no channel, so ``media`` is voice.
- Genesys conversation id: ``options.conversation_id_field`` as a dotted path into the payload, by default
  ``genesys_conversation_id`` then ``context.genesys_conversation_id``.
- Field map places are dotted paths into the payload (``fields.agent: context.worker_email``).

Both events yield a Disposition for the same task: ``note_created`` carries what Copilot generated,
``note_updated`` what the agent completed with; ``fields["event_type"]`` tells them apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wrapup_bridge.adapters._common import get_path
from wrapup_bridge.adapters.twilio._record import (
    Parts,
    RecordContext,
    Settings,
    conversation_id,
    field_text,
    finish,
    first_text,
    scalar_text,
)
from wrapup_bridge.core.disposition import Disposition, Media

__all__ = ["looks_like", "parse"]

_EVENTS = frozenset({"note_created", "note_updated"})
_DEFAULT_CONVERSATION_ID_PATHS = ("genesys_conversation_id", "context.genesys_conversation_id")


def looks_like(record: Mapping[Any, Any]) -> bool:
    event_type = record.get("event_type")
    return (
        "codes" in record or (isinstance(event_type, str) and event_type in _EVENTS) or record.get("type") == "wrapup"
    )


def parse(record: Any, rec: RecordContext, settings: Settings) -> Disposition:
    """One Copilot wrap-up webhook payload -> Disposition."""
    if not isinstance(record, Mapping):
        raise rec.error(f"expected a Copilot webhook JSON object, got {type(record).__name__}")
    context = record.get("context")
    if context is None:
        context = {}
    elif not isinstance(context, Mapping):
        raise rec.error("expected a JSON object", "context")
    missing_sid = ("no context.task_sid or interaction_sid to identify the task by", "context.task_sid")
    sid_key, sid = first_text(context, ("task_sid",), rec, prefix="context.")
    if sid is None:
        sid_key, sid = first_text(record, ("interaction_sid",), rec)
        if sid is None and "source_id" not in settings.fields.places:
            raise rec.error(*missing_sid)
        if sid is not None:
            rec.ident = f"InteractionSid {sid.strip()}"
    else:
        sid_key = f"context.{sid_key}"
        rec.ident = f"TaskSid {sid.strip()}"
    rec.put("source_id", sid_key)

    codes = record.get("codes")
    if codes is None:
        codes = {}
    elif not isinstance(codes, Mapping):
        raise rec.error("expected a JSON object with 'selected' and 'generated' lists", "codes")
    selected = _entries(codes.get("selected"), "codes.selected", rec)
    generated = _entries(codes.get("generated"), "codes.generated", rec)
    fields: dict[str, str] = {}
    if selected:
        (code, topic), origin = selected[0], "selected"
        if len(selected) > 1:
            fields["secondary_codes"] = "|".join(c for c, _ in selected[1:])
    elif generated:
        (code, topic), origin = generated[0], "generated"
    else:
        code, topic, origin = "", None, "none"
    fields["code_origin"] = origin
    if origin != "none":
        rec.put("code", f"codes.{origin}[0].disposition_code")
    if topic is not None:
        fields["topic_path"] = topic
    for target, keys in (
        ("sentiment", ("sentiment", "generated_sentiment")),
        ("detected_language", ("detected_language",)),
        ("event_type", ("event_type",)),
        ("disposition_code_sid", ("disposition_code_sid",)),
        ("generated_disposition_code_sid", ("generated_disposition_code_sid",)),
    ):
        _, value = first_text(record, keys, rec)
        if value is not None:
            fields[target] = value
    notes = field_text(record.get("summary"), "summary", rec) or field_text(
        record.get("generated_summary"), "generated_summary", rec
    )
    if notes is not None:
        rec.put("notes", "summary" if field_text(record.get("summary"), "summary", rec) else "generated_summary")
    when_key, when = first_text(record, ("date_updated", "date_created"), rec)
    rec.put("occurred_at", when_key)
    cid = None
    paths = (settings.conversation_id_field,) if settings.conversation_id_field else _DEFAULT_CONVERSATION_ID_PATHS
    for path in paths:
        value = get_path(record, path)
        if value is not None:
            cid = conversation_id(value, path, rec)
            rec.put("conversation_id", path)
            break

    def lookup(place: str) -> tuple[Any, str] | None:
        value = get_path(record, place)
        return (value, place) if value is not None else None

    parts = Parts(
        source_id=sid,
        code=code,
        fields=fields,
        notes=notes,
        media=Media.VOICE,
        occurred_at=rec.time(when, when_key, settings) if when_key else None,
        conversation_id=cid,
    )
    return finish(rec, parts, settings, lookup, missing_sid=missing_sid, code_source=False)


def _entries(value: Any, field: str, rec: RecordContext) -> list[tuple[str, str | None]]:
    """``(disposition_code, topic_path)`` for each entry of a ``codes`` list that names a code, in order."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise rec.error("expected a JSON array of {disposition_code, topic_path} objects", field)
    entries: list[tuple[str, str | None]] = []
    for index, entry in enumerate(value):
        where = f"{field}[{index}]"
        if not isinstance(entry, Mapping):
            raise rec.error("expected a {disposition_code, topic_path} object", where)
        code = scalar_text(entry.get("disposition_code"), f"{where}.disposition_code", rec)
        if code is None:
            continue
        topic_key = (
            "topic_path"
            if "topic_path" in entry
            else next((k for k in entry if isinstance(k, str) and k.strip() == "topic_path"), None)
        )
        topic = scalar_text(entry.get(topic_key), f"{where}.{topic_key}", rec) if topic_key is not None else None
        entries.append((code, topic))
    return entries
