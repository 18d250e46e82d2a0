"""``mapping sync`` as library code: read a table file, fill its code ids from the org's catalog, write it back.

The work is ``core.authoring.sync`` (ids found by name, edited in place in the text, checked). Here is the file:
read as bytes and decoded without touching anything (a byte order mark and Windows line ends stay as they are),
and written back only if it still holds what was read (someone may have edited it meanwhile), whole or not at
all (a temporary file renamed over it, keeping its permissions).
"""

from __future__ import annotations

import stat
from pathlib import Path

from wrapup_bridge.core.authoring.sync import SyncResult, sync_ids
from wrapup_bridge.core.files import replace_atomically
from wrapup_bridge.core.mapping.errors import MappingProblem, MappingTableError
from wrapup_bridge.core.review.orgview import OrgCatalog

__all__ = ["read_table_text", "sync_file", "write_synced"]


def read_table_text(path: str | Path) -> str:
    """The file's text exactly (a UTF-8 byte order mark kept as U+FEFF). ``MappingTableError`` for text that is not
    UTF-8; ``OSError`` when the file cannot be read."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise MappingTableError(
            [MappingProblem(str(path), line, "", f"byte {exc.start} is not UTF-8: a table is UTF-8 text")]
        ) from None


def sync_file(path: str | Path, catalog: OrgCatalog) -> SyncResult:
    """What ``mapping sync`` would change in the table at ``path`` (nothing is written)."""
    return sync_ids(read_table_text(path), catalog, name=str(path))


def write_synced(path: str | Path, result: SyncResult) -> bool:
    """Write ``result.new_text`` over ``path`` if the file still holds ``result.old_text``; False when there was
    nothing to change. ``MappingTableError`` (nothing written) when the file changed since it was read."""
    if not result.changed:
        return False
    target = Path(path)
    if read_table_text(target) != result.old_text:
        raise MappingTableError(
            [MappingProblem(str(path), 1, "", "the file changed since sync read it: nothing written; run sync again")]
        )
    replace_atomically(target, result.new_text.encode("utf-8"), mode=stat.S_IMODE(target.stat().st_mode))
    return True
