"""Who the agents on a conversation are: names, e-mails and logins of Genesys users, looked up in batches.

A legacy record names its agent by login (``jdoe``), e-mail or full name; a Genesys conversation names its
agent participants by user id only (analytics details carry no ``participantName`` for agents). To tell
whether the record's agent handled the conversation, the users are looked up: ``GET /api/v2/users?id=a,b``
(the bulk form of "Get the list of available users", which requires no permission; VERIFIED in the SDK docs),
up to 100 ids per call, each user asked for once per process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from wrapup_bridge.genesys.errors import GenesysError
from wrapup_bridge.genesys.target import UserInfo

if TYPE_CHECKING:
    from wrapup_bridge.genesys.http import GenesysClient

__all__ = ["USERS_PATH", "UserLookup"]

USERS_PATH = "/api/v2/users"
#: Ids per users call: the page size the bulk lookup is asked for (100 is the documented ceiling of the
#: presence-expanded form; plain lookups are kept to the same bound).
BATCH = 100


class UserLookup:
    """Users by id, cached for the life of the object; unknown ids are remembered as unknown.

    A failed lookup (no such endpoint on an old emulator, a 403 on a locked-down org) is not an error of the
    record: the choice then works from user ids and participant names alone, and ``failures`` says so."""

    def __init__(self, client: GenesysClient, *, budget: float | None = None) -> None:
        self._client = client
        self._budget = budget
        self._known: dict[str, UserInfo | None] = {}
        self._lock = asyncio.Lock()
        self.calls = 0
        self.failures: list[str] = []
        #: The last lookup that failed for a reason that passes (429, 5xx, no answer), or None.
        self.transient_failure: str | None = None

    def pending(self, user_ids: Iterable[str]) -> list[str]:
        """Of ``user_ids``, those not looked up yet (a transient failure leaves them so)."""
        return [u for u in {u.lower() for u in user_ids if u} if u not in self._known]

    @property
    def known(self) -> Mapping[str, UserInfo]:
        """Users found so far, by lowercase id."""
        return {uid: info for uid, info in self._known.items() if info is not None}

    async def lookup(self, user_ids: Iterable[str]) -> Mapping[str, UserInfo]:
        """Make sure every id in ``user_ids`` was asked for; returns every user known so far."""
        wanted = sorted({u.lower() for u in user_ids if u} - set(self._known))
        if not wanted:
            return self.known
        async with self._lock:
            wanted = [u for u in wanted if u not in self._known]
            for start in range(0, len(wanted), BATCH):
                await self._fetch(wanted[start : start + BATCH])
        return self.known

    async def _fetch(self, ids: list[str]) -> None:
        self.calls += 1
        try:
            body = await self._client.get_json(
                USERS_PATH, params={"id": ",".join(ids), "pageSize": len(ids)}, budget=self._budget
            )
        except GenesysError as exc:
            self.failures.append(f"users lookup failed: {exc}")
            if exc.retryable:
                # Genesys busy or down (429, 5xx, no answer): these users are not unknown, only not looked up yet.
                # They are asked for again next time, and a choice that needed them is retryable, not final.
                self.transient_failure = str(exc)
                return
            for uid in ids:
                self._known.setdefault(uid, None)
            return
        for entity in (body or {}).get("entities") or [] if isinstance(body, Mapping) else []:
            info = _user(entity)
            if info is not None:
                self._known[info.id] = info
        for uid in ids:
            self._known.setdefault(uid, None)


def _user(entity: Any) -> UserInfo | None:
    if not isinstance(entity, Mapping) or not isinstance(entity.get("id"), str):
        return None

    def text(key: str) -> str | None:
        value = entity.get(key)
        return value if isinstance(value, str) and value else None

    return UserInfo(str(entity["id"]).lower(), name=text("name"), email=text("email"), username=text("username"))
