"""What the correlation tests share: the demo export without conversation ids, what docs/correlation-demo.md says
correlating it gives (record by record), and a connection to an emulator whose API requests are kept.

Not a test module: ``tests/services/correlate/test_run.py``, ``tests/cli/test_correlate.py`` and the replay
tests read it."""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.conftest import EXAMPLES, MAPPINGS
from wrapup_bridge.core.clock import Clock
from wrapup_bridge.core.mapping import MappingTable, load_mapping
from wrapup_bridge.emulator import Emulator
from wrapup_bridge.genesys.http import GenesysClient
from wrapup_bridge.services.target import Connection, build_target
from wrapup_bridge.testing import demo_conversation_id

__all__ = [
    "CUTOVER",
    "DEMO_EXPORT",
    "EXPECTED",
    "SETTLED",
    "Recording",
    "Sent",
    "connection_to",
    "conversation",
    "edit_csv",
    "settle_ambiguous",
    "table_with",
]

#: The Five9 Call Log export of the demo org's conversations 51-63, without the GENESYS CONVERSATION ID column.
DEMO_EXPORT = EXAMPLES / "five9" / "call-log-no-ids.csv"
#: The demo org's first day on Genesys (docs/correlation-demo.md, "Proposed correlate: section").
CUTOVER = date(2026, 3, 2)


def conversation(nn: int) -> str:
    """The demo org's conversation ``nn`` (51-63 are the calls of the export)."""
    return demo_conversation_id(nn)


#: docs/correlation-demo.md's "Expected result" table: CALL ID -> (status, the conversation: the match, the first
#: candidate of an ambiguous row, the nearest miss of a ``none``; None when the page names none).
EXPECTED: dict[str, tuple[str, int | None]] = {
    "300000009874415": ("before-cutover", None),
    "300000010315502": ("matched", 51),
    "300000010315509": ("matched", 52),
    "300000010315514": ("matched", 53),
    "300000010315520": ("ambiguous", 54),
    "300000010315521": ("ambiguous", 55),
    "300000010315526": ("none", 56),
    "300000010315531": ("matched", 57),
    "300000010315535": ("none", None),
    "300000010315540": ("matched", 58),
    "300000010315544": ("matched", 59),
    "300000010315547": ("matched", 60),
    "300000010315551": ("matched", 61),
    "300000010315588": ("matched", 62),
    "300000010315593": ("matched", 63),
}


#: How the ops lead settles the two ambiguous rows (docs/correlation-demo.md: by CALL TIME, 24 s and 3 min 52 s).
SETTLED = {"300000010315520": 54, "300000010315521": 55}


def edit_csv(path: Path, edit: Callable[[dict[str, str]], dict[str, str] | None]) -> None:
    """Edit a correlation CSV as an ops lead does in a spreadsheet: ``edit`` gets each row by column and gives it
    back changed, or None to delete it."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or [])
        rows = [changed for row in reader if (changed := edit(dict(row))) is not None]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


def settle_ambiguous(row: dict[str, str]) -> dict[str, str]:
    """``edit_csv``'s edit of the review: each ambiguous row set to matched with the conversation it is."""
    if row["source_id"] in SETTLED:
        return {**row, "status": "matched", "conversation_id": conversation(SETTLED[row["source_id"]])}
    return row


def table_with(folder: Path, **correlate: Any) -> MappingTable:
    """The shipped Five9 table with its ``correlate:`` section replaced by ``correlate`` (written to ``folder``),
    so a test states the section it depends on whatever the shipped one says."""
    document = yaml.safe_load((MAPPINGS / "five9.yaml").read_text(encoding="utf-8"))
    document["correlate"] = correlate
    path = folder / "five9-correlate.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return load_mapping(path)


@dataclass(frozen=True)
class Sent:
    method: str
    path: str
    params: dict[str, str]
    body: Any
    status: int


class Recording(httpx.AsyncBaseTransport):
    """The emulator's transport, keeping each API request (never the token request) and its answer's status."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sent: list[Sent] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.url.path.startswith("/api/"):
            body = json.loads(request.content) if request.content else None
            self.sent.append(
                Sent(request.method, request.url.path, dict(request.url.params), body, response.status_code)
            )
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()

    def to(self, method: str, prefix: str = "") -> list[Sent]:
        return [s for s in self.sent if s.method == method and s.path.startswith(prefix)]


@asynccontextmanager
async def connection_to(
    emulator: Emulator, *, clock: Clock | None = None, **overrides: Any
) -> AsyncIterator[tuple[Connection, Recording]]:
    """A connection to ``emulator`` in process (no rate limit to wait for, a 10 s budget), as
    ``services.target.connect`` makes one, through a ``Recording``; ``clock``: the client's (a FakeClock makes
    an async job's polling waits instant)."""
    target = build_target("emulator", emulator, budget=10.0, rate_per_minute=100_000, **overrides)
    inner = target.transport()
    assert inner is not None
    recording = Recording(inner)
    async with GenesysClient(target.settings, transport=recording, clock=clock) as client:
        yield Connection(client, target.description, target.emulator, target.identity), recording
