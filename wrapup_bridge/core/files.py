"""Replacing a file whole: what an ops lead reads or reviews (a proposed table, Terraform files, a synced table)
is either the old file or the new one, never a half-written one after a crash or a full disk.

The bytes go to a temporary file beside the target (same folder, so the rename cannot cross file systems), which is
renamed over it; on any failure the temporary file is removed and the target is left as it was.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["replace_atomically"]


def replace_atomically(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` whole or not at all; ``mode``: the permission bits the new file gets (None: the
    temporary file's, 0600 less the umask's)."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
