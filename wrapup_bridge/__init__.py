"""wrapup-bridge: carry Twilio, Five9 and NICE CXone dispositions into Genesys Cloud wrap-up codes.

Everything a user of the library needs is importable from here (the reference is docs/api.md)::

    import wrapup_bridge

    table = wrapup_bridge.load_mapping("mappings/twilio-flex.yaml")
    with wrapup_bridge.Bridge.for_emulator(mapping=table) as bridge:   # or Bridge.from_env() for Genesys Cloud
        outcome = bridge.apply_event("twilio", event)

- The records: ``Disposition`` (what a legacy platform said), ``Decision`` (what the mapping table makes of it),
  ``Outcome`` / ``BridgeOutcome`` (what Genesys, or the emulator, answered).
- The mapping table: ``MappingTable`` and ``load_mapping``.
- Reading exports and events: ``get_adapter("twilio" | "five9" | "cxone", AdapterOptions(...))``.
- Live use: ``Bridge``; what it talks to: ``build_target`` (Genesys Cloud from the ``Settings``, or the emulator).
- Tests: ``Emulator`` and ``EmulatorConfig`` (a local stand-in for Genesys), and ``wrapup_bridge.testing`` (an
  emulated ``Bridge``, a fake clock).
- Every error the package raises on purpose derives from ``WrapupBridgeError`` (the tree: ``wrapup_bridge.errors``).

The import is kept light on purpose (it runs inside serverless functions where cold starts matter): only the
core models load here; every other name loads its module when it is first used (``tests/live/test_imports.py``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from wrapup_bridge.core.decision import CodeRef, Decision, DecisionKind, RuleRef
from wrapup_bridge.core.disposition import Disposition, Media
from wrapup_bridge.core.outcome import Outcome, OutcomeKind, WrapupTarget

if TYPE_CHECKING:
    from wrapup_bridge.adapters import Adapter, AdapterOptions, ReadResult, get_adapter
    from wrapup_bridge.core.mapping import MappingTable, load_mapping
    from wrapup_bridge.emulator import Emulator, EmulatorConfig
    from wrapup_bridge.errors import (
        AdapterError,
        AdapterOptionError,
        AmbiguousWrite,
        AuthenticationError,
        BadSetting,
        BudgetExceeded,
        CatalogFileError,
        CatalogFormatError,
        CatalogOffline,
        ConfigurationError,
        CorrelateError,
        CorrelationFileError,
        CXoneRecordError,
        DeadLetterError,
        DemoDataMissing,
        DemoError,
        DetailsFormatError,
        DetailsJobError,
        DetailsJobFailed,
        DetailsJobTimeout,
        DetailsQueryRejected,
        ExtendRefused,
        FieldMapError,
        Five9RecordError,
        GenesysAPIError,
        GenesysError,
        HeaderError,
        InputDecodeError,
        InputError,
        JsonNestingError,
        LedgerError,
        MappingTableError,
        MissingDependency,
        NestingError,
        NoDisposition,
        NotADisposition,
        NotFound,
        OptionError,
        OrgFileError,
        OrgFileMissing,
        OutboundMappingFileError,
        OutboundTerraformError,
        OutboxError,
        PayloadError,
        PermissionDenied,
        PlanError,
        RateLimited,
        RegexError,
        Rejected,
        ReplayError,
        RequestError,
        SettingsError,
        SQLiteFileError,
        StalePlan,
        TargetError,
        TargetFailed,
        TransportFailure,
        TwilioRecordError,
        Unavailable,
        UnknownRegionError,
        WrapupBridgeError,
        WrongTarget,
    )
    from wrapup_bridge.live.bridge import Bridge
    from wrapup_bridge.live.outcomes import BridgeOutcome, DrainReport
    from wrapup_bridge.services.settings import Settings
    from wrapup_bridge.services.target import Target, build_target

    __version__: str

#: Every public name that is not imported above -> the module it is read from on first use; the errors are not
#: listed: each name of ``wrapup_bridge.errors.__all__`` is read from that module (``__getattr__``).
_LAZY: dict[str, str] = {
    # live use
    "Bridge": "wrapup_bridge.live.bridge",
    "BridgeOutcome": "wrapup_bridge.live.outcomes",
    "DrainReport": "wrapup_bridge.live.outcomes",
    # the mapping table
    "MappingTable": "wrapup_bridge.core.mapping",
    "load_mapping": "wrapup_bridge.core.mapping",
    # reading exports and events
    "Adapter": "wrapup_bridge.adapters",
    "AdapterOptions": "wrapup_bridge.adapters",
    "ReadResult": "wrapup_bridge.adapters",
    "get_adapter": "wrapup_bridge.adapters",
    # what work talks to
    "Settings": "wrapup_bridge.services.settings",
    "Target": "wrapup_bridge.services.target",
    "build_target": "wrapup_bridge.services.target",
    # the emulator, for tests and demos
    "Emulator": "wrapup_bridge.emulator",
    "EmulatorConfig": "wrapup_bridge.emulator",
}

__all__ = [
    "Adapter",
    "AdapterError",
    "AdapterOptionError",
    "AdapterOptions",
    "AmbiguousWrite",
    "AuthenticationError",
    "BadSetting",
    "Bridge",
    "BridgeOutcome",
    "BudgetExceeded",
    "CXoneRecordError",
    "CatalogFileError",
    "CatalogFormatError",
    "CatalogOffline",
    "CodeRef",
    "ConfigurationError",
    "CorrelateError",
    "CorrelationFileError",
    "DeadLetterError",
    "Decision",
    "DecisionKind",
    "DemoDataMissing",
    "DemoError",
    "DetailsFormatError",
    "DetailsJobError",
    "DetailsJobFailed",
    "DetailsJobTimeout",
    "DetailsQueryRejected",
    "Disposition",
    "DrainReport",
    "Emulator",
    "EmulatorConfig",
    "ExtendRefused",
    "FieldMapError",
    "Five9RecordError",
    "GenesysAPIError",
    "GenesysError",
    "HeaderError",
    "InputDecodeError",
    "InputError",
    "JsonNestingError",
    "LedgerError",
    "MappingTable",
    "MappingTableError",
    "Media",
    "MissingDependency",
    "NestingError",
    "NoDisposition",
    "NotADisposition",
    "NotFound",
    "OptionError",
    "OrgFileError",
    "OrgFileMissing",
    "OutboundMappingFileError",
    "OutboundTerraformError",
    "OutboxError",
    "Outcome",
    "OutcomeKind",
    "PayloadError",
    "PermissionDenied",
    "PlanError",
    "RateLimited",
    "ReadResult",
    "RegexError",
    "Rejected",
    "ReplayError",
    "RequestError",
    "RuleRef",
    "SQLiteFileError",
    "Settings",
    "SettingsError",
    "StalePlan",
    "Target",
    "TargetError",
    "TargetFailed",
    "TransportFailure",
    "TwilioRecordError",
    "Unavailable",
    "UnknownRegionError",
    "WrapupBridgeError",
    "WrapupTarget",
    "WrongTarget",
    "__version__",
    "build_target",
    "get_adapter",
    "load_mapping",
]

# Hidden from type checkers, so they see the names imported under TYPE_CHECKING above with their types, and a
# misspelt name is an error instead of ``Any``.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        """The public names not imported above, loaded (and kept) on first use: ``wrapup_bridge.Bridge`` costs the
        bridge's imports only when it is asked for."""
        if name == "__version__":
            from wrapup_bridge.core.version import package_version

            value: Any = package_version()
        else:
            module = _LAZY.get(name)
            if module is None:
                # The errors module imports only the root (each error loads from its own module on first use).
                errors = importlib.import_module("wrapup_bridge.errors")
                if name not in errors.__all__:
                    raise AttributeError(f"module 'wrapup_bridge' has no attribute {name!r}")
                module = errors.__name__
            value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
