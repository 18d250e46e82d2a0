"""``services.authoring.terraform``: where ``--out`` puts the files (one file or a directory) and that nothing is
written over a file that exists unless forced; for ``--outbound``, the org's current outbound mapping read from a
file (a GET answer or an ``outbound plan``) or the org, and the inputs found as ``outbound plan`` finds them."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.conftest import MAPPINGS
from tests.core.authoring.tfconfig import parse_files, schema_errors
from tests.core.authoring.tfprovider import provider_rule_errors
from tests.core.review.samples import ORG
from wrapup_bridge import testing
from wrapup_bridge.adapters.base import AdapterError
from wrapup_bridge.core.mapping import load_mapping
from wrapup_bridge.core.review.orgview import OrgCatalog
from wrapup_bridge.services.authoring.terraform import (
    OrgOutboundMapping,
    OutboundMappingFileError,
    OutboundTerraformError,
    build_terraform,
    is_single_file,
    output_paths,
    read_outbound_mapping,
    read_outbound_mapping_file,
    write_terraform,
)
from wrapup_bridge.services.catalog import export_catalog
from wrapup_bridge.services.outbound.plan import OutboundPlan, make_plan, write_plan
from wrapup_bridge.services.target import connect

EMPTY = OrgCatalog.build([], [], source="an empty org", fingerprint="sha256:0")


def test_one_file_or_a_directory(tmp_path: Path) -> None:
    assert is_single_file(tmp_path / "codes.tf", "hcl") and is_single_file(tmp_path / "codes.tf.json", "json")
    assert not is_single_file(tmp_path / "codes.tf", "json") and not is_single_file(tmp_path / "cx", "hcl")
    (tmp_path / "dir.tf").mkdir()
    assert not is_single_file(tmp_path / "dir.tf", "hcl")
    split = build_terraform(MAPPINGS / "five9.yaml", EMPTY, split=True)
    assert set(output_paths(tmp_path / "cx", split)) == {
        tmp_path / "cx" / name for name in ("versions.tf", "wrapup-codes.tf", "queue-wrapup-codes.tf")
    }
    one = build_terraform(MAPPINGS / "five9.yaml", EMPTY, syntax="json")
    assert list(output_paths(tmp_path / "codes.tf.json", one)) == [tmp_path / "codes.tf.json"]
    assert len(one.plan.new_codes) == 12  # an empty org lacks every code


def test_nothing_is_written_over_an_existing_file(tmp_path: Path) -> None:
    output = build_terraform(MAPPINGS / "five9.yaml", EMPTY, split=True)
    paths = output_paths(tmp_path / "cx", output)
    existing = tmp_path / "cx" / "wrapup-codes.tf"
    existing.parent.mkdir()
    existing.write_text("# mine\n", encoding="utf-8")
    with pytest.raises(FileExistsError, match=r"wrapup-codes\.tf"):
        write_terraform(paths)
    assert sorted(p.name for p in existing.parent.iterdir()) == ["wrapup-codes.tf"]  # none of the others either
    assert existing.read_text(encoding="utf-8") == "# mine\n"
    assert write_terraform(paths, force=True) == list(paths)
    assert existing.read_text(encoding="utf-8") == output.files["wrapup-codes.tf"]


# ---------------------------------------------------------------------------------------- --outbound's inputs
#: A GET /api/v2/outbound/wrapupcodemappings answer, shaped as the SDK's WrapUpCodeMapping model (fields VERIFIED,
#: docs/reference-outbound.md §1.2; ids and dates invented).
GET_ANSWER = {
    "id": "8bfbb3fe-5c1f-4a6e-9f0d-2b7d4c1e0a55",
    "name": "Wrap-up Code Mapping",
    "dateCreated": "2026-02-16T10:12:00.000Z",
    "dateModified": "2026-02-27T15:40:31.204Z",
    "version": 4,
    "defaultSet": ["CONTACT_UNCALLABLE"],
    "mapping": {"5f1bfb25-5eef-4f8d-bde5-4e17c7836f95": []},
    "selfUri": "/api/v2/outbound/wrapupcodemappings",
}


def demo_catalog() -> OrgCatalog:
    async def export() -> OrgCatalog:
        async with connect("emulator", testing.emulator(ORG), rate_per_minute=100_000) as connection:
            return (await export_catalog(connection)).view

    return asyncio.run(export())


def test_the_orgs_mapping_from_a_get_answer_or_an_outbound_plan(tmp_path: Path) -> None:
    answer = tmp_path / "mapping.json"
    answer.write_text(json.dumps(GET_ANSWER), encoding="utf-8")
    read = read_outbound_mapping_file(answer)
    assert read.current.version == 4 and read.current.mapping == {"5f1bfb25-5eef-4f8d-bde5-4e17c7836f95": ()}
    assert read.source == f"{answer} (dateModified 2026-02-27T15:40:31.204Z)"

    async def plan() -> OutboundPlan:
        async with connect("emulator", testing.emulator(ORG)) as connection:
            return await make_plan(connection, load_mapping(MAPPINGS / "five9.yaml"))

    plan_file = tmp_path / "o.plan.json"
    write_plan(asyncio.run(plan()), plan_file)
    from_plan = read_outbound_mapping_file(plan_file)
    assert from_plan.current.version == 4 and from_plan.current.entry("0dd6a32c-c059-4534-97bf-c82d73d9c869") == (
        "Right_Party_Contact",
    )
    assert from_plan.source.startswith(f"outbound plan {plan_file} (the wrapup-bridge Genesys emulator")
    # An edited plan is refused, as `outbound apply` refuses it.
    edited = json.loads(plan_file.read_text(encoding="utf-8"))
    edited["current"]["defaultSet"] = []
    plan_file.write_text(json.dumps(edited), encoding="utf-8")
    with pytest.raises(OutboundMappingFileError, match="changed after it was made"):
        read_outbound_mapping_file(plan_file)


def test_the_live_mapping_says_where_and_when_it_was_read() -> None:
    async def read() -> OrgOutboundMapping:
        async with connect("emulator", testing.emulator(ORG)) as connection:
            return await read_outbound_mapping(connection)

    found = asyncio.run(read())
    assert found.current.version == 4 and "emulator (NOT Genesys Cloud)" in found.source and ", read 20" in found.source


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('{\n  "version": 4,\n  "mapping": {\n}}}', "is not JSON: line 4"),
        ("[1, 2]", "is not a JSON object"),
        (json.dumps({"wrapupCodes": [], "exportedFrom": "org"}), "is a 'catalog export' file"),
        (json.dumps({"kind": "wrapup-bridge replay plan"}), "is a 'wrapup-bridge replay plan' file"),
        (json.dumps({"defaultSet": []}), "has no field version"),
        (json.dumps({"version": 4}), "has no field defaultSet or mapping"),
        (json.dumps({"version": 4, "mapping": {"abc": "RIGHT_PARTY_CONTACT"}}), "field 'mapping.abc' is not a list"),
        (json.dumps({"version": "4", "defaultSet": []}), "field 'version' is '4', not an integer"),
    ],
)
def test_a_file_that_is_no_mapping_is_refused_naming_it(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "m.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OutboundMappingFileError) as caught:
        read_outbound_mapping_file(path)
    assert str(path) in str(caught.value) and error in str(caught.value)
    with pytest.raises(OutboundMappingFileError, match="cannot read the org's outbound mapping"):
        read_outbound_mapping_file(tmp_path / "missing.json")


def test_build_with_the_outbound_mapping(tmp_path: Path) -> None:
    catalog = demo_catalog()
    answer = tmp_path / "mapping.json"
    answer.write_text(json.dumps(GET_ANSWER), encoding="utf-8")
    org_mapping = read_outbound_mapping_file(answer)
    output = build_terraform(MAPPINGS / "five9.yaml", catalog, split=True, outbound=org_mapping)
    assert set(output.files) == {
        "versions.tf",
        "wrapup-codes.tf",
        "outbound-wrapupcode-mappings.tf",
        "queue-wrapup-codes.tf",
    }
    assert output.plan.outbound is not None and output.plan.outbound.source == org_mapping.source
    config = parse_files(output.files)
    assert schema_errors(config) == [] and provider_rule_errors(config) == []
    # The listing comes from the table's outbound.catalog, relative to the table: its findings are there.
    assert any("'Spoke To Spouse'" in n.message for n in output.plan.outbound.notes)
    # --dispositions replaces it; one that does not read names itself.
    with pytest.raises(AdapterError, match=r"nowhere\.yaml"):
        build_terraform(
            MAPPINGS / "five9.yaml", catalog, outbound=org_mapping, dispositions=str(tmp_path / "nowhere.yaml")
        )
    # A table with no outbound: section has nothing to write.
    with pytest.raises(OutboundTerraformError, match=r"cxone\.yaml: the table has no outbound: section"):
        build_terraform(MAPPINGS / "cxone.yaml", catalog, outbound=org_mapping)
    # No listing anywhere: only outbound.codes decide, and the notes say so.
    text = (MAPPINGS / "five9.yaml").read_text(encoding="utf-8")
    bare = tmp_path / "bare.yaml"
    bare.write_text(text.replace("  catalog: ../examples/five9/dispositions.yaml", ""), encoding="utf-8")
    alone = build_terraform(bare, catalog, outbound=org_mapping)
    assert alone.plan.outbound is not None
    assert any("no legacy catalog" in n.message for n in alone.plan.outbound.notes)
    assert {e.code.name for e in alone.plan.outbound.entries if e.origin == "table"} == {
        "Sale",
        "Payment Taken",
        "Not Interested",
        "Do Not Call",
    }
