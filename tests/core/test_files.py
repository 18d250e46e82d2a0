"""``core.files.replace_atomically``: the old file or the new one, never a part, and no temporary file left."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from wrapup_bridge.core.files import replace_atomically


def test_the_new_bytes_replace_the_file_with_the_mode_asked_for(tmp_path: Path) -> None:
    target = tmp_path / "table.yaml"
    target.write_bytes(b"old\r\n")
    replace_atomically(target, b"new\r\n", mode=0o640)
    assert target.read_bytes() == b"new\r\n"  # bytes as given: no newline translation
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["table.yaml"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "table.yaml"
    target.write_bytes(b"old")

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="No space"):
        replace_atomically(target, b"new")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["table.yaml"]
