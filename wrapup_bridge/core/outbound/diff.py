"""What the org's outbound wrap-up code mapping has against what the table asks, and the whole object to PUT.

Whether ``PUT /api/v2/outbound/wrapupcodemappings`` replaces the whole mapping or merges entries is UNSURE
(docs/reference-outbound.md §1.4: the Terraform provider's code reads both ways). So the write is always the safe
one (OURS): the object just read, with only our changes made to it, sent whole with the ``version`` it was read at.
Entries the table says nothing of stay as they are, in the spelling Genesys gave them, and so do entries for codes
the org no longer has ("deleted wrap up codes still retain their mappings", the provider's comment).

Flags compare whatever their spelling (``Right_Party_Contact`` is ``RIGHT_PARTY_CONTACT``): whether GET echoes the
spelling written is UNSURE, and a second plan must not see a change where there is none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from wrapup_bridge.core.outbound.desired import DesiredMapping, Finding, FindingKind
from wrapup_bridge.core.outbound.flags import flag_key, flags_text, same_flags

__all__ = [
    "ChangeKind",
    "CodeChange",
    "CurrentMapping",
    "DefaultSetChange",
    "OutboundDiff",
    "diff_mapping",
    "mapping_moves",
]


@dataclass(frozen=True)
class CurrentMapping:
    """The org's ``WrapUpCodeMapping`` as read (``raw``, the answer untouched), with its parts picked out."""

    version: int | None
    default_set: tuple[str, ...]
    mapping: dict[str, tuple[str, ...]]
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_json(cls, body: Any) -> CurrentMapping:
        """Read a ``WrapUpCodeMapping`` answer; ValueError naming the field that is not shaped as the SDK's model
        declares it (``version`` int, ``defaultSet`` list of strings, ``mapping`` object of string lists)."""
        if not isinstance(body, Mapping):
            raise ValueError(f"expected a WrapUpCodeMapping object, got {type(body).__name__}")
        version = body.get("version")
        if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
            raise ValueError(f"field 'version' is {version!r}, not an integer")
        default_set = body.get("defaultSet")
        if default_set is None:
            default_set = []  # UNSURE whether an empty defaultSet is sent as [] or left out
        if not isinstance(default_set, list) or not all(isinstance(f, str) for f in default_set):
            raise ValueError("field 'defaultSet' is not a list of flags (strings)")
        mapping = body.get("mapping")
        if mapping is None:
            mapping = {}
        if not isinstance(mapping, Mapping):
            raise ValueError("field 'mapping' is not an object of code id -> flags")
        entries: dict[str, tuple[str, ...]] = {}
        for code_id, flags in mapping.items():
            if not isinstance(flags, list) or not all(isinstance(f, str) for f in flags):
                raise ValueError(f"field 'mapping.{code_id}' is not a list of flags (strings)")
            entries[str(code_id)] = tuple(flags)
        return cls(version, tuple(default_set), entries, dict(body))

    def entry(self, code_id: str) -> tuple[str, ...] | None:
        """The flags the org maps ``code_id`` to (ids compared without case), None when it has no entry."""
        found = self.mapping.get(code_id)
        if found is not None:
            return found
        wanted = code_id.lower()
        return next((flags for key, flags in self.mapping.items() if key.lower() == wanted), None)

    def key_of(self, code_id: str) -> str | None:
        """The key the org's mapping holds ``code_id`` under (ids compared without case), None when none."""
        wanted = code_id.lower()
        return next((key for key in self.mapping if key.lower() == wanted), None)


class ChangeKind(StrEnum):
    ADDED = "added"  #: the code gets an entry it did not have
    CHANGED = "changed"  #: the code's flags change
    REMOVED = "removed"  #: the code's entry goes: the org's defaultSet applies to it


@dataclass(frozen=True)
class CodeChange:
    """One code's entry, before and after (None: no entry)."""

    code_id: str
    code_name: str
    kind: ChangeKind
    before: tuple[str, ...] | None
    after: tuple[str, ...] | None
    why: str = ""

    @property
    def flags_added(self) -> tuple[str, ...]:
        have = {flag_key(f) for f in self.before or ()}
        return tuple(f for f in self.after or () if flag_key(f) not in have)

    @property
    def flags_removed(self) -> tuple[str, ...]:
        keep = {flag_key(f) for f in self.after or ()}
        return tuple(f for f in self.before or () if flag_key(f) not in keep)

    def holds_in(self, current: CurrentMapping) -> bool:
        """Whether ``current`` already says what this change makes it say."""
        now = current.entry(self.code_id)
        if self.after is None:
            return now is None
        return now is not None and same_flags(now, self.after)

    def describe(self) -> str:
        name = f"{self.code_name} ({self.code_id})"
        if self.kind is ChangeKind.ADDED:
            return f"+ {name}: {flags_text(self.after or ())}"
        if self.kind is ChangeKind.REMOVED:
            return f"- {name}: {flags_text(self.before or ())} -> no entry (the org's defaultSet applies)"
        moves = [*(f"+{f}" for f in self.flags_added), *(f"-{f}" for f in self.flags_removed)]
        return f"~ {name}: {flags_text(self.before or ())} -> {flags_text(self.after or ())} ({', '.join(moves)})"

    def to_json(self) -> dict[str, Any]:
        return {
            "code_id": self.code_id,
            "code_name": self.code_name,
            "kind": self.kind.value,
            "before": None if self.before is None else list(self.before),
            "after": None if self.after is None else list(self.after),
            "why": self.why,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CodeChange:
        before, after = data.get("before"), data.get("after")
        return cls(
            str(data["code_id"]),
            str(data["code_name"]),
            ChangeKind(data["kind"]),
            None if before is None else tuple(str(f) for f in before),
            None if after is None else tuple(str(f) for f in after),
            str(data.get("why", "")),
        )


@dataclass(frozen=True)
class DefaultSetChange:
    before: tuple[str, ...]
    after: tuple[str, ...]

    def holds_in(self, current: CurrentMapping) -> bool:
        return same_flags(current.default_set, self.after)

    def describe(self) -> str:
        return f"~ defaultSet: {flags_text(self.before)} -> {flags_text(self.after)}"

    def to_json(self) -> dict[str, Any]:
        return {"before": list(self.before), "after": list(self.after)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DefaultSetChange:
        return cls(tuple(str(f) for f in data["before"]), tuple(str(f) for f in data["after"]))


@dataclass(frozen=True)
class OutboundDiff:
    """The changes a plan makes, the codes already right, and what the review should know about the org's side."""

    changes: tuple[CodeChange, ...]
    default_set: DefaultSetChange | None = None
    unchanged: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.changes and self.default_set is None

    def describe(self) -> list[str]:
        """One line per change, for people; ``[]`` when there is nothing to change."""
        lines = [change.describe() for change in self.changes]
        if self.default_set is not None:
            lines.append(self.default_set.describe())
        return lines

    def still_needed(self, current: CurrentMapping) -> OutboundDiff:
        """The changes ``current`` does not hold yet (all of them on the org the plan was made from, none once the
        plan was applied)."""
        return OutboundDiff(
            tuple(change for change in self.changes if not change.holds_in(current)),
            None if self.default_set is None or self.default_set.holds_in(current) else self.default_set,
            self.unchanged,
            self.findings,
        )

    def put_body(self, current: CurrentMapping) -> dict[str, Any]:
        """The whole object to PUT: ``current``'s ``defaultSet`` and ``mapping`` with these changes made, and the
        ``version`` it was read at (VERIFIED required; the provider sends exactly ``version``, ``defaultSet`` and
        ``mapping``, nothing read-only)."""
        mapping: dict[str, list[str]] = {key: list(flags) for key, flags in current.mapping.items()}
        for change in self.changes:
            key = current.key_of(change.code_id)
            if change.after is None:
                if key is not None:
                    del mapping[key]
            else:
                mapping[key or change.code_id] = list(change.after)
        default_set = list(self.default_set.after) if self.default_set is not None else list(current.default_set)
        return {"version": current.version, "defaultSet": default_set, "mapping": mapping}

    def to_json(self) -> dict[str, Any]:
        return {
            "changes": [change.to_json() for change in self.changes],
            "default_set": None if self.default_set is None else self.default_set.to_json(),
            "unchanged": list(self.unchanged),
            "findings": [finding.to_json() for finding in self.findings],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OutboundDiff:
        """The diff a plan file holds; KeyError / ValueError / TypeError when it is not shaped as ``to_json`` wrote."""
        default_set = data.get("default_set")
        return cls(
            tuple(CodeChange.from_json(change) for change in data["changes"]),
            None if default_set is None else DefaultSetChange.from_json(default_set),
            tuple(str(code_id) for code_id in data.get("unchanged", ())),
            tuple(Finding.from_json(finding) for finding in data.get("findings", ())),
        )


def diff_mapping(
    current: CurrentMapping, desired: DesiredMapping, *, org_codes: Mapping[str, str] | None = None
) -> OutboundDiff:
    """The changes that make ``current`` say what ``desired`` asks; ``org_codes`` (code id -> name, when known)
    names codes and flags planned ids the org does not have, and entries the org keeps for codes it no longer has."""
    known = {code_id.lower(): name for code_id, name in (org_codes or {}).items()}
    changes: list[CodeChange] = []
    unchanged: list[str] = []
    findings: list[Finding] = []
    for code_id, entry in desired.entries.items():
        name = known.get(code_id, entry.code.name)
        before = current.entry(code_id)
        after = None if entry.flags is None else tuple(flag.value for flag in entry.flags)
        if org_codes is not None and code_id not in known:
            findings.append(
                Finding(
                    FindingKind.UNKNOWN_CODE,
                    f"{entry.code.name!r} ({code_id}) is not a wrap-up code of this org: check the table's id (the "
                    "catalog lists the org's codes); whether Genesys accepts a mapping for it is not documented",
                    code_id=code_id,
                )
            )
        if after is None:
            if before is None:
                unchanged.append(code_id)
            else:
                changes.append(CodeChange(code_id, name, ChangeKind.REMOVED, before, None, entry.why))
        elif before is None:
            changes.append(CodeChange(code_id, name, ChangeKind.ADDED, None, after, entry.why))
        elif same_flags(before, after):
            unchanged.append(code_id)
        else:
            changes.append(CodeChange(code_id, name, ChangeKind.CHANGED, before, after, entry.why))
    if org_codes is not None:
        for code_id, flags in current.mapping.items():
            if code_id.lower() not in known:
                findings.append(
                    Finding(
                        FindingKind.ORPHAN,
                        f"the org maps {code_id} ({flags_text(flags)}), which is not one of its wrap-up codes (a "
                        "deleted code keeps its mapping); left as it is",
                        code_id=code_id,
                    )
                )
    default_change = None
    if desired.default_set is not None:
        after_set = tuple(flag.value for flag in desired.default_set)
        if not same_flags(current.default_set, after_set):
            default_change = DefaultSetChange(current.default_set, after_set)
    return OutboundDiff(tuple(changes), default_change, tuple(unchanged), tuple(findings))


def mapping_moves(before: CurrentMapping, after: CurrentMapping) -> list[str]:
    """How the org's mapping moved between two reads, for a plan refused as stale: one line per code whose entry
    changed, and the ``defaultSet`` and ``version``."""
    lines: list[str] = []
    if before.version != after.version:
        lines.append(f"version {before.version} -> {after.version}")
    if not same_flags(before.default_set, after.default_set):
        lines.append(f"defaultSet: {flags_text(before.default_set)} -> {flags_text(after.default_set)}")
    ids = dict.fromkeys([*(k.lower() for k in before.mapping), *(k.lower() for k in after.mapping)])
    for code_id in ids:
        was, now = before.entry(code_id), after.entry(code_id)
        if was is None and now is not None:
            lines.append(f"{code_id}: no entry -> {flags_text(now)}")
        elif was is not None and now is None:
            lines.append(f"{code_id}: {flags_text(was)} -> no entry")
        elif was is not None and now is not None and not same_flags(was, now):
            lines.append(f"{code_id}: {flags_text(was)} -> {flags_text(now)}")
    return lines
