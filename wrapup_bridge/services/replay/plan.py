"""Planning a replay: legacy records -> a reviewable plan file, checked against the org, nothing written to it.

Each record gets its mapping decision and the write it would get (or why not: unmapped, no agent, another code
there, unreadable), looked up in batches. The plan pins what it was made from (the mapping table and each input
by sha256, the org's code catalog, the target), so applying it later can tell when the world moved on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from wrapup_bridge.services.replay.errors import ReplayError, TargetFailed
from wrapup_bridge.services.replay.options import PlanOptions

if TYPE_CHECKING:
    from wrapup_bridge.adapters import Adapter, AdapterOptions
    from wrapup_bridge.core.mapping import MappingTable
    from wrapup_bridge.core.replay.pipeline import SourceRecord
    from wrapup_bridge.core.replay.plan import PlanSummary
    from wrapup_bridge.services.replay.progress import Progress
    from wrapup_bridge.services.target import Connection

__all__ = ["plan_from_records", "source_records", "target_answers"]

#: What is left when planning stops: nothing, by design (the plan file is only kept once complete).
NOTHING_LEFT = "Nothing was written to the target and no plan was made; run the same command again once this is fixed."


def source_records(source: str, options: AdapterOptions, inputs: Iterable[str]) -> Iterator[SourceRecord]:
    """The records of ``inputs`` as a plan reads them: unreadable ones become ``Invalid`` items, kept in the plan
    (and later the dead letters) with their raw text, never lost. The adapter is built now, so options it cannot
    take (``OptionError``) are known before any target is asked anything."""
    from wrapup_bridge.services.inputs import build_adapter

    return _records(build_adapter(source, options), inputs, options.encoding)


def _records(adapter: Adapter, inputs: Iterable[str], encoding: str | None) -> Iterator[SourceRecord]:
    from wrapup_bridge.core.disposition import Disposition
    from wrapup_bridge.core.replay.pipeline import Invalid
    from wrapup_bridge.services.inputs import read_inputs

    for name, result in read_inputs(adapter, inputs, encoding=encoding):
        if isinstance(result, Disposition):
            yield name, None, result
        else:
            yield name, result.record, Invalid(str(result), raw=result.raw, details=result.to_json_dict())


@contextmanager
def target_answers(target: str, left: Callable[[], str]) -> Iterator[None]:
    """A target that refuses or does not answer, met inside, becomes ``TargetFailed`` (``left``: what was left)."""
    from wrapup_bridge.core.replay.pipeline import TargetError
    from wrapup_bridge.genesys.errors import GenesysError

    try:
        yield
    except (GenesysError, TargetError) as exc:
        raise TargetFailed(exc, target, left()) from exc


async def plan_from_records(
    records: Iterable[SourceRecord],
    *,
    table: MappingTable,
    connection: Connection,
    out: Path,
    source: str,
    inputs: Sequence[str],
    options: PlanOptions | None = None,
    batch_size: int = 50,
    progress: Progress | None = None,
    pin_inputs: bool = True,
    correlation: str | Path | None = None,
) -> PlanSummary:
    """Make the plan ``out`` of ``records`` (``source_records``) for the target of ``connection``.

    ``pin_inputs``: record each input's sha256, so a changed input makes the plan stale. ``correlation``: a
    reviewed ``wrapup-bridge correlate`` file whose ``matched`` rows give records without a conversation id theirs
    (pinned like an input; ``CorrelationFileError`` names a bad row's file, line and field). Raises ``TargetFailed``
    when the target refuses or does not answer, ``ReplayError`` when ``out`` cannot be written or an input cannot
    be read; what reading the records raises passes through. Whatever stops it, no plan is left behind and nothing
    was written to the target."""
    from wrapup_bridge.core.replay.pipeline import make_plan
    from wrapup_bridge.core.replay.plan import PlanWriter, file_sha256, new_header
    from wrapup_bridge.genesys.replay import GenesysReplayBackend
    from wrapup_bridge.services.inputs import InputError

    options = options or PlanOptions()
    correlated = None
    if correlation is not None:
        from wrapup_bridge.services.replay.correlation import Correlated, load_correlation

        correlated = Correlated(load_correlation(correlation))
        records = correlated.records(records)
    backend = GenesysReplayBackend(
        connection.client,
        description=connection.description,
        options=options.apply_options(),
        batch_size=batch_size,
        agent_directory=table.agents,
    )
    try:
        pinned = [*inputs, *([str(correlation)] if correlation is not None else [])]
        fingerprints = [file_sha256(Path(i).resolve()) for i in pinned if i != "-"] if pin_inputs else []
    except OSError as exc:
        raise ReplayError(f"cannot read an input to fingerprint it: {exc.strerror or exc} ({exc.filename})") from exc
    with target_answers(connection.description, lambda: NOTHING_LEFT):
        header = new_header(
            source=source,
            mapping_path=str(Path(table.name).resolve()),
            mapping_sha256=table.sha256,
            catalog_fingerprint=await backend.catalog_fingerprint(),
            target=connection.description,
            target_id=connection.identity or None,
            inputs=fingerprints,
            options=options.to_dict(),
        )
    try:
        writer = PlanWriter(out, header)
    except OSError as exc:
        raise ReplayError(f"cannot write the plan to {out}: {exc.strerror or exc}. {NOTHING_LEFT}") from exc
    if progress is not None:
        progress.start("planning", None)
    try:
        with target_answers(connection.description, lambda: NOTHING_LEFT):
            await make_plan(
                records,
                table,
                backend,
                writer,
                batch_size=batch_size,
                overwrite=options.overwrite,
                keep_system_codes=options.system_codes == "keep",
                progress=(lambda n: progress.advance()) if progress is not None else None,
                missing_id_reason=correlated.reason if correlated is not None else None,
            )
    except InputError:  # an input that cannot be opened: the caller's to explain, as any reading error
        writer.abort()
        raise
    except OSError as exc:  # the plan being written, or an input being read
        writer.abort()
        where = f"{exc.filename}: " if exc.filename else ""
        raise ReplayError(f"cannot make the plan {out}: {where}{exc.strerror or exc}. {NOTHING_LEFT}") from exc
    except BaseException:
        writer.abort()
        raise
    finally:
        if progress is not None:
            progress.stop()
    try:
        return writer.close()
    except OSError as exc:
        writer.abort()
        raise ReplayError(f"cannot write the plan to {out}: {exc.strerror or exc}. {NOTHING_LEFT}") from exc
