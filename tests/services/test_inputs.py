"""``services.inputs``: the one path from exports through an adapter. Bad records are yielded with their file, line
and raw text (never dropped, never raised); settings and inputs that cannot be used raise library errors a caller
can catch as ``WrapupBridgeError``, never a click exit."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, MAPPINGS
from wrapup_bridge.adapters import AdapterError
from wrapup_bridge.adapters.textinput import InputDecodeError
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.errors import WrapupBridgeError
from wrapup_bridge.core.mapping import load_mapping
from wrapup_bridge.services.inputs import (
    InputError,
    OptionError,
    adapter_options,
    build_adapter,
    read_inputs,
)


def twilio_export(tmp_path: Path) -> Path:
    lines = (EXAMPLES / "twilio" / "flex-task-attributes.jsonl").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "tasks.jsonl"
    path.write_text("\n".join([lines[0], '{"TaskSid": "WT1", broken', lines[1]]) + "\n", encoding="utf-8")
    return path


def test_a_bad_record_is_yielded_in_its_place_with_file_line_and_raw_text(tmp_path: Path) -> None:
    path = twilio_export(tmp_path)
    adapter = build_adapter("twilio", adapter_options(None, "twilio"))
    records = list(read_inputs(adapter, [str(path)]))
    assert [r.rejected for r in records] == [False, True, False]
    assert all(r.input == str(path) for r in records)
    assert isinstance(records[0].result, Disposition) and isinstance(records[2].result, Disposition)
    reject = records[1].result
    assert isinstance(reject, AdapterError)
    assert reject.input_name == str(path) and reject.record == "line 2"
    assert reject.raw == '{"TaskSid": "WT1", broken'
    assert str(reject).startswith(f"{path}:line 2: not valid JSON")
    line = reject.to_json_dict()  # what a rejects file keeps, for a retry
    assert line["input"] == str(path) and line["record"] == "line 2" and line["raw"] == reject.raw


def test_inputs_are_read_in_order_and_the_table_source_section_applies() -> None:
    table = load_mapping(MAPPINGS / "five9.yaml")
    options = adapter_options(table, catalog=str(EXAMPLES / "five9" / "dispositions.yaml"))
    call_log = str(EXAMPLES / "five9" / "call-log.csv")
    records = list(read_inputs(build_adapter("five9", options), [call_log, call_log], encoding=options.encoding))
    assert len(records) % 2 == 0 and records
    half = len(records) // 2
    assert [r.result for r in records[:half]] == [r.result for r in records[half:]]
    assert any(isinstance(r.result, Disposition) and r.result.conversation_id for r in records)


def test_the_run_wins_over_the_table_and_a_bad_setting_is_an_option_error() -> None:
    table = load_mapping(MAPPINGS / "five9.yaml")
    assert adapter_options(table, timezone="Europe/London").timezone == "Europe/London"
    with pytest.raises(OptionError, match="--encoding: unknown encoding"):
        adapter_options(None, encoding="no-such-codec")
    with pytest.raises(OptionError, match="--field 'code': expected KEY=PLACE"):
        adapter_options(None, fields=["code"])
    with pytest.raises(OptionError, match="--format: "):
        build_adapter("five9", adapter_options(None, format="no-such-format"))
    with pytest.raises(OptionError, match="unknown source"):
        build_adapter("genesys")
    assert issubclass(OptionError, WrapupBridgeError) and issubclass(OptionError, ValueError)


def test_a_missing_input_and_a_wrong_encoding_are_library_errors(tmp_path: Path) -> None:
    adapter = build_adapter("five9")
    with pytest.raises(InputError, match="does not exist or is not a file"):
        list(read_inputs(adapter, [str(tmp_path / "nope.csv")]))
    latin = tmp_path / "latin.csv"
    latin.write_bytes((EXAMPLES / "five9" / "call-log.csv").read_bytes().replace(b"Payment Taken", b"Pay\xe9"))
    with pytest.raises(InputDecodeError, match=r"line 2.*--encoding cp1252"):
        list(read_inputs(adapter, [str(latin)]))
    assert len(list(read_inputs(adapter, [str(latin)], encoding="cp1252"))) > 1
    assert issubclass(InputError, WrapupBridgeError) and issubclass(InputError, OSError)


#: examples/five9/call-log-no-ids.csv as docs/correlation-demo.md describes it: CALL ID -> the UTC instant of its
#: Pacific TIMESTAMP (PST, UTC-8, on both days; no region or zone set in the table, so the US data centre's).
NO_IDS_TIMES = {
    "300000009874415": "2026-02-09T18:14:27Z",
    "300000010315502": "2026-03-05T16:02:31Z",
    "300000010315509": "2026-03-05T16:11:47Z",
    "300000010315514": "2026-03-05T16:21:36Z",
    "300000010315520": "2026-03-05T16:31:14Z",
    "300000010315521": "2026-03-05T16:31:41Z",
    "300000010315526": "2026-03-05T16:44:05Z",
    "300000010315531": "2026-03-05T17:00:52Z",
    "300000010315535": "2026-03-05T17:15:20Z",
    "300000010315540": "2026-03-05T17:30:09Z",
    "300000010315544": "2026-03-05T17:42:26Z",
    "300000010315547": "2026-03-05T17:50:41Z",
    "300000010315551": "2026-03-05T17:59:55Z",
    "300000010315588": "2026-03-06T00:00:05Z",  # Thu, 05 Mar 2026 16:00:05 Pacific
    "300000010315593": "2026-03-06T00:52:02Z",
}


def test_the_five9_export_without_conversation_ids_reads_whole_through_the_shipped_table() -> None:
    table = load_mapping(MAPPINGS / "five9.yaml")
    options = adapter_options(table)
    path = str(EXAMPLES / "five9" / "call-log-no-ids.csv")
    results = [r.result for r in read_inputs(build_adapter("five9", options), [path], encoding=options.encoding)]
    records = [r for r in results if isinstance(r, Disposition)]
    assert len(records) == len(results)  # no rejects: the missing id column is not an error
    assert {r.source_id: r.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ") for r in records if r.occurred_at} == (
        NO_IDS_TIMES
    )
    assert all(r.conversation_id is None for r in records)
    # Numbers as Five9 writes them (10 digits, no +1), which correlation reads with the default country US.
    assert all(len(r.fields["ani"]) == len(r.fields["dnis"]) == 10 for r in records)
    transferred = next(r for r in records if r.source_id == "300000010315514")
    assert transferred.fields["call_rows"] == "2" and transferred.fields["dnis"] == "8005550100"
