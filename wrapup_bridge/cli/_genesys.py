"""Choosing what a command talks to: Genesys Cloud (credentials in the environment) or the emulator.

The emulator is the embedded default: with no ``GENESYSCLOUD_OAUTHCLIENT_ID`` set, commands run against the demo
org in-process, and every such run says so, so nobody mistakes an emulator result for Genesys's answer.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from wrapup_bridge.cli._common import EXIT_PROBLEMS, EXIT_USAGE, fail_setup, fail_usage, stderr

if TYPE_CHECKING:
    from wrapup_bridge.emulator import Emulator
    from wrapup_bridge.genesys.http import GenesysClient

__all__ = ["DEFAULT_ORG", "Connection", "connect", "fail_genesys", "genesys_exit_code", "target_options"]

DEFAULT_ORG = Path("examples/demo-org.yaml")
#: The demo org's OAuth client (a fixture of the org file, not a secret).
EMULATOR_CLIENT = ("demo-client", "demo-secret")

F = TypeVar("F", bound=Callable[..., Any])


def target_options(func: F) -> F:
    """``--target`` and ``--org``, shared by every command that talks to Genesys."""
    func = click.option(
        "--org",
        type=click.Path(dir_okay=False, path_type=Path),
        default=DEFAULT_ORG,
        show_default=True,
        help="Org file the emulator serves (with --target emulator, or auto without credentials).",
    )(func)
    return click.option(
        "--target",
        type=click.Choice(["auto", "genesys", "emulator"]),
        default="auto",
        show_default=True,
        help="genesys: the org of the GENESYSCLOUD_* credentials; emulator: the local emulator; "
        "auto: genesys when GENESYSCLOUD_OAUTHCLIENT_ID is set, else the emulator.",
    )(func)


@dataclass
class Connection:
    client: GenesysClient
    description: str
    emulator: Emulator | None = None
    #: What work made on this connection is for (``GenesysSettings.identity`` / ``emulator_identity``).
    identity: str = ""

    @property
    def is_emulator(self) -> bool:
        return self.emulator is not None


@asynccontextmanager
async def connect(target: str, org: Path, **settings: Any) -> AsyncIterator[Connection]:
    """Open a client on the chosen target; ``settings`` override GenesysSettings fields (budget, ...)."""
    from wrapup_bridge.genesys.http import GenesysClient
    from wrapup_bridge.genesys.regions import resolve_region
    from wrapup_bridge.genesys.settings import GenesysSettings, SettingsError, emulator_identity

    use_genesys = target == "genesys" or (target == "auto" and os.environ.get("GENESYSCLOUD_OAUTHCLIENT_ID"))
    if use_genesys:
        try:
            genesys_settings = GenesysSettings.from_env(**settings)
        except SettingsError as exc:
            fail_usage(str(exc))
        region = genesys_settings.region
        async with GenesysClient(genesys_settings) as client:
            yield Connection(
                client,
                f"Genesys Cloud at {region.api_base} (region {region.name})",
                identity=genesys_settings.identity(),
            )
        return

    from pydantic import SecretStr

    from wrapup_bridge.emulator import Emulator, OrgFileError

    if not org.is_file():
        fail_usage(f"emulator org file {str(org)!r} not found (run from the repository root, or pass --org FILE)")
    try:
        emulator = Emulator.from_file(org)
    except OrgFileError as exc:
        fail_setup(str(exc))
    client_id, secret = EMULATOR_CLIENT
    emulator_settings = GenesysSettings(
        client_id=client_id,
        client_secret=SecretStr(secret),
        region=resolve_region("http://emulator.invalid"),
        **settings,
    )
    async with GenesysClient(emulator_settings, transport=emulator.transport()) as client:
        yield Connection(
            client,
            f"the wrapup-bridge Genesys emulator (NOT Genesys Cloud), org file {org}",
            emulator,
            identity=emulator_identity(org),
        )


def genesys_exit_code(exc: BaseException) -> int:
    """The exit code a Genesys failure means for a command: 2 when the command cannot run as set up or cannot
    reach the org now (settings, credentials, permissions, network, timeouts, rate limits, outages), 1 when
    Genesys understood a request and refused it (a problem in the data: an unknown id, a rejected write)."""
    from wrapup_bridge.genesys.errors import AmbiguousWrite, NotFound, Rejected

    return EXIT_PROBLEMS if isinstance(exc, NotFound | Rejected | AmbiguousWrite) else EXIT_USAGE


def fail_genesys(exc: BaseException) -> NoReturn:
    """Stop on a Genesys failure with its explanation (status, code, correlation id, cause and fix) on one
    ``Error:`` line, never a traceback; anything that is not a Genesys failure is re-raised as the bug it is."""
    from wrapup_bridge.genesys.errors import GenesysError

    if not isinstance(exc, GenesysError):
        raise exc
    stderr(f"Error: {exc.explain()}")
    sys.exit(genesys_exit_code(exc))
