"""``outbound plan``: read the org's mapping, work out what the table asks, and write the diff to a plan file.

The plan is what a person reviews and what ``apply`` writes, nothing else: the changes (each code's entry before and
after, the ``defaultSet``), the ``version`` and the whole object they were read at, the table and catalog with their
SHA-256, the target it was made for, the findings, and a hash over all of it. ``apply`` refuses a plan whose hash
does not match (edited after it was made), one made for another target, and one whose org moved since.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wrapup_bridge.core.clock import utc_now
from wrapup_bridge.core.outbound.desired import DesiredMapping, Finding, FindingKind, desired_mapping
from wrapup_bridge.core.outbound.diff import CurrentMapping, OutboundDiff, diff_mapping
from wrapup_bridge.core.replay.plan import PlanError

if TYPE_CHECKING:
    from wrapup_bridge.core.mapping.table import MappingTable
    from wrapup_bridge.services.target import Connection

__all__ = ["PLAN_KIND", "OutboundPlan", "catalog_path", "make_plan", "read_plan", "write_plan"]

PLAN_KIND = "wrapup-bridge outbound plan"
PLAN_FORMAT = 1


@dataclass(frozen=True)
class OutboundPlan:
    """One plan: what to change, on which org, read at which version, from which table and catalog."""

    target: str  #: the identity of the target it was made for (``Connection.identity``)
    target_description: str
    table: str
    table_sha256: str
    catalog: str | None
    catalog_sha256: str | None
    read_at: str
    current: dict[str, Any]  #: the org's ``WrapUpCodeMapping`` as read
    diff: OutboundDiff
    desired: list[dict[str, Any]]  #: every entry the table asks for, with why (for review)
    findings: tuple[Finding, ...]  #: the table and catalog's findings, then the org's (``diff.findings``)

    @property
    def version(self) -> int | None:
        """The version the org's mapping was read at, which the PUT must carry."""
        value = self.current.get("version")
        return value if isinstance(value, int) else None

    @property
    def current_mapping(self) -> CurrentMapping:
        return CurrentMapping.from_json(self.current)

    @property
    def conflicts(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind is FindingKind.CONFLICT)

    def body(self) -> dict[str, Any]:
        """The plan file's content without its hash."""
        return {
            "kind": PLAN_KIND,
            "format": PLAN_FORMAT,
            "target": self.target,
            "target_description": self.target_description,
            "table": self.table,
            "table_sha256": self.table_sha256,
            "catalog": self.catalog,
            "catalog_sha256": self.catalog_sha256,
            "read_at": self.read_at,
            "version": self.version,
            "current": self.current,
            "changes": self.diff.to_json(),
            "desired": self.desired,
            "findings": [finding.to_json() for finding in self.findings],
        }

    @property
    def plan_hash(self) -> str:
        return _digest(self.body())

    def to_json(self) -> dict[str, Any]:
        return {**self.body(), "plan_hash": self.plan_hash}


def _digest(body: dict[str, Any]) -> str:
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _sha256(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def catalog_path(table: MappingTable, given: str | None = None) -> str | None:
    """The legacy catalog to read: ``given`` (``--catalog``), else the table's ``outbound.catalog``, else its
    ``source.catalog``, each relative to the table's folder; None when nothing names one."""
    if given:
        return given
    outbound = table.document.outbound
    named = (outbound.catalog if outbound is not None else None) or table.source.catalog
    if not named:
        return None
    path = Path(named)
    return os.path.normpath(path if path.is_absolute() else Path(table.name).parent / path)


async def make_plan(connection: Connection, table: MappingTable, *, catalog: str | None = None) -> OutboundPlan:
    """Read the org's mapping (and its code list, to name codes and spot ids it lacks) on ``connection`` and plan
    what ``table``'s ``outbound:`` section and rules ask, given the legacy ``catalog`` (default: ``catalog_path``).
    Genesys failures are raised as they come (``GenesysError``); a catalog that cannot be read raises the adapter's
    error naming the file and entry."""
    from wrapup_bridge.genesys.catalog import WrapupCatalog
    from wrapup_bridge.genesys.errors import PermissionDenied
    from wrapup_bridge.genesys.outbound import read_mapping
    from wrapup_bridge.services.outbound.catalog import read_legacy_catalog

    path = catalog_path(table, catalog)
    legacy = read_legacy_catalog(path, table.source.platform) if path else []
    desired = desired_mapping(table, legacy)
    findings = list(desired.findings)
    if path is None:
        findings.append(
            Finding(
                FindingKind.NO_FLAGS,
                "no legacy catalog (outbound.catalog, source.catalog or --catalog): only outbound.codes decide; the "
                "redial meaning of each legacy disposition type is not carried",
            )
        )
    current = await read_mapping(connection.client)
    org_codes: dict[str, str] | None
    try:
        codes = await WrapupCatalog(connection.client).load()
        org_codes = {code.id: code.name for code in codes.codes}
    except PermissionDenied as exc:
        org_codes = None
        findings.append(
            Finding(
                FindingKind.UNKNOWN_CODE,
                f"the org's wrap-up codes could not be listed ({exc}), so the plan does not check that the table's "
                "code ids exist",
            )
        )
    diff = diff_mapping(current, desired, org_codes=org_codes)
    return OutboundPlan(
        target=connection.identity,
        target_description=connection.description,
        table=table.name,
        table_sha256=table.sha256,
        catalog=path,
        catalog_sha256=_sha256(path) if path else None,
        read_at=utc_now().isoformat(timespec="seconds").replace("+00:00", "Z"),
        current=current.raw,
        diff=OutboundDiff(diff.changes, diff.default_set, diff.unchanged, ()),
        desired=_desired_json(desired),
        findings=(*findings, *diff.findings),
    )


def _desired_json(desired: DesiredMapping) -> list[dict[str, Any]]:
    return [entry.to_json() for entry in desired.entries.values()]


def write_plan(plan: OutboundPlan, path: str | os.PathLike[str]) -> None:
    """Write ``plan`` to ``path`` (whole or not at all: a temporary file renamed over it); OSError as raised."""
    target = Path(path)
    temporary = target.with_name(target.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump(plan.to_json(), handle, indent=2, ensure_ascii=False)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(target)


def read_plan(path: str | os.PathLike[str]) -> OutboundPlan:
    """The plan at ``path``; ``PlanError`` naming the file when it cannot be read, is not an outbound plan, or was
    edited after it was made (its hash no longer matches)."""
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(f"{where}: cannot read the plan: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(f"{where}:{exc.lineno}: not an outbound plan (not JSON: {exc.msg})") from None
    if not isinstance(data, dict) or data.get("kind") != PLAN_KIND:
        raise PlanError(f"{where}: not an outbound plan (make one with `wrapup-bridge outbound plan`)")
    if data.get("format") != PLAN_FORMAT:
        raise PlanError(f"{where}: outbound plan format {data.get('format')!r}; this version reads {PLAN_FORMAT}")
    stated = data.pop("plan_hash", None)
    if stated != _digest(data):
        raise PlanError(
            f"{where}: the plan was changed after it was made (its plan_hash does not match): make a new plan with "
            "`wrapup-bridge outbound plan` rather than editing one"
        )
    try:
        plan = OutboundPlan(
            target=str(data["target"]),
            target_description=str(data["target_description"]),
            table=str(data["table"]),
            table_sha256=str(data["table_sha256"]),
            catalog=data["catalog"],
            catalog_sha256=data["catalog_sha256"],
            read_at=str(data["read_at"]),
            current=dict(data["current"]),
            diff=OutboundDiff.from_json(data["changes"]),
            desired=list(data["desired"]),
            findings=tuple(Finding.from_json(f) for f in data["findings"]),
        )
        CurrentMapping.from_json(plan.current)
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanError(f"{where}: not a complete outbound plan ({type(exc).__name__}: {exc})") from None
    return plan
