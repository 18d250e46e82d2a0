"""``core.authoring.sync`` with the ids of ``terraform output -json`` (tests/core/authoring/tfoutput_samples.py):
alone, names the output lacks are reported missing as the catalog path reports them; on top of the org's catalog,
the new codes are added to the org's; names match after normalization either way; a name given twice is ambiguous.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import MAPPINGS
from tests.core.authoring.tfoutput_samples import (
    DISPUTE,
    DOCUMENT,
    PLACEHOLDER_DISPUTE,
    PLACEHOLDER_PROMISE,
    PROMISE,
    SINGLE,
    five9_with_new_codes,
)
from tests.core.review.samples import ORG
from wrapup_bridge import testing
from wrapup_bridge.core.authoring.sync import describe_change, sync_ids
from wrapup_bridge.core.authoring.terraform import IDS_OUTPUT
from wrapup_bridge.core.authoring.tfoutput import TerraformIds, parse_terraform_output
from wrapup_bridge.core.mapping import MappingTable
from wrapup_bridge.core.review import OrgCatalog
from wrapup_bridge.core.review.orgview import CatalogCode
from wrapup_bridge.services.catalog import export_catalog
from wrapup_bridge.services.target import connect

FIVE9 = (MAPPINGS / "five9.yaml").read_text(encoding="utf-8")
TABLE = five9_with_new_codes(FIVE9)
#: The table once synced: only the two placeholder ids differ (the quotes of the block-style id stay).
SYNCED = TABLE.replace(PLACEHOLDER_PROMISE, PROMISE).replace(PLACEHOLDER_DISPUTE, DISPUTE)
SALE = "0dd6a32c-c059-4534-97bf-c82d73d9c869"
HOME = "48ddf357-eb7e-4766-9706-7cc07753a7de"


@pytest.fixture(scope="module")
def demo() -> OrgCatalog:
    """The demo org as `catalog export` reads it before the apply: without the two new codes."""

    async def export() -> OrgCatalog:
        async with connect("emulator", testing.emulator(ORG), rate_per_minute=100_000) as connection:
            return (await export_catalog(connection)).view

    return asyncio.run(export())


def output(text: str = DOCUMENT, name: str = "tf-out.json") -> TerraformIds:
    return parse_terraform_output(text.encode(), name=name)


def test_on_top_of_the_org_every_id_is_filled_and_nothing_else_changes(demo: OrgCatalog) -> None:
    assert not demo.codes_named("Promise To Pay")  # the snapshot predates the apply
    from_org = sync_ids(TABLE, demo, name="five9.yaml")
    assert {n.alias: n.kind for n in from_org.not_filled} == {"promise": "missing", "dispute": "missing"}

    result = sync_ids(TABLE, demo, name="five9.yaml", terraform=output())
    assert result.new_text == SYNCED and result.complete
    assert [(c.alias, c.old, c.new, c.from_output) for c in result.changes] == [
        ("promise", PLACEHOLDER_PROMISE, PROMISE, True),
        ("dispute", PLACEHOLDER_DISPUTE, DISPUTE, True),
    ]
    assert len(result.unchanged) == 12 and result.unused_output == ()
    assert describe_change(result.changes[1]) == (
        f"line 33: dispute 'Billing & Payments Dispute': {PLACEHOLDER_DISPUTE} -> {DISPUTE} (from the Terraform output)"
    )
    assert result.catalog == f"{demo.source} and the Terraform output tf-out.json ({IDS_OUTPUT})"
    assert result.fingerprint == demo.fingerprint
    assert result.diff().startswith("--- five9.yaml\n+++ five9.yaml (ids from the org and the Terraform output)\n")
    report = result.to_dict()
    assert report["terraform_output"]["file"] == "tf-out.json" and report["terraform_output"]["unused"] == []
    assert report["changes"][0]["from_output"] is True
    table = MappingTable.from_text(result.new_text)
    assert (table.codes["promise"].id, table.codes["dispute"].id) == (PROMISE, DISPUTE)


def test_alone_the_names_it_lacks_are_reported_as_the_org_would_report_them() -> None:
    result = sync_ids(TABLE, None, name="five9.yaml", terraform=output(SINGLE, "<stdin>"))
    assert result.new_text == SYNCED  # what it has is filled all the same
    assert not result.complete and {c.alias for c in result.changes} == {"promise", "dispute"}
    missing = {n.alias: n for n in result.not_filled}
    assert len(missing) == 12 and {n.kind for n in missing.values()} == {"missing"}
    assert missing["sale"].line == 19
    assert missing["sale"].message == (
        "code alias 'sale': the Terraform output has no code named 'Sale': not filled (it names only the codes "
        "`terraform apply` created)"
    )
    assert result.catalog == "Terraform output <stdin>" and result.fingerprint == output(SINGLE).fingerprint
    assert "(ids from the Terraform output)" in result.diff()


def test_names_match_after_normalization_and_the_spelling_is_reported(demo: OrgCatalog) -> None:
    text = TABLE.replace("name: Promise To Pay}", "name: '  promise  TO pay'}").replace(
        "name: Billing & Payments Dispute", "name: Billing & Payments\u00a0Dispute\u200b"
    )
    result = sync_ids(text, None, name="t.yaml", terraform=output())
    changes = {c.alias: c for c in result.changes}
    assert (changes["promise"].new, changes["dispute"].new) == (PROMISE, DISPUTE)
    assert changes["promise"].org_name == "Promise To Pay"
    assert "; the Terraform output spells it 'Promise To Pay'" in describe_change(changes["promise"])
    assert result.unused_output == ()


def test_a_name_given_twice_is_ambiguous_unless_the_table_has_one_of_the_ids(demo: OrgCatalog) -> None:
    twice = output("{" + f'"Promise To Pay": "{PROMISE}", "promise to pay": "{DISPUTE}"' + "}", "two.json")
    result = sync_ids(TABLE, None, name="t.yaml", terraform=twice)
    promise = next(n for n in result.not_filled if n.alias == "promise")
    assert promise.kind == "ambiguous" and promise.line == 31
    assert promise.message == (
        "code alias 'promise': the Terraform output has 2 codes named 'Promise To Pay' "
        f"({PROMISE} ('Promise To Pay') from the Terraform output; {DISPUTE} ('promise to pay') from the "
        "Terraform output): not filled; write the id of the one meant"
    )
    assert {c.id for c in promise.candidates} == {PROMISE, DISPUTE}
    kept = sync_ids(TABLE.replace(PLACEHOLDER_PROMISE, DISPUTE), None, name="t.yaml", terraform=twice)
    assert "promise" in kept.unchanged

    # The org has a Sale; an output that names a Sale under another id makes the name ambiguous, as two of the
    # org's codes would, except for the alias whose id is already one of them.
    new_sale = "5b0c9a4e-1f3d-4c2b-9e8a-7d6f5e4c3b2a"
    clash = output(f'{{"Sale": "{new_sale}", "Promise To Pay": "{PROMISE}"}}', "clash.json")
    both = sync_ids(TABLE.replace(SALE, "0" * 8 + SALE[8:]), demo, name="t.yaml", terraform=clash)
    sale = next(n for n in both.not_filled if n.alias == "sale")
    assert sale.kind == "ambiguous"
    assert sale.message == (
        "code alias 'sale': the org and the Terraform output have 2 codes named 'Sale' "
        f"({SALE} in division Home; {new_sale} ('Sale') from the Terraform output): not filled; write the id of "
        "the one meant"
    )
    assert "sale" in sync_ids(TABLE, demo, name="t.yaml", terraform=clash).unchanged


def test_missing_renamed_and_unused_names_with_both(demo: OrgCatalog) -> None:
    text = TABLE.replace("name: Busy}", "name: Very Busy}").replace(
        f"{{id: {PLACEHOLDER_PROMISE}, name: Promise To Pay}}", f"{{id: {PROMISE}, name: Promise to Pay Later}}"
    )
    result = sync_ids(text, demo, name="t.yaml", terraform=output())
    found = {n.alias: n.message for n in result.not_filled}
    assert found["busy"] == (
        "code alias 'busy': neither the org nor the Terraform output has a code named 'Very Busy': not filled "
        "(its id 5f1bfb25-5eef-4f8d-bde5-4e17c7836f95 is the org's 'Busy': renamed?)"
    )
    assert found["promise"] == (
        "code alias 'promise': neither the org nor the Terraform output has a code named 'Promise to Pay Later': "
        f"not filled (its id {PROMISE} is the Terraform output's 'Promise To Pay': renamed?)"
    )
    assert result.unused_output == ("Promise To Pay",)
    assert result.to_dict()["terraform_output"]["unused"] == ["Promise To Pay"]


def test_for_an_id_both_know_the_org_wins(demo: OrgCatalog) -> None:
    """Read after the apply, the org has the new codes already; where the output still has an old spelling (the
    code was renamed in the org since), the org's name is the one matched."""
    after_apply = OrgCatalog.build(
        [*demo.codes.values(), CatalogCode(PROMISE, "Promise To Pay", HOME, "Home")],
        demo.queues,
        source="org after apply",
        fingerprint="sha256:1",
    )
    renamed = output(DOCUMENT.replace('"Promise To Pay": "7c9e', '"Promise 2 Pay": "7c9e'))
    result = sync_ids(TABLE, after_apply, name="t.yaml", terraform=renamed)
    promise = next(c for c in result.changes if c.alias == "promise")
    assert (promise.new, promise.division, promise.from_output) == (PROMISE, "Home", False)
    assert "(division Home)" in describe_change(promise)
    assert result.unused_output == ("Promise 2 Pay",) and result.complete


def test_something_to_look_in_is_needed() -> None:
    with pytest.raises(ValueError, match="catalog, a Terraform output, or both"):
        sync_ids(TABLE, None, name="t.yaml")
