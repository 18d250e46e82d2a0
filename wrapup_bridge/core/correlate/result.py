"""The correlation file: one row per legacy record, what it was matched to and why, for an ops lead to review.

``wrapup-bridge correlate`` writes it (CSV for spreadsheets, JSONL otherwise); a person may change it before
``replay plan --correlation`` reads it back: turn an ``ambiguous`` row into ``matched`` by filling in the
conversation id they chose, or delete rows. The reader therefore trusts nothing: every row is checked again and
a bad one is refused naming the file, the line and the field, never guessed at. A CSV cell that a spreadsheet
would run as a formula (``=``, ``+``, ``-``, ``@``) is written behind a ``'`` and read back without it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from wrapup_bridge.core.disposition import is_genesys_id
from wrapup_bridge.core.errors import WrapupBridgeError

__all__ = [
    "CSV_COLUMNS",
    "Correlation",
    "CorrelationFileError",
    "CorrelationIndex",
    "CorrelationStatus",
    "CorrelationWriter",
    "RankedCandidate",
    "read_correlations",
]

#: The CSV header, in order.
CSV_COLUMNS = (
    "source",
    "source_id",
    "status",
    "conversation_id",
    "score",
    "margin",
    "evidence",
    "candidates",
    "input",
    "line",
)
_REQUIRED_COLUMNS = ("source", "source_id", "status", "conversation_id")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A long number a spreadsheet saved in scientific notation (a Five9 CALL ID 300000010270801 -> 3.00000010270801E+14).
_SCIENTIFIC = re.compile(r"^[0-9](?:[.,][0-9]+)?[eE]\+[0-9]+$")


class _FieldProblem(ValueError):
    """A check across fields, naming the field a reader should point at."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class CorrelationStatus(StrEnum):
    """What correlation concluded for one record."""

    MATCHED = "matched"  #: one conversation, clearly ahead of any other
    AMBIGUOUS = "ambiguous"  #: two or more conversations too close to tell apart (listed)
    NONE = "none"  #: no conversation passes (the nearest listed, with why each failed)
    BEFORE_CUTOVER = "before-cutover"  #: the record is older than the org's first day on Genesys
    OUTSIDE_RETENTION = "outside-retention"  #: older than the analytics keep conversations (the table says how long)
    NO_TIME = "no-time"  #: the record has no time and no legacy id: nothing to search by
    INVALID = "invalid"  #: the record could not be read


class RankedCandidate(BaseModel):
    """One conversation considered for a record: its score and the evidence, one line."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    conversation_id: str
    score: float = Field(ge=0, le=1)
    evidence: str = ""

    @field_validator("conversation_id")
    @classmethod
    def _uuid(cls, value: str) -> str:
        if not is_genesys_id(value.strip()):
            raise ValueError(f"{value!r} is not a Genesys conversation id (a UUID)")
        return value.strip().lower()


class Correlation(BaseModel):
    """One record's row: where it came from (``source``, ``source_id``, ``input``, ``line``), the ``status``, the
    conversation it is matched to (``matched`` only), the best ``score`` and its ``margin`` over the next, the
    best's ``evidence`` and the ``candidates`` considered (best first, at most 5)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(min_length=1)
    source_id: str = Field(description="The record's legacy id; empty only for an invalid record without one")
    status: CorrelationStatus
    conversation_id: str | None = None
    score: float | None = Field(default=None, ge=0, le=1)
    margin: float | None = Field(default=None, ge=0, le=1)
    evidence: str = ""
    candidates: tuple[RankedCandidate, ...] = ()
    input: str | None = None
    line: int | None = Field(default=None, ge=1)

    @field_validator("status", mode="before")
    @classmethod
    def _status_text(cls, value: Any) -> Any:
        known = ", ".join(s.value for s in CorrelationStatus)
        if value is None:
            raise ValueError(f"empty; one of: {known}")
        if isinstance(value, str) and not isinstance(value, CorrelationStatus):
            text = value.strip().lower()
            if text not in {s.value for s in CorrelationStatus}:
                raise ValueError(f"unknown status {value!r}; one of: {known}")
            return text
        return value

    @field_validator("conversation_id")
    @classmethod
    def _uuid(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not is_genesys_id(value.strip()):
            raise ValueError(f"{value!r} is not a Genesys conversation id (a UUID)")
        return value.strip().lower()

    @model_validator(mode="after")
    def _id_only_when_matched(self) -> Correlation:
        if self.status is CorrelationStatus.MATCHED and self.conversation_id is None:
            raise _FieldProblem(
                "conversation_id", "status is matched but conversation_id is empty: fill in the conversation chosen"
            )
        if self.status is not CorrelationStatus.MATCHED and self.conversation_id is not None:
            raise _FieldProblem(
                "conversation_id",
                f"filled in but status is {self.status.value!r}: set status to matched to use it, or clear the id",
            )
        if not self.source_id.strip() and self.status is not CorrelationStatus.INVALID:
            raise _FieldProblem("source_id", "empty")
        return self

    @property
    def key(self) -> tuple[str, str]:
        """What a record is looked up by: (source, source_id)."""
        return (self.source, self.source_id)

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_csv_row(self) -> list[str]:
        data = self.to_json_dict()
        row = []
        for column in CSV_COLUMNS:
            value = data[column]
            if column == "candidates":
                text = json.dumps(value, ensure_ascii=False, separators=(",", ":")) if value else ""
            else:
                text = "" if value is None else str(value)
            row.append(_cell(text))
        return row


class CorrelationFileError(WrapupBridgeError, ValueError):
    """A correlation file cannot be used: unreadable, or a row that is not a valid correlation; names the file,
    the line and the field."""

    def __init__(self, message: str, *, file: str, line: int | None = None, field: str | None = None) -> None:
        where = file + (f":{line}" if line is not None else "")
        super().__init__(f"{where}: {field}: {message}" if field else f"{where}: {message}")
        self.message = message
        self.file = file
        self.line = line
        self.field = field


class CorrelationWriter:
    """Writes correlations as they come: CSV (a header row first) when ``path`` ends in ``.csv``, else JSONL (one
    object per line, nothing else). Use as a context manager, or call ``close``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.csv = self.path.suffix.lower() == ".csv"
        self.count = 0
        try:
            self._file: IO[str] = self.path.open("w", encoding="utf-8", newline="")
        except OSError as exc:
            raise CorrelationFileError(f"cannot write the file: {exc.strerror or exc}", file=str(self.path)) from None
        self._csv = csv.writer(self._file, lineterminator="\r\n") if self.csv else None
        if self._csv is not None:
            self._csv.writerow(CSV_COLUMNS)

    def write(self, correlation: Correlation) -> None:
        if self._csv is not None:
            self._csv.writerow(correlation.to_csv_row())
        else:
            self._file.write(json.dumps(correlation.to_json_dict(), ensure_ascii=False, separators=(",", ":")) + "\n")
        self.count += 1

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def read_correlations(path: str | Path) -> Iterator[Correlation]:
    """Every row of the correlation file at ``path`` (CSV when it ends in ``.csv``, else JSONL), checked again:
    ``CorrelationFileError`` names the file, line and field of the first bad row. Blank lines are skipped;
    columns or keys the file does not know (a reviewer's notes) are ignored."""
    for _line, correlation in _numbered(Path(path)):
        yield correlation


def _numbered(path: Path) -> Iterator[tuple[int, Correlation]]:
    """(line in the file, correlation) of every row."""
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorrelationFileError(f"cannot read the file: {exc.strerror or exc}", file=name) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CorrelationFileError(
            "not UTF-8 text (a spreadsheet may have saved it in another encoding: save as CSV UTF-8)",
            file=name,
            line=line,
        ) from None
    rows = _csv_rows(text, name) if path.suffix.lower() == ".csv" else _jsonl_rows(text, name)
    for line, row in rows:
        yield line, _correlation(row, name, line)


class CorrelationIndex(dict[tuple[str, str], Correlation]):
    """A correlation file as a dict: (source, source_id) -> Correlation. Rows without a source_id (invalid records
    that had none) cannot be looked up and are left out."""

    path: str = ""

    @classmethod
    def load(cls, path: str | Path) -> CorrelationIndex:
        """Read the file at ``path``; a record listed twice is an error naming both lines."""
        index = cls()
        index.path = str(path)
        lines: dict[tuple[str, str], int] = {}
        for line, correlation in _numbered(Path(path)):
            if not correlation.source_id.strip():
                continue
            key = correlation.key
            if key in index:
                first = lines[key]
                raise CorrelationFileError(
                    f"{correlation.source} record {correlation.source_id!r} is listed twice (first on line {first}); "
                    "keep one row per record",
                    file=str(path),
                    line=line,
                    field="source_id",
                )
            index[key] = correlation
            lines[key] = line
        return index


# ------------------------------------------------------------------------------------------------ helpers
def _cell(text: str) -> str:
    return "'" + text if text.startswith((*_FORMULA_START, "'")) else text


def _uncell(text: str) -> str:
    if len(text) > 1 and text[0] == "'" and text[1:].startswith((*_FORMULA_START, "'")):
        return text[1:]
    return text


def _csv_rows(text: str, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first and "," not in first else ","  # a spreadsheet in a locale that saves with ;
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    start = 1
    try:
        for row in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [cell.strip().lower() for cell in row]
                missing = [c for c in _REQUIRED_COLUMNS if c not in header]
                if missing:
                    raise CorrelationFileError(
                        f"the header lacks {', '.join(missing)} (expected {','.join(CSV_COLUMNS)})",
                        file=name,
                        line=line,
                    )
                continue
            values = {
                column: _uncell(row[i]) if i < len(row) else ""
                for i, column in enumerate(header)
                if column in CSV_COLUMNS
            }
            yield line, _from_csv(values, name, line)
    except csv.Error as exc:
        raise CorrelationFileError(f"not readable as CSV: {exc}", file=name, line=start) from None
    if header is None:
        raise CorrelationFileError("the file is empty (no header row)", file=name, line=1)


def _from_csv(values: dict[str, str], name: str, line: int) -> dict[str, Any]:
    # Every cell but the evidence is read trimmed (a spreadsheet pads and people type spaces); empty is absent.
    row: dict[str, Any] = {
        key: value if key == "evidence" else (value.strip() or None) for key, value in values.items()
    }
    row["source_id"] = row.get("source_id") or ""
    row["evidence"] = row.get("evidence") or ""
    for key in ("score", "margin"):
        if row.get(key) is not None:
            row[key] = _number(row[key].replace(",", "."), name, line, key)
    if row.get("line") is not None:
        row["line"] = _number(row["line"], name, line, "line", whole=True)
    candidates = row.get("candidates")
    if candidates is not None:
        try:
            row["candidates"] = json.loads(candidates)
        except json.JSONDecodeError as exc:
            raise CorrelationFileError(
                f"not a JSON list of candidates ({exc.msg}); leave the cell as written or empty it",
                file=name,
                line=line,
                field="candidates",
            ) from None
    else:
        row["candidates"] = []
    return row


def _number(text: str, name: str, line: int, field: str, *, whole: bool = False) -> float | int:
    try:
        return int(text) if whole else float(text)
    except ValueError:
        kind = "a whole number" if whole else "a number (0..1)"
        raise CorrelationFileError(f"{text!r} is not {kind}", file=name, line=line, field=field) from None


def _jsonl_rows(text: str, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    # Lines end at \n only: str.splitlines would also cut at U+2028 or U+0085, which JSON text may hold as is.
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise CorrelationFileError(f"not a JSON object ({exc.msg})", file=name, line=number) from None
        if not isinstance(value, dict):
            raise CorrelationFileError("not a JSON object", file=name, line=number)
        yield number, {key: item for key, item in value.items() if key in CSV_COLUMNS}


def _correlation(row: dict[str, Any], name: str, line: int) -> Correlation:
    source_id = row.get("source_id")
    if isinstance(source_id, str) and _SCIENTIFIC.match(source_id.strip()):
        raise CorrelationFileError(
            f"{source_id!r} looks like a long id a spreadsheet turned into a number; the record cannot be found by "
            "it. Re-export, or import the CSV with the source_id column as text",
            file=name,
            line=line,
            field="source_id",
        )
    try:
        correlation = Correlation.model_validate(row)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        loc = [str(part) for part in error["loc"]]
        field = ".".join(loc) if loc else None
        message = str(error["msg"]).removeprefix("Value error, ")
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, _FieldProblem):
            field, message = cause.field, str(cause)
        elif error["type"] == "missing":
            message = "missing"
        raise CorrelationFileError(message, file=name, line=line, field=field) from None
    return correlation
