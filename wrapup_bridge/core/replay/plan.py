"""The replay plan: what would be written, reviewed before anything is.

A plan is JSON lines: a header, one line per legacy record, and a summary line. The header pins what the plan
was made from (the mapping table's sha256, a fingerprint of the org's wrap-up catalog, each input's sha256, the
options), so ``replay apply`` can refuse a plan that no longer matches the world ("the plan is stale"), as a saved
Terraform plan does. The summary line closes the file; a plan without it was cut short and is refused.

Each item carries a deterministic ``key`` (sha256 over source, source id, conversation and code id), the
idempotency key of its write: two runs over the same input produce the same keys, a record repeated in the input
is planned once, and the ledger records keys, so nothing is applied twice.

Plans are reviewed, so they can be edited by hand, and copied, so they can be damaged. Since version 2 every line
ends with a ``check``: a digest over the line's content, keyed for items with the plan id and the mapping's sha256
(so an item is bound to its plan and to the table that decided it). ``read_plan`` refuses a damaged file (not
UTF-8, not JSON, nested absurdly deep, not a plan line, a summary before the end, a header edited) with file and
line before anything is applied, and marks each item whose check no longer matches; ``replay apply`` refuses such
items one by one (see ``verify``). Version 1 plans (no checks) stay readable.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, BinaryIO, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wrapup_bridge.core.clock import utc_now
from wrapup_bridge.core.decision import Decision
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.errors import WrapupBridgeError
from wrapup_bridge.core.limits import MAX_NESTING, NestingError, loads_json
from wrapup_bridge.core.outcome import WrapupTarget

__all__ = [
    "Action",
    "InputFingerprint",
    "PlanError",
    "PlanFile",
    "PlanHeader",
    "PlanItem",
    "PlanSummary",
    "PlanWriter",
    "file_sha256",
    "item_key",
    "new_header",
    "open_plan",
    "read_plan",
    "resolve_beside",
]

PLAN_KIND = "wrapup-bridge-plan"
#: The version ``PlanWriter`` writes: 2 adds a ``check`` to every line.
PLAN_VERSION: Literal[2] = 2
#: Longest plan line read (a line holds one record; anything longer is not a plan line, and is not read whole).
MAX_LINE_BYTES = 32 << 20
#: Items embed records the adapters bounded at ``MAX_NESTING``, a few levels down.
_PLAN_NESTING = MAX_NESTING + 8
_CHECK_MARK = ',"check":"'
_CHECK_LEN = 32


class PlanError(WrapupBridgeError, ValueError):
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
    version: Literal[1, 2] = PLAN_VERSION
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
    #: Digest of the header line (version 2); written by ``PlanWriter``, checked by ``read_plan``.
    check: str | None = None

    @property
    def seal(self) -> bytes:
        """What item checks are keyed with: an item belongs to this plan and to the table that decided it."""
        return f"wrapup-bridge-plan item\n{self.plan_id}\n{self.mapping_sha256}\n".encode()


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
    #: Digest of the item's line keyed with the plan's seal (version 2); written by ``PlanWriter``.
    check: str | None = None
    #: What ``read_plan`` found comparing ``check`` with the line (see ``sealed``); a class of its own for each
    #: answer, so reading a million items pays nothing per item for it.
    seal_state: ClassVar[bool | None] = None

    @property
    def sealed(self) -> bool | None:
        """True: the line matches its check; False: it does not (or has none, in a version 2 plan); None: a
        version 1 plan, nothing to compare."""
        return self.seal_state


class _MatchingItem(PlanItem):
    """An item read from a version 2 plan whose line matches its check."""

    seal_state: ClassVar[bool | None] = True


class _EditedItem(PlanItem):
    """An item read from a version 2 plan whose line no longer matches its check."""

    seal_state: ClassVar[bool | None] = False


class PlanSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["summary"] = "summary"
    items: int
    actions: dict[str, int]
    codes: dict[str, int] = Field(default_factory=dict, description="Planned writes per Genesys code name")
    top_unmapped: list[tuple[str, int]] = Field(default_factory=list)
    check: str | None = None


def item_key(record: Disposition | None, code_id: str | None, *, fallback: str = "") -> str:
    """The idempotency key of a planned write: stable across runs for the same record and code."""
    parts = (
        [record.source, record.source_id, record.conversation_id or "", code_id or ""]
        if record is not None
        else [fallback]
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


_HEADER_SEAL = b"wrapup-bridge-plan header\n"


def line_check(seal: bytes, body: str) -> str:
    """The check of one plan line: a digest of its JSON text without the check, keyed with ``seal``."""
    return hashlib.sha256(seal + body.encode("utf-8")).hexdigest()[:_CHECK_LEN]


def _sealed_line(data: dict[str, Any], seal: bytes) -> str:
    """The line for ``data`` (a dict without ``check``), its check appended as the last member."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f'{body[:-1]}{_CHECK_MARK}{line_check(seal, body)}"}}'


def _check_holds(text: str, data: dict[str, Any], seal: bytes) -> bool:
    """Does the line's ``check`` match its content? Cheap when the line is as written (the check is the last
    member: hash the text before it); otherwise (reformatted by hand) the parsed content is serialized as the
    writer did, so only a change of content (or of the order of keys) fails."""
    check = data.get("check")
    if not isinstance(check, str):
        return False
    tail = len(_CHECK_MARK) + _CHECK_LEN + 2
    as_written = len(text) > tail and text.endswith('"}') and text[-tail : -tail + len(_CHECK_MARK)] == _CHECK_MARK
    if as_written and line_check(seal, text[:-tail] + "}") == check:
        return True
    body = json.dumps({k: v for k, v in data.items() if k != "check"}, ensure_ascii=False, separators=(",", ":"))
    return line_check(seal, body) == check


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
        self.sealed = header.version >= 2
        if self.sealed:
            self._handle.write(_sealed_line(header.model_dump(mode="json", exclude={"check"}), _HEADER_SEAL) + "\n")
        else:
            self._write(header.model_dump(mode="json", exclude={"check"}))
        self.header = header
        self._seal = header.seal
        self.actions: Counter[str] = Counter()
        self.codes: Counter[str] = Counter()
        self.unmapped: Counter[str] = Counter()
        self.items = 0

    def _write(self, data: dict[str, Any]) -> None:
        self._handle.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")

    def add(self, item: PlanItem) -> None:
        data = item.model_dump(mode="json", exclude_none=True, exclude={"check"})
        if self.sealed:
            self._handle.write(_sealed_line(data, self._seal) + "\n")
        else:
            self._write(data)
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
        data = summary.model_dump(mode="json", exclude={"check"})
        if self.sealed:
            self._handle.write(_sealed_line(data, self._seal) + "\n")
        else:
            self._write(data)
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


def _error_text(exc: ValidationError) -> str:
    errors = exc.errors()
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"])
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{more}" if where else f"{first['msg']}{more}"


def _lines(handle: BinaryIO, path: Path, first: int) -> Iterator[tuple[int, bytes]]:
    """``(line number, bytes)`` of each non-blank line from line ``first`` on, never reading more than
    ``MAX_LINE_BYTES`` at once."""
    number = first - 1
    while True:
        raw = handle.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            raise PlanError(
                f"{path}:{number}: a line longer than {MAX_LINE_BYTES >> 20} MiB: not a plan line (the file is damaged "
                "or is not a plan)"
            )
        if raw.strip():
            yield number, raw


class _Unreadable(ValueError):
    """Why one line is not a JSON object (the caller says which file and line, and what that means there).

    Private: caught in this module and raised again as a ``PlanError`` naming the file and line."""


def _parse(raw: bytes) -> tuple[str, dict[str, Any]]:
    """The line's text and its JSON object."""
    try:
        text = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise _Unreadable(f"not UTF-8 text (byte {exc.start + 1} of the line)") from None
    try:
        data = loads_json(text, _PLAN_NESTING)
    except NestingError as exc:  # before JSONDecodeError: the nesting error is one too
        raise _Unreadable(f"not a plan line: {exc}") from None
    except json.JSONDecodeError as exc:
        raise _Unreadable(f"not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise _Unreadable(f"a JSON {type(data).__name__}, not an object")
    return text, data


class PlanFile:
    """An open plan: header and summary read and checked, every line between them checked once (``check_items``),
    items streamed from ``items()`` (a plan of a million records never sits in memory)."""

    def __init__(self, path: str | Path, *, check_items: bool = True) -> None:
        self.path = Path(path)
        #: Things a person should know about this plan that do not stop it being applied.
        self.warnings: list[str] = []
        self.item_lines = 0
        try:
            with self.path.open("rb") as handle:
                self.header = self._read_header(handle)
                self.summary = self._scan(handle, check_items)
        except OSError as exc:
            raise PlanError(f"{self.path}: cannot read the plan: {exc.strerror or exc}") from None
        if not self.sealed:
            self.warnings.append(
                f"{self.path}: made by an earlier wrapup-bridge (plan version 1, no checks on its lines): each item is "
                "re-derived from the mapping before it is written, but other hand edits cannot be detected; make the "
                "plan again to have every line checked"
            )
        if check_items and self.item_lines != self.summary.items:
            self.warnings.append(
                f"{self.path}: the plan holds {self.item_lines} item lines, its summary says {self.summary.items}: "
                "lines were added or removed after planning (each item is still checked before it is written, and a "
                "repeated one is written once)"
            )

    @property
    def sealed(self) -> bool:
        """Version 2: every line carries a check."""
        return self.header.version >= 2

    def _read_header(self, handle: BinaryIO) -> PlanHeader:
        not_a_plan = f"{self.path}:1: not a wrapup-bridge plan (the first line is not a plan header"
        raw = handle.readline(MAX_LINE_BYTES + 1)
        if not raw.strip():
            raise PlanError(f"{not_a_plan}: the file is empty or starts with a blank line)")
        if len(raw) > MAX_LINE_BYTES:
            raise PlanError(f"{not_a_plan}: it is longer than {MAX_LINE_BYTES >> 20} MiB)")
        try:
            text, data = _parse(raw)
        except _Unreadable as exc:
            raise PlanError(f"{not_a_plan}: {exc})") from None
        if data.get("kind") != PLAN_KIND:
            raise PlanError(f"{not_a_plan})")
        version = data.get("version")
        if isinstance(version, int) and version > PLAN_VERSION:
            raise PlanError(
                f"{self.path}:1: a plan of version {version}, made by a newer wrapup-bridge than this one (which reads "
                f"versions 1 to {PLAN_VERSION}): apply it with that version, or make the plan again with this one"
            )
        try:
            header = PlanHeader.model_validate(data)
        except ValidationError as exc:
            raise PlanError(f"{not_a_plan}: {_error_text(exc)})") from None
        if header.version >= 2 and not _check_holds(text, data, _HEADER_SEAL):
            raise PlanError(
                f"{self.path}:1: the plan header was edited after planning (it no longer matches its check): what the "
                "plan was made from is no longer known; make the plan again"
            )
        return header

    def _scan(self, handle: BinaryIO, check_items: bool) -> PlanSummary:
        """Every line after the header: items (checked when asked), and the summary, which must be the last."""
        last: tuple[int, bytes] | None = None
        for number, raw in _lines(handle, self.path, first=2):
            if last is not None:
                self.item_lines += 1
                if check_items:
                    self._item(*last)
            last = (number, raw)
        if last is None:
            raise PlanError(
                f"{self.path}:2: the plan has no summary line (nothing follows its header): it was cut short; make it "
                "again"
            )
        number, raw = last
        try:
            text, data = _parse(raw)
        except _Unreadable as exc:
            cut = "" if raw.endswith(b"\n") else ", cut in the middle"
            raise PlanError(
                f"{self.path}:{number}: the last line is {exc}{cut}, and the plan has no summary line: the file was cut "
                "short after it was made (plans are written whole and moved into place, so this is not an interrupted "
                "`replay plan`); make the plan again, or copy it whole"
            ) from None
        if data.get("kind") != "summary":
            raise PlanError(
                f"{self.path}:{number}: the plan has no summary line (the last line is not one): it was cut short, or "
                "lines were moved; make it again"
            )
        try:
            summary = PlanSummary.model_validate(data)
        except ValidationError as exc:
            raise PlanError(f"{self.path}:{number}: not a plan summary: {_error_text(exc)}") from None
        if self.sealed and not _check_holds(text, data, self.header.seal):
            raise PlanError(
                f"{self.path}:{number}: the summary line was edited after planning (it no longer matches its check); "
                "make the plan again"
            )
        return summary

    def _item(self, number: int, raw: bytes) -> PlanItem:
        try:
            text, data = _parse(raw)
        except _Unreadable as exc:
            raise PlanError(f"{self.path}:{number}: {exc}: the line is damaged; make the plan again") from None
        return self._item_from(number, text, data, compare=False)

    def _item_from(self, number: int, text: str, data: dict[str, Any], *, compare: bool = True) -> PlanItem:
        """The item of a line; ``compare``: its line compared with its check (an item whose line does not match
        is read all the same, and refused when applied)."""
        kind = data.get("kind")
        if kind != "item":
            if kind == "summary":
                raise PlanError(
                    f"{self.path}:{number}: a summary line before the end of the plan: lines were moved, or plans "
                    "were pasted together; make the plan again"
                )
            if kind == PLAN_KIND:
                raise PlanError(
                    f"{self.path}:{number}: a second plan header: plans were pasted together; apply each plan on its own"
                )
            raise PlanError(f"{self.path}:{number}: not a plan line (kind {kind!r}, not 'item')")
        model: type[PlanItem] = PlanItem
        if compare and self.sealed:
            model = _MatchingItem if _check_holds(text, data, self.header.seal) else _EditedItem
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise PlanError(f"{self.path}:{number}: not a plan item: {_error_text(exc)}") from None

    def items(self) -> Iterator[PlanItem]:
        """The items in file order. Every line was checked when the plan was opened; a line that cannot be read
        now (the file changed since) raises ``PlanError`` naming it."""
        try:
            with self.path.open("rb") as handle:
                handle.readline(MAX_LINE_BYTES + 1)
                for number, raw in _lines(handle, self.path, first=2):
                    try:
                        text, data = _parse(raw)
                    except _Unreadable as exc:
                        raise PlanError(
                            f"{self.path}:{number}: {exc} (the plan changed while it was applied)"
                        ) from None
                    if data.get("kind") == "summary":
                        return
                    yield self._item_from(number, text, data)
        except OSError as exc:
            raise PlanError(f"{self.path}: cannot read the plan: {exc.strerror or exc}") from None


def open_plan(path: str | Path, *, check_items: bool = True) -> PlanFile:
    """Open a plan, checking it whole (``check_items``) before anything is applied; ``PlanError`` names the line."""
    return PlanFile(path, check_items=check_items)


def read_plan(path: str | Path) -> tuple[PlanHeader, Iterator[PlanItem], PlanSummary]:
    """Open a plan: its header, summary and every line are read and checked now; items stream from the iterator."""
    plan = PlanFile(path)
    return plan.header, plan.items(), plan.summary


def new_header(**fields: Any) -> PlanHeader:
    """A header with a fresh plan id and the creation time filled in."""
    import uuid

    return PlanHeader(plan_id=str(uuid.uuid4()), created_at=utc_now(), **fields)
