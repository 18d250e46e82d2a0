"""``wrapup-bridge mapping init --extend TABLE``: a later wave of exports brings values a reviewed table has no rule
for; the command proposes rules only for them, in the table's own text, and proves it safe.

Run through the real CLI (click's runner over ``mapping_init.init``; ``mapping validate`` / ``check`` / ``diff`` as
processes) on the shipped tables and the demo org. Every check that "nothing else changed" is made on bytes: the
extended file minus the inserted blocks is the reviewed file, and every record the table decided keeps its decision
(resolved by both tables with the real engine here too, record by record, apart from the command's own proof)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.cli.process import invoke
from tests.conftest import EXAMPLES, MAPPINGS, ROOT
from wrapup_bridge.cli.mapping_init import init
from wrapup_bridge.core.mapping import MappingTable, load_mapping

FIVE9_TABLE = MAPPINGS / "five9.yaml"
TWILIO_TABLE = MAPPINGS / "twilio-flex.yaml"
VOICE = EXAMPLES / "twilio" / "voice-status-callbacks.txt"

#: The second wave of a Five9 migration, derived from the rows of the shipped examples/five9/call-log.csv (the same
#: columns, times, campaigns, agents and numbers; CALL ID and GENESYS CONVERSATION ID made unique): every value the
#: first wave had, plus values mappings/five9.yaml has no rule for. "Forced Logout" and "Queue Callback Timeout" are
#: Five9 system dispositions seen verbatim in real Call Logs (shared/reference/five9.md 1.5, VERIFIED); "Recycle" is
#: one too (five9.md 1.5, "RecycleDispositionAllowed", VERIFIED). "Escalated" and "Renewal" are agent dispositions
#: of the domain's own (custom names, as the table's first section says: a Five9 admin names them freely).
WAVE2_NEW = {
    # row of call-log.csv (1-based, after the header) -> the new DISPOSITION
    1: "Escalated",
    4: "Escalated ",
    12: "Renewal",
    13: "Forced Logout",
    14: "Queue Callback Timeout",
    15: "Recycle",
}


def wave2(tmp_path: Path) -> Path:
    """The wave-2 Call Log (see ``WAVE2_NEW``): the example's rows, then the changed copies."""
    source = (EXAMPLES / "five9" / "call-log.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(source)))
    header, body = rows[0], rows[1:]
    call_id, disposition, conversation = header.index("CALL ID"), header.index("DISPOSITION"), len(header) - 1
    assert header[conversation] == "GENESYS CONVERSATION ID"
    out = [header, *body]
    for n, (row, value) in enumerate(WAVE2_NEW.items()):
        copy = list(body[row - 1])
        copy[call_id] = str(300000010279000 + n)
        copy[disposition] = value
        copy[conversation] = f"c0ffee00-0000-4000-8000-0000000090{n:02d}"
        out.append(copy)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(out)
    path = tmp_path / "wave2-call-log.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def run(*args: str) -> Result:
    result = CliRunner().invoke(init, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "Traceback" not in result.output
    return result


def extend(
    tmp_path: Path, catalog: Path, history: list[str], table: Path, *args: str, out: str = "extended.yaml"
) -> tuple[Path, dict[str, Any]]:
    target = tmp_path / out
    result = run(*history, "--extend", str(table), "--catalog", str(catalog), "--out", str(target), "--json",
                 "--rejects", str(tmp_path / "r.jsonl"), *args)  # fmt: skip
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return target, data


def removed_insertions(old: str, new: str) -> str:
    """``new`` with every inserted run of lines taken out, when ``old``'s lines are all in it, in order and
    unchanged (then the result is ``old``); any other change shows in the result."""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    kept, i = [], 0
    for line in new_lines:
        if i < len(old_lines) and line == old_lines[i]:
            kept.append(line)
            i += 1
    return "".join(kept)


def records(history: list[str], table: MappingTable) -> list[Any]:
    """The history's records as the table's source: reads them (the engine's input)."""
    from wrapup_bridge.cli._adapters import build_adapter
    from wrapup_bridge.services.inputs import adapter_options
    from wrapup_bridge.services.review import InputHistory

    platform = table.source.platform
    assert platform is not None
    options = adapter_options(table, platform)
    return list(InputHistory(build_adapter(platform, options), tuple(history), options.encoding))


def assert_decided_alike(old: MappingTable, new: MappingTable, history: list[str]) -> int:
    """Every record a rule of ``old`` decided gets the same kind, code and rule from ``new``; returns how many."""
    n = 0
    for record in records(history, old):
        before = old.resolve(record)
        if before.rule is None:
            continue
        after = new.resolve(record)
        assert (after.kind, after.code, after.rule.number if after.rule else None) == (
            before.kind,
            before.code,
            before.rule.number,
        ), record
        n += 1
    return n


# ------------------------------------------------------------------------------------------ Five9, wave 2
def test_five9_wave2_gets_rules_for_its_new_values_only(tmp_path: Path, snapshot_file: Path) -> None:
    history = [str(wave2(tmp_path))]
    out, data = extend(tmp_path, snapshot_file, history, FIVE9_TABLE)
    old_text = FIVE9_TABLE.read_text(encoding="utf-8")
    new_text = out.read_text(encoding="utf-8")
    # every byte of the reviewed table is still there, in order: only whole lines were inserted
    assert removed_insertions(old_text, new_text) == old_text
    assert (data["records"], data["decided_by_rules"], data["no_rule_records"]) == (26, 19, 7)
    assert data["proposals"] == {"code-high": 2, "code-low": 1, "skip": 0, "todo": 3}
    assert data["codes_added"] == [
        {"alias": "escalated", "id": "f99e6ae5-c3c7-4558-bad3-67d4ab3e1d35", "name": "Escalated"},
        {"alias": "renewal", "id": "d9f0b7c0-e6f6-4abf-9c86-269bdefda9aa", "name": "Renewal"},
    ]
    assert data["codes_reused"] == [{"alias": "callback", "id": "0b1f3790-be06-42fd-9aaf-6ec4a380626b",
                                     "name": "Callback Scheduled"}]  # fmt: skip
    # the new aliases follow the table's own, lined up with them, under the provenance
    assert (
        "  caller_abandoned:   {id: a3d1165a-531a-4dec-81f0-3b05c05c6f96, name: Caller Abandoned}\n"
        "  # --- PROPOSED by `wrapup-bridge mapping init --extend`: the codes of the rules proposed at the end of rules:.\n"
        "  escalated:          {id: f99e6ae5-c3c7-4558-bad3-67d4ab3e1d35, name: Escalated}\n"
        "  renewal:            {id: d9f0b7c0-e6f6-4abf-9c86-269bdefda9aa, name: Renewal}\n"
    ) in new_text
    # the new rules after the last rule, with render's comments; the TODO block after them, before unmapped:
    tail = new_text[new_text.index("keeps whatever the agent set.\n") :]
    assert tail.index("# --- PROPOSED by `wrapup-bridge mapping init --extend`: nothing is applied") < tail.index(
        "unmapped:\n  action: dead-letter"
    )
    assert (
        '  # "Escalated": 2 records (7.7%); spellings "Escalated" x1, "Escalated " x1\n'
        "  # proposed: Escalated, confidence 1.00 (high): same name (ignoring case, spacing and quotes)\n"
        "  - when: {code: Escalated}\n"
        "    code: escalated\n"
    ) in tail
    assert "  - when: {code: Queue Callback Timeout}\n    code: callback\n" in tail
    assert "(LOW: check it)" in tail
    for todo in ("Forced Logout", "Recycle", "Spoke To Spouse"):
        assert f"  # - when: {{code: {todo}}}\n" in tail
    old, new = load_mapping(FIVE9_TABLE), load_mapping(out)
    assert len(new.rules) == len(old.rules) + 3
    assert [r.spec for r in new.rules[: len(old.rules)]] == [r.spec for r in old.rules]
    assert assert_decided_alike(old, new, history) == 19
    # the records no rule decided: the new rules take theirs, the TODO values still meet unmapped:
    decisions = {r.code.strip(): new.resolve(r) for r in records(history, new) if old.resolve(r).rule is None}
    assert {v: (d.code.name if d.code else d.kind.value) for v, d in decisions.items()} == {
        "Escalated": "Escalated",
        "Renewal": "Renewal",
        "Queue Callback Timeout": "Callback Scheduled",
        "Forced Logout": "unmapped",
        "Recycle": "unmapped",
        "Spoke To Spouse": "unmapped",
    }


def test_the_extended_table_passes_validate_check_and_moves_only_the_missing_records(
    tmp_path: Path, snapshot_file: Path
) -> None:
    history = [str(wave2(tmp_path))]
    out, _ = extend(tmp_path, snapshot_file, history, FIVE9_TABLE)
    validated = invoke("mapping", "validate", str(out))
    assert validated.returncode == 0 and validated.stdout.startswith(f"ok: {out}"), validated.stdout + validated.stderr
    checked = invoke("mapping", "check", str(out), "--catalog", str(snapshot_file), "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    report = json.loads(checked.stdout)
    assert report["counts"]["error"] == 0
    assert all(code["status"] == "ok" for code in report["codes"]), report["codes"]


def test_extending_twice_adds_nothing_and_the_bytes_are_the_same_every_run(tmp_path: Path, snapshot_file: Path) -> None:
    history = [str(wave2(tmp_path))]
    first, _ = extend(tmp_path, snapshot_file, history, FIVE9_TABLE, out="a.yaml")
    again, _ = extend(tmp_path, snapshot_file, history, FIVE9_TABLE, out="b.yaml")
    assert first.read_bytes() == again.read_bytes()
    to_stdout = run(*history, "--extend", str(FIVE9_TABLE), "--catalog", str(snapshot_file),
                    "--rejects", str(tmp_path / "r.jsonl"))  # fmt: skip
    assert to_stdout.exit_code == 0 and to_stdout.stdout.encode() == first.read_bytes()
    assert "3 rules" in to_stdout.stderr  # the summary goes to stderr then
    # the extended table, extended again with the same history: the same bytes, nothing proposed twice
    twice, data = extend(tmp_path, snapshot_file, history, first, out="c.yaml")
    assert twice.read_bytes() == first.read_bytes()
    assert data["changed"] is False and data["rules_added"] == 0 and data["todo_listed"] == 0
    assert sorted(data["todo_listed_before"]) == ["Forced Logout", "Recycle", "Spoke To Spouse"]
    printed = run(*history, "--extend", str(first), "--catalog", str(snapshot_file), "--out",
                  str(tmp_path / "d.yaml"), "--rejects", str(tmp_path / "r.jsonl"))  # fmt: skip
    assert "nothing new to add: the 3 values with no rule are already listed as TODO" in printed.stdout


def test_a_history_the_table_fully_decides_adds_nothing(tmp_path: Path, snapshot_file: Path) -> None:
    web = [str(EXAMPLES / "five9" / "web-connector.jsonl"), "--format", "web-connector"]
    result = run(*web, "--extend", str(FIVE9_TABLE), "--catalog", str(snapshot_file), "--out",
                 str(tmp_path / "same.yaml"), "--rejects", str(tmp_path / "r.jsonl"))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "the table already has a rule for every value of this history" in result.stdout
    assert (tmp_path / "same.yaml").read_bytes() == FIVE9_TABLE.read_bytes()


def test_in_place_only_with_force_keeping_bom_line_ends_and_mode(tmp_path: Path, snapshot_file: Path) -> None:
    history = [str(wave2(tmp_path))]
    table = tmp_path / "five9.yaml"
    original = ("\ufeff" + FIVE9_TABLE.read_text(encoding="utf-8")).replace("\n", "\r\n").encode("utf-8")
    table.write_bytes(original)
    table.chmod(0o640)
    refused = run(*history, "--extend", str(table), "--catalog", str(snapshot_file), "--out", str(table))
    assert refused.exit_code == 2 and "exists: give --force" in refused.output
    assert table.read_bytes() == original
    done = run(*history, "--extend", str(table), "--catalog", str(snapshot_file), "--out", str(table), "--force",
               "--rejects", str(tmp_path / "r.jsonl"))  # fmt: skip
    assert done.exit_code == 0, done.output
    data = table.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\n" not in data.replace(b"\r\n", b"")
    assert table.stat().st_mode & 0o777 == 0o640
    text = data.decode("utf-8")
    assert removed_insertions(original.decode("utf-8"), text) == original.decode("utf-8")
    assert "  - when: {code: Escalated}\r\n    code: escalated\r\n" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["five9.yaml", "wave2-call-log.csv"]  # no temporary file


# ------------------------------------------------------------------------------------------ other tables
def test_a_fallback_table_s_fallback_records_are_no_rule_records(tmp_path: Path, snapshot_file: Path) -> None:
    """``unmapped: {action: fallback}`` gives the records no rule matched a code; it is still no rule's decision."""
    table = tmp_path / "fallback.yaml"
    text = FIVE9_TABLE.read_text(encoding="utf-8")
    assert "unmapped:\n  action: dead-letter\n" in text
    table.write_text(text.replace("unmapped:\n  action: dead-letter\n", "unmapped: {action: fallback, code: follow_up}\n"),
                     encoding="utf-8")  # fmt: skip
    history = [str(wave2(tmp_path))]
    out, data = extend(tmp_path, snapshot_file, history, table)
    assert (data["decided_by_rules"], data["no_rule_records"], data["rules_added"]) == (19, 7, 3)
    old, new = load_mapping(table), load_mapping(out)
    assert assert_decided_alike(old, new, history) == 19
    for record in records(history, new):
        if old.resolve(record).rule is None and record.code.strip() in ("Forced Logout", "Recycle", "Spoke To Spouse"):
            assert new.resolve(record).kind.value == "fallback"  # the TODO values keep the table's fallback
    assert removed_insertions(table.read_text(encoding="utf-8"), out.read_text(encoding="utf-8")) == text.replace(
        "unmapped:\n  action: dead-letter\n", "unmapped: {action: fallback, code: follow_up}\n"
    )


def _twilio_without(tmp_path: Path, *rules: str) -> Path:
    text = TWILIO_TABLE.read_text(encoding="utf-8")
    for rule in rules:
        assert rule in text
        text = text.replace(rule, "")
    path = tmp_path / "twilio.yaml"
    path.write_text(text, encoding="utf-8")
    return path


SIP_404_RULE = """  - when: {outcome_kind: system, code: failed, sip_response_code: [404, 484, 604]}
    code: wrong_number
    notes: SIP 404/484/604 mean the number does not exist or is incomplete.
"""
SYSTEM_SKIP_RULE = """  - when: {outcome_kind: system}
    skip: A connected or failed call carries no outcome of its own; the agent's disposition comes from the task.
"""


def test_a_value_a_rule_skips_is_left_alone(tmp_path: Path, snapshot_file: Path) -> None:
    """Without its 404 rule, twilio-flex.yaml still decides the failed call: its `outcome_kind: system` rule skips
    it (a reviewer's decision), so nothing is proposed."""
    table = _twilio_without(tmp_path, SIP_404_RULE)
    out, data = extend(tmp_path, snapshot_file, [str(VOICE), "-s", "twilio"], table)
    assert data["no_rule_records"] == 0 and data["changed"] is False
    assert out.read_bytes() == table.read_bytes()


def test_a_failed_call_s_sip_status_gets_its_own_rule(tmp_path: Path, snapshot_file: Path) -> None:
    """Without the 404 rule and the system skip, the voice callbacks' failed call (SipResponseCode=404, line 6 of
    the shipped examples/twilio/voice-status-callbacks.txt) is split by its signal and proposed Wrong Number, the
    table's own alias reused, in a rule naming the field."""
    table = _twilio_without(tmp_path, SIP_404_RULE, SYSTEM_SKIP_RULE)
    history = [str(VOICE), "-s", "twilio"]
    out, data = extend(tmp_path, snapshot_file, history, table)
    (failed,) = [v for v in data["values"] if v["normalized"] == "failed"]
    assert failed["signal"] == {"field": "sip_response_code", "values": ["404", "484", "604"]}
    assert data["codes_reused"][0]["alias"] == "wrong_number" and data["codes_added"] == []
    text = out.read_text(encoding="utf-8")
    assert '  - when: {code: failed, sip_response_code: ["404", "484", "604"]}\n    code: wrong_number\n' in text
    old, new = load_mapping(table), load_mapping(out)
    (call,) = [r for r in records(history[:1], new) if r.code == "failed"]
    assert old.resolve(call).rule is None and new.resolve(call).code is not None
    assert new.resolve(call).code.name == "Wrong Number"  # type: ignore[union-attr]
    assert assert_decided_alike(old, new, history[:1]) > 0
    assert removed_insertions(table.read_text(encoding="utf-8"), text) == table.read_text(encoding="utf-8")


def test_empty_flow_sections_are_opened_and_other_flow_sections_refused(tmp_path: Path, snapshot_file: Path) -> None:
    history = [str(wave2(tmp_path))]
    empty = tmp_path / "empty.yaml"
    empty.write_text("version: 1\nsource: {platform: five9, conversation_id: GENESYS CONVERSATION ID}\n"
                     "codes: {}   # none yet\nrules: []\n", encoding="utf-8")  # fmt: skip
    out, data = extend(tmp_path, snapshot_file, history, empty)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("version: 1\nsource: {platform: five9, conversation_id: GENESYS CONVERSATION ID}\n"
                           "codes:    # none yet\n  # --- PROPOSED")  # fmt: skip
    assert "\nrules:\n\n  # --- PROPOSED" in text
    assert data["rules_added"] > 3 and invoke("mapping", "validate", str(out)).returncode == 0
    flow = tmp_path / "flow.yaml"
    flow.write_text("version: 1\nsource: {platform: five9, conversation_id: GENESYS CONVERSATION ID}\ncodes:\n"
                    "  payment_taken: {id: dd1c84e4-4fa9-40d7-81ac-e0d9a2729d41, name: Payment Taken}\n"
                    "rules: [{when: {code: Payment Taken}, code: payment_taken}]\n", encoding="utf-8")  # fmt: skip
    assert load_mapping(flow).rules  # a valid table, rules in flow style
    refused = run(*history, "--extend", str(flow), "--catalog", str(snapshot_file), "--out",
                  str(tmp_path / "never.yaml"), "--rejects", str(tmp_path / "r.jsonl"))  # fmt: skip
    assert refused.exit_code == 2
    assert f"{flow}:" in refused.stderr and "rules: is written in flow style" in refused.stderr
    assert "nothing was written" in refused.stderr and not (tmp_path / "never.yaml").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mapping", str(FIVE9_TABLE)], "leave out --mapping"),
        (["--compare", str(FIVE9_TABLE)], "mapping diff TABLE EXTENDED --history"),
    ],
)
def test_mapping_and_compare_are_refused_with_extend(snapshot_file: Path, args: list[str], message: str) -> None:
    result = run(str(EXAMPLES / "five9" / "call-log.csv"), "--extend", str(FIVE9_TABLE), "--catalog",
                 str(snapshot_file), *args)  # fmt: skip
    assert result.exit_code == 2 and message in result.output


def test_a_table_that_does_not_load_is_reported_with_its_line(tmp_path: Path, snapshot_file: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(FIVE9_TABLE.read_text(encoding="utf-8").replace("code: sale\n", "code: nope\n"), encoding="utf-8")
    result = run(str(EXAMPLES / "five9" / "call-log.csv"), "--extend", str(broken), "--catalog", str(snapshot_file))
    assert result.exit_code == 2 and f"{broken}:" in result.stderr and "nope" in result.stderr


def test_unreadable_records_exit_1_and_the_table_is_still_written(tmp_path: Path, snapshot_file: Path) -> None:
    lines = (EXAMPLES / "five9" / "call-log.csv").read_text(encoding="utf-8-sig").splitlines()
    export = tmp_path / "calls.csv"
    export.write_text("\n".join([lines[0], lines[1].replace("Fri, 21 Aug 2026 09:02:05", "not a time"), *lines[2:]])
                      + "\n", encoding="utf-8")  # fmt: skip
    result = run(str(export), "--extend", str(FIVE9_TABLE), "--catalog", str(snapshot_file), "--out",
                 str(tmp_path / "t.yaml"), "--rejects", str(tmp_path / "rejects.jsonl"))  # fmt: skip
    assert result.exit_code == 1 and f"rejected: {export}:line 2" in result.stderr
    assert (tmp_path / "t.yaml").exists() and (tmp_path / "rejects.jsonl").exists()


def test_the_docs_show_the_command() -> None:
    docs = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    assert "### Extending a reviewed table: --extend" in docs
