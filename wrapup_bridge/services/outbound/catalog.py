"""The legacy dispositions listing, read as ``LegacyDisposition``s: what each disposition says about redialing.

Five9: the domain's ``getDispositions`` as YAML or JSON (a list of ``{name, type, description, typeParameters}``,
or that list under ``dispositions`` / ``return``), the listing ``examples/five9/dispositions.yaml`` is; the type is
one of the seven ``customDispositionType`` values (reference §2.1), and ``typeParameters`` (redial attempts and
timer, reference §2.2) is reported as dropped, since a wrap-up mapping has no such thing. CXone: the skill (or BU)
dispositions listing the CXone adapter reads (``adapters.cxone.catalog``), with ``classification``,
``systemOutcome`` and ``reportingGroup`` where present (blank ones are absent).

Which platform the file is: the table's ``source.platform``, else its shape (``dispositionId`` is CXone's). Problems
raise the adapter's own error (``Five9RecordError`` / ``CXoneRecordError``) naming the file, the entry and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wrapup_bridge.core.outbound.desired import LegacyDisposition

__all__ = ["detect_platform", "read_legacy_catalog"]


def read_legacy_catalog(path: str, platform: str | None = None) -> list[LegacyDisposition]:
    """Every disposition of the listing at ``path``, in file order (``platform``: five9 or cxone; None: detected)."""
    from wrapup_bridge.adapters._common import read_side_file
    from wrapup_bridge.adapters.base import Five9RecordError

    kind = platform if platform in ("five9", "cxone") else None
    if kind is None:
        kind = detect_platform(read_side_file(path, Five9RecordError, "disposition catalog"))
    if kind == "cxone":
        return _cxone(path)
    return _five9(path)


def detect_platform(document: Any) -> str:
    """``cxone`` when the listing's entries carry ``dispositionId`` (or it is a CXone response), else ``five9``."""
    if isinstance(document, Mapping) and ("skillDispositions" in document or _has_ids(document.get("dispositions"))):
        return "cxone"
    if isinstance(document, list) and _has_ids(document):
        return "cxone"
    return "five9"


def _has_ids(entries: Any) -> bool:
    return isinstance(entries, list) and any(isinstance(e, Mapping) and "dispositionId" in e for e in entries)


def _five9(path: str) -> list[LegacyDisposition]:
    from wrapup_bridge.adapters.five9._catalog import catalog_entries

    return [
        LegacyDisposition(
            name=name,
            platform="five9",
            where=f"{path} {where}",
            type=kind,
            redial=_redial(entry.get("typeParameters")),
            fields={"disposition_type": kind} if kind else {},
        )
        for where, entry, name, kind in catalog_entries(path)
    ]


def _redial(parameters: Any) -> str | None:
    """Five9's ``dispositionTypeParams`` in words (VERIFIED fields: useTimer, timer, attempts, allowChangeTimer)."""
    if not isinstance(parameters, Mapping):
        return None
    parts: list[str] = []
    timer = parameters.get("timer")
    if parameters.get("useTimer") in (True, "true", "True") and isinstance(timer, Mapping):
        units = [(timer.get(u), u) for u in ("days", "hours", "minutes", "seconds")]
        shown = ", ".join(f"{n} {u.rstrip('s') if n == 1 else u}" for n, u in units if isinstance(n, int) and n)
        parts.append(f"redial after {shown or '0 seconds'}")
    attempts = parameters.get("attempts")
    if isinstance(attempts, int) and not isinstance(attempts, bool):
        parts.append(f"{attempts} redial attempt{'s' if attempts != 1 else ''}")
    if parameters.get("allowChangeTimer") in (True, "true", "True"):
        parts.append("the agent may change the timer")
    return ", ".join(parts) or None


def _cxone(path: str) -> list[LegacyDisposition]:
    from wrapup_bridge.adapters.cxone.catalog import load_catalog

    found: list[LegacyDisposition] = []
    for entry in load_catalog(path).values():
        fields = entry.fields()
        found.append(
            LegacyDisposition(
                name=entry.name,
                platform="cxone",
                where=f"{path} dispositionId {entry.id}",
                classification=entry.classification,
                system_outcome=entry.system_outcome,
                reporting_group=entry.reporting_group,
                fields=fields,
            )
        )
    return found
