"""services.target: the one target factory (here: an emulator reached over HTTP where it is served)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from wrapup_bridge.data import DEMO_ORG
from wrapup_bridge.services.target import build_target
from wrapup_bridge.testing import emulator


def test_an_emulator_served_on_loopback_is_reached_over_http() -> None:
    emu = emulator()
    with emu.serve() as base_url:
        target = build_target("emulator", emu, base_url=base_url, budget=5.0, rate_per_minute=600.0)
        assert target.is_emulator and target.emulator is emu and target.served_at == base_url
        assert target.transport() is None  # not in-process: the client goes to base_url
        assert target.settings.region.api_base == base_url and target.settings.budget == 5.0
        assert target.settings.rate_per_minute == 600.0
        assert target.description == (
            f"the wrapup-bridge Genesys EMULATOR (NOT Genesys Cloud) serving {DEMO_ORG} at {base_url}"
        )
        assert target.identity == build_target("emulator", emu).identity  # the same org: the same identity

        async def codes() -> Any:
            async with target.client() as client:
                return await client.get_json("/api/v2/routing/wrapupcodes")

        assert asyncio.run(codes())["entities"]
        assert emu.requests.get("GET /api/v2/routing/wrapupcodes") == 1  # the served emulator answered
    in_process = build_target("emulator", emu)
    assert in_process.served_at is None and in_process.transport() is not None


def test_a_base_url_needs_the_emulator_served_there() -> None:
    with pytest.raises(ValueError, match="pass that Emulator as org"):
        build_target("emulator", DEMO_ORG, base_url="http://127.0.0.1:9")
