"""A mapping table together with the text it was loaded from, so findings about code aliases get their line.

``MappingTable`` keeps each rule's line but not the lines of the ``codes:`` entries; an unused or missing alias
must still point at ``file:line``, so the review re-reads the same bytes (checked against the table's sha256).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from wrapup_bridge.core.mapping import MappingTable, load_mapping
from wrapup_bridge.core.mapping.yamlsource import load_located_yaml

__all__ = ["ReviewedTable", "load_reviewed"]


@dataclass(frozen=True)
class ReviewedTable:
    table: MappingTable
    alias_lines: dict[str, int] = field(default_factory=dict)
    unmapped_line: int = 1

    @classmethod
    def from_text(cls, table: MappingTable, text: str) -> ReviewedTable:
        located = load_located_yaml(text)
        lines = {alias: located.line_of(("codes", alias)) for alias in table.codes}
        return cls(table, lines, located.line_of(("unmapped",)))

    def alias_line(self, alias: str) -> int:
        return self.alias_lines.get(alias, 1)


def load_reviewed(path: str | Path) -> ReviewedTable:
    """Load a table (``MappingTableError`` as ``load_mapping`` raises it) and locate its code aliases."""
    table = load_mapping(path)
    data = Path(path).read_bytes()
    if hashlib.sha256(data).hexdigest() != table.sha256:  # changed between the two reads: locate nothing
        return ReviewedTable(table)
    return ReviewedTable.from_text(table, data.decode("utf-8-sig"))
