"""Handlers for the routing endpoints: the wrap-up code catalog and queues with their assigned codes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from wrapup_bridge.emulator.directory import Queue, WrapupCode
from wrapup_bridge.emulator.errors import ApiError
from wrapup_bridge.emulator.gateway import Call
from wrapup_bridge.emulator.paging import entity_listing, list_param, name_matcher, page_params
from wrapup_bridge.emulator.render import queue_json, wrapupcode_json

__all__ = ["get_queue", "get_wrapupcode", "list_queue_wrapupcodes", "list_queues", "list_wrapupcodes"]

_SORT_ORDERS = ("ascending", "descending", "asc", "desc")
T = TypeVar("T")


def _visible(call: Call, division_id: str) -> bool:
    return not call.runtime.config.division_access_enforced or call.token.client.sees_division(division_id)


def _sort_order(call: Call) -> bool:
    """True for descending."""
    order = call.request.query_params.get("sortOrder", "ascending")
    if order.lower() not in _SORT_ORDERS:
        raise ApiError.bad_request(f"sortOrder must be ascending or descending; got {order!r}", field="sortOrder")
    return order.lower().startswith("desc")


def _page(
    call: Call, items: Sequence[T], render: Callable[[T], dict[str, Any]], extra_keys: tuple[str, ...]
) -> tuple[int, dict[str, Any]]:
    query = call.request.query_params
    page_size, page_number = page_params(query, call.runtime.config.max_page_size)
    start = (page_number - 1) * page_size
    page = [render(item) for item in items[start : start + page_size]]
    extra = {k: query[k] for k in extra_keys if k in query}
    return 200, entity_listing(call.path, page, len(items), page_size, page_number, extra)


async def list_wrapupcodes(call: Call) -> tuple[int, Any]:
    """GET /api/v2/routing/wrapupcodes: ``name`` filters (and enables ``sortBy``), ``id`` and ``divisionId`` too."""
    rt = call.runtime
    query = call.request.query_params
    descending = _sort_order(call)
    codes: list[WrapupCode] = list(rt.directory.codes_by_name)
    name = query.get("name")
    if name:
        matches = name_matcher(name, leading_wildcard=False)
        codes = [c for c in codes if matches(c.name)]
        sort_by = query.get("sortBy", "name")
        if sort_by not in ("name", "id"):
            raise ApiError.bad_request(f"sortBy must be name or id; got {sort_by!r}", field="sortBy")
        if sort_by == "id":
            codes.sort(key=lambda c: c.id)
    ids = {i.lower() for i in list_param(query, "id")}
    if ids:
        codes = [c for c in codes if c.id in ids]
    divisions = {d.lower() for d in list_param(query, "divisionId")}
    if divisions:
        codes = [c for c in codes if c.division_id in divisions]
    codes = [c for c in codes if _visible(call, c.division_id)]
    if descending:
        codes.reverse()
    return _page(
        call,
        codes,
        lambda c: wrapupcode_json(c, rt.directory),
        ("name", "sortBy", "sortOrder", "id", "divisionId"),
    )


async def get_wrapupcode(call: Call) -> tuple[int, Any]:
    """GET /api/v2/routing/wrapupcodes/{codeId}."""
    rt = call.runtime
    code_id = call.params["codeId"]
    code = rt.directory.codes.by_id.get(code_id.lower())
    if code is None or not _visible(call, code.division_id):
        raise ApiError.not_found(f"Wrap-up code {code_id}", code_id)
    return 200, wrapupcode_json(code, rt.directory)


def _queue(call: Call) -> Queue:
    queue_id = call.params["queueId"]
    queue = call.runtime.directory.queues.by_id.get(queue_id.lower())
    if queue is None or not _visible(call, queue.division_id):
        raise ApiError.not_found(f"Queue {queue_id}", queue_id)
    return queue


async def list_queues(call: Call) -> tuple[int, Any]:
    """GET /api/v2/routing/queues: sorted by name; ``name`` takes leading and trailing ``*``."""
    rt = call.runtime
    query = call.request.query_params
    descending = _sort_order(call)
    queues = list(rt.directory.queues_by_name)
    name = query.get("name")
    if name:
        matches = name_matcher(name, leading_wildcard=True)
        queues = [q for q in queues if matches(q.name)]
    ids = {i.lower() for i in list_param(query, "id")}
    if ids:
        queues = [q for q in queues if q.id in ids]
    divisions = {d.lower() for d in list_param(query, "divisionId")}
    if divisions:
        queues = [q for q in queues if q.division_id in divisions]
    queues = [q for q in queues if _visible(call, q.division_id)]
    if descending:
        queues.reverse()
    return _page(call, queues, lambda q: queue_json(q, rt.directory), ("name", "sortOrder", "id", "divisionId"))


async def get_queue(call: Call) -> tuple[int, Any]:
    """GET /api/v2/routing/queues/{queueId}."""
    return 200, queue_json(_queue(call), call.runtime.directory)


async def list_queue_wrapupcodes(call: Call) -> tuple[int, Any]:
    """GET /api/v2/routing/queues/{queueId}/wrapupcodes: the queue's assigned codes, by name."""
    rt = call.runtime
    queue = _queue(call)
    codes = [rt.directory.codes.by_id[code_id] for code_id in queue.code_ids]
    codes.sort(key=lambda c: (c.name.casefold(), c.id))
    name = call.request.query_params.get("name")
    if name:
        matches = name_matcher(name, leading_wildcard=False)
        codes = [c for c in codes if matches(c.name)]
    return _page(call, codes, lambda c: wrapupcode_json(c, rt.directory), ("name",))
