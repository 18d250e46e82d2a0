"""The blocking facade: one loop thread, one pool, one token across calls."""

from __future__ import annotations

import asyncio
import threading

import pytest

from wrapup_bridge.genesys.catalog import WrapupCatalog
from wrapup_bridge.genesys.errors import NotFound
from wrapup_bridge.genesys.http import SyncGenesysClient

from .fakes import RESOLVED, WRAPUP_PATH, FakeClock, FakeGenesys, answer, settings

CODES = "/api/v2/routing/wrapupcodes"


def make_fake() -> FakeGenesys:
    fake = FakeGenesys(clock=FakeClock())
    page = {"entities": [{"id": RESOLVED, "name": "Resolved"}], "pageNumber": 1, "pageCount": 1}
    fake.script("GET", CODES, answer(200, page))
    fake.script("POST", WRAPUP_PATH, answer(202))
    return fake


def test_calls_share_one_client_and_token() -> None:
    fake = make_fake()
    threads_before = threading.active_count()
    # A fake clock keeps the limiter's pacing (0.2 s between calls) out of real time.
    with SyncGenesysClient(settings(), transport=fake.transport(), clock=FakeClock()) as sync:
        assert threading.active_count() == threads_before + 1
        first = sync.async_client
        assert sync.get_json(CODES)["entities"][0]["name"] == "Resolved"
        assert sync.post_json(WRAPUP_PATH, {"code": RESOLVED}).status == 202
        assert sync.request("GET", CODES).status == 200
        assert sync.async_client is first
        assert first.auth.fetches == 1
        catalog = WrapupCatalog(sync.async_client)
        sync.run(catalog.load())
        assert catalog.get("resolved") is not None
        with pytest.raises(NotFound):
            sync.get_json("/api/v2/routing/queues/unknown/wrapupcodes")
    assert threading.active_count() == threads_before
    with pytest.raises(RuntimeError, match="closed"):
        sync.get_json(CODES)
    sync.close()  # closing twice is harmless


def test_usable_from_inside_a_running_event_loop() -> None:
    fake = make_fake()

    async def caller() -> int:
        with SyncGenesysClient(settings(), transport=fake.transport()) as sync:
            return sync.request("GET", CODES).status

    assert asyncio.run(caller()) == 200
