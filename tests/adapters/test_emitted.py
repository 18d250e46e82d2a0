"""EmittedIndex: the Five9 Call Log reader's memory of emitted calls answers exactly as the OrderedDict it replaced
(the last ``capacity`` calls, whatever their keys), holds a bounded number of entries, and costs a fraction of the
memory (issue 14: a replay plan's peak RSS grew with the record count because of it)."""

from __future__ import annotations

import io
import tracemalloc
from collections import OrderedDict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wrapup_bridge.adapters.five9.call_log as call_log
from wrapup_bridge.adapters._emitted import EmittedIndex
from wrapup_bridge.adapters.base import Five9RecordError
from wrapup_bridge.adapters.five9 import Five9Adapter
from wrapup_bridge.core.disposition import Disposition

KEYS = st.one_of(
    st.integers(0, 40),
    st.integers(300000010000000, 300000010000040),
    st.integers(-(2**63), -(2**63) + 3),  # the ends of what an array packs
    st.integers(2**63 - 3, 2**63 + 3),  # and just past them
    st.sampled_from(["A-1", "A-2", "b", "", "300000010000001"]),
    st.integers(0, 3).map(lambda i: i << 20),  # one filter slot for them all (2**20 slots at 50,000)
)


class Model:
    """What the Five9 reader did before: an OrderedDict trimmed to its last ``capacity`` insertions."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.entries: OrderedDict[int | str, int] = OrderedDict()

    def get(self, key: int | str) -> int | None:
        return self.entries.get(key)

    def add(self, key: int | str, ordinal: int) -> None:
        self.entries[key] = ordinal
        if len(self.entries) > self.capacity:
            self.entries.popitem(last=False)


@settings(max_examples=300, deadline=None)
@given(
    capacity=st.integers(0, 30),
    chunk=st.integers(1, 12),
    keys=st.lists(KEYS, max_size=400),
)
def test_it_answers_as_the_trimmed_ordered_dict(capacity: int, chunk: int, keys: list[int | str]) -> None:
    index, model = EmittedIndex(capacity, chunk=chunk), Model(capacity)
    for ordinal, key in enumerate(keys):
        assert index.get(key) == model.get(key), (ordinal, key)
        if model.get(key) is None:  # as the reader does: a call is emitted when it is not remembered
            index.add(key, ordinal)
            model.add(key, ordinal)
        assert index.held <= capacity + 2 * index.chunk
    for key in set(keys):
        assert index.get(key) == model.get(key), key


def test_a_call_is_remembered_for_exactly_capacity_calls_however_many_chunks_that_spans() -> None:
    index = EmittedIndex(1000, chunk=64)
    for n in range(5000):
        index.add(300000010000000 + n, n)
    assert index.emitted == 5000
    remembered = [n for n in range(5000) if index.get(300000010000000 + n) is not None]
    assert remembered == list(range(4000, 5000))
    assert index[300000010004321] == 4321
    with pytest.raises(KeyError):
        index[300000010003999]


def test_the_entries_held_stay_bounded_however_many_calls_pass() -> None:
    index = EmittedIndex(1000, chunk=64)
    most = 0
    for n in range(200_000):
        if index.get(n * 7919 % 1_000_003) is None:  # keys in no order
            index.add(n * 7919 % 1_000_003, n)
        most = max(most, index.held)
    assert most <= 1000 + 2 * 64


def test_fifty_thousand_remembered_calls_cost_a_fraction_of_the_ordered_dict() -> None:
    """About 20 bytes a call plus a 1 MiB filter, where the OrderedDict took ~240 bytes with its keys (12 MiB in
    the reader, which makes each key)."""
    keys = [300000010000000 + n for n in range(60_000)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        index = EmittedIndex(50_000)
        for n, key in enumerate(keys):
            index.add(key, n)
        index_bytes = tracemalloc.get_traced_memory()[0] - before
        before = tracemalloc.get_traced_memory()[0]
        model = Model(50_000)
        for n, key in enumerate(keys):
            model.add(key, n)
        model_bytes = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert index.get(keys[-1]) == 59_999 and index.get(keys[9_999]) is None
    assert index_bytes < 5 << 19, index_bytes  # 2.5 MiB: the filter (1 MiB), ~54,000 entries, the newest dict
    assert index_bytes * 2 < model_bytes, (index_bytes, model_bytes)  # the model's keys existed before it


# --------------------------------------------------------------------------------------- in the Five9 reader
HEADER = "CALL ID,TIMESTAMP,CAMPAIGN,CALL TYPE,AGENT,DISPOSITION\r\n"


def row(call: int, code: str = "Sale") -> str:
    return f'{300000010000000 + call},"Mon, 29 Sep 2025 09:{call % 60:02d}:00",C,Inbound,jdoe,{code}\r\n'


def test_the_reader_tells_a_late_row_within_its_memory_from_a_new_call_beyond_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the memory at 100 calls (chunks of 100): call 0 reappearing 90 calls later is a late row (an error
    naming it), call 1 reappearing 150 calls later is read as a new call, as the documented trade-off says."""
    monkeypatch.setattr(call_log, "EMITTED_MEMORY", 100)
    held: list[int] = []

    class Watched(EmittedIndex):
        def add(self, key: int | str, ordinal: int) -> None:
            super().add(key, ordinal)
            held.append(self.held)

    monkeypatch.setattr(call_log, "EmittedIndex", Watched)
    calls = [0, 1, *range(2, 92), 0, *range(92, 152), 1, *range(152, 3000)]
    text = HEADER + "".join(row(c, "Busy" if i in (92, 153) else "Sale") for i, c in enumerate(calls))
    results = list(Five9Adapter(window=2).read(io.StringIO(text), name="log.csv"))
    errors = [r for r in results if isinstance(r, Five9RecordError)]
    records = [r for r in results if isinstance(r, Disposition)]
    assert len(errors) == 1 and "300000010000000 reappeared" in errors[0].message, errors
    assert [r.code for r in records if r.source_id == "300000010000001"] == ["Sale", "Busy"]
    assert len(records) == 3000 + 1  # every call once, call 1 twice
    assert max(held) <= 100 + 2 * 100
