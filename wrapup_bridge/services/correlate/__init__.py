"""Finding the Genesys conversation of legacy records that never stored its id (``wrapup-bridge correlate``).

``run`` reads the records, spills them by day (``spill``), reads each day's conversations once (``window``),
resolves agents in batches (``agents``) and writes the reviewable correlation file and the unmatched file.
The scoring itself is pure and lives in ``core.correlate``; the searching in ``genesys.details_search``.
"""

from wrapup_bridge.services.correlate.run import (
    CorrelateError,
    CorrelateOptions,
    CorrelateSummary,
    correlate_records,
    default_paths,
)

__all__ = ["CorrelateError", "CorrelateOptions", "CorrelateSummary", "correlate_records", "default_paths"]
