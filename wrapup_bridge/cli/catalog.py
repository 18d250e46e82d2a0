"""``wrapup-bridge catalog export``: a snapshot of the org's wrap-up codes and queue assignments, for offline review.

Reviews run where there are no Genesys credentials (a laptop, CI, a ticket) and must be comparable over time, so
the org is exported once to a JSON file that ``mapping check/report --catalog FILE`` read. The file says where
it came from, when, and carries the code list's fingerprint (the one a replay plan records).

Also home of the two ways the review commands get the org: ``load_org_catalog`` (a snapshot file) and
``live_org_catalog`` (Genesys or the emulator, via ``--target``/``--org``).
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from wrapup_bridge.cli._common import fail_setup, fail_usage, stderr
from wrapup_bridge.cli._genesys import connect, fail_genesys, target_options
from wrapup_bridge.core.review.orgview import CatalogCode, CatalogQueue, OrgCatalog

if TYPE_CHECKING:
    from wrapup_bridge.genesys.catalog import WrapupCatalog

__all__ = ["catalog", "export_snapshot", "live_org_catalog", "load_org_catalog", "to_org_catalog"]


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def to_org_catalog(
    wrapup_catalog: WrapupCatalog, *, source: str, exported_at: str | None, queue_ids: list[str] | None = None
) -> OrgCatalog:
    """The review's plain view of a loaded catalog (every queue it knows, named or not)."""
    infos = {q.id: q for q in wrapup_catalog.queue_infos()}
    queues = []
    for queue_id in dict.fromkeys([*infos, *(queue_ids or ())]):
        info = infos.get(queue_id)
        queues.append(
            CatalogQueue(
                id=queue_id,
                name=info.name if info else "",
                code_ids=wrapup_catalog.known_queue_code_ids(queue_id) or frozenset(),
                division_id=info.division_id if info else None,
                division_name=info.division_name if info else None,
            )
        )
    codes = [CatalogCode(c.id, c.name, c.division_id, c.division_name) for c in wrapup_catalog.codes]
    return OrgCatalog.build(
        codes, queues, source=source, fingerprint=wrapup_catalog.fingerprint(), exported_at=exported_at
    )


async def _export(target: str, org: Path | None) -> tuple[dict[str, Any], OrgCatalog]:
    from wrapup_bridge.genesys.catalog import WrapupCatalog

    async with connect(target, org) as connection:
        wrapup_catalog = WrapupCatalog(connection.client)
        await wrapup_catalog.load()
        await wrapup_catalog.load_queues()
        exported_at = _now()
        snapshot = {
            **wrapup_catalog.snapshot(),
            "exportedFrom": connection.description,
            "exportedAt": exported_at,
            "target": "emulator" if connection.is_emulator else "genesys",
        }
        view = to_org_catalog(wrapup_catalog, source=connection.description, exported_at=exported_at)
        return snapshot, view


def export_snapshot(target: str, org: Path | None) -> tuple[dict[str, Any], OrgCatalog]:
    """Read the whole org (codes, queues, each queue's codes) into a snapshot dict and its review view."""
    try:
        return asyncio.run(_export(target, org))
    except Exception as exc:  # GenesysError explained, anything else re-raised
        fail_genesys(exc)


def live_org_catalog(target: str, org: Path | None) -> OrgCatalog:
    return export_snapshot(target, org)[1]


def load_org_catalog(path: str) -> OrgCatalog:
    """Read a ``catalog export`` file; a broken one is a usage error naming the file and the field."""
    from wrapup_bridge.core.limits import loads_json
    from wrapup_bridge.genesys.catalog import CatalogFormatError, WrapupCatalog

    try:
        data = loads_json(Path(path).read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        fail_usage(f"catalog {path!r} is not text (byte {exc.start} is not UTF-8): give a `catalog export` file")
    except OSError as exc:
        fail_usage(f"cannot read catalog {path!r}: {exc.strerror or exc}")
    except json.JSONDecodeError as exc:
        fail_usage(f"catalog {path!r} is not JSON: line {exc.lineno}: {exc.msg}")
    if not isinstance(data, dict):
        fail_usage(f"catalog {path!r} is not a `catalog export` file (a JSON object with wrapupCodes)")
    try:
        wrapup_catalog = WrapupCatalog.from_snapshot(data, source=path)
    except CatalogFormatError as exc:
        fail_usage(str(exc))
    origin = data.get("exportedFrom") if isinstance(data.get("exportedFrom"), str) else "an unnamed org"
    exported_at = data.get("exportedAt") if isinstance(data.get("exportedAt"), str) else None
    queues = data.get("queues")
    return to_org_catalog(
        wrapup_catalog,
        source=f"snapshot {path} of {origin}",
        exported_at=exported_at,
        queue_ids=[str(q) for q in queues] if isinstance(queues, dict) else None,
    )


@click.group()
def catalog() -> None:
    """The org's wrap-up codes and queue assignments, exported for offline review."""


@catalog.command()
@click.option("--out", "-o", type=click.Path(dir_okay=False), help="Write the snapshot to this file (default: stdout).")
@target_options
def export(out: str | None, target: str, org: Path | None) -> None:
    """Export every wrap-up code (with its division) and every queue (with the codes it allows) as JSON.

    Read it back with `wrapup-bridge mapping check MAPPING --catalog FILE` (or `mapping report`). The file records
    where it came from (Genesys or the emulator), when, and the code list's fingerprint.
    """
    snapshot, view = export_snapshot(target, org)
    text = json.dumps(snapshot, indent=2, ensure_ascii=False) + "\n"
    if out:
        try:
            Path(out).write_text(text, encoding="utf-8")
        except OSError as exc:
            fail_setup(f"cannot write {out!r}: {exc.strerror or exc}")
    else:
        click.echo(text, nl=False)
    stderr(
        f"exported {len(view.codes)} wrap-up codes and {len(view.queues)} queues from {view.source} "
        f"at {view.exported_at}; fingerprint {view.fingerprint}" + (f"; written to {out}" if out else "")
    )
