"""Genesys's paged listings: pageSize/pageNumber parameters and the *EntityListing envelope."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from wrapup_bridge.emulator.errors import ApiError

__all__ = ["entity_listing", "list_param", "name_matcher", "page_params"]

DEFAULT_PAGE_SIZE = 25


def _int_param(query: QueryParams, name: str, default: int, maximum: int | None = None) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError.bad_request(f"Value [{raw}] is not valid for the query parameter [{name}]", field=name) from None
    if value < 1 or (maximum is not None and value > maximum):
        limit = f"between 1 and {maximum}" if maximum is not None else "at least 1"
        raise ApiError.bad_request(f"{name} must be {limit}; got {value}", field=name)
    return value


def page_params(query: QueryParams, max_page_size: int) -> tuple[int, int]:
    """(pageSize, pageNumber) with Genesys's defaults (25, 1)."""
    return (
        _int_param(query, "pageSize", DEFAULT_PAGE_SIZE, max_page_size),
        _int_param(query, "pageNumber", 1),
    )


def list_param(query: QueryParams, name: str) -> list[str]:
    """A list query parameter, sent either repeated (``id=a&id=b``) or comma-joined (``id=a,b``, as the SDK does)."""
    return [part.strip() for raw in query.getlist(name) for part in raw.split(",") if part.strip()]


def name_matcher(pattern: str, *, leading_wildcard: bool) -> Callable[[str], bool]:
    """A case-insensitive name test; a trailing ``*`` (and a leading one when allowed) widens it."""
    text = pattern.casefold()
    suffix = text.endswith("*")
    prefix = leading_wildcard and text.startswith("*")
    core = text.strip("*") if prefix else text.rstrip("*")

    def matches(name: str) -> bool:
        folded = name.casefold()
        if prefix and suffix:
            return core in folded
        if suffix:
            return folded.startswith(core)
        if prefix:
            return folded.endswith(core)
        return folded == core

    return matches


def entity_listing(
    path: str, entities: Sequence[dict[str, Any]], total: int, page_size: int, page_number: int, extra: dict[str, str]
) -> dict[str, Any]:
    """The *EntityListing envelope for one page; ``entities`` is that page already."""
    page_count = math.ceil(total / page_size) if total else 0

    def uri(number: int) -> str:
        return f"{path}?{urlencode({'pageSize': page_size, 'pageNumber': number, **extra})}"

    out: dict[str, Any] = {
        "entities": list(entities),
        "pageSize": page_size,
        "pageNumber": page_number,
        "total": total,
        "firstUri": uri(1),
        "selfUri": uri(page_number),
        "lastUri": uri(max(page_count, 1)),
        "pageCount": page_count,
    }
    if page_number < page_count:
        out["nextUri"] = uri(page_number + 1)
    if 1 < page_number <= page_count + 1:
        out["previousUri"] = uri(page_number - 1)
    return out
