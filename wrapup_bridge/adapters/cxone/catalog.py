"""The CXone skill-disposition catalog: disposition id -> name and classification.

Completed contacts carry dispositions only as numeric ids (cxone.md 0), and ids are meaningless to the people who
review a mapping table, so records are completed from a saved catalog (``options.catalog``), JSON or YAML in any of
the shapes the API returns or a person would assemble from it:

- ``{"dispositions": [...]}`` as ``GET /dispositions`` or ``GET /skills/{skillId}/dispositions`` return it;
- ``{"skillDispositions": {"skillId": "...", "skillName": "...", "dispositions": [...]}}`` as older API versions
  answer the skill-dispositions request, every value a string (``"dispositionId": "1"``,
  ``"requireCommitmentAmount": "False"``; frankkessler/incontact-laravel-oauth2-rest tests/AdminApiTest.php), or
  with a list of such skill objects;
- a list of any of these (several skills' responses saved together), or a plain list of disposition entries;
- a mapping of skillId -> list of entries.

Entries need ``dispositionId`` (an integer, or its text) and ``dispositionName``; ``classification``, ``reportingGroup``,
``systemOutcome`` and ``classificationId`` are kept when present. The same id listed under several skills must carry
the same name. Any problem raises CXoneRecordError naming the file, the entry and the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from wrapup_bridge.adapters._common import read_side_file, text_or_none
from wrapup_bridge.adapters.base import CXoneRecordError

__all__ = ["CatalogEntry", "load_catalog", "parse_entry", "parse_id"]

_ID_RE = re.compile(r"^-?[0-9]+$")


@dataclass(frozen=True)
class CatalogEntry:
    """One disposition as the catalog describes it; attributes other than the name may be unknown."""

    id: str
    name: str
    classification: str | None = None
    reporting_group: str | None = None
    system_outcome: str | None = None
    classification_id: str | None = None

    def fields(self) -> dict[str, str]:
        """The attributes a mapping rule may match on, under the record's field names."""
        pairs = {
            "classification": self.classification,
            "reporting_group": self.reporting_group,
            "system_outcome": self.system_outcome,
            "classification_id": self.classification_id,
        }
        return {key: value for key, value in pairs.items() if value is not None}


def parse_id(value: Any) -> str | None:
    """A CXone numeric id as canonical text, None when absent; ValueError when it is not an integer."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str | float):
        raise ValueError(f"{value!r} is not a numeric id")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{value!r} is not a whole number")
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    text = value.strip()
    if not text:
        return None
    if not _ID_RE.match(text):
        raise ValueError(f"{value!r} is not a numeric id")
    return str(int(text))


def parse_entry(entry: Any) -> CatalogEntry:
    """One disposition object; ValueError(field, message) when it lacks a usable id or name."""
    if not isinstance(entry, Mapping):
        raise ValueError(None, f"expected a disposition object, got {type(entry).__name__}")
    try:
        ident = parse_id(entry.get("dispositionId"))
    except ValueError as exc:
        raise ValueError("dispositionId", str(exc)) from None
    if ident is None:
        raise ValueError("dispositionId", "dispositionId is missing")
    name = entry.get("dispositionName")
    if not isinstance(name, str) or not name.strip():
        raise ValueError("dispositionName", "dispositionName is missing or not text")
    return CatalogEntry(
        id=ident,
        name=name,
        classification=_text(entry.get("classification")),
        reporting_group=_text(entry.get("reportingGroup")),
        system_outcome=_text(entry.get("systemOutcome")),
        classification_id=_text(entry.get("classificationId")),
    )


def load_catalog(path: str) -> dict[str, CatalogEntry]:
    """Read the catalog at ``path`` into id -> entry; raises CXoneRecordError naming file, entry and field."""
    doc = _parse(path)
    catalog: dict[str, CatalogEntry] = {}
    where_seen: dict[str, str] = {}
    for where, entry in _entries(doc, path):
        try:
            parsed = parse_entry(entry)
        except ValueError as exc:
            raise CXoneRecordError(exc.args[1], record=where, field=exc.args[0], input_name=path, raw=entry) from None
        known = catalog.get(parsed.id)
        if known is None:
            catalog[parsed.id] = parsed
            where_seen[parsed.id] = where
        elif known.name != parsed.name:
            raise CXoneRecordError(
                f"dispositionId {parsed.id} is named {parsed.name!r} here but {known.name!r} in "
                f"{where_seen[parsed.id]}",
                record=where,
                field="dispositionName",
                input_name=path,
                raw=entry,
            )
    if not catalog:
        raise CXoneRecordError("the catalog lists no dispositions", input_name=path)
    return catalog


def _entries(doc: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Yield (where, entry) for every disposition entry, whichever supported shape the document has."""
    if isinstance(doc, Mapping) and "skillDispositions" in doc:
        yield from _skill_dispositions(doc["skillDispositions"], "", path)
    elif isinstance(doc, Mapping) and "dispositions" in doc:
        yield from _listed(doc["dispositions"], _skill_prefix(doc), path)
    elif isinstance(doc, Mapping):
        for skill, entries in doc.items():
            yield from _listed(entries, f"skill {skill} ", path)
    elif isinstance(doc, list):
        for number, item in enumerate(doc, start=1):
            if isinstance(item, Mapping) and "skillDispositions" in item:
                yield from _skill_dispositions(item["skillDispositions"], f"item {number} ", path)
            elif isinstance(item, Mapping) and "dispositions" in item:
                yield from _listed(item["dispositions"], f"item {number} {_skill_prefix(item)}", path)
            else:
                yield f"entry {number}", item
    else:
        raise CXoneRecordError(
            "expected {'dispositions': [...]}, a list, or a mapping of skill id to dispositions", input_name=path
        )


def _skill_dispositions(block: Any, prefix: str, path: str) -> Iterator[tuple[str, Any]]:
    """The entries of a ``skillDispositions`` answer: one skill object, or a list of them."""
    skills = block if isinstance(block, list) else [block]
    for number, skill in enumerate(skills, start=1):
        where = f"{prefix}skillDispositions" + (f" {number}" if isinstance(block, list) else "")
        if not isinstance(skill, Mapping) or "dispositions" not in skill:
            raise CXoneRecordError(
                "expected a skill object with dispositions", record=where, field="skillDispositions", input_name=path
            )
        yield from _listed(skill["dispositions"], f"{prefix}{_skill_prefix(skill)}", path)


def _listed(entries: Any, prefix: str, path: str) -> Iterator[tuple[str, Any]]:
    if not isinstance(entries, list):
        raise CXoneRecordError(
            "the dispositions are not a list", record=prefix.strip() or None, field="dispositions", input_name=path
        )
    for number, entry in enumerate(entries, start=1):
        yield f"{prefix}entry {number}", entry


def _skill_prefix(doc: Mapping[str, Any]) -> str:
    skill = text_or_none(doc.get("skillId"))
    return f"skill {skill} " if skill else ""


def _text(value: Any) -> str | None:
    if isinstance(value, Mapping):
        # Some responses nest the classification as an object; its name is what people recognise.
        value = value.get("name") or value.get("classificationName") or value.get("value")
    return text_or_none(value)


def _parse(path: str) -> Any:
    return read_side_file(path, CXoneRecordError, "disposition catalog")
