"""A selection of conversations in order that looks each one up only when it is read.

A details query over a busy day of a generated org selects tens of thousands of conversations and renders one
page of them; a job selects a week and hands it out a page at a time. ``Picked`` holds what it selected as
references (a listed conversation's state, or a generated conversation's ``n``: store.Ref), often as a bare range
of ``n``, and resolves a reference through the run's conversations when it is read, so a write made after the
selection is seen and nothing unread is ever expanded.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Protocol

from wrapup_bridge.emulator.state import ConversationState
from wrapup_bridge.emulator.store import Conversations, Ref

__all__ = ["Concat", "Merged", "Picked", "Refs"]


class Refs(Protocol):
    """What a selection is made of: a list of refs, a ``range`` of ``n``, or the classes below."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int, /) -> Ref: ...


class Concat:
    """Some ``n`` (a list) followed by a ``range`` of them."""

    def __init__(self, head: Sequence[int], tail: range) -> None:
        self._head, self._tail = head, tail

    def __len__(self) -> int:
        return len(self._head) + len(self._tail)

    def __getitem__(self, index: int) -> int:
        if index < 0:
            index += len(self)
        return self._head[index] if index < len(self._head) else self._tail[index - len(self._head)]


class Merged:
    """Listed conversations and generated ones, each already in (start, id) order, in that order together.

    Each listed conversation's place among the generated ones is found by bisection (``key`` gives a generated
    conversation's (start, id) without expanding it), so the merge costs a few keys per listed conversation."""

    def __init__(
        self, listed: Sequence[ConversationState], generated: Refs, key: Callable[[int], tuple[datetime, str]]
    ) -> None:
        self._listed, self._generated = listed, generated

        def key_of(ref: Ref) -> tuple[datetime, str]:
            assert isinstance(ref, int)
            return key(ref)

        #: Where listed conversation j sits in the merged order.
        self._at = [bisect.bisect_left(generated, (c.start_time, c.id), key=key_of) + j for j, c in enumerate(listed)]

    def __len__(self) -> int:
        return len(self._listed) + len(self._generated)

    def __getitem__(self, index: int) -> Ref:
        if index < 0:
            index += len(self)
        j = bisect.bisect_left(self._at, index)
        if j < len(self._at) and self._at[j] == index:
            return self._listed[j]
        return self._generated[index - j]


class Picked:
    """Conversations selected in order: ``len``, ``page``, iteration (each resolved when reached), ``head``,
    ``reversed`` and ``where`` (a filtered selection keeps references, not states)."""

    def __init__(self, conversations: Conversations, refs: Refs, positions: range | None = None) -> None:
        self._conversations = conversations
        self._refs = refs
        self._positions = positions if positions is not None else range(len(refs))

    def __len__(self) -> int:
        return len(self._positions)

    def refs(self) -> Iterator[Ref]:
        refs = self._refs
        for position in self._positions:
            yield refs[position]

    def __iter__(self) -> Iterator[ConversationState]:
        resolve = self._conversations.resolve
        for ref in self.refs():
            yield resolve(ref)

    def page(self, first: int, size: int) -> list[ConversationState]:
        """Conversations ``first`` .. ``first + size - 1`` (fewer at the end), resolved now."""
        resolve, refs = self._conversations.resolve, self._refs
        return [resolve(refs[position]) for position in self._positions[first : first + size]]

    def head(self, limit: int | None) -> Picked:
        return self if limit is None else Picked(self._conversations, self._refs, self._positions[:limit])

    def reversed(self) -> Picked:
        return Picked(self._conversations, self._refs, self._positions[::-1])

    def where(self, test: Callable[[Ref], bool]) -> Picked:
        """Those whose reference passes ``test`` now (``test`` resolves what it needs to), in the same order."""
        return Picked(self._conversations, [ref for ref in self.refs() if test(ref)])
