"""The org's catalog (divisions, wrap-up codes, queues, users, OAuth clients), indexed for constant-time lookup.

Org files refer to things by id or by name, as people do; this is where such references are resolved, once,
at load time. Every unresolvable or ambiguous reference becomes a problem with its key path, so one run of the
loader reports all of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from wrapup_bridge.emulator.orgfile import OrgSpec, is_system_code
from wrapup_bridge.emulator.yamlpos import KeyPath

__all__ = [
    "Directory",
    "Division",
    "OAuthClient",
    "Problem",
    "Queue",
    "User",
    "WrapupCode",
    "build_directory",
]

Problem = tuple[KeyPath, str]


@dataclass(frozen=True)
class Division:
    id: str
    name: str


@dataclass(frozen=True)
class WrapupCode:
    id: str
    name: str
    division_id: str
    description: str | None
    date_created: datetime | None


@dataclass(frozen=True)
class Queue:
    id: str
    name: str
    division_id: str
    description: str | None
    code_ids: tuple[str, ...]
    acw_prompt: str
    acw_timeout_ms: int | None
    code_id_set: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "code_id_set", frozenset(self.code_ids))


@dataclass(frozen=True)
class User:
    id: str
    name: str
    email: str | None
    username: str | None
    division_id: str | None


@dataclass(frozen=True)
class OAuthClient:
    client_id: str
    client_secret: str
    name: str | None
    permissions: frozenset[str]
    division_ids: frozenset[str] | None
    token_ttl_seconds: int

    def sees_division(self, division_id: str) -> bool:
        return self.division_ids is None or division_id in self.division_ids


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


T = TypeVar("T")


class _Index(Generic[T]):
    """Lookup by id and by case-insensitive name; names that several entries share are ambiguous."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.by_id: dict[str, T] = {}
        self._by_name: dict[str, list[T]] = {}

    def add(self, entry_id: str, entry: T, names: Iterable[str | None]) -> bool:
        if entry_id in self.by_id:
            return False
        self.by_id[entry_id] = entry
        for name in {_key(n) for n in names if n}:
            self._by_name.setdefault(name, []).append(entry)
        return True

    def resolve(self, ref: str) -> T | str:
        """The entry ``ref`` names, or a sentence saying why there is none."""
        found = self.by_id.get(ref.lower())
        if found is not None:
            return found
        matches = self._by_name.get(_key(ref), [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            return f"{ref!r} names {len(matches)} {self.kind}s; use the id"
        return f"no {self.kind} with id or name {ref!r}"


class Directory:
    """Indexes over the catalog of one org file."""

    def __init__(self) -> None:
        self.divisions: _Index[Division] = _Index("division")
        self.codes: _Index[WrapupCode] = _Index("wrap-up code")
        self.queues: _Index[Queue] = _Index("queue")
        self.users: _Index[User] = _Index("user")
        self.clients: dict[str, OAuthClient] = {}
        #: Listings are sorted by name, as Genesys sorts them by default.
        self.codes_by_name: list[WrapupCode] = []
        self.queues_by_name: list[Queue] = []
        self.default_division_id = ""

    def code_by_name(self, name: str) -> WrapupCode | None:
        """The code whose name is ``name`` (case-insensitive), to tell a name sent where an id belongs."""
        found = self.codes.resolve(name)
        return found if isinstance(found, WrapupCode) and found.id != name.lower() else None

    def resolve_code(self, ref: str) -> tuple[str, str | None] | str:
        """(code id, name) for an org-file reference: an id, a name, or an ININ-* system code."""
        if is_system_code(ref):
            return ref, None
        found = self.codes.resolve(ref)
        return (found.id, found.name) if isinstance(found, WrapupCode) else found


def build_directory(spec: OrgSpec) -> tuple[Directory, list[Problem]]:
    """Index the catalog sections of ``spec`` and check the references between them."""
    directory = Directory()
    problems: list[Problem] = []

    def division_of(ref: str | None, where: KeyPath) -> str:
        if ref is None:
            return directory.default_division_id
        found = directory.divisions.resolve(ref)
        if isinstance(found, Division):
            return found.id
        problems.append((where, found))
        return directory.default_division_id

    for i, d in enumerate(spec.divisions):
        if not directory.divisions.add(d.id, Division(d.id, d.name), [d.name]):
            problems.append((("divisions", i, "id"), f"division id {d.id} is listed twice"))
    directory.default_division_id = spec.divisions[0].id

    names_seen: dict[str, int] = {}
    for i, c in enumerate(spec.wrapup_codes):
        code = WrapupCode(
            c.id, c.name, division_of(c.division, ("wrapup_codes", i, "division")), c.description, c.date_created
        )
        first = names_seen.setdefault(_key(c.name), i)
        if not directory.codes.add(c.id, code, [c.name] if first == i else []):
            problems.append((("wrapup_codes", i, "id"), f"wrap-up code id {c.id} is listed twice"))
        elif first != i:
            problems.append(
                (("wrapup_codes", i, "name"), f"wrap-up code name {c.name!r} is also wrapup_codes[{first}]")
            )
    directory.codes_by_name = sorted(directory.codes.by_id.values(), key=lambda c: (_key(c.name), c.id))

    names_seen = {}
    for i, q in enumerate(spec.queues):
        code_ids: list[str] = []
        for j, ref in enumerate(q.wrapup_codes):
            found = directory.codes.resolve(ref)
            if isinstance(found, str):
                problems.append((("queues", i, "wrapup_codes", j), found))
            elif found.id in code_ids:
                problems.append((("queues", i, "wrapup_codes", j), f"{ref!r} is assigned to this queue twice"))
            else:
                code_ids.append(found.id)
        queue = Queue(
            q.id,
            q.name,
            division_of(q.division, ("queues", i, "division")),
            q.description,
            tuple(code_ids),
            q.acw.wrapup_prompt,
            q.acw.timeout_ms,
        )
        first = names_seen.setdefault(_key(q.name), i)
        if not directory.queues.add(q.id, queue, [q.name] if first == i else []):
            problems.append((("queues", i, "id"), f"queue id {q.id} is listed twice"))
        elif first != i:
            problems.append((("queues", i, "name"), f"queue name {q.name!r} is also queues[{first}]"))
    directory.queues_by_name = sorted(directory.queues.by_id.values(), key=lambda q: (_key(q.name), q.id))

    for i, u in enumerate(spec.users):
        user = User(
            u.id, u.name, u.email, u.username, division_of(u.division, ("users", i, "division")) if u.division else None
        )
        # Logins are e-mail addresses in real orgs; their local part ("jdoe") names the user too, unless shared.
        locals_ = [ref.split("@", 1)[0] for ref in (u.email, u.username) if ref and "@" in ref]
        if not directory.users.add(u.id, user, [u.email, u.username, u.name, *locals_]):
            problems.append((("users", i, "id"), f"user id {u.id} is listed twice"))

    for i, oc in enumerate(spec.oauth_clients):
        division_ids = (
            None
            if oc.divisions is None
            else frozenset(division_of(ref, ("oauth_clients", i, "divisions", j)) for j, ref in enumerate(oc.divisions))
        )
        if oc.client_id in directory.clients:
            problems.append((("oauth_clients", i, "client_id"), f"client id {oc.client_id!r} is listed twice"))
            continue
        directory.clients[oc.client_id] = OAuthClient(
            oc.client_id, oc.client_secret, oc.name, frozenset(oc.permissions), division_ids, oc.token_ttl_seconds
        )
    return directory, problems
