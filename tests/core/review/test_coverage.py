"""Coverage (core.review.Coverage): spellings bounded per value with the heavy one exact, distinct values beyond
the cap counted, and memory that does not grow with the number of records. The ``mapping coverage`` command is
tested in tests/cli/test_mapping_coverage.py."""

from __future__ import annotations

import gc
import json
import random
import subprocess
import sys
import tracemalloc

import pytest

from tests.conftest import MAPPINGS, ROOT
from tests.core.review.samples import generated
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.mapping import load_mapping
from wrapup_bridge.core.review import Coverage, DiffHistory
from wrapup_bridge.core.review.coverage import SPELLING_SLOTS


def test_spellings_stay_bounded_and_the_heavy_one_is_exact() -> None:
    table = load_mapping(MAPPINGS / "five9.yaml")
    coverage = Coverage(table)
    rng = random.Random(5)
    for i in range(5000):
        raw = "Payment Taken" if i % 2 else "".join(c.upper() if rng.random() < 0.5 else c for c in "payment taken")
        coverage.resolve(Disposition(source="five9", source_id=str(i), code=raw))
    [value] = coverage.summary().values
    assert value.count == 5000 and value.spellings_approximate
    assert value.spellings[0] == ("Payment Taken", 2500)  # space-saving keeps the frequent one, exactly
    assert len(coverage._values["payment taken"].spellings) == SPELLING_SLOTS


def test_distinct_values_beyond_the_cap_are_counted_not_listed() -> None:
    coverage = Coverage(load_mapping(MAPPINGS / "five9.yaml"), max_values=10)
    for i in range(100):
        coverage.resolve(Disposition(source="five9", source_id=str(i), code=f"free text {i % 40}"))
    summary = coverage.summary()
    assert summary.records == 100 and summary.kinds["unmapped"] == 100
    assert summary.distinct_values == 10 and summary.untracked_records == 70


#: Ten times the records: memory kept per record (a record, or a few bytes of one) would make the peak grow 1.5x
#: many times over; bounded structures keep it where it was (about 90 kB at both sizes).
SMALL, LARGE = 5_000, 50_000


def peak_bytes(n: int) -> tuple[int, int]:
    """Peak traced memory while coverage and a diff consume ``n`` freshly built records (nothing kept by the
    generator), and the number of unmapped records counted."""
    table = load_mapping(MAPPINGS / "five9.yaml")
    old = load_mapping(MAPPINGS / "five9.yaml")
    coverage, moves = Coverage(table), DiffHistory(old, table)
    records = (
        Disposition(source="five9", source_id=str(i), code=value, fields={"campaign": "Billing Inbound"})
        for i, (value, _) in enumerate(generated(n))
    )
    gc.collect()
    tracemalloc.start()
    try:
        for record in records:
            moves.add(record, coverage.resolve(record))
        summary = coverage.summary()
        return tracemalloc.get_traced_memory()[1], summary.kinds["unmapped"]
    finally:
        tracemalloc.stop()


def peak_bytes_in_a_process_of_its_own(*sizes: int) -> list[tuple[int, int]]:
    """``peak_bytes`` of each size, measured in a fresh interpreter: tracemalloc counts every thread's
    allocations, and a test worker may still run other tests' server threads, which would count as the records'."""
    code = (
        "import json, sys\n"
        "from tests.core.review.test_coverage import peak_bytes\n"
        "print(json.dumps([peak_bytes(int(n)) for n in sys.argv[1:]]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *map(str, sizes)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return [(peak, unmapped) for peak, unmapped in json.loads(result.stdout)]


@pytest.mark.slow
def test_memory_is_flat_in_the_number_of_records() -> None:
    (small, _), (large, unmapped) = peak_bytes_in_a_process_of_its_own(SMALL, LARGE)
    assert unmapped == sum(1 for _, outcome in generated(LARGE) if outcome == "unmapped")
    assert large < small * 1.5, (small, large)
