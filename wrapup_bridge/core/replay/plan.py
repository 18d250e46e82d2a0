"""The replay plan: what would be written, reviewed before anything is.

A plan is JSON lines: a header, one line per legacy record, and a summary line. The header pins what the plan
was made from (the mapping table's sha256, a fingerprint of the org's wrap-up catalog, each input's sha256, the
options), so ``replay apply`` can refuse a plan that no longer matches the world ("the plan is stale"), as a saved
Terraform plan does. The summary line closes the file; a plan without it was cut short and is refused.

Each item carries a deterministic ``key`` (sha256 over source, source id, conversation and code id), the
idempotency key of its write: two runs over the same input produce the same keys, a record repeated in the input
is planned once, and the ledger records keys, so nothing is applied twice.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wrapup_bridge.core.decision import Decision
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.outcome import WrapupTarget

__all__ = [
    "Action",
    "InputFingerprint",
    "PlanError",
    "PlanHeader",
    "PlanItem",
    "PlanSummary",
    "PlanWriter",
    "file_sha256",
    "item_key",
    "new_header",
    "read_plan",
    "resolve_beside",
]

PLAN_KIND = "wrapup-bridge-plan"


class PlanError(ValueError):
    """A plan file cannot be used: unreadable, cut short, or not a plan; says which line."""


class Action(StrEnum):
    """What ``apply`` will do with an item; only ``write`` (and ``overwrite``) items call Genesys to write."""

    WRITE = "write"  #: apply the code
    OVERWRITE = "overwrite"  #: replace another code already there (only when asked)
    REPLACE_SYSTEM_CODE = "replace-system-code"  #: replace a code Genesys stamped itself (ININ-*): no agent chose it
    WAIT = "wait"  #: nobody has finished handling the conversation yet; apply looks again, then writes or retries
    ALREADY_APPLIED = "already-applied"  #: the code is already there
    CONFLICT = "conflict"  #: another code is already there and overwrite was not asked
    SKIP = "skip"  #: the mapping deliberately leaves it alone
    UNMAPPED = "unmapped"  #: the mapping has no code for it
    NO_TARGET = "no-target"  #: no conversation id, no such conversation, or no agent participant
    REJECTED = "rejected"  #: a check before writing failed (code unknown, not allowed on the queue)
    INVALID = "invalid"  #: the legacy record could not be read
    DUPLICATE = "duplicate"  #: the same write is already planned earlier in this plan

    @property
    def writes(self) -> bool:
        """Items ``apply`` sends through the write path (which looks at the participant again first)."""
        return self in (Action.WRITE, Action.OVERWRITE, Action.REPLACE_SYSTEM_CODE, Action.WAIT)


class InputFingerprint(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str
    sha256: str
    bytes: int


class PlanHeader(BaseModel):
    """What the plan was made from; ``apply`` compares it with the world before writing."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["wrapup-bridge-plan"] = "wrapup-bridge-plan"
    version: Literal[1] = 1
    plan_id: str
    created_at: datetime
    source: str
    mapping_path: str
    mapping_sha256: str
    catalog_fingerprint: str | None = None
    target: str = Field(description="What the plan was made against (Genesys region or the emulator)")
    #: The identity of that target (``genesys <api base> client <id>`` or ``emulator <org file>``): apply refuses
    #: another one unless told to retarget. None in plans made before it was recorded.
    target_id: str | None = None
    inputs: list[InputFingerprint] = Field(default_factory=list)
    options: dict[str, Any] = Field(default_factory=dict)


class PlanItem(BaseModel):
    """One legacy record, its decision, and the write (or non-write) planned for it."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["item"] = "item"
    n: int
    key: str
    action: Action
    reason: str
    input: str | None = None
    position: str | None = None
    record: Disposition | None = None
    raw: Any = None  #: the unreadable record (action invalid), as the adapter saw it
    decision: Decision | None = None
    target: WrapupTarget | None = None


class PlanSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["summary"] = "summary"
    items: int
    actions: dict[str, int]
    codes: dict[str, int] = Field(default_factory=dict, description="Planned writes per Genesys code name")
    top_unmapped: list[tuple[str, int]] = Field(default_factory=list)


def item_key(record: Disposition | None, code_id: str | None, *, fallback: str = "") -> str:
    """The idempotency key of a planned write: stable across runs for the same record and code."""
    parts = (
        [record.source, record.source_id, record.conversation_id or "", code_id or ""]
        if record is not None
        else [fallback]
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def file_sha256(path: str | Path) -> InputFingerprint:
    """sha256 of a file, streamed (exports can be gigabytes)."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return InputFingerprint(path=str(path), sha256=digest.hexdigest(), bytes=size)


class PlanWriter:
    """Writes a plan as it is made (streaming: the plan of a million records never sits in memory)."""

    def __init__(self, path: str | Path, header: PlanHeader) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._partial = self.path.with_name(self.path.name + ".partial")
        self._handle: IO[str] = self._partial.open("w", encoding="utf-8")
        self._write(header.model_dump(mode="json"))
        self.header = header
        self.actions: Counter[str] = Counter()
        self.codes: Counter[str] = Counter()
        self.unmapped: Counter[str] = Counter()
        self.items = 0

    def _write(self, data: dict[str, Any]) -> None:
        self._handle.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")

    def add(self, item: PlanItem) -> None:
        self._write(item.model_dump(mode="json", exclude_none=True))
        self.items += 1
        self.actions[item.action.value] += 1
        if item.action.writes and item.decision is not None and item.decision.code is not None:
            self.codes[item.decision.code.name] += 1
        if item.action is Action.UNMAPPED and item.record is not None:
            self.unmapped[item.record.code] += 1

    def close(self) -> PlanSummary:
        """Write the summary line and move the plan into place atomically (no half plan under the real name)."""
        summary = PlanSummary(
            items=self.items,
            actions=dict(self.actions),
            codes=dict(self.codes),
            top_unmapped=self.unmapped.most_common(10),
        )
        self._write(summary.model_dump(mode="json"))
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        os.replace(self._partial, self.path)
        return summary

    def abort(self) -> None:
        self._handle.close()
        self._partial.unlink(missing_ok=True)


def resolve_beside(plan: str | Path, path: str) -> Path:
    """A path a plan names (its mapping table, an input), as written when absolute, else relative to the plan's
    folder: a plan applied from another folder still finds what it was made from."""
    candidate = Path(path)
    return candidate if candidate.is_absolute() else Path(plan).parent / candidate


def read_plan(path: str | Path) -> tuple[PlanHeader, Iterator[PlanItem], PlanSummary]:
    """Open a plan: its header and summary are read and checked now; items stream from the iterator."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as handle:
            first = handle.readline()
            last = ""
            for line in handle:
                if line.strip():
                    last = line
    except OSError as exc:
        raise PlanError(f"{path}: cannot read the plan: {exc.strerror or exc}") from None
    try:
        header = PlanHeader.model_validate_json(first)
    except ValidationError:
        raise PlanError(f"{path}:1: not a wrapup-bridge plan (the first line is not a plan header)") from None
    try:
        summary = PlanSummary.model_validate_json(last)
    except ValidationError:
        raise PlanError(f"{path}: the plan has no summary line: it was cut short; make it again") from None

    def items() -> Iterator[PlanItem]:
        with path.open(encoding="utf-8") as handle:
            handle.readline()
            for line_no, line in enumerate(handle, start=2):
                if not line.strip():
                    continue
                data = json.loads(line)
                if data.get("kind") == "summary":
                    return
                try:
                    yield PlanItem.model_validate(data)
                except ValidationError as exc:
                    raise PlanError(f"{path}:{line_no}: not a plan item: {exc.errors()[0]['msg']}") from None

    return header, items(), summary


def new_header(**fields: Any) -> PlanHeader:
    """A header with a fresh plan id and the creation time filled in."""
    import uuid

    return PlanHeader(plan_id=str(uuid.uuid4()), created_at=datetime.now(UTC), **fields)
