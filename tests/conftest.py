"""Shared test configuration: hypothesis profiles sized for a 2-core CI machine, with no deadlines (timing
belongs in benchmarks/, never in tests); how many workers ``-n auto`` starts; the checkout's paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: two workers per core (at most four more than the cores). Much of the suite waits rather than
    computes (a served emulator's injected latency, subprocesses starting, budgets running out on silent sockets),
    so a second worker per core runs while the first waits: on 2 cores, 4 workers take about 2/3 of the time."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(2 * cores, cores + 4)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``--dist loadgroup``, mended: pytest-xdist 3.8 puts a test of an ``xdist_group`` in its group by appending
    ``@group`` to ``item._nodeid``, which pytest 9.2 no longer reads (a node's id is ``item._id``), so each group was
    silently spread over the workers (the packaging tests built their wheel once per worker). Where xdist's suffix
    did not take, it is set where pytest reads it."""
    if not getattr(config.option, "loadgroup", False):  # set in xdist's workers under --dist loadgroup
        return
    try:
        from _pytest.nodeid import NodeId  # pytest's private id type (pytest >= 9.2)
    except ImportError:  # an older or newer pytest where xdist's own suffix works, or where this mend cannot
        return

    for item in items:
        marks = item.iter_markers("xdist_group")
        groups = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in marks})
        if groups and "@" not in item.nodeid and hasattr(item, "_id"):
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(groups)}")


ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
MAPPINGS = ROOT / "mappings"
