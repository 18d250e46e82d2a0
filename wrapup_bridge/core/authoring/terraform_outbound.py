"""``mapping terraform --outbound``: the org's outbound wrap-up code mapping as the provider's
``genesyscloud_outbound_wrapupcodemappings`` resource, from the table's ``outbound:`` section.

What the provider does (docs/reference-terraform.md §4; MyPureCloud/terraform-provider-genesyscloud v1.84.1, commit
f955430e, ``genesyscloud/outbound_wrapupcode_mappings/``): the resource is the org's one mapping, not an entry of it
(create sets the fixed id ``wrapupcodemappings``; the exporter treats it as a singleton); create and update both
GET the mapping for its ``version`` and PUT ``defaultSet`` (``default_set`` is Required) with ``mapping`` holding
only the ``mappings`` blocks of the configuration; read keeps only the entries the configuration lists, for codes
the org still has; delete does nothing. Its docs page says none of this: only "Genesys Cloud Outbound Wrap-up Code
Mappings". Whether Genesys's PUT then drops the entries it was not sent is UNSURE (docs/reference-outbound.md §1.4):
if it does, every code the configuration leaves out loses its flags.

So (OURS) the resource lists the org's whole mapping as read now: the entries the table decides (its
``outbound:`` section, its rules and the legacy catalog, worked out by ``core.outbound.desired`` as ``outbound plan``
does) and every other code's entry carried over unchanged, with ``default_set`` from ``outbound.default_set`` or
else the org's own. Applying it then changes only what the table asks, whichever way the PUT works. Without the
org's current mapping nothing is written (the caller refuses). A code the same configuration creates is named by
its resource's ``id``, an existing code by its id. Flags are written UPPER_SNAKE (the provider validates them
case-insensitively against the same six values).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from wrapup_bridge.core.authoring.hcl import comment_safe, comment_text, hcl_string, template_escape, wrap_comment
from wrapup_bridge.core.errors import WrapupBridgeError
from wrapup_bridge.core.outbound.desired import DesiredEntry, DesiredMapping, Finding
from wrapup_bridge.core.outbound.diff import CurrentMapping
from wrapup_bridge.core.outbound.flags import OutboundFlag, canonical_flags, flags_text, parse_flag, same_flags
from wrapup_bridge.core.review.orgview import OrgCatalog
from wrapup_bridge.core.review.source import ReviewedTable

__all__ = [
    "OUTBOUND_LABEL",
    "OUTBOUND_RESOURCE",
    "CodeTarget",
    "MappingEntry",
    "OutboundInputs",
    "OutboundMappings",
    "OutboundNote",
    "OutboundTerraformError",
    "notes_text",
    "org_wide_warning",
    "outbound_hcl",
    "outbound_json",
    "plan_outbound",
]

OUTBOUND_RESOURCE = "genesyscloud_outbound_wrapupcodemappings"
#: The block label: the one the provider's exporter gives the singleton, so a configuration that already holds an
#: exported copy fails with a duplicate resource instead of two resources writing one mapping.
OUTBOUND_LABEL = "wrapupcodemappings"

Severity = Literal["error", "warning", "info"]


class OutboundTerraformError(WrapupBridgeError, ValueError):
    """The outbound mapping cannot be written as the provider's resource (the table has no ``outbound:`` section,
    the org's mapping holds a flag the provider refuses); the message says what and where."""


@dataclass(frozen=True)
class CodeTarget:
    """A wrap-up code as the configuration names it: an org code by its ``id``, or one the configuration creates by
    its ``resource`` address (``genesyscloud_routing_wrapupcode.<label>``)."""

    name: str
    id: str | None
    resource: str | None = None

    @property
    def key(self) -> str:
        return f"id:{self.id.lower()}" if self.id else f"new:{self.resource}"

    @property
    def hcl(self) -> str:
        """The ``wrapup_code_id`` expression in HCL: the new resource's id, or the existing code's id as a string."""
        return f"{self.resource}.id" if self.resource else hcl_string(self.id or "")

    @property
    def json(self) -> str:
        """The same in Terraform's JSON syntax (a whole ``${...}`` is the reference)."""
        return "${" + self.resource + ".id}" if self.resource else template_escape(self.id or "")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "id": self.id, "resource": self.resource}


@dataclass(frozen=True)
class OutboundInputs:
    """What the outbound resource is made from: what the table asks (``desired_mapping``), the org's mapping as read
    now (``current``) and where it was read (``source``, in words), and findings of the caller's (no legacy catalog)."""

    desired: DesiredMapping
    current: CurrentMapping
    source: str
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class MappingEntry:
    """One ``mappings`` block: the code, its flags, and whether the table decides them or they are the org's."""

    code: CodeTarget
    flags: tuple[OutboundFlag, ...]
    origin: Literal["table", "org"]
    #: The org's entry for the code when read (None: no entry, the org's defaultSet applies to it).
    before: tuple[str, ...] | None
    why: str

    @property
    def changed(self) -> bool:
        """Whether applying changes this code's entry."""
        return self.before is None or not same_flags(self.before, (f.value for f in self.flags))

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.code.to_dict(),
            "flags": [f.value for f in self.flags],
            "origin": self.origin,
            "before": None if self.before is None else list(self.before),
            "changed": self.changed,
            "why": self.why,
        }


@dataclass(frozen=True)
class OutboundNote:
    """Something about the outbound resource a person should know or do (the table line when there is one)."""

    severity: Severity
    message: str
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"severity": self.severity, "message": self.message, "line": self.line}


@dataclass(frozen=True)
class OutboundMappings:
    """The resource to write: ``default_set`` and every entry, with where the org's mapping was read."""

    source: str
    version: int | None
    default_set: tuple[OutboundFlag, ...]
    default_set_before: tuple[str, ...]
    default_set_from_table: bool
    entries: tuple[MappingEntry, ...]
    notes: tuple[OutboundNote, ...]

    @property
    def changes(self) -> tuple[MappingEntry, ...]:
        """The entries applying changes (the table's; carried-over entries never change)."""
        return tuple(e for e in self.entries if e.changed)

    @property
    def default_set_changed(self) -> bool:
        return not same_flags(self.default_set_before, (f.value for f in self.default_set))

    def to_dict(self) -> dict[str, Any]:
        return {
            "resource": f"{OUTBOUND_RESOURCE}.{OUTBOUND_LABEL}",
            "org_wide": True,
            "current_mapping": {"source": self.source, "version": self.version},
            "default_set": [f.value for f in self.default_set],
            "default_set_before": list(self.default_set_before),
            "default_set_from_table": self.default_set_from_table,
            "entries": [e.to_dict() for e in self.entries],
            "notes": [n.to_dict() for n in self.notes],
        }


# ----------------------------------------------------------------------------------------------------- the plan
def _org_flags(flags: Iterable[str], where: str, source: str) -> tuple[OutboundFlag, ...]:
    """The org's flags as the provider takes them; a flag it refuses stops the whole resource (carrying the entry
    over changed, or leaving it out, would both change the org's mapping behind the table's back)."""
    parsed = []
    for flag in flags:
        try:
            parsed.append(parse_flag(flag))
        except ValueError as exc:
            raise OutboundTerraformError(
                f"{source}: {where} has the flag {flag!r}, which the provider refuses ({exc}); Terraform cannot carry "
                "it over unchanged: correct it in Genesys Cloud (or with `wrapup-bridge outbound plan|apply`) and "
                "read the mapping again"
            ) from None
    return canonical_flags(parsed)


@dataclass(frozen=True)
class _Wanted:
    target: CodeTarget
    entry: DesiredEntry
    alias: str


def _table_entries(
    reviewed: ReviewedTable, targets: Mapping[str, CodeTarget], desired: DesiredMapping, notes: list[OutboundNote]
) -> dict[str, _Wanted]:
    """What the table decides, by target (aliases that are one code here must agree, or the code is left to the
    org's entry)."""
    table = reviewed.table
    aliases_of: dict[str, list[str]] = {}
    for alias, ref in table.codes.items():
        aliases_of.setdefault(ref.id.lower(), []).append(alias)
    chosen: dict[str, _Wanted] = {}
    split: set[str] = set()
    for code_id, entry in desired.entries.items():
        alias = entry.code.alias
        line = reviewed.alias_line(alias)
        told = "its default" if entry.flags is None else flags_text(f.value for f in entry.flags)
        candidates = [alias, *(a for a in aliases_of.get(code_id.lower(), []) if a != alias)]
        target = next((targets[a] for a in candidates if a in targets), None)
        if target is None:
            notes.append(
                OutboundNote(
                    "warning",
                    f"code alias {alias!r} ({comment_text(entry.code.name)}, {code_id}): its outbound entry ({told}) "
                    "is left out: the org has no code of that id or name and this configuration does not create it "
                    "(no rule uses it): put the org's id into the table (`wrapup-bridge mapping sync`)",
                    line,
                )
            )
            continue
        if target.key in split:
            continue
        other = chosen.get(target.key)
        if other is None:
            chosen[target.key] = _Wanted(target, entry, alias)
        elif other.entry.flags != entry.flags:
            was = "its default" if other.entry.flags is None else flags_text(f.value for f in other.entry.flags or ())
            notes.append(
                OutboundNote(
                    "error",
                    f"code aliases {other.alias!r} and {alias!r} are one code here ({comment_text(target.name)}) and "
                    f"ask different flags ({was}; {told}): it keeps the org's entry; settle it in outbound.codes",
                    line,
                )
            )
            split.add(target.key)
            del chosen[target.key]
    return chosen


def plan_outbound(
    reviewed: ReviewedTable, targets: Mapping[str, CodeTarget], inputs: OutboundInputs, catalog: OrgCatalog
) -> OutboundMappings:
    """The resource for what ``inputs.desired`` asks, over the org's mapping ``inputs.current``.

    ``targets``: each code alias of the table that is a code of this configuration (one the org has, by the table's
    id or by name as ``mapping terraform`` finds it, or one it creates); ``catalog``: the org's codes, which tell an
    entry of a deleted code (left out: the provider never reads one back) from a code's.
    Raises ``OutboundTerraformError`` when the org's mapping holds a flag the provider refuses."""
    current = inputs.current
    notes: list[OutboundNote] = []
    wanted = _table_entries(reviewed, targets, inputs.desired, notes)
    entries: list[MappingEntry] = []
    handled = set(wanted)
    for item in wanted.values():
        target, entry = item.target, item.entry
        before = current.entry(target.id) if target.id else None
        if entry.flags is None:
            if before is not None:
                notes.append(
                    OutboundNote(
                        "warning",
                        f"{comment_text(target.name)}: outbound.codes.{item.alias} is 'default' (no entry), so it is "
                        f"left out of the resource; that removes the org's entry ({flags_text(before)}) only if "
                        "Genesys's PUT replaces the whole mapping, which is not documented (under a merging PUT the "
                        "provider, which sends only the listed entries, cannot remove one): `wrapup-bridge outbound "
                        "plan|apply` removes it either way",
                        reviewed.alias_line(item.alias),
                    )
                )
            continue
        entries.append(MappingEntry(target, entry.flags, "table", before, entry.why))
    for key, flags in current.mapping.items():
        target_key = f"id:{key.lower()}"
        if target_key in handled:
            continue
        code = catalog.code(key)
        if code is None:
            notes.append(
                OutboundNote(
                    "info",
                    f"the org's mapping has an entry for {key} ({flags_text(flags)}), which is not a wrap-up code of "
                    f"the org in {catalog.source} (a deleted code keeps its mapping): left out, as the provider never "
                    "reads such an entry back (listed, it would show as a change in every plan); if the code does "
                    "exist, the catalog is older than the mapping: export it again",
                )
            )
            continue
        handled.add(target_key)
        org_flags = _org_flags(flags, f"the entry of {comment_text(code.name)} ({key})", inputs.source)
        why = "the org's entry, carried over unchanged: the table does not decide this code"
        entries.append(MappingEntry(CodeTarget(code.name, code.id), org_flags, "org", tuple(flags), why))
    desired_set = inputs.desired.default_set
    if desired_set is None:
        default_set = _org_flags(current.default_set, "defaultSet", inputs.source)
    else:
        default_set = canonical_flags(desired_set)
    notes.extend(
        OutboundNote(f.severity, comment_safe(f.message)) for f in (*inputs.desired.findings, *inputs.findings)
    )
    entries.sort(key=lambda e: (e.code.name.casefold(), e.code.id or e.code.resource or ""))
    return OutboundMappings(
        source=inputs.source,
        version=current.version,
        default_set=default_set,
        default_set_before=current.default_set,
        default_set_from_table=desired_set is not None,
        entries=tuple(entries),
        notes=tuple(notes),
    )


# ---------------------------------------------------------------------------------------------------- rendering
def org_wide_warning(mappings: OutboundMappings) -> str:
    """The warning the output carries above the resource, in words."""
    version = f", version {mappings.version}" if mappings.version is not None else ""
    return (
        f"ORG-WIDE RESOURCE. {OUTBOUND_RESOURCE} is the org's one outbound wrap-up code mapping, not an entry of it. "
        "The provider's docs page does not say so; its source (v1.84.1) does: the resource always gets the id "
        f'"{OUTBOUND_LABEL}", and every create or update PUTs default_set with only the mappings blocks listed '
        "here. Whether Genesys then drops the entries of codes not listed is not documented, so this resource lists "
        f"the org's whole mapping as read from {mappings.source}{version}: the entries the table decides, and "
        "every other code's entry carried over unchanged. Applying it changes only what the table asks. From then "
        "on this configuration owns the whole mapping: declare it in one configuration only; change entries here, "
        "not in Genesys Cloud (an entry added there may be lost at the next apply that changes this resource, and "
        "terraform plan does not show it: the provider reads back only the entries listed); write this file again "
        "if the org's mapping changed since it was read. terraform destroy leaves the mapping as it is (the "
        "provider's delete does nothing)."
    )


def _flags_hcl(flags: Iterable[OutboundFlag]) -> str:
    return "[" + ", ".join(hcl_string(f.value) for f in flags) + "]"


def _default_set_comment(mappings: OutboundMappings) -> str:
    was = flags_text(mappings.default_set_before)
    if mappings.default_set_from_table:
        moved = f"the org's was {was}" if mappings.default_set_changed else "the same as the org's"
        return f"default_set: the table's outbound.default_set ({moved}): the flags of every code without an entry."
    return (
        f"default_set: the org's ({was}), left as it is: the table sets no outbound.default_set, and the provider "
        "requires one."
    )


def _entry_comment(entry: MappingEntry) -> str:
    name = comment_text(entry.code.name)
    if entry.origin == "org":
        return f"{name}: {entry.why}."
    if entry.code.resource:
        state = "a code this configuration creates"
    elif entry.before is None:
        state = "the org has no entry for it (its defaultSet applies)"
    elif entry.changed:
        state = f"the org has {flags_text(entry.before)}"
    else:
        state = "unchanged"
    return f"{name}: {comment_safe(entry.why)}; {state}."


def outbound_hcl(mappings: OutboundMappings) -> list[str]:
    """The resource in HCL, with the warning and a comment for ``default_set`` and each entry."""
    lines = [
        *wrap_comment(comment_safe(org_wide_warning(mappings))),
        f"resource {hcl_string(OUTBOUND_RESOURCE)} {hcl_string(OUTBOUND_LABEL)} {{",
        *wrap_comment(_default_set_comment(mappings), prefix="  # "),
    ]
    lines.append(f"  default_set = {_flags_hcl(mappings.default_set)}")
    for entry in mappings.entries:
        lines += ["", *wrap_comment(_entry_comment(entry), prefix="  # ")]
        lines += [
            "  mappings {",
            f"    wrapup_code_id = {entry.code.hcl}",
            f"    flags          = {_flags_hcl(entry.flags)}",
            "  }",
        ]
    lines.append("}")
    return lines


def outbound_json(mappings: OutboundMappings) -> dict[str, Any]:
    """The resource's body in Terraform's JSON syntax: comments as ``"//"`` properties, which Terraform ignores in a
    block body, a nested block's object included (checked with Terraform v1.11.4's ``terraform validate`` on the
    built-in ``terraform_data`` resource and its ``lifecycle`` block, where any other unknown property is an
    error)."""
    body: dict[str, Any] = {
        "//": [org_wide_warning(mappings), _default_set_comment(mappings)],
        "default_set": [f.value for f in mappings.default_set],
    }
    if mappings.entries:
        body["mappings"] = [
            {"//": _entry_comment(e), "wrapup_code_id": e.code.json, "flags": [f.value for f in e.flags]}
            for e in mappings.entries
        ]
    return body


def notes_text(mappings: OutboundMappings) -> list[str]:
    """Each note as one line for people: severity, table line when known, message."""
    return [
        f"{note.severity}: " + (f"line {note.line}: " if note.line is not None else "") + note.message
        for note in mappings.notes
    ]
