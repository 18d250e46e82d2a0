"""Handlers for the users endpoints the tool reads: who the agents of a conversation are.

``GET /api/v2/users?id=a,b`` ("Get the list of available users"; requires no permission, as the SDK docs say)
and ``GET /api/v2/users/{userId}``. Users carry ``name``, ``email``, ``username``, ``state`` and ``division``,
the fields a legacy agent login is compared with.
"""

from __future__ import annotations

from typing import Any

from wrapup_bridge.emulator.directory import Directory, User
from wrapup_bridge.emulator.errors import ApiError
from wrapup_bridge.emulator.gateway import Call
from wrapup_bridge.emulator.paging import entity_listing, list_param, page_params

__all__ = ["get_user", "list_users", "user_json"]


def user_json(user: User, directory: Directory) -> dict[str, Any]:
    """A User entity (the fields a directory lookup reads)."""
    out: dict[str, Any] = {"id": user.id, "name": user.name}
    division_id = user.division_id or directory.default_division_id
    division = directory.divisions.by_id.get(division_id)
    out["division"] = {
        "id": division_id,
        **({"name": division.name} if division is not None else {}),
        "selfUri": f"/api/v2/authorization/divisions/{division_id}",
    }
    if user.email:
        out["email"] = user.email
    out["state"] = "active"
    if user.username or user.email:
        out["username"] = user.username or user.email
    out["version"] = 1
    out["selfUri"] = f"/api/v2/users/{user.id}"
    return out


async def list_users(call: Call) -> tuple[int, Any]:
    """GET /api/v2/users: every user, or those of ``id`` (comma-joined or repeated), sorted by name."""
    directory = call.runtime.directory
    query = call.request.query_params
    users = sorted(directory.users.by_id.values(), key=lambda u: (u.name.casefold(), u.id))
    ids = {i.lower() for i in list_param(query, "id")}
    if ids:
        users = [u for u in users if u.id in ids]
    if query.get("sortOrder", "ASC").upper() in ("DESC", "DESCENDING"):
        users.reverse()
    page_size, page_number = page_params(query, call.runtime.config.max_page_size)
    start = (page_number - 1) * page_size
    page = [user_json(u, directory) for u in users[start : start + page_size]]
    return 200, entity_listing(call.path, page, len(users), page_size, page_number, {})


async def get_user(call: Call) -> tuple[int, Any]:
    """GET /api/v2/users/{userId}."""
    directory = call.runtime.directory
    user_id = call.params["userId"]
    user = directory.users.by_id.get(user_id.lower())
    if user is None:
        raise ApiError.not_found(f"User {user_id}", user_id)
    return 200, user_json(user, directory)
