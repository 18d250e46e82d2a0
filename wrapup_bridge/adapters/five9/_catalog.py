"""The Five9 disposition listing given as ``options.catalog``: disposition name -> disposition type.

The Call Log carries only the disposition *name*; whether it was final, a redial or a do-not-dial is in the domain's
configuration (``getDispositions``). Mapping rules for outbound campaigns often depend on that type, so records are
completed with it from a saved listing: YAML or JSON, a list of ``{name, type, description}`` objects, or an object
holding that list under ``dispositions`` or ``return`` (the SOAP response element). Names are matched with
``normalize_text``, because exports spell them with inconsistent case and spacing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from wrapup_bridge.adapters._common import read_side_file
from wrapup_bridge.adapters.base import Five9RecordError
from wrapup_bridge.core.normalize import normalize_text

__all__ = ["DISPOSITION_TYPES", "catalog_entries", "load_catalog"]

#: ``customDispositionType`` of the Configuration Web Services WSDL (five9.md 1.2), exact spelling.
DISPOSITION_TYPES = frozenset(
    {
        "FinalDisp",
        "FinalApplyToCampaigns",
        "AddActiveNumber",
        "AddAndFinalize",
        "AddAllNumbers",
        "DoNotDial",
        "RedialNumber",
    }
)


def catalog_entries(path: str) -> Iterator[tuple[str, Mapping[str, Any], str, str | None]]:
    """The listing at ``path`` entry by entry: (``"entry N"``, the entry, its name, its type or None), each name
    text and each type one of ``DISPOSITION_TYPES``; raises Five9RecordError naming file, entry and field. Read by
    ``load_catalog`` and by ``outbound plan`` (which also reads each entry's ``typeParameters``)."""
    doc = _parse(path)
    entries = doc
    if isinstance(doc, Mapping):
        key = next((k for k in ("dispositions", "return") if k in doc), None)
        if key is None:
            raise Five9RecordError(
                "expected a list of dispositions, or an object with a 'dispositions' list", input_name=path
            )
        entries = doc[key]
    if not isinstance(entries, list):
        raise Five9RecordError("the dispositions are not a list", input_name=path, raw=entries)
    for number, entry in enumerate(entries, start=1):
        where = f"entry {number}"
        if not isinstance(entry, Mapping):
            raise Five9RecordError("not an object with name and type", record=where, input_name=path, raw=entry)
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise Five9RecordError(
                "name is missing or not text", record=where, field="name", input_name=path, raw=entry
            )
        kind = entry.get("type")
        if kind is not None and kind not in DISPOSITION_TYPES:
            raise Five9RecordError(
                f"type {kind!r} is not a Five9 disposition type (one of {', '.join(sorted(DISPOSITION_TYPES))})",
                record=where,
                field="type",
                input_name=path,
                raw=entry,
            )
        yield where, entry, name, kind


def load_catalog(path: str) -> dict[str, str]:
    """Read the listing at ``path`` into normalized name -> type; raises Five9RecordError naming file and entry."""
    types: dict[str, str] = {}
    seen: dict[str, tuple[str, str]] = {}
    for where, entry, name, kind in catalog_entries(path):
        if kind is None:
            continue  # listed without a type: nothing to complete records with
        key = normalize_text(name)
        if key in seen and types[key] != kind:
            first_name, first_where = seen[key]
            raise Five9RecordError(
                f"{name!r} has type {kind} here but {types[key]} as {first_name!r} in {first_where}",
                record=where,
                field="type",
                input_name=path,
                raw=entry,
            )
        seen.setdefault(key, (name, where))
        types[key] = str(kind)
    return types


def _parse(path: str) -> Any:
    return read_side_file(path, Five9RecordError, "disposition catalog")
