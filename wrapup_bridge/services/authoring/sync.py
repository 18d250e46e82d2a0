"""``mapping sync`` as library code: read a table file, fill its code ids from the org's catalog, write it back.

The work is ``core.authoring.sync`` (ids found by name, edited in place in the text, checked). Here is the file:
read as bytes and decoded without touching anything (a byte order mark and Windows line ends stay as they are),
and written back only if it still holds what was read (someone may have edited it meanwhile), whole or not at
all (a temporary file renamed over it, keeping its permissions). And here the ids ``terraform output -json`` printed
are read, from a file or stdin (``core.authoring.tfoutput`` reads them), before anything else is done.
"""

from __future__ import annotations

import stat
import sys
from pathlib import Path
from typing import BinaryIO

from wrapup_bridge.core.authoring.sync import SyncResult, sync_ids
from wrapup_bridge.core.authoring.terraform import IDS_OUTPUT
from wrapup_bridge.core.authoring.tfoutput import TerraformIds, parse_terraform_output
from wrapup_bridge.core.files import replace_atomically
from wrapup_bridge.core.mapping.errors import MappingProblem, MappingTableError
from wrapup_bridge.core.review.orgview import OrgCatalog
from wrapup_bridge.services.catalog import CatalogFileError

__all__ = ["STDIN", "read_table_text", "read_terraform_output", "replace_if_unchanged", "sync_file", "write_synced"]

#: The path that means "read standard input".
STDIN = "-"


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


def read_terraform_output(path: str | Path, *, stdin: BinaryIO | None = None, output: str = IDS_OUTPUT) -> TerraformIds:
    """The codes in what ``terraform output -json`` (or ``terraform output -json <output>``) printed into the file
    at ``path``, or into ``stdin`` (default: the process's) when ``path`` is ``-``. ``CatalogFileError`` naming the
    file, the line and what is wrong when it cannot be read or is not such a document."""
    name = "<stdin>" if str(path) == STDIN else str(path)
    try:
        data = (stdin or sys.stdin.buffer).read() if str(path) == STDIN else Path(path).read_bytes()
    except OSError as exc:
        raise CatalogFileError(f"cannot read Terraform output {name!r}: {exc.strerror or exc}") from None
    try:
        return parse_terraform_output(data, name=name, output=output)
    except ValueError as exc:
        raise CatalogFileError(str(exc)) from None


def sync_file(path: str | Path, catalog: OrgCatalog | None, *, terraform: TerraformIds | None = None) -> SyncResult:
    """What ``mapping sync`` would change in the table at ``path`` (nothing is written), with the ids of ``catalog``,
    of the ``terraform`` output, or of both."""
    return sync_ids(read_table_text(path), catalog, name=str(path), terraform=terraform)


def write_synced(path: str | Path, result: SyncResult) -> bool:
    """Write ``result.new_text`` over ``path`` if the file still holds ``result.old_text``; False when there was
    nothing to change. ``MappingTableError`` (nothing written) when the file changed since it was read."""
    if not result.changed:
        return False
    if not replace_if_unchanged(path, result.old_text, result.new_text):
        raise MappingTableError(
            [MappingProblem(str(path), 1, "", "the file changed since sync read it: nothing written; run sync again")]
        )
    return True


def replace_if_unchanged(path: str | Path, old_text: str, new_text: str) -> bool:
    """Write ``new_text`` over the table at ``path`` (whole, keeping its permissions) if the file still holds
    ``old_text`` (as ``read_table_text`` gave it), byte for byte; False, nothing written, when it changed since
    (someone edited it meanwhile, whatever its bytes now). ``OSError`` when it cannot be read or written."""
    target = Path(path)
    if target.read_bytes() != old_text.encode("utf-8"):
        return False
    replace_atomically(target, new_text.encode("utf-8"), mode=stat.S_IMODE(target.stat().st_mode))
    return True
