"""The check the Terraform output is held to (tfconfig.py): its schema file says what docs/reference-terraform.md §5
transcribed from the provider's source, and the check refuses what the provider or Terraform would refuse, so
the tests of the output can fail."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import ROOT
from tests.core.authoring.tfconfig import SCHEMA_FILE, parse_files, parse_hcl, parse_tf_json, schema_errors
from tests.core.authoring.tfprovider import OUTBOUND, provider_put_body, provider_rule_errors

GOOD = """\
terraform {
  required_providers {
    genesyscloud = {
      source  = "mypurecloud/genesyscloud"
      version = "~> 1.84"
    }
  }
}

provider "genesyscloud" {}

resource "genesyscloud_routing_wrapupcode" "win" {
  name        = "Win"
  division_id = "48ddf357-eb7e-4766-9706-7cc07753a7de"
}

output "ids" {
  value = {
    "Win" = genesyscloud_routing_wrapupcode.win.id
  }
}
"""


def test_the_schema_file_is_the_transcription_in_the_reference() -> None:
    page = (ROOT / "docs" / "reference-terraform.md").read_text(encoding="utf-8")
    section = page[page.index("## 5.") : page.index("## 6.")]
    block = re.search(r"```json\n(.*?)```", section, re.S)
    assert block is not None
    data = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert "v1.84.1" in " ".join(data.pop("//"))  # says where it comes from
    assert data == json.loads(block.group(1))


def test_a_good_configuration_passes() -> None:
    assert schema_errors(parse_hcl(GOOD)) == []


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (('name        = "Win"', 'title = "Win"'), "unknown attribute 'title'"),
        (('name        = "Win"', ""), "required attribute 'name' missing"),
        (('name        = "Win"', 'name = ["Win"]'), "expected a string"),
        (('"genesyscloud_routing_wrapupcode" "win"', '"genesyscloud_routing_queue_wrapupcode" "win"'), "not in the"),
        (("genesyscloud_routing_wrapupcode.win.id", "genesyscloud_routing_wrapupcode.lose.id"), "names no declared"),
        (("genesyscloud_routing_wrapupcode.win.id", "genesyscloud_routing_wrapupcode.win.uuid"), "no attribute 'uuid'"),
        (('provider "genesyscloud" {}', 'provider "genesyscloud" {\n  region = "x"\n}'), "unknown argument 'region'"),
        (('"mypurecloud/genesyscloud"', '"hashicorp/genesyscloud"'), "source is"),
        (('output "ids" {\n  value', 'output "ids" {\n  values'), "value missing"),
    ],
)
def test_the_check_refuses(change: tuple[str, str], error: str) -> None:
    assert change[0] in GOOD
    errors = schema_errors(parse_hcl(GOOD.replace(change[0], change[1], 1)))
    assert any(error in e for e in errors), errors


def test_the_check_refuses_duplicates_and_wrong_set_types() -> None:
    twice = GOOD + 'resource "genesyscloud_routing_wrapupcode" "win" {\n  name = "Again"\n}\n'
    assert any("declared 2 times" in e for e in schema_errors(parse_hcl(twice)))
    in_two_files = parse_files({"a.tf": GOOD, "b.tf": 'provider "genesyscloud" {}\n'})
    assert "provider 'genesyscloud' declared twice" in schema_errors(in_two_files)
    queue = 'resource "genesyscloud_routing_queue" "q" {\n  name = "Q"\n  wrapup_codes = "x"\n}\n'
    assert any("expected a set" in e for e in schema_errors(parse_hcl(GOOD + queue)))
    repeated = queue.replace('"x"', '["a", "a"]')
    assert any("repeated values" in e for e in schema_errors(parse_hcl(GOOD + repeated)))
    mappings = 'resource "genesyscloud_outbound_wrapupcodemappings" "m" {\n  mappings {\n    flags = ["X"]\n  }\n}\n'
    errors = schema_errors(parse_hcl(GOOD + mappings))
    assert "genesyscloud_outbound_wrapupcodemappings.m: required attribute 'default_set' missing" in errors
    assert any("mappings[0]: required attribute 'wrapup_code_id' missing" in e for e in errors)


def test_json_syntax_is_read_as_terraform_reads_it() -> None:
    text = json.dumps(
        {
            "//": "a comment",
            "resource": {"genesyscloud_routing_wrapupcode": {"w": {"//": "c", "name": "a $${x} %%{y}"}}},
            "output": {"o": {"value": {"k": "${genesyscloud_routing_wrapupcode.w.id}"}}},
        }
    )
    config = parse_tf_json(text)
    assert config["resource"]["genesyscloud_routing_wrapupcode"]["w"] == {"name": "a ${x} %{y}"}
    assert schema_errors(config) == []
    # "//" is a comment in a body only: in an expression's object it is a key like any other (as Terraform reads it).
    kept = parse_tf_json(json.dumps({"//": 1, "output": {"o": {"//": 2, "value": {"//": "k"}}}}))
    assert kept == {"output": {"o": {"value": {"//": "k"}}}}
    with pytest.raises(AssertionError, match="unescaped"):
        parse_tf_json(json.dumps({"output": {"o": {"value": "a ${x}"}}}))


# ------------------------------------------------------------------------ genesyscloud_outbound_wrapupcodemappings
#: The provider's own examples, verbatim (v1.84.1): examples/resources/genesyscloud_routing_wrapupcode/resource.tf
#: and examples/resources/genesyscloud_outbound_wrapupcodemappings/resource.tf (the docs page shows the same).
PROVIDER_EXAMPLE = """\
resource "genesyscloud_routing_wrapupcode" "win" {
  name        = "Win"
  description = "Win test description"
}
resource "genesyscloud_routing_wrapupcode" "unknown" {
  name        = "Unknown"
  description = "Unknown test description"
}
resource "genesyscloud_outbound_wrapupcodemappings" "example_mappings" {
  default_set = ["Right_Party_Contact", "Contact_UnCallable"]
  mappings {
    wrapup_code_id = genesyscloud_routing_wrapupcode.unknown.id
    flags          = ["Contact_UnCallable", "Number_UnCallable", ]
  }
  mappings {
    wrapup_code_id = genesyscloud_routing_wrapupcode.win.id
    flags          = ["Right_Party_Contact"]
  }
}
"""


def test_the_providers_own_outbound_example_passes() -> None:
    config = parse_hcl(PROVIDER_EXAMPLE)
    assert schema_errors(config) == [] and provider_rule_errors(config) == []
    body = config["resource"][OUTBOUND]["example_mappings"]
    put = provider_put_body(
        body, 7, {"genesyscloud_routing_wrapupcode.win": "w", "genesyscloud_routing_wrapupcode.unknown": "u"}
    )
    assert put == {
        "defaultSet": ["Right_Party_Contact", "Contact_UnCallable"],
        "mapping": {"u": ["Contact_UnCallable", "Number_UnCallable"], "w": ["Right_Party_Contact"]},
        "version": 7,
    }


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (
            ('    flags          = ["Right_Party_Contact"]', '    flag = ["Right_Party_Contact"]'),
            "unknown attribute 'flag'",
        ),
        (('    flags          = ["Right_Party_Contact"]', ""), "required attribute 'flags' missing"),
        (
            ('default_set = ["Right_Party_Contact", "Contact_UnCallable"]', 'default_set = "Right_Party_Contact"'),
            "expected a set",
        ),
        (
            ('default_set = ["Right_Party_Contact", "Contact_UnCallable"]', "default_set = []\n  mapping {}"),
            "unknown attribute 'mapping'",
        ),
        (
            ('["Right_Party_Contact"]', '["Right_Party_Contact", "RIGHT_PARTY_CONTACT", "Right_Party_Contact"]'),
            "repeated values",
        ),
        (('["Right_Party_Contact"]', '["Callback"]'), "'Callback' is not one of the provider's flags"),
        (
            ('default_set = ["Right_Party_Contact", "Contact_UnCallable"]', 'default_set = ["Do_Not_Call"]'),
            "not one of the provider's flags",
        ),
        (
            ('default_set = ["Right_Party_Contact", "Contact_UnCallable"]', 'default_set = []\n  placeholder = ""'),
            "must not be empty",
        ),
        (
            ("genesyscloud_routing_wrapupcode.win.id", "genesyscloud_routing_wrapupcode.lose.id"),
            "names no declared resource",
        ),
        (
            ("genesyscloud_routing_wrapupcode.win.id", "genesyscloud_routing_wrapupcode.win.code"),
            "has no attribute 'code'",
        ),
        (
            ("genesyscloud_routing_wrapupcode.win.id", "genesyscloud_routing_wrapupcode.unknown.id"),
            "the later one wins",
        ),
    ],
)
def test_the_outbound_checks_refuse(change: tuple[str, str], error: str) -> None:
    assert change[0] in PROVIDER_EXAMPLE
    config = parse_hcl(PROVIDER_EXAMPLE.replace(change[0], change[1], 1))
    errors = schema_errors(config) + provider_rule_errors(config)
    assert any(error in e for e in errors), errors


def test_one_outbound_mapping_per_configuration() -> None:
    second = PROVIDER_EXAMPLE.split('resource "genesyscloud_outbound')[1].replace("example_mappings", "other", 1)
    config = parse_files({"a.tf": PROVIDER_EXAMPLE, "b.tf": 'resource "genesyscloud_outbound' + second})
    assert schema_errors(config) == []  # Terraform itself accepts two; the provider would write one object twice
    assert f"{OUTBOUND} declared 2 times: it is one object per org" in provider_rule_errors(config)
