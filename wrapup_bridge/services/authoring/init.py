"""``mapping init`` as library code: a history and the org's codes in, a proposed mapping table (text) out.

An operations lead starting a migration has a legacy export and a Genesys org, and no table yet. This job reads the
history once, through the same adapters as ``normalize`` and the review (any ``services.review.History``: export
files read by ``InputHistory``), counting each legacy value (``core.authoring.propose.Tally``: memory grows with the
distinct values, not the records), proposes one rule per value from the org's codes (``propose``: the closest name
with its confidence, a skip for records that carry no outcome, a TODO where nothing is close) and writes them as a
table (``render``). Nothing is applied and nothing is sent anywhere: the text is for a person to review, and it
loads as a valid table (checked here: the job loads its own output back with the real loader), so ``mapping
validate``, ``check`` and ``coverage`` run on it at once. The same history, codes and settings give the same bytes.

With a reference table (``compare``), each record is also resolved by that table as it is read, and the result says
how many records the proposal decides alike (``core.authoring.compare``): how ``--compare`` measures a proposal
against a table people reviewed.

``extend_table`` is ``--extend``: the history is read against a reviewed table instead, and only the values whose
records no rule of it decides are proposed, added to the table's own text and proven safe
(``core.authoring.extend``): a later wave of exports, brought under a table people already reviewed.

The org's codes come as a ``core.review.OrgCatalog`` (``services.catalog``: a ``catalog export`` snapshot or the
org read now); the synonyms list is the shipped ``wrapup_bridge/data/synonyms.yaml`` unless another is named.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wrapup_bridge.core.authoring.propose import DEFAULT_MAX_VALUES, DEFAULT_MIN_CONFIDENCE, Proposal, Tally, propose
from wrapup_bridge.core.authoring.render import TableContext, render_table
from wrapup_bridge.core.authoring.similarity import THRESHOLD, Synonyms

if TYPE_CHECKING:
    from wrapup_bridge.adapters import AdapterOptions
    from wrapup_bridge.core.authoring.compare import Comparison
    from wrapup_bridge.core.authoring.extend import Extension
    from wrapup_bridge.core.mapping import MappingTable
    from wrapup_bridge.core.review import OrgCatalog
    from wrapup_bridge.services.review import History

__all__ = [
    "ExtendResult",
    "InitResult",
    "extend_table",
    "load_synonyms",
    "propose_table",
    "shipped_synonyms",
    "source_settings",
]

LABELS = ("code-high", "code-low", "skip", "todo")


def shipped_synonyms() -> Path:
    """The reviewed synonyms list shipped with the package."""
    from wrapup_bridge.data import shipped

    return shipped("synonyms.yaml")


def load_synonyms(path: str | Path | None = None) -> Synonyms:
    """The synonyms list at ``path`` (the shipped one when None). A file that cannot be used is an
    ``services.inputs.OptionError`` naming it, and the line when it can."""
    from wrapup_bridge.core.yamlsource import locate_yaml
    from wrapup_bridge.services.inputs import OptionError

    file = Path(path) if path is not None else shipped_synonyms()
    name = str(path) if path is not None else "synonyms.yaml (shipped)"
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OptionError(f"synonyms file {name!r} is not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise OptionError(f"cannot read the synonyms file {name!r}: {exc.strerror or exc}") from None
    import yaml

    try:
        located = locate_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise OptionError(f"synonyms file {name}{line}: not YAML: {getattr(exc, 'problem', None) or exc}") from None
    except ValueError as exc:  # nesting past the bound
        raise OptionError(f"synonyms file {name}: {exc}") from None
    if located.problems:
        problem = located.problems[0]
        raise OptionError(f"{name}:{problem.line}: {problem.message}")
    try:
        return Synonyms.from_data(located.value, name=name, line_of=located.line_of)
    except ValueError as exc:
        raise OptionError(str(exc)) from None


@dataclass(frozen=True)
class InitResult:
    """A proposed table: its text, the table it loads as, the proposals (most frequent value first), what was read,
    and the comparison with the reference table when one was given."""

    text: str
    table: MappingTable
    proposals: tuple[Proposal, ...]
    inputs: tuple[str, ...]
    records: int
    rejected: int
    untracked: int
    catalog: str
    comparison: Comparison | None = None

    @property
    def counts(self) -> dict[str, int]:
        """Proposals by kind: ``code-high``, ``code-low``, ``skip``, ``todo``."""
        return _label_counts(self.proposals)

    @property
    def record_counts(self) -> dict[str, int]:
        """Records by the kind of their value's proposal (records of untracked values are under ``todo``)."""
        counts = dict.fromkeys(LABELS, 0)
        for proposal in self.proposals:
            counts[proposal.label] += proposal.value.count
        counts["todo"] += self.untracked
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "inputs": list(self.inputs),
            "records": self.records,
            "rejected": self.rejected,
            "untracked_records": self.untracked,
            "distinct_values": len(self.proposals),
            "catalog": self.catalog,
            "proposals": self.counts,
            "records_by_proposal": self.record_counts,
            "values": _values(self.proposals),
            "comparison": self.comparison.to_dict() if self.comparison is not None else None,
        }


def _label_counts(proposals: tuple[Proposal, ...]) -> dict[str, int]:
    counts = dict.fromkeys(LABELS, 0)
    for proposal in proposals:
        counts[proposal.label] += 1
    return counts


def _check_min_confidence(min_confidence: float) -> None:
    if not 0.0 <= min_confidence <= 1.0:
        raise ValueError(f"min_confidence must be between 0 and 1, got {min_confidence}")


def _values(proposals: tuple[Proposal, ...]) -> list[dict[str, Any]]:
    """The proposals as the JSON summary lists them."""
    return [
        {
            "value": p.value.display,
            "normalized": p.value.base,
            "signal": (
                {"field": p.value.signal.field, "values": list(p.value.signal.values)}
                if p.value.signal is not None
                else None
            ),
            "records": p.value.count,
            "spellings": [{"raw": raw, "count": n} for raw, n in p.value.spellings],
            "proposal": p.label,
            "code": {"id": p.code.id, "name": p.code.name} if p.code is not None else None,
            "confidence": round(p.confidence, 4),
            "reason": p.reason,
            "candidates": [
                {"id": c.code.id, "name": c.code.name, "confidence": round(c.confidence, 4)} for c in p.candidates
            ],
        }
        for p in proposals
    ]


def propose_table(
    history: History,
    catalog: OrgCatalog,
    *,
    platform: str | None,
    synonyms: Synonyms | None = None,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    source: Mapping[str, Any] | None = None,
    compare: MappingTable | None = None,
    max_values: int = DEFAULT_MAX_VALUES,
    name: str = "<proposed table>",
    synonyms_name: str = "",
) -> InitResult:
    """Read ``history`` once and propose a table from ``catalog``'s codes (see the module docstring).

    ``platform`` and ``source`` (further ``source:`` settings: format, fields, catalog ...) are written in the
    table's ``source:`` so it reads the same exports; ``name`` is what the loaded table is called (the output
    file). Reading raises what the history raises (``services.inputs`` errors); ``ValueError`` for a
    ``min_confidence`` outside [0, 1]."""
    from wrapup_bridge.core.authoring.compare import Agreement
    from wrapup_bridge.core.mapping import MappingTable, MappingTableError

    _check_min_confidence(min_confidence)
    tally = Tally(max_values=max_values)
    agreement = Agreement(compare) if compare is not None else None
    for record in history:
        key = tally.add(record)
        if agreement is not None:
            agreement.add(key, record)
    proposals = propose(tally.values(), catalog.codes.values(), synonyms, min_confidence=min_confidence)
    context = TableContext(
        platform=platform,
        inputs=tuple(history.inputs),
        records=tally.records,
        rejected=history.rejected,
        untracked=tally.untracked,
        catalog=catalog.source,
        fingerprint=catalog.fingerprint or None,
        min_confidence=max(min_confidence, THRESHOLD),
        synonyms=synonyms_name,
        source=dict(source or {}),
    )
    text = render_table(proposals, context)
    try:
        table = MappingTable.from_text(text, name=name)
    except MappingTableError as exc:  # a bug in render: never hand a person a table that does not load
        raise RuntimeError(f"mapping init wrote a table that does not load:\n{exc}") from exc
    comparison = agreement.against(table) if agreement is not None else None
    return InitResult(
        text=text,
        table=table,
        proposals=tuple(proposals),
        inputs=tuple(history.inputs),
        records=tally.records,
        rejected=history.rejected,
        untracked=tally.untracked,
        catalog=catalog.source,
        comparison=comparison,
    )


def source_settings(options: AdapterOptions, *, relative_to: Path | None = None) -> dict[str, Any]:
    """A table's ``source:`` settings (beyond ``platform``) that read the exports as ``options`` did: the format,
    conversation id place, field map, times, region, encoding, and the adapter's side file, written relative to
    ``relative_to`` (the proposed table's folder; as given when None), as a table's ``catalog`` is read."""
    import os

    settings: dict[str, Any] = {}
    if options.format:
        settings["format"] = options.format
    if options.conversation_id_field:
        settings["conversation_id"] = options.conversation_id_field
    if options.fields.places:
        settings["fields"] = {k: v[0] if len(v) == 1 else list(v) for k, v in options.fields.places.items()}
    for name in ("timezone", "time_format", "date_order", "region"):
        value = getattr(options, name)
        if value is not None:
            settings[name] = str(value)
    if options.catalog:
        catalog = options.catalog
        if relative_to is not None:
            catalog = os.path.relpath(Path(catalog).resolve(), relative_to.resolve())
        settings["catalog"] = Path(catalog).as_posix()
    if options.encoding:
        settings["encoding"] = options.encoding
    return settings


@dataclass(frozen=True)
class ExtendResult:
    """A reviewed table extended for a history: the new text (the old one when nothing was missing), the table it
    loads as, what was proposed and added, and what was read."""

    extension: Extension
    table: MappingTable
    proposals: tuple[Proposal, ...]  #: for every value with records no rule decided, most frequent first
    inputs: tuple[str, ...]
    records: int
    rejected: int
    decided: int  #: records a rule of the table decided (left as they are)
    untracked: int
    catalog: str

    @property
    def text(self) -> str:
        return self.extension.text

    @property
    def changed(self) -> bool:
        return self.extension.changed

    @property
    def missing(self) -> int:
        """Records no rule of the table decided."""
        return self.records - self.decided

    @property
    def counts(self) -> dict[str, int]:
        """Proposals by kind: ``code-high``, ``code-low``, ``skip``, ``todo``."""
        return _label_counts(self.proposals)

    def to_dict(self) -> dict[str, Any]:
        extension = self.extension
        return {
            "table": self.table.name,
            "changed": self.changed,
            "inputs": list(self.inputs),
            "records": self.records,
            "rejected": self.rejected,
            "decided_by_rules": self.decided,
            "no_rule_records": self.missing,
            "untracked_records": self.untracked,
            "distinct_values": len(self.proposals),
            "catalog": self.catalog,
            "proposals": self.counts,
            "rules_added": len(extension.rules),
            "todo_listed": len(extension.todo),
            "todo_listed_before": [p.value.label for p in extension.todo_listed_before],
            "codes_added": [{"alias": a, "id": c.id, "name": c.name} for a, c in extension.codes_added],
            "codes_reused": [{"alias": a, "id": c.id, "name": c.name} for a, c in extension.codes_reused],
            "values": _values(self.proposals),
        }


def extend_table(
    history: History,
    catalog: OrgCatalog,
    *,
    text: str,
    name: str,
    platform: str | None,
    synonyms: Synonyms | None = None,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    max_values: int = DEFAULT_MAX_VALUES,
) -> ExtendResult:
    """Read ``history`` once against the reviewed table ``text`` (its file's text exactly, named ``name``) and
    propose rules for the values no rule of it decides (see the module docstring). ``MappingTableError`` when the
    table does not load; ``core.authoring.extend.ExtendRefused`` (nothing to write) when it cannot be extended
    safely; reading raises what the history raises."""
    from wrapup_bridge.core.authoring.extend import ExtendContext, Missing, extend_text, prove
    from wrapup_bridge.core.mapping import MappingTable

    _check_min_confidence(min_confidence)
    table = MappingTable.from_text(text.removeprefix("\ufeff"), name=name)
    missing = Missing(table, max_values=max_values)
    for record in history:
        missing.add(record)
    proposals = propose(missing.tally.values(), catalog.codes.values(), synonyms, min_confidence=min_confidence)
    context = ExtendContext(
        platform=platform,
        inputs=tuple(history.inputs),
        records=missing.records,
        rejected=history.rejected,
        catalog=catalog.source,
        fingerprint=catalog.fingerprint or None,
        min_confidence=max(min_confidence, THRESHOLD),
    )
    extension = extend_text(text, name=name, table=table, missing=missing, proposals=proposals, context=context)
    extended = prove(extension, name=name, table=table, missing=missing) if extension.changed else table
    return ExtendResult(
        extension=extension,
        table=extended,
        proposals=tuple(proposals),
        inputs=tuple(history.inputs),
        records=missing.records,
        rejected=history.rejected,
        decided=missing.decided,
        untracked=missing.tally.untracked,
        catalog=catalog.source,
    )
