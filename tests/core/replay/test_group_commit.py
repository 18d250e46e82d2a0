"""The ledger commits in groups without giving up intent-before-write (``core.replay.ledger``).

What a ``kill -9`` leaves is the ledger file and its write-ahead log as they are on disk at that instant: a copy of
both, opened on its own, shows exactly what a restarted run would see. So each write is checked at the instant it
is sent: its intent must already be in such a copy."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.core.replay.backend import FakeBackend, make, rec
from wrapup_bridge.core.decision import Decision
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.outcome import Outcome, WrapupTarget
from wrapup_bridge.core.replay.deadletter import DeadLetterWriter
from wrapup_bridge.core.replay.ledger import GROUP, Ledger
from wrapup_bridge.core.replay.pipeline import apply_plan
from wrapup_bridge.core.replay.plan import read_plan


def on_disk(ledger: Path, folder: Path) -> dict[str, tuple[str, str | None]]:
    """The ledger as a process killed now would leave it: (state, outcome) by key, read from a copy of the files."""
    folder.mkdir(exist_ok=True)
    for suffix in ("", "-wal"):
        source = ledger.with_name(ledger.name + suffix)
        if source.exists():
            shutil.copyfile(source, folder / (ledger.name + suffix))
    db = sqlite3.connect(folder / ledger.name)
    try:
        return {key: (state, outcome) for key, state, outcome in db.execute("SELECT key, state, outcome FROM items")}
    finally:
        db.close()


class Watching(FakeBackend):
    """Looks at the ledger on disk at the instant each write is sent."""

    def __init__(self, ledger: Path, folder: Path, keys: dict[str, str]) -> None:
        super().__init__()
        self.ledger, self.folder, self.keys = ledger, folder, keys
        self.seen: list[tuple[str, str | None] | None] = []

    async def apply(self, record: Disposition, decision: Decision, target: WrapupTarget) -> Outcome:
        self.seen.append(on_disk(self.ledger, self.folder).get(self.keys[target.conversation_id]))
        await asyncio.sleep(0)  # let the other writes of the batch run meanwhile
        return await super().apply(record, decision, target)


def test_every_write_has_its_intent_on_disk_when_it_is_sent_and_commits_come_per_batch(tmp_path: Path) -> None:
    path = tmp_path / "p.plan.jsonl"
    make(path, [("in", None, rec(n)) for n in range(1, 41)], FakeBackend())
    header, items, _ = read_plan(path)
    keys = {i.record.conversation_id: i.key for i in read_plan(path)[1] if i.record and i.record.conversation_id}
    ledger_path = tmp_path / "l.sqlite"
    backend = Watching(ledger_path, tmp_path / "copy", keys)
    with Ledger(ledger_path, header.plan_id) as ledger:
        report = asyncio.run(
            apply_plan(header, items, backend, ledger, DeadLetterWriter(tmp_path / "d.jsonl"), batch_size=10)
        )
        commits = ledger.commits
    assert report.outcomes == {"applied": 40}
    assert backend.seen == [("in-flight", None)] * 40  # every intent durable before its write left
    # Two commits per batch of 10 (intents, then results), not two per write; and the last results at the end.
    assert report.ledger_commits == commits <= 2 * 4 + 1
    assert set(on_disk(ledger_path, tmp_path / "after").values()) == {("done", "applied")}


def test_results_wait_for_their_group_intents_do_not(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    ledger = Ledger(path, "plan")
    ledger.begin_many([("a", 1), ("b", 2)])
    assert on_disk(path, tmp_path / "1") == {"a": ("in-flight", None), "b": ("in-flight", None)}
    ledger.record("a", 1, "applied", "ok")
    assert on_disk(path, tmp_path / "2")["a"] == ("in-flight", None)  # a kill now: "a" is re-checked, not lost
    assert ledger.get("a") is not None and ledger.get("a").outcome == "applied"  # type: ignore[union-attr]
    ledger.begin("c", 3)  # the next intent commits the waiting result with it
    assert on_disk(path, tmp_path / "3")["a"] == ("done", "applied")
    for n in range(GROUP):
        ledger.record(f"r{n}", n, "skipped", "no code")
    assert len(on_disk(path, tmp_path / "4")) == 3 + GROUP  # a full group commits by itself
    ledger.record("b", 2, "applied", "ok")
    ledger.close()  # closing commits what waits
    assert on_disk(path, tmp_path / "5")["b"] == ("done", "applied")


def test_an_intent_is_withdrawn_only_for_a_write_this_run_never_sent(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    with Ledger(path, "plan") as earlier:
        earlier.begin("old", 1)  # an earlier run's write, in flight: it may have landed
    with Ledger(path, "plan") as ledger:
        ledger.begin_many([("old", 1), ("new", 2), ("sent", 3)])
        ledger.record("sent", 3, "applied", "ok")
        ledger.withdraw(["old", "new", "sent"])
        ledger.commit()
        assert ledger.get("new") is None
        kept = ledger.get("old")
        assert kept is not None and kept.state.value == "in-flight" and kept.attempts == 2
        assert ledger.get("sent") is not None


@pytest.mark.parametrize("group", [1, 7])
def test_a_stopped_run_withdraws_what_it_never_sent(tmp_path: Path, group: int) -> None:
    """Intents of a whole batch are committed first; a run that stops after some writes leaves in flight only the
    ones it sent (the next run re-checks those), not the whole batch."""

    class Refusing(FakeBackend):
        async def apply(self, record: Disposition, decision: Decision, target: WrapupTarget) -> Outcome:
            self.writes.append(target.conversation_id)
            error = {"type": "AuthenticationError", "status": 401, "code": "bad.credentials"}
            return Outcome(kind="rejected", reason="401", disposition=record, decision=decision, error=error)  # type: ignore[arg-type]

    path = tmp_path / "p.plan.jsonl"
    make(path, [("in", None, rec(n)) for n in range(1, 21)], FakeBackend())
    header, items, _ = read_plan(path)
    backend = Refusing()
    with Ledger(tmp_path / "l.sqlite", header.plan_id) as ledger, pytest.raises(Exception, match="credentials"):
        asyncio.run(
            apply_plan(header, items, backend, ledger, DeadLetterWriter(tmp_path / "d.jsonl"), batch_size=10,
                       concurrency=group)
        )  # fmt: skip
    rows = on_disk(tmp_path / "l.sqlite", tmp_path / "copy")
    assert len(rows) == len(backend.writes) <= group and set(rows.values()) == {("in-flight", None)}
