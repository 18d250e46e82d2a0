"""Correlating legacy records with Genesys conversations: records in, a reviewable correlation file out.

Each record that carries no Genesys conversation id gets one row (``core.correlate.Correlation``): ``matched`` to
one conversation, ``ambiguous`` (the close candidates listed), ``none`` (the near misses, each with why it
failed), ``before-cutover`` / ``outside-retention`` (not searched), ``no-time`` or ``invalid``. Nothing is written
to Genesys: an ops lead reviews the file, then ``replay plan --correlation FILE`` uses its ``matched`` rows.

Cost is the point (issue 13: at most 0.05 calls per record on a dense day). Records are spilled to a scratch file
by UTC day (``spill``), then each day's conversations are read once, 100 per page, with the records' media and
(when there are few) dialled numbers as filters (``window``; a neighbouring day without records of its own only as
far as the records near midnight reach), and every record of the day is scored against the conversations near it
in memory. The agents met are looked up 100 per call, each once (``agents``). So a run costs about (conversations
on the records' days / 100) + (agents / 100) calls, whatever the number of records. A record is compared with
every conversation near it (hundreds on a busy day) without words (``score_many``); only the few its row can list
are explained (``shortlist``), which is the same result at a fraction of the time.

Records that are not matched are also written to the unmatched file (JSON lines: the record, its class and
evidence), so nothing is lost: fix the table (tolerance, fields, directory) and run again, or settle the row in the
correlation file by hand.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from wrapup_bridge.core.errors import WrapupBridgeError

if TYPE_CHECKING:
    from wrapup_bridge.core.correlate import Candidate, CorrelateSpec, Correlation, CorrelationWriter
    from wrapup_bridge.core.mapping import MappingTable
    from wrapup_bridge.core.replay.pipeline import SourceRecord
    from wrapup_bridge.services.replay.progress import Progress
    from wrapup_bridge.services.target import Connection

__all__ = ["CorrelateError", "CorrelateOptions", "CorrelateSummary", "correlate_records", "default_paths"]

#: What is left when a run stops early: nothing, by design (the files are moved into place only when whole).
NOTHING_LEFT = (
    "Nothing was written to Genesys and no correlation file was made; run the same command again once this is fixed."
)
#: Distinct dialled numbers up to which the day searches are filtered by them (a long `or` is refused or slow).
NARROW_DNIS_MAX = 20


class CorrelateError(WrapupBridgeError, OSError):
    """The correlation file or the unmatched file cannot be written; the message names it. Nothing was written
    to Genesys."""


@dataclass(frozen=True)
class CorrelateOptions:
    """What a run may change over the table's ``correlate:`` section (None: the table's), and how it searches.

    ``narrow``: filter the day searches by the records' media and, when there are at most ``NARROW_DNIS_MAX``,
    their dialled numbers (fewer pages when the org is much busier than the export; each only when every searched
    record has one); ``now``: the moment ``retention_days`` counts back from (tests)."""

    default_country: str | None = None
    tolerance_seconds: int | None = None
    cutover: date | None = None
    api: Literal["auto", "query", "jobs"] | None = None
    page_size: int | None = None
    narrow: bool = True
    now: datetime | None = None

    def spec(self, base: CorrelateSpec) -> CorrelateSpec:
        """``base`` with this run's overrides, validated as the table's section is (``ValueError`` says which)."""
        from wrapup_bridge.core.correlate import CorrelateSpec

        changes = {
            key: value
            for key, value in (
                ("default_country", self.default_country),
                ("tolerance_seconds", self.tolerance_seconds),
                ("cutover", self.cutover),
                ("api", self.api),
            )
            if value is not None
        }
        if not changes:
            return base
        return CorrelateSpec.model_validate({**base.model_dump(), **changes})


@dataclass
class CorrelateSummary:
    """What a run did: rows by status, the records left out because they carry an id already (``carried``) or
    were met before in the inputs (``repeated``: one row per record), calls made."""

    out: Path
    unmatched: Path
    counts: Counter[str] = field(default_factory=Counter)
    carried: int = 0
    repeated: int = 0
    calls: dict[str, int] = field(default_factory=dict)
    days: int = 0
    conversations: int = 0
    seconds: float = 0.0

    @property
    def records(self) -> int:
        """Rows written (every record without a conversation id, readable or not)."""
        return sum(self.counts.values())

    @property
    def matched(self) -> int:
        return self.counts.get("matched", 0)

    @property
    def not_matched(self) -> int:
        return self.records - self.matched

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "unmatched": str(self.unmatched),
            "records": self.records,
            "counts": dict(sorted(self.counts.items())),
            "carried_conversation_id": self.carried,
            "repeated": self.repeated,
            "calls": dict(sorted(self.calls.items())),
            "calls_per_record": round(self.total_calls / self.records, 4) if self.records else None,
            "days_searched": self.days,
            "conversations_read": self.conversations,
            "seconds": round(self.seconds, 3),
        }


def default_paths(inputs: Iterable[str], out: Path | None, unmatched: Path | None) -> tuple[Path, Path]:
    """The correlation file (``<first input>.correlation.csv`` beside it, or ``correlation.csv`` for stdin) and
    the unmatched file (``<out stem>.unmatched.jsonl`` beside it) unless given."""
    if out is None:
        first = next((i for i in inputs if i != "-"), None)
        out = Path(first).with_suffix(".correlation.csv") if first else Path("correlation.csv")
    if unmatched is None:
        unmatched = out.with_name(f"{out.stem}.unmatched.jsonl")
    return out, unmatched


class _Unmatched:
    """The unmatched file: one JSON object per record that is not matched, flushed as it goes."""

    def __init__(self, path: Path, final: Path) -> None:
        self.path = path
        self.count = 0
        try:
            self._file: IO[str] = path.open("w", encoding="utf-8")
        except OSError as exc:
            raise CorrelateError(f"cannot write the unmatched file {final}: {exc.strerror or exc}") from None

    def write(self, correlation: Correlation, record: dict[str, Any] | None, raw: Any = None) -> None:
        entry: dict[str, Any] = {
            "class": correlation.status.value,
            "reason": correlation.evidence,
            "source": correlation.source,
            "source_id": correlation.source_id,
            "input": correlation.input,
            "candidates": [c.model_dump(mode="json") for c in correlation.candidates],
            "record": record,
        }
        if raw is not None:
            entry["raw"] = raw
        self._file.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
        self._file.flush()
        self.count += 1

    def close(self) -> None:
        self._file.close()


def _partial(path: Path) -> Path:
    """Where ``path`` is written until whole (same folder, same suffix, so the writer keeps the format)."""
    return path.with_name(f".{path.stem}.partial{path.suffix}")


async def correlate_records(
    records: Iterable[SourceRecord],
    *,
    table: MappingTable,
    connection: Connection,
    out: Path,
    unmatched: Path | None = None,
    options: CorrelateOptions | None = None,
    progress: Progress | None = None,
) -> CorrelateSummary:
    """Correlate ``records`` (``services.replay.source_records``) with the conversations of ``connection``'s org,
    by the table's ``correlate:`` section and agent directory; write the correlation file ``out`` (CSV when it
    ends in ``.csv``, else JSON lines) and the unmatched file.

    Raises ``TargetFailed`` when the target refuses or does not answer, ``CorrelateError`` when a file cannot be
    written, ``ValueError`` when an option does not fit the table's section. Whatever stops it, neither file is
    left half-written (each is moved into place when whole) and nothing was written to Genesys."""
    from wrapup_bridge.core.clock import utc_now
    from wrapup_bridge.core.correlate import CorrelationFileError, CorrelationWriter

    options = options or CorrelateOptions()
    spec = options.spec(table.correlate)
    out_path, unmatched_path = default_paths((), out, unmatched)
    summary = CorrelateSummary(out=out_path, unmatched=unmatched_path)
    started = time.monotonic()
    try:
        writer = CorrelationWriter(_partial(out_path))
    except CorrelationFileError as exc:
        reason = exc.message.removeprefix("cannot write the file: ")  # it names the partial file; say the user's
        raise CorrelateError(f"cannot write the correlation file {out_path}: {reason}") from None
    dead: _Unmatched | None = None
    try:
        dead = _Unmatched(_partial(unmatched_path), unmatched_path)
        run = _Run(table, spec, connection, writer, dead, summary, options, progress)
        if progress is not None:
            progress.start("correlating", None)
        try:
            await run.go(records, options.now or utc_now())
        finally:
            if progress is not None:
                progress.stop()
        writer.close()
        dead.close()
        _settle(_partial(out_path), out_path)
        _settle(_partial(unmatched_path), unmatched_path)
    except BaseException:
        writer.close()
        _partial(out_path).unlink(missing_ok=True)
        if dead is not None:
            dead.close()
            _partial(unmatched_path).unlink(missing_ok=True)
        raise
    summary.seconds = time.monotonic() - started
    return summary


def _settle(partial: Path, final: Path) -> None:
    try:
        os.replace(partial, final)
    except OSError as exc:
        raise CorrelateError(f"cannot write {final}: {exc.strerror or exc}. {NOTHING_LEFT}") from None


class _Run:
    """One correlation run's state (the pieces ``correlate_records`` wires together)."""

    def __init__(
        self,
        table: MappingTable,
        spec: CorrelateSpec,
        connection: Connection,
        writer: CorrelationWriter,
        dead: _Unmatched,
        summary: CorrelateSummary,
        options: CorrelateOptions,
        progress: Progress | None,
    ) -> None:
        from wrapup_bridge.genesys.details_search import DEFAULT_PAGE_SIZE, DetailsSearch
        from wrapup_bridge.genesys.users import UserLookup
        from wrapup_bridge.services.correlate.agents import AgentIndex

        self.table = table
        self.spec = spec
        self.connection = connection
        self.writer = writer
        self.dead = dead
        self.summary = summary
        self.options = options
        self.progress = progress
        self.search = DetailsSearch(connection.client, page_size=options.page_size or DEFAULT_PAGE_SIZE)
        self.agents = AgentIndex(UserLookup(connection.client))
        self.api = spec.resolved_api
        self.media: set[str] = set()
        self.dnis: set[str] = set()
        #: A searched record without a media / a dialled number: a filter on the others' would drop its call.
        self.media_unknown = False
        self.dnis_unknown = False
        self.malformed = 0
        #: Conversations read whose agents are not looked up yet.
        self._unlearned: list[Candidate] = []

    async def go(self, records: Iterable[SourceRecord], now: datetime) -> None:
        from wrapup_bridge.core.correlate import CorrelationStatus, probe_for, unsearched, window_status
        from wrapup_bridge.core.disposition import Disposition
        from wrapup_bridge.services.correlate.spill import RecordSpill
        from wrapup_bridge.services.replay.plan import target_answers

        agents = self.table.agents
        source = self.table.source.platform or ""
        with RecordSpill(self.summary.out.parent) as spill:
            for name, raw, item in records:
                if not isinstance(item, Disposition):
                    self._invalid(source, name, raw, item)
                    continue
                if item.conversation_id:
                    self.summary.carried += 1
                    continue
                if not spill.first_time(item.source, item.source_id):
                    self.summary.repeated += 1  # its row is the first one's; replay gives the repeat the same id
                    continue
                probe = probe_for(item, self.spec, agents)
                status = window_status(probe.time, self.spec, now)
                if status is None and probe.time is None:
                    status = CorrelationStatus.NO_TIME
                if status is not None:
                    self._write(unsearched(probe, status, self.spec, input=name), item)
                    continue
                assert probe.time is not None
                if probe.media:
                    self.media.add(probe.media)
                else:
                    self.media_unknown = True
                if probe.dnis:
                    self.dnis.add(probe.dnis)
                else:
                    self.dnis_unknown = True
                spill.add(probe.time, name, item)
            with target_answers(self.connection.description, lambda: NOTHING_LEFT):
                await self._search(spill)

    async def _search(self, spill: Any) -> None:
        from wrapup_bridge.core.correlate import classify, probe_for, score
        from wrapup_bridge.core.correlate.score import score_many, shortlist
        from wrapup_bridge.services.correlate.window import CandidateWindow

        window = CandidateWindow(
            tolerance=self.spec.tolerance_seconds, inside=self.spec.time != "start", stream=self._conversations
        )
        agents = self.table.agents
        spec = self.spec
        try:
            for day in spill.days():
                window.forget_before(day)
                for name, disposition in spill.records(day):
                    probe = probe_for(disposition, spec, agents)
                    assert probe.time is not None
                    near = await window.around(probe.time)
                    if self._unlearned:
                        await self.agents.learn(self._unlearned)
                        self._unlearned = []
                    agent_ids = self.agents.ids_of(probe)
                    # Every conversation near the record is scored without words; only those classify can list
                    # are explained (the same result as explaining them all: core.correlate.score.shortlist).
                    quiet = list(zip(near, score_many(probe, near, spec, agent_ids), strict=True))
                    scored = [(c, score(probe, c, spec, agent_ids)) for c, _ in shortlist(quiet)]
                    self._write(classify(probe, scored, spec, input=name), disposition)
        finally:
            await window.aclose()
        self.summary.days = window.days_fetched
        self.summary.calls = {"analytics": self.search.calls, "users": self.agents.calls}

    async def _conversations(self, day: date, newest_first: bool) -> AsyncIterator[Candidate]:
        """The conversations that started on ``day`` (UTC) and pass the run's filters, oldest first (or newest
        first), page by page: one search, read as far as the window needs."""
        from wrapup_bridge.core.correlate import Candidate

        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        # The end is kept inside the day: whether Genesys counts an interval that ends on midnight as touching the
        # next day is UNSURE (the emulator reads the end as exclusive), and a millisecond short costs nothing.
        end = start + timedelta(days=1) - timedelta(milliseconds=1)
        async with aclosing(
            self.search.conversations(
                start,
                end,
                segment_filters=self._filters(),
                api=self.api,
                start_of_day=self.api == "jobs",
                order="desc" if newest_first else "asc",
            )
        ) as conversations:
            async for conversation in conversations:
                try:
                    candidate = Candidate.from_analytics(conversation, self.spec.default_country)
                except ValueError:
                    self.malformed += 1
                    continue
                if candidate.start.astimezone(UTC).date() == day:
                    self.summary.conversations += 1
                    # Their agents are looked up before the next record is scored (100 a call, each user once).
                    self._unlearned.append(candidate)
                    yield candidate

    def _filters(self) -> list[dict[str, Any]] | None:
        from wrapup_bridge.genesys.details_search import media_filter, phone_filter

        if not self.options.narrow:
            return None
        filters: list[dict[str, Any]] = []
        if self.media and not self.media_unknown:
            filters.append(media_filter(*sorted(self.media)))
        if 0 < len(self.dnis) <= NARROW_DNIS_MAX and not self.dnis_unknown:
            filters.append(phone_filter("dnis", sorted(self.dnis)))
        return filters or None

    def _write(self, correlation: Correlation, disposition: Any) -> None:
        from wrapup_bridge.core.correlate import CorrelationStatus

        self.writer.write(correlation)
        self.summary.counts[correlation.status.value] += 1
        if correlation.status is not CorrelationStatus.MATCHED:
            self.dead.write(correlation, disposition.to_json_dict())
        if self.progress is not None:
            self.progress.advance(1, correlation.status.value)

    def _invalid(self, source: str, name: str | None, raw: Any, item: Any) -> None:
        from wrapup_bridge.core.correlate import Correlation, CorrelationStatus

        details = getattr(item, "details", {}) or {}
        # Where the adapter read it: AdapterError.to_json_dict()["record"] is text ("line 12"), never a number.
        position = re.match(r"line (\d+)\b", str(details.get("record") or ""))
        correlation = Correlation(
            source=str(details.get("source") or source or "unknown"),
            source_id="",
            status=CorrelationStatus.INVALID,
            evidence=str(getattr(item, "message", item)),
            input=name,
            line=int(position[1]) if position and int(position[1]) >= 1 else None,
        )
        self.writer.write(correlation)
        self.summary.counts[CorrelationStatus.INVALID.value] += 1
        self.dead.write(correlation, None, raw=details or raw)
        if self.progress is not None:
            self.progress.advance(1, CorrelationStatus.INVALID.value)
