"""Correlation: finding the Genesys conversation of a legacy record that never stored its id (issue 13).

Pure and without I/O: ``probe_for`` reads what a record offers (time, numbers as E.164, direction, media, queue,
agent, legacy id), ``Candidate.from_analytics`` what an analytics conversation offers, ``score`` compares one
with the other and ``classify`` decides (``matched`` only to a clear winner, else ``ambiguous`` or ``none`` with
the evidence). ``CorrelationWriter`` / ``read_correlations`` / ``CorrelationIndex`` are the reviewable file an ops
lead checks before ``replay plan --correlation`` uses it. The table's ``correlate:`` section is ``CorrelateSpec``.
Searching Genesys and slicing by day belong to the service above.
"""

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
