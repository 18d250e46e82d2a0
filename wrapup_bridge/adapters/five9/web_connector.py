"""Five9 web-connector (call-variable) payloads to records.

A web connector fired on ``OnCallDispositioned`` posts the call variables Five9 substitutes into its URL or body
(five9.md 3): ``call.disposition_name``, ``call.call_id``, ``agent.user_name`` and so on. They arrive as a JSON object
with flat dotted keys (``{"call.call_id": ...}``), as nested objects (``{"call": {"call_id": ...}}``), or as a
url-encoded query string or form body; files hold one payload per line (JSON lines or form bodies) or a JSON array.
Variable names match case-insensitively (Five9's IVR spells ``Call.disposition_name``).

Record, by default: code = ``call.disposition_name`` as written (the variable must be present; an empty value is
code ``""``); source_id = ``call.call_id``, else ``call.session_id``; notes = ``call.comments``; agent =
``agent.user_name``; occurred_at = ``call.end_timestamp``, else ``call.start_timestamp`` (local time of the domain's
data centre unless it carries an offset; see ``_time``); media from ``call.mediatype``. Fields: other ``call.X``
variables under ``X``, with ``campaign`` (campaign_name), ``skill`` (skill_name), ``call_type`` (type_name),
``call_type_id`` (type) and ``media_type`` (mediatype) renamed to match the Call Log; ``agent.X`` under ``agent_X``
(``agent_full_name``, ``agent_id``); any other variable (custom call variables such as ``Customer.account``) under
its normalized name. Send only the variables the migration needs: every variable posted is kept.

The parameter names are the admin's choice (``Disposition=@Call.disposition_name@``, ``ANI=@Call.ANI@``): the field
map (``options.fields``) reads code, source_id, agent, agent_name (as ``fields["agent_name"]``), time (one name, or
``A+B`` joined), conversation_id, notes and media from any parameter name or dotted path, alternatives tried in
order; the variables it places for code, source_id, agent, agent_name and notes become those parts and are not
copied into fields (times and the media type stay fields too, as by default). A variable Five9 could not substitute arrives as its literal placeholder (``@Call.ANI@``): it is read as
missing, never as a value, and listed in ``fields["unsubstituted_variables"]``; for the code that is an error (the
disposition is unknown, and a record must never carry ``@Call.disposition_name@`` as its disposition).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from pydantic import ValidationError

from wrapup_bridge.adapters._common import text_or_none
from wrapup_bridge.adapters.base import Five9RecordError
from wrapup_bridge.adapters.explain import Origins
from wrapup_bridge.adapters.fields import FieldMap
from wrapup_bridge.adapters.five9._time import Five9Clock
from wrapup_bridge.adapters.five9._values import agent_or_none, check_conversation_id, media_for
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.normalize import normalize_key, normalize_text

__all__ = ["DEFAULT_CONVERSATION_VARIABLES", "PLACEHOLDER_RE", "WebConnectorReader", "parse_form"]

#: Where the conversation id is looked for when ``options.conversation_id_field`` is not set, in this order.
DEFAULT_CONVERSATION_VARIABLES = ("Genesys.conversation_id", "genesys_conversation_id")

#: What Five9 leaves in place of a variable it could not substitute: ``@Call.ANI@``, ``@Customer.Language@``.
PLACEHOLDER_RE = re.compile(r"^\s*@\s*[A-Za-z_][\w-]*(?:\.[\w -]+)+@\s*$")

_RENAMED = {
    "call.campaign_name": "campaign",
    "call.skill_name": "skill",
    "call.type_name": "call_type",
    "call.type": "call_type_id",
    "call.mediatype": "media_type",
}
#: Default places of the parts of a record, tried in order.
_DEFAULTS: dict[str, tuple[str, ...]] = {
    "code": ("call.disposition_name",),
    "source_id": ("call.call_id", "call.session_id"),
    "agent": ("agent.user_name",),
    "notes": ("call.comments",),
    "time": ("call.end_timestamp", "call.start_timestamp"),
    "media": ("call.mediatype",),
}
#: Variables that become a Disposition attribute rather than a field, when the field map does not move them.
_CONSUMED: dict[str, tuple[str, ...]] = {
    "code": ("call.disposition_name",),
    "source_id": ("call.call_id",),
    "agent": ("agent.user_name",),
    "notes": ("call.comments",),
}


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

    def placeholder(self, name: str) -> bool:
        """Whether ``name`` holds a placeholder Five9 did not substitute (``@Call.ANI@``)."""
        text = self.text(name)
        return text is not None and PLACEHOLDER_RE.match(text) is not None

    def usable(self, name: str) -> str | None:
        """The value of ``name``: None when missing, blank or an unsubstituted placeholder."""
        return None if self.placeholder(name) else self.text(name)

    def label(self, parts: tuple[str, ...]) -> str:
        return "+".join(self.spelled(p) for p in parts)

    def pick(self, places: tuple[tuple[str, ...], ...]) -> tuple[str, str] | None:
        """The first alternative whose variables all hold a usable value (joined by a space), and its label."""
        for parts in places:
            texts = [self.usable(p) for p in parts]
            if all(texts):
                return " ".join(t for t in texts if t), self.label(parts)
        return None


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
    """Turns one web-connector payload into a Disposition; see the module docstring for the rules.

    ``origins``, when given, receives where each part of each record came from (for ``explain``)."""

    def __init__(
        self,
        *,
        conversation_field: str | None,
        catalog: Mapping[str, str],
        fields: FieldMap | None = None,
        clock: Five9Clock | None = None,
        origins: Origins | None = None,
    ) -> None:
        self.fields = fields or FieldMap()
        placed = self.fields.get("conversation_id")
        self.conversation_fields = (
            (conversation_field,) if conversation_field else placed or DEFAULT_CONVERSATION_VARIABLES
        )
        self.catalog = catalog
        self.clock = clock or Five9Clock()
        self.origins = origins
        consumed: set[str] = set()
        for key in ("code", "source_id", "agent", "notes", "agent_name"):
            if self.fields.get(key):
                consumed.update(part.lower() for alternative in self.fields.joined(key) for part in alternative)
            else:
                consumed.update(_CONSUMED.get(key, ()))
        self.consumed = frozenset(consumed)

    def places(self, key: str) -> tuple[tuple[str, ...], ...]:
        """The alternatives for ``key``: the field map's, else the default variables."""
        mapped = self.fields.joined(key)
        return mapped or tuple((name,) for name in _DEFAULTS.get(key, ()))

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
        code, code_from = self._code(variables, error)
        found = variables.pick(self.places("source_id"))
        if found is None:
            raise error(
                _none_set(variables, self.places("source_id")) + "; the call cannot be identified",
                variables.label(self.places("source_id")[0]),
            )
        source_id, source_from = found
        occurred_at, ambiguous, time_from = None, False, None
        stamped = variables.pick(self.places("time"))
        if stamped is not None:
            try:
                instant = self.clock.read(stamped[0])
            except ValueError as exc:
                raise error(str(exc), stamped[1]) from None
            occurred_at, ambiguous = instant.utc, instant.ambiguous
            how = "its own UTC offset, no zone applied" if instant.own_offset else self.clock.zone_name
            time_from = f"{stamped[1]} ({how})"
        conversation_id, conversation_key = None, None
        for name in self.conversation_fields:
            if variables.present(name) and not variables.placeholder(name):
                conversation_key = name.lower()
                try:
                    conversation_id = check_conversation_id(variables.text(name))
                except ValueError as exc:
                    raise error(str(exc), variables.spelled(name)) from None
                break
        fields, field_from = self._fields(variables, self.consumed | {conversation_key or ""})
        if self.fields.get("agent_name") and (named := variables.pick(self.places("agent_name"))):
            fields["agent_name"], field_from["agent_name"] = named[0], f"{named[1]} (field map)"
        unsubstituted = [spelled for lower, (spelled, _) in variables.values.items() if variables.placeholder(lower)]
        if unsubstituted:
            fields["unsubstituted_variables"] = "|".join(unsubstituted)
            field_from["unsubstituted_variables"] = "values Five9 left as @Group.name@ placeholders (read as missing)"
        if ambiguous:
            fields["timestamp_ambiguous"] = "true"
            field_from["timestamp_ambiguous"] = "a time in the repeated hour (first occurrence taken)"
        if "disposition_type" not in fields and (kind := self.catalog.get(normalize_text(code))):
            fields["disposition_type"] = kind
            field_from["disposition_type"] = "--catalog"
        media_value = variables.pick(self.places("media"))
        media, known = media_for(media_value[0] if media_value else None)
        if not known:
            fields["media_type_unknown"] = "true"
            field_from["media_type_unknown"] = "a media type not recognised (read as voice)"
        agent = variables.pick(self.places("agent"))
        notes = variables.pick(self.places("notes"))
        try:
            disposition = Disposition(
                source="five9",
                source_id=source_id.strip() or source_id,
                conversation_id=conversation_id,
                code=code,
                fields=fields,
                notes=notes[0] if notes else None,
                agent=agent_or_none(agent[0] if agent else None),
                media=media,
                occurred_at=occurred_at,
            )
        except ValidationError as exc:
            problem = exc.errors()[0]
            raise error(str(problem["msg"]), ".".join(str(p) for p in problem["loc"])) from None
        if self.origins is not None:
            origins = self.origins
            origins.put("code", code_from)
            origins.put("source_id", source_from)
            if time_from:
                origins.put("occurred_at", time_from)
            if conversation_key is not None:
                origins.put("conversation_id", variables.spelled(conversation_key))
            for key, found_at in (("agent", agent), ("notes", notes)):
                if found_at is not None:
                    origins.put(key, found_at[1])
            origins.put("media", media_value[1] if media_value else "default: voice")
            for key, where in field_from.items():
                origins.put(f"fields.{key}", where)
        return disposition

    def _code(self, variables: _Variables, error: Callable[[str, str | None], Five9RecordError]) -> tuple[str, str]:
        """The disposition and where it was; an unsubstituted placeholder is an error, never a disposition."""
        places = self.places("code")
        blank: str | None = None
        for parts in places:
            if not all(variables.present(p) for p in parts):
                continue
            stuck = next((p for p in parts if variables.placeholder(p)), None)
            if stuck is not None:
                raise error(
                    f"{variables.spelled(stuck)} is the literal placeholder {variables.text(stuck)!r}: Five9 did not "
                    "substitute the variable, so the disposition is unknown; check the variable's name in the web "
                    "connector's parameters (a placeholder is never read as a disposition)",
                    variables.spelled(stuck),
                )
            texts = [variables.text(p) for p in parts]
            if all(texts):
                return " ".join(t for t in texts if t), variables.label(parts)
            blank = blank or variables.label(parts)
        if blank is not None:
            return "", blank
        shown = " or ".join("+".join(parts) for parts in places)
        hint = "add it to the web connector's parameters"
        if self.fields.get("code"):
            hint = "check the field map's code (a parameter name or dotted path) against what the connector posts"
        raise error(f"{shown} is missing; {hint}", variables.spelled(places[0][0]))

    @staticmethod
    def _fields(variables: _Variables, consumed: frozenset[str]) -> tuple[dict[str, str], dict[str, str]]:
        fields: dict[str, str] = {}
        origins: dict[str, str] = {}
        # Built-in variables first, so a custom variable that happens to share a field name never displaces one.
        ordered = sorted(variables.values.items(), key=lambda item: not item[0].startswith(("call.", "agent.")))
        for lower, (spelled, value) in ordered:
            text = text_or_none(value)
            if text is None or lower in consumed or PLACEHOLDER_RE.match(text):
                continue
            if lower in _RENAMED:
                key = _RENAMED[lower]
            elif lower.startswith("call."):
                key = normalize_key(lower[5:])
            elif lower.startswith("agent."):
                key = "agent_" + normalize_key(lower[6:])
            else:
                key = normalize_key(lower)
            if key and key not in fields:
                fields[key] = text
                origins[key] = spelled
        return fields, origins

    def convert_form(self, line: str, *, record: str, input_name: str) -> Disposition | Five9RecordError:
        """One url-encoded body; the error keeps the line as written in ``raw`` so it can be retried as is."""
        try:
            return self.convert(parse_form(line), record=record, input_name=input_name)
        except Five9RecordError as exc:
            return exc.replace(raw=line)
        except ValueError as exc:
            return Five9RecordError(exc.args[1], record=record, field=exc.args[0], input_name=input_name, raw=line)


def _none_set(variables: _Variables, places: tuple[tuple[str, ...], ...]) -> str:
    labels = [variables.label(parts) for parts in places]
    if len(labels) == 1:
        said = f"{labels[0]} is not set"
    elif len(labels) == 2:
        said = f"neither {labels[0]} nor {labels[1]} is set"
    else:
        said = f"none of {', '.join(labels)} is set"
    stuck = [variables.spelled(p) for parts in places for p in parts if variables.placeholder(p)]
    if stuck:
        said += f" ({', '.join(stuck)} arrived as an unsubstituted @placeholder@)"
    return said
