"""Choosing what a command talks to: Genesys Cloud (credentials in the environment) or the emulator.

The choice itself is made by ``services.target`` (the one target factory); this module adds the options every
command shares and turns set-up failures into exit codes.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, Unpack, cast

import click

from wrapup_bridge.cli._common import EXIT_PROBLEMS, EXIT_USAGE, fail_setup, fail_usage, stderr
from wrapup_bridge.services.target import (
    TARGET_KINDS,
    Connection,
    OrgFileMissing,
    TargetKind,
    build_target,
    open_connection,
)

if TYPE_CHECKING:
    from wrapup_bridge.genesys.settings import GenesysOverrides

__all__ = ["Connection", "clients_option", "connect", "fail_genesys", "genesys_exit_code", "target_options"]

F = TypeVar("F", bound=Callable[..., Any])


def clients_option(func: F) -> F:
    """``--clients FILE``: the replay commands' pool of OAuth clients (docs/oauth-pool.md)."""
    return click.option(
        "--clients",
        "clients_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="A credentials file (YAML or JSON list of {id, secret}) of more OAuth clients of the org: each has its "
        "own rate limit, and the replay uses them together (also WRAPUP_BRIDGE_OAUTH_CLIENTS, and "
        "GENESYSCLOUD_OAUTHCLIENT_ID_2/_SECRET_2, ...).",
    )(func)


def target_options(func: F) -> F:
    """``--target`` and ``--org``, shared by every command that talks to Genesys."""
    func = click.option(
        "--org",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        show_default="the shipped demo org",
        help="Org file the emulator serves (with --target emulator, or auto without credentials).",
    )(func)
    return click.option(
        "--target",
        type=click.Choice(TARGET_KINDS),
        default="auto",
        show_default=True,
        help="genesys: the org of the GENESYSCLOUD_* credentials; emulator: the local emulator; "
        "auto: genesys when GENESYSCLOUD_OAUTHCLIENT_ID is set, else the emulator.",
    )(func)


@asynccontextmanager
async def connect(
    target: str,
    org: Path | None,
    *,
    budget: float | None = None,
    pool: bool = False,
    clients_file: Path | None = None,
    **overrides: Unpack[GenesysOverrides],
) -> AsyncIterator[Connection]:
    """``services.target.connect`` for a command: a target that cannot be set up ends the command with exit 2 and
    one ``Error:`` line (missing credentials, an org file that is not there or not valid, a pool client refused).
    ``pool``: every OAuth client configured (replays), plus those of ``clients_file`` (``--clients``)."""
    from wrapup_bridge.emulator import OrgFileError
    from wrapup_bridge.genesys.errors import GenesysError
    from wrapup_bridge.genesys.settings import SettingsError
    from wrapup_bridge.services.settings import BadSetting, Settings

    try:
        settings = Settings.from_env().with_clients_file(clients_file)
        built = build_target(cast(TargetKind, target), org, settings=settings, budget=budget, pool=pool, **overrides)
    except (SettingsError, BadSetting) as exc:
        fail_usage(str(exc))
    except OrgFileMissing as exc:
        fail_usage(str(exc))
    except (OrgFileError, ValueError) as exc:
        fail_setup(str(exc))
    entered = False
    try:
        async with open_connection(built) as connection:
            entered = True
            yield connection
    except SettingsError as exc:  # a pool's client refused at login
        if entered:
            raise
        fail_usage(str(exc))
    except GenesysError as exc:  # no answer at login
        if entered:
            raise
        fail_genesys(exc)


def genesys_exit_code(exc: BaseException) -> int:
    """The exit code a Genesys failure means for a command: 2 when the command cannot run as set up or cannot
    reach the org now (settings, credentials, permissions, network, timeouts, rate limits, outages), 1 when
    Genesys understood a request and refused it (a problem in the data: an unknown id, a rejected write)."""
    from wrapup_bridge.genesys.errors import AmbiguousWrite, NotFound, Rejected

    return EXIT_PROBLEMS if isinstance(exc, NotFound | Rejected | AmbiguousWrite) else EXIT_USAGE


def fail_genesys(exc: BaseException) -> NoReturn:
    """Stop on a failure of the target with its explanation, never a traceback: the one way every command ends on
    one. A Genesys failure: its explanation (status, code, correlation id, cause and fix) on one ``Error:`` line,
    with ``genesys_exit_code``. Work the library stopped because its target refused or did not answer
    (``services.replay.TargetFailed``): the library's explanation, which names the target and what was left (exit 2).
    Anything else is re-raised as the bug it is."""
    from wrapup_bridge.genesys.errors import GenesysError
    from wrapup_bridge.services.replay.errors import TargetFailed

    if isinstance(exc, TargetFailed):
        fail_setup(str(exc))
    if not isinstance(exc, GenesysError):
        raise exc
    stderr(f"Error: {exc.explain()}")
    sys.exit(genesys_exit_code(exc))
