"""The org a mapping command works against, for commands that cannot do without one (``mapping terraform``,
``mapping sync``): ``--catalog FILE`` (a ``catalog export`` snapshot) or ``--live`` (with ``--target``/``--org``),
exactly one of them; and for ``mapping check`` and ``report``, which may go without one (``org_catalog``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from wrapup_bridge.cli._common import fail_usage, run_on_target
from wrapup_bridge.cli._genesys import target_options

if TYPE_CHECKING:
    from wrapup_bridge.core.review import OrgCatalog

__all__ = ["catalog_options", "org_catalog", "required_org_catalog"]

F = TypeVar("F", bound=Callable[..., Any])


def catalog_options(func: F, *, catalog_help: str = "Org snapshot from `wrapup-bridge catalog export`.") -> F:
    """``--catalog FILE`` or ``--live`` (with ``--target`` and ``--org``)."""
    func = target_options(func)
    func = click.option(
        "--live", is_flag=True, help="Read the org now: Genesys with GENESYSCLOUD_* credentials, else the emulator."
    )(func)
    return click.option("--catalog", "catalog_file", type=click.Path(dir_okay=False), help=catalog_help)(func)


def org_catalog(catalog_file: str | None, live: bool, target: str, org: Path | None) -> OrgCatalog | None:
    """The org: a snapshot file (a broken one is a usage error naming it), the org read now (Genesys or the
    emulator, exit 2 when it cannot be reached), or None when neither is given; both is a usage error."""
    from wrapup_bridge.services.catalog import CatalogFileError, export_catalog, load_org_catalog

    if catalog_file and live:
        fail_usage("give either --catalog FILE or --live, not both")
    if catalog_file:
        try:
            return load_org_catalog(catalog_file)
        except CatalogFileError as exc:
            fail_usage(str(exc))
    if live:
        return run_on_target(target, org, export_catalog).view
    return None


def required_org_catalog(
    catalog_file: str | None, live: bool, target: str, org: Path | None, *, why: str
) -> OrgCatalog:
    """``org_catalog``, for a command that cannot do without one: neither is a usage error that says ``why``."""
    if not catalog_file and not live:
        fail_usage(f"give --catalog FILE (from `wrapup-bridge catalog export`) or --live: {why}")
    found = org_catalog(catalog_file, live, target, org)
    assert found is not None  # one of the two was given
    return found
