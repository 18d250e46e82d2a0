"""The calls a grouping reader has already emitted, remembered compactly: exactly the last ``capacity`` of them.

A reader that groups rows into one record per call (the Five9 Call Log) must tell a row of a call it already emitted
from the first row of a new call, so it remembers the last ``EMITTED_MEMORY`` (50,000) emitted CALL IDs with the
ordinal of each call's last row. In an ``OrderedDict`` that cost about 240 bytes a call (a dict entry, a
linked-list node, two int objects): 12 MiB once full, most of what a ``replay plan`` of 100,000 records held beyond
one of 10,000 (issue 14: peak RSS 1.19x, and 1.11x for the mapping benchmark's stream). Here the same answers cost
about 20 bytes a call, so memory stays flat from the first thousand calls on:

- the newest calls sit in a small dict (at most ``CHUNK``);
- a full dict is frozen into a chunk: its integer keys sorted in an ``array('q')`` (text keys in a sorted list),
  with each key's ordinal and emission number beside it, searched with ``bisect``;
- a filter (one byte per slot, indexed by the key's hash) answers "never emitted" for nearly every new call
  without searching the chunks; sequential Five9 CALL IDs land in distinct slots, so for them it never answers
  "maybe" wrongly. A slot holds the number (1 or 2) of the last epoch (``capacity`` calls frozen) that marked
  it; when an epoch begins, the slots of the one before the last are cleared in one pass, so the filter never
  answers "no" for a call remembered and is never counted down key by key.

What is remembered is exactly what the ``OrderedDict`` remembered: the last ``capacity`` calls emitted. An entry
older than that is forgotten even while its chunk is still held; a chunk is dropped once all of it is forgotten,
so at most ``capacity + 2 * CHUNK`` entries are ever held.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import deque
from collections.abc import Sequence
from itertools import repeat
from typing import Any

__all__ = ["CHUNK", "EmittedIndex"]

#: Newest emitted calls kept in a dict before they are frozen into a sorted chunk.
CHUNK = 4096
_INT64 = (-(1 << 63), 1 << 63)
#: Filter bytes cleared at a time.
_SLICE = 1 << 16
#: Translation tables clearing the filter slots of epoch 1, of epoch 2.
_CLEAR = {bit: bytes(0 if i == bit else i for i in range(256)) for bit in (1, 2)}


def _kind(key: int | str) -> int:
    """Which sorted group of a chunk holds ``key``: 0 an int that fits an array, 1 text, 2 a larger int."""
    if type(key) is int:
        return 0 if _INT64[0] <= key < _INT64[1] else 2
    return 1


def _clear(counts: bytearray, table: bytes) -> None:
    """``counts`` translated by ``table`` in place, a slice at a time: a translated copy of the whole filter would
    raise the peak by its size (1 MiB) at every epoch."""
    for start in range(0, len(counts), _SLICE):
        counts[start : start + _SLICE] = counts[start : start + _SLICE].translate(table)


class _Group:
    """Keys of one kind, sorted (64-bit ints packed in an array), each with its ordinal and offset in the chunk."""

    __slots__ = ("keys", "offsets", "ordinals")

    def __init__(self, keys: list[Any], ordinals: list[int], picked: list[int], *, packed: bool) -> None:
        # Sorted by index, not as (key, index) pairs: no tuple per key, so freezing a chunk does not wake the
        # garbage collector thousands of times (that alone cost a Call Log read 20% of its speed).
        picked.sort(key=keys.__getitem__)
        chosen = list(map(keys.__getitem__, picked))
        self.keys: Sequence[Any] = array("q", chosen) if packed else chosen
        self.ordinals = array("q", map(ordinals.__getitem__, picked))
        self.offsets = array("I", picked)

    def find(self, key: int | str) -> tuple[int, int] | None:
        """(ordinal, offset in the chunk) of ``key``, if it is here."""
        keys = self.keys
        i = bisect_left(keys, key)
        if i < len(keys) and keys[i] == key:
            return self.ordinals[i], self.offsets[i]
        return None


class _Chunk:
    """``size`` calls emitted in a row from emission number ``base`` on, sorted by key for ``bisect``."""

    __slots__ = ("base", "groups", "size")

    def __init__(self, base: int, entries: dict[int | str, int]) -> None:
        self.base = base
        self.size = len(entries)
        keys: list[Any] = list(entries)
        ordinals = list(entries.values())
        kinds: dict[int, list[int]]
        if set(map(type, keys)) == {int} and _INT64[0] <= min(keys) and max(keys) < _INT64[1]:
            kinds = {0: list(range(len(keys)))}  # Five9 CALL IDs: one packed group
        else:
            kinds = {}
            for i, key in enumerate(keys):
                kinds.setdefault(_kind(key), []).append(i)
        self.groups = {kind: _Group(keys, ordinals, picked, packed=kind == 0) for kind, picked in kinds.items()}

    def find(self, key: int | str) -> tuple[int, int] | None:
        """(ordinal, emission number) of ``key`` in this chunk, if it is here."""
        group = self.groups.get(_kind(key))
        hit = group.find(key) if group is not None else None
        return (hit[0], self.base + hit[1]) if hit is not None else None


class EmittedIndex:
    """Key (a compact CALL ID) -> ordinal of the call's last row, for the last ``capacity`` calls ``add``-ed.

    ``add`` takes a key ``get`` does not find (a call is emitted once while it is remembered); ``get`` answers
    as an ``OrderedDict`` trimmed to its last ``capacity`` insertions would."""

    def __init__(self, capacity: int, *, chunk: int = CHUNK) -> None:
        self.capacity = max(0, capacity)
        #: Calls per chunk; never more than ``capacity``, so everything in ``_recent`` is remembered.
        self.chunk = max(1, min(chunk, self.capacity))
        self._recent: dict[int | str, int] = {}
        self._frozen = 0  # calls emitted before those in _recent
        self._chunks: deque[_Chunk] = deque()  # oldest first
        # The filter: per slot, bit 1 or 2 set by a key of a chunk frozen in the epoch of that bit. An epoch ends
        # once ``capacity`` calls were frozen in it; the bit of the one before is then cleared for the next, so
        # the two epochs the filter holds cover every chunk still remembered (never a false "no"), at ~1/8 of
        # the slots taken.
        slots = 1 << max(10, (16 * self.capacity).bit_length())
        self._filter = bytearray(slots)
        self._mask = slots - 1
        self._bit = 1
        self._epoch = 0  # calls frozen before the current epoch

    @property
    def emitted(self) -> int:
        """Calls ``add``-ed so far."""
        return self._frozen + len(self._recent)

    @property
    def held(self) -> int:
        """Entries held in memory (remembered or not yet dropped): at most ``capacity + 2 * chunk``."""
        return len(self._recent) + sum(c.size for c in self._chunks)

    def get(self, key: int | str) -> int | None:
        """The ordinal ``add``-ed with ``key``, if it is among the last ``capacity`` calls emitted."""
        found = self._recent.get(key)
        if found is None and self._filter[hash(key) & self._mask]:
            return self._search(key)
        return found

    def __getitem__(self, key: int | str) -> int:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def add(self, key: int | str, ordinal: int) -> None:
        """Remember that the call ``key`` was emitted, its last row at ``ordinal``."""
        recent = self._recent
        recent[key] = ordinal
        if len(recent) >= self.chunk:
            self._freeze()

    def _search(self, key: int | str) -> int | None:
        """``key`` in the chunks, newest first (the filter said it may be there)."""
        oldest = self.emitted - self.capacity  # emission numbers below this are forgotten
        for chunk in reversed(self._chunks):
            if chunk.base + chunk.size <= oldest:
                return None
            hit = chunk.find(key)
            if hit is not None:  # the newest entry of the key: an older one is forgotten too
                return hit[0] if hit[1] >= oldest else None
        return None

    def _freeze(self) -> None:
        """``_recent`` becomes the newest chunk, marked in the filter; chunks wholly forgotten are dropped."""
        if self._frozen - self._epoch >= self.capacity:  # a new epoch: the one before the last is forgotten
            self._epoch = self._frozen
            self._bit ^= 3
            _clear(self._filter, _CLEAR[self._bit])
        chunk = _Chunk(self._frozen, self._recent)
        self._frozen += chunk.size
        self._recent = {}
        self._chunks.append(chunk)
        # Each key's slot takes this epoch's bit (in C: a loop in Python costs more than the rest of the index).
        # It may replace the bit of the epoch before, which is cleared later than this one's: still never "no".
        counts, mark = self._filter, self._mask.__and__
        for group in chunk.groups.values():
            deque(map(counts.__setitem__, map(mark, map(hash, group.keys)), repeat(self._bit)), maxlen=0)
        oldest = self.emitted - self.capacity
        chunks = self._chunks
        while chunks and chunks[0].base + chunks[0].size <= oldest:
            chunks.popleft()
