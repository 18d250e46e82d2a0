"""The table's ``correlate:`` section reviewed like its rules: findings with their line, and the settings in effect.

``wrapup-bridge correlate`` matches legacy records without a conversation id to Genesys conversations with the
knobs of this section (core.correlate.spec.CorrelateSpec), so a reviewer signing the table signs them too. Most
mistakes there are silent: a queue id from another org makes every record of that queue "on another queue", a
required part that can never be known never fails (the requirement does nothing), a cutover in the future leaves
every record unsearched, a participant attribute the synchronous query cannot return never decides. The findings
say what each does, in terms of what ``core.correlate.score`` (``classify``, ``window_status``) really does with
it, and the Correlation section of the report shows every setting in effect, the defaults marked as defaults.

The section is reviewed when the table has one, or when it names a platform: ``correlate -m TABLE`` reads every
table, so a platform's table without the section still correlates with the defaults and the platform's field
places, which are as much a judgement as written settings. A table with neither cannot be correlated without
``--source`` naming the platform, so where its records' numbers are is not known here and nothing is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from wrapup_bridge.core.correlate.spec import CORRELATE_FIELDS, DEFAULT_WEIGHTS, CorrelateSpec
from wrapup_bridge.core.review.findings import Finding, FindingKind, Severity, sort_findings
from wrapup_bridge.core.review.orgview import CatalogQueue, OrgCatalog
from wrapup_bridge.core.review.source import ReviewedTable

__all__ = [
    "CorrelationPlace",
    "CorrelationQueue",
    "CorrelationReview",
    "CorrelationSetting",
    "CorrelationWeight",
    "decision_text",
    "review_correlation",
]

#: The section's settings in the order the report lists them (fields, weights and queues have tables of their own).
SETTING_KEYS = (
    "default_country",
    "time",
    "tolerance_seconds",
    "require",
    "threshold",
    "margin",
    "legacy_id",
    "api",
    "cutover",
    "retention_days",
    "slice",
)
_MAX_LISTED = 6


@dataclass(frozen=True)
class CorrelationSetting:
    """One setting in effect: its ``value`` as text, whether it is the ``default`` (not written in the table),
    the table's ``line`` when written, and what it means (the schema's description)."""

    key: str
    value: str
    default: bool
    line: int | None
    meaning: str

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "value": self.value, "default": self.default, "line": self.line}


@dataclass(frozen=True)
class CorrelationPlace:
    """Where one part of a record is read: the record ``places`` tried in order, and whether that is the
    platform's ``default`` (spec.PLATFORM_FIELDS) or the table's ``fields`` (with its ``line``). ``used``: False
    for the legacy id when the section says nowhere Genesys holds it (then it is not read at all)."""

    part: str
    places: tuple[str, ...]
    default: bool
    line: int | None
    meaning: str
    used: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "part": self.part,
            "places": list(self.places),
            "default": self.default,
            "line": self.line,
            "used": self.used,
        }


@dataclass(frozen=True)
class CorrelationWeight:
    part: str
    weight: float
    default: bool
    line: int | None


@dataclass(frozen=True)
class CorrelationQueue:
    """One ``queues:`` entry: the legacy name, the Genesys queue id it becomes, and what the org calls that queue
    (``genesys_name``; ``status`` ok, unknown when the org has no such queue, not-checked without a catalog)."""

    legacy: str
    queue_id: str
    line: int | None
    status: str
    genesys_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "legacy": self.legacy,
            "queue_id": self.queue_id,
            "line": self.line,
            "status": self.status,
            "genesys_name": self.genesys_name,
        }


@dataclass(frozen=True)
class CorrelationReview:
    """The ``correlate:`` section as a review shows it. ``section``: the table has one (else every setting is a
    default); ``line``: the ``correlate:`` key's line (None without a section); ``platform``: the table's
    ``source.platform`` whose field places apply (None: ``correlate --source`` decides); ``decision``: when a
    record is matched, in words; ``findings``: those about the section (also in the check's findings)."""

    section: bool
    line: int | None
    platform: str | None
    decision: str
    settings: tuple[CorrelationSetting, ...]
    places: tuple[CorrelationPlace, ...]
    weights: tuple[CorrelationWeight, ...]
    queues: tuple[CorrelationQueue, ...]
    findings: tuple[Finding, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "line": self.line,
            "platform": self.platform,
            "decision": self.decision,
            "settings": [s.to_dict() for s in self.settings],
            "fields": [p.to_dict() for p in self.places],
            "weights": {w.part: {"weight": w.weight, "default": w.default, "line": w.line} for w in self.weights},
            "queues": [q.to_dict() for q in self.queues],
        }


def review_correlation(reviewed: ReviewedTable, catalog: OrgCatalog | None, *, today: date) -> CorrelationReview | None:
    """The review of ``reviewed``'s ``correlate:`` section against ``catalog`` (when known) on ``today``; None when
    the table has no section and names no platform (see the module's docstring for why)."""
    table = reviewed.table
    written = table.document.correlate
    platform = table.source.platform
    if written is None and platform is None:
        return None
    spec = table.correlate
    queues = _queues(reviewed, spec, catalog)
    findings = (
        _findings(reviewed, spec, platform, catalog, queues, today) if written is not None else []
    )  # the defaults have nothing to find
    return CorrelationReview(
        section=written is not None,
        line=reviewed.correlate_line() if written is not None else None,
        platform=platform,
        decision=decision_text(spec),
        settings=tuple(_setting(reviewed, spec, key) for key in SETTING_KEYS),
        places=tuple(_place(reviewed, spec, platform, part) for part in CORRELATE_FIELDS),
        weights=tuple(
            CorrelationWeight(
                part, spec.weight(part), part not in spec.weights, reviewed.correlate_line("weights", part)
            )
            for part in DEFAULT_WEIGHTS
        ),
        queues=queues,
        findings=tuple(sort_findings(findings)),
    )


# --------------------------------------------------------------------------------------------- in words
def decision_text(spec: CorrelateSpec) -> str:
    """When ``classify`` says ``matched``, in words, for the threshold and margin of ``spec``."""
    threshold, margin = spec.threshold, spec.margin
    if margin == 0:
        text = (
            f"matched when the best conversation scores ≥ {threshold:g}, even when another scores the same: with "
            "margin 0 a tie is picked (the one nearer the record's time, then the lower conversation id), not left "
            "ambiguous"
        )
    else:
        text = (
            f"matched only when one conversation scores ≥ {threshold:g} and leads the next by ≥ {margin:g}; "
            "otherwise ambiguous when the best scores that much without that lead, none when nothing does"
        )
        if margin > threshold:
            text += f"; a conversation alone leads by its score, so it needs ≥ {margin:g}"
        if _over_one(spec):
            text += (
                f"; as {threshold:g} + {margin:g} > 1, a second conversation scoring ≥ {threshold:g} always leaves "
                "the record ambiguous"
            )
    if spec.legacy_id is not None:
        text += "; an equal legacy id on exactly one conversation decides on its own"
    return text


def _over_one(spec: CorrelateSpec) -> bool:
    return round(spec.threshold + spec.margin, 9) > 1


def _setting(reviewed: ReviewedTable, spec: CorrelateSpec, key: str) -> CorrelationSetting:
    field = CorrelateSpec.model_fields[key]
    return CorrelationSetting(
        key=key,
        value=_value_text(spec, key),
        default=key not in spec.model_fields_set,
        line=reviewed.correlate_line(key),
        meaning=field.description or "",
    )


def _value_text(spec: CorrelateSpec, key: str) -> str:
    if key == "tolerance_seconds":
        return f"{spec.tolerance_seconds} s"
    if key == "require":
        return ", ".join(spec.require) or "nothing (a differing part lowers the score, never fails it)"
    if key in ("threshold", "margin"):
        return f"{getattr(spec, key):g}"
    if key == "legacy_id":
        legacy = spec.legacy_id
        if legacy is None:
            return "not set"
        return (
            "the conversation's externalTag" if legacy.external_tag else f"participant attribute {legacy.attribute!r}"
        )
    if key == "api":
        searches = {"query": "the synchronous details query", "jobs": "the async details jobs"}
        resolved = searches[spec.resolved_api]
        return f"auto: {resolved}" if spec.api == "auto" else f"{spec.api}: {resolved}"
    if key == "retention_days":
        return f"{spec.retention_days} days" if spec.retention_days is not None else "not set"
    value = getattr(spec, key)
    return "not set" if value is None else str(value)


def _place(reviewed: ReviewedTable, spec: CorrelateSpec, platform: str | None, part: str) -> CorrelationPlace:
    written = part in spec.fields
    places = spec.places(part, platform or "") if written or platform else ()
    return CorrelationPlace(
        part=part,
        places=places,
        default=not written,
        line=reviewed.correlate_line("fields", part),
        meaning=CORRELATE_FIELDS[part],
        used=part != "legacy_id" or spec.legacy_id is not None,
    )


def _queues(reviewed: ReviewedTable, spec: CorrelateSpec, catalog: OrgCatalog | None) -> tuple[CorrelationQueue, ...]:
    known = {q.id.lower(): q for q in catalog.queues} if catalog is not None and catalog.has_queues else None
    rows = []
    for name, queue_id in spec.queues.items():
        line = reviewed.correlate_line("queues", name)
        if known is None:
            rows.append(CorrelationQueue(name, queue_id, line, "not-checked"))
        elif (queue := known.get(queue_id)) is None:
            rows.append(CorrelationQueue(name, queue_id, line, "unknown"))
        else:
            rows.append(CorrelationQueue(name, queue_id, line, "ok", queue.label))
    return tuple(rows)


# ---------------------------------------------------------------------------------------------- findings
def _findings(
    reviewed: ReviewedTable,
    spec: CorrelateSpec,
    platform: str | None,
    catalog: OrgCatalog | None,
    queues: tuple[CorrelationQueue, ...],
    today: date,
) -> list[Finding]:
    findings: list[Finding] = []
    if catalog is not None:
        findings += [_unknown_queue(reviewed, spec, row, catalog) for row in queues if row.status == "unknown"]
    findings += _window(reviewed, spec, today)
    findings += _requirements(reviewed, spec, platform)
    findings += _scoring(reviewed, spec)
    findings += _legacy_id(reviewed, spec)
    return findings


def _listing(queues: tuple[CatalogQueue, ...]) -> str:
    names = [f"{q.label!r} {q.id}" for q in queues]
    shown = ", ".join(names[:_MAX_LISTED])
    return shown + (f" and {len(names) - _MAX_LISTED} more" if len(names) > _MAX_LISTED else "")


def _unknown_queue(reviewed: ReviewedTable, spec: CorrelateSpec, row: CorrelationQueue, catalog: OrgCatalog) -> Finding:
    named = catalog.queue(row.legacy)
    if named is not None:
        hint = f"the org's queue {named.label!r} has id {named.id}: if that is the queue {row.legacy!r} became, use that id"
    else:
        hint = f"no queue of the org has this id ({_listing(catalog.queues)}): use the Genesys queue's id"
    consequence = (
        f"as written, a record of {row.legacy!r} is 'on another queue' for every conversation that went through a "
        "queue, which lowers its score"
    )
    if "queue" in spec.require:
        consequence += ", and since require lists 'queue', every such conversation fails: these records never match"
    return Finding(
        FindingKind.CORRELATE_QUEUE,
        Severity.ERROR,
        reviewed.correlate_near("queues", row.legacy),
        f"correlate.queues maps {row.legacy!r} to {row.queue_id}, which is not a queue of the org; "
        f"{hint}; {consequence}",
    )


def _window(reviewed: ReviewedTable, spec: CorrelateSpec, today: date) -> list[Finding]:
    cutover = spec.cutover
    if cutover is None:
        return []
    if cutover > today:
        return [
            Finding(
                FindingKind.CORRELATE_CUTOVER,
                Severity.WARNING,
                reviewed.correlate_near("cutover"),
                f"correlate.cutover {cutover} is after today ({today}): every record until then is 'before-cutover' "
                "and is never searched for; set the org's real first day on Genesys",
            )
        ]
    if spec.retention_days is None:
        return []
    reach = today - timedelta(days=spec.retention_days)
    if cutover >= reach:
        return []
    return [
        Finding(
            FindingKind.CORRELATE_RETENTION,
            Severity.WARNING,
            reviewed.correlate_near("retention_days"),
            f"correlate.retention_days {spec.retention_days} reaches back only to {reach} (from today, {today}), "
            f"past the cutover {cutover}: records from {cutover} to {reach} are 'outside-retention' and never "
            "searched for, although those calls were on Genesys (analytics no longer keeps them); records before "
            f"{cutover} stay 'before-cutover' (the cutover is checked first, so before-cutover wins); check "
            "retention_days against your org, and correlate exports before more of them age out",
        )
    ]


def _requirements(reviewed: ReviewedTable, spec: CorrelateSpec, platform: str | None) -> list[Finding]:
    if "queue" not in spec.require or spec.queues or "queue" in spec.fields:
        return []
    places = spec.places("queue", platform or "")
    read = f"the records' queue ({', '.join(places)})" if platform else "a record's queue"
    return [
        Finding(
            FindingKind.CORRELATE_REQUIRE,
            Severity.WARNING,
            reviewed.correlate_near("require", spec.require.index("queue")),
            f"correlate.require lists 'queue', but the section maps no legacy queue to a Genesys queue id "
            f"('queues:') and 'fields' places no queue: {read} is a name, a conversation has Genesys queue ids, "
            "so for every record the queue is unknown (unless those fields hold Genesys queue ids themselves); a "
            "required part that is always unknown never fails, so requiring 'queue' does nothing (nor does it "
            "count in the score): map each legacy queue to its Genesys queue id under correlate.queues, or remove "
            "'queue' from require",
        )
    ]


def _scoring(reviewed: ReviewedTable, spec: CorrelateSpec) -> list[Finding]:
    threshold, margin = spec.threshold, spec.margin
    if margin == 0:
        return [
            Finding(
                FindingKind.CORRELATE_MARGIN,
                Severity.WARNING,
                reviewed.correlate_near("margin"),
                "correlate.margin 0: the best conversation is matched when it leads another by any amount, however "
                "small (only an exact tie stays ambiguous), so two conversations that fit almost equally well are "
                "decided by a second or a digit; those are for a person to choose: set a margin above 0 (the "
                "default is 0.15)",
            )
        ]
    if not _over_one(spec):
        return []
    line = reviewed.correlate_line("threshold") or reviewed.correlate_near("margin")
    return [
        Finding(
            FindingKind.CORRELATE_THRESHOLD,
            Severity.WARNING,
            line,
            f"correlate.threshold {threshold:g} + margin {margin:g} is more than 1: the best can lead a second "
            f"conversation that scores ≥ {threshold:g} by at most {1 - threshold:g}, less than the margin, so a "
            "record with two conversations that pass the threshold is always ambiguous, however much better one "
            f"fits; a record is matched only when no other conversation near it passes {threshold:g} (alone, a "
            f"conversation needs ≥ {max(threshold, margin):g}); lower one of them so that threshold + margin ≤ 1, "
            "unless that is meant",
        )
    ]


def _legacy_id(reviewed: ReviewedTable, spec: CorrelateSpec) -> list[Finding]:
    legacy = spec.legacy_id
    if legacy is None or legacy.attribute is None:
        return []
    line = reviewed.correlate_near("legacy_id", "attribute")
    # SDK: the sync query's participants are AnalyticsParticipantWithoutAttributes; only the async jobs'
    # AnalyticsParticipant has ``attributes`` (genesys/details_search.py; core/correlate/candidate.py).
    if spec.api == "query":
        return [
            Finding(
                FindingKind.CORRELATE_LEGACY_ID,
                Severity.ERROR,
                line,
                f"correlate.legacy_id.attribute {legacy.attribute!r} is never seen: 'api: query' searches with the "
                "synchronous details query, whose participants carry no attributes (only the async jobs return "
                "them), so every conversation's legacy id is unknown and it never decides a match; set api: auto "
                "(or jobs), or read the id from the conversation's externalTag (legacy_id: {external_tag: true})",
            )
        ]
    return [
        Finding(
            FindingKind.CORRELATE_LEGACY_ID,
            Severity.INFO,
            line,
            f"correlate.legacy_id.attribute {legacy.attribute!r}: participant attributes come only with the async "
            f"details jobs (the synchronous query never sees them), so correlate searches with the jobs "
            f"(api: {spec.api}); a run with --api query would never see the legacy id",
        )
    ]
