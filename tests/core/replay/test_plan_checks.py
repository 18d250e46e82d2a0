"""Plans are files people review and copy: a damaged plan is refused with its file and line before anything is
applied, an item edited after planning is refused (never applied as edited), a repeated line is written once, and a
target that refuses every write stops the run instead of dead-lettering every record (issue 11, points 4 and 7)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.core.replay.backend import SALE, TABLE, FakeBackend, conv, make, rec
from wrapup_bridge.core.decision import Decision
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.outcome import Outcome, OutcomeKind, WrapupTarget
from wrapup_bridge.core.replay.deadletter import DeadLetterWriter, read_dead_letters
from wrapup_bridge.core.replay.ledger import Ledger
from wrapup_bridge.core.replay.pipeline import (
    NO_ANSWER_LIMIT,
    ApplyReport,
    TargetError,
    Unreachable,
    apply_plan,
    make_plan,
    target_refusal,
)
from wrapup_bridge.core.replay.plan import PlanError, PlanWriter, new_header, open_plan, read_plan
from wrapup_bridge.core.replay.verify import EDITED, ItemVerifier

BUSY = "5f1bfb25-5eef-4f8d-bde5-4e17c7836f95"


def plan_of(tmp_path: Path, count: int = 6) -> Path:
    path = tmp_path / "p.plan.jsonl"
    make(path, [("in.csv", None, rec(n)) for n in range(1, count + 1)], FakeBackend())
    return path


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def apply(
    path: Path, backend: FakeBackend, *, table: Any = TABLE, verifier: bool = True, batch_size: int = 100
) -> tuple[ApplyReport, list[dict[str, Any]]]:
    header, items, _ = read_plan(path)
    dead_path = path.with_name("d.jsonl")
    dead = DeadLetterWriter(dead_path)
    with Ledger(path.with_name("l.sqlite"), header.plan_id) as ledger:
        report = asyncio.run(
            apply_plan(
                header,
                items,
                backend,
                ledger,
                dead,
                batch_size=batch_size,
                verifier=ItemVerifier(header, table) if verifier else None,
            )
        )
    dead.close()
    return report, [entry for _, entry in read_dead_letters(dead_path)] if dead_path.exists() else []


# ------------------------------------------------------------------------------------------- damaged plan files
DAMAGES = {
    "truncated JSON line": (lambda ls: [*ls[:2], ls[2][:60] + "\n", *ls[3:]], r":3: not JSON"),
    "JSON list": (lambda ls: [*ls[:2], "[1, 2]\n", *ls[3:]], r":3: a JSON list, not an object"),
    "JSON string": (lambda ls: [*ls[:2], '"item"\n', *ls[3:]], r":3: a JSON str, not an object"),
    "not an item": (lambda ls: [*ls[:2], '{"kind": "item", "n": "x"}\n', *ls[3:]], r":3: not a plan item: n"),
    "unknown kind": (lambda ls: [*ls[:2], '{"kind": "thing"}\n', *ls[3:]], r":3: not a plan line \(kind 'thing'"),
    "missing header": (lambda ls: ls[1:], r":1: not a wrapup-bridge plan"),
    "second header": (lambda ls: [*ls[:2], ls[0], *ls[2:]], r":3: a second plan header"),
    "summary moved": (lambda ls: [ls[0], ls[-1], *ls[1:-1]], r":2: a summary line before the end"),
    "no summary": (lambda ls: ls[:-1], r":\d+: the plan has no summary line"),
    "torn last line": (lambda ls: [*ls[:-1], ls[-1][:30]], r":\d+: the last line is not JSON .*cut in the middle.*cut short"),
    "header edited": (lambda ls: [ls[0].replace('"source":"five9"', '"source":"cxone"'), *ls[1:]], r":1: the plan header was edited"),
    "summary edited": (lambda ls: [*ls[:-1], ls[-1].replace('"items":6', '"items":7')], r":\d+: the summary line was edited"),
    "deep nesting": (lambda ls: [*ls[:2], "[" * 50_000 + "]" * 50_000 + "\n", *ls[3:]], r":3: not a plan line: nested"),
    "nothing after the header": (lambda ls: ls[:1], r":2: the plan has no summary line"),
}  # fmt: skip


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_a_damaged_plan_is_refused_with_its_file_and_line(tmp_path: Path, damage: str) -> None:
    path = plan_of(tmp_path)
    change, message = DAMAGES[damage]
    path.write_text("".join(change(lines_of(path))), encoding="utf-8")
    with pytest.raises(PlanError, match=f"{path}{message}"):
        read_plan(path)


@pytest.mark.parametrize(
    "content", [b"\x89PNG\r\n\x1a\n\x00\x00binary", bytes(range(256)) * 40, b"", b"\n\n{}\n", b"\xff" * (1 << 16)]
)
def test_a_binary_or_empty_file_is_not_a_plan(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.plan.jsonl"
    path.write_bytes(content)
    with pytest.raises(PlanError, match=rf"{path}:1: not a wrapup-bridge plan"):
        read_plan(path)


def test_bytes_that_are_not_utf8_in_an_item_name_the_line(tmp_path: Path) -> None:
    path = plan_of(tmp_path)
    raw = path.read_bytes().splitlines(keepends=True)
    raw[3] = raw[3][:40] + b"\xff\xfe" + raw[3][42:]
    path.write_bytes(b"".join(raw))
    with pytest.raises(PlanError, match=rf"{path}:4: not UTF-8 text \(byte 41 of the line\)"):
        read_plan(path)


def test_every_line_is_checked_before_anything_is_applied(tmp_path: Path) -> None:
    """A damaged line near the end refuses the whole plan up front: nothing half-applied."""
    path = plan_of(tmp_path)
    lines = lines_of(path)
    lines[-2] = lines[-2][:50] + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    backend = FakeBackend()
    with pytest.raises(PlanError, match=":7: not JSON"):
        apply(path, backend)
    assert backend.writes == []


def test_the_checks_survive_reformatting_but_not_edits(tmp_path: Path) -> None:
    """A plan pretty-printed or re-serialized by a tool keeps its checks (same content, same key order)."""
    path = plan_of(tmp_path, 3)
    reformatted = [
        json.dumps(json.loads(line), indent=None, separators=(", ", ": ")) + "\r\n" for line in lines_of(path)
    ]
    path.write_text("".join(reformatted), encoding="utf-8")
    header, items, _ = read_plan(path)
    assert header.version == 2 and [item.sealed for item in items] == [True, True, True]


def test_a_version_1_plan_is_still_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "old.plan.jsonl"
    header = new_header(source="five9", mapping_path="t.yaml", mapping_sha256=TABLE.sha256, target="fake")
    writer = PlanWriter(path, header.model_copy(update={"version": 1}))
    asyncio.run(make_plan([("in", None, rec(1))], TABLE, FakeBackend(), writer))
    writer.close()
    assert '"check"' not in path.read_text()
    plan = open_plan(path)
    assert plan.header.version == 1 and "plan version 1" in " ".join(plan.warnings)
    assert [item.sealed for item in plan.items()] == [None]
    report, _ = apply(path, FakeBackend())
    assert report.outcomes == {"applied": 1}


def test_a_plan_from_a_newer_version_is_refused_clearly(tmp_path: Path) -> None:
    path = plan_of(tmp_path, 1)
    lines = lines_of(path)
    lines[0] = lines[0].replace('"version":2', '"version":3')
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(PlanError, match=":1: a plan of version 3, made by a newer wrapup-bridge"):
        read_plan(path)


# -------------------------------------------------------------------------------------------------- verification
def edit(path: Path, n: int, change: Any) -> None:
    """Edit item ``n`` of the plan as a person would (load, change, dump; the check is left as it was)."""
    lines = lines_of(path)
    data = json.loads(lines[n])
    change(data)
    lines[n] = json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
    path.write_text("".join(lines), encoding="utf-8")


def test_an_item_whose_code_was_edited_is_refused_not_applied_as_edited(tmp_path: Path) -> None:
    path = plan_of(tmp_path, 3)
    edit(path, 2, lambda d: d["decision"]["code"].update(id=BUSY))
    backend = FakeBackend()
    report, letters = apply(path, backend)
    assert sorted(backend.writes) == [conv(1), conv(3)]  # item 2 never written, with either code
    assert report.outcomes == {"applied": 2, "invalid": 1} and report.refused == 1
    (letter,) = letters
    assert letter["class"] == "invalid" and letter["retryable"] is False
    assert letter["reason"] == (
        f"{EDITED}: the mapping gives 'Sale' ({SALE}) for 'Sale', the item says {BUSY}; it was not applied"
    )
    assert letter["record"]["source_id"] == "call-2"  # the record stays retryable


def test_an_edit_that_keeps_the_code_but_changes_the_target_is_refused_by_the_check(tmp_path: Path) -> None:
    path = plan_of(tmp_path, 2)
    edit(path, 1, lambda d: d["target"].update(participant_id="p-other"))
    backend = FakeBackend()
    report, letters = apply(path, backend)
    assert backend.writes == [conv(2)] and report.refused == 1
    assert "no longer matches the check written with it" in letters[0]["reason"]


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda d: d.update(key="0" * 32), "its key does not match its record and code"),
        (lambda d: d["record"].update(conversation_id=conv(77)), "its key does not match"),
        (lambda d: d.update(action="unmapped"), "the item says 'unmapped'"),
        (lambda d: d.pop("record"), "without its record"),
        (lambda d: d.pop("decision"), "holds a record but no decision"),
    ],
)
def test_other_edits_are_refused_even_without_checks(tmp_path: Path, change: Any, says: str) -> None:
    """Version 1 plans carry no checks: what re-derivation can see is still refused."""
    path = tmp_path / "old.plan.jsonl"
    header = new_header(source="five9", mapping_path="t.yaml", mapping_sha256=TABLE.sha256, target="fake")
    writer = PlanWriter(path, header.model_copy(update={"version": 1}))
    asyncio.run(make_plan([("in", None, rec(n)) for n in (1, 2)], TABLE, FakeBackend(), writer))
    writer.close()
    edit(path, 1, change)
    backend = FakeBackend()
    report, letters = apply(path, backend)
    assert backend.writes == [conv(2)] and report.refused == 1
    assert letters[0]["reason"].startswith(EDITED) and says in letters[0]["reason"]


def test_an_unmapped_record_made_a_write_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.plan.jsonl"
    make(path, [("in", None, rec(1, code="Spoke to spouse")), ("in", None, rec(2))], FakeBackend())
    sale = {"alias": "sale", "id": SALE, "name": "Sale"}
    edit(path, 1, lambda d: d.update(action="write", decision={**d["decision"], "kind": "mapped", "code": sale}))
    backend = FakeBackend()
    _, letters = apply(path, backend)
    assert backend.writes == [conv(2)]
    assert "the mapping gives no code (unmapped" in letters[0]["reason"]


def test_a_refused_copy_never_stands_in_for_the_genuine_item(tmp_path: Path) -> None:
    """An edited copy of a line shares the genuine item's key: it must neither block it nor be recorded as it."""
    path = plan_of(tmp_path, 2)
    lines = lines_of(path)
    copy = json.loads(lines[1])
    copy["decision"]["code"]["id"] = BUSY
    lines.insert(1, json.dumps(copy, separators=(",", ":")) + "\n")  # the edited copy comes first
    path.write_text("".join(lines), encoding="utf-8")
    backend = FakeBackend()
    report, _ = apply(path, backend)
    assert sorted(backend.writes) == [conv(1), conv(2)] and backend.wrapped[conv(1)] == SALE
    assert report.outcomes == {"invalid": 1, "applied": 2}
    again, _ = apply(path, backend)  # resumed: nothing written twice, the refusal is not repeated
    assert again.outcomes == {} and again.done_before == 3 and len(backend.writes) == 2


def test_a_repeated_line_is_written_once(tmp_path: Path) -> None:
    path = plan_of(tmp_path, 3)
    lines = lines_of(path)
    path.write_text("".join([*lines[:2], lines[1], lines[1], *lines[2:]]), encoding="utf-8")
    assert "3 item lines" not in " ".join(open_plan(path).warnings)
    backend = FakeBackend()
    report, _ = apply(path, backend)  # all in one batch: the copies would be POSTed side by side
    assert backend.writes.count(conv(1)) == 1 and len(backend.writes) == 3
    assert report.outcomes == {"applied": 3, "duplicate": 2} and report.repeated == 2
    again, _ = apply(path, backend)  # a later run finds every line finished (the copies too)
    assert again.outcomes == {} and again.done_before == 5 and len(backend.writes) == 3


def test_with_the_table_changed_items_are_re_derived_with_the_table_as_it_is(tmp_path: Path) -> None:
    from wrapup_bridge.core.mapping import MappingTable

    path = plan_of(tmp_path, 2)
    changed = MappingTable.from_text(
        """
version: 1
codes:
  busy: {id: 5f1bfb25-5eef-4f8d-bde5-4e17c7836f95, name: Busy}
rules:
  - when: {code: Sale}
    code: busy
""",
        name="t.yaml",
    )
    header, items, _ = read_plan(path)
    verifier = ItemVerifier(header, changed, table_is_pinned=False)
    reasons = [verifier.refusal(item) for item in items]
    assert all(r and "the mapping as it is now (changed since planning) gives 'Busy'" in r for r in reasons)


# ------------------------------------------------------------------------------- a target that refuses the run
class RefusingBackend(FakeBackend):
    """Writes answered like Genesys answers a client without the write permission (or with revoked credentials)."""

    def __init__(self, error: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = error
        self.attempts: list[str] = []

    async def apply(self, record: Disposition, decision: Decision, target: WrapupTarget) -> Outcome:
        self.attempts.append(target.conversation_id)
        kind = OutcomeKind.FAILED if self.error.get("type") == "TransportFailure" else OutcomeKind.REJECTED
        return Outcome(
            kind=kind,
            reason="Genesys refused it",
            disposition=record,
            decision=decision,
            target=target,
            error=self.error,
        )


MISSING = {"type": "PermissionDenied", "status": 403, "code": "missing.permissions",
           "missingPermissions": ["conversation:participant:wrapup"]}  # fmt: skip


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (MISSING, "the OAuth client lacks a permission (conversation:participant:wrapup)"),
        ({"type": "AuthenticationError", "status": 401, "code": "bad.credentials"}, "credentials were refused"),
    ],
)
def test_a_target_refusing_every_write_stops_the_run_and_a_rerun_resumes(
    tmp_path: Path, error: dict[str, Any], says: str
) -> None:
    path = plan_of(tmp_path, 12)
    backend = RefusingBackend(error)
    with pytest.raises(TargetError, match=re.escape(says)):
        apply(path, backend, batch_size=100)
    assert len(backend.attempts) <= 4  # the writes already in flight (concurrency 4), not one per item
    assert not path.with_name("d.jsonl").exists()  # no dead letter per record for one cause
    fixed = FakeBackend()
    report, letters = apply(path, fixed)
    assert report.outcomes == {"applied": 12} and letters == []
    assert report.rechecked == len(backend.attempts)  # the writes that met the refusal were re-checked first


def test_a_403_for_one_record_is_that_records_rejection(tmp_path: Path) -> None:
    assert target_refusal({"status": 403, "code": "not.authorized"}) is None
    assert target_refusal({"status": 400, "code": "bad.request"}) is None
    assert target_refusal(None) is None


def test_writes_that_get_no_answer_stop_the_run_after_a_few(tmp_path: Path) -> None:
    path = plan_of(tmp_path, 30)
    backend = RefusingBackend({"type": "TransportFailure", "message": "no answer"})
    with pytest.raises(TargetError, match=f"{NO_ANSWER_LIMIT} writes in a row got no answer") as raised:
        apply(path, backend, batch_size=10)
    assert raised.value.kind == "unreachable"
    assert NO_ANSWER_LIMIT <= len(backend.attempts) < 30
    report, _ = apply(path, FakeBackend())  # failed ones are retried, the rest done
    assert report.outcomes == {"applied": 30}


class PlanRefusingBackend(FakeBackend):
    async def resolve(self, records: Sequence[Disposition]) -> list[WrapupTarget | Unreachable]:
        return [Unreachable("could not read conversation: 403", error=MISSING) for _ in records]


def test_planning_stops_when_lookups_are_refused_for_a_missing_permission(tmp_path: Path) -> None:
    header = new_header(source="five9", mapping_path="t.yaml", mapping_sha256=TABLE.sha256, target="fake")
    writer = PlanWriter(tmp_path / "p.plan.jsonl", header)
    with pytest.raises(TargetError, match="lacks a permission"):
        asyncio.run(make_plan([("in", None, rec(1))], TABLE, PlanRefusingBackend(), writer))
    writer.abort()
    assert not list(tmp_path.iterdir())


def test_a_ledger_made_before_runs_were_told_apart_is_resumed(tmp_path: Path) -> None:
    """Ledgers of earlier versions have no ``run`` column: opened, they get one, and resume as before."""
    import sqlite3

    path = plan_of(tmp_path, 3)
    header, items, _ = read_plan(path)
    first = next(items)
    db = sqlite3.connect(tmp_path / "l.sqlite")
    db.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE items (key TEXT PRIMARY KEY, n INTEGER NOT NULL, state TEXT NOT NULL, outcome TEXT, reason TEXT,"
        " error TEXT, correlation_id TEXT, attempts INTEGER NOT NULL DEFAULT 0,"
        " dead_lettered INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL);"
    )
    db.execute("INSERT INTO meta VALUES ('plan_id', ?)", (header.plan_id,))
    db.execute(
        "INSERT INTO items(key, n, state, outcome, updated_at) VALUES (?, 1, 'done', 'applied', 'x')", (first.key,)
    )
    db.commit()
    db.close()
    backend = FakeBackend()
    report, _ = apply(path, backend)
    assert (
        report.done_before == 1 and report.outcomes == {"applied": 2} and sorted(backend.writes) == [conv(2), conv(3)]
    )
