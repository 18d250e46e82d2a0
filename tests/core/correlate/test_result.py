"""The correlation file: written as CSV or JSONL and read back the same; an ops lead's edits accepted; every bad
row refused naming the file, the line and the field."""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

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

A = "c0ffee00-0000-4000-8000-000000000001"
B = "c0ffee00-0000-4000-8000-000000000002"
HEADER = ",".join(CSV_COLUMNS)


def matched(source_id: str = "300000010270801", **changes: object) -> Correlation:
    values: dict[str, object] = {
        "source": "five9",
        "source_id": source_id,
        "status": CorrelationStatus.MATCHED,
        "conversation_id": A,
        "score": 0.964,
        "margin": 0.25,
        "evidence": "time +12 s; ani +19045550101; dnis +18005550100",
        "candidates": (
            RankedCandidate(conversation_id=A, score=0.964, evidence="time +12 s; ani +19045550101"),
            RankedCandidate(conversation_id=B, score=0.714, evidence="time -3 s; ani +19045550101, the call had x"),
        ),
        "input": "examples/five9/call-log-no-ids.csv",
        "line": 2,
    }
    values.update(changes)
    return Correlation.model_validate(values)


def ambiguous(source_id: str = "300000010270802") -> Correlation:
    return Correlation(
        source="five9",
        source_id=source_id,
        status=CorrelationStatus.AMBIGUOUS,
        score=1.0,
        margin=0.0,
        evidence="2 conversations score within 0.15 of each other; best: time within the call",
        candidates=(RankedCandidate(conversation_id=A, score=1.0), RankedCandidate(conversation_id=B, score=1.0)),
        input="calls.csv",
        line=3,
    )


ROWS = [
    matched(),
    ambiguous(),
    Correlation(
        source="five9",
        source_id="300000010270803",
        status=CorrelationStatus.NONE,
        evidence="no conversation within 120 s of the record's time",
    ),
    Correlation(source="twilio", source_id="WT1", status=CorrelationStatus.NO_TIME, evidence="no time"),
    Correlation(source="cxone", source_id="7", status=CorrelationStatus.BEFORE_CUTOVER),
    Correlation(source="cxone", source_id="8", status=CorrelationStatus.OUTSIDE_RETENTION),
    Correlation(source="five9", source_id="", status=CorrelationStatus.INVALID, evidence="line 9: bad TIMESTAMP"),
    # Cells a spreadsheet would run as formulas, quotes, commas, newlines and non-ASCII text.
    matched(source_id='=HYPERLINK("x")', evidence='-1; "quoted", a,b\nnext line; café', input="+x.csv"),
    matched(source_id="'already quoted"),
]


def write(path: Path, rows: list[Correlation]) -> Path:
    with CorrelationWriter(path) as writer:
        for row in rows:
            writer.write(row)
    assert writer.count == len(rows)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".json", ""])
def test_round_trip(tmp_path: Path, suffix: str) -> None:
    path = write(tmp_path / f"matches{suffix}", ROWS)
    assert list(read_correlations(path)) == ROWS


def test_the_csv_shape(tmp_path: Path) -> None:
    path = write(tmp_path / "matches.csv", ROWS[:2])
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    assert rows[0]["status"] == "matched" and rows[0]["conversation_id"] == A
    assert rows[0]["score"] == "0.964" and rows[0]["line"] == "2"
    assert json.loads(rows[0]["candidates"])[1] == {
        "conversation_id": B,
        "score": 0.714,
        "evidence": "time -3 s; ani +19045550101, the call had x",
    }
    assert rows[1]["conversation_id"] == "" and rows[1]["status"] == "ambiguous"


def test_a_formula_is_written_as_text(tmp_path: Path) -> None:
    path = write(tmp_path / "matches.csv", [ROWS[7]])
    row = next(csv.DictReader(path.open(encoding="utf-8", newline="")))
    assert row["source_id"] == '\'=HYPERLINK("x")'
    assert row["evidence"].startswith("'-1")
    assert row["input"] == "'+x.csv"


def test_the_jsonl_shape(tmp_path: Path) -> None:
    path = write(tmp_path / "matches.jsonl", ROWS[:2])
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2  # rows only, no header or comment
    first = json.loads(lines[0])
    assert list(first) == list(CSV_COLUMNS)
    assert first["candidates"][0]["conversation_id"] == A


TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)


@settings(max_examples=40)
@given(
    source_id=TEXT.filter(lambda t: t.strip() != ""),
    evidence=TEXT,
    score=st.floats(0, 1).map(lambda x: round(x, 3)),
    suffix=st.sampled_from([".csv", ".jsonl"]),
)
@example(source_id="0\x850\u2028", evidence=" ", score=0.0, suffix=".jsonl")  # line breaks only str.splitlines sees
@example(source_id="0", evidence=" ", score=0.0, suffix=".csv")  # evidence is kept as written
def test_any_text_round_trips(source_id: str, evidence: str, score: float, suffix: str) -> None:
    row = matched(source_id=source_id.strip(), evidence=evidence, score=score)
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder) / f"m{suffix}", [row])
        assert list(read_correlations(path)) == [row]


# ------------------------------------------------------------------------------------- an ops lead's edits
def test_an_ambiguous_row_resolved_by_hand(tmp_path: Path) -> None:
    path = write(tmp_path / "matches.csv", [matched(), ambiguous()])
    text = path.read_text(encoding="utf-8").replace(
        "five9,300000010270802,ambiguous,,", f"five9,300000010270802, Matched ,{B.upper()},"
    )
    path.write_text(text, encoding="utf-8")
    rows = list(read_correlations(path))
    assert rows[1].status is CorrelationStatus.MATCHED and rows[1].conversation_id == B


def test_deleted_rows_blank_lines_extra_columns_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "edited.csv"
    path.write_bytes(
        (
            "\ufeffsource,source_id,status,conversation_id,reviewer\r\n"
            "\r\n"
            f"five9,300000010270801,matched,{A},kim\r\n"
            ",,,,\r\n"
            "five9,300000010270804,none,,\r\n"
        ).encode()
    )
    rows = list(read_correlations(path))
    assert [(r.source_id, r.status.value, r.conversation_id) for r in rows] == [
        ("300000010270801", "matched", A),
        ("300000010270804", "none", None),
    ]
    assert rows[0].candidates == () and rows[0].score is None and rows[0].evidence == ""


def test_a_spreadsheet_that_saves_with_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "edited.csv"
    path.write_text(f"source;source_id;status;conversation_id;score\nfive9;1;matched;{A};0,95\n", encoding="utf-8")
    (row,) = read_correlations(path)
    assert row.conversation_id == A and row.score == 0.95


@pytest.mark.parametrize(
    ("row", "field", "fragment"),
    [
        ("five9,1,matched,,", "conversation_id", "status is matched but conversation_id is empty"),
        ("five9,1,matched,not-a-uuid,", "conversation_id", "'not-a-uuid' is not a Genesys conversation id"),
        (f"five9,1,ambiguous,{A},", "conversation_id", "filled in but status is 'ambiguous'"),
        ("five9,1,maybe,,", "status", "unknown status 'maybe'"),
        ("five9,1,,,", "status", "empty; one of: matched, ambiguous"),
        ("five9,,none,,", "source_id", "empty"),
        ("five9,3.00000010270801E+14,none,,", "source_id", "a spreadsheet turned into a number"),
        ("five9,1,none,,high", "score", "'high' is not a number"),
        ("five9,1,none,,1.5", "score", "less than or equal to 1"),
        ("five9,1,none,,,,,[{,", "candidates", "not a JSON list of candidates"),
        ('five9,1,none,,,,,"[{""conversation_id"":""x"",""score"":1}]",', "candidates.0.conversation_id", "'x'"),
        ("five9,1,none,,,,,,,ten", "line", "'ten' is not a whole number"),
    ],
)
def test_a_bad_csv_row_names_file_line_and_field(tmp_path: Path, row: str, field: str, fragment: str) -> None:
    path = tmp_path / "matches.csv"
    path.write_text(f"{HEADER}\nfive9,0,none,,\n{row}\n", encoding="utf-8")
    with pytest.raises(CorrelationFileError) as info:
        list(read_correlations(path))
    error = info.value
    assert (error.file, error.line, error.field) == (str(path), 3, field)
    assert fragment in error.message
    assert str(error).startswith(f"{path}:3: {field}: ")


@pytest.mark.parametrize(
    ("line", "field", "fragment"),
    [
        ('{"source": "five9", "source_id": "1", "status": "matched"}', "conversation_id", "is empty"),
        ('{"source": "five9", "source_id": "1"}', "status", "missing"),
        ('{"source": "five9", "source_id": "1", "status": "none", "score": "x"}', "score", "valid number"),
        ("[1, 2]", None, "not a JSON object"),
        ('{"source": "five9", ', None, "not a JSON object"),
    ],
)
def test_a_bad_jsonl_row_names_file_line_and_field(tmp_path: Path, line: str, field: str | None, fragment: str) -> None:
    path = tmp_path / "matches.jsonl"
    path.write_text('{"source": "five9", "source_id": "0", "status": "none"}\n\n' + line + "\n", encoding="utf-8")
    with pytest.raises(CorrelationFileError) as info:
        list(read_correlations(path))
    assert (info.value.line, info.value.field) == (3, field)
    assert fragment in info.value.message


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(CorrelationFileError, match="cannot read the file"):
        list(read_correlations(tmp_path / "missing.csv"))
    latin = tmp_path / "latin.csv"
    latin.write_bytes(f"{HEADER}\nfive9,caf\xe9,none,,\n".encode("latin-1"))
    with pytest.raises(CorrelationFileError, match="not UTF-8") as info:
        list(read_correlations(latin))
    assert info.value.line == 2
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(CorrelationFileError, match="no header row"):
        list(read_correlations(empty))
    headless = tmp_path / "headless.csv"
    headless.write_text("source,id,status\n", encoding="utf-8")
    with pytest.raises(CorrelationFileError, match="the header lacks source_id, conversation_id") as info:
        list(read_correlations(headless))
    assert info.value.line == 1
    with pytest.raises(CorrelationFileError, match="cannot write the file"):
        CorrelationWriter(tmp_path / "no" / "such" / "folder.csv")


def test_a_multi_line_cell_keeps_the_line_count(tmp_path: Path) -> None:
    path = tmp_path / "matches.csv"
    path.write_text(f'{HEADER}\nfive9,1,none,,,,"two\nlines",,,\nfive9,2,matched,,\n', encoding="utf-8")
    with pytest.raises(CorrelationFileError) as info:
        list(read_correlations(path))
    assert info.value.line == 4


# ------------------------------------------------------------------------------------------------- index
def test_the_index(tmp_path: Path) -> None:
    path = write(tmp_path / "matches.csv", ROWS)
    index = CorrelationIndex.load(path)
    assert index.path == str(path)
    assert index[("five9", "300000010270801")] == ROWS[0]
    assert ("twilio", "WT1") in index
    assert ("five9", "") not in index  # an invalid record without an id cannot be looked up
    assert len(index) == len(ROWS) - 1


def test_a_record_listed_twice_names_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path / "matches.jsonl", [matched(), ambiguous(), matched()])
    with pytest.raises(CorrelationFileError) as info:
        CorrelationIndex.load(path)
    assert info.value.line == 3 and info.value.field == "source_id"
    assert "listed twice (first on line 1)" in info.value.message


def test_the_model_refuses_what_the_reader_refuses() -> None:
    with pytest.raises(ValidationError):
        Correlation(source="five9", source_id="1", status=CorrelationStatus.MATCHED)
    with pytest.raises(ValidationError):
        Correlation(source="five9", source_id="1", status=CorrelationStatus.NONE, conversation_id=A)
    assert matched().key == ("five9", "300000010270801")
    assert matched(conversation_id=A.upper()).conversation_id == A
