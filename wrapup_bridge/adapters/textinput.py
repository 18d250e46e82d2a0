"""Reading a legacy export as text: strictly decoded, so a wrong encoding is an error, never mangled codes.

Exports come from Windows tools and old reporting servers as often as from APIs: a Five9 report opened and saved
in Excel is Windows-1252, and read as UTF-8 with replacement its ``Pagé Réalisé`` becomes ``Pag� R�alis�`` —
a disposition no mapping rule matches, or worse, one a catch-all rule maps. So input is decoded strictly: the
first byte that is not valid in the declared encoding stops the read with ``InputDecodeError``, naming the
file, line and byte offset, the bytes, how the line reads in the likely encoding, and how to declare it
(``--encoding``, or ``source.encoding`` in the mapping table). UTF-8 stays the default and a byte-order mark
is dropped, as every spreadsheet tool writes one.

Decoding stays in C (``io.TextIOWrapper``); the stream only counts bytes and line ends as they pass, so it can
say where a failure is without reading anything twice. Universal newlines stay off (``newline=""``) so the CSV
reader sees CRLF and quoted line breaks itself.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from typing import IO, Any, BinaryIO, cast

from wrapup_bridge.core.encodings import check_encoding
from wrapup_bridge.core.errors import WrapupBridgeError

__all__ = ["DEFAULT_ENCODING", "InputDecodeError", "check_encoding", "decoded"]

DEFAULT_ENCODING = "utf-8"

#: Suggested when UTF-8 fails: what exports that are not UTF-8 are, in the order they are met in practice.
_LIKELY = ("cp1252", "latin-1")


class InputDecodeError(WrapupBridgeError):
    """An input is not in the encoding it is read with; says where, shows the bytes, and says what to pass.

    Deliberately not a ``ValueError``/``UnicodeError``: a record-level handler must not take a whole file in
    the wrong encoding for one bad record."""

    def __init__(
        self, *, name: str, encoding: str, offset: int, line: int | None, bad: bytes, line_bytes: tuple[bytes, bytes]
    ) -> None:
        self.name = name
        self.encoding = encoding
        self.offset = offset
        self.line = line
        self.bad = bad
        where = f"{name}: line {line}, byte offset {offset}" if line is not None else f"{name}: byte offset {offset}"
        shown = " ".join(f"0x{b:02X}" for b in bad[:4])
        message = f"{where}: {shown} is not valid {encoding}, so the file is in another encoding"
        guess = _guess(*line_bytes) if codecs.lookup(encoding).name == "utf-8" else None
        if guess is not None:
            codec, text = guess
            message += f"; read as {codec} it says {text!r}"
            message += f". Pass --encoding {codec} (or set source.encoding: {codec} in the mapping table)"
        else:
            message += ". Pass --encoding NAME with the file's encoding (or set source.encoding in the mapping table)"
        super().__init__(message)


def decoded(raw: BinaryIO, *, name: str, encoding: str | None = None) -> IO[str]:
    """``raw`` read as text in ``encoding`` (UTF-8 with an optional BOM by default), failing with
    ``InputDecodeError`` at the first byte that does not decode."""
    codec = check_encoding(encoding or DEFAULT_ENCODING)
    if codec == "utf-8":
        codec = "utf-8-sig"  # a BOM is metadata, not the first character of the first column name
    counter = _CountingReader(raw)
    # Raw, not buffered, on purpose: each chunk the wrapper decodes is then exactly one read of the counter.
    text = io.TextIOWrapper(cast(BinaryIO, counter), encoding=codec, errors="strict", newline="")
    return cast(IO[str], _StrictText(text, counter, name=name, encoding=codec.removesuffix("-sig")))


def _guess(before: bytes, after: bytes) -> tuple[str, str] | None:
    """The likely encoding of a line that is not UTF-8, and how it reads around the failure in it."""
    whole = before + after
    if whole.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or whole.count(b"\x00") * 4 > len(whole):
        candidates: tuple[str, ...] = ("utf-16",)  # "Unicode text" from Excel, PowerShell's default
    else:
        candidates = _LIKELY
    for codec in candidates:
        try:
            head = before.decode(codec)
            tail = after.decode(codec)
        except UnicodeDecodeError:
            continue
        head, tail = head.lstrip("\ufeff"), tail.rstrip("\r\n")
        return codec, ("..." if len(head) > 40 else "") + head[-40:] + tail[:40] + ("..." if len(tail) > 40 else "")
    return None


class _CountingReader(io.RawIOBase):
    """Passes bytes through, counting them and their line ends, and keeping the last few KB for context."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.delivered = 0
        self.newlines = 0
        self.recent = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer)) or b""
        buffer[: len(data)] = data
        self.delivered += len(data)
        self.newlines += data.count(b"\n")
        self.recent = (self.recent + data)[-_RECENT:]
        return len(data)


#: Bytes kept for showing the line around a failure.
_RECENT = 16 * 1024
_CONTEXT = 2 * 1024


class _StrictText:
    """The decoded text, turning a ``UnicodeDecodeError`` into an ``InputDecodeError`` that says where."""

    def __init__(self, text: io.TextIOWrapper[Any], counter: _CountingReader, *, name: str, encoding: str) -> None:
        self._text = text
        self._counter = counter
        self._name = name
        self._encoding = encoding

    @property
    def name(self) -> str:
        return self._name

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        try:
            return self._text.read(size)
        except UnicodeDecodeError as exc:
            raise self._where(exc) from None

    def readline(self, size: int | None = -1) -> str:
        try:
            return self._text.readline(-1 if size is None else size)
        except UnicodeDecodeError as exc:
            raise self._where(exc) from None

    def __next__(self) -> str:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def __iter__(self) -> Iterator[str]:
        """The lines, read by the wrapper's own iteration (no Python call per line: a CSV reader takes millions)."""
        return self._lines()

    def _lines(self) -> Iterator[str]:
        try:
            yield from self._text
        except UnicodeDecodeError as exc:
            raise self._where(exc) from None

    def close(self) -> None:
        self._text.detach()  # the caller owns the raw stream

    def __enter__(self) -> _StrictText:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _where(self, exc: UnicodeDecodeError) -> InputDecodeError:
        counter = self._counter
        # What failed to decode always ends where delivery stands: one chunk, or all the rest for read(), with an
        # unfinished sequence carried in front (or, in the first chunk, a byte-order mark dropped from it).
        data = bytes(exc.object)
        offset = counter.delivered - len(data) + exc.start
        ascii_lines = "\n".encode(self._encoding) == b"\n"
        line = counter.newlines - data[exc.start :].count(b"\n") + 1 if ascii_lines else None
        before = data[max(0, exc.start - _CONTEXT) : exc.start]
        if exc.start < _CONTEXT:
            starts_at = len(counter.recent) - len(data)  # where data begins within the recent bytes
            if starts_at > 0:
                before = counter.recent[max(0, starts_at - (_CONTEXT - exc.start)) : starts_at] + before
        end = data.find(b"\n", exc.start)
        after = data[exc.start :] if end < 0 else data[exc.start : end]
        return InputDecodeError(
            name=self._name,
            encoding=self._encoding,
            offset=offset,
            line=line,
            bad=data[exc.start : exc.end],
            line_bytes=(before[before.rfind(b"\n") + 1 :], after[:_CONTEXT]),
        )
