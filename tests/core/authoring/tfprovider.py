"""What the Genesys Cloud provider does with a ``genesyscloud_outbound_wrapupcodemappings`` resource beyond its schema,
for the tests of ``mapping terraform --outbound``: the validation the schema JSON cannot express, the PUT body its
apply sends, and the state its read keeps.

Source for every rule here: MyPureCloud/terraform-provider-genesyscloud tag v1.84.1 (commit
f955430e6bd4c0b56708d3abc06fb25a1e9031b7), ``genesyscloud/outbound_wrapupcode_mappings/``:

- ``geneysyscloud_wrapupcode_mappings_schema.go``: ``flagsSchema`` validates every flag of ``default_set`` and of
  ``mappings.flags`` with ``validation.StringInSlice([CONTACT_UNCALLABLE, NUMBER_UNCALLABLE, RIGHT_PARTY_CONTACT,
  BUSINESS_FAILURE, BUSINESS_NEUTRAL, BUSINESS_SUCCESS], true)`` (true: ignore case); ``placeholder`` has
  ``validation.StringIsNotEmpty`` (default ``"***"``);
- ``resource_genesyscloud_outbound_wrapupcodemappings.go`` ``updateOutboundWrapUpCodeMappings`` (create calls it
  too, after ``d.SetId("wrapupcodemappings")``): GET the mapping, then PUT ``Wrapupcodemapping{DefaultSet:
  default_set, Mapping: buildWrapupCodeMappings(d), Version: <the version just read>}``;
- ``resource_genesyscloud_outbound_wrapupcode_mappings_utils.go``: ``buildWrapupCodeMappings`` makes a map of
  ``wrapup_code_id`` -> flags from the ``mappings`` blocks (two blocks of one id: the later one wins, silently);
  ``flattenOutboundWrapupCodeMappings`` (the read) keeps an org entry only when the configuration lists its code id
  (while ``placeholder`` is set, i.e. not for an export) and the code is among the org's wrap-up codes.

That the resource is one per org (fixed id, ``IsSingleton`` exporter) makes two of them in one configuration two
writers of one object: refused here (OURS: Terraform itself would accept it).

Empty flag lists (``flags = []``, ``default_set = []``) are accepted: terraform-plugin-sdk v2.40.0 (the provider's
go.mod) ``internal/configs/hcl2shim/values.go`` ``ConfigValueFromHCL2Block`` keeps an empty list attribute (only empty
nested *block* collections are dropped), so ``schemaMap.validate`` finds the Required attribute set; and the
provider's exporter writes them itself (``AllowEmptyArrays: ["default_set", "mappings.flags"]``).
"""

from __future__ import annotations

import re
from typing import Any

from tests.core.authoring.tfconfig import LABEL, resource_schemas

OUTBOUND = "genesyscloud_outbound_wrapupcodemappings"
#: ``flagsSchema``'s values (v1.84.1), compared ignoring case as ``StringInSlice(..., true)`` does.
PROVIDER_FLAGS = frozenset(
    {
        "CONTACT_UNCALLABLE",
        "NUMBER_UNCALLABLE",
        "RIGHT_PARTY_CONTACT",
        "BUSINESS_FAILURE",
        "BUSINESS_NEUTRAL",
        "BUSINESS_SUCCESS",
    }
)
_REFERENCE = re.compile(r"^([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)\.([a-z_]+)$")


def blocks(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """A nested block type's blocks as a list (HashiCorp's parser gives one block as an object, several as a list)."""
    value = body.get(name)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def outbound_resources(config: dict[str, Any]) -> dict[str, Any]:
    return dict(config.get("resource", {}).get(OUTBOUND, {}))


def _flag_errors(where: str, flags: Any) -> list[str]:
    if not isinstance(flags, list):
        return []  # the schema check says it is not a set
    return [
        f"{where}: {flag!r} is not one of the provider's flags"
        for flag in flags
        if not isinstance(flag, str) or flag.upper() not in PROVIDER_FLAGS
    ]


def provider_rule_errors(config: dict[str, Any]) -> list[str]:
    """What the provider refuses (or does silently wrong) in ``config`` (``tfconfig.parse_hcl``'s shape) that
    ``tfconfig.schema_errors`` cannot see: flags outside ``flagsSchema``, an empty ``placeholder``, a
    ``wrapup_code_id`` reference to no declared resource (or to an attribute its schema lacks), one code in two
    ``mappings`` blocks, and more than one outbound mapping resource."""
    errors: list[str] = []
    schemas = resource_schemas()
    resources = outbound_resources(config)
    if len(resources) > 1:
        errors.append(f"{OUTBOUND} declared {len(resources)} times: it is one object per org")
    declared = {kind: set(labels) for kind, labels in config.get("resource", {}).items()}
    for label, body in resources.items():
        where = f"{OUTBOUND}.{label}"
        if not isinstance(body, dict):
            continue  # declared twice: schema_errors says so
        errors += _flag_errors(f"{where}.default_set", body.get("default_set"))
        if "placeholder" in body and body["placeholder"] == "":
            errors.append(f"{where}.placeholder: must not be empty")
        seen: dict[str, int] = {}
        for i, mapping in enumerate(blocks(body, "mappings")):
            errors += _flag_errors(f"{where}.mappings[{i}].flags", mapping.get("flags"))
            code = mapping.get("wrapup_code_id")
            if not isinstance(code, str):
                continue
            if code in seen:
                errors.append(f"{where}.mappings[{i}]: {code} is also mappings[{seen[code]}] (the later one wins)")
            seen.setdefault(code, i)
            reference = _REFERENCE.match(code)
            if reference is None:
                continue
            kind, name, attribute = reference.groups()
            if not LABEL.match(name) or name not in declared.get(kind, set()):
                errors.append(f"{where}.mappings[{i}].wrapup_code_id: {code} names no declared resource")
            elif attribute not in schemas[kind]["block"].get("attributes", {}):
                errors.append(f"{where}.mappings[{i}].wrapup_code_id: {kind} has no attribute {attribute!r}")
    return errors


def _resolved(value: str, ids: dict[str, str]) -> str:
    reference = _REFERENCE.match(value)
    if reference is None:
        return value
    address = f"{reference.group(1)}.{reference.group(2)}"
    return ids[address]


def provider_put_body(body: dict[str, Any], version: int | None, ids: dict[str, str] | None = None) -> dict[str, Any]:
    """The body the provider PUTs for the resource ``body`` (``updateOutboundWrapUpCodeMappings``), with the
    ``version`` it just read; ``ids``: the id each referenced resource got (``genesyscloud_routing_wrapupcode.x``)."""
    mapping: dict[str, list[str]] = {}
    for block in blocks(body, "mappings"):
        mapping[_resolved(block["wrapup_code_id"], ids or {})] = list(block["flags"])
    return {"defaultSet": list(body["default_set"]), "mapping": mapping, "version": version}


def provider_read(
    body: dict[str, Any], answer: dict[str, Any], org_code_ids: set[str], ids: dict[str, str] | None = None
) -> dict[str, Any]:
    """The state the provider's read keeps (``flattenOutboundWrapupCodeMappings``, ``placeholder`` set): the org's
    ``defaultSet``, and its entries for the codes the configuration lists that the org has; each a set of flags as the
    API spells them (Terraform compares the strings: another spelling would be a change in every plan)."""
    configured = {_resolved(block["wrapup_code_id"], ids or {}) for block in blocks(body, "mappings")}
    kept = {
        code: frozenset(flags)
        for code, flags in (answer.get("mapping") or {}).items()
        if code in configured and code in org_code_ids
    }
    return {"default_set": frozenset(answer.get("defaultSet") or ()), "mappings": kept}


def configured_state(body: dict[str, Any], ids: dict[str, str] | None = None) -> dict[str, Any]:
    """What the configuration says, in ``provider_read``'s shape: equal to it means ``terraform plan`` shows no change."""
    return {
        "default_set": frozenset(body["default_set"]),
        "mappings": {
            _resolved(block["wrapup_code_id"], ids or {}): frozenset(block["flags"])
            for block in blocks(body, "mappings")
        },
    }
