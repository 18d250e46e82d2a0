"""``mapping terraform``: the Genesys Cloud configuration a table needs and the org lacks, as Terraform for the
Genesys Cloud provider ("CX as Code"), for an operations lead to review and apply.

What the table needs: each code alias a rule (or the unmapped fallback) uses, and, for each rule scoped to queues
(a ``queue``/``queue_id``/``queue_name`` condition, as ``mapping check`` reads them), that its code is assigned to
those queues. What the org has: the catalog (a ``catalog export`` snapshot or the org read now). A code the org
has under the table's id, or under the table's name with another id, is not created again: the first is
``mapping check``'s business (a renamed code), the second ``mapping sync``'s (the table holds another org's id).

Codes become ``genesyscloud_routing_wrapupcode`` resources (``name``, ``division_id``, ``description`` when the
table gives one), labelled from their names, plus an ``output`` of the ids Genesys gives them, to put back into
the table after ``terraform apply`` (``mapping sync`` does it by name). Facts about the provider are in
docs/reference-terraform.md (mypurecloud/genesyscloud v1.84.1): §2 the code resource, §3 queue assignment.

Queue assignments are written as comments, never as a resource (docs/authoring.md says the same to its readers).
The provider assigns codes to a queue only through the ``wrapup_codes`` set of ``genesyscloud_routing_queue``
(reference §3: there is no separate resource), and declaring an existing queue makes Terraform manage all of it:
attributes the declaration leaves out go back to the provider's defaults (``acw_wrapup_prompt`` to
MANDATORY_TIMEOUT, ``skill_evaluation_method`` to ALL, ``auto_answer_only`` to true: ``Default`` values in
``resource_genesyscloud_routing_queue_schema.go``), optional settings it leaves out (in-queue flow, groups,
bullseye rings, routing rules) are cleared, and the set removes every code someone assigns by hand later. So the
output says, per queue, which codes to add and two safe ways to add them (to ``wrapup_codes`` of a queue the
lead's configuration already manages, or in Genesys Cloud itself); applying the output never touches a queue.

With ``outbound`` (``mapping terraform --outbound``), the org's outbound wrap-up code mapping too, as the provider's
org-wide ``genesyscloud_outbound_wrapupcodemappings`` (reference §4): ``terraform_outbound`` works it out over the
org's current mapping and renders it; here it joins the plan, naming the codes created here by their resources, and
goes into a file of its own (``outbound-wrapupcode-mappings.tf``) when the output is a directory.

Everything is rendered here as text, in HCL (``*.tf``, what people read) or Terraform's JSON syntax
(``*.tf.json``); strings from the table or the org are escaped for HCL templates (quotes, backslashes, control
and invisible characters, ``${`` and ``%{``), and shown in comments only in that escaped, quoted form, so no name
can end a comment or open an interpolation.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from wrapup_bridge.core.authoring.hcl import comment_safe, comment_text, hcl_string, template_escape, wrap_comment
from wrapup_bridge.core.authoring.terraform_outbound import (
    OUTBOUND_LABEL,
    OUTBOUND_RESOURCE,
    CodeTarget,
    OutboundInputs,
    OutboundMappings,
    notes_text,
    outbound_hcl,
    outbound_json,
    plan_outbound,
)
from wrapup_bridge.core.disposition import is_genesys_id
from wrapup_bridge.core.mapping.schema import ConditionKind, UnmappedAction
from wrapup_bridge.core.mapping.table import CompiledRule, MappingTable
from wrapup_bridge.core.normalize import normalize_text
from wrapup_bridge.core.review.check import QUEUE_KEYS
from wrapup_bridge.core.review.orgview import CatalogCode, CatalogQueue, OrgCatalog
from wrapup_bridge.core.review.source import ReviewedTable

__all__ = [
    "CODES_FILE",
    "CODE_RESOURCE",
    "IDS_OUTPUT",
    "OUTBOUND_FILE",
    "OUTBOUND_RESOURCE",
    "PROVIDER_SOURCE",
    "PROVIDER_VERSION",
    "QUEUES_FILE",
    "VERSIONS_FILE",
    "NewCode",
    "OutboundInputs",
    "QueueCode",
    "QueueNeed",
    "Remark",
    "TerraformPlan",
    "assign_labels",
    "find_division",
    "hcl_string",
    "plan_terraform",
    "render_hcl",
    "render_json",
    "template_escape",
    "terraform_label",
]

#: The provider's registry source and the version range we wrote against (reference §1; the pin is ours).
PROVIDER_SOURCE = "mypurecloud/genesyscloud"
PROVIDER_VERSION = "~> 1.84"
#: Terraform versions the provider supports (its README: "Terraform >= 1.0.x").
REQUIRED_TERRAFORM = ">= 1.0.0"
CODE_RESOURCE = "genesyscloud_routing_wrapupcode"
QUEUE_RESOURCE = "genesyscloud_routing_queue"
#: The output naming each new code's id by its name, for `terraform output -json`.
IDS_OUTPUT = "wrapup_bridge_new_code_ids"
#: The files of a directory of output: provider requirements apart, so the codes can join an existing configuration
#: that already has them (two ``required_providers`` or ``provider`` blocks for one provider are an error).
VERSIONS_FILE = "versions"
CODES_FILE = "wrapup-codes"
QUEUES_FILE = "queue-wrapup-codes"
#: With ``--outbound``: the org-wide outbound mapping in a file of its own, so nobody adds it to a configuration
#: without seeing that it is one (docs/reference-terraform.md §4).
OUTBOUND_FILE = "outbound-wrapupcode-mappings"

#: How the output was checked, said in its header: the provider could not be installed where this was written.
VALIDITY_NOTE = (
    "Checked by wrapup-bridge's tests against the provider schema transcribed from mypurecloud/genesyscloud "
    "v1.84.1 (docs/reference-terraform.md §5), not by `terraform validate` (the provider could not be installed "
    "where they run): run `terraform init` and `terraform validate` before `terraform plan`."
)

_MAX_LABEL = 60
_LABEL_JUNK = re.compile(r"[^a-z0-9]+")


# ---------------------------------------------------------------------------------------------------- labels
def terraform_label(name: str) -> str:
    """A resource label for a code called ``name``: lower-case ASCII letters, digits and underscores, starting with
    a letter (``Follow-up Required`` -> ``follow_up_required``, ``404`` -> ``code_404``); a name with nothing left
    (``日本``) gets ``code_`` and a hash of the name. Deterministic: the same name always gives the same label."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    label = _LABEL_JUNK.sub("_", ascii_text).strip("_")[:_MAX_LABEL].rstrip("_")
    if not label:
        return "code_" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return label if label[0].isalpha() else f"code_{label}"


def assign_labels(names: Iterable[str]) -> dict[str, str]:
    """A unique label for each name: its ``terraform_label``; where several names give the same one, the first in
    sorted order keeps it and the others get ``_2``, ``_3``... (skipping any label another name gives by itself).
    Depends only on the set of names, never on their order."""
    groups: dict[str, list[str]] = {}
    for name in set(names):
        groups.setdefault(terraform_label(name), []).append(name)
    taken = set(groups)
    labels: dict[str, str] = {}
    for base, members in sorted(groups.items()):
        first, *others = sorted(members)
        labels[first] = base
        number = 1
        for name in others:
            number += 1
            while f"{base}_{number}" in taken:
                number += 1
            labels[name] = f"{base}_{number}"
            taken.add(labels[name])
    return labels


# ----------------------------------------------------------------------------------------------------- the plan
@dataclass(frozen=True)
class NewCode:
    """A wrap-up code to create: the table needs it and the org has no code of its id or its name."""

    name: str
    label: str
    aliases: tuple[str, ...]
    line: int  #: the line of its (first) alias under ``codes:``
    rules: tuple[int, ...]
    fallback: bool
    description: str | None
    division_id: str | None
    division_name: str | None
    #: Why this division, in words (or why none was set).
    division_reason: str

    @property
    def reference(self) -> str:
        return f"{CODE_RESOURCE}.{self.label}.id"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "resource": f"{CODE_RESOURCE}.{self.label}",
            "aliases": list(self.aliases),
            "line": self.line,
            "rules": list(self.rules),
            "fallback": self.fallback,
            "description": self.description,
            "division_id": self.division_id,
            "division_name": self.division_name,
            "division_reason": self.division_reason,
        }


@dataclass(frozen=True)
class QueueCode:
    """A code a queue must allow: an existing one (``id``) or one this output creates (``label``)."""

    name: str
    id: str | None
    label: str | None
    rules: tuple[int, ...]

    @property
    def reference(self) -> str:
        """What to write in ``wrapup_codes``: the new resource's id, or the existing code's id as a string."""
        return f"{CODE_RESOURCE}.{self.label}.id" if self.label else hcl_string(self.id or "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "id": self.id,
            "resource": f"{CODE_RESOURCE}.{self.label}" if self.label else None,
            "rules": list(self.rules),
        }


@dataclass(frozen=True)
class QueueNeed:
    """The codes one queue must be given: rules scoped to it map to them and it does not allow them yet."""

    queue: CatalogQueue
    codes: tuple[QueueCode, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "queue_id": self.queue.id,
            "queue_name": self.queue.name,
            "division": self.queue.division,
            "codes": [c.to_dict() for c in self.codes],
        }


@dataclass(frozen=True)
class Remark:
    """Something the output leaves to a person, with the table line it is about: a code not created (unused, or
    present under another id or name), a queue condition matching no queue, a code that will be on no queue."""

    line: int
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "message": self.message}


@dataclass(frozen=True)
class TerraformPlan:
    table: str
    sha256: str
    catalog: str
    fingerprint: str
    exported_at: str | None
    new_codes: tuple[NewCode, ...]
    queues: tuple[QueueNeed, ...]
    remarks: tuple[Remark, ...]
    #: False when the catalog lists no queues (an old snapshot): assignments were not worked out.
    queues_checked: bool = True
    #: The org's outbound mapping as the provider's resource, when asked for (``plan_terraform(outbound=...)``).
    outbound: OutboundMappings | None = None

    @property
    def empty(self) -> bool:
        """Nothing to create and no queue to change."""
        return not self.new_codes and not self.queues

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "sha256": self.sha256,
            "catalog": {"source": self.catalog, "fingerprint": self.fingerprint, "exported_at": self.exported_at},
            "new_codes": [c.to_dict() for c in self.new_codes],
            "queues": [q.to_dict() for q in self.queues],
            "queues_checked": self.queues_checked,
            "remarks": [r.to_dict() for r in self.remarks],
            "outbound": None if self.outbound is None else self.outbound.to_dict(),
            "validated_by": VALIDITY_NOTE,
        }


def _known_divisions(catalog: OrgCatalog) -> dict[str, str | None]:
    """Every division the org's codes and queues are in: id -> name (None when only the id is known)."""
    known: dict[str, str | None] = {}
    for code in catalog.codes.values():
        if code.division_id:
            known[code.division_id] = known.get(code.division_id) or code.division_name
    for queue in catalog.queues:
        if queue.division_id:
            known[queue.division_id] = known.get(queue.division_id) or queue.division_name
    return known


def find_division(catalog: OrgCatalog, text: str) -> tuple[str, str | None] | None:
    """The division ``text`` names (an id, or a name after normalization) among those the catalog's codes and
    queues are in, as ``(id, name)``; an id the catalog does not know is taken as given (the catalog only knows
    divisions in use). None when ``text`` is a name no code or queue of the org has."""
    known = _known_divisions(catalog)
    wanted = text.strip()
    for division_id, name in known.items():
        if division_id.lower() == wanted.lower():
            return division_id, name
    by_name = [(i, n) for i, n in known.items() if n and normalize_text(n) == normalize_text(wanted)]
    if len(by_name) == 1:
        return by_name[0]
    return (wanted, None) if is_genesys_id(wanted) else None


def _rule_queues(rule: CompiledRule, catalog: OrgCatalog) -> tuple[list[CatalogQueue], list[str]]:
    """The queues a rule's queue conditions select, as ``mapping check`` reads them (exact values by name or id,
    patterns against every queue's name and id), and the conditions that select none."""
    selected: dict[str, CatalogQueue] = {}
    unknown: list[str] = []
    for matcher in (m for m in rule.matchers if m.key in QUEUE_KEYS):
        if matcher.condition.kind is ConditionKind.EXACT:
            for value in matcher.condition.values:
                queue = catalog.queue(value)
                if queue is None:
                    unknown.append(comment_text(value))
                else:
                    selected[queue.id] = queue
        else:
            hits = [q for q in catalog.queues if matcher.matches(normalize_text(q.name)) or matcher.matches(q.id)]
            if not hits:
                patterns = " | ".join(comment_text(v) for v in matcher.condition.values)
                unknown.append(f"{matcher.condition.kind.value} {patterns}")
            selected.update((q.id, q) for q in hits)
    return list(selected.values()), unknown


@dataclass
class _Need:
    """One code the table needs and the org lacks, gathered over its aliases (aliases of one name are one code)."""

    name: str
    aliases: list[str]
    line: int
    rules: list[int]
    fallback: bool
    description: str | None


@dataclass
class _Survey:
    """The table's codes against the org: those to create (by normalized name), the org's code for each alias
    that has one (by the table's id, else by its name when one code has it), and the remarks so far."""

    needs: dict[str, _Need] = field(default_factory=dict)
    existing: dict[str, CatalogCode] = field(default_factory=dict)
    remarks: list[Remark] = field(default_factory=list)

    def remark(self, line: int, message: str) -> None:
        self.remarks.append(Remark(line, message))


def _rules_text(numbers: Iterable[int], fallback: bool = False) -> str:
    items = [f"#{n}" for n in sorted(set(numbers))] + (["the unmapped fallback"] if fallback else [])
    if not items:
        return "no rule"
    return ("rule " if len(items) == 1 and not fallback else "rules ") + ", ".join(items)


def _survey_codes(reviewed: ReviewedTable, catalog: OrgCatalog) -> _Survey:
    table = reviewed.table
    uses: dict[str, list[int]] = {}
    for rule in table.rules:
        if rule.spec.code is not None:
            uses.setdefault(rule.spec.code, []).append(rule.number)
    fallback_alias = table.unmapped.code if table.unmapped.action is UnmappedAction.FALLBACK else None
    survey = _Survey()
    for alias, ref in table.codes.items():
        line = reviewed.alias_line(alias)
        rules = uses.get(alias, [])
        fallback = alias == fallback_alias
        name = comment_text(ref.name)
        if not rules and not fallback:
            survey.remark(line, f"code alias {alias!r} ({name}) is not created: no rule uses it")
            continue
        existing = catalog.code(ref.id)
        if existing is not None:
            survey.existing[alias] = existing
            if normalize_text(existing.name) != normalize_text(ref.name):
                survey.remark(
                    line,
                    f"code alias {alias!r}: the org's code {ref.id} is named {comment_text(existing.name)}, the "
                    f"table says {name}; not created (see `wrapup-bridge mapping check`)",
                )
            continue
        same_name = catalog.codes_named(ref.name)
        if same_name:
            if len(same_name) == 1:
                survey.existing[alias] = same_name[0]
            ids = ", ".join(f"{c.id} ({comment_text(c.division or 'no division')})" for c in same_name)
            survey.remark(
                line,
                f"code alias {alias!r}: the org has {name} under another id ({ids}); not created: put the org's "
                "id into the table (`wrapup-bridge mapping sync`)",
            )
            continue
        spec = table.document.codes.get(alias)
        description = spec.description if spec is not None else None
        need = survey.needs.get(normalize_text(ref.name))
        if need is None:
            survey.needs[normalize_text(ref.name)] = _Need(ref.name, [alias], line, list(rules), fallback, description)
            continue
        need.aliases.append(alias)
        need.rules.extend(rules)
        need.fallback = need.fallback or fallback
        need.description = need.description or description
        if ref.name != need.name:
            survey.remark(
                line,
                f"code alias {alias!r} names {name}, alias {need.aliases[0]!r} {comment_text(need.name)}: one "
                f"code is created, named {comment_text(need.name)}",
            )
    return survey


@dataclass
class _Assignments:
    """Queue id -> code key -> the code that queue must allow; the queues by id; the divisions of the queues each
    new code (by normalized name) is scoped to."""

    wanted: dict[str, dict[str, QueueCode]] = field(default_factory=dict)
    queues: dict[str, CatalogQueue] = field(default_factory=dict)
    divisions: dict[str, set[str]] = field(default_factory=dict)

    def add(self, queue: CatalogQueue, key: str, code: QueueCode, rule: int) -> None:
        self.queues[queue.id] = queue
        have = self.wanted.setdefault(queue.id, {}).get(key)
        rules = (*have.rules, rule) if have is not None else (rule,)
        self.wanted[queue.id][key] = QueueCode(code.name, code.id, code.label, rules)

    def needs(self) -> tuple[QueueNeed, ...]:
        ordered = sorted(self.wanted.items(), key=lambda kv: (normalize_text(self.queues[kv[0]].name), kv[0]))
        return tuple(
            QueueNeed(self.queues[queue_id], tuple(sorted(codes.values(), key=_code_order)))
            for queue_id, codes in ordered
        )


def _code_order(code: QueueCode) -> tuple[str, str]:
    return normalize_text(code.name), code.id or ""


def _survey_queues(table: MappingTable, catalog: OrgCatalog, survey: _Survey, labels: dict[str, str]) -> _Assignments:
    assignments = _Assignments()
    new_by_alias = {alias: need for need in survey.needs.values() for alias in need.aliases}
    for rule in table.rules:
        alias = rule.spec.code
        if alias is None:
            continue
        queues, unknown = _rule_queues(rule, catalog)
        for what in unknown:
            survey.remark(
                rule.line,
                f"rule #{rule.number} is scoped to queue {what}, which matches no queue of the org: no assignment "
                "is written for it",
            )
        new = new_by_alias.get(alias)
        existing = survey.existing.get(alias)
        for queue in queues:
            if new is not None:
                key = normalize_text(new.name)
                if queue.division_id:
                    assignments.divisions.setdefault(key, set()).add(queue.division_id)
                assignments.add(queue, key, QueueCode(new.name, None, labels[new.name], ()), rule.number)
            elif existing is not None and existing.id.lower() not in queue.code_ids:
                code = QueueCode(existing.name, existing.id, None, ())
                assignments.add(queue, existing.id.lower(), code, rule.number)
    return assignments


def _division_of(
    key: str,
    division: tuple[str, str | None] | None,
    scoped: dict[str, set[str]],
    table_divisions: set[str],
    names: dict[str, str | None],
) -> tuple[str | None, str | None, str]:
    if division is not None:
        return division[0], division[1], "the division given (--division)"
    if len(scoped.get(key, ())) == 1:
        division_id = next(iter(scoped[key]))
        return division_id, names.get(division_id), "the division of the queues its rules are scoped to"
    if len(table_divisions) == 1:
        division_id = next(iter(table_divisions))
        return division_id, names.get(division_id), "the division of the table's other codes"
    return (
        None,
        None,
        "no division could be told (its queues, or the table's other codes, are in several or none is known): "
        'division_id is left out (the provider: "If not set, * will be used to indicate all divisions."); give '
        "--division to set one",
    )


def plan_terraform(
    reviewed: ReviewedTable,
    catalog: OrgCatalog,
    *,
    division: tuple[str, str | None] | None = None,
    outbound: OutboundInputs | None = None,
) -> TerraformPlan:
    """What the table needs and the org lacks: codes to create and queue assignments to add, with remarks.

    ``division`` (``find_division``): where new codes go. Without it, each new code goes to the division of the
    queues its rules are scoped to when they share one, else to the division the table's other codes share, else
    in none (``division_id`` left out; the provider documents "If not set, * will be used to indicate all divisions",
    reference §2).

    ``outbound``: also the org's outbound wrap-up code mapping, as ``terraform_outbound.plan_outbound`` makes it
    (org-wide: every entry of the org's mapping, the table's changes made), naming the codes created here by their
    resource. ``OutboundTerraformError`` when it cannot be written as the provider's resource.
    """
    table = reviewed.table
    survey = _survey_codes(reviewed, catalog)
    labels = assign_labels(n.name for n in survey.needs.values())
    assignments = _survey_queues(table, catalog, survey, labels) if catalog.has_queues else _Assignments()
    table_divisions = {c.division_id for c in survey.existing.values() if c.division_id}
    names = _known_divisions(catalog)
    new_codes = []
    for key, need in sorted(survey.needs.items(), key=lambda kv: (labels[kv[1].name], kv[0])):
        division_id, division_name, reason = _division_of(key, division, assignments.divisions, table_divisions, names)
        new_codes.append(
            NewCode(
                need.name,
                labels[need.name],
                tuple(need.aliases),
                need.line,
                tuple(sorted(set(need.rules))),
                need.fallback,
                need.description,
                division_id,
                division_name,
                reason,
            )
        )
    queue_needs = assignments.needs()
    if catalog.has_queues:
        assigned = {c.label for q in queue_needs for c in q.codes if c.label}
        for new in new_codes:
            if new.label not in assigned:
                survey.remark(
                    new.line,
                    f"new code {comment_text(new.name)} will be on no queue (no rule using it names a queue): agents "
                    "cannot pick it until it is assigned to the queues these records come from",
                )
    mappings = None
    if outbound is not None:
        targets = _code_targets(table, catalog, survey, labels)
        mappings = plan_outbound(reviewed, targets, outbound, catalog)
    return TerraformPlan(
        table=table.name,
        sha256=table.sha256,
        catalog=catalog.source,
        fingerprint=catalog.fingerprint,
        exported_at=catalog.exported_at,
        new_codes=tuple(new_codes),
        queues=queue_needs,
        remarks=tuple(sorted(survey.remarks, key=lambda r: (r.line, r.message))),
        queues_checked=catalog.has_queues,
        outbound=mappings,
    )


def _code_targets(
    table: MappingTable, catalog: OrgCatalog, survey: _Survey, labels: dict[str, str]
) -> dict[str, CodeTarget]:
    """Each alias that is a code of this configuration: the org's code (by the table's id, or by name as the survey
    found it), or the resource created for it."""
    new_by_alias = {alias: need for need in survey.needs.values() for alias in need.aliases}
    targets: dict[str, CodeTarget] = {}
    for alias, ref in table.codes.items():
        existing = survey.existing.get(alias) or catalog.code(ref.id)
        need = new_by_alias.get(alias)
        if existing is not None:
            targets[alias] = CodeTarget(existing.name, existing.id)
        elif need is not None:
            targets[alias] = CodeTarget(need.name, None, f"{CODE_RESOURCE}.{labels[need.name]}")
    return targets


# ---------------------------------------------------------------------------------------------------- rendering
def _header(plan: TerraformPlan, what: str) -> list[str]:
    exported = f", exported {plan.exported_at}" if plan.exported_at else ""
    return [
        f"# {what}",
        f"# Written by `wrapup-bridge mapping terraform` from {comment_text(plan.table)} (sha256 {plan.sha256})",
        f"# against {comment_text(plan.catalog)} (fingerprint {plan.fingerprint}{exported}).",
        *wrap_comment(VALIDITY_NOTE),
    ]


def _versions_hcl() -> list[str]:
    return [
        "terraform {",
        f"  required_version = {hcl_string(REQUIRED_TERRAFORM)}",
        "  required_providers {",
        "    genesyscloud = {",
        f"      source  = {hcl_string(PROVIDER_SOURCE)}",
        f"      version = {hcl_string(PROVIDER_VERSION)}",
        "    }",
        "  }",
        "}",
        "",
        "# Credentials and region from GENESYSCLOUD_OAUTHCLIENT_ID, GENESYSCLOUD_OAUTHCLIENT_SECRET, GENESYSCLOUD_REGION.",
        'provider "genesyscloud" {}',
    ]


def _code_comment(code: NewCode) -> list[str]:
    aliases = ", ".join(code.aliases)
    used = _rules_text(code.rules, code.fallback)
    where = f"division {comment_text(code.division_name)}" if code.division_name else "division"
    division = f"{where}: {code.division_reason}" if code.division_id else code.division_reason
    return [
        f"# Table alias {aliases} (line {code.line}), used by {used}.",
        *wrap_comment(division[0].upper() + division[1:] + "."),
    ]


def _code_attributes(code: NewCode) -> list[tuple[str, str]]:
    attributes = [("name", hcl_string(code.name))]
    if code.description:
        attributes.append(("description", hcl_string(code.description)))
    if code.division_id:
        attributes.append(("division_id", hcl_string(code.division_id)))
    return attributes


def _aligned(attributes: list[tuple[str, str]], indent: str) -> list[str]:
    width = max((len(k) for k, _ in attributes), default=0)
    return [f"{indent}{key.ljust(width)} = {value}" for key, value in attributes]


def _codes_hcl(plan: TerraformPlan) -> list[str]:
    lines: list[str] = []
    if not plan.new_codes:
        lines.append("# The org has every code the table needs: nothing to create.")
        return lines
    lines += [
        "# After `terraform apply`, put the new ids into the table's codes: section: `wrapup-bridge mapping sync",
        "# TABLE --live --write` fills them by name, or `mapping sync TABLE --catalog ORG.json --terraform-output",
        "# tf-out.json --write` from what `terraform output -json > tf-out.json` prints (" + IDS_OUTPUT + ").",
    ]
    for code in plan.new_codes:
        lines += ["", *_code_comment(code), f"resource {hcl_string(CODE_RESOURCE)} {hcl_string(code.label)} {{"]
        lines += _aligned(_code_attributes(code), "  ")
        lines.append("}")
    entries = [(hcl_string(c.name), c.reference) for c in sorted(plan.new_codes, key=lambda c: c.name)]
    lines += [
        "",
        f"output {hcl_string(IDS_OUTPUT)} {{",
        '  description = "The ids Genesys gave the new wrap-up codes, by name: put them into the table (wrapup-bridge mapping sync)."',
        "  value = {",
        *_aligned(entries, "    "),
        "  }",
        "}",
    ]
    return lines


_QUEUE_WHY = (
    "NOT APPLIED BY TERRAFORM, on purpose: everything below is a comment. The provider assigns codes to a queue "
    "only through the wrapup_codes set of genesyscloud_routing_queue (there is no separate resource), and "
    "declaring an existing queue makes Terraform manage all of it: what the declaration leaves out goes back to "
    "the provider's defaults or is cleared (acw_wrapup_prompt becomes MANDATORY_TIMEOUT, the in-queue flow, groups "
    "and bullseye rings go), and the set removes any code assigned later by hand. So, for each queue: if your "
    "Terraform configuration already manages it, add the codes to its wrapup_codes (keeping those it lists); "
    "otherwise assign them in Genesys Cloud (the queue's Wrap-up Codes in Admin), or with POST "
    '/api/v2/routing/queues/{queueId}/wrapupcodes and a body of [{"id": "<code id>"}] once the codes exist.'
)


def _queues_hcl(plan: TerraformPlan) -> list[str]:
    if not plan.queues_checked:
        return ["# The catalog lists no queues: the queue assignments the rules need were not worked out."]
    if not plan.queues:
        return ["# Every queue a rule is scoped to already allows the rule's code: no assignment to add."]
    lines = ["# Queue wrap-up code assignments the rules need and the queues lack.", "#", *wrap_comment(_QUEUE_WHY)]
    for need in plan.queues:
        queue = need.queue
        division = f", division {comment_text(queue.division)}" if queue.division else ""
        lines += ["#", f"# Queue {comment_text(queue.label)} ({queue.id}{division}) must allow:"]
        for code in need.codes:
            what = f"created by {CODE_RESOURCE}.{code.label}" if code.label else f"id {code.id}"
            lines.append(f"#   {comment_text(code.name)}: {what}; for {_rules_text(code.rules)}")
        lines += [
            f"# In a {QUEUE_RESOURCE} that manages this queue:",
            "#   wrapup_codes = [",
            "#     # ...the ids it lists now, then:",
            *(f"#     {code.reference}," for code in need.codes),
            "#   ]",
        ]
    return lines


def _remarks_hcl(plan: TerraformPlan) -> list[str]:
    if not plan.remarks:
        return []
    lines = ["", "# Left to you:"]
    for remark in plan.remarks:
        lines += wrap_comment(f"line {remark.line}: {remark.message}", prefix="#   ", hang="#     ")
    return lines


_OUTBOUND_WHAT = "The org's outbound wrap-up code mapping (ORG-WIDE): the table's outbound: section over the org's."


def _outbound_hcl(outbound: OutboundMappings) -> list[str]:
    lines = outbound_hcl(outbound)
    if outbound.notes:
        lines += ["", "# About the outbound mapping:"]
        for text in notes_text(outbound):
            lines += wrap_comment(comment_safe(text), prefix="#   ", hang="#     ")
    return lines


def render_hcl(plan: TerraformPlan, *, split: bool) -> dict[str, str]:
    """The configuration as HCL files, by file name: one ``main.tf`` (provider requirements, codes, outputs, the
    outbound mapping when planned, and the queue comments), or with ``split`` one file each (``versions.tf``,
    ``wrapup-codes.tf``, ``outbound-wrapupcode-mappings.tf`` when planned, ``queue-wrapup-codes.tf``) so the codes
    can be added to a configuration that already requires the provider."""
    codes = [*_codes_hcl(plan), *_remarks_hcl(plan)]
    queues = _queues_hcl(plan)
    outbound = _outbound_hcl(plan.outbound) if plan.outbound is not None else None
    if split:
        files = {
            f"{VERSIONS_FILE}.tf": _text(
                [*_header(plan, "Genesys Cloud provider requirements."), "", *_versions_hcl()]
            ),
            f"{CODES_FILE}.tf": _text([*_header(plan, "Wrap-up codes the table needs and the org lacks."), "", *codes]),
        }
        if outbound is not None:
            files[f"{OUTBOUND_FILE}.tf"] = _text([*_header(plan, _OUTBOUND_WHAT), "", *outbound])
        files[f"{QUEUES_FILE}.tf"] = _text([*_header(plan, "Queue assignments: comments only."), "", *queues])
        return files
    what = "Wrap-up codes the table needs and the org lacks" + (
        ", and the org's outbound wrap-up code mapping (ORG-WIDE)." if outbound is not None else "."
    )
    body = [*_header(plan, what), "", *_versions_hcl(), "", *codes, ""]
    if outbound is not None:
        body += [*outbound, ""]
    return {"main.tf": _text([*body, *queues])}


def _text(lines: list[str]) -> str:
    return "\n".join(lines).rstrip("\n") + "\n"


# ---------------------------------------------------------------------------------------------- JSON syntax
def _json_config(
    plan: TerraformPlan, *, versions: bool, codes: bool, queues: bool, outbound: bool = False
) -> dict[str, Any]:
    """One ``.tf.json`` document. Every string (and object key) is a template in Terraform's JSON syntax too, so
    text from the table or the org goes through ``template_escape``; comments are ``"//"`` properties, which
    Terraform ignores unread."""
    exported = f", exported {plan.exported_at}" if plan.exported_at else ""
    comment = [
        f"Written by `wrapup-bridge mapping terraform` from {plan.table} (sha256 {plan.sha256}) against "
        f"{plan.catalog} (fingerprint {plan.fingerprint}{exported}).",
        VALIDITY_NOTE,
    ]
    config: dict[str, Any] = {}
    if versions:
        config["terraform"] = {
            "required_version": REQUIRED_TERRAFORM,
            "required_providers": {"genesyscloud": {"source": PROVIDER_SOURCE, "version": PROVIDER_VERSION}},
        }
        config["provider"] = {"genesyscloud": {}}
    if codes and plan.new_codes:
        resources: dict[str, Any] = {}
        for code in plan.new_codes:
            body: dict[str, Any] = {"//": " ".join(line[2:] for line in _code_comment(code))}
            body.update((key, template_escape(_plain(code, key))) for key, _ in _code_attributes(code))
            resources[code.label] = body
        config["resource"] = {CODE_RESOURCE: resources}
        config["output"] = {
            IDS_OUTPUT: {
                "description": "The ids Genesys gave the new wrap-up codes, by name: put them into the table "
                "(wrapup-bridge mapping sync).",
                "value": {template_escape(c.name): "${" + c.reference + "}" for c in plan.new_codes},
            }
        }
    if codes:
        comment += [f"line {r.line}: {r.message}" for r in plan.remarks]
    if outbound and plan.outbound is not None:
        config.setdefault("resource", {})[OUTBOUND_RESOURCE] = {OUTBOUND_LABEL: outbound_json(plan.outbound)}
        comment += notes_text(plan.outbound)
    if queues:
        comment += [line.removeprefix("#").strip() for line in _queues_hcl(plan) if line.strip("# ")]
    return {"//": comment, **config}


def _plain(code: NewCode, key: str) -> str:
    value = {"name": code.name, "description": code.description, "division_id": code.division_id}[key]
    assert value is not None
    return value


def render_json(plan: TerraformPlan, *, split: bool) -> dict[str, str]:
    """The configuration in Terraform's JSON syntax, by file name, as ``render_hcl`` splits it (``.tf.json``)."""

    def dump(config: dict[str, Any]) -> str:
        return json.dumps(config, indent=2, ensure_ascii=False) + "\n"

    if split:
        files = {
            f"{VERSIONS_FILE}.tf.json": dump(_json_config(plan, versions=True, codes=False, queues=False)),
            f"{CODES_FILE}.tf.json": dump(_json_config(plan, versions=False, codes=True, queues=False)),
        }
        if plan.outbound is not None:
            outbound = _json_config(plan, versions=False, codes=False, queues=False, outbound=True)
            files[f"{OUTBOUND_FILE}.tf.json"] = dump(outbound)
        files[f"{QUEUES_FILE}.tf.json"] = dump(_json_config(plan, versions=False, codes=False, queues=True))
        return files
    return {"main.tf.json": dump(_json_config(plan, versions=True, codes=True, queues=True, outbound=True))}
