"""``mapping check``: is the table right for the org, and does every rule mean what its reviewers think?

Against the org catalog (a snapshot or live): each code id exists, still has the name the table expects, sits in
a division the queues share, and is assigned to the queues that will use it; a rule scoped to a queue (a
``queue``/``queue_id``/``queue_name`` condition) must map to a code that queue allows. Within the table: rules
that can never match (shadowed, duplicated, self-contradictory) and code aliases nothing uses.

Whether Genesys refuses a code that is not on the participant's queue is not documented (reference: UNSURE), so
a scoped rule that breaks it is an error (the sink's pre-check refuses it by default and agents cannot pick it),
while an unscoped code that no queue has is a warning.

The ``correlate:`` section (how records without a conversation id are matched) is reviewed with the rules: its
findings come from ``core.review.correlation`` and the result carries the settings in effect for the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from wrapup_bridge.core.clock import utc_now
from wrapup_bridge.core.decision import Decision
from wrapup_bridge.core.mapping.schema import ConditionKind, UnmappedAction
from wrapup_bridge.core.mapping.table import CompiledRule
from wrapup_bridge.core.normalize import normalize_text
from wrapup_bridge.core.review.correlation import CorrelationReview, review_correlation
from wrapup_bridge.core.review.describe import key_text
from wrapup_bridge.core.review.findings import Finding, FindingKind, Severity, count_by_severity, sort_findings
from wrapup_bridge.core.review.orgview import CatalogQueue, OrgCatalog
from wrapup_bridge.core.review.shadowing import Shadowing, find_shadowing
from wrapup_bridge.core.review.source import ReviewedTable

__all__ = ["QUEUE_KEYS", "CheckResult", "CodeReview", "check_table"]

#: Condition keys (canonical) that scope a rule to Genesys queues, by name or id.
QUEUE_KEYS = frozenset({"fields.queue", "fields.queue_id", "fields.queue_name"})
_MAX_LISTED = 6


@dataclass(frozen=True)
class CodeReview:
    """One code alias as the review sees it: where it is defined and used, and what the org says about it."""

    alias: str
    id: str
    name: str
    line: int
    rules: tuple[int, ...]
    fallback: bool
    status: str  #: ok | missing | drift | spelling | not-checked
    catalog_name: str | None = None
    division: str | None = None
    queues: tuple[str, ...] | None = None  #: names of the queues that allow it; None when unknown

    def to_dict(self) -> dict[str, Any]:
        return {
            "alias": self.alias,
            "id": self.id,
            "name": self.name,
            "line": self.line,
            "rules": list(self.rules),
            "fallback": self.fallback,
            "status": self.status,
            "catalog_name": self.catalog_name,
            "division": self.division,
            "queues": list(self.queues) if self.queues is not None else None,
        }


@dataclass(frozen=True)
class CheckResult:
    table: ReviewedTable
    catalog: OrgCatalog | None
    findings: list[Finding]
    codes: list[CodeReview] = field(default_factory=list)
    #: The ``correlate:`` section in effect (None when the table has none and names no platform).
    correlation: CorrelationReview | None = None

    @property
    def counts(self) -> dict[str, int]:
        return count_by_severity(self.findings)

    def failed(self, *, strict: bool = False) -> bool:
        counts = self.counts
        return counts["error"] > 0 or (strict and counts["warning"] > 0)

    def findings_for_rule(self, number: int) -> list[Finding]:
        return [f for f in self.findings if f.rule == number]

    def to_dict(self, *, strict: bool = False) -> dict[str, Any]:
        table = self.table.table
        return {
            "table": table.name,
            "sha256": table.sha256,
            "catalog": self.catalog.describe() if self.catalog else None,
            "ok": not self.failed(strict=strict),
            "counts": self.counts,
            "findings": [f.to_dict(table.name) for f in self.findings],
            "codes": [c.to_dict() for c in self.codes],
            "correlation": self.correlation.to_dict() if self.correlation is not None else None,
        }


def _listing(items: list[str]) -> str:
    shown = ", ".join(items[:_MAX_LISTED])
    return shown + (f" and {len(items) - _MAX_LISTED} more" if len(items) > _MAX_LISTED else "")


def _rule_ref(rule: CompiledRule) -> str:
    return f"rule #{rule.number} (line {rule.line})"


def _short(decision: Decision) -> str:
    return repr(decision.code.name) if decision.code is not None else "skip"


def check_table(reviewed: ReviewedTable, catalog: OrgCatalog | None, *, today: date | None = None) -> CheckResult:
    """Every finding about ``reviewed`` (sorted: errors first, then by line), a per-code summary and the
    ``correlate:`` section in effect. ``today`` (UTC today when None): what the section's cutover is compared to."""
    table = reviewed.table
    findings: list[Finding] = [*_shadowing_findings(table.rules)]
    scoped = _scoped_queues(table.rules, catalog, findings) if catalog is not None and catalog.has_queues else {}
    correlate_queues = " and the correlate: section's queue ids" if table.correlate.queues else ""
    if catalog is None:
        unchecked = (
            "code ids, names, divisions, queue assignments"
            if correlate_queues
            else ("code ids, names, divisions and queue assignments")
        )
        findings.append(
            Finding(
                FindingKind.NOT_CHECKED,
                Severity.INFO,
                1,
                f"no org catalog given: {unchecked}{correlate_queues} were not checked (pass --catalog FILE from "
                "`wrapup-bridge catalog export`, or --live)",
            )
        )
    elif not catalog.has_queues:
        findings.append(
            Finding(
                FindingKind.NOT_CHECKED,
                Severity.INFO,
                1,
                f"the catalog ({catalog.source}) lists no queues: which queues allow each code{correlate_queues} "
                f"{'were' if correlate_queues else 'was'} not checked (export it again with `wrapup-bridge catalog "
                "export`, which reads every queue)",
            )
        )
    codes = [_review_code(reviewed, alias, catalog, scoped, findings) for alias in table.codes]
    correlation = review_correlation(reviewed, catalog, today=today or utc_now().date())
    if correlation is not None:
        findings.extend(correlation.findings)
    return CheckResult(reviewed, catalog, sort_findings(findings), codes, correlation)


# ------------------------------------------------------------------------------------------------ shadowing
def _shadowing_findings(rules: tuple[CompiledRule, ...]) -> list[Finding]:
    findings = []
    for shadow in find_shadowing(rules):
        findings.append(_shadow_finding(shadow))
    return findings


def _shadow_finding(shadow: Shadowing) -> Finding:
    rule = shadow.rule
    here = _rule_ref(rule)
    severity = Severity.WARNING if shadow.same_outcome else Severity.ERROR
    by = ", ".join(_rule_ref(r) for r in shadow.by)
    if shadow.kind == "never-matches":
        keys = ", ".join(repr(key_text(k)) for k in shadow.values)
        return Finding(
            FindingKind.NEVER_MATCHES,
            Severity.ERROR,
            rule.line,
            f"{here} can never match: its conditions on {keys} allow no common value; keep only the one meant",
            rule=rule.number,
        )
    others = "; ".join(f"#{r.number} gives {_short(r.decision)}" for r in shadow.by)
    mine = _short(rule.decision)
    if shadow.kind == "duplicate":
        consequence = (
            f"both give {mine}, so it is redundant: remove it"
            if shadow.same_outcome
            else f"this one gives {mine} but {others}: decide which is meant and remove the other"
        )
        return Finding(
            FindingKind.DUPLICATE,
            severity,
            rule.line,
            f"{here} repeats the conditions of {by} exactly and never matches; {consequence}",
            rule=rule.number,
        )
    if shadow.kind == "shadowed":
        consequence = (
            f"it decides the same ({mine}), so it is redundant: remove it"
            if shadow.same_outcome
            else f"this rule gives {mine} but {others}: move it above {by} or narrow that rule"
        )
        return Finding(
            FindingKind.SHADOWED,
            severity,
            rule.line,
            f"{here} can never match: every record it would take is taken first by {by}; {consequence}",
            rule=rule.number,
        )
    written = {normalize_text(v): v for m in rule.matchers if m.key == "code" for v in m.condition.values}
    values = _listing([repr(written.get(v, v)) for v in shadow.values])
    one = len(shadow.values) == 1
    consequence = (
        f"with the same outcome: remove {'it' if one else 'them'} from this rule"
        if shadow.same_outcome
        else f"where {others}, not {mine} as this rule says: remove {'it' if one else 'them'} here or reorder"
    )
    return Finding(
        FindingKind.PARTLY_SHADOWED,
        severity,
        rule.line,
        f"{'code value' if one else 'code values'} {values} of {here} "
        f"{'never reaches' if one else 'never reach'} it: {by} takes "
        f"{'it' if one else 'them'} first, {consequence}",
        rule=rule.number,
    )


# --------------------------------------------------------------------------------------------------- queues
def _scoped_queues(
    rules: tuple[CompiledRule, ...], catalog: OrgCatalog, findings: list[Finding]
) -> dict[int, list[CatalogQueue]]:
    """Rule number -> the catalog queues its queue conditions select (mapping rules only), with findings for
    queue conditions that select no queue of the org and for queues that do not allow the rule's code."""
    scoped: dict[int, list[CatalogQueue]] = {}
    for rule in rules:
        code = rule.decision.code
        if code is None:
            continue
        selected: dict[str, CatalogQueue] = {}
        for matcher in (m for m in rule.matchers if m.key in QUEUE_KEYS):
            if matcher.condition.kind is ConditionKind.EXACT:
                for value in matcher.condition.values:
                    queue = catalog.queue(value)
                    if queue is None:
                        findings.append(_unknown_queue(rule, repr(value), catalog))
                    else:
                        selected[queue.id] = queue
            else:
                hits = [q for q in catalog.queues if matcher.matches(normalize_text(q.name)) or matcher.matches(q.id)]
                if not hits:
                    pattern = f"{matcher.condition.kind.value} {' | '.join(repr(v) for v in matcher.condition.values)}"
                    findings.append(_unknown_queue(rule, pattern, catalog))
                selected.update((q.id, q) for q in hits)
        if not selected:
            continue
        scoped[rule.number] = list(selected.values())
        if catalog.code(code.id) is None:
            continue  # reported once as missing-code
        for queue in selected.values():
            if code.id.lower() not in queue.code_ids:
                findings.append(
                    Finding(
                        FindingKind.QUEUE_NOT_ALLOWED,
                        Severity.ERROR,
                        rule.line,
                        f"{_rule_ref(rule)} applies {code.name!r} ({code.id}) to records of queue {queue.label!r}, "
                        f"but that queue does not allow it: agents cannot pick it there and the write is refused "
                        f"where Genesys enforces queue assignment; assign the code to {queue.label!r} in Genesys or "
                        "map these records to a code the queue has",
                        rule=rule.number,
                        alias=code.alias,
                        code_id=code.id,
                    )
                )
    return scoped


def _unknown_queue(rule: CompiledRule, what: str, catalog: OrgCatalog) -> Finding:
    known = _listing([repr(q.label) for q in catalog.queues])
    return Finding(
        FindingKind.UNKNOWN_QUEUE,
        Severity.WARNING,
        rule.line,
        f"{_rule_ref(rule)} is scoped to queue {what}, which matches no queue of the org ({known}); the queue "
        "assignment of its code could not be checked: use the Genesys queue's name or id",
        rule=rule.number,
        alias=rule.spec.code,
    )


# ---------------------------------------------------------------------------------------------------- codes
def _review_code(
    reviewed: ReviewedTable,
    alias: str,
    catalog: OrgCatalog | None,
    scoped: dict[int, list[CatalogQueue]],
    findings: list[Finding],
) -> CodeReview:
    table = reviewed.table
    ref = table.codes[alias]
    line = reviewed.alias_line(alias)
    using = [rule for rule in table.rules if rule.spec.code == alias]
    fallback = table.unmapped.action is UnmappedAction.FALLBACK and table.unmapped.code == alias
    base = CodeReview(alias, ref.id, ref.name, line, tuple(r.number for r in using), fallback, "not-checked")
    where = f"code {ref.name!r} (alias {alias}, id {ref.id})"
    if not using and not fallback:
        findings.append(
            Finding(
                FindingKind.UNUSED_ALIAS,
                Severity.WARNING,
                line,
                f"{where} is used by no rule and is not the unmapped fallback: remove it, or add the rule meant to use it",
                alias=alias,
                code_id=ref.id,
            )
        )
    if catalog is None:
        return base
    users = [f"#{r.number}" for r in using] + (["the unmapped fallback"] if fallback else [])
    used_by = f", used by {'rule' if len(users) == 1 else 'rules'} {', '.join(users)}," if users else ""
    code = catalog.code(ref.id)
    if code is None:
        same_name = catalog.codes_named(ref.name)
        if same_name:
            hint = (
                f"the org has a code named {same_name[0].name!r} with id {same_name[0].id}: the id in the table is "
                "probably from another org or a deleted code; use that id"
            )
        else:
            hint = "no code of the org has this id or this name: create the code in Genesys or fix the id"
        findings.append(
            Finding(
                FindingKind.MISSING_CODE,
                Severity.ERROR,
                line,
                f"{where}{used_by} is not a wrap-up code of the org: {hint}",
                alias=alias,
                code_id=ref.id,
            )
        )
        return replace(base, status="missing")
    status = "ok"
    if code.name != ref.name:
        if normalize_text(code.name) == normalize_text(ref.name):
            status = "spelling"
            findings.append(
                Finding(
                    FindingKind.NAME_SPELLING,
                    Severity.WARNING,
                    line,
                    f"code alias {alias!r} ({ref.id}) is named {ref.name!r} in the table and {code.name!r} in Genesys (only case, spacing or "
                    f"quotes differ): write {code.name!r} so reviewers see Genesys's spelling",
                    alias=alias,
                    code_id=ref.id,
                )
            )
        else:
            status = "drift"
            findings.append(
                Finding(
                    FindingKind.NAME_DRIFT,
                    Severity.ERROR,
                    line,
                    f"code alias {alias!r} ({ref.id}){used_by} is named {ref.name!r} in the table but {code.name!r} in Genesys: the code was "
                    f"renamed or the id points at another code; if {code.name!r} is what these rules mean, update "
                    "the name, otherwise fix the id",
                    alias=alias,
                    code_id=ref.id,
                )
            )
    allowed = catalog.queues_allowing(ref.id) if catalog.has_queues else ()
    queues = tuple(q.label for q in allowed) if catalog.has_queues else None
    if catalog.has_queues and not allowed and (using or fallback):
        findings.append(
            Finding(
                FindingKind.NOT_ON_ANY_QUEUE,
                Severity.WARNING,
                line,
                f"{where}{used_by} is assigned to no queue: agents cannot pick it and a write is "
                "refused where Genesys enforces queue assignment; assign it to the queues these records come from",
                alias=alias,
                code_id=ref.id,
            )
        )
    if code.division_id and (using or fallback) and catalog.has_queues:
        targets = [q for rule in using for q in scoped.get(rule.number, ())] or list(allowed) or list(catalog.queues)
        divisions = {q.division_id for q in targets if q.division_id}
        if divisions and code.division_id not in divisions:
            names = sorted({q.division or "" for q in targets if q.division_id})
            findings.append(
                Finding(
                    FindingKind.DIVISION,
                    Severity.WARNING,
                    line,
                    f"{where} is in division {code.division!r}, but the queues it would be used on "
                    f"({_listing(sorted({q.label for q in targets}))}) are in {', '.join(repr(n) for n in names)}: "
                    f"Genesys shows a code only to users and OAuth clients whose role is granted in its division; "
                    f"make sure the migration client's role and the agents' roles cover {code.division!r}",
                    alias=alias,
                    code_id=ref.id,
                )
            )
    return replace(base, status=status, catalog_name=code.name, division=code.division, queues=queues)
