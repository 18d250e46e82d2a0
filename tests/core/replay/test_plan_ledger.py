"""The replay's durable parts on their own: plan files, the ledger, dead letters, and the pipeline's ordering
rules (with a scripted backend, so each rule is checked without a network)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest

from tests.core.replay.backend import SALE, TABLE, FakeBackend, conv, make, rec
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.replay.deadletter import DeadLetterWriter, read_dead_letters
from wrapup_bridge.core.replay.ledger import Ledger, LedgerError, State
from wrapup_bridge.core.replay.pipeline import Invalid, apply_plan
from wrapup_bridge.core.replay.plan import Action, PlanError, item_key, read_plan


def test_plan_actions_cover_every_case_in_input_order(tmp_path: Path) -> None:
    backend = FakeBackend(wrapped={conv(2): SALE, conv(3): "5f1bfb25-5eef-4f8d-bde5-4e17c7836f95"})
    records = [
        ("in.csv", None, rec(1)),
        ("in.csv", None, rec(2)),  # already there
        ("in.csv", None, rec(3)),  # another code there
        ("in.csv", None, rec(4, code="")),  # skip
        ("in.csv", None, rec(5, code="Spoke to spouse")),  # unmapped
        ("in.csv", "line 9", Invalid("bad TIMESTAMP", raw={"CALL ID": "x"})),
        ("in.csv", None, rec(99)),  # no agent
        ("in.csv", None, rec(98)),  # refused by the pre-check
        ("in.csv", None, rec(1)),  # the same record again
        ("in.csv", None, rec(7, code="Busy", conversation=1)),  # another code for a conversation already planned
        ("in.csv", None, Disposition(source="five9", source_id="x", code="Sale")),  # no conversation id
    ]
    path = tmp_path / "p.plan.jsonl"
    make(path, records, backend)
    header, items, summary = read_plan(path)
    actions = [(i.n, i.action) for i in items]
    assert actions == [
        (1, Action.WRITE),
        (2, Action.ALREADY_APPLIED),
        (3, Action.CONFLICT),
        (4, Action.SKIP),
        (5, Action.UNMAPPED),
        (6, Action.INVALID),
        (7, Action.NO_TARGET),
        (8, Action.REJECTED),
        (9, Action.DUPLICATE),
        (10, Action.CONFLICT),
        (11, Action.NO_TARGET),
    ]
    assert summary.items == 11 and summary.actions["write"] == 1 and summary.top_unmapped == [("Spoke to spouse", 1)]
    assert header.mapping_sha256 == TABLE.sha256
    assert backend.writes == []  # planning never writes


def test_keys_are_stable_and_distinguish_the_write() -> None:
    assert item_key(rec(1), SALE) == item_key(rec(1), SALE)
    assert item_key(rec(1), SALE) != item_key(rec(1), "other")
    assert item_key(rec(1), SALE) != item_key(rec(2), SALE)


def test_cut_short_or_foreign_plans_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.plan.jsonl"
    make(path, [("in", None, rec(1))], FakeBackend())
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n")
    with pytest.raises(PlanError, match="cut short"):
        read_plan(path)
    path.write_text('{"hello": 1}\n')
    with pytest.raises(PlanError, match="not a wrapup-bridge plan"):
        read_plan(path)
    assert not list(tmp_path.glob("*.partial"))


def test_ledger_belongs_to_one_plan_and_is_exclusive(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    with Ledger(path, "plan-a") as ledger:
        ledger.begin("k1", 1)
        with pytest.raises(LedgerError, match="another `replay apply`"):
            Ledger(path, "plan-a")
    with pytest.raises(LedgerError, match="belongs to plan plan-a"):
        Ledger(path, "plan-b")
    with Ledger(path, "plan-a") as ledger:
        entry = ledger.get("k1")
        assert entry is not None and entry.state is State.IN_FLIGHT and entry.attempts == 1
    (tmp_path / "junk.sqlite").write_text("not sqlite at all, just text " * 100)
    with pytest.raises(LedgerError):
        Ledger(tmp_path / "junk.sqlite", "plan-a")


def test_apply_resumes_skipping_done_and_rechecking_in_flight(tmp_path: Path) -> None:
    backend = FakeBackend()
    path = tmp_path / "p.plan.jsonl"
    make(path, [("in", None, rec(n)) for n in range(1, 8)], backend)
    header, items, _ = read_plan(path)
    ledger_path = tmp_path / "l.sqlite"
    # A previous run finished item 1 and died while item 2 was in flight (its write had landed).
    with Ledger(ledger_path, header.plan_id) as ledger:
        first = next(i for i in read_plan(path)[1] if i.n == 1)
        ledger.record(first.key, 1, "applied", "earlier run")
        second = next(i for i in read_plan(path)[1] if i.n == 2)
        ledger.begin(second.key, 2)
    backend.wrapped[conv(1)] = SALE
    backend.wrapped[conv(2)] = SALE
    dead = DeadLetterWriter(tmp_path / "d.jsonl")
    with Ledger(ledger_path, header.plan_id) as ledger:
        report = asyncio.run(apply_plan(header, items, backend, ledger, dead, batch_size=2, verify=True))
        assert all(e.state is State.DONE for e in ledger.entries().values())
    assert report.done_before == 1 and report.rechecked == 1
    assert report.outcomes == {"already-applied": 1, "applied": 5}
    assert sorted(backend.writes) == [conv(n) for n in range(3, 8)]  # 1 and 2 never written again
    assert report.verified == {"verified": 5}


def test_failures_are_dead_lettered_and_retried_by_the_next_apply(tmp_path: Path) -> None:
    backend = FakeBackend(fail={conv(3)})
    path = tmp_path / "p.plan.jsonl"
    make(path, [("in", None, rec(n)) for n in (1, 3, 99)] + [("in", None, rec(5, code="zzz"))], backend)
    header, items, _ = read_plan(path)
    ledger_path, dead_path = tmp_path / "l.sqlite", tmp_path / "d.jsonl"
    with Ledger(ledger_path, header.plan_id) as ledger:
        report = asyncio.run(apply_plan(header, items, backend, ledger, DeadLetterWriter(dead_path)))
    assert report.outcomes == {"applied": 1, "failed": 1, "no-target": 1, "unmapped": 1}
    letters = [entry for _, entry in read_dead_letters(dead_path)]
    assert sorted(e["class"] for e in letters) == ["failed", "no-target", "unmapped"]
    failed = next(e for e in letters if e["class"] == "failed")
    assert failed["retryable"] is True and failed["record"]["source_id"] == "call-3"
    backend.fail.clear()
    with Ledger(ledger_path, header.plan_id) as ledger:
        report = asyncio.run(apply_plan(header, read_plan(path)[1], backend, ledger, DeadLetterWriter(dead_path)))
    assert report.outcomes == {"applied": 1} and report.done_before == 3 and report.rechecked == 1
    assert backend.writes.count(conv(3)) == 1 and backend.writes.count(conv(1)) == 1


def test_dead_letters_survive_a_torn_line_and_keep_the_newest_per_key(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    writer = DeadLetterWriter(path)
    writer.write({"key": "a", "class": "failed"})
    writer.write({"key": "b", "class": "unmapped"})
    writer.write({"key": "a", "class": "rejected"})
    writer.close()
    with path.open("a") as handle:
        handle.write('{"key": "c", "cla')
    entries = [e for _, e in read_dead_letters(path)]
    assert [(e["key"], e["class"]) for e in entries] == [("b", "unmapped"), ("a", "rejected")]


def test_ledger_writes_are_durable_transactions(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    with Ledger(path, "plan") as ledger:
        ledger.begin("k", 1)
        ledger.record("k", 1, "applied", "ok", error={"status": 202})
    db = sqlite3.connect(path)
    row = db.execute("SELECT state, outcome, error FROM items WHERE key='k'").fetchone()
    assert row[0] == "done" and row[1] == "applied" and json.loads(row[2]) == {"status": 202}
