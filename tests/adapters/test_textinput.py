"""Strict decoding of legacy exports: a wrong encoding stops with where it failed, never mangles a code."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wrapup_bridge.adapters.textinput import InputDecodeError, check_encoding, decoded


def read_all(data: bytes, encoding: str | None = None) -> str:
    return decoded(io.BytesIO(data), name="export.csv", encoding=encoding).read()


def test_utf8_with_and_without_bom_reads_the_same_and_keeps_crlf() -> None:
    text = "DISPOSITION,CALL ID\r\nPagé Réalisé,1\r\n"
    assert read_all(text.encode()) == text
    assert read_all(b"\xef\xbb\xbf" + text.encode()) == text


def test_lines_iterate_without_translating_newlines() -> None:
    stream = decoded(io.BytesIO(b'a,b\r\n"x\ny",2\rlast'), name="f")
    assert list(stream) == ["a,b\r\n", '"x\n', 'y",2\r', "last"]


def test_windows_1252_export_is_refused_with_line_offset_and_the_encoding_to_pass() -> None:
    data = ("CALL ID,DISPOSITION\n" + "1,ok\n" * 3000 + "2,Pagé Réalisé\n").encode("cp1252")
    with pytest.raises(InputDecodeError) as caught:
        read_all(data)
    error = caught.value
    assert (error.line, error.offset, error.bad) == (3002, data.index(b"\xe9"), b"\xe9")
    message = str(error)
    assert "export.csv: line 3002, byte offset" in message
    assert "0xE9 is not valid utf-8" in message
    assert "Pagé Réalisé" in message
    assert "--encoding cp1252" in message and "source.encoding: cp1252" in message
    assert read_all(data, "cp1252").endswith("2,Pagé Réalisé\n")


def test_utf16_export_is_recognised_in_the_advice() -> None:
    data = "CALL ID,DISPOSITION\r\n1,Sale\r\n".encode("utf-16")
    with pytest.raises(InputDecodeError, match="--encoding utf-16") as caught:
        read_all(data)
    assert caught.value.offset == 0
    assert read_all(data, "utf-16") == "CALL ID,DISPOSITION\r\n1,Sale\r\n"


def test_bom_then_bad_byte_counts_the_bom_in_the_offset() -> None:
    data = b"\xef\xbb\xbfA,B\nx\xff\n"
    with pytest.raises(InputDecodeError) as caught:
        read_all(data)
    assert (caught.value.line, caught.value.offset) == (2, data.index(b"\xff"))


@pytest.mark.parametrize("name", ["nope", "rot13", "base64"])
def test_unknown_or_non_text_encodings_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match=repr(name)):
        check_encoding(name)


@settings(max_examples=150, deadline=None)
@given(
    lead=st.integers(min_value=0, max_value=20_000),
    text=st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200),
    cut=st.integers(min_value=0, max_value=200),
    bad=st.sampled_from([b"\xff", b"\xc3(", b"\xe9", b"\xed\xa0\x80", b"\xf0\x9f"]),
)
def test_the_reported_offset_and_line_are_where_the_first_bad_byte_is(
    lead: int, text: str, cut: int, bad: bytes
) -> None:
    """Whatever the chunk boundaries, multi-byte characters around the failure or line ends before it."""
    prefix = (("x" * 79 + "\n") * (lead // 80) + "y" * (lead % 80) + text[:cut]).encode()
    data = prefix + bad + text[cut:].encode()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as truth:
        expected_offset = truth.start
    else:  # pragma: no cover - every sample above is invalid
        raise AssertionError("sample decodes")
    with pytest.raises(InputDecodeError) as caught:
        read_all(data)
    assert caught.value.offset == expected_offset
    assert caught.value.line == data[:expected_offset].count(b"\n") + 1


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=3000), st.sampled_from(["utf-8", "cp1252", "utf-16", "latin-1"]))
def test_text_in_the_declared_encoding_reads_back_exactly(text: str, encoding: str) -> None:
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    if encoding == "utf-8" and text.startswith("\ufeff"):
        text = text[1:]  # a leading BOM is the mark, not content
    assert read_all(data, encoding) == text
