"""``core.authoring.terraform``: what a table needs and the org lacks, and the Terraform written for it.

The provider cannot be installed here, so validity is checked against its schema as transcribed from its source
(tfconfig.py, provider_schema.json), after parsing the HCL with HashiCorp's own parser; where ``terraform`` itself
is on PATH, ``terraform fmt -check`` also reads the HCL (in the same test, which asserts the schema check either way).
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pygohcl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.core.authoring.tfconfig import parse_files, parse_hcl, parse_tf_json, schema_errors
from tests.core.review.samples import ORG
from wrapup_bridge import testing
from wrapup_bridge.core.authoring.terraform import (
    CODE_RESOURCE,
    IDS_OUTPUT,
    QUEUE_RESOURCE,
    TerraformPlan,
    assign_labels,
    find_division,
    hcl_string,
    plan_terraform,
    render_hcl,
    render_json,
    template_escape,
    terraform_label,
)
from wrapup_bridge.core.mapping import MappingTable
from wrapup_bridge.core.normalize import normalize_text
from wrapup_bridge.core.review import OrgCatalog, ReviewedTable, check_table
from wrapup_bridge.core.review.findings import FindingKind
from wrapup_bridge.core.review.orgview import CatalogCode, CatalogQueue
from wrapup_bridge.services.catalog import export_catalog
from wrapup_bridge.services.target import connect

HOME = "48ddf357-eb7e-4766-9706-7cc07753a7de"
EMEA = "2dbf91d3-04e9-424e-b2e0-536107a74330"
BILLING = "e0284275-ec9b-4fde-a99c-648c9c1726bc"
SUPPORT = "32f46174-fc86-4b1c-a519-6bd0bcde15a0"
SALE = "0dd6a32c-c059-4534-97bf-c82d73d9c869"
PAYMENT_TAKEN = "dd1c84e4-4fa9-40d7-81ac-e0d9a2729d41"

#: One of each case: an existing code a scoped rule needs on a queue that lacks it, a new code scoped to two
#: queues, the same new code under a second alias (another spelling), a new unscoped code with a description, a
#: code the org has under another id, an unused alias, and a queue condition matching no queue.
TABLE = """\
version: 1
description: The table of the Terraform tests.
source: {platform: five9}
codes:
  sale:    {id: 0dd6a32c-c059-4534-97bf-c82d73d9c869, name: Sale}
  refund:  {id: 11111111-1111-4111-8111-111111111111, name: Refund Issued}
  vip:     {id: 22222222-2222-4222-8222-222222222222, name: VIP Callback, description: Call back within the hour}
  again:   {id: 33333333-3333-4333-8333-333333333333, name: refund  issued}
  moved:   {id: 99999999-2222-4333-8444-555555555555, name: Payment Taken}
  unused:  {id: 44444444-4444-4444-8444-444444444444, name: Never Used}
rules:
  - when: {code: Sale, queue: Billing}
    code: sale
  - when: {code: Refund, queue_name: [Billing, Support]}
    code: refund
  - when: {code: Refund Again, queue: Nowhere}
    code: again
  - when: {code: VIP}
    code: vip
  - when: {code: Paid, queue: Support}
    code: moved
unmapped: {action: dead-letter}
"""


@pytest.fixture(scope="module")
def demo() -> OrgCatalog:
    """The demo org as ``catalog export`` reads it from the in-process emulator."""

    async def export() -> OrgCatalog:
        async with connect("emulator", testing.emulator(ORG), rate_per_minute=100_000) as connection:
            return (await export_catalog(connection)).view

    return asyncio.run(export())


def reviewed(text: str = TABLE, name: str = "table.yaml") -> ReviewedTable:
    return ReviewedTable.from_text(MappingTable.from_text(text, name=name), text)


def plan_of(catalog: OrgCatalog, text: str = TABLE, **options: object) -> TerraformPlan:
    return plan_terraform(reviewed(text), catalog, **options)  # type: ignore[arg-type]


def yaml_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar holding exactly it (every character outside printable ASCII
    escaped as ``\\UXXXXXXXX``)."""
    inner = "".join(c if " " <= c <= "~" and c not in '"\\' else f"\\U{ord(c):08X}" for c in text)
    return f'"{inner}"'


def one_code_table(name: str) -> str:
    return (
        "version: 1\ncodes:\n"
        f"  x: {{id: 11111111-1111-4111-8111-111111111111, name: {yaml_quoted(name)}}}\n"
        "rules:\n  - when: {code: X}\n    code: x\n"
    )


# ------------------------------------------------------------------------------------------------ the plan
def test_the_plan_creates_what_the_org_lacks_and_assigns_what_scoped_rules_need(demo: OrgCatalog) -> None:
    plan = plan_of(demo)
    assert [(c.label, c.name, c.aliases, c.rules) for c in plan.new_codes] == [
        ("refund_issued", "Refund Issued", ("refund", "again"), (2, 3)),
        ("vip_callback", "VIP Callback", ("vip",), (4,)),
    ]
    refund, vip = plan.new_codes
    assert (refund.division_id, refund.division_name) == (HOME, "Home")
    assert "queues its rules are scoped to" in refund.division_reason
    assert (vip.division_id, vip.description) == (HOME, "Call back within the hour")
    assert "table's other codes" in vip.division_reason
    assigned = {q.queue.name: [(c.name, c.id, c.label, c.rules) for c in q.codes] for q in plan.queues}
    assert assigned == {
        "Billing": [("Refund Issued", None, "refund_issued", (2,)), ("Sale", SALE, None, (1,))],
        "Support": [("Payment Taken", PAYMENT_TAKEN, None, (5,)), ("Refund Issued", None, "refund_issued", (2,))],
    }
    remarks = "\n".join(f"{r.line}: {r.message}" for r in plan.remarks)
    assert "'unused'" in remarks and "no rule uses it" in remarks
    assert "'moved': the org has \"Payment Taken\" under another id" in remarks and "mapping sync" in remarks
    assert 'one code is created, named "Refund Issued"' in remarks
    assert 'queue "Nowhere", which matches no queue' in remarks
    assert '"VIP Callback" will be on no queue' in remarks


def test_a_table_the_org_satisfies_needs_nothing(demo: OrgCatalog) -> None:
    from tests.conftest import MAPPINGS

    for name in ("five9.yaml", "cxone.yaml", "twilio-flex.yaml"):
        text = (MAPPINGS / name).read_text(encoding="utf-8")
        plan = plan_of(demo, text)
        assert plan.empty, (name, plan.new_codes, plan.queues)
        config = parse_files(render_hcl(plan, split=False))
        assert schema_errors(config) == [] and "resource" not in config


def test_the_assignments_are_the_queue_findings_of_mapping_check(demo: OrgCatalog) -> None:
    """For codes the org has, a queue assignment is written exactly where `mapping check` reports
    queue-not-allowed: both read a rule's queue conditions alike."""
    text = TABLE.replace("id: 99999999-2222-4333-8444-555555555555", f"id: {PAYMENT_TAKEN}")
    table = reviewed(text)
    check = check_table(table, demo)
    expected = {(f.code_id, f.rule) for f in check.findings if f.kind is FindingKind.QUEUE_NOT_ALLOWED}
    plan = plan_terraform(table, demo)
    written = {(c.id, rule) for q in plan.queues for c in q.codes if c.id for rule in c.rules}
    assert written == expected and len(written) == 2


def test_divisions_of_new_codes(demo: OrgCatalog) -> None:
    assert find_division(demo, "emea") == (EMEA, "EMEA")
    assert find_division(demo, HOME.upper()) == (HOME, "Home")
    assert find_division(demo, "Nowhere") is None
    unknown_id = "55555555-5555-4555-8555-555555555555"
    assert find_division(demo, unknown_id) == (unknown_id, None)
    given_division = plan_of(demo, division=(EMEA, "EMEA"))
    assert {(c.division_id, c.division_reason) for c in given_division.new_codes} == {
        (EMEA, "the division given (--division)")
    }
    # No queue, and the table's other codes in two divisions: division_id is left out, and the output says so.
    text = TABLE.replace("name: Payment Taken}", "name: Other}").replace(
        "99999999-2222-4333-8444-555555555555", "0cab9e0c-7015-4b96-9819-e59f32cd0700"
    )
    vip = next(c for c in plan_of(demo, text).new_codes if c.label == "vip_callback")
    assert vip.division_id is None and "--division" in vip.division_reason
    body = parse_hcl(render_hcl(plan_of(demo, text), split=False)["main.tf"])["resource"][CODE_RESOURCE]
    assert "division_id" not in body["vip_callback"] and body["refund_issued"]["division_id"] == HOME


def test_a_catalog_without_queues_says_so(demo: OrgCatalog) -> None:
    bare = OrgCatalog.build(demo.codes.values(), (), source="old snapshot", fingerprint="sha256:0")
    plan = plan_of(bare)
    assert not plan.queues_checked and plan.queues == ()
    assert "lists no queues" in render_hcl(plan, split=False)["main.tf"]


# ------------------------------------------------------------------------------------------- the output
@pytest.mark.parametrize("syntax", ["hcl", "json"])
@pytest.mark.parametrize("split", [False, True])
def test_the_output_passes_the_provider_schema(demo: OrgCatalog, syntax: str, split: bool, tmp_path: Path) -> None:
    plan = plan_of(demo)
    files = (render_json if syntax == "json" else render_hcl)(plan, split=split)
    suffix = ".tf.json" if syntax == "json" else ".tf"
    expected_files = (
        {f"versions{suffix}", f"wrapup-codes{suffix}", f"queue-wrapup-codes{suffix}"} if split else {f"main{suffix}"}
    )
    assert set(files) == expected_files
    config = parse_files(files)
    assert schema_errors(config) == []
    assert set(config) == {"terraform", "provider", "resource", "output"}
    assert list(config["resource"]) == [CODE_RESOURCE]  # never a queue (docs/authoring.md: why)
    assert config["resource"][CODE_RESOURCE] == {
        "refund_issued": {"name": "Refund Issued", "division_id": HOME},
        "vip_callback": {"name": "VIP Callback", "description": "Call back within the hour", "division_id": HOME},
    }
    assert config["output"][IDS_OUTPUT]["value"] == {
        "Refund Issued": f"{CODE_RESOURCE}.refund_issued.id",
        "VIP Callback": f"{CODE_RESOURCE}.vip_callback.id",
    }
    text = "".join(files.values())
    # The references are expressions, not strings that happen to read like one.
    reference = f"{CODE_RESOURCE}.refund_issued.id"
    assert (f'"${{{reference}}}"' if syntax == "json" else f"= {reference}\n") in text
    # The queue assignments are there for people, and only as comments.
    assert QUEUE_RESOURCE in text and BILLING in text and "wrapup_codes" in text and "NOT APPLIED BY TERRAFORM" in text
    if syntax == "hcl":
        for name, body in files.items():
            _fmt_check(body, tmp_path / name)


def _fmt_check(text: str, path: Path) -> None:
    """``terraform fmt -check`` (no provider needed) where Terraform is installed; the callers assert the schema
    check first, so the test checks the output everywhere and reads it with Terraform too where it can."""
    terraform = shutil.which("terraform")
    if terraform is None:
        return
    path.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [terraform, "fmt", "-check", "-diff", str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_output_is_deterministic(demo: OrgCatalog) -> None:
    plan = plan_of(demo)
    assert render_hcl(plan, split=True) == render_hcl(plan_of(demo), split=True)
    assert render_json(plan, split=False) == render_json(plan_of(demo), split=False)
    # Aliases in another order give the same resources, labels and assignments (of a code named by two aliases,
    # the spelling of the first one in the file is the name created).
    lines = TABLE.splitlines(keepends=True)
    start = lines.index("codes:\n") + 1
    aliases = lines[start : start + 6]
    random.Random(7).shuffle(aliases)
    shuffled = "".join([*lines[:start], *aliases, *lines[start + 6 :]])
    other = plan_of(demo, shuffled)

    def summary(p: TerraformPlan) -> object:
        codes = [(c.label, normalize_text(c.name), c.division_id) for c in p.new_codes]
        queues = [(q.queue.id, [(c.label, c.id, c.rules) for c in q.codes]) for q in p.queues]
        return codes, queues

    assert summary(other) == summary(plan)
    config = parse_files(render_hcl(other, split=False))
    assert config["resource"].keys() == parse_files(render_hcl(plan, split=False))["resource"].keys()


def test_nothing_to_create_is_still_a_valid_configuration(demo: OrgCatalog) -> None:
    text = TABLE.replace(
        "id: 11111111-1111-4111-8111-111111111111, name: Refund Issued",
        "id: 0dd6a32c-c059-4534-97bf-c82d73d9c869, name: Sale",
    )
    text = text.replace("name: refund  issued", "name: Sale").replace("name: VIP Callback", "name: Sale")
    plan = plan_of(demo, text)
    assert plan.new_codes == ()
    for files in (render_hcl(plan, split=True), render_json(plan, split=True)):
        config = parse_files(files)
        assert schema_errors(config) == [] and "resource" not in config and "output" not in config


# ------------------------------------------------------------------------------------- strings and labels
#: Text, with what HCL treats specially mixed in often enough to be tried in every run.
FRAGMENTS = ["${", "%{", "$${", "%%{", "$", "%", "{", "}", "\\", '"', "\n", "\r", "\t", "\\u0041", "#", "//", "/*"]
names = st.lists(st.one_of(st.text(max_size=6), st.sampled_from(FRAGMENTS)), max_size=8).map("".join)


@given(names)
def test_any_name_reads_back_through_hashicorps_parser(name: str) -> None:
    literal = hcl_string(name)
    assert "\n" not in literal and "\r" not in literal
    # HCL reads every string literal as NFC (docstring of hcl_string); nothing else changes.
    assert pygohcl.loads(f"v = {literal}\n")["v"] == unicodedata.normalize("NFC", name)
    assert parse_tf_json(json.dumps({"v": template_escape(name)}))["v"] == name


@given(names.filter(lambda n: n.strip()))
def test_any_code_name_makes_a_valid_configuration(name: str) -> None:
    """The name in the resource, the output's key and every comment: still exactly one resource of that name,
    whatever the name holds (a newline cannot end a comment and start a block)."""
    catalog = OrgCatalog.build([], [], source="empty org\n}\nresource", fingerprint="sha256:0")
    plan = plan_of(catalog, one_code_table(name))
    for files in (render_hcl(plan, split=False), render_json(plan, split=True)):
        config = parse_files(files)
        assert schema_errors(config) == []
        ((label, body),) = config["resource"][CODE_RESOURCE].items()
        expected = unicodedata.normalize("NFC", name) if "main.tf" in files else name
        assert body == {"name": expected} and label == terraform_label(name)
        assert config["output"][IDS_OUTPUT]["value"] == {expected: f"{CODE_RESOURCE}.{label}.id"}


def test_template_sequences_and_quotes_are_escaped() -> None:
    assert hcl_string('Say "hi" \\ ${var.x} %{ if true }') == '"Say \\"hi\\" \\\\ $${var.x} %%{ if true }"'
    assert hcl_string("$${x}") == '"$$${x}"'  # a literal $${ stays one
    assert hcl_string("a\nb\tc\u202ed\u200be") == '"a\\nb\\tc\\u202Ed\\u200Be"'  # bidi and zero-width shown
    assert hcl_string("\U000e0001") == '"\\U000E0001"'
    assert template_escape("${a}%{b}") == "$${a}%%{b}"


def test_labels() -> None:
    assert terraform_label("Follow-up Required") == "follow_up_required"
    assert terraform_label("404") == "code_404"
    assert terraform_label("Rückruf geplant") == "ruckruf_geplant"
    assert terraform_label("日本") == terraform_label("日本") != terraform_label("中国")
    assert terraform_label("日本").startswith("code_")
    assert len(terraform_label("x" * 500)) <= 60
    assert assign_labels(["Sale!", "Sale?", "sale"]) == {"Sale!": "sale", "Sale?": "sale_2", "sale": "sale_3"}
    assert assign_labels(["sale_2", "Sale!", "Sale?"]) == {"Sale!": "sale", "Sale?": "sale_3", "sale_2": "sale_2"}


@given(st.lists(st.text(max_size=12), max_size=12, unique=True), st.randoms())
def test_labels_are_unique_valid_and_independent_of_order(names: list[str], rnd: random.Random) -> None:
    labels = assign_labels(names)
    assert len(set(labels.values())) == len(names)
    assert all(label[0].isalpha() and label.replace("_", "").isalnum() and label.isascii() for label in labels.values())
    shuffled = list(names)
    rnd.shuffle(shuffled)
    assert assign_labels(shuffled) == labels


def test_org_text_in_comments_cannot_break_out(demo: OrgCatalog) -> None:
    """A queue or catalog name holding a newline and HCL stays inside its comment."""
    evil = 'Billing\nresource "genesyscloud_routing_queue" "x" {\n  name = "x"\n}\n#'
    queues = [
        CatalogQueue(q.id, evil if q.id == BILLING else q.name, q.code_ids, q.division_id, q.division_name)
        for q in demo.queues
    ]
    catalog = OrgCatalog.build(demo.codes.values(), queues, source=evil, fingerprint="sha256:0")
    text = TABLE.replace("queue: Billing}", f"queue: {BILLING}}}").replace(
        "[Billing, Support]", f"[{BILLING}, Support]"
    )
    plan = plan_of(catalog, text)
    assert any(q.queue.id == BILLING for q in plan.queues)
    files = render_hcl(plan, split=False)
    config = parse_files(files)
    assert schema_errors(config) == [] and list(config["resource"]) == [CODE_RESOURCE]


def test_codes_named_alike_in_the_org_are_not_created(demo: OrgCatalog) -> None:
    codes = [*demo.codes.values(), CatalogCode("66666666-6666-4666-8666-666666666666", "Refund Issued", EMEA, "EMEA")]
    catalog = OrgCatalog.build(codes, demo.queues, source="org", fingerprint="sha256:0")
    plan = plan_of(catalog)
    assert [c.name for c in plan.new_codes] == ["VIP Callback"]
    assert any("under another id (66666666" in r.message for r in plan.remarks)
