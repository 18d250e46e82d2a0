"""Telling the Twilio input shapes apart without reading a whole file into memory.

A file is JSON (one document, an array, or JSON lines), URL-encoded form bodies (one per line) or CSV; the
first non-blank line decides, so a million-row Insights export is still streamed. A JSON record's format is
told from its keys: Copilot and TaskRouter events have markers of their own, task attributes are the rest.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import IO, Any, Literal, cast
from urllib.parse import parse_qsl

from wrapup_bridge.adapters.twilio import copilot, task_attributes, taskrouter, voice_status
from wrapup_bridge.adapters.twilio._record import canonical

__all__ = ["PeekedStream", "form_format", "form_params", "peek", "record_format", "shape_of"]

Shape = Literal["json", "form", "csv"]


class PeekedStream:
    """A text stream whose first lines were already read for detection, served again before the rest."""

    def __init__(self, head: list[str], rest: IO[str]) -> None:
        self._head = head
        self._rest = rest

    def readline(self) -> str:
        if self._head:
            return self._head.pop(0)
        return self._rest.readline()

    def read(self, size: int | None = -1, /) -> str:
        head = "".join(self._head)
        self._head = []
        if size is None or size < 0:
            return head + self._rest.read()
        if len(head) >= size:
            self._head = [head[size:]] if head[size:] else []
            return head[:size]
        return head + self._rest.read(size - len(head))

    def __iter__(self) -> Iterator[str]:
        while line := self.readline():
            yield line

    def as_io(self) -> IO[str]:
        """This stream typed as the ``IO[str]`` the shared readers take: they only iterate or ``read()`` it."""
        return cast(IO[str], self)


def peek(stream: IO[str]) -> tuple[list[str], str | None]:
    """Read up to the first non-blank line: ``(lines read, that line)``; the line is None for an empty input."""
    head: list[str] = []
    for line in iter(stream.readline, ""):
        head.append(line)
        if line.lstrip("\ufeff").strip():
            return head, line
    return head, None


def form_params(line: str) -> dict[str, str]:
    """One URL-encoded body as a dict (the last of repeated names wins, as most web frameworks do)."""
    return dict(parse_qsl(line.strip().lstrip("\ufeff"), keep_blank_values=True))


def form_format(line: str) -> Literal["taskrouter", "voice-status"] | None:
    """Which form-body format ``line`` is, or None when it is not a Twilio form body."""
    if "=" not in line:
        return None
    params, _ = canonical(form_params(line))
    if "eventtype" in params or "tasksid" in params:
        return "taskrouter"
    if "callsid" in params:
        return "voice-status"
    return None


def shape_of(first_line: str) -> Shape:
    text = first_line.lstrip("\ufeff").strip()
    if text[:1] in ("{", "["):
        return "json"
    if form_format(text) is not None:
        return "form"
    return "csv"


def record_format(record: Mapping[Any, Any]) -> str:
    """The format of one JSON record or payload, by its keys."""
    if copilot.looks_like(record):
        return "copilot"
    if taskrouter.looks_like(record):
        return "taskrouter"
    if task_attributes.looks_like(record):
        return "task-attributes"
    if voice_status.looks_like(record):
        return "voice-status"
    return "task-attributes"
