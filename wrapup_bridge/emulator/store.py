"""The conversations of an org by id: those the file lists, held, and those its ``generate:`` block describes,
expanded when asked for and forgotten after, unless written to.

``Conversations`` is the org's (read-only) view; ``LiveConversations`` is one running emulator's: its listed
conversations are private copies that writes change, and a generated conversation that a write reaches is kept
from then on (an overlay), so a later read, analytics included, sees the write. A million generated conversations
therefore cost memory only for the ones written to. Both are ``Mapping``s; iterating one walks every id, generated
ones included, which request handling never does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from wrapup_bridge.emulator.generate import Generator
from wrapup_bridge.emulator.state import ConversationState

__all__ = ["Conversations", "LiveConversations", "Ref"]

#: A conversation as a selection holds it: a listed one (or any held state), or the ``n`` of a generated one.
Ref = ConversationState | int


class Conversations(Mapping[str, ConversationState]):
    """Listed conversations and generated ones by (lower-case) id; a generated one is a new object at each read."""

    def __init__(self, listed: dict[str, ConversationState], generator: Generator | None = None) -> None:
        self.listed = listed
        self.generator = generator

    def __getitem__(self, conversation_id: str) -> ConversationState:
        found = self.listed.get(conversation_id)
        if found is not None:
            return found
        n = self.generator.index_of(conversation_id) if self.generator is not None else None
        if n is None:
            raise KeyError(conversation_id)
        return self.generated(n)

    def __contains__(self, conversation_id: object) -> bool:
        if not isinstance(conversation_id, str):
            return False
        if conversation_id in self.listed:
            return True
        return self.generator is not None and self.generator.index_of(conversation_id) is not None

    def __len__(self) -> int:
        return len(self.listed) + (self.generator.count if self.generator is not None else 0)

    def __iter__(self) -> Iterator[str]:
        yield from self.listed
        if self.generator is not None:
            for n in range(1, self.generator.count + 1):
                yield self.generator.id_of(n)

    def generated(self, n: int) -> ConversationState:
        """Generated conversation ``n`` as it stands."""
        assert self.generator is not None
        return self.generator.expand(n)

    def resolve(self, ref: Ref) -> ConversationState:
        return self.generated(ref) if isinstance(ref, int) else ref


class LiveConversations(Conversations):
    """One emulator run's conversations: private copies of the listed ones, generated ones on demand, and the
    generated ones written to (``written``), kept from their first write until a reset."""

    def __init__(self, listed: dict[str, ConversationState], generator: Generator | None = None) -> None:
        super().__init__(listed, generator)
        self.written: dict[int, ConversationState] = {}

    def generated(self, n: int) -> ConversationState:
        kept = self.written.get(n)
        return kept if kept is not None else super().generated(n)

    def for_write(self, conversation_id: str) -> ConversationState | None:
        """The conversation a write is about to change (kept from now on if it is generated), or None."""
        found = self.listed.get(conversation_id)
        if found is not None:
            return found
        n = self.generator.index_of(conversation_id) if self.generator is not None else None
        if n is None:
            return None
        kept = self.written.get(n)
        if kept is None:
            kept = self.written[n] = super().generated(n)
        return kept
