"""The org as a review sees it: wrap-up codes with their divisions, queues with the codes they allow.

``core`` may not import ``genesys`` (imports run one way), so the CLI turns a ``WrapupCatalog`` (live or from a
snapshot file) into this plain, frozen view. It also says where the view came from and when, because a review
that checked codes against a month-old export must say so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from wrapup_bridge.core.normalize import normalize_text

__all__ = ["CatalogCode", "CatalogQueue", "OrgCatalog"]


@dataclass(frozen=True)
class CatalogCode:
    id: str
    name: str
    division_id: str | None = None
    division_name: str | None = None

    @property
    def division(self) -> str | None:
        """The division as people name it (its id when the name is unknown)."""
        return self.division_name or self.division_id


@dataclass(frozen=True)
class CatalogQueue:
    id: str
    name: str
    code_ids: frozenset[str]
    division_id: str | None = None
    division_name: str | None = None

    @property
    def division(self) -> str | None:
        return self.division_name or self.division_id

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class OrgCatalog:
    """Codes by id (lower case) and queues, plus provenance: ``source`` (where from), ``exported_at``, fingerprint."""

    codes: dict[str, CatalogCode]
    queues: tuple[CatalogQueue, ...]
    source: str
    fingerprint: str
    exported_at: str | None = None
    _by_name: dict[str, list[CatalogCode]] = field(default_factory=dict, repr=False, compare=False)
    _queues_by_key: dict[str, CatalogQueue] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(
        cls,
        codes: Iterable[CatalogCode],
        queues: Iterable[CatalogQueue],
        *,
        source: str,
        fingerprint: str,
        exported_at: str | None = None,
    ) -> OrgCatalog:
        by_id = {c.id.lower(): c for c in codes}
        lowered = (
            CatalogQueue(q.id, q.name, frozenset(i.lower() for i in q.code_ids), q.division_id, q.division_name)
            for q in queues
        )
        queue_list = tuple(sorted(lowered, key=lambda q: (normalize_text(q.name), q.id)))
        catalog = cls(by_id, queue_list, source, fingerprint, exported_at)
        for code in by_id.values():
            catalog._by_name.setdefault(normalize_text(code.name), []).append(code)
        for queue in queue_list:
            catalog._queues_by_key.setdefault(queue.id.lower(), queue)
            if queue.name:
                catalog._queues_by_key.setdefault(normalize_text(queue.name), queue)
        return catalog

    @property
    def has_queues(self) -> bool:
        return bool(self.queues)

    def code(self, code_id: str) -> CatalogCode | None:
        return self.codes.get(code_id.strip().lower())

    def codes_named(self, name: str) -> list[CatalogCode]:
        """Codes whose name equals ``name`` after normalization (case, spacing, quotes)."""
        return list(self._by_name.get(normalize_text(name), ()))

    def queue(self, name_or_id: str) -> CatalogQueue | None:
        """The queue with this id, or with this name after normalization."""
        key = name_or_id.strip().lower()
        return self._queues_by_key.get(key) or self._queues_by_key.get(normalize_text(name_or_id))

    def queues_allowing(self, code_id: str) -> tuple[CatalogQueue, ...]:
        key = code_id.lower()
        return tuple(q for q in self.queues if key in q.code_ids)

    def describe(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "fingerprint": self.fingerprint,
            "exported_at": self.exported_at,
            "codes": len(self.codes),
            "queues": len(self.queues),
        }
