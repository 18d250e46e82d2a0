"""Fixtures of the core review tests: the demo org's catalog, exported once per session by the catalog service
from the in-process emulator, and the planted table."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.core.review.samples import ORG, write_planted
from wrapup_bridge.core.review import OrgCatalog
from wrapup_bridge.services.catalog import export_catalog
from wrapup_bridge.services.target import connect


@pytest.fixture(scope="session")
def org_catalog() -> OrgCatalog:
    async def export() -> OrgCatalog:
        async with connect("emulator", ORG) as connection:
            return (await export_catalog(connection)).view

    return asyncio.run(export())


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    return write_planted(tmp_path)
