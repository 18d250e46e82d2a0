"""``services.catalog``: the org exported on any ``Connection`` and read back from its snapshot, as library calls
that raise library errors (no click, no exit codes)."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest

from wrapup_bridge.core.errors import WrapupBridgeError
from wrapup_bridge.data import DEMO_ORG
from wrapup_bridge.emulator import Emulator, EmulatorConfig, FaultConfig
from wrapup_bridge.genesys.errors import GenesysError
from wrapup_bridge.services.catalog import CatalogExport, CatalogFileError, export_catalog, load_org_catalog
from wrapup_bridge.services.target import connect

SALE = "0dd6a32c-c059-4534-97bf-c82d73d9c869"


def export(org: Emulator | None = None, **overrides: Any) -> CatalogExport:
    async def run() -> CatalogExport:
        async with connect("emulator", org, **overrides) as connection:
            return await export_catalog(connection)

    return asyncio.run(run())


@pytest.fixture(scope="module")
def exported() -> CatalogExport:
    return export()


def test_export_on_a_connection_gives_the_snapshot_and_its_view(exported: CatalogExport) -> None:
    snapshot, view = exported.snapshot, exported.view
    assert snapshot["target"] == "emulator" and str(DEMO_ORG) in snapshot["exportedFrom"]
    assert view.source == snapshot["exportedFrom"] and view.exported_at == snapshot["exportedAt"]
    assert view.fingerprint == snapshot["fingerprint"]
    assert len(view.codes) == 21 and len(view.queues) == 4
    assert [q.name for q in view.queues_allowing(SALE)] == ["Sales Outbound", "Support"]


def test_a_snapshot_file_reads_back_as_the_same_org(exported: CatalogExport, tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(exported.snapshot), encoding="utf-8")
    view = load_org_catalog(path)
    assert view.fingerprint == exported.view.fingerprint and view.exported_at == exported.view.exported_at
    assert view.source == f"snapshot {path} of {exported.snapshot['exportedFrom']}"
    assert {q.name for q in view.queues} == {q.name for q in exported.view.queues}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read catalog"),
        (b"\xff\xfe\x00junk", "is not text (byte 0 is not UTF-8)"),
        (b'{"version": 1,\n  oops}', "is not JSON: line 2"),
        (b"[1, 2]", "is not a `catalog export` file"),
        (b'{"version": 1, "codes": "nope"}', "codes"),
    ],
)
def test_a_file_that_is_no_snapshot_is_a_library_error_naming_it(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "catalog.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CatalogFileError, match=re.escape(message)) as caught:
        load_org_catalog(str(path))
    assert isinstance(caught.value, WrapupBridgeError) and isinstance(caught.value, ValueError)
    if content is not None and b"codes" not in content:
        assert str(path) in str(caught.value)


def test_a_genesys_failure_is_raised_to_the_caller() -> None:
    failing = Emulator.from_file(DEMO_ORG, EmulatorConfig(faults=FaultConfig(seed=1, error_5xx_ratio=1.0)))
    with pytest.raises(GenesysError):
        export(failing, max_attempts=1)
