"""A mapping table together with the text it was loaded from, so findings about code aliases get their line.

``MappingTable`` keeps each rule's line but not the lines of the ``codes:`` entries or of the ``correlate:``
section's keys; an unused or missing alias, or a correlation threshold no match can pass, must still point at
``file:line``, so the review re-reads the same bytes (checked against the table's sha256).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from wrapup_bridge.core.mapping import MappingTable, load_mapping
from wrapup_bridge.core.mapping.yamlsource import load_located_yaml
from wrapup_bridge.core.yamlsource import KeyPath

__all__ = ["ReviewedTable", "load_reviewed"]


@dataclass(frozen=True)
class ReviewedTable:
    table: MappingTable
    alias_lines: dict[str, int] = field(default_factory=dict)
    unmapped_line: int = 1
    #: The line of every key and list item of the ``correlate:`` section, by its path below ``correlate``.
    correlate_lines: dict[KeyPath, int] = field(default_factory=dict)

    @classmethod
    def from_text(cls, table: MappingTable, text: str) -> ReviewedTable:
        located = load_located_yaml(text)
        lines = {alias: located.line_of(("codes", alias)) for alias in table.codes}
        correlate = {path[1:]: line for path, line in located.lines.items() if path[:1] == ("correlate",)}
        return cls(table, lines, located.line_of(("unmapped",)), correlate)

    def alias_line(self, alias: str) -> int:
        return self.alias_lines.get(alias, 1)

    def correlate_line(self, *path: str | int) -> int | None:
        """The line of ``correlate.<path>`` when the table writes it (``("queues", "Billing Inbound")``), else None."""
        return self.correlate_lines.get(tuple(path))

    def correlate_near(self, *path: str | int) -> int:
        """The line of the deepest key of ``correlate.<path>`` the table writes: the key, else the nearest key above
        it, else the ``correlate:`` line (1 when the table has no section), so a finding always has a line."""
        for cut in range(len(path), -1, -1):
            line = self.correlate_lines.get(tuple(path[:cut]))
            if line is not None:
                return line
        return 1


def load_reviewed(path: str | Path) -> ReviewedTable:
    """Load a table (``MappingTableError`` as ``load_mapping`` raises it) and locate its code aliases."""
    table = load_mapping(path)
    data = Path(path).read_bytes()
    if hashlib.sha256(data).hexdigest() != table.sha256:  # changed between the two reads: locate nothing
        return ReviewedTable(table)
    return ReviewedTable.from_text(table, data.decode("utf-8-sig"))
