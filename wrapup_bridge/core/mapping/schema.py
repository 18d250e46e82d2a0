"""The mapping table's file format (``version: 1``), as pydantic models.

This is the contract with operations leads: what keys a table may have and what each means. The published
JSON Schema (``wrapup-bridge mapping schema``) is generated from these models, so editors and the loader can
never disagree. Semantics that a schema cannot express (aliases that must exist, regexes that must compile)
are checked by ``table.py`` and reported together with these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from wrapup_bridge.core.correlate.spec import CorrelateSpec
from wrapup_bridge.core.disposition import FIELD_KEYS, GENESYS_ID_RE, Media
from wrapup_bridge.core.outbound.spec import OutboundSpec

__all__ = [
    "CodeSpec",
    "Condition",
    "ConditionKind",
    "MappingDocument",
    "ReviewSpec",
    "RuleSpec",
    "SourceSpec",
    "UnmappedAction",
    "UnmappedSpec",
]

_MAX_TEXT = 4096


class ConditionKind(StrEnum):
    EXACT = "exact"  #: equal to one of the values, after normalization
    GLOB = "glob"  #: shell-style pattern (``*``, ``?``, ``[abc]``) over the normalized text
    REGEX = "regex"  #: RE2 regular expression (linear time) searched in the normalized text, case-insensitive


@dataclass(frozen=True)
class Condition:
    """One ``when:`` entry as written: a kind and the values or patterns it holds."""

    kind: ConditionKind
    values: tuple[str, ...]

    def to_yaml(self) -> Any:
        if self.kind is ConditionKind.EXACT:
            return self.values[0] if len(self.values) == 1 else list(self.values)
        return {self.kind.value: self.values[0] if len(self.values) == 1 else list(self.values)}


def _text(value: Any, what: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        text = str(value)
        if len(text) > _MAX_TEXT:
            raise ValueError(f"{what} is longer than {_MAX_TEXT} characters")
        return text
    raise ValueError(f"{what} must be text, got {type(value).__name__}")


def _texts(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, list):
        if not value:
            raise ValueError(f"{what} is an empty list, which can never match; remove the condition or add values")
        return tuple(_text(v, what) for v in value)
    return (_text(value, what),)


def _parse_condition(value: Any) -> Condition:
    if isinstance(value, Condition):
        return value
    if value is None:
        raise ValueError("condition has no value; to match an empty or missing value write '' (quoted)")
    if isinstance(value, dict):
        if len(value) != 1:
            raise ValueError("a pattern condition has exactly one key: 'glob' or 'regex'")
        ((key, raw),) = value.items()
        if key not in ("glob", "regex"):
            raise ValueError(
                f"unknown condition {key!r}: write a value, a list of values, {{glob: ...}} or {{regex: ...}}"
            )
        kind = ConditionKind(key)
        patterns = _texts(raw, key)
        if kind is ConditionKind.REGEX:
            from wrapup_bridge.core.mapping.patterns import compile_regex

            for pattern in patterns:
                compile_regex(pattern)  # RegexError (a ValueError) says why, at the rule's line
        return Condition(kind, patterns)
    return Condition(ConditionKind.EXACT, _texts(value, "value"))


_TEXT_OR_TEXTS = {"anyOf": [{"type": ["string", "number", "boolean"]}, {"type": "array", "minItems": 1, "items": {"type": ["string", "number", "boolean"]}}]}  # fmt: skip
_CONDITION_SCHEMA: dict[str, Any] = {
    "description": "A value (exact match after normalization), a list of values (any of them), "
    "{glob: pattern} or {regex: pattern}. Missing fields compare as ''.",
    "anyOf": [
        *_TEXT_OR_TEXTS["anyOf"],
        {"type": "object", "additionalProperties": False, "required": ["glob"], "properties": {"glob": _TEXT_OR_TEXTS}},
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["regex"],
            "properties": {"regex": _TEXT_OR_TEXTS},
        },
    ],
}

ConditionField = Annotated[
    Condition,
    PlainValidator(_parse_condition),
    PlainSerializer(lambda c: c.to_yaml(), return_type=Any),
    WithJsonSchema(_CONDITION_SCHEMA),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_max_length=_MAX_TEXT)


class CodeSpec(_Strict):
    """A Genesys wrap-up code the rules refer to by alias."""

    id: str = Field(pattern=GENESYS_ID_RE.pattern, description="The wrap-up code id (a UUID) Genesys needs")
    name: str = Field(min_length=1, description="The code's name in Genesys, as a human check against drift")
    description: str | None = None


class RuleSpec(_Strict):
    """When every condition holds, apply ``code`` (an alias from ``codes:``) or deliberately ``skip``."""

    when: dict[str, ConditionField] = Field(
        description="Conditions, all of which must hold. 'code' is the legacy disposition; 'media' and 'agent' the "
        "record's; any other key names a field (campaign, call_type, queue, conversation_attribute_2, ...)."
    )
    code: str | None = Field(default=None, description="Alias of the code to apply (a key of 'codes:')")
    skip: str | None = Field(default=None, description="Leave matching records alone; the text says why")
    notes: str | None = None

    @model_validator(mode="after")
    def _code_xor_skip(self) -> RuleSpec:
        if not self.when:
            raise ValueError(
                "'when' has no conditions; a rule must say what it matches (use {glob: '*'} for 'anything')"
            )
        if (self.code is None) == (self.skip is None):
            raise ValueError("a rule needs exactly one of 'code' (an alias to apply) or 'skip' (a reason)")
        return self


class UnmappedAction(StrEnum):
    DEAD_LETTER = "dead-letter"  #: keep the record for a person to decide (the default)
    SKIP = "skip"  #: deliberately leave records no rule matches alone
    FALLBACK = "fallback"  #: apply the fallback ``code``


class UnmappedSpec(_Strict):
    """What happens to a record no rule matches."""

    action: UnmappedAction = UnmappedAction.DEAD_LETTER
    code: str | None = Field(default=None, description="Alias applied when action is 'fallback'")
    reason: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return {"action": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _fallback_needs_code(self) -> UnmappedSpec:
        if self.action is UnmappedAction.FALLBACK and not self.code:
            raise ValueError("action 'fallback' needs 'code': the alias of the code to apply")
        if self.action is not UnmappedAction.FALLBACK and self.code:
            raise ValueError(f"'code' is only used with action 'fallback' (action is {self.action.value!r})")
        return self


class ReviewSpec(_Strict):
    """Who owns the table and when it was last reviewed."""

    owner: str | None = None
    reviewed_at: date | None = None
    approved_by: str | None = None
    ticket: str | None = None
    notes: str | None = None


class SourceSpec(_Strict):
    """Which legacy platform the table reads and how this migration's exports are shaped: the format, where each
    part of a disposition is (``fields``), how local times read, where the Genesys conversation id was stored."""

    platform: Literal["twilio", "five9", "cxone"] | None = None
    format: str | None = Field(default=None, description="Adapter input format when it should not be detected")
    conversation_id: str | None = Field(
        default=None, description="Field path / column / call variable holding the Genesys conversation id"
    )
    media: Media | None = Field(default=None, description="Informational: the media most records have")
    fields: dict[str, str | list[str]] = Field(
        default_factory=dict,
        description="Where the export keeps each part of a disposition: code, source_id, agent, agent_name, time, "
        "notes, media (a column, parameter or dotted path; a list tries each in order; time may join two with "
        "'+', e.g. DATE+TIME)",
    )
    timezone: str | None = Field(default=None, description="IANA zone of local times without an offset")
    time_format: str | None = Field(
        default=None, description="strptime pattern of the export's times (%d/%m/%Y %H:%M), or iso, epoch, epoch-ms"
    )
    date_order: Literal["mdy", "dmy", "ymd"] | None = Field(
        default=None, description="How numeric dates read when no time_format is given (11/24/2025 is mdy)"
    )
    region: Literal["us", "uk", "ca", "de"] | None = Field(
        default=None, description="Five9 data centre of the domain: decides the zone its reports are written in"
    )
    catalog: str | None = Field(
        default=None,
        description="Side file the adapter joins names from (CXone dispositions, Five9 types), relative to the table",
    )
    preset: str | None = Field(
        default=None,
        description="A named starting point for a common export variant (five9-warehouse, twilio-insights-us, ...: "
        "`wrapup-bridge normalize --list-presets`); the settings here win over it",
    )
    encoding: str | None = Field(
        default=None,
        description="How the exports' bytes read when they are not UTF-8: cp1252 (Excel on Windows), latin-1, "
        "utf-16 ... (any Python codec name)",
    )

    @field_validator("preset")
    @classmethod
    def _known_preset(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None:
            from wrapup_bridge.core.mapping.presets import preset_named

            preset_named(value, info.data.get("platform"))
        return value

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from wrapup_bridge.core.encodings import check_encoding

        check_encoding(value)
        return value

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, value: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        for key, places in value.items():
            if key not in FIELD_KEYS:
                raise ValueError(f"unknown field {key!r}; fields places: {', '.join(FIELD_KEYS)}")
            items = [places] if isinstance(places, str) else places
            if not items or not all(isinstance(p, str) and p.strip() for p in items):
                raise ValueError(f"field {key!r} needs a column, parameter or path")
        return value


def _no_rules() -> list[RuleSpec]:
    """``default_factory=list``, as a Python function: pydantic reads a factory's signature, and the first reader of
    a builtin's (``list``'s text signature) compiles ``tokenize``'s big regex, ~3 ms of the live cold start."""
    return []


class MappingDocument(_Strict):
    """A wrapup-bridge mapping table: legacy dispositions to Genesys Cloud wrap-up codes."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, title="wrapup-bridge mapping table", json_schema_extra={"$id": "mapping-v1"}
    )

    version: Literal[1] = Field(description="Format version; always 1")
    description: str | None = None
    source: SourceSpec | None = None
    review: ReviewSpec | None = None
    codes: dict[str, CodeSpec] = Field(description="Aliases for Genesys wrap-up codes, used by rules")
    rules: list[RuleSpec] = Field(default_factory=_no_rules, description="Tried in file order; the first match wins")
    unmapped: UnmappedSpec = Field(default_factory=UnmappedSpec)
    agents: dict[str, str] = Field(
        default_factory=dict,
        description="Agent directory: the legacy agent (login, id or name, as the records carry it) -> the Genesys "
        "user who is that person (a user id, or the user's e-mail / login). A record's wrap-up is only written on "
        "the participant of the agent it names; this is how a legacy login is recognised in Genesys.",
    )
    correlate: CorrelateSpec | None = Field(
        default=None,
        description="How records without a Genesys conversation id are matched to conversations (wrapup-bridge "
        "correlate): time tolerance, where the numbers are, required parts, weights, threshold and margin",
    )
    outbound: OutboundSpec | None = Field(
        default=None,
        description="Genesys outbound wrap-up flags of the codes (wrapup-bridge outbound plan|apply): per legacy "
        "disposition type or outcome, per code, and the org's defaultSet",
    )

    @field_validator("agents")
    @classmethod
    def _agents_are_filled(cls, value: dict[str, str]) -> dict[str, str]:
        for legacy, genesys in value.items():
            if not legacy.strip():
                raise ValueError("an agent directory entry has an empty legacy agent")
            if not genesys.strip():
                raise ValueError(f"agent {legacy!r} maps to nothing; give a Genesys user id, e-mail or login")
        return value

    @model_validator(mode="before")
    @classmethod
    def _version_as_number(cls, value: Any) -> Any:
        # The located YAML reader keeps scalars as text; the version is the one number the format has.
        if isinstance(value, dict) and value.get("version") == "1":
            return {**value, "version": 1}
        return value
