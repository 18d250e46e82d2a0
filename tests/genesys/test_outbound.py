"""The outbound wrap-up code mapping through the real HTTP client: read, written whole with its version, a stale
version recognised under either status, the missing permission named, an answer of another shape refused naming the
field, and a PUT whose answer never came raised as an AmbiguousWrite (never sent twice)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from tests.conftest import EXAMPLES
from wrapup_bridge.emulator import Emulator, EmulatorConfig, FaultConfig
from wrapup_bridge.genesys.catalog import CatalogFormatError
from wrapup_bridge.genesys.errors import AmbiguousWrite, GenesysAPIError, PermissionDenied, api_error_from_response
from wrapup_bridge.genesys.explain import permissions_for_path
from wrapup_bridge.genesys.http import GenesysClient
from wrapup_bridge.genesys.outbound import (
    PATH,
    explain_outbound_error,
    is_version_conflict,
    read_mapping,
    write_mapping,
)
from wrapup_bridge.genesys.regions import resolve_region
from wrapup_bridge.genesys.settings import GenesysSettings

ORG = EXAMPLES / "demo-org.yaml"
SALE = "0dd6a32c-c059-4534-97bf-c82d73d9c869"


def settings(client_id: str = "demo-client", secret: str = "demo-secret") -> GenesysSettings:
    return GenesysSettings(
        client_id=client_id,
        client_secret=SecretStr(secret),
        region=resolve_region("http://emulator.invalid"),
        rate_per_minute=100_000,
        max_attempts=3,
        backoff_initial=0.001,
        backoff_max=0.001,
    )


def emulator(**config: Any) -> Emulator:
    return Emulator.from_file(ORG, EmulatorConfig(rate_limit=100_000, **config))


def run(emu: Emulator, work: Any, **client: str) -> Any:
    async def go() -> Any:
        async with GenesysClient(settings(**client), transport=emu.transport()) as c:
            return await work(c)

    return asyncio.run(go())


def test_read_then_write_the_whole_object_at_its_version() -> None:
    emu = emulator()
    current = run(emu, read_mapping)
    assert current.version == 4 and current.entry(SALE) == ("Right_Party_Contact",)
    body = {
        "version": 4,
        "defaultSet": list(current.default_set),
        "mapping": {**current.mapping, SALE: ["BUSINESS_SUCCESS"]},
    }
    written = run(emu, lambda c: write_mapping(c, body))
    assert written.version == 5 and written.entry(SALE) == ("BUSINESS_SUCCESS",)
    assert emu.stats()["statuses"][f"PUT {PATH}"] == {"200": 1}


@pytest.mark.parametrize("status", [409, 400])
def test_a_stale_version_is_recognised_whatever_its_status(status: int) -> None:
    emu = emulator(outbound_version_conflict_status=status)
    with pytest.raises(GenesysAPIError) as caught:
        run(emu, lambda c: write_mapping(c, {"version": 3, "defaultSet": [], "mapping": {}}))
    assert caught.value.status == status and is_version_conflict(caught.value)
    text = explain_outbound_error(caught.value)
    assert "changed since it was read" in text and "outbound plan" in text and "contextId" in text
    assert emu.stats()["statuses"][f"PUT {PATH}"] == {str(status): 1}  # refused once, never retried


def test_other_refusals_are_not_version_conflicts() -> None:
    emu = emulator()
    with pytest.raises(GenesysAPIError) as caught:
        run(emu, lambda c: write_mapping(c, {"version": 4, "mapping": {SALE: ["RIGHT_PARTY"]}}))
    assert caught.value.status == 400 and not is_version_conflict(caught.value)
    assert "refused the mapping itself" in explain_outbound_error(caught.value)


def test_the_missing_permission_is_named() -> None:
    emu = emulator()
    with pytest.raises(PermissionDenied) as caught:
        run(
            emu,
            lambda c: write_mapping(c, {"version": 4}),
            client_id="readonly-client",
            secret="readonly-secret",
        )
    assert caught.value.missing_permissions == ("outbound:wrapUpCodeMapping:edit",)
    assert "outbound:wrapUpCodeMapping:edit" in explain_outbound_error(caught.value)
    # A 403 whose body names nothing: the operation's own permission is named from the path.
    assert permissions_for_path("GET", PATH) == ("outbound:wrapUpCodeMapping:view",)
    assert permissions_for_path("PUT", PATH) == ("outbound:wrapUpCodeMapping:edit",)
    bare = api_error_from_response(
        status=403, body={"message": "Forbidden", "code": "forbidden"}, method="PUT", path=PATH
    )
    assert "outbound:wrapUpCodeMapping:edit" in bare.explain()


def test_an_answer_of_another_shape_names_the_field() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth/token"):
            return httpx.Response(200, json={"access_token": "t", "token_type": "bearer", "expires_in": 86400})
        return httpx.Response(200, json={"version": 4, "mapping": {SALE: "RIGHT_PARTY_CONTACT"}})

    async def go() -> None:
        async with GenesysClient(settings(), transport=httpx.MockTransport(answer)) as c:
            await read_mapping(c)

    with pytest.raises(CatalogFormatError, match=f"GET {PATH} .*'mapping.{SALE}'"):
        asyncio.run(go())


def test_a_put_without_an_answer_is_ambiguous_and_sent_once() -> None:
    emu = emulator(faults=FaultConfig(seed=1, drop_ratio=1.0, drop_applied_ratio=1.0))
    with pytest.raises(AmbiguousWrite):
        run(emu, lambda c: write_mapping(c, {"version": 4, "defaultSet": [], "mapping": {}}))
    assert len(emu.runtime.outbound.history) == 1  # applied before the drop, and not sent again
    assert emu.stats()["statuses"][f"PUT {PATH}"] == {"0": 1}


@pytest.mark.xdist_group("genesys-sdk")
def test_the_put_body_s_fields_are_the_sdk_model_s() -> None:
    import PureCloudPlatformClientV2  # type: ignore[import-untyped]

    from wrapup_bridge.core.outbound.diff import CurrentMapping, OutboundDiff

    model = PureCloudPlatformClientV2.WrapUpCodeMapping()
    current = CurrentMapping.from_json({"version": 4, "defaultSet": [], "mapping": {SALE: []}})
    body = OutboundDiff(()).put_body(current)
    assert set(body) <= set(model.attribute_map.values())
    assert model.swagger_types["mapping"] == "dict(str, list[str])" and model.swagger_types["version"] == "int"
