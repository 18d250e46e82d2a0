"""The org's wrap-up codes and queue assignments, exported for offline review and read back.

Reviews run where there are no Genesys credentials (a laptop, CI, a ticket) and must be comparable over time, so
the org is exported once to a JSON snapshot that a later review reads instead of the org. The snapshot says where
it came from, when, and carries the code list's fingerprint (the one a replay plan records).

This module gives the review its two ways to the org, as library code: ``export_catalog`` (Genesys or the
emulator, on an open ``Connection``) and ``load_org_catalog`` (a snapshot file). ``wrapup-bridge catalog export``
and ``mapping check|report`` only add options, printing and exit codes on top.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wrapup_bridge.core.clock import utc_now
from wrapup_bridge.core.errors import WrapupBridgeError
from wrapup_bridge.core.review.orgview import CatalogCode, CatalogQueue, OrgCatalog

if TYPE_CHECKING:
    import os

    from wrapup_bridge.genesys.catalog import WrapupCatalog
    from wrapup_bridge.services.target import Connection

__all__ = ["CatalogExport", "CatalogFileError", "export_catalog", "load_org_catalog", "to_org_catalog"]


class CatalogFileError(WrapupBridgeError, ValueError):
    """A snapshot file cannot be read as one (missing, not text, not JSON, or not a ``catalog export`` object);
    the message names the file and, when it can, the line or field."""


@dataclass(frozen=True)
class CatalogExport:
    """One export: the snapshot as written to a file, and the review's view of the same org."""

    snapshot: dict[str, Any]
    view: OrgCatalog


def _now() -> str:
    return utc_now().replace(microsecond=0).isoformat().replace("+00:00", "Z")


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


async def export_catalog(connection: Connection) -> CatalogExport:
    """Read the whole org on ``connection`` (codes, queues, each queue's codes) into a snapshot and its review
    view. Genesys failures (``GenesysError``) are raised as they come: the caller decides how to report them."""
    from wrapup_bridge.genesys.catalog import WrapupCatalog

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
    return CatalogExport(snapshot, view)


def load_org_catalog(path: str | os.PathLike[str]) -> OrgCatalog:
    """Read a ``catalog export`` file into the review's view; ``CatalogFileError`` names the file and what is
    wrong with it (the field, for a snapshot of the wrong shape)."""
    from wrapup_bridge.core.limits import loads_json
    from wrapup_bridge.genesys.catalog import CatalogFormatError, WrapupCatalog

    name = str(path)
    try:
        data = loads_json(Path(path).read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise CatalogFileError(
            f"catalog {name!r} is not text (byte {exc.start} is not UTF-8): give a `catalog export` file"
        ) from None
    except OSError as exc:
        raise CatalogFileError(f"cannot read catalog {name!r}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise CatalogFileError(f"catalog {name!r} is not JSON: line {exc.lineno}: {exc.msg}") from None
    if not isinstance(data, dict):
        raise CatalogFileError(f"catalog {name!r} is not a `catalog export` file (a JSON object with wrapupCodes)")
    try:
        wrapup_catalog = WrapupCatalog.from_snapshot(data, source=name)
    except CatalogFormatError as exc:
        raise CatalogFileError(str(exc)) from exc
    origin = data.get("exportedFrom") if isinstance(data.get("exportedFrom"), str) else "an unnamed org"
    exported_at = data.get("exportedAt") if isinstance(data.get("exportedAt"), str) else None
    queues = data.get("queues")
    return to_org_catalog(
        wrapup_catalog,
        source=f"snapshot {name} of {origin}",
        exported_at=exported_at,
        queue_ids=[str(q) for q in queues] if isinstance(queues, dict) else None,
    )
