"""Everything one running emulator holds: the org, its live conversations, tokens, the write log and counters.

One lock guards the mutable parts, because the app runs on uvicorn's thread while a test reads the write
log from its own; request handling itself is single-threaded (one event loop), so the lock is never contended
for long. Time is the injected ``core.clock.Clock``'s wall clock (an emulated org's times are instants), and
injected latency is a sleep on it unless a separate ``sleep`` is given.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from wrapup_bridge.core.clock import SYSTEM_CLOCK, Clock, Sleep, utc_now
from wrapup_bridge.emulator.analytics_index import AnalyticsState
from wrapup_bridge.emulator.config import EmulatorConfig
from wrapup_bridge.emulator.directory import OAuthClient
from wrapup_bridge.emulator.faults import FaultPlan
from wrapup_bridge.emulator.limits import RateLimits
from wrapup_bridge.emulator.org import Org
from wrapup_bridge.emulator.outbound import OutboundMappings
from wrapup_bridge.emulator.render import iso
from wrapup_bridge.emulator.state import WrapupState
from wrapup_bridge.emulator.store import LiveConversations

__all__ = ["Clock", "Runtime", "Sleep", "Token", "WriteRecord"]


@dataclass
class WriteRecord:
    """One wrap-up write the emulator accepted (and applied)."""

    time: datetime
    method: str
    path: str
    conversation_id: str
    participant_id: str
    communication_id: str | None
    code_id: str | None
    body: Any
    client_id: str
    #: True when the connection was dropped after the write was applied: the client saw an error.
    dropped: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "time": iso(self.time),
            "method": self.method,
            "path": self.path,
            "conversation_id": self.conversation_id,
            "participant_id": self.participant_id,
            "communication_id": self.communication_id,
            "code_id": self.code_id,
            "body": self.body,
            "client_id": self.client_id,
            "dropped": self.dropped,
        }


@dataclass
class Token:
    """An access token (its rate-limit window is in ``Runtime.limits``)."""

    value: str
    client: OAuthClient
    issued_at: float
    expires_at: float
    #: What the stats call it: the client id and the token's number for that client ("demo-client#2").
    label: str = ""


@dataclass
class Stats:
    """Request counters by endpoint ("GET /api/v2/routing/wrapupcodes") and status."""

    requests: Counter[str] = field(default_factory=Counter)
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    throttled: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    #: Answers by token label and status (authenticated /api/v2 calls only): what each client of a pool used.
    tokens: dict[str, Counter[int]] = field(default_factory=dict)
    #: 429s of the rate limits themselves: "token" (a token's window was full) and "org" (the org's was).
    rate_limited: Counter[str] = field(default_factory=Counter)

    def count(self, endpoint: str, status: int, token: Token | None = None) -> None:
        self.requests[endpoint] += 1
        self.statuses.setdefault(endpoint, Counter())[status] += 1
        if status == 429:
            self.throttled += 1
        if token is not None:
            self.tokens.setdefault(token.label, Counter())[status] += 1

    def to_json(self) -> dict[str, Any]:
        return {
            "total": sum(self.requests.values()),
            "requests": dict(self.requests),
            "statuses": {endpoint: {str(s): n for s, n in c.items()} for endpoint, c in self.statuses.items()},
            "throttled": self.throttled,
            "rate_limited": {"token": self.rate_limited["token"], "org": self.rate_limited["org"]},
            "faults": dict(self.faults),
            "tokens": {label: _usage(c) for label, c in self.tokens.items()},
            "clients": _by_client(self.tokens),
        }


def _usage(statuses: Counter[int]) -> dict[str, Any]:
    return {
        "requests": sum(statuses.values()),
        "throttled": statuses[429],
        "statuses": {str(s): n for s, n in sorted(statuses.items())},
    }


def _by_client(tokens: dict[str, Counter[int]]) -> dict[str, dict[str, Any]]:
    """The per-token counts summed by OAuth client (a client renews its token; a pool holds one per client)."""
    clients: dict[str, Counter[int]] = {}
    for label, statuses in tokens.items():
        clients.setdefault(label.rpartition("#")[0], Counter()).update(statuses)
    return {client: _usage(statuses) for client, statuses in clients.items()}


class Runtime:
    """The state of one emulator instance."""

    def __init__(
        self, org: Org, config: EmulatorConfig, *, clock: Clock = SYSTEM_CLOCK, sleep: Sleep | None = None
    ) -> None:
        self.org = org
        self.directory = org.directory
        self.config = config
        self.clock: Clock = clock
        #: How injected latency waits: ``sleep`` when given, else the clock's own.
        self.sleep: Sleep = sleep or self.clock.sleep
        self.lock = threading.RLock()
        self.tokens: dict[str, Token] = {}
        self._issued: Counter[str] = Counter()
        #: The per-token and org-wide rate-limit windows (emulator.limits).
        self.limits = RateLimits(config)
        self.faults = FaultPlan(config.faults)
        #: The conversations as writes left them (listed ones copied, generated ones expanded when read).
        self.conversations = LiveConversations({})
        self.write_log: list[WriteRecord] = []
        self.stats = Stats()
        #: Analytics jobs, the start index and the query selections (emulator.analytics_index); a reset renews it.
        self.analytics = AnalyticsState()
        #: File that keeps accepted wrap-ups across restarts (the demo's "run it again" needs that); None: memory only.
        self.journal: Path | None = None
        #: The org's outbound wrap-up code mapping (emulator.outbound); a reset restores the org file's.
        self.outbound = OutboundMappings.initial(org)
        self.reset()

    def attach_journal(self, path: Path) -> int:
        """Restore the wrap-ups ``path`` holds, then append every accepted wrap-up to it; returns how many were restored."""
        self.journal = path
        return self._replay_journal()

    def journal_append(self, record: WriteRecord) -> None:
        if self.journal is None or record.code_id is None:
            return
        body: dict[str, Any] = record.body if isinstance(record.body, dict) else {}
        nested = body.get("wrapup")
        wrapup: dict[str, Any] = nested if isinstance(nested, dict) else body
        line = {
            "conversation_id": record.conversation_id,
            "participant_id": record.participant_id,
            "communication_id": record.communication_id,
            "code_id": record.code_id,
            "name": wrapup.get("name"),
            "notes": wrapup.get("notes"),
            "time": iso(record.time),
        }
        self.journal.parent.mkdir(parents=True, exist_ok=True)
        with self.journal.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")

    def _replay_journal(self) -> int:
        if self.journal is None or not self.journal.is_file():
            return 0
        self.analytics.changed()
        restored = 0
        for text in self.journal.read_text(encoding="utf-8").splitlines():
            try:
                line = json.loads(text)
            except json.JSONDecodeError:
                continue  # a torn last line after a crash
            conversation = self.conversations.for_write(str(line.get("conversation_id")))
            if conversation is None:
                continue
            participant = conversation.participant_by_id.get(str(line.get("participant_id")))
            found = conversation.communication_by_id.get(str(line.get("communication_id")))
            if participant is None:
                continue
            state = WrapupState(code=line.get("code_id"), name=line.get("name"), notes=line.get("notes"))
            participant.wrapup = state
            participant.wrapup_history.append(state)
            if found is not None:
                found[1].wrapup = state
            restored += 1
        return restored

    def reset(self) -> None:
        """Back to the org file's state: conversations, write log, counters, rate windows, fault sequence.

        Issued tokens stay valid, so a client in another process can carry on after a reset.
        """
        with self.lock:
            self.conversations = LiveConversations(self.org.fresh_conversations(), self.org.generator)
            self._replay_journal()
            self.write_log = []
            self.stats = Stats()
            self.analytics = AnalyticsState()
            self.outbound = OutboundMappings.initial(self.org)
            self.faults.reset()
            self.limits.reset()

    def time(self) -> float:
        """The emulated org's time, in unix seconds (token lives and rate windows are counted on it)."""
        return self.clock.time()

    def now(self) -> datetime:
        """The emulated org's time as an aware UTC datetime."""
        return utc_now(self.clock)

    def issue_token(self, client: OAuthClient) -> Token:
        """A new access token for ``client``; the fault config may shorten its life."""
        now = self.time()
        ttl = self.config.faults.token_ttl_seconds or client.token_ttl_seconds
        with self.lock:
            self._issued[client.client_id] += 1
            label = f"{client.client_id}#{self._issued[client.client_id]}"
            token = Token(secrets.token_urlsafe(32), client, issued_at=now, expires_at=now + ttl, label=label)
            self.tokens[token.value] = token
        return token
