"""Outbound dialer semantics: a legacy disposition's redial meaning as Genesys outbound wrap-up flags (issue 15).

Pure and without I/O. ``flags`` is the flag enum (any case in, UPPER_SNAKE out); ``spec`` the mapping table's
``outbound:`` section; ``defaults`` our built-in Five9 type / CXone outcome defaults (OURS, docs/reference-outbound.md
§4); ``desired`` works out the mapping a table and a legacy catalog ask for (conflicts are findings, never a silent
pick); ``diff`` compares it with what the org has and builds the whole object to PUT. Reading and writing the org
(``genesys.outbound``) and the plan/apply job (``services.outbound``) are above.

Every name loads its module on first use (PEP 562): every table load imports ``outbound.spec`` for the schema, and
that must not cost the live path's cold start the rest of the package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wrapup_bridge.core.outbound.defaults import FIVE9_DISPOSITION_TYPES, FIVE9_TYPE_DEFAULTS
    from wrapup_bridge.core.outbound.desired import (
        DesiredEntry,
        DesiredMapping,
        Finding,
        FindingKind,
        FlagSource,
        LegacyDisposition,
        desired_mapping,
    )
    from wrapup_bridge.core.outbound.diff import (
        ChangeKind,
        CodeChange,
        CurrentMapping,
        DefaultSetChange,
        OutboundDiff,
        diff_mapping,
        mapping_moves,
    )
    from wrapup_bridge.core.outbound.flags import OutboundFlag, parse_flag
    from wrapup_bridge.core.outbound.spec import OutboundSpec

#: Each public name -> the module (of this package) it is read from on first use.
_WHERE: dict[str, str] = {
    "FIVE9_DISPOSITION_TYPES": "defaults",
    "FIVE9_TYPE_DEFAULTS": "defaults",
    "DesiredEntry": "desired",
    "DesiredMapping": "desired",
    "Finding": "desired",
    "FindingKind": "desired",
    "FlagSource": "desired",
    "LegacyDisposition": "desired",
    "desired_mapping": "desired",
    "ChangeKind": "diff",
    "CodeChange": "diff",
    "CurrentMapping": "diff",
    "DefaultSetChange": "diff",
    "OutboundDiff": "diff",
    "diff_mapping": "diff",
    "mapping_moves": "diff",
    "OutboundFlag": "flags",
    "parse_flag": "flags",
    "OutboundSpec": "spec",
}

__all__ = [
    "FIVE9_DISPOSITION_TYPES",
    "FIVE9_TYPE_DEFAULTS",
    "ChangeKind",
    "CodeChange",
    "CurrentMapping",
    "DefaultSetChange",
    "DesiredEntry",
    "DesiredMapping",
    "Finding",
    "FindingKind",
    "FlagSource",
    "LegacyDisposition",
    "OutboundDiff",
    "OutboundFlag",
    "OutboundSpec",
    "desired_mapping",
    "diff_mapping",
    "mapping_moves",
    "parse_flag",
]

# Hidden from type checkers, so they see the names imported under TYPE_CHECKING above with their types.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        """A public name, loaded (and kept) on first use; any other name is an AttributeError."""
        module = _WHERE.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
