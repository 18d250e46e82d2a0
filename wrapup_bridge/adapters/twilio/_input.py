"""Telling the Twilio input shapes apart, and reading their records, without holding a whole file in memory.

A file is JSON (one document, an array, or JSON lines), URL-encoded form bodies (one per line) or CSV; the
first non-blank line decides, so a million-row Insights export is still streamed. JSON whose first line is a
whole JSON value is read as JSON lines, one line at a time (each line may be an object or, as Event Streams
webhook deliveries are, an array of CloudEvents); otherwise the input is one pretty-printed document and is
parsed whole. A JSON record's format is told from its keys: a CloudEvent by its ``type``, Copilot and
TaskRouter events by markers of their own, task attributes are the rest.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any, Literal, cast
from urllib.parse import parse_qsl

from wrapup_bridge.adapters.twilio import cloudevents, copilot, task_attributes, taskrouter, voice_status
from wrapup_bridge.adapters.twilio._record import canonical
from wrapup_bridge.core.limits import loads_json

__all__ = [
    "Envelope",
    "PeekedStream",
    "form_format",
    "form_params",
    "json_records",
    "peek",
    "record_format",
    "shape_of",
]

Shape = Literal["json", "form", "csv"]
# Pages of the Task and Events list APIs, saved as-is: {"tasks": [...], "meta": {...}}.
_PAGE_KEYS = ("tasks", "events")


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
    """The format of one JSON record or payload, by its keys (a CloudEvent by its ``type``)."""
    if cloudevents.is_cloudevent(record):
        return cloudevents.product(record) or "taskrouter"
    if copilot.looks_like(record):
        return "copilot"
    if taskrouter.looks_like(record):
        return "taskrouter"
    if task_attributes.looks_like(record):
        return "task-attributes"
    if voice_status.looks_like(record):
        return "voice-status"
    return "task-attributes"


class Envelope:
    """What wraps the records of one input, tallied as they are read, described for ``explain``."""

    def __init__(self) -> None:
        self.containers: Counter[str] = Counter()
        self.cloudevents = 0
        self.records = 0

    def saw(self, container: str, cloudevent: bool) -> None:
        self.containers[container] += 1
        self.records += 1
        self.cloudevents += cloudevent

    def describe(self) -> str:
        if not self.containers:
            return "empty"
        (container, _), *others = self.containers.most_common()
        cloud = self.cloudevents and self.cloudevents == self.records
        what = "CloudEvents" if cloud else "records"
        described = {
            "document-array": f"JSON array of {what}" + (" (Event Streams)" if cloud else ""),
            "lines-array": f"JSON lines, each a JSON array of {what}"
            + (" (Event Streams webhook deliveries)" if cloud else ""),
            "lines-object": f"JSON lines, one {'CloudEvent' if cloud else 'object'} per line"
            + (" (Event Streams)" if cloud else ""),
            "document-object": "one CloudEvent (Event Streams)" if cloud else "one JSON object",
            "page-tasks": "Task list page {tasks, meta} (Task API)",
            "page-events": "Events list page {events, meta} (TaskRouter Events API)",
            "form-taskrouter": "TaskRouter EventCallback form bodies (URL-encoded, one per line)",
            "form-voice-status": "Voice StatusCallback form bodies (URL-encoded, one per line)",
        }.get(container, container)
        if others:
            described += " (also: " + ", ".join(c for c, _ in others) + ")"
        if self.cloudevents and not cloud:
            described += f"; {self.cloudevents} of the {self.records} records are CloudEvents"
        return described


def json_records(stream: PeekedStream, first_line: str) -> Iterator[tuple[str, Any, Any, str]]:
    """``(position, record or JSONDecodeError, raw, container)`` for each record of a JSON input.

    Positions: ``item N`` in a document array, ``line N`` in JSON lines, ``line N item M`` for an array on a line
    of JSON lines, and ``<position> tasks[i]`` for the tasks of a saved list page (opened into its items)."""
    if _whole_value(first_line):
        yield from _json_lines(stream)
        return
    text = stream.read()
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        doc = loads_json(text)
    except json.JSONDecodeError:  # nesting past the bound too (loads_json's JsonNestingError is one)
        yield from _json_lines(text.splitlines())
        return
    if isinstance(doc, list):
        for index, item in enumerate(doc, start=1):
            yield from _opened(f"item {index}", item, "document-array")
    else:
        yield from _opened("line 1", doc, "document-object")


def _whole_value(line: str) -> bool:
    try:
        loads_json(line.lstrip("\ufeff"))
    except json.JSONDecodeError:
        return False
    return True


def _json_lines(stream: Iterable[str]) -> Iterator[tuple[str, Any, Any, str]]:
    lines = ((n, line) for n, line in enumerate(stream, start=1) if line.lstrip("\ufeff").strip())
    current = next(lines, None)
    while current is not None:
        following = next(lines, None)
        line_no, line = current
        text = line.lstrip("\ufeff").strip()
        try:
            value = loads_json(text)
        except json.JSONDecodeError as exc:
            yield f"line {line_no}", exc, text, "lines-object"
        else:
            if isinstance(value, list):
                # One array on a single line is a document array (``item N``), as it was before streaming.
                alone = line_no == 1 and following is None
                for index, item in enumerate(value, start=1):
                    position = f"item {index}" if alone else f"line {line_no} item {index}"
                    yield from _opened(position, item, "document-array" if alone else "lines-array")
            else:
                yield from _opened(
                    f"line {line_no}", value, "lines-object" if following or line_no > 1 else "document-object"
                )
        current = following


def _opened(position: str, value: Any, container: str) -> Iterator[tuple[str, Any, Any, str]]:
    """A record, or the items of a saved list page."""
    if isinstance(value, Mapping) and "meta" in value:
        for key in _PAGE_KEYS:
            items = value.get(key)
            if isinstance(items, list):
                for index, item in enumerate(items):
                    yield f"{position} {key}[{index}]", item, item, f"page-{key}"
                return
    yield position, value, value, container
