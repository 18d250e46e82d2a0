"""Correlation: finding the Genesys conversation of a legacy record that never stored its id (issue 13).

Pure and without I/O: ``probe_for`` reads what a record offers (time, numbers as E.164, direction, media, queue,
agent, legacy id), ``Candidate.from_analytics`` what an analytics conversation offers, ``score`` compares one
with the other and ``classify`` decides (``matched`` only to a clear winner, else ``ambiguous`` or ``none`` with
the evidence). ``CorrelationWriter`` / ``read_correlations`` / ``CorrelationIndex`` are the reviewable file an ops
lead checks before ``replay plan --correlation`` uses it. The table's ``correlate:`` section is ``CorrelateSpec``.
Searching Genesys and slicing by day belong to the service above.

Every name loads its module on first use (PEP 562): a mapping table imports ``correlate.spec`` for its
``correlate:`` section, and that must not cost the live path's cold start the scoring, the probes and the
correlation file's models (``tests/live/test_imports.py``).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wrapup_bridge.core.correlate.candidate import Candidate
    from wrapup_bridge.core.correlate.phone import known_region, to_e164
    from wrapup_bridge.core.correlate.probe import Probe, analytics_media, direction_of, probe_for
    from wrapup_bridge.core.correlate.result import (
        CSV_COLUMNS,
        Correlation,
        CorrelationFileError,
        CorrelationIndex,
        CorrelationStatus,
        CorrelationWriter,
        RankedCandidate,
        read_correlations,
    )
    from wrapup_bridge.core.correlate.score import (
        FieldEvidence,
        Scored,
        Verdict,
        classify,
        score,
        time_offset,
        unsearched,
        window_status,
    )
    from wrapup_bridge.core.correlate.spec import (
        CORRELATE_FIELDS,
        DEFAULT_WEIGHTS,
        PLATFORM_FIELDS,
        CorrelateSpec,
        LegacyIdSpec,
    )

#: Each public name -> the module (of this package) it is read from on first use.
_WHERE: dict[str, str] = {
    "Candidate": "candidate",
    "known_region": "phone",
    "to_e164": "phone",
    "Probe": "probe",
    "analytics_media": "probe",
    "direction_of": "probe",
    "probe_for": "probe",
    "CSV_COLUMNS": "result",
    "Correlation": "result",
    "CorrelationFileError": "result",
    "CorrelationIndex": "result",
    "CorrelationStatus": "result",
    "CorrelationWriter": "result",
    "RankedCandidate": "result",
    "read_correlations": "result",
    "FieldEvidence": "score",
    "Scored": "score",
    "Verdict": "score",
    "classify": "score",
    "score": "score",
    "time_offset": "score",
    "unsearched": "score",
    "window_status": "score",
    "CORRELATE_FIELDS": "spec",
    "DEFAULT_WEIGHTS": "spec",
    "PLATFORM_FIELDS": "spec",
    "CorrelateSpec": "spec",
    "LegacyIdSpec": "spec",
}

__all__ = [
    "CORRELATE_FIELDS",
    "CSV_COLUMNS",
    "DEFAULT_WEIGHTS",
    "PLATFORM_FIELDS",
    "Candidate",
    "CorrelateSpec",
    "Correlation",
    "CorrelationFileError",
    "CorrelationIndex",
    "CorrelationStatus",
    "CorrelationWriter",
    "FieldEvidence",
    "LegacyIdSpec",
    "Probe",
    "RankedCandidate",
    "Scored",
    "Verdict",
    "analytics_media",
    "classify",
    "direction_of",
    "known_region",
    "probe_for",
    "read_correlations",
    "score",
    "time_offset",
    "to_e164",
    "unsearched",
    "window_status",
]


class _Package(types.ModuleType):
    """This package's module type: a public name that is also one of its modules' names (``score``, the function in
    ``score.py``) stays the public name. The import system binds each submodule on its package once it loads it,
    which, lazily, can happen after the name was read (``import wrapup_bridge.core.correlate.score`` anywhere);
    the eager package bound the function over the module, and so does this."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _WHERE.get(name) == name and value.__name__ == f"{__name__}.{name}":
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

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
