"""The mapping table's ``outbound:`` section: which Genesys outbound flags each code gets, reviewable by people.

A Five9 disposition's type (or a CXone disposition's classification / system outcome) decides whether a number or a
contact is dialed again; in Genesys that is the outbound wrap-up code mapping, which a migration must set or the
dialer gets it wrong. The section says it in the reviewer's words, smallest first:

- ``types``: Five9 disposition type -> flags (``FinalDisp: [RIGHT_PARTY_CONTACT]``); a type not listed takes the
  built-in default (``core.outbound.defaults``, OURS, named in every plan);
- ``outcomes``: the same for CXone, keyed by classification, system outcome or reporting group;
- ``codes``: code alias -> the code's flags, final (``sale: [RIGHT_PARTY_CONTACT, BUSINESS_SUCCESS]``); it settles a
  code several dispositions disagree on; ``default`` removes the code's entry, so the org's ``defaultSet`` applies;
- ``default_set``: the org's ``defaultSet``; absent, the org's stays as it is;
- ``catalog``: the legacy disposition listing (Five9 ``getDispositions``, CXone skill dispositions), relative to the
  table; absent, ``source.catalog``.

Flags are read in any case (``Right_Party_Contact``) and written UPPER_SNAKE; at most one ``BUSINESS_*`` flag per
list (OURS: whether Genesys refuses two is UNSURE). This module is imported by every table load (the schema), so it
holds only the section's model.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    field_validator,
)

from wrapup_bridge.core.outbound.flags import BUSINESS_FLAGS, OutboundFlag, canonical_flags, parse_flag

__all__ = ["DEFAULT_ENTRY", "FlagList", "OutboundSpec"]

#: The ``codes:`` value that removes a code's entry (the org's ``defaultSet`` then applies to it).
DEFAULT_ENTRY = "default"


def _case_insensitive(word: str) -> str:
    """A JSON Schema (ECMA 262) pattern matching ``word`` in any case, '_' also written ' ' or '-'."""
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else "[_ -]" if c == "_" else c for c in word)


_FLAG_SCHEMA: dict[str, Any] = {
    "description": "An outbound wrap-up flag (any case is read; written UPPER_SNAKE)",
    "anyOf": [
        {"enum": [flag.value for flag in OutboundFlag]},
        {
            "type": "string",
            "pattern": "^(?:" + "|".join(_case_insensitive(flag.value) for flag in OutboundFlag) + ")$",
        },
    ],
}


def _one_business_flag(flags: tuple[OutboundFlag, ...]) -> tuple[OutboundFlag, ...]:
    business = [flag.value for flag in flags if flag in BUSINESS_FLAGS]
    if len(set(business)) > 1:
        raise ValueError(
            f"at most one business flag per list (got {', '.join(business)}): a code has one outcome category"
        )
    return canonical_flags(flags)


Flag = Annotated[
    OutboundFlag,
    PlainValidator(parse_flag),
    PlainSerializer(lambda flag: flag.value, return_type=str),
    WithJsonSchema(_FLAG_SCHEMA),
]
#: A list of flags as a table writes it: any case in, each once, in the enum's order, one business flag at most.
FlagList = Annotated[tuple[Flag, ...], AfterValidator(_one_business_flag)]


def _code_entry(value: Any) -> tuple[OutboundFlag, ...] | Literal["default"]:
    if isinstance(value, str):
        if value.strip().lower() == DEFAULT_ENTRY:
            return "default"
        raise ValueError(f"write a list of flags ([] for none), or {DEFAULT_ENTRY!r} for the org's defaultSet")
    if not isinstance(value, list | tuple):
        raise ValueError(f"write a list of flags ([] for none), or {DEFAULT_ENTRY!r}; got {type(value).__name__}")
    return _one_business_flag(tuple(parse_flag(item) for item in value))


CodeEntry = Annotated[
    tuple[OutboundFlag, ...] | Literal["default"],
    PlainValidator(_code_entry),
    PlainSerializer(lambda entry: entry if isinstance(entry, str) else [f.value for f in entry], return_type=Any),
    WithJsonSchema(
        {
            "description": f"The code's flags, final ([] for none), or {DEFAULT_ENTRY!r}: no entry, the org's "
            "defaultSet applies",
            "anyOf": [{"type": "array", "items": _FLAG_SCHEMA}, {"const": DEFAULT_ENTRY}],
        }
    ),
]


def _five9_type(value: str) -> str:
    from wrapup_bridge.core.outbound.defaults import FIVE9_DISPOSITION_TYPES, five9_type

    found = five9_type(value)
    if found is None:
        import difflib

        hint = difflib.get_close_matches(value, FIVE9_DISPOSITION_TYPES, n=1, cutoff=0.6)
        suggestion = f" (did you mean {hint[0]}?)" if hint else ""
        raise ValueError(
            f"{value!r} is not a Five9 disposition type{suggestion}; types: {', '.join(FIVE9_DISPOSITION_TYPES)}"
        )
    return found


def _filled(value: str) -> str:
    if not value.strip():
        raise ValueError("an empty key; write the text as the legacy system has it")
    return value


def _no_entries() -> dict[str, Any]:
    """``default_factory=dict``, as a Python function (the mapping schema's reason: a builtin's text signature)."""
    return {}


class OutboundSpec(BaseModel):
    """Genesys outbound wrap-up flags for the codes this table writes (``wrapup-bridge outbound plan|apply``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_max_length=4096)

    catalog: str | None = Field(
        default=None,
        description="The legacy dispositions listing (Five9 getDispositions as YAML/JSON, CXone skill dispositions), "
        "relative to the table; default: source.catalog",
    )
    types: dict[Annotated[str, PlainValidator(_five9_type)], FlagList] = Field(
        default_factory=_no_entries,
        description="Five9 disposition type (FinalDisp, DoNotDial, RedialNumber, ...) -> flags; a type not listed "
        "takes the built-in default (ours, shown in every plan)",
    )
    outcomes: dict[Annotated[str, AfterValidator(_filled)], FlagList] = Field(
        default_factory=_no_entries,
        description="CXone classification, system outcome or reporting group (Positive w/Amount, Commitment, ...) "
        "-> flags; compared after normalization",
    )
    codes: dict[str, CodeEntry] = Field(
        default_factory=_no_entries,
        description="Code alias (a key of 'codes:') -> the code's flags, final; 'default' leaves the code to the "
        "org's defaultSet",
    )
    default_set: FlagList | None = Field(
        default=None, description="The org's defaultSet (flags of codes without an entry); absent: left as it is"
    )

    @field_validator("types", mode="before")
    @classmethod
    def _types_once(cls, value: Any) -> Any:
        if isinstance(value, dict):
            from wrapup_bridge.core.outbound.defaults import five9_type

            seen: dict[str, str] = {}
            for key in value:
                if isinstance(key, str) and (kind := five9_type(key)) is not None:
                    other = seen.setdefault(kind, key)
                    if other != key:
                        raise ValueError(f"{key!r} and {other!r} are the same type ({kind}); list it once")
        return value

    @field_validator("outcomes")
    @classmethod
    def _outcomes_once(cls, value: dict[str, tuple[OutboundFlag, ...]]) -> dict[str, tuple[OutboundFlag, ...]]:
        from wrapup_bridge.core.normalize import normalize_text

        seen: dict[str, str] = {}
        for key in value:
            other = seen.setdefault(normalize_text(key), key)
            if other != key:
                raise ValueError(f"{key!r} and {other!r} are the same outcome; list it once")
        return value
