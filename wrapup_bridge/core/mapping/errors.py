"""How a broken mapping table is reported: every problem at once, each with ``file:line``.

An operations lead fixing a table should see the whole list in one go, not one error per run.
"""

from __future__ import annotations

from dataclasses import dataclass

from wrapup_bridge.core.errors import WrapupBridgeError

__all__ = ["MappingProblem", "MappingTableError"]


@dataclass(frozen=True, order=True)
class MappingProblem:
    """One thing wrong with a table: where (file, line, key path) and what."""

    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class MappingTableError(WrapupBridgeError, ValueError):
    """A mapping table could not be loaded; ``problems`` (a tuple) lists every reason, sorted by line."""

    def __init__(self, problems: list[MappingProblem]) -> None:
        self.problems = tuple(sorted(problems, key=lambda p: (p.file, p.line, p.path, p.message)))
        count = len(self.problems)
        header = f"mapping table has {count} problem{'s' if count != 1 else ''}:"
        super().__init__("\n".join([header, *(f"  {p}" for p in self.problems)]))
