"""``services.authoring.init``: one streamed pass over any History (memory flat in the record count), the proposed
table loaded back by the real loader, the comparison, the ``source:`` settings that read the same exports, and a
synonyms file that cannot be used named with its line."""

from __future__ import annotations

import gc
import random
import tracemalloc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import MAPPINGS
from wrapup_bridge.adapters import AdapterOptions, FieldMap
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.mapping import load_mapping
from wrapup_bridge.core.review.orgview import CatalogCode, OrgCatalog
from wrapup_bridge.services.authoring.init import load_synonyms, propose_table, source_settings
from wrapup_bridge.services.inputs import OptionError

CATALOG = OrgCatalog.build(
    [
        CatalogCode("0dd6a32c-c059-4534-97bf-c82d73d9c869", "Sale"),
        CatalogCode("0b1f3790-be06-42fd-9aaf-6ec4a380626b", "Callback Scheduled"),
        CatalogCode("46d1d9af-3dd4-40f3-951b-c8cc9eddb5e7", "No Answer"),
    ],
    [],
    source="a test org",
    fingerprint="sha256:test",
)
VALUES = ["Sale", "SALE", "Call Back", "No Answer", "no-answer", "No Disposition", "Zebra"]


@dataclass
class Generated:
    """A History of ``n`` records made as they are read: nothing is held."""

    n: int
    seed: int = 1
    rejected: int = 0

    @property
    def inputs(self) -> Sequence[str]:
        return ("generated",)

    def __iter__(self) -> Iterator[Disposition]:
        rng = random.Random(self.seed)
        for i in range(self.n):
            yield Disposition(source="five9", source_id=str(i), code=rng.choice(VALUES), fields={"campaign": "Sales"})


def test_one_pass_gives_a_table_that_loads_and_decides_as_proposed() -> None:
    result = propose_table(Generated(1_000), CATALOG, platform="five9", synonyms=load_synonyms(), name="t.yaml")
    assert result.records == 1_000 and result.table.name == "t.yaml"
    labels = {p.value.normalized: p.label for p in result.proposals}
    assert labels == {
        "sale": "code-high",
        "call back": "code-high",
        "no answer": "code-high",
        "no-answer": "code-high",
        "no disposition": "skip",
        "zebra": "todo",
    }
    assert sum(result.record_counts.values()) == 1_000
    assert result.counts == {"code-high": 4, "code-low": 0, "skip": 1, "todo": 1}
    data = result.to_dict()
    assert data["distinct_values"] == 6 and data["comparison"] is None
    assert data["values"][0]["spellings"][0]["count"] > 0


def test_the_comparison_is_made_in_the_same_pass() -> None:
    table = load_mapping(MAPPINGS / "five9.yaml")
    result = propose_table(Generated(500), CATALOG, platform="five9", compare=table)
    assert result.comparison is not None and result.comparison.records == 500
    naive = sum(
        1
        for record in Generated(500)
        if (a := table.resolve(record)).kind == (b := result.table.resolve(record)).kind
        and (a.code.id if a.code else None) == (b.code.id if b.code else None)
    )
    assert result.comparison.agreed == naive


def test_memory_is_flat_in_the_record_count() -> None:
    def peak(n: int) -> int:
        tracemalloc.start()
        try:
            propose_table(Generated(n), CATALOG, platform="five9")
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    peak(100)  # caches warm
    # tracemalloc's peak counts every thread of the process: under xdist a worker may still run an earlier test's
    # server or loop thread, so each side is the least of a few runs (a held record per row would show in all).
    gc.collect()
    small = min(peak(5_000) for _ in range(2))
    large = min(peak(40_000) for _ in range(3))
    assert large <= small * 1.1 + 64 * 1024, (small, large)


def test_source_settings_read_the_same_exports(tmp_path: Path) -> None:
    side = tmp_path / "side" / "dispositions.json"
    options = AdapterOptions(
        conversation_id_field="GENESYS ID",
        format="call-log",
        catalog=str(side),
        timezone="Europe/London",
        fields=FieldMap({"code": ("DISPO",), "time": ("DATE+TIME", "TS")}),
        date_order="dmy",
        encoding="cp1252",
    )
    settings = source_settings(options, relative_to=tmp_path / "tables")
    assert settings == {
        "format": "call-log",
        "conversation_id": "GENESYS ID",
        "fields": {"code": "DISPO", "time": ["DATE+TIME", "TS"]},
        "timezone": "Europe/London",
        "date_order": "dmy",
        "catalog": "../side/dispositions.json",
        "encoding": "cp1252",
    }
    assert source_settings(AdapterOptions()) == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 1\ngroups:\n  - concept: a\n    why: w\n    phrases: [x]\n", ":3: group 1 (a): 'phrases'"),
        ("version: 1\ngroups: [\n", ":3: not YAML"),
        ("version: 1\nversion: 1\ngroups: []\n", ":2: duplicate key"),
        ("groups: []\n", ":1: a synonyms file is a mapping"),
        (
            "version: 1\ngroups:\n  - {concept: a, why: w, phrases: [x y, z]}\n  - {concept: b, why: w, phrases: [X  Y, v]}\n",
            "phrase 'X  Y' is already in group 'a'",
        ),
    ],
)
def test_a_synonyms_file_that_cannot_be_used_names_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OptionError) as caught:
        load_synonyms(path)
    assert str(caught.value).startswith(str(path)) or f"{path}" in str(caught.value)
    assert message in str(caught.value)


def test_an_unreadable_synonyms_file_is_an_option_error(tmp_path: Path) -> None:
    with pytest.raises(OptionError, match="cannot read the synonyms file"):
        load_synonyms(tmp_path / "missing.yaml")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"version: 1\ngroups: []  # caf\xe9\n")
    with pytest.raises(OptionError, match="not UTF-8"):
        load_synonyms(latin)


def test_a_user_list_replaces_the_shipped_one(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "version: 1\ngroups:\n  - concept: sale\n    why: Our agents say closed for a sale.\n    phrases: [sale, closed]\n",
        encoding="utf-8",
    )
    mine = load_synonyms(path)
    history = [Disposition(source="five9", source_id="1", code="Closed")]

    @dataclass
    class Listed:
        records: list[Disposition]
        rejected: int = 0
        inputs: tuple[str, ...] = ("list",)

        def __iter__(self) -> Iterator[Disposition]:
            return iter(self.records)

    (proposal,) = propose_table(Listed(history), CATALOG, platform="five9", synonyms=mine).proposals
    assert proposal.code is not None and proposal.code.name == "Sale"
    (shipped,) = propose_table(Listed(history), CATALOG, platform="five9", synonyms=load_synonyms()).proposals
    assert shipped.code is None
