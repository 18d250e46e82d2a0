"""Source adapters: each turns one legacy platform's real output into ``Disposition`` records.

Modules are imported on first use, so a Twilio-only deployment never loads the Five9 or CXone readers.
"""

from __future__ import annotations

import importlib

from wrapup_bridge.adapters.base import (
    Adapter,
    AdapterError,
    AdapterOptionError,
    AdapterOptions,
    CXoneRecordError,
    Five9RecordError,
    ReadResult,
    TwilioRecordError,
    options_for,
)
from wrapup_bridge.adapters.fields import FieldMap

__all__ = [
    "SOURCES",
    "Adapter",
    "AdapterError",
    "AdapterOptionError",
    "AdapterOptions",
    "CXoneRecordError",
    "FieldMap",
    "Five9RecordError",
    "ReadResult",
    "TwilioRecordError",
    "get_adapter",
    "options_for",
]

#: source name -> "module:class" of its adapter
SOURCES: dict[str, str] = {
    "twilio": "wrapup_bridge.adapters.twilio:TwilioAdapter",
    "five9": "wrapup_bridge.adapters.five9:Five9Adapter",
    "cxone": "wrapup_bridge.adapters.cxone:CXoneAdapter",
}


def get_adapter(source: str, options: AdapterOptions | None = None) -> Adapter:
    """The adapter for ``source`` (twilio, five9, cxone), configured with ``options``."""
    try:
        target = SOURCES[source]
    except KeyError:
        raise ValueError(f"unknown source {source!r}; expected one of: {', '.join(SOURCES)}") from None
    module_name, _, class_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    adapter: Adapter = cls(options or AdapterOptions())
    return adapter
