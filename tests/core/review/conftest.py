"""Fixtures of the core review tests: the demo org's catalog, exported once per session by the catalog service
from an in-process emulator (wrapup_bridge.testing's), and the planted table."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.core.review.samples import ORG, write_planted
from wrapup_bridge import testing
from wrapup_bridge.core.review import OrgCatalog
from wrapup_bridge.services.catalog import export_catalog
from wrapup_bridge.services.target import connect


@pytest.fixture(scope="session")
def org_catalog() -> OrgCatalog:
    async def export() -> OrgCatalog:
        # Neither the org's rate limit (off in testing.emulator) nor the client's pacing: not what these tests are about.
        async with connect("emulator", testing.emulator(ORG), rate_per_minute=100_000) as connection:
            return (await export_catalog(connection)).view

    return asyncio.run(export())


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    return write_planted(tmp_path)
