"""WrapupCatalog on the emulator through the real HTTP client: the whole org (codes, every queue with its codes)
paged, and a snapshot whose queue details are not what it says is refused naming the field."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pydantic import SecretStr

from tests.conftest import EXAMPLES
from wrapup_bridge.emulator import Emulator, EmulatorConfig
from wrapup_bridge.genesys.catalog import CatalogFormatError, WrapupCatalog
from wrapup_bridge.genesys.http import GenesysClient
from wrapup_bridge.genesys.regions import resolve_region
from wrapup_bridge.genesys.settings import GenesysSettings

ORG = EXAMPLES / "demo-org.yaml"
BILLING = "e0284275-ec9b-4fde-a99c-648c9c1726bc"


async def load(emulator: Emulator, page_size: int = 100) -> dict[str, Any]:
    """The org's codes and queues read by a WrapupCatalog, as its snapshot."""
    settings = GenesysSettings(
        client_id="demo-client",
        client_secret=SecretStr("demo-secret"),
        region=resolve_region("http://emulator.invalid"),
        rate_per_minute=100_000,
    )
    async with GenesysClient(settings, transport=emulator.transport()) as client:
        wrapup_catalog = WrapupCatalog(client, page_size=page_size)
        await wrapup_catalog.load()
        await wrapup_catalog.load_queues()
        return wrapup_catalog.snapshot()


@pytest.fixture(scope="module")
def snapshot() -> dict[str, Any]:
    return asyncio.run(load(Emulator.from_file(ORG, EmulatorConfig(rate_limit=100_000))))


def test_load_queues_pages_through_queues_and_their_codes() -> None:
    emulator = Emulator.from_file(ORG, EmulatorConfig(rate_limit=100_000))
    snapshot = asyncio.run(load(emulator, page_size=2))
    assert len(snapshot["codes"]) == 21 and len(snapshot["queueDetails"]) == 4
    assert len(snapshot["queues"][BILLING]) == 15  # 8 pages of 2
    counts = emulator.requests
    assert counts["GET /api/v2/routing/queues"] == 2
    assert counts["GET /api/v2/routing/queues/{queueId}/wrapupcodes"] == 8 + 8 + 6 + 2


@pytest.mark.parametrize(
    ("details", "message"),
    [("nope", "field 'queueDetails'"), ({BILLING: "x"}, f"queueDetails['{BILLING}']")],
)
def test_bad_queue_details_name_the_field(snapshot: dict[str, Any], details: object, message: str) -> None:
    with pytest.raises(CatalogFormatError, match=message.replace("[", r"\[").replace("]", r"\]")):
        WrapupCatalog.from_snapshot({**snapshot, "queueDetails": details}, source="catalog.json")
