"""A reviewed correlation file in a plan: records without a conversation id get the one the file matched them to.

``wrapup-bridge correlate`` writes one row per record without an id; an ops lead reviews it (and may settle an
``ambiguous`` row by hand: status ``matched`` and the conversation id). ``replay plan --correlation FILE`` then
fills the id of every record whose row is ``matched``. A record whose row is anything else, or that has no row,
stays without a target, and its plan item says why in the file's own words, so the dead letters carry it. A
record that carries its own conversation id keeps it: the export outranks a correlation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wrapup_bridge.core.correlate import CorrelationIndex
    from wrapup_bridge.core.disposition import Disposition
    from wrapup_bridge.core.replay.pipeline import SourceRecord

__all__ = ["Correlated", "load_correlation"]


def load_correlation(path: str | Path) -> CorrelationIndex:
    """The correlation file at ``path`` (``CorrelationFileError`` names the file, line and field of a bad row)."""
    from wrapup_bridge.core.correlate import CorrelationIndex

    return CorrelationIndex.load(path)


class Correlated:
    """Records as a plan should see them under ``index``; ``filled`` counts the ids given."""

    def __init__(self, index: CorrelationIndex) -> None:
        self.index = index
        self.filled = 0

    def records(self, records: Iterable[SourceRecord]) -> Iterator[SourceRecord]:
        from wrapup_bridge.core.correlate import CorrelationStatus
        from wrapup_bridge.core.disposition import Disposition

        for name, raw, item in records:
            found = item
            if isinstance(item, Disposition) and not item.conversation_id:
                row = self.index.get((item.source, item.source_id))
                if row is not None and row.status is CorrelationStatus.MATCHED and row.conversation_id:
                    self.filled += 1
                    found = item.model_copy(update={"conversation_id": row.conversation_id})
            yield name, raw, found

    @property
    def reason(self) -> Callable[[Disposition], str | None]:
        """Why a record still has no conversation id, from its row (or its absence)."""
        where = self.index.path or "the correlation file"

        def why(record: Disposition) -> str | None:
            row = self.index.get((record.source, record.source_id))
            if row is None:
                return f"no conversation id, and no row in {where} (run wrapup-bridge correlate on this input again)"
            listed = ", ".join(c.conversation_id for c in row.candidates[:3])
            more = f"; candidates {listed}" if listed else ""
            return f"correlation {row.status.value} in {where}: {row.evidence}{more}"

        return why
