"""Loading a table pauses the cyclic garbage collector (a third of a big table's load was its passes) and always
gives it back as it was: after a table, after a broken table, and left off when it was off."""

from __future__ import annotations

import gc

import pytest

from tests.conftest import MAPPINGS
from wrapup_bridge.core.mapping import MappingTable, MappingTableError
from wrapup_bridge.core.mapping import table as table_module

TEXT = (MAPPINGS / "five9.yaml").read_text(encoding="utf-8")


def test_the_collector_is_paused_while_a_table_loads_and_back_after(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    real = MappingTable._prepare_known

    def spying(table: MappingTable) -> None:
        seen.append(gc.isenabled())
        real(table)

    monkeypatch.setattr(table_module.MappingTable, "_prepare_known", spying)
    assert gc.isenabled()
    MappingTable.from_text(TEXT)
    assert seen == [False] and gc.isenabled()
    with pytest.raises(MappingTableError):
        MappingTable.from_text(TEXT.replace("version: 1", "version: 2"))
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        MappingTable.from_text(TEXT)
        assert not gc.isenabled()
    finally:
        gc.enable()
