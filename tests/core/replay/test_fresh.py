"""A fresh plan's own target lookups stand in for the re-read before writing (``core.replay.fresh``), and where
that stops: an aged plan, a plan stamped in the future, a reason that rules it out, an item tried before."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

from tests.core.replay.backend import SALE, FakeBackend, conv, make, rec
from wrapup_bridge.core.replay.deadletter import DeadLetterWriter
from wrapup_bridge.core.replay.fresh import PlanFreshness
from wrapup_bridge.core.replay.ledger import Ledger
from wrapup_bridge.core.replay.pipeline import ApplyReport, apply_plan
from wrapup_bridge.core.replay.plan import PlanHeader, read_plan


def plan(tmp_path: Path, count: int = 9) -> Path:
    path = tmp_path / "p.plan.jsonl"
    make(path, [("in", None, rec(n)) for n in range(1, count + 1)], FakeBackend())
    return path


def apply(path: Path, backend: FakeBackend, freshness: PlanFreshness | None, **kwargs: object) -> ApplyReport:
    header, items, _ = read_plan(path)
    with Ledger(path.with_name("l.sqlite"), header.plan_id) as ledger:
        return asyncio.run(
            apply_plan(header, items, backend, ledger, DeadLetterWriter(path.with_name("d.jsonl")), batch_size=3,
                       freshness=freshness, **kwargs)  # type: ignore[arg-type]
        )  # fmt: skip


def made(path: Path) -> PlanHeader:
    return read_plan(path)[0]


def at(moment: datetime) -> PlanFreshness:
    return PlanFreshness(moment, 300.0)


def test_a_fresh_plan_writes_without_reading_the_targets_again(tmp_path: Path) -> None:
    path = plan(tmp_path)
    backend = FakeBackend()
    report = apply(path, backend, PlanFreshness(made(path).created_at, 300.0))
    assert backend.resolves == 0 and backend.refreshes == 0  # not one lookup: the plan's stood in
    assert report.outcomes == {"applied": 9} and sorted(backend.writes) == [conv(n) for n in range(1, 10)]
    assert report.lookups == {"reused": 9} and "made 0 s ago (under 300 s)" in report.lookups_why


def test_an_aged_plan_a_plan_from_the_future_and_a_ruled_out_plan_are_read_again(tmp_path: Path) -> None:
    path = plan(tmp_path)
    created = made(path).created_at
    cases = {
        "aged": PlanFreshness(created, 300.0, now=lambda: created + timedelta(seconds=301)),
        "future": PlanFreshness(created, 300.0, now=lambda: created - timedelta(seconds=5)),
        "resumed": PlanFreshness(created, 300.0, ("an earlier run of this plan is in the ledger",)),
        "never": PlanFreshness(created, 0.0),
        "none": None,
    }
    whys = {}
    for name, freshness in cases.items():
        folder = tmp_path / name
        folder.mkdir()
        copy = folder / path.name
        copy.write_bytes(path.read_bytes())
        backend = FakeBackend()
        report = apply(copy, backend, freshness)
        assert backend.resolves == 3 and report.lookups == {"reread": 9}, name  # one lookup per batch of 3
        assert report.outcomes == {"applied": 9}, name
        whys[name] = report.lookups_why
    assert "made 301 s ago, more than 300 s" in whys["aged"]
    assert "stamped in the future" in whys["future"] and "earlier run" in whys["resumed"]


def test_a_plan_that_ages_during_the_run_goes_back_to_reading(tmp_path: Path) -> None:
    path = plan(tmp_path)
    created = made(path).created_at
    backend = FakeBackend()
    # 100 s after planning at the start, and 100 s more with each write: the second batch finds it 400 s old.
    aging = PlanFreshness(created, 300.0, now=lambda: created + timedelta(seconds=100 + 100 * len(backend.writes)))
    report = apply(path, backend, aging)
    assert report.lookups == {"reused": 3, "reread": 6} and backend.resolves == 2


def test_a_fresh_plan_still_honours_what_it_saw_and_rechecks_what_was_tried_before(tmp_path: Path) -> None:
    path = plan(tmp_path, 4)
    header, items, _ = read_plan(path)
    second = next(i for i in items if i.n == 2)
    with Ledger(path.with_name("l.sqlite"), header.plan_id) as ledger:
        ledger.begin(second.key, 2)  # an earlier run died with item 2 in flight; it had landed
    backend = FakeBackend(wrapped={conv(2): SALE})
    report = apply(path, backend, PlanFreshness(header.created_at, 300.0))
    # In flight: re-checked before anything is written, fresh or not (in a batched lookup, which shows it landed).
    assert report.rechecked == 1 and backend.rechecks == [1] and backend.refreshes == 0
    assert report.outcomes == {"already-applied": 1, "applied": 3} and conv(2) not in backend.writes


def test_why_says_what_decided() -> None:
    moment = datetime(2026, 1, 1, 12)
    assert PlanFreshness(moment, 60.0, now=lambda: moment + timedelta(seconds=10)).fresh()
    assert not PlanFreshness(moment, 60.0, now=lambda: moment + timedelta(seconds=60)).fresh()
    assert not PlanFreshness(moment, 60.0, ("stale", "resumed"), now=lambda: moment).fresh()
    assert PlanFreshness(moment, 60.0, ("stale", "resumed")).why() == "stale; resumed"
