"""The one target factory: "Genesys Cloud from the settings, or the emulator through its httpx transport".

Every command, the live ``Bridge``, ``serve``, the demo, the benchmarks and the tests build what they talk to here,
so the choice (``auto``: Genesys when ``GENESYSCLOUD_OAUTHCLIENT_ID`` is set, else the emulator), the shipped demo
org, the descriptions printed and the identity recorded in plans and outbox rows are written once.

The emulator is the embedded default: with no credentials set, work runs against the shipped demo org
in-process (no socket), and every description says so, so nobody mistakes an emulator result for Genesys's answer.
Nothing heavy is imported until a target is built: the live bridge imports this module on a cold start.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Unpack

from wrapup_bridge.core.errors import WrapupBridgeError

if TYPE_CHECKING:
    import httpx

    from wrapup_bridge.emulator import Emulator
    from wrapup_bridge.emulator.config import EmulatorConfig
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

    @property
    def is_emulator(self) -> bool:
        return self.emulator is not None

    def transport(self) -> httpx.AsyncBaseTransport | None:
        """The emulator's in-process transport; None when the client goes over the network (Genesys, or an emulator
        served at ``served_at``)."""
        return self.emulator.transport() if self.emulator is not None and self.served_at is None else None

    def client(self) -> GenesysClient:
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
    **overrides: Unpack[GenesysOverrides],
) -> Target:
    """The target ``kind`` names. Genesys: from ``settings`` (the environment when None; ``SettingsError`` names
    what is missing). The emulator: serving ``org`` (a file, the shipped demo org when None, or an ``Emulator``
    already built, for tests that control its clock), through its OAuth client ``client_id``; in-process, or over
    HTTP at ``base_url`` when ``org`` is an ``Emulator`` served there (``with emulator.serve() as base_url``).
    ``budget`` (seconds per call; None: the default) and ``overrides`` set ``GenesysSettings`` fields
    (rate_per_minute, max_attempts, ...).

    Raises ``OrgFileMissing`` or the emulator's ``OrgFileError`` for an org file that cannot be served, and
    ``ValueError`` for a client id the org does not have, or a ``base_url`` without the ``Emulator`` served there."""
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
        genesys = settings.genesys(budget=budget, **overrides)
        region = genesys.region
        if region.is_custom:
            description = f"the API at {region.api_base} (a custom base URL, not a Genesys Cloud region)"
        else:
            description = f"Genesys Cloud at {region.api_base} (region {region.name})"
        return Target(genesys, description, genesys.identity())

    from pydantic import SecretStr

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
    try:
        client = emulator.org.directory.clients[client_id]
    except KeyError:
        raise ValueError(f"{where}: no OAuth client {client_id!r}") from None
    genesys = GenesysSettings(
        client_id=client_id,
        client_secret=SecretStr(client.client_secret),
        region=resolve_region(base_url or EMULATOR_BASE),
        **({} if budget is None else {"budget": budget}),
        **overrides,
    )
    identity = emulator_identity(emulator.org.source)
    if base_url is not None:
        served = f"serving {emulator.org.source} at {base_url}"
        description = f"the wrapup-bridge Genesys EMULATOR (NOT Genesys Cloud) {served}"
        return Target(genesys, description, identity, emulator, served_at=base_url)
    description = f"the wrapup-bridge Genesys emulator (NOT Genesys Cloud), {where}"
    return Target(genesys, description, identity, emulator)


@dataclass
class Connection:
    """A target with an open client, for one piece of work (``connect``)."""

    client: GenesysClient
    description: str
    emulator: Emulator | None = None
    #: What work made on this connection is for (``Target.identity``).
    identity: str = ""

    @property
    def is_emulator(self) -> bool:
        return self.emulator is not None


@asynccontextmanager
async def connect(
    kind: TargetKind = "auto",
    org: str | os.PathLike[str] | Emulator | None = None,
    *,
    settings: Settings | None = None,
    budget: float | None = None,
    **overrides: Unpack[GenesysOverrides],
) -> AsyncIterator[Connection]:
    """Open a client on the target ``build_target`` makes of the same arguments; it is closed on the way out."""
    target = build_target(kind, org, settings=settings, budget=budget, **overrides)
    async with target.client() as client:
        yield Connection(client, target.description, target.emulator, target.identity)
