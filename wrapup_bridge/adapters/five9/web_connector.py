"""Five9 web-connector (call-variable) payloads to records.

A web connector fired on ``OnCallDispositioned`` posts the call variables Five9 substitutes into its URL or body
(five9.md 3): ``call.disposition_name``, ``call.call_id``, ``agent.user_name`` and so on. They arrive as a JSON object
with flat dotted keys (``{"call.call_id": ...}``), as nested objects (``{"call": {"call_id": ...}}``), or as a
url-encoded query string or form body; files hold one payload per line (JSON lines or form bodies) or a JSON array.
Variable names match case-insensitively (Five9's IVR spells ``Call.disposition_name``).

Record: code = ``call.disposition_name`` as written (the variable must be present; an empty value is code ``""``);
source_id = ``call.call_id``, else ``call.session_id``; notes = ``call.comments``; agent = ``agent.user_name``;
occurred_at = ``call.end_timestamp``, else ``call.start_timestamp`` (Pacific local time unless it carries an offset;
formats in ``_time``); media from ``call.mediatype``. Fields: other ``call.X`` variables under ``X``, with
``campaign`` (campaign_name), ``skill`` (skill_name), ``call_type`` (type_name), ``call_type_id`` (type) and
``media_type`` (mediatype) renamed to match the Call Log; ``agent.X`` under ``agent_X`` (``agent_full_name``,
``agent_id``); any other variable (custom call variables such as ``Customer.account``) under its normalized name.
Send only the variables the migration needs: every variable posted is kept.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl

from pydantic import ValidationError

from wrapup_bridge.adapters._common import text_or_none
from wrapup_bridge.adapters.base import Five9RecordError
from wrapup_bridge.adapters.five9._time import parse_five9_time
from wrapup_bridge.adapters.five9._values import agent_or_none, check_conversation_id, media_for
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.normalize import normalize_key, normalize_text

__all__ = ["DEFAULT_CONVERSATION_VARIABLES", "WebConnectorReader", "parse_form"]

#: Where the conversation id is looked for when ``options.conversation_id_field`` is not set, in this order.
DEFAULT_CONVERSATION_VARIABLES = ("Genesys.conversation_id", "genesys_conversation_id")

_RENAMED = {
    "call.campaign_name": "campaign",
    "call.skill_name": "skill",
    "call.type_name": "call_type",
    "call.type": "call_type_id",
    "call.mediatype": "media_type",
}
_CONSUMED = frozenset({"call.disposition_name", "call.call_id", "call.comments", "agent.user_name"})


class _Variables:
    """A payload flattened to lower-cased dotted names, keeping each name as it was written for messages."""

    def __init__(self, payload: Mapping[str, Any]) -> None:
        self.values: dict[str, tuple[str, Any]] = {}
        self._flatten(payload, "")

    def _flatten(self, obj: Mapping[Any, Any], prefix: str) -> None:
        for key, value in obj.items():
            name = f"{prefix}{key}"
            if isinstance(value, Mapping) and value:
                self._flatten(value, f"{name}.")
                continue
            lower = name.lower()
            if lower in self.values and self.values[lower][1] != value:
                raise ValueError(name, f"{name!r} is given twice with different values")
            self.values[lower] = (name, value)

    def text(self, name: str) -> str | None:
        found = self.values.get(name.lower())
        return text_or_none(found[1]) if found else None

    def present(self, name: str) -> bool:
        return name.lower() in self.values

    def spelled(self, name: str) -> str:
        found = self.values.get(name.lower())
        return found[0] if found else name


def parse_form(text: str) -> dict[str, str]:
    """A url-encoded query string, form body or whole URL as a dict; a name repeated with different values is an error."""
    body = text.strip()
    if body.lower().startswith(("http://", "https://")) and "?" in body:
        body = body.split("?", 1)[1]
    body = body.removeprefix("?")
    result: dict[str, str] = {}
    for name, value in parse_qsl(body, keep_blank_values=True):
        if name in result and result[name] != value:
            raise ValueError(name, f"{name!r} is given twice with different values")
        result[name] = value
    return result


class WebConnectorReader:
    """Turns one web-connector payload into a Disposition; see the module docstring for the rules."""

    def __init__(self, *, conversation_field: str | None, catalog: Mapping[str, str]) -> None:
        self.conversation_fields = (conversation_field,) if conversation_field else DEFAULT_CONVERSATION_VARIABLES
        self.catalog = catalog

    def convert(self, payload: Mapping[str, Any], *, record: str, input_name: str | None) -> Disposition:
        """Raise Five9RecordError naming ``record`` and the variable when the payload cannot be read."""

        def error(message: str, field: str | None) -> Five9RecordError:
            return Five9RecordError(message, record=record, field=field, input_name=input_name, raw=dict(payload))

        try:
            variables = _Variables(payload)
        except ValueError as exc:
            raise error(exc.args[1], exc.args[0]) from None
        except RecursionError:
            raise error("the payload is nested too deeply to be a web-connector payload", None) from None
        if not variables.present("call.disposition_name"):
            raise error(
                "call.disposition_name is missing; add it to the web connector's parameters", "call.disposition_name"
            )
        code = variables.text("call.disposition_name") or ""
        source_id = variables.text("call.call_id") or variables.text("call.session_id")
        if source_id is None:
            raise error(
                "neither call.call_id nor call.session_id is set; the call cannot be identified", "call.call_id"
            )
        occurred_at, ambiguous = None, False
        for name in ("call.end_timestamp", "call.start_timestamp"):
            stamp = variables.text(name)
            if stamp is not None:
                try:
                    occurred_at, ambiguous = parse_five9_time(stamp)
                except ValueError as exc:
                    raise error(str(exc), variables.spelled(name)) from None
                break
        conversation_id, conversation_key = None, None
        for name in self.conversation_fields:
            if variables.present(name):
                conversation_key = name.lower()
                try:
                    conversation_id = check_conversation_id(variables.text(name))
                except ValueError as exc:
                    raise error(str(exc), variables.spelled(name)) from None
                break
        fields = self._fields(variables, conversation_key)
        if ambiguous:
            fields["timestamp_ambiguous"] = "true"
        if "disposition_type" not in fields and (kind := self.catalog.get(normalize_text(code))):
            fields["disposition_type"] = kind
        media, known = media_for(variables.text("call.mediatype"))
        if not known:
            fields["media_type_unknown"] = "true"
        try:
            return Disposition(
                source="five9",
                source_id=source_id.strip() or source_id,
                conversation_id=conversation_id,
                code=code,
                fields=fields,
                notes=variables.text("call.comments"),
                agent=agent_or_none(variables.text("agent.user_name")),
                media=media,
                occurred_at=occurred_at,
            )
        except ValidationError as exc:
            problem = exc.errors()[0]
            raise error(str(problem["msg"]), ".".join(str(p) for p in problem["loc"])) from None

    def read_lines(self, text: str, input_name: str) -> Iterator[Disposition | Five9RecordError]:
        """Form bodies, one per line (blank lines skipped)."""
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                yield self.convert_form(line, record=f"line {number}", input_name=input_name)

    def convert_form(self, line: str, *, record: str, input_name: str) -> Disposition | Five9RecordError:
        """One url-encoded body; the error keeps the line as written in ``raw`` so it can be retried as is."""
        try:
            return self.convert(parse_form(line), record=record, input_name=input_name)
        except Five9RecordError as exc:
            exc.raw = line
            return exc
        except ValueError as exc:
            return Five9RecordError(exc.args[1], record=record, field=exc.args[0], input_name=input_name, raw=line)

    @staticmethod
    def _fields(variables: _Variables, conversation_key: str | None) -> dict[str, str]:
        fields: dict[str, str] = {}
        # Built-in variables first, so a custom variable that happens to share a field name never displaces one.
        ordered = sorted(variables.values.items(), key=lambda item: not item[0].startswith(("call.", "agent.")))
        for lower, (_, value) in ordered:
            text = text_or_none(value)
            if text is None or lower in _CONSUMED or lower == conversation_key:
                continue
            if lower in _RENAMED:
                key = _RENAMED[lower]
            elif lower.startswith("call."):
                key = normalize_key(lower[5:])
            elif lower.startswith("agent."):
                key = "agent_" + normalize_key(lower[6:])
            else:
                key = normalize_key(lower)
            if key:
                fields.setdefault(key, text)
        return fields
