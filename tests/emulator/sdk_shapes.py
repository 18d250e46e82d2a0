"""Checks of emulator answers against Genesys's official Python SDK (PureCloudPlatformClientV2 269.0.0): every key
an answer holds is a field of the SDK model it deserializes into, with a compatible JSON type, and no enum value
falls outside the model's (the SDK's setters turn those into "outdated_sdk_version"). Shared by the fidelity test
and the analytics tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

__all__ = ["deserialize", "outdated_enums", "sdk", "sdk_problems", "undeclared"]


def sdk() -> Any:
    """Genesys's official SDK (PureCloudPlatformClientV2), imported by the first test that uses it: its import
    takes seconds, which a worker that only collects a module using it does not pay."""
    import PureCloudPlatformClientV2  # type: ignore[import-untyped]

    return PureCloudPlatformClientV2


def deserialize(payload: Any, sdk_type: str) -> Any:
    """``payload`` read as the SDK reads an answer of type ``sdk_type``."""
    return sdk().ApiClient(host="http://unused.invalid")._ApiClient__deserialize(payload, sdk_type)


def sdk_problems(payload: Any, sdk_type: str, what: str = "answer") -> list[str]:
    """Every key, type and enum value of ``payload`` the SDK model ``sdk_type`` does not declare."""
    problems: list[str] = []
    undeclared(payload, sdk_type, what, problems)
    outdated_enums(deserialize(payload, sdk_type), what, problems)
    return problems


_PRIMITIVES = {"str", "int", "float", "bool", "datetime", "date", "object"}


def undeclared(value: Any, type_name: str, path: str, problems: list[str]) -> None:
    """Walk ``value`` as the SDK model ``type_name`` would read it; note keys and types it does not declare."""
    if value is None:
        return
    if type_name.startswith("list["):
        if not isinstance(value, list):
            problems.append(f"{path}: expected a list for {type_name}")
            return
        for index, item in enumerate(value):
            undeclared(item, type_name[5:-1], f"{path}[{index}]", problems)
        return
    if type_name.startswith("dict("):
        inner = type_name[type_name.index(",") + 1 : -1].strip()
        if not isinstance(value, dict):
            problems.append(f"{path}: expected an object for {type_name}")
            return
        for key, item in value.items():
            undeclared(item, inner, f"{path}.{key}", problems)
        return
    if type_name in _PRIMITIVES:
        ok = {
            "str": isinstance(value, str),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "float": isinstance(value, (int, float)) and not isinstance(value, bool),
            "bool": isinstance(value, bool),
            "datetime": isinstance(value, str) and _is_datetime(value),
            "date": isinstance(value, str),
            "object": True,
        }[type_name]
        if not ok:
            problems.append(f"{path}: {value!r} is not a {type_name}")
        return
    model = getattr(sdk().models, type_name)()
    by_json = {json_name: attr for attr, json_name in model.attribute_map.items()}
    if not isinstance(value, dict):
        problems.append(f"{path}: expected a {type_name} object")
        return
    for key, item in value.items():
        if key not in by_json:
            problems.append(f"{path}.{key}: not a field of {type_name}")
        else:
            undeclared(item, model.swagger_types[by_json[key]], f"{path}.{key}", problems)


def _is_datetime(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def outdated_enums(obj: Any, path: str, problems: list[str]) -> None:
    """SDK setters replace a value outside the model's enum with "outdated_sdk_version"; find any."""
    if isinstance(obj, list):
        for index, item in enumerate(obj):
            outdated_enums(item, f"{path}[{index}]", problems)
    elif isinstance(obj, dict):
        for key, item in obj.items():
            outdated_enums(item, f"{path}.{key}", problems)
    elif hasattr(obj, "swagger_types"):
        for attr in obj.swagger_types:
            value = getattr(obj, attr)
            if isinstance(value, str) and value == "outdated_sdk_version":
                problems.append(f"{path}.{attr}: value outside the SDK's enum")
            outdated_enums(value, f"{path}.{attr}", problems)
