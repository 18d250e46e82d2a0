"""``GET/PUT /api/v2/outbound/wrapupcodemappings``: the org's outbound wrap-up code mapping, one object per org.

What is VERIFIED (docs/reference-outbound.md §1; the official SDK's ``WrapUpCodeMapping`` and ``OutboundApi``): the
two operations and their permissions (``outbound:wrapUpCodeMapping:view`` / ``:edit``), the model's JSON fields
(``id``, ``name``, ``dateCreated``, ``dateModified``, ``version``, ``defaultSet``, ``mapping``, ``selfUri``), that
``version`` is "required for updates, must match the version number of the most recent update", and the six flags.
Everything else is UNSURE and follows a switch of ``EmulatorConfig`` (``outbound_*``):

- the status of a stale ``version`` (409 "Unexpected version was provided", or 400 "does not match the current
  version": the two the provider's retry helper recognises);
- whether PUT replaces the whole mapping or merges the entries it carries;
- whether a code id the org does not have is refused, whether flags must be UPPER_SNAKE, the spelling GET echoes,
  and whether a code may carry two ``BUSINESS_*`` flags.

A missing ``version`` is a 400 that names it. Bodies are read strictly, as Genesys's deserializer does: an unknown
field or a wrong type is a 400 naming it; read-only fields may be sent back and are ignored. An accepted PUT bumps
``version`` by one and stamps ``dateModified``; every accepted body is kept in ``OutboundMappings.history``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from wrapup_bridge.core.disposition import is_genesys_id
from wrapup_bridge.core.outbound.flags import BUSINESS_FLAGS, OutboundFlag, flag_key
from wrapup_bridge.emulator.errors import ApiError

if TYPE_CHECKING:
    from wrapup_bridge.emulator.config import EmulatorConfig
    from wrapup_bridge.emulator.directory import Directory
    from wrapup_bridge.emulator.gateway import Call
    from wrapup_bridge.emulator.org import Org
    from wrapup_bridge.emulator.yamlpos import KeyPath

__all__ = [
    "EDIT_PERMISSION",
    "PATH",
    "VIEW_PERMISSION",
    "OutboundMappingSpec",
    "OutboundMappings",
    "check_outbound_mapping",
    "get_wrapupcode_mappings",
    "put_wrapupcode_mappings",
]

PATH = "/api/v2/outbound/wrapupcodemappings"
#: "Requires ANY permissions" per operation (VERIFIED: platform-client-sdk-cli's outbound_wrapupcodemappings.go).
VIEW_PERMISSION = "outbound:wrapUpCodeMapping:view"
EDIT_PERMISSION = "outbound:wrapUpCodeMapping:edit"

#: The model's JSON fields (SDK ``WrapUpCodeMapping.attribute_map``), the read-only ones last.
_WRITABLE = ("name", "version", "defaultSet", "mapping")
_READ_ONLY = ("id", "dateCreated", "dateModified", "selfUri")
#: The singleton's id and name when the org file gives none (their real values are UNSURE).
DEFAULT_ID = "8bfbb3fe-5c1f-4a6e-9f0d-2b7d4c1e0a55"
DEFAULT_NAME = "Wrap-up Code Mapping"
_EPOCH = datetime(2026, 1, 12, 9, 30, tzinfo=UTC)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class OutboundMappingSpec(BaseModel):
    """The org file's ``outbound_wrapupcode_mapping:``: the mapping the org starts with. Codes by id or name (an id
    the org does not have is kept: deleted codes keep their mappings); flags as written, so a file can hold the
    provider's ``Right_Party_Contact`` spelling."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(default=1, ge=1, description="The mapping's version (bumped by every accepted PUT)")
    default_set: list[Text] = Field(default_factory=list, description="defaultSet: the flags of unmapped codes")
    mapping: dict[Text, list[Text]] = Field(default_factory=dict, description="Code id or name -> flags")
    id: str = DEFAULT_ID
    name: str | None = DEFAULT_NAME
    date_created: datetime | None = None
    date_modified: datetime | None = None


def _flag_problem(text: str) -> str | None:
    try:
        OutboundFlag(flag_key(text))
    except ValueError:
        return f"{text!r} is not an outbound flag ({', '.join(f.value for f in OutboundFlag)})"
    return None


def check_outbound_mapping(spec: OutboundMappingSpec | None, directory: Directory) -> list[tuple[KeyPath, str]]:
    """Problems of the org file's initial mapping: flags that are not flags, code names that name no code."""
    if spec is None:
        return []
    base: KeyPath = ("outbound_wrapupcode_mapping",)
    problems: list[tuple[KeyPath, str]] = []
    for index, flag in enumerate(spec.default_set):
        if (message := _flag_problem(flag)) is not None:
            problems.append(((*base, "default_set", index), message))
    for ref, flags in spec.mapping.items():
        if not is_genesys_id(ref) and isinstance(directory.codes.resolve(ref), str):
            problems.append(((*base, "mapping", ref), str(directory.codes.resolve(ref))))
        for index, flag in enumerate(flags):
            if (message := _flag_problem(flag)) is not None:
                problems.append(((*base, "mapping", ref, index), message))
    return problems


@dataclass
class OutboundMappings:
    """The org's mapping as writes left it, and every body a PUT was accepted with (oldest first)."""

    id: str
    name: str | None
    version: int
    default_set: list[str]
    mapping: dict[str, list[str]]
    date_created: datetime
    date_modified: datetime
    history: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def initial(cls, org: Org) -> OutboundMappings:
        """The org file's mapping (an empty one without the key: what a new org holds is UNSURE)."""
        spec = org.spec.outbound_wrapupcode_mapping or OutboundMappingSpec()
        mapping: dict[str, list[str]] = {}
        for ref, flags in spec.mapping.items():
            found = org.directory.codes.resolve(ref)
            code_id = ref.lower() if isinstance(found, str) else found.id
            mapping[code_id] = list(flags)
        created = spec.date_created or _EPOCH
        return cls(
            spec.id.lower(),
            spec.name,
            spec.version,
            list(spec.default_set),
            mapping,
            created.astimezone(UTC),
            (spec.date_modified or created).astimezone(UTC),
        )

    def to_json(self, config: EmulatorConfig) -> dict[str, Any]:
        from wrapup_bridge.emulator.render import iso

        body: dict[str, Any] = {"id": self.id}
        if self.name is not None:
            body["name"] = self.name
        body |= {
            "dateCreated": iso(self.date_created),
            "dateModified": iso(self.date_modified),
            "version": self.version,
            "defaultSet": [_spelled(f, config) for f in self.default_set],
            "mapping": {code_id: [_spelled(f, config) for f in flags] for code_id, flags in self.mapping.items()},
            "selfUri": PATH,
        }
        return body


def _spelled(flag: str, config: EmulatorConfig) -> str:
    """A flag as the org keeps and GET shows it: as written, or UPPER_SNAKE (``outbound_flag_echo``)."""
    return flag_key(flag) if config.outbound_flag_echo == "upper" else flag


def _state(call: Call) -> OutboundMappings:
    state: OutboundMappings = call.runtime.outbound
    return state


async def get_wrapupcode_mappings(call: Call) -> tuple[int, Any]:
    """GET /api/v2/outbound/wrapupcodemappings: "Get the Dialer wrap up code mapping"."""
    with call.runtime.lock:
        return 200, _state(call).to_json(call.runtime.config)


def _json_type(value: Any) -> str:
    from wrapup_bridge.emulator.writes import json_type

    return json_type(value)


def _flags(value: Any, field_name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(f, str) for f in value):
        raise ApiError.bad_request(
            f"Invalid value for WrapUpCodeMapping.{field_name}: expected an array of strings, got {_json_type(value)}",
            field=field_name,
        )
    return list(value)


@dataclass(frozen=True)
class _Put:
    version: int | None
    default_set: list[str] | None
    mapping: dict[str, list[str]] | None
    name: str | None


def _parse(body: Any) -> _Put:
    if not isinstance(body, Mapping):
        raise ApiError.bad_request(f"The WrapUpCodeMapping body must be a JSON object, not {_json_type(body)}")
    for key in body:
        if key not in (*_WRITABLE, *_READ_ONLY):
            raise ApiError.bad_request(
                f'Unrecognized field "{key}" in WrapUpCodeMapping; known fields: {", ".join((*_READ_ONLY[:1], *_WRITABLE, *_READ_ONLY[1:]))}',
                field=str(key),
            )
    version = body.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise ApiError.bad_request(
            f"Invalid value for WrapUpCodeMapping.version: expected an integer, got {_json_type(version)}",
            field="version",
        )
    name = body.get("name")
    if name is not None and not isinstance(name, str):
        raise ApiError.bad_request("Invalid value for WrapUpCodeMapping.name: expected a string", field="name")
    default_set = None if body.get("defaultSet") is None else _flags(body["defaultSet"], "defaultSet")
    mapping: dict[str, list[str]] | None = None
    raw_mapping = body.get("mapping")
    if raw_mapping is not None:
        if not isinstance(raw_mapping, Mapping):
            raise ApiError.bad_request(
                f"Invalid value for WrapUpCodeMapping.mapping: expected an object, got {_json_type(raw_mapping)}",
                field="mapping",
            )
        mapping = {str(code_id): _flags(flags, f"mapping.{code_id}") for code_id, flags in raw_mapping.items()}
    return _Put(version, default_set, mapping, name)


def _invalid(message: str, field_name: str) -> ApiError:
    return ApiError(400, "invalid.value", message, details=[{"errorCode": "invalid.value", "fieldName": field_name}])


def _check_flags(flags: list[str], field_name: str, config: EmulatorConfig) -> None:
    for flag in flags:
        try:
            OutboundFlag(flag if config.outbound_flag_case == "upper" else flag_key(flag))
        except ValueError:
            raise _invalid(
                f"Invalid value for WrapUpCodeMapping.{field_name}: {flag!r} is not one of "
                f"{', '.join(f.value for f in OutboundFlag)}",
                field_name,
            ) from None
    business = {flag_key(f) for f in flags} & {f.value for f in BUSINESS_FLAGS}
    if config.outbound_business_flags == "one" and len(business) > 1:
        raise _invalid(
            f"Invalid value for WrapUpCodeMapping.{field_name}: at most one of BUSINESS_SUCCESS, BUSINESS_FAILURE, "
            "BUSINESS_NEUTRAL",
            field_name,
        )


async def put_wrapupcode_mappings(call: Call) -> tuple[int, Any]:
    """PUT /api/v2/outbound/wrapupcodemappings: "Update the Dialer wrap up code mapping" (body required)."""
    rt = call.runtime
    config = rt.config
    body = await call.json_body()
    if body is None:
        raise ApiError.bad_request("A WrapUpCodeMapping body is required", field="body")
    put = _parse(body)
    with rt.lock:
        state = _state(call)
        if put.version is None:
            raise ApiError.bad_request(
                "WrapUpCodeMapping.version is required for updates and must match the version of the most recent "
                "update",
                field="version",
            )
        if put.version != state.version:
            if config.outbound_version_conflict_status == 409:
                raise ApiError(
                    409,
                    "conflict",
                    f"Resource conflict - Unexpected version was provided: {put.version} (the current version is "
                    f"{state.version})",
                )
            raise ApiError.bad_request(
                f"The version supplied ({put.version}) does not match the current version ({state.version})",
                field="version",
            )
        if put.default_set is not None:
            _check_flags(put.default_set, "defaultSet", config)
        for code_id, flags in (put.mapping or {}).items():
            _check_flags(flags, f"mapping.{code_id}", config)
            if config.outbound_unknown_codes == "reject" and rt.directory.codes.by_id.get(code_id.lower()) is None:
                raise _invalid(f"Wrap-up code {code_id} in WrapUpCodeMapping.mapping does not exist", "mapping")
        if put.default_set is not None:
            state.default_set = [_spelled(f, config) for f in put.default_set]
        elif config.outbound_put == "replace":
            state.default_set = []
        if put.mapping is not None or config.outbound_put == "replace":
            entries = {code_id: [_spelled(f, config) for f in flags] for code_id, flags in (put.mapping or {}).items()}
            state.mapping = entries if config.outbound_put == "replace" else {**state.mapping, **entries}
        if put.name is not None:
            state.name = put.name
        state.version += 1
        state.date_modified = rt.now()
        state.history.append({"time": state.date_modified, "client_id": call.token.client.client_id, "body": body})
        return 200, state.to_json(config)
