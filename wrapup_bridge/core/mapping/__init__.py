"""The YAML mapping table: legacy disposition values to Genesys wrap-up codes, reviewable by people.

``Explanation`` (what ``MappingTable.explain`` returns) loads with its module on first use: a table loaded for
live use never explains.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wrapup_bridge.core.mapping.errors import MappingProblem, MappingTableError
from wrapup_bridge.core.mapping.schema import MappingDocument
from wrapup_bridge.core.mapping.table import MappingTable, load_mapping, resolve_naive

if TYPE_CHECKING:
    from wrapup_bridge.core.mapping.explain import Explanation

__all__ = [
    "Explanation",
    "MappingDocument",
    "MappingProblem",
    "MappingTable",
    "MappingTableError",
    "load_mapping",
    "resolve_naive",
]

# Hidden from type checkers, so they see the name imported under TYPE_CHECKING above with its type.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        if name == "Explanation":
            from wrapup_bridge.core.mapping.explain import Explanation

            return Explanation
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
