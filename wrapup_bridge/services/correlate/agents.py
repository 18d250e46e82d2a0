"""Who a record's agent is in Genesys: the user ids its login, e-mail, name or directory entry stand for.

Analytics names a conversation's agents by user id only. A legacy record names its agent by login (``jdoe``), and
the table's agent directory may say ``jdoe: jane.doe@example.com``. To compare them, the users met on the
candidate conversations are looked up in batches (``GET /api/v2/users?id=...``, 100 per call, each user once per
run, through ``genesys.users.UserLookup``), and each user's spellings (name, e-mail, login, the part of either
before ``@``) point back to its id. A record's keys then resolve to ids without a call of their own.
"""

from __future__ import annotations

from collections.abc import Iterable

from wrapup_bridge.core.correlate import Candidate, Probe
from wrapup_bridge.core.disposition import is_genesys_id
from wrapup_bridge.genesys.users import UserLookup

__all__ = ["AgentIndex"]


class AgentIndex:
    """Spellings of the users met so far -> their ids."""

    def __init__(self, users: UserLookup) -> None:
        self._users = users
        self._by_key: dict[str, set[str]] = {}
        self._indexed: set[str] = set()

    async def learn(self, candidates: Iterable[Candidate]) -> None:
        """Look up the users of ``candidates`` not met yet (one call per 100)."""
        wanted = {uid for c in candidates for uid in c.user_ids if uid not in self._indexed}
        if not wanted:
            return
        known = await self._users.lookup(wanted)
        for uid in wanted:
            info = known.get(uid.lower())
            if info is None:
                if self._users.transient_failure is None:
                    self._indexed.add(uid)
                continue
            self._indexed.add(uid)
            for key in info.keys():  # noqa: SIM118 - UserInfo.keys() is its spellings, not a mapping
                self._by_key.setdefault(key, set()).add(info.id.lower())

    def ids_of(self, probe: Probe) -> frozenset[str] | None:
        """The user ids ``probe``'s agent stands for; None when the record names no agent, or names one by
        something no user met so far is known by while some lookups failed (then it is unknown, not different)."""
        if not probe.agent_keys:
            return None
        ids = {key.lower() for key in probe.agent_keys if is_genesys_id(key)}
        for key in probe.agent_keys:
            ids |= self._by_key.get(key, set())
        if not ids and self._users.failures:
            return None
        return frozenset(ids)

    @property
    def calls(self) -> int:
        return self._users.calls
