"""WrapupCatalog against a paged fake Genesys: paging, lookups, caching by call counts, fingerprint, snapshot."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from wrapup_bridge.genesys.catalog import CatalogFormatError, CatalogOffline, WrapupCatalog, WrapupCode
from wrapup_bridge.genesys.http import GenesysClient

from .fakes import CID, PID, FakeClock, FakeGenesys, answer, make_client, run

HOME = {"id": "48ddf357-eb7e-4766-9706-7cc07753a7de", "name": "Home"}
EMEA = {"id": "2dbf91d3-04e9-424e-b2e0-536107a74330", "name": "EMEA"}
DEMO = [
    ("50a74cff-026f-4c84-aa8f-f5f8d837115f", "Resolved"),
    ("f11fc8de-3eb4-49c8-8f8d-e0e973e1d036", "Not Resolved"),
    ("2e7abed5-658e-430d-8569-80bb0977e471", "Follow-up Required"),
    ("f99e6ae5-c3c7-4558-bad3-67d4ab3e1d35", "Escalated"),
    ("9fddb5fe-f121-4709-8c1d-5c6a1f99f50d", "Wrong Department"),
    ("0dd6a32c-c059-4534-97bf-c82d73d9c869", "Sale"),
    ("d9f0b7c0-e6f6-4abf-9c86-269bdefda9aa", "Renewal"),
    ("dd1c84e4-4fa9-40d7-81ac-e0d9a2729d41", "Payment Taken"),
    ("0b1f3790-be06-42fd-9aaf-6ec4a380626b", "Callback Scheduled"),
    ("ea3d9d20-48ec-4042-9e19-cfdf06744ffa", "Not Interested"),
    ("2d4579fe-90cf-4f1d-a7e3-deeab99a14f8", "Do Not Call"),
    ("46d1d9af-3dd4-40f3-951b-c8cc9eddb5e7", "No Answer"),
    ("539bc950-fc1a-4092-aac3-07276f67594e", "Answering Machine"),
    ("5f1bfb25-5eef-4f8d-bde5-4e17c7836f95", "Busy"),
    ("975d8cba-c0ba-4e79-848f-dfc9b2829097", "Wrong Number"),
    ("cf9e4f42-04fb-4856-93c7-0a70c92c2150", "Transferred"),
    ("a3d1165a-531a-4dec-81f0-3b05c05c6f96", "Caller Abandoned"),
    ("64403c6a-70d4-4907-babe-ab119dfba360", "Fax"),
    ("71cc128f-b45b-4900-9ede-424776790f49", "Automatically Completed"),
    ("704540b7-6a01-44ad-ba29-c5c1268ca41b", "Completed by Supervisor"),
    ("0cab9e0c-7015-4b96-9819-e59f32cd0700", "Other"),
]
BILLING = "e0284275-ec9b-4fde-a99c-648c9c1726bc"
QUEUE_PATH = f"/api/v2/routing/queues/{BILLING}/wrapupcodes"
PARTICIPANT_PATH = f"/api/v2/conversations/{CID}/participants/{PID}/wrapupcodes"


def entity(code_id: str, name: str) -> dict[str, Any]:
    division = EMEA if name == "Other" else HOME
    return {
        "id": code_id,
        "name": name,
        "division": {**division, "selfUri": f"/api/v2/authorization/divisions/{division['id']}"},
        "dateCreated": "2024-01-01T00:00:00Z",
        "selfUri": f"/api/v2/routing/wrapupcodes/{code_id}",
    }


def paged(rows: list[tuple[str, str]]) -> Callable[[httpx.Request], httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        size = int(request.url.params.get("pageSize", "25"))
        number = int(request.url.params.get("pageNumber", "1"))
        page = rows[(number - 1) * size : number * size]
        count = max(1, -(-len(rows) // size))
        return answer(
            200,
            {
                "entities": [entity(i, n) for i, n in page],
                "pageSize": size,
                "pageNumber": number,
                "total": len(rows),
                "pageCount": count,
            },
        )

    return handle


@pytest.fixture
def fake() -> FakeGenesys:
    fake = FakeGenesys(clock=FakeClock())
    fake.script("GET", "/api/v2/routing/wrapupcodes", paged(DEMO))
    fake.script("GET", QUEUE_PATH, paged(DEMO[:3]))
    fake.script("GET", PARTICIPANT_PATH, lambda r: answer(200, [entity(i, n) for i, n in DEMO[:2]]))
    return fake


def with_catalog(fake: FakeGenesys, body: Callable[[WrapupCatalog, GenesysClient], Any], **kw: Any) -> Any:
    async def go() -> Any:
        async with make_client(fake) as client:
            catalog = WrapupCatalog(client, **kw)
            result = body(catalog, client)
            return await result if asyncio.iscoroutine(result) else result

    return run(go())


def test_pages_until_page_count(fake: FakeGenesys) -> None:
    async def body(catalog: WrapupCatalog, _: GenesysClient) -> None:
        await catalog.load()
        assert len(catalog.codes) == len(DEMO)

    with_catalog(fake, body, page_size=5)
    pages = fake.calls("GET", "/api/v2/routing/wrapupcodes")
    assert [r.url.params["pageNumber"] for r in pages] == ["1", "2", "3", "4", "5"]
    assert all(r.url.params["pageSize"] == "5" for r in pages)


def test_default_page_size_is_100(fake: FakeGenesys) -> None:
    async def body(catalog: WrapupCatalog, _: GenesysClient) -> None:
        await catalog.load()

    with_catalog(fake, body)
    pages = fake.calls("GET", "/api/v2/routing/wrapupcodes")
    assert len(pages) == 1 and pages[0].url.params["pageSize"] == "100"


def test_lookups_by_id_exact_and_normalized_name(fake: FakeGenesys) -> None:
    async def body(catalog: WrapupCatalog, _: GenesysClient) -> None:
        await catalog.load()
        resolved = catalog.by_id("50a74cff-026f-4c84-aa8f-f5f8d837115f")
        assert resolved == WrapupCode("50a74cff-026f-4c84-aa8f-f5f8d837115f", "Resolved", HOME["id"], "Home")
        assert catalog.by_id("50A74CFF-026F-4C84-AA8F-F5F8D837115F") == resolved
        assert catalog.by_name("Resolved") == resolved
        assert catalog.by_name("resolved") is None
        assert catalog.by_normalized_name("  RESOLVED\u200b ") == (resolved,)
        assert catalog.get("follow\u2010up  required") == catalog.by_name("Follow-up Required")
        assert catalog.get("Not Resolved") == catalog.by_name("Not Resolved")
        assert catalog.get("50a74cff-026f-4c84-aa8f-f5f8d837115f") == resolved
        assert catalog.get("00000000-0000-4000-8000-000000000000") is None
        assert catalog.get("Nonexistent") is None
        assert catalog.divisions() == {HOME["id"]: "Home", EMEA["id"]: "EMEA"}
        assert catalog.by_name("Other") is not None and catalog.by_name("Other").division_name == "EMEA"  # type: ignore[union-attr]

    with_catalog(fake, body)


def test_normalized_collisions_are_not_guessed(fake: FakeGenesys) -> None:
    fake.script(
        "GET", "/api/v2/routing/wrapupcodes", paged([*DEMO, ("11111111-2222-4333-8444-555555555555", "resolved ")])
    )

    async def body(catalog: WrapupCatalog, _: GenesysClient) -> None:
        await catalog.load()
        assert len(catalog.find("RESOLVED")) == 2
        assert catalog.get("RESOLVED") is None
        assert catalog.get("Resolved") == catalog.by_name("Resolved")  # exact name still wins

    with_catalog(fake, body)


def test_lookups_before_load_fail_clearly(fake: FakeGenesys) -> None:
    def body(catalog: WrapupCatalog, _: GenesysClient) -> None:
        with pytest.raises(RuntimeError, match="await load"):
            catalog.by_name("Resolved")

    with_catalog(fake, body)


def test_codes_queue_and_participant_answers_are_cached_until_ttl(fake: FakeGenesys) -> None:
    async def body(catalog: WrapupCatalog, _: GenesysClient) -> None:
        for _round in range(5):
            await catalog.load()
            assert await catalog.queue_code_ids(BILLING) == {i for i, _ in DEMO[:3]}
            assert [c.name for c in await catalog.participant_codes(CID, PID)] == ["Resolved", "Not Resolved"]
        fake.clock.advance(301.0)
        await catalog.load()
        await catalog.queue_code_ids(BILLING)
        await catalog.participant_codes(CID, PID)

    with_catalog(fake, body, ttl=300.0)
    assert len(fake.calls("GET", "/api/v2/routing/wrapupcodes")) == 2
    assert len(fake.calls("GET", QUEUE_PATH)) == 2
    assert len(fake.calls("GET", PARTICIPANT_PATH)) == 2


def test_concurrent_askers_share_one_request(fake: FakeGenesys) -> None:
    async def body(catalog: WrapupCatalog, _: GenesysClient) -> None:
        results = await asyncio.gather(*(catalog.queue_code_ids(BILLING) for _ in range(10)))
        assert len(set(results)) == 1
        await asyncio.gather(*(catalog.load() for _ in range(5)))

    with_catalog(fake, body)
    assert len(fake.calls("GET", QUEUE_PATH)) == 1
    assert len(fake.calls("GET", "/api/v2/routing/wrapupcodes")) == 1


def test_refresh_forces_a_fetch(fake: FakeGenesys) -> None:
    async def body(catalog: WrapupCatalog, _: GenesysClient) -> None:
        await catalog.load()
        await catalog.load(refresh=True)

    with_catalog(fake, body)
    assert len(fake.calls("GET", "/api/v2/routing/wrapupcodes")) == 2


def test_fingerprint_is_stable_across_order_and_changes_with_content(fake: FakeGenesys) -> None:
    def fingerprint(rows: list[tuple[str, str]]) -> str:
        local = FakeGenesys(clock=FakeClock())
        local.script("GET", "/api/v2/routing/wrapupcodes", paged(rows))

        async def body(catalog: WrapupCatalog, _: GenesysClient) -> str:
            await catalog.load()
            return catalog.fingerprint()

        result: str = with_catalog(local, body, page_size=4)
        return result

    original = fingerprint(DEMO)
    assert original.startswith("sha256:") and len(original) == len("sha256:") + 64
    assert fingerprint(list(reversed(DEMO))) == original
    renamed = [(i, "Solved" if n == "Resolved" else n) for i, n in DEMO]
    assert fingerprint(renamed) != original
    assert fingerprint(DEMO[:-1]) != original


def test_snapshot_round_trip_works_offline(fake: FakeGenesys) -> None:
    async def body(catalog: WrapupCatalog, _: GenesysClient) -> dict[str, Any]:
        await catalog.load()
        await catalog.queue_code_ids(BILLING)
        return catalog.snapshot()

    snapshot = with_catalog(fake, body)
    assert json.loads(json.dumps(snapshot)) == snapshot
    assert snapshot["queues"] == {BILLING: [i for i, _ in DEMO[:3]]}
    offline = WrapupCatalog.from_snapshot(json.loads(json.dumps(snapshot)))
    assert offline.offline and offline.fingerprint() == snapshot["fingerprint"]
    assert offline.get("resolved") is not None

    async def use() -> None:
        await offline.load()
        assert await offline.queue_code_ids(BILLING) == {i for i, _ in DEMO[:3]}
        with pytest.raises(CatalogOffline) as caught:
            await offline.queue_code_ids("6744c1d7-ac7f-4c5f-89db-0d451ea7b5e5")
        assert "catalog export" in caught.value.explain()
        with pytest.raises(CatalogOffline):
            await offline.participant_codes(CID, PID)

    run(use())


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda s: s.update(version=2), "field 'version'"),
        (lambda s: s.update(codes="x"), "field 'codes'"),
        (lambda s: s["codes"][3].pop("id"), "codes[3]: field 'id'"),
        (lambda s: s["codes"][0].update(name="Edited"), "field 'fingerprint'"),
        (lambda s: s.update(queues={"q": "x"}), "queues['q']"),
    ],
)
def test_bad_snapshots_name_the_field(fake: FakeGenesys, mutate: Callable[[dict[str, Any]], Any], message: str) -> None:
    async def body(catalog: WrapupCatalog, _: GenesysClient) -> dict[str, Any]:
        await catalog.load()
        return catalog.snapshot()

    snapshot = with_catalog(fake, body)
    mutate(snapshot)
    with pytest.raises(CatalogFormatError, match=message.replace("[", r"\[").replace("]", r"\]")):
        WrapupCatalog.from_snapshot(snapshot, source="catalog.json")


def test_malformed_page_names_the_request_and_entity(fake: FakeGenesys) -> None:
    fake.script(
        "GET",
        "/api/v2/routing/wrapupcodes",
        answer(200, {"entities": [{"name": "x"}], "pageCount": 1, "pageNumber": 1}),
    )

    async def body(catalog: WrapupCatalog, _: GenesysClient) -> None:
        with pytest.raises(
            CatalogFormatError, match=r"GET /api/v2/routing/wrapupcodes page 1, entities\[0\]: field 'id'"
        ):
            await catalog.load()

    with_catalog(fake, body)
