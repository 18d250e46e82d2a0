"""``wrapup-bridge catalog export``: the whole org (codes with divisions, every queue with its codes) from the
emulator through the real HTTP client, paged, written with its provenance, and read back offline."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pydantic import SecretStr

from tests.review.conftest import ORG
from wrapup_bridge.cli import main
from wrapup_bridge.emulator import Emulator, EmulatorConfig
from wrapup_bridge.genesys.catalog import CatalogFormatError, WrapupCatalog
from wrapup_bridge.genesys.http import GenesysClient
from wrapup_bridge.genesys.regions import resolve_region
from wrapup_bridge.genesys.settings import GenesysSettings
from wrapup_bridge.services.catalog import load_org_catalog

BILLING = "e0284275-ec9b-4fde-a99c-648c9c1726bc"
SALE = "0dd6a32c-c059-4534-97bf-c82d73d9c869"


def test_export_holds_codes_queues_and_provenance(snapshot: dict[str, Any]) -> None:
    assert snapshot["version"] == 1 and snapshot["target"] == "emulator"
    assert "emulator (NOT Genesys Cloud)" in snapshot["exportedFrom"]
    assert snapshot["exportedAt"].endswith("Z")
    codes = {c["name"]: c for c in snapshot["codes"]}
    assert len(codes) == 21 and codes["Other"]["divisionName"] == "EMEA" and codes["Sale"]["id"] == SALE
    names = {qid: q["name"] for qid, q in snapshot["queueDetails"].items()}
    sizes = {names[qid]: len(ids) for qid, ids in snapshot["queues"].items()}
    assert sizes == {"Billing": 15, "Support": 15, "Sales Outbound": 12, "Retention": 4}
    assert SALE not in snapshot["queues"][BILLING]


def test_export_reads_back_offline_with_the_same_fingerprint(snapshot: dict[str, Any], snapshot_file: Path) -> None:
    offline = WrapupCatalog.from_snapshot(snapshot, source="catalog.json")
    assert offline.fingerprint() == snapshot["fingerprint"]
    assert [q.name for q in offline.queue_infos()] == ["Billing", "Retention", "Sales Outbound", "Support"]
    view = load_org_catalog(str(snapshot_file))
    assert view.fingerprint == snapshot["fingerprint"] and view.exported_at == snapshot["exportedAt"]
    billing = view.queue("billing")
    assert billing is not None and billing.id == BILLING and billing.division == "Home"
    assert view.queue(BILLING.upper()) is billing
    assert [q.name for q in view.queues_allowing(SALE)] == ["Sales Outbound", "Support"]


def test_export_to_stdout_and_summary_on_stderr() -> None:
    result = CliRunner().invoke(main, ["catalog", "export", "--target", "emulator", "--org", str(ORG)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["fingerprint"].startswith("sha256:")
    assert "exported 21 wrap-up codes and 4 queues" in result.stderr


def test_load_queues_pages_through_queues_and_their_codes() -> None:
    emulator = Emulator.from_file(ORG, EmulatorConfig(rate_limit=100_000))
    settings = GenesysSettings(
        client_id="demo-client",
        client_secret=SecretStr("demo-secret"),
        region=resolve_region("http://emulator.invalid"),
        rate_per_minute=100_000,
    )

    async def main() -> dict[str, Any]:
        async with GenesysClient(settings, transport=emulator.transport()) as client:
            wrapup_catalog = WrapupCatalog(client, page_size=2)
            await wrapup_catalog.load()
            await wrapup_catalog.load_queues()
            return wrapup_catalog.snapshot()

    snapshot = asyncio.run(main())
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


def test_missing_org_file_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["catalog", "export", "--target", "emulator", "--org", str(tmp_path / "none.yaml")]
    )
    assert result.exit_code == 2 and "not found" in result.output
