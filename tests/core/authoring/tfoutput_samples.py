r"""What ``terraform output -json`` prints after ``terraform apply`` of the configuration ``mapping terraform`` writes
for a table with two codes the demo org lacks, in both of its shapes, written by hand (Terraform and the provider
cannot be installed where the tests run) from Terraform's own code and tests:

- hashicorp/terraform ``internal/command/views/output.go``, ``OutputJSON.Output``: with no NAME,
  ``json.MarshalIndent(outputMetas, "", "  ")`` of ``map[string]OutputMeta`` where ``OutputMeta`` is
  ``{Sensitive bool `json:"sensitive"`; Type json.RawMessage `json:"type"`; Value json.RawMessage `json:"value"`}``
  (outputs in sorted order: encoding/json sorts map keys; the three fields in that order), then a newline
  (``Println``); with NAME, ``ctyjson.Marshal(value, value.Type())`` alone, compact, then a newline.
- hashicorp/terraform ``internal/command/views/output_test.go``: ``TestOutput_all`` (the indented layout, an object's
  type as ``["object", {attribute: type}]``, ``"sensitive": true`` for a sensitive output printed in full),
  ``TestOutputJSON_empty`` (no outputs: ``{}`` and a newline).
- zclconf/go-cty ``cty/json/marshal.go``: an object's attributes in sorted order, every string, keys too, written
  with encoding/json's ``Marshal``, which escapes ``&``, ``<`` and ``>`` as ``\u0026``, ``\u003c``, ``\u003e``.
- The output: ``IDS_OUTPUT`` in wrapup_bridge/core/authoring/terraform.py, ``value = { "<name>" =
  genesyscloud_routing_wrapupcode.<label>.id, ... }`` (an object constructor, so of object type); the id of a
  ``genesyscloud_routing_wrapupcode`` is the code's UUID (docs/reference-terraform.md §2).

The ids are made up, as an apply would have returned them. ``billing_queue_id`` stands for an output of the user's
own configuration that sits beside ours.
"""

from __future__ import annotations

#: The codes the table of these samples needs and the demo org lacks, with the ids the apply gave them.
PROMISE = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
DISPUTE = "3f2b8c1e-9d4a-4e6b-8f1c-2a5d7e9b0c14"
IDS = {"Billing & Payments Dispute": DISPUTE, "Promise To Pay": PROMISE}

#: `terraform output -json`: every output, each {sensitive, type, value}.
DOCUMENT = r"""{
  "billing_queue_id": {
    "sensitive": false,
    "type": "string",
    "value": "e0284275-ec9b-4fde-a99c-648c9c1726bc"
  },
  "wrapup_bridge_new_code_ids": {
    "sensitive": false,
    "type": [
      "object",
      {
        "Billing \u0026 Payments Dispute": "string",
        "Promise To Pay": "string"
      }
    ],
    "value": {
      "Billing \u0026 Payments Dispute": "3f2b8c1e-9d4a-4e6b-8f1c-2a5d7e9b0c14",
      "Promise To Pay": "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    }
  }
}
"""

#: `terraform output -json wrapup_bridge_new_code_ids`: that output's value alone, compact.
SINGLE = (
    r'{"Billing \u0026 Payments Dispute":"3f2b8c1e-9d4a-4e6b-8f1c-2a5d7e9b0c14",'
    r'"Promise To Pay":"7c9e6679-7425-40de-944b-e07fc1f90ae7"}'
    "\n"
)

#: `terraform output -json` before the first apply (no outputs in the state).
EMPTY = "{}\n"

#: Placeholder ids the table holds until the apply (a table must have ids to load, and `mapping terraform` loads it).
PLACEHOLDER_PROMISE = "11111111-1111-4111-8111-111111111111"
PLACEHOLDER_DISPUTE = "22222222-2222-4222-8222-222222222222"
#: Two codes the demo org lacks, in two styles sync edits (a flow mapping; a block mapping with a quoted id and
#: comments), and the rules that use them (one scoped to the Billing queue).
NEW_CODES = f"""\
  # New in MIG-150: created by `mapping terraform`, ids put back by `mapping sync --terraform-output`.
  promise:            {{id: {PLACEHOLDER_PROMISE}, name: Promise To Pay}}
  dispute:                                   # block style
    id: "{PLACEHOLDER_DISPUTE}"   # until the apply
    name: Billing & Payments Dispute
"""
NEW_RULES = """\
  - when: {code: Promise To Pay, queue: Billing}
    code: promise
  - when: {code: [Dispute, Billing Dispute]}
    code: dispute
"""


def five9_with_new_codes(five9: str) -> str:
    """The shipped Five9 table (``five9``: its text) with ``NEW_CODES`` after its own codes and ``NEW_RULES`` first."""
    codes_end = five9.index("\nrules:\n")
    with_codes = five9[:codes_end].rstrip("\n") + "\n" + NEW_CODES + five9[codes_end:]
    return with_codes.replace("rules:\n", "rules:\n" + NEW_RULES, 1)
