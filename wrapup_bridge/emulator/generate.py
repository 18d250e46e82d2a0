"""Conversations that an org file's ``generate:`` block describes instead of listing: conversation ``n`` is drawn
from (seed, n) each time it is asked for, so a million of them cost nothing until read.

Each is a compact conversation (``orgfile.CompactConversationSpec``) expanded by the same code as a listed one
(``expand.expand_compact``), realism included, so GET, analytics and writes render it exactly as they would the
same conversation written out in the file. Its id is ``{id_prefix}-{n:012d}``, so an id names its ``n`` and ids
sort as ``n`` does; starts never decrease with ``n`` (``profile``), so the conversations that started in an interval
are a range of ``n`` found by bisection. Draws come from BLAKE2b of the seed and ``n``: the same block gives the
same conversations, byte for byte, in any process and on any Python.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Literal, TypeVar

from wrapup_bridge.core.disposition import Media
from wrapup_bridge.emulator.directory import Directory, Problem, Queue, User
from wrapup_bridge.emulator.expand import expand_compact
from wrapup_bridge.emulator.orgfile import (
    CompactConversationSpec,
    GeneratedQueueSpec,
    GenerateSpec,
    RealismSpec,
    template_parts,
)
from wrapup_bridge.emulator.profile import ArrivalProfile, utc_of
from wrapup_bridge.emulator.state import ConversationState
from wrapup_bridge.emulator.yamlpos import KeyPath

__all__ = ["Generator", "Outline", "build_generator"]

T = TypeVar("T")
_WHERE: KeyPath = ("generate",)
_U32 = 2.0**32
_U64 = 2.0**64
#: The ``n``-th 32-bit draw of a conversation's content digest decides:
_MEDIA, _QUEUE, _AGENT, _ANSWERED, _OUTBOUND, _WRAPPED, _CODE, _TAGGED = range(8)
#: ... and its bytes 48..56 pick the customer.
_CUSTOMER_BYTES = slice(48, 56)


class _Pool(Generic[T]):
    """A weighted choice driven by a draw in [0, 1)."""

    def __init__(self, entries: Sequence[tuple[T, float]]) -> None:
        self.items = [item for item, weight in entries if weight > 0]
        self._bounds: list[float] = []
        total = 0.0
        for _, weight in entries:
            if weight > 0:
                total += weight
                self._bounds.append(total)
        self._total = total

    def __bool__(self) -> bool:
        return bool(self.items)

    def pick(self, draw: float) -> T:
        return self.items[min(bisect.bisect_right(self._bounds, draw * self._total), len(self.items) - 1)]


@dataclass(frozen=True)
class Outline:
    """What a generated conversation is, drawn without expanding it: what no write changes (a details query's
    filters on these need no expansion; tests hold them to what the expansion renders)."""

    id: str
    media: Media
    queue_id: str
    division_id: str
    direction: Literal["inbound", "outbound"]
    customer: str
    #: The customer's numbers as every voice session carries them (None for other media).
    ani: str | None
    dnis: str | None
    external_tag: str | None
    tagged: bool


@dataclass(frozen=True)
class _Routing:
    """A queue of the pool: where its calls were dialled and who answers them."""

    queue: Queue
    number: str | None
    agents: _Pool[User]


class _Text:
    """A compiled ``{n}`` template."""

    def __init__(self, template: str) -> None:
        self._parts = template_parts(template)

    def fill(self, n: int) -> str:
        return "".join(text + (format(n, spec) if spec is not None else "") for text, spec in self._parts)


def _weighted(refs: Sequence[str] | Mapping[str, float]) -> list[tuple[str, float]]:
    if isinstance(refs, Mapping):
        return [(ref, float(weight)) for ref, weight in refs.items()]
    return [(ref, 1.0) for ref in refs]


def _resolve_users(
    refs: Sequence[str] | Mapping[str, float], directory: Directory, where: KeyPath, problems: list[Problem]
) -> _Pool[User]:
    entries: list[tuple[User, float]] = []
    for i, (ref, weight) in enumerate(_weighted(refs)):
        found = directory.users.resolve(ref)
        if isinstance(found, str):
            problems.append(((*where, ref if isinstance(refs, Mapping) else i), found))
        else:
            entries.append((found, weight))
    return _Pool(entries)


def build_generator(
    spec: GenerateSpec, directory: Directory, org_realism: RealismSpec | None
) -> tuple[Generator | None, list[Problem]]:
    """The generator of ``spec`` with its references resolved, or None and the problems (key paths under
    ``generate``) that keep it from being built."""
    problems: list[Problem] = []
    block_agents = (
        _resolve_users(spec.agents, directory, (*_WHERE, "agents"), problems)
        if spec.agents is not None
        else _Pool([(user, 1.0) for user in directory.users.by_id.values()])
    )
    queue_refs: Mapping[str, float | GeneratedQueueSpec] = (
        spec.queues if spec.queues is not None else {q.id: 1.0 for q in directory.queues.by_id.values()}
    )
    routings: list[tuple[_Routing, float]] = []
    for ref, entry in queue_refs.items():
        where: KeyPath = (*_WHERE, "queues", ref)
        found = directory.queues.resolve(ref)
        if isinstance(found, str):
            problems.append((where, found))
            continue
        settings = entry if isinstance(entry, GeneratedQueueSpec) else GeneratedQueueSpec(weight=entry)
        agents = (
            _resolve_users(settings.agents, directory, (*where, "agents"), problems)
            if settings.agents is not None
            else block_agents
        )
        if not agents and spec.unanswered < 1:
            problems.append((where, "no user (with a weight above 0) answers this queue; list agents: or set "
                             "unanswered: 1"))  # fmt: skip
        routings.append((_Routing(found, settings.number, agents), settings.weight))
    queues = _Pool(routings)
    if not queues and not problems:
        problems.append(((*_WHERE, "queues"), "no queue (with a weight above 0) to route generated conversations to"))
    if spec.wrapped > 0 and queues and not any(r.queue.code_ids for r in queues.items):
        problems.append(((*_WHERE, "wrapped"), "no queue of the pool has wrap-up codes assigned to draw from"))
    try:
        profile = ArrivalProfile(spec.period.start, spec.period.end, spec.timezone, spec.daily, spec.hourly)
    except ValueError as exc:
        problems.append(((*_WHERE, "period"), str(exc)))
    if problems:
        return None, problems
    realism = org_realism if spec.realism is None else (spec.realism or None)
    return Generator(spec, directory, realism, profile, queues), []


class Generator:
    """Conversations 1..count of a ``generate:`` block, each expanded on demand (nothing is kept)."""

    def __init__(
        self,
        spec: GenerateSpec,
        directory: Directory,
        realism: RealismSpec | None,
        profile: ArrivalProfile,
        queues: _Pool[_Routing],
    ) -> None:
        self.spec = spec
        self.count = spec.count
        self.directory = directory
        self.realism = realism
        self.profile = profile
        self._queues = queues
        self._media = _Pool(list(spec.media.items()))
        self._prefix = spec.id_prefix + "-"
        self._salt = f"wrapup-bridge generate {spec.seed}:".encode()
        self._customers = spec.customers or spec.count
        self._attributes = {name: _Text(template) for name, template in spec.attributes.items()}
        self._tag = _Text(spec.external_tag) if spec.external_tag is not None else None
        duration = spec.duration
        self._min_ms = duration.min_seconds * 1000
        self._mean_tail_ms = (duration.mean_seconds - duration.min_seconds) * 1000
        self._span_ms = (duration.max_seconds - duration.min_seconds) * 1000
        #: The longest a generated conversation lasts, in ms: one active at an instant started at most this before.
        self.longest_ms = math.ceil(duration.max_seconds * 1000)

    # --- ids ----------------------------------------------------------------------------------------------------
    def id_of(self, n: int) -> str:
        return f"{self._prefix}{n:012d}"

    def index_of(self, conversation_id: str) -> int | None:
        """The ``n`` whose id ``conversation_id`` is (lower case), or None when it is not a generated id."""
        prefix = self._prefix
        if len(conversation_id) != len(prefix) + 12 or not conversation_id.startswith(prefix):
            return None
        tail = conversation_id[len(prefix) :]
        if not (tail.isascii() and tail.isdigit()):
            return None
        n = int(tail)
        return n if 1 <= n <= self.count else None

    # --- times: one small digest per conversation ---------------------------------------------------------------
    def _times(self, n: int) -> tuple[int, int]:
        """(start, end) of conversation ``n`` in unix ms."""
        digest = hashlib.blake2b(self._salt + b"t" + n.to_bytes(8, "big"), digest_size=16).digest()
        jitter, length = struct.unpack(">QQ", digest)
        start = self.profile.instant_ms((n - 1 + jitter / _U64) / self.count)
        tail = 0.0
        if self._mean_tail_ms > 0 and self._span_ms > 0:
            # An exponential of mean ``_mean_tail_ms`` cut at ``_span_ms`` (inverse of its distribution function).
            cut = -math.expm1(-self._span_ms / self._mean_tail_ms)
            tail = -self._mean_tail_ms * math.log1p(-(length / _U64) * cut)
        return start, start + round(self._min_ms + min(tail, self._span_ms))

    def start_ms(self, n: int) -> int:
        return self._times(n)[0]

    def end_ms(self, n: int) -> int:
        return self._times(n)[1]

    def key(self, n: int) -> tuple[datetime, str]:
        """The (start, id) that orders conversations everywhere in the emulator."""
        return utc_of(self._times(n)[0]), self.id_of(n)

    def started_between(self, low_ms: int, high_ms: int) -> range:
        """The ``n`` that started in [low_ms, high_ms), in order."""
        every = range(1, self.count + 1)
        first = bisect.bisect_left(every, low_ms, key=self.start_ms)
        last = bisect.bisect_left(every, high_ms, lo=first, key=self.start_ms)
        return range(first + 1, last + 1)

    # --- content ------------------------------------------------------------------------------------------------
    def _drawn(self, n: int) -> tuple[list[float], bytes]:
        digest = hashlib.blake2b(self._salt + b"c" + n.to_bytes(8, "big"), digest_size=64).digest()
        return [value / _U32 for value in struct.unpack(">16L", digest)], digest

    def _outline(self, n: int, draw: list[float], digest: bytes) -> tuple[Outline, _Routing]:
        routing = self._queues.pick(draw[_QUEUE])
        media = self._media.pick(draw[_MEDIA])
        outbound = draw[_OUTBOUND] < self.spec.outbound
        customer = _address(media, int.from_bytes(digest[_CUSTOMER_BYTES], "big") % self._customers + 1)
        tagged = draw[_TAGGED] < self.spec.tagged
        voice = media is Media.VOICE
        outline = Outline(
            id=self.id_of(n),
            media=media,
            queue_id=routing.queue.id,
            division_id=routing.queue.division_id,
            direction="outbound" if outbound else "inbound",
            customer=customer,
            # The compact form's defaults: the customer is the ani of an inbound call and the dnis of an outbound one.
            ani=(routing.number if outbound else customer) if voice else None,
            dnis=(customer if outbound else routing.number) if voice else None,
            external_tag=self._tag.fill(n) if tagged and self._tag is not None else None,
            tagged=tagged,
        )
        return outline, routing

    def outline(self, n: int) -> Outline:
        """What conversation ``n`` is without expanding it (a details query's filters read it first)."""
        return self._outline(n, *self._drawn(n))[0]

    def compact(self, n: int) -> CompactConversationSpec:
        """Conversation ``n`` as the compact form would state it."""
        spec = self.spec
        draw, digest = self._drawn(n)
        outline, routing = self._outline(n, draw, digest)
        start_ms, end_ms = self._times(n)
        queue = routing.queue
        answered = draw[_ANSWERED] >= spec.unanswered and bool(routing.agents)
        agent = routing.agents.pick(draw[_AGENT]) if answered else None
        code = None
        if agent is not None and draw[_WRAPPED] < spec.wrapped and queue.code_ids:
            code = queue.code_ids[min(int(draw[_CODE] * len(queue.code_ids)), len(queue.code_ids) - 1)]
        voice, outbound = outline.media is Media.VOICE, outline.direction == "outbound"
        return CompactConversationSpec.model_construct(
            id=outline.id,
            media=outline.media,
            queue=queue.id,
            agent=agent.id if agent is not None else None,
            customer=outline.customer,
            direction=outline.direction,
            ani=routing.number if voice and outbound else None,
            dnis=routing.number if voice and not outbound else None,
            start=utc_of(start_ms),
            end=utc_of(end_ms),
            wrapup=code,
            external_tag=outline.external_tag,
            attributes={name: text.fill(n) for name, text in self._attributes.items()} if outline.tagged else {},
        )

    def expand(self, n: int) -> ConversationState:
        """Conversation ``n`` in its initial state, indexed: a new object each time (the caller may keep it)."""
        problems: list[Problem] = []
        state = expand_compact(self.compact(n), self.directory, self.realism, _WHERE, problems)
        if state is None or problems:  # pragma: no cover - references were resolved when the block was read
            raise AssertionError(f"generated conversation {n} did not expand: {problems}")
        state.index()
        return state


def _address(media: Media, customer: int) -> str:
    """Customer ``customer``'s address for ``media``: the same person has the same number on every medium."""
    if media is Media.EMAIL:
        return f"customer{customer}@example.net"
    if media in (Media.SOCIAL, Media.VIDEO):
        return f"customer{customer}"
    return f"tel:+1{2_000_000_000 + customer % 8_000_000_000:010d}"
