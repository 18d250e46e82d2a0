"""What the org's outbound wrap-up code mapping should say, worked out from the table and the legacy catalog.

Each legacy disposition of the catalog (a Five9 disposition with its type, a CXone one with its classification,
system outcome and reporting group) gets its flags: from the table's ``outbound.types`` / ``outbound.outcomes`` when
it says, else from the built-in default (OURS, ``defaults``; reported, so a person confirms it). The table's rules
say which Genesys code each disposition becomes, so the code gets the disposition's flags. A code reached by several
dispositions whose flags differ is a conflict finding, never a silent pick: the code gets no entry until
``outbound.codes`` settles it. ``outbound.codes`` is final for its code either way.

Which codes a disposition reaches is read off the rules the way ``MappingTable.resolve`` tries them, with only what a
catalog entry knows: its name (the ``code``), its type or classification fields, its platform (``source``). A rule
whose other conditions (a campaign, the media, the agent) cannot be decided from the catalog may or may not match,
so its code is reached and the search goes on; a rule that surely matches ends it, as the first match wins.

Pure: no I/O; the service reads the catalog file and the org.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from wrapup_bridge.core.decision import CodeRef
from wrapup_bridge.core.mapping.schema import UnmappedAction
from wrapup_bridge.core.mapping.table import MappingTable
from wrapup_bridge.core.normalize import normalize_key, normalize_text
from wrapup_bridge.core.outbound.defaults import FIVE9_TYPE_DEFAULTS, REFERENCE, cxone_default
from wrapup_bridge.core.outbound.flags import OutboundFlag, flags_text
from wrapup_bridge.core.outbound.spec import OutboundSpec

__all__ = [
    "DesiredEntry",
    "DesiredMapping",
    "Finding",
    "FindingKind",
    "FlagSource",
    "LegacyDisposition",
    "Reach",
    "codes_reached",
    "desired_mapping",
    "flags_for",
]

Severity = Literal["error", "warning", "info"]


class FindingKind(StrEnum):
    """What a finding is about; ``severity`` says how much it matters."""

    CONFLICT = "conflict"  #: dispositions reaching one code disagree on its flags: the code is left out
    NO_FLAGS = "no-flags"  #: a disposition whose type / outcome no entry and no default knows
    UNREACHED = "unreached"  #: no rule maps the disposition to a code: its redial meaning is not carried
    DEFAULT = "default"  #: a built-in default (ours) was used: confirm it in the table
    DROPPED = "dropped"  #: legacy redial settings with no Genesys equivalent (attempts, timers)
    SETTLED = "settled"  #: a disagreement settled by ``outbound.codes``
    UNKNOWN_CODE = "unknown-code"  #: a planned code id the org does not have
    ORPHAN = "orphan"  #: the org maps a code id it does not have (deleted codes keep their mappings)

    @property
    def severity(self) -> Severity:
        if self is FindingKind.CONFLICT:
            return "error"
        if self in (FindingKind.NO_FLAGS, FindingKind.UNREACHED, FindingKind.UNKNOWN_CODE):
            return "warning"
        return "info"


@dataclass(frozen=True)
class Finding:
    """One thing a person reviewing the plan should know."""

    kind: FindingKind
    message: str
    disposition: str | None = None
    code_id: str | None = None

    @property
    def severity(self) -> Severity:
        return self.kind.severity

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind.value, "severity": self.severity, "message": self.message}
        if self.disposition is not None:
            data["disposition"] = self.disposition
        if self.code_id is not None:
            data["code_id"] = self.code_id
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        return cls(FindingKind(data["kind"]), str(data["message"]), data.get("disposition"), data.get("code_id"))


@dataclass(frozen=True)
class LegacyDisposition:
    """One disposition of the legacy catalog, with what it says about redialing."""

    name: str
    platform: str  #: five9 | cxone
    where: str  #: the catalog file and entry, for findings
    type: str | None = None  #: Five9 ``customDispositionType``
    classification: str | None = None  #: CXone
    system_outcome: str | None = None  #: CXone
    reporting_group: str | None = None  #: CXone
    redial: str | None = None  #: Five9 ``typeParameters`` in words (attempts, timer): dropped by the move
    fields: Mapping[str, str] = field(default_factory=dict)  #: what rules may match besides the name

    def meanings(self) -> list[tuple[str, str]]:
        """(kind, text) of what says this disposition's redial meaning, most specific first."""
        found = [
            ("type", self.type),
            ("classification", self.classification),
            ("system outcome", self.system_outcome),
            ("reporting group", self.reporting_group),
        ]
        return [(kind, text) for kind, text in found if text is not None and text.strip()]


@dataclass(frozen=True)
class FlagSource:
    """A disposition's flags and where they come from."""

    flags: tuple[OutboundFlag, ...]
    meaning: str  #: "type FinalDisp", "classification Negative"
    origin: str  #: "outbound.types.FinalDisp", or the built-in default
    reviewed: bool  #: from the table (True) or our built-in default (False)
    caveat: str = ""

    def __str__(self) -> str:
        return f"{self.meaning} -> {flags_text(self.flags)}, {self.origin}"


def flags_for(spec: OutboundSpec, disposition: LegacyDisposition) -> FlagSource | None:
    """The flags of ``disposition``: the table's entry for its type or outcome, else the built-in default; None when
    neither knows it."""
    meanings = disposition.meanings()
    if disposition.type is not None:
        kind = disposition.type
        listed = spec.types.get(kind)
        if listed is not None:
            return FlagSource(listed, f"type {kind}", f"outbound.types.{kind}", True)
        default = FIVE9_TYPE_DEFAULTS.get(kind)
        if default is not None:
            return FlagSource(
                default.flags, f"type {kind}", f"built-in default, ours: {REFERENCE}", False, default.caveat
            )
        return None
    outcomes = {normalize_text(key): (key, flags) for key, flags in spec.outcomes.items()}
    for kind, text in meanings:
        found = outcomes.get(normalize_text(text))
        if found is not None:
            return FlagSource(found[1], f"{kind} {text}", f"outbound.outcomes.{found[0]}", True)
    for kind, text in meanings:
        default = cxone_default(text)
        if default is not None:
            return FlagSource(
                default.flags, f"{kind} {text}", f"built-in default, ours: {REFERENCE}", False, default.caveat
            )
    return None


@dataclass(frozen=True)
class Reach:
    """A code a disposition becomes: through which rule (or the table's fallback), and whether only maybe."""

    code: CodeRef
    via: str  #: "rule #2 (line 30)" or "the unmapped fallback"
    conditional: bool  #: the rule also tests what the catalog cannot tell (a campaign, the media, ...)


def codes_reached(table: MappingTable, disposition: LegacyDisposition) -> tuple[list[Reach], list[str]]:
    """The codes ``disposition`` can become under ``table``'s rules, and the skip reasons of rules that may skip it
    (a disposition whose every path is a skip or unmapped reaches no code)."""
    known: dict[str, str] = {"code": normalize_text(disposition.name), "source": normalize_text(disposition.platform)}
    for key, value in disposition.fields.items():
        known[f"fields.{normalize_key(key)}"] = normalize_text(value)
    reached: list[Reach] = []
    skips: list[str] = []
    uncertain = False
    for rule in table.rules:
        verdicts = [matcher.matches(known[matcher.key]) if matcher.key in known else None for matcher in rule.matchers]
        if False in verdicts:
            continue
        maybe = None in verdicts
        if rule.spec.code is not None:
            reached.append(Reach(table.codes[rule.spec.code], str(rule.decision.rule), maybe))
        else:
            skips.append(f"{rule.decision.rule} skips it: {rule.spec.skip}")
        if not maybe:
            return reached, skips
        uncertain = True
    policy = table.unmapped
    if policy.action is UnmappedAction.FALLBACK and policy.code is not None:
        reached.append(Reach(table.codes[policy.code], "the unmapped fallback", uncertain))
    return reached, skips


@dataclass(frozen=True)
class DesiredEntry:
    """The entry one code should have: its flags (None: no entry, the org's ``defaultSet`` applies) and why."""

    code: CodeRef
    flags: tuple[OutboundFlag, ...] | None
    why: str

    def to_json(self) -> dict[str, Any]:
        return {
            "code_id": self.code.id,
            "code_name": self.code.name,
            "alias": self.code.alias,
            "flags": None if self.flags is None else [f.value for f in self.flags],
            "why": self.why,
        }


@dataclass(frozen=True)
class DesiredMapping:
    """What the table and catalog ask of the org's mapping: an entry per code they decide, the ``defaultSet`` when the
    table sets it (None: left as it is), and the findings for the review."""

    entries: dict[str, DesiredEntry]
    default_set: tuple[OutboundFlag, ...] | None
    findings: tuple[Finding, ...]

    @property
    def conflicts(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind is FindingKind.CONFLICT)


@dataclass
class _Claim:
    disposition: LegacyDisposition
    source: FlagSource
    reach: Reach

    def __str__(self) -> str:
        maybe = ", when its other conditions hold" if self.reach.conditional else ""
        return f"{self.disposition.name!r} via {self.reach.via}{maybe} ({self.source})"


def desired_mapping(table: MappingTable, catalog: Sequence[LegacyDisposition]) -> DesiredMapping:
    """The mapping ``table``'s ``outbound:`` section and rules ask for, given the legacy ``catalog``."""
    spec = table.document.outbound or OutboundSpec()
    findings: list[Finding] = []
    claims: dict[str, list[_Claim]] = {}
    defaults_used: dict[str, FlagSource] = {}
    for disposition in catalog:
        source = flags_for(spec, disposition)
        reached, skips = codes_reached(table, disposition)
        meaning = ", ".join(f"{kind} {text}" for kind, text in disposition.meanings()) or "no type or outcome"
        if disposition.redial:
            findings.append(
                Finding(
                    FindingKind.DROPPED,
                    f"{disposition.name!r} ({meaning}): {disposition.redial} in the legacy system; a wrap-up mapping "
                    "has no redial attempts or timers, so they are dropped (set recall in the Genesys campaign)",
                    disposition=disposition.name,
                )
            )
        if not reached:
            why = "; ".join(skips) if skips else "no rule maps it to a code"
            findings.append(
                Finding(
                    FindingKind.UNREACHED,
                    f"{disposition.name!r} ({meaning}, {disposition.where}): {why}, so its redial meaning is not "
                    "carried",
                    disposition=disposition.name,
                )
            )
            continue
        if source is None:
            findings.append(
                Finding(
                    FindingKind.NO_FLAGS,
                    f"{disposition.name!r} ({meaning}, {disposition.where}): neither the table's outbound section nor "
                    "a built-in default gives it flags; the codes it becomes get no entry from it (add it to "
                    "outbound.types / outbound.outcomes, or set the code in outbound.codes)",
                    disposition=disposition.name,
                )
            )
            continue
        if not source.reviewed:
            defaults_used.setdefault(source.meaning, source)
        for reach in reached:
            claims.setdefault(reach.code.id, []).append(_Claim(disposition, source, reach))

    for meaning, source in defaults_used.items():
        caveat = f"; caveat: {source.caveat}" if source.caveat else ""
        key = "outbound.types" if meaning.startswith("type ") else "outbound.outcomes"
        findings.append(
            Finding(
                FindingKind.DEFAULT,
                f"{meaning} -> {flags_text(source.flags)} is our built-in default ({REFERENCE}), not a vendor "
                f"fact: confirm it with an entry in {key}{caveat}",
            )
        )

    overrides, conflicted = _overrides(table, spec, findings)
    entries: dict[str, DesiredEntry] = {}
    for code_id, found in claims.items():
        code = found[0].reach.code
        distinct = {claim.source.flags for claim in found}
        told = "; ".join(str(claim) for claim in found)
        if code_id in conflicted:
            continue
        if code_id in overrides:
            if len(distinct) > 1:
                findings.append(
                    Finding(
                        FindingKind.SETTLED,
                        f"{code.name!r}: the dispositions reaching it disagree ({told}); settled by "
                        f"outbound.codes.{overrides[code_id].code.alias}",
                        code_id=code_id,
                    )
                )
            continue
        if len(distinct) > 1:
            findings.append(
                Finding(
                    FindingKind.CONFLICT,
                    f"{code.name!r} ({code_id}) is reached by dispositions with different redial meanings: {told}. "
                    f"It is left out of the plan: say which flags it carries with outbound.codes.{code.alias}",
                    code_id=code_id,
                )
            )
            continue
        entries[code_id] = DesiredEntry(code, found[0].source.flags, told)
    entries.update(overrides)
    return DesiredMapping(
        dict(sorted(entries.items(), key=lambda item: (item[1].code.name.casefold(), item[0]))),
        spec.default_set,
        tuple(findings),
    )


def _overrides(
    table: MappingTable, spec: OutboundSpec, findings: list[Finding]
) -> tuple[dict[str, DesiredEntry], set[str]]:
    """``outbound.codes`` by code id, and the ids two aliases ask different flags of (a conflict: left out)."""
    by_id: dict[str, DesiredEntry] = {}
    conflicted: set[str] = set()
    for alias, entry in spec.codes.items():
        code = table.codes[alias]
        flags = None if isinstance(entry, str) else entry
        told = "no entry: the org's defaultSet applies" if flags is None else flags_text(f.value for f in flags)
        wanted = DesiredEntry(code, flags, f"outbound.codes.{alias}: {told}")
        other = by_id.get(code.id)
        if other is not None and other.flags != flags:
            findings.append(
                Finding(
                    FindingKind.CONFLICT,
                    f"{code.name!r} ({code.id}) is set twice in outbound.codes, differently: {other.why}; {wanted.why}",
                    code_id=code.id,
                )
            )
            conflicted.add(code.id)
            continue
        by_id.setdefault(code.id, wanted)
    return {code_id: entry for code_id, entry in by_id.items() if code_id not in conflicted}, conflicted
