"""Reading the Terraform that ``mapping terraform`` writes, and checking it against the Genesys Cloud provider's
schema, for the tests of core/authoring/terraform.py, services/authoring/terraform.py and the CLI command.

The provider (mypurecloud/genesyscloud) cannot be installed where the tests run, so ``terraform validate`` cannot
check the output (docs/reference-terraform.md §6). Instead:

- HCL is parsed by HashiCorp's own HCL library (``pygohcl``: the Go hashicorp/hcl/v2 Terraform parses with),
  which decodes string literals as Terraform does (escapes, ``$${``), so a name reads back as Terraform would see it;
- JSON syntax (``.tf.json``) is read with ``json`` and its strings decoded as Terraform's JSON syntax reads them
  (templates: ``$${`` is a literal ``${``, a whole ``${ref}`` is a reference);
- both come out in one shape (``{"resource": {type: {label: body}}, "output": ..., ...}``, references as their
  expression text) and ``schema_errors`` checks that against the resource schema in ``provider_schema.json``
  (transcribed from the provider's source, reference §5): known resource types, valid and unique labels, every
  required attribute present, no unknown or computed-only attribute, value types, outputs whose references name a
  declared resource and an attribute its schema has.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pygohcl

SCHEMA_FILE = Path(__file__).with_name("provider_schema.json")
PROVIDER_ADDRESS = "registry.terraform.io/mypurecloud/genesyscloud"
#: The provider block's arguments (reference §1, [TF] docs/index.md), all optional; we write none.
PROVIDER_ARGUMENTS = frozenset(
    {
        "oauthclient_id",
        "oauthclient_secret",
        "aws_region",
        "access_token",
        "token_pool_size",
        "max_concurrent_pages",
        "custom_retry_timeout",
        "sdk_debug",
        "proxy",
        "gateway",
    }
)
#: Terraform's own top-level blocks that the output may hold, and an output block's arguments (HashiCorp docs).
TOP_LEVEL = frozenset({"terraform", "provider", "resource", "output"})
OUTPUT_ARGUMENTS = frozenset({"value", "description", "sensitive", "ephemeral", "depends_on"})
#: A resource label: an HCL identifier (letters, digits, underscores, dashes; not starting with a digit or dash).
LABEL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
REFERENCE = re.compile(r"^([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)\.([a-z_]+)$")


@cache
def resource_schemas() -> dict[str, Any]:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    schemas: dict[str, Any] = schema["provider_schemas"][PROVIDER_ADDRESS]["resource_schemas"]
    return schemas


def parse_hcl(text: str) -> dict[str, Any]:
    """``text`` (a ``.tf`` file) as HashiCorp's parser reads it; ``pygohcl.HCLParseError`` when it is not HCL."""
    parsed: dict[str, Any] = pygohcl.loads(text)
    return parsed


_TEMPLATE = re.compile(r"\$\$\{|%%\{|\$\{|%\{")


def _json_string(value: str) -> str:
    """A string of Terraform's JSON syntax as Terraform reads it: a whole ``${expr}`` is the expression (its text
    here, as pygohcl gives references), ``$${`` and ``%%{`` are literal ``${`` and ``%{``; any other ``${`` or
    ``%{`` would be an interpolation or directive, which the output never means to write."""
    whole = re.fullmatch(r"\$\{([^{}]*)\}", value)
    if whole:
        return whole.group(1)

    def literal(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("${", "%{"):
            raise AssertionError(f"unescaped template sequence {token!r} in {value!r}")
        return token[1:]

    return _TEMPLATE.sub(literal, value)


def _value(value: Any) -> Any:
    """An expression: every key and string decoded, ``"//"`` included (a comment only in a body, never in a value:
    Terraform keeps ``{"//": ...}`` in an output's map as a key)."""
    if isinstance(value, dict):
        return {_json_string(k): _value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_value(v) for v in value]
    return _json_string(value) if isinstance(value, str) else value


def _body(body: Any, blocks: dict[str, Any] | None = None) -> Any:
    """A block body: ``"//"`` dropped, attributes decoded as expressions, nested blocks (``blocks``: the schema's
    ``block_types``) as bodies again."""
    if isinstance(body, list):
        return [_body(item, blocks) for item in body]
    if not isinstance(body, dict):
        return _value(body)
    nested = blocks or {}
    decoded = {}
    for key, value in body.items():
        if key == "//":
            continue
        spec = nested.get(key)
        decoded[key] = _body(value, spec["block"].get("block_types")) if spec else _value(value)
    return decoded


def _decode_json(data: dict[str, Any]) -> dict[str, Any]:
    """The root of a ``.tf.json`` file: block types, their labels, then bodies (HCL JSON syntax spec)."""
    schemas = resource_schemas()
    decoded: dict[str, Any] = {}
    for key, value in data.items():
        if key == "//":
            continue
        if key == "resource":
            decoded[key] = {
                kind: {
                    label: _body(body, schemas.get(kind, {}).get("block", {}).get("block_types"))
                    for label, body in labels.items()
                    if label != "//"
                }
                for kind, labels in value.items()
                if kind != "//"
            }
        elif key in ("output", "provider"):
            decoded[key] = {label: _body(body) for label, body in value.items() if label != "//"}
        elif key == "terraform":
            decoded[key] = _body(value, {"required_providers": {"block": {}}})
        else:
            decoded[key] = _value(value)
    return decoded


def parse_tf_json(text: str) -> dict[str, Any]:
    """``text`` (a ``.tf.json`` file) in ``parse_hcl``'s shape: ``"//"`` comments dropped, templates decoded."""
    data = json.loads(text)
    assert isinstance(data, dict), "a .tf.json file is one JSON object"
    return _decode_json(data)


def parse_files(files: dict[str, str]) -> dict[str, Any]:
    """Several files of one configuration (as Terraform reads a directory) merged into one ``parse_hcl`` shape; a
    label declared in two files is kept as a list, as pygohcl keeps a duplicate within one file."""
    merged: dict[str, Any] = {}
    for name, text in sorted(files.items()):
        parsed = parse_tf_json(text) if name.endswith(".tf.json") else parse_hcl(text)
        _merge(merged, parsed)
    return merged


def _add(into: dict[str, Any], label: str, body: Any) -> None:
    into[label] = [*(into[label] if isinstance(into[label], list) else [into[label]]), body] if label in into else body


def _merge(into: dict[str, Any], more: dict[str, Any]) -> None:
    for key, value in more.items():
        if key == "resource":  # resource type -> label -> body
            for resource_type, resources in value.items():
                for label, body in resources.items():
                    _add(into.setdefault("resource", {}).setdefault(resource_type, {}), label, body)
        elif key in ("output", "provider"):  # label -> body
            for label, body in value.items():
                _add(into.setdefault(key, {}), label, body)
        else:
            _add(into, key, value)


def _type_errors(where: str, expected: Any, value: Any) -> list[str]:
    if expected == "string":
        return [] if isinstance(value, str) else [f"{where}: expected a string, got {value!r}"]
    if expected == "bool":
        return [] if isinstance(value, bool) else [f"{where}: expected a bool, got {value!r}"]
    if expected == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return [] if ok else [f"{where}: expected a number, got {value!r}"]
    if isinstance(expected, list) and expected[0] in ("set", "list"):
        if not isinstance(value, list):
            return [f"{where}: expected a {expected[0]}, got {value!r}"]
        errors = [e for i, item in enumerate(value) for e in _type_errors(f"{where}[{i}]", expected[1], item)]
        if expected[0] == "set" and len({json.dumps(v, sort_keys=True) for v in value}) != len(value):
            errors.append(f"{where}: a set with repeated values")
        return errors
    return [f"{where}: type {expected!r} is not known to this check"]


def _block_errors(where: str, block: dict[str, Any], body: Any) -> list[str]:
    if isinstance(body, list):
        return [f"{where}: declared {len(body)} times"]
    if not isinstance(body, dict):
        return [f"{where}: not a block"]
    attributes: dict[str, Any] = block.get("attributes", {})
    nested: dict[str, Any] = block.get("block_types", {})
    errors = []
    for name in body:
        if name not in attributes and name not in nested:
            errors.append(f"{where}: unknown attribute {name!r}")
    for name, spec in attributes.items():
        if spec.get("required") and name not in body:
            errors.append(f"{where}: required attribute {name!r} missing")
        if name in body:
            if spec.get("computed") and not spec.get("optional") and not spec.get("required"):
                errors.append(f"{where}: {name!r} is computed only and cannot be set")
            errors += _type_errors(f"{where}.{name}", spec["type"], body[name])
    for name, spec in nested.items():
        if name in body:
            items = body[name] if isinstance(body[name], list) else [body[name]]
            for i, item in enumerate(items):
                errors += _block_errors(f"{where}.{name}[{i}]", spec["block"], item)
    return errors


def _references(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [r for v in value.values() for r in _references(v)]
    if isinstance(value, list):
        return [r for v in value for r in _references(v)]
    return [value] if isinstance(value, str) and REFERENCE.match(value) else []


def schema_errors(config: dict[str, Any]) -> list[str]:
    """Everything in ``config`` (``parse_hcl``'s shape) the provider's schema or Terraform would refuse."""
    schemas = resource_schemas()
    errors = [f"unexpected top-level block {key!r}" for key in config if key not in TOP_LEVEL]
    terraform = config.get("terraform", {})
    if terraform:
        source = terraform.get("required_providers", {}).get("genesyscloud", {}).get("source")
        if source != "mypurecloud/genesyscloud":
            errors.append(f"terraform.required_providers.genesyscloud.source is {source!r}")
    for name, body in config.get("provider", {}).items():
        if name != "genesyscloud":
            errors.append(f"provider {name!r} is not the Genesys Cloud provider")
        elif isinstance(body, list):
            errors.append("provider 'genesyscloud' declared twice")
        else:
            errors += [f"provider: unknown argument {arg!r}" for arg in body if arg not in PROVIDER_ARGUMENTS]
    declared: dict[str, set[str]] = {}
    for resource_type, resources in config.get("resource", {}).items():
        if resource_type not in schemas:
            errors.append(f"resource type {resource_type!r} is not in the provider's schema")
            continue
        for label, body in resources.items():
            if not LABEL.match(label):
                errors.append(f"{resource_type}.{label}: not a valid resource label")
            declared.setdefault(resource_type, set()).add(label)
            errors += _block_errors(f"{resource_type}.{label}", schemas[resource_type]["block"], body)
    for name, body in config.get("output", {}).items():
        if not isinstance(body, dict):
            errors.append(f"output {name!r} declared twice")
            continue
        errors += [f"output {name!r}: unknown argument {arg!r}" for arg in body if arg not in OUTPUT_ARGUMENTS]
        if "value" not in body:
            errors.append(f"output {name!r}: value missing")
        for reference in _references(body.get("value")):
            resource_type, label, attribute = REFERENCE.match(reference).groups()  # type: ignore[union-attr]
            if label not in declared.get(resource_type, set()):
                errors.append(f"output {name!r}: {reference} names no declared resource")
            elif attribute not in schemas[resource_type]["block"].get("attributes", {}):
                errors.append(f"output {name!r}: {reference}: {resource_type} has no attribute {attribute!r}")
    return errors
