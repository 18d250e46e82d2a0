"""``wrapup-bridge catalog export``: the whole org (codes with divisions, every queue with its codes) from the
emulator through the real HTTP client, written with its provenance, and read back offline (the paging and the
snapshot's checks are tested on genesys.catalog in tests/genesys/test_catalog_emulator.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tests.core.review.samples import ORG
from wrapup_bridge.cli import main
from wrapup_bridge.genesys.catalog import WrapupCatalog
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


def test_missing_org_file_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["catalog", "export", "--target", "emulator", "--org", str(tmp_path / "none.yaml")]
    )
    assert result.exit_code == 2 and "not found" in result.output
