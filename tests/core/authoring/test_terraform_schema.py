"""The check the Terraform output is held to (tfconfig.py): its schema file says what docs/reference-terraform.md §5
transcribed from the provider's source, and the check refuses what the provider or Terraform would refuse, so
the tests of the output can fail."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import ROOT
from tests.core.authoring.tfconfig import SCHEMA_FILE, parse_files, parse_hcl, parse_tf_json, schema_errors

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
