"""Dead letters tell the truth, not the history: after each run the file holds what is still not applied (newest
entry per key), nothing that has since succeeded, and nothing is dropped that the ledger does not show resolved
(issue 11, point 8)."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest

from tests.core.replay.backend import FakeBackend, conv, make, rec
from wrapup_bridge.core.replay.deadletter import (
    DeadLetterError,
    DeadLetterWriter,
    compact_dead_letters,
    read_dead_letters,
)
from wrapup_bridge.core.replay.ledger import Ledger, LedgerError, read_ledger
from wrapup_bridge.core.replay.pipeline import apply_plan
from wrapup_bridge.core.replay.plan import read_plan


def entries(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_letters(path: Path, *letters: dict[str, object]) -> None:
    writer = DeadLetterWriter(path)
    for letter in letters:
        writer.write(letter)
    writer.close()


def test_compaction_keeps_the_newest_entry_per_key_and_drops_what_was_resolved(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    write_letters(
        path,
        {"key": "a", "class": "failed", "reason": "503"},
        {"key": "b", "class": "unmapped"},
        {"key": "a", "class": "failed", "reason": "timeout"},
        {"key": "c", "class": "failed"},
    )
    result = compact_dead_letters(path, lambda key: key == "c")
    assert (result.kept, result.resolved, result.superseded, result.rewritten) == (2, 1, 1, True)
    assert [(e["key"], e.get("reason")) for e in entries(path)] == [("b", None), ("a", "timeout")]
    assert not [p for p in tmp_path.iterdir() if p.name != "d.jsonl"]  # no temporary file left behind


def test_compaction_never_loses_what_it_cannot_read_but_drops_a_torn_last_line(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    write_letters(path, {"key": "a", "class": "failed"})
    with path.open("a", encoding="utf-8") as handle:
        handle.write("a note someone typed here\n")
        handle.write('{"no key": true}\n')
        handle.write('{"key": "b", "cla')  # a crash while this line was written
    result = compact_dead_letters(path, lambda key: False)
    assert result.torn == 1 and result.kept == 1
    assert path.read_text(encoding="utf-8").splitlines() == [
        path.read_text(encoding="utf-8").splitlines()[0],
        "a note someone typed here",
        '{"no key": true}',
    ]


def test_nothing_is_rewritten_when_the_file_is_already_current(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    write_letters(path, {"key": "a", "class": "unmapped"})
    before = os.stat(path)
    result = compact_dead_letters(path, lambda key: False)
    after = os.stat(path)
    assert not result.rewritten and (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)
    assert compact_dead_letters(tmp_path / "none.jsonl", lambda key: True).kept == 0


def test_every_resolved_entry_dropped_leaves_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    write_letters(path, {"key": "a", "class": "failed"})
    compact_dead_letters(path, lambda key: True)
    assert path.exists() and path.read_text() == ""
    assert list(read_dead_letters(path)) == []


def test_resumes_leave_only_what_is_still_not_applied(tmp_path: Path) -> None:
    """Transient failures that later succeed disappear from the dead letters; real problems stay, once each."""
    backend = FakeBackend(fail={conv(n) for n in range(1, 9)})
    path = tmp_path / "p.plan.jsonl"
    make(path, [("in", None, rec(n)) for n in range(1, 13)] + [("in", None, rec(20, code="zzz"))], backend)
    header, _, _ = read_plan(path)
    dead_path = tmp_path / "d.jsonl"

    def run() -> None:
        dead = DeadLetterWriter(dead_path)
        with Ledger(tmp_path / "l.sqlite", header.plan_id) as ledger:
            asyncio.run(apply_plan(header, read_plan(path)[1], backend, ledger, dead))
            dead.close()

            def resolved(key: str) -> bool:
                entry = ledger.get(key)
                return entry is not None and entry.outcome in ("applied", "already-applied")

            compact_dead_letters(dead_path, resolved)

    run()
    assert sorted(str(e["class"]) for e in entries(dead_path)) == ["failed"] * 8 + ["unmapped"]
    for recovering in (range(1, 4), range(4, 6)):  # the outage ends for some, run again each time
        backend.fail -= {conv(n) for n in recovering}
        run()
    assert sorted(str(e["class"]) for e in entries(dead_path)) == ["failed"] * 3 + ["unmapped"]
    backend.fail.clear()
    run()
    assert [e["class"] for e in entries(dead_path)] == ["unmapped"]  # only the real problem, once
    assert sorted(backend.writes) == sorted(conv(n) for n in range(1, 13))  # each written once


def test_a_dead_letter_path_that_cannot_be_written_is_known_before_anything_is_applied(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    with pytest.raises(DeadLetterError, match=r"cannot write the dead letters to .*a-file/d\.jsonl"):
        DeadLetterWriter(tmp_path / "a-file" / "d.jsonl").check()
    (tmp_path / "a-folder.jsonl").mkdir()
    with pytest.raises(DeadLetterError, match="Is a directory"):
        DeadLetterWriter(tmp_path / "a-folder.jsonl").check()
    fine = tmp_path / "new" / "d.jsonl"
    DeadLetterWriter(fine).check()
    assert not fine.exists()  # the check leaves nothing behind


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_dead_letter_that_cannot_be_written_mid_run_loses_nothing(tmp_path: Path) -> None:
    """A full disk while a run writes its dead letters: the run stops, and the next run (with room) finishes every
    item, dead-lettering the ones whose line was lost."""
    backend = FakeBackend()
    path = tmp_path / "p.plan.jsonl"
    make(
        path, [("in", None, rec(n)) for n in (1, 2)] + [("in", None, rec(5, code="zzz")), ("in", None, rec(3))], backend
    )
    header, _, _ = read_plan(path)
    with Ledger(tmp_path / "l.sqlite", header.plan_id) as ledger:
        full = DeadLetterWriter("/dev/full")
        with pytest.raises(DeadLetterError, match="No space left on device"):
            asyncio.run(apply_plan(header, read_plan(path)[1], backend, ledger, full))
        full.close()
    dead_path = tmp_path / "d.jsonl"
    with Ledger(tmp_path / "l.sqlite", header.plan_id) as ledger:
        report = asyncio.run(apply_plan(header, read_plan(path)[1], backend, ledger, DeadLetterWriter(dead_path)))
    assert report.outcomes.get("unmapped") == 1 and [e["class"] for e in entries(dead_path)] == ["unmapped"]
    assert sorted(backend.writes) == [conv(1), conv(2), conv(3)]


def test_dead_letter_files_that_are_not_dead_letters_are_named_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    write_letters(path, {"key": "a", "class": "failed"})
    with path.open("ab") as handle:
        handle.write(b"\x00\xff garbage\n")
    with pytest.raises(DeadLetterError, match=r"d\.jsonl:2: not UTF-8 text"):
        list(read_dead_letters(path))
    path.write_text("[" * 40_000 + "]" * 40_000 + "\n")
    with pytest.raises(DeadLetterError, match=r"d\.jsonl:1: nested more than"):
        list(read_dead_letters(path))
    path.write_text('[1]\n{"key": "a"}\n')
    with pytest.raises(DeadLetterError, match=r"d\.jsonl:1: a JSON list, not a dead-letter object"):
        list(read_dead_letters(path))


def test_the_ledger_is_read_without_taking_it_over(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    with Ledger(path, "plan-a") as ledger:
        ledger.begin("k1", 1)
        ledger.record("k2", 2, "applied", "ok")
        with pytest.raises(LedgerError, match="is running"):
            read_ledger(path)  # an apply holds it
    snapshot = read_ledger(path)
    assert snapshot.plan_id == "plan-a" and snapshot.rows == 2
    assert snapshot.counts == {("in-flight", None): 1, ("done", "applied"): 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["l.sqlite"]  # no -wal/-shm left behind
    with pytest.raises(LedgerError, match="no ledger here"):
        read_ledger(tmp_path / "none.sqlite")
    (tmp_path / "junk.sqlite").write_bytes(b"\x00" * 4096)
    with pytest.raises(LedgerError):
        read_ledger(tmp_path / "junk.sqlite")
