"""The YAML mapping table: legacy disposition values to Genesys wrap-up codes, reviewable by people."""

from wrapup_bridge.core.mapping.errors import MappingProblem, MappingTableError
from wrapup_bridge.core.mapping.schema import MappingDocument
from wrapup_bridge.core.mapping.table import Explanation, MappingTable, load_mapping, resolve_naive

__all__ = [
    "Explanation",
    "MappingDocument",
    "MappingProblem",
    "MappingTable",
    "MappingTableError",
    "load_mapping",
    "resolve_naive",
]
