"""``services.authoring.sync``: the table file read and written exactly (BOM, line ends, permissions), and never
over an edit made since it was read."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.conftest import MAPPINGS
from wrapup_bridge.core.mapping import MappingTableError
from wrapup_bridge.core.review.orgview import CatalogCode, OrgCatalog
from wrapup_bridge.services.authoring.sync import sync_file, write_synced

SALE = "0dd6a32c-c059-4534-97bf-c82d73d9c869"
WRONG = "00000000-0000-4000-8000-000000000000"
CATALOG = OrgCatalog.build([CatalogCode(SALE, "Sale", None, None)], [], source="org", fingerprint="sha256:0")


def test_bytes_other_than_the_ids_stay(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    original = f"\ufeffcodes:\r\n  sale: {{id: {WRONG}, name: Sale}}  # é\r\n".encode()
    path.write_bytes(original)
    path.chmod(0o640)
    result = sync_file(path, CATALOG)
    assert write_synced(path, result) is True
    assert path.read_bytes() == original.replace(WRONG.encode(), SALE.encode())
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert write_synced(path, sync_file(path, CATALOG)) is False  # nothing left to change
    assert [p.name for p in tmp_path.iterdir()] == ["t.yaml"]  # no temporary file left


def test_an_edit_made_meanwhile_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "five9.yaml"
    path.write_text((MAPPINGS / "five9.yaml").read_text(encoding="utf-8").replace(SALE, WRONG), encoding="utf-8")
    result = sync_file(path, CATALOG)
    assert result.changed
    path.write_text(path.read_text(encoding="utf-8") + "# someone else's edit\n", encoding="utf-8")
    with pytest.raises(MappingTableError, match="changed since sync read it"):
        write_synced(path, result)
    assert path.read_text(encoding="utf-8").endswith("# someone else's edit\n") and WRONG in path.read_text()
