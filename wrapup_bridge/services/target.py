"""The one target factory: "Genesys Cloud from the settings, or the emulator through its httpx transport".

Every command, the live ``Bridge``, ``serve``, the demo, the benchmarks and the tests build what they talk to here,
so the choice (``auto``: Genesys when ``GENESYSCLOUD_OAUTHCLIENT_ID`` is set, else the emulator), the shipped demo
org, the descriptions printed and the identity recorded in plans and outbox rows are written once.

The emulator is the embedded default: with no credentials set, work runs against the shipped demo org
in-process (no socket), and every description says so, so nobody mistakes an emulator result for Genesys's answer.
Nothing heavy is imported until a target is built: the live bridge imports this module on a cold start.

Replays may ask for a pool (``pool=True``): every OAuth client the settings name (``Settings.oauth_clients``:
numbered ``GENESYSCLOUD_*`` pairs, a credentials file), each with its own token and rate limit, as one client
(``genesys.pool.ClientPool``). The pool's identity is its first client's, and work made for any of its clients is
its own (``Connection.answers_to``), so a plan made with one client is applied by a pool that includes it.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Unpack

from wrapup_bridge.core.errors import WrapupBridgeError

if TYPE_CHECKING:
    import httpx

    from wrapup_bridge.emulator import Emulator
    from wrapup_bridge.emulator.config import EmulatorConfig
    from wrapup_bridge.genesys.credentials import ClientCredentials
    from wrapup_bridge.genesys.http import GenesysClient
    from wrapup_bridge.genesys.settings import GenesysOverrides, GenesysSettings
    from wrapup_bridge.services.settings import Settings

__all__ = [
    "DEMO_CLIENT",
    "TARGET_KINDS",
    "Connection",
    "OrgFileMissing",
    "Target",
    "TargetKind",
    "build_target",
    "choose_kind",
    "connect",
    "default_org",
    "open_connection",
]

TargetKind = Literal["auto", "genesys", "emulator"]
TARGET_KINDS: tuple[TargetKind, ...] = ("auto", "genesys", "emulator")
#: The demo org's OAuth client (a fixture of the org file, not a secret).
DEMO_CLIENT = "demo-client"
#: The base URL clients of the in-process emulator use (never resolved: requests go to its transport).
EMULATOR_BASE = "http://emulator.invalid"


class OrgFileMissing(WrapupBridgeError, FileNotFoundError):
    """The org file the emulator should serve does not exist."""


def default_org() -> Path:
    """The shipped demo org (package data, so it is there after ``pip install`` in any folder)."""
    from wrapup_bridge.data import DEMO_ORG

    return DEMO_ORG


def choose_kind(kind: TargetKind = "auto", settings: Settings | None = None) -> Literal["genesys", "emulator"]:
    """``auto`` means Genesys when the settings carry a client id, else the emulator."""
    if kind != "auto":
        return kind
    if settings is None:
        from wrapup_bridge.services.settings import Settings

        settings = Settings.from_env()
    return "genesys" if settings.has_genesys_credentials else "emulator"


@dataclass(frozen=True)
class Target:
    """What to talk to, built but not connected: each ``client()`` is a new ``GenesysClient`` on it."""

    settings: GenesysSettings
    #: One line for people: where writes go (it says "NOT Genesys Cloud" for the emulator).
    description: str
    #: What work made for this target records (``genesys <api base> client <id>``, ``emulator <org file>``).
    identity: str
    emulator: Emulator | None = None
    #: Where ``emulator`` is served (``build_target``'s ``base_url``): clients reach it over HTTP there instead of
    #: in-process. None: in-process (or not an emulator).
    served_at: str | None = None
    #: A pool's OAuth clients, the first being ``settings``'s (``client()`` is then a ``ClientPool``); () for one
    #: plain client.
    clients: tuple[ClientCredentials, ...] = ()

    @property
    def is_emulator(self) -> bool:
        return self.emulator is not None

    @property
    def identities(self) -> tuple[str, ...]:
        """The identity of each OAuth client of the pool (``identity`` first): work made for any is this target's."""
        if self.emulator is not None or not self.clients:
            return (self.identity,)
        return (self.identity, *(self.settings.with_client(c).identity() for c in self.clients[1:]))

    def transport(self) -> httpx.AsyncBaseTransport | None:
        """The emulator's in-process transport; None when the client goes over the network (Genesys, or an emulator
        served at ``served_at``)."""
        return self.emulator.transport() if self.emulator is not None and self.served_at is None else None

    def client(self) -> GenesysClient:
        """A new client on this target: a ``ClientPool`` of ``clients`` when there are any, else a plain one."""
        if self.clients:
            from wrapup_bridge.genesys.pool import ClientPool

            return ClientPool(self.settings, self.clients, transport=self.transport())
        from wrapup_bridge.genesys.http import GenesysClient

        return GenesysClient(self.settings, transport=self.transport())


def build_target(
    kind: TargetKind = "auto",
    org: str | os.PathLike[str] | Emulator | None = None,
    *,
    settings: Settings | None = None,
    config: EmulatorConfig | None = None,
    client_id: str = DEMO_CLIENT,
    base_url: str | None = None,
    budget: float | None = None,
    pool: bool = False,
    clients: Sequence[str] = (),
    **overrides: Unpack[GenesysOverrides],
) -> Target:
    """The target ``kind`` names. Genesys: from ``settings`` (the environment when None; ``SettingsError`` names
    what is missing). The emulator: serving ``org`` (a file, the shipped demo org when None, or an ``Emulator``
    already built, for tests that control its clock), through its OAuth client ``client_id``; in-process, or over
    HTTP at ``base_url`` when ``org`` is an ``Emulator`` served there (``with emulator.serve() as base_url``).
    ``budget`` (seconds per call; None: the default) and ``overrides`` set ``GenesysSettings`` fields
    (rate_per_minute, org_rate_per_minute, max_attempts, ...).

    ``pool``: a pool of every OAuth client the settings name (Genesys: ``Settings.oauth_clients``; the emulator: a
    credentials file's clients, else ``client_id`` alone). ``clients``: the emulator's pool, by client id (each
    secret from the org file).

    Raises ``OrgFileMissing`` or the emulator's ``OrgFileError`` for an org file that cannot be served, and
    ``ValueError`` for a client id the org does not have, ``clients`` for Genesys, or a ``base_url`` without the
    ``Emulator`` served there."""
    # An Emulator object (not a path) means the emulator; its package (Starlette) loads only when one is served.
    emulator_given = org is not None and not isinstance(org, str | os.PathLike)
    if emulator_given:
        kind = "emulator"
    elif base_url is not None:
        raise ValueError(f"base_url {base_url!r} is where an emulator is served: pass that Emulator as org")
    if choose_kind(kind, settings) == "genesys":
        if settings is None:
            from wrapup_bridge.services.settings import Settings

            settings = Settings.from_env()
        if clients:
            raise ValueError("clients names the emulator's OAuth clients; Genesys's come from the settings")
        if pool:
            genesys, members = settings.genesys_pool(budget=budget, **overrides)
        else:
            genesys, members = settings.genesys(budget=budget, **overrides), ()
        region = genesys.region
        if region.is_custom:
            description = f"the API at {region.api_base} (a custom base URL, not a Genesys Cloud region)"
        else:
            description = f"Genesys Cloud at {region.api_base} (region {region.name})"
        return Target(genesys, description + _pool_note(members), genesys.identity(), clients=members)

    from wrapup_bridge.emulator import Emulator
    from wrapup_bridge.genesys.regions import resolve_region
    from wrapup_bridge.genesys.settings import GenesysSettings, emulator_identity

    if isinstance(org, Emulator):
        emulator, where = org, "the emulator"
    else:
        path = Path(org) if org is not None else default_org()
        if not path.is_file():
            raise OrgFileMissing(
                f"emulator org file {str(path)!r} not found (pass --org FILE, or omit it for the demo org)"
            )
        emulator, where = Emulator.from_file(path, config), f"org file {path}"
    pooled: tuple[ClientCredentials, ...] = ()
    if clients:
        pooled = tuple(_org_client(emulator, where, cid) for cid in clients)
    elif pool:
        if settings is None:
            from wrapup_bridge.services.settings import Settings

            settings = Settings.from_env()
        if settings.clients_file is not None:
            from wrapup_bridge.genesys.credentials import clients_from_file

            pooled = clients_from_file(settings.clients_file)  # the token requests check each secret
        else:
            pooled = (_org_client(emulator, where, client_id),)
    first = pooled[0] if pooled else _org_client(emulator, where, client_id)
    if settings is not None and "org_rate_per_minute" not in overrides and settings.org_rate_limit is not None:
        overrides = {**overrides, "org_rate_per_minute": settings.org_rate_limit}
    genesys = GenesysSettings(
        client_id=first.client_id,
        client_secret=first.client_secret,
        region=resolve_region(base_url or EMULATOR_BASE),
        **({} if budget is None else {"budget": budget}),
        **overrides,
    )
    identity = emulator_identity(emulator.org.source)
    if base_url is not None:
        served = f"serving {emulator.org.source} at {base_url}"
        description = f"the wrapup-bridge Genesys EMULATOR (NOT Genesys Cloud) {served}"
        return Target(genesys, description + _pool_note(pooled), identity, emulator, served_at=base_url, clients=pooled)
    description = f"the wrapup-bridge Genesys emulator (NOT Genesys Cloud), {where}"
    return Target(genesys, description + _pool_note(pooled), identity, emulator, clients=pooled)


def _org_client(emulator: Emulator, where: str, client_id: str) -> ClientCredentials:
    """The emulator org's OAuth client ``client_id`` (its secret is an org-file fixture); ``ValueError`` if none."""
    from pydantic import SecretStr

    from wrapup_bridge.genesys.credentials import ClientCredentials

    try:
        client = emulator.org.directory.clients[client_id]
    except KeyError:
        raise ValueError(f"{where}: no OAuth client {client_id!r}") from None
    return ClientCredentials(client_id, SecretStr(client.client_secret), f"the org's client {client_id}")


def _pool_note(clients: Sequence[ClientCredentials]) -> str:
    return (
        f", with {len(clients)} OAuth clients ({', '.join(c.client_id for c in clients)})" if len(clients) > 1 else ""
    )


@dataclass
class Connection:
    """A target with an open client, for one piece of work (``connect``)."""

    client: GenesysClient
    description: str
    emulator: Emulator | None = None
    #: What work made on this connection is for (``Target.identity``).
    identity: str = ""
    #: Every identity work made for may carry to be this connection's (``Target.identities``: a pool's clients).
    identities: tuple[str, ...] = ()

    @property
    def is_emulator(self) -> bool:
        return self.emulator is not None

    def answers_to(self, identity: str) -> bool:
        """Work made for ``identity`` is this connection's: its own, or one of its pool's clients'."""
        return identity == self.identity or identity in self.identities

    @property
    def pool_size(self) -> int:
        """OAuth clients the connection sends with (1 unless it is a pool)."""
        from wrapup_bridge.genesys.pool import ClientPool

        return self.client.size if isinstance(self.client, ClientPool) else 1


@asynccontextmanager
async def connect(
    kind: TargetKind = "auto",
    org: str | os.PathLike[str] | Emulator | None = None,
    *,
    settings: Settings | None = None,
    budget: float | None = None,
    pool: bool = False,
    **overrides: Unpack[GenesysOverrides],
) -> AsyncIterator[Connection]:
    """Open a client on the target ``build_target`` makes of the same arguments; it is closed on the way out. A pool
    of several clients logs every client in first (``ClientPool.login``: refused credentials are a
    ``SettingsError`` naming the client)."""
    target = build_target(kind, org, settings=settings, budget=budget, pool=pool, **overrides)
    async with open_connection(target) as connection:
        yield connection


@asynccontextmanager
async def open_connection(target: Target) -> AsyncIterator[Connection]:
    """A connection on ``target`` (a pool's clients logged in first), closed on the way out."""
    async with target.client() as client:
        if len(target.clients) > 1:
            from wrapup_bridge.genesys.pool import ClientPool

            assert isinstance(client, ClientPool)
            await client.login()
        yield Connection(client, target.description, target.emulator, target.identity, target.identities)
