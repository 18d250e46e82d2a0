"""``services.review``: check, coverage, diff and report as library calls over a ``History`` (export files read
through ``services.inputs``, or any stream of dispositions), the same numbers the ``mapping`` commands print."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest

from wrapup_bridge.adapters import AdapterError
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.mapping import MappingTable, load_mapping
from wrapup_bridge.core.review import OrgCatalog, load_reviewed
from wrapup_bridge.data import shipped
from wrapup_bridge.services.catalog import export_catalog
from wrapup_bridge.services.inputs import InputError, adapter_options, build_adapter
from wrapup_bridge.services.review import (
    History,
    InputHistory,
    build_report,
    check,
    coverage_of,
    diff_of,
    history_table,
    tool_version,
)
from wrapup_bridge.services.target import connect

FIVE9 = shipped("mappings/five9.yaml")
CALL_LOG = str(shipped("examples/five9/call-log.csv"))


@pytest.fixture(scope="module")
def demo_org() -> OrgCatalog:
    async def run() -> OrgCatalog:
        async with connect("emulator") as connection:
            return (await export_catalog(connection)).view

    return asyncio.run(run())


def call_log(table: MappingTable, *inputs: str, rejects: list[AdapterError] | None = None) -> InputHistory:
    options = adapter_options(table, "five9")
    return InputHistory(
        build_adapter("five9", options),
        inputs or (CALL_LOG,),
        options.encoding,
        rejects.append if rejects is not None else None,
    )


def new_table(tmp_path: Path) -> Path:
    text = FIVE9.read_text(encoding="utf-8")
    old = "  - when: {code: Not Interested}\n    code: not_interested"
    assert old in text
    path = tmp_path / "five9-v2.yaml"
    path.write_text(text.replace(old, "  - when: {code: Not Interested}\n    code: do_not_call"), encoding="utf-8")
    return path


def test_check_against_the_demo_org(demo_org: OrgCatalog) -> None:
    result = check(load_reviewed(FIVE9), demo_org)
    assert result.catalog is demo_org and not result.failed(strict=True)
    assert all(code.status == "ok" for code in result.codes)
    assert check(load_reviewed(FIVE9)).catalog is None


def test_coverage_over_export_files() -> None:
    table = load_mapping(FIVE9)
    history = call_log(table)
    summary = coverage_of(table, history)
    assert summary.records == 20 and summary.rejected == 0 and summary.inputs == (CALL_LOG,)
    assert summary.kinds == {"mapped": 17, "skip": 2, "fallback": 0, "unmapped": 1}
    assert [v.display for v in summary.top_unmapped()] == ["Spoke To Spouse"]


def test_unreadable_records_are_counted_and_handed_over(tmp_path: Path) -> None:
    lines = Path(CALL_LOG).read_text(encoding="utf-8-sig").splitlines(keepends=True)
    broken = tmp_path / "broken.csv"
    broken.write_text(lines[0] + lines[1] + "x" * 3 + ',"unclosed\n', encoding="utf-8")
    table = load_mapping(FIVE9)
    rejects: list[AdapterError] = []
    summary = coverage_of(table, call_log(table, str(broken), rejects=rejects))
    assert summary.records == 1 and summary.rejected == len(rejects) == 1
    assert rejects[0].input_name == str(broken)


def test_an_input_that_is_not_there_is_a_library_error(tmp_path: Path) -> None:
    table = load_mapping(FIVE9)
    with pytest.raises(InputError, match="does not exist"):
        coverage_of(table, call_log(table, str(tmp_path / "none.csv")))


def test_diff_with_history_counts_moved_records(tmp_path: Path) -> None:
    old, new = load_mapping(FIVE9), load_mapping(new_table(tmp_path))
    assert history_table(old, new) is new
    result = diff_of(old, new, call_log(new))
    assert [r.value for r in result.changes] == ["Not Interested"]
    assert result.history is not None and (result.history.records, result.history.moved) == (20, 1)
    assert diff_of(old, new).history is None


@dataclass
class Listed:
    """A ``History`` that is not read from files: any stream of dispositions will do."""

    records: list[Disposition]
    inputs: Sequence[str] = ("listed",)
    rejected: int = 2

    def __iter__(self) -> Iterator[Disposition]:
        return iter(self.records)


def test_report_gathers_check_coverage_and_diff_in_one_pass(tmp_path: Path, demo_org: OrgCatalog) -> None:
    reviewed = load_reviewed(new_table(tmp_path))
    records = [Disposition(source="five9", source_id=str(i), code=code) for i, code in enumerate(["Sale", "Huh"])]
    history: History = Listed(records)
    report = build_report(
        reviewed, catalog=demo_org, history=history, against=load_mapping(FIVE9), generated_at="2026-01-01T00:00:00Z"
    )
    assert report.generated_at == "2026-01-01T00:00:00Z" and report.tool_version == tool_version()
    assert report.check.catalog is demo_org
    assert report.coverage is not None and report.coverage.records == 2 and report.coverage.rejected == 2
    assert report.coverage.inputs == ("listed",) and report.coverage.kinds["unmapped"] == 1
    assert report.diff is not None and report.diff.history is not None and report.diff.history.records == 2
    assert report.failed  # an unmapped and two unreadable records


def test_report_without_history_or_older_table() -> None:
    report = build_report(load_reviewed(FIVE9))
    assert report.coverage is None and report.diff is None and report.generated_at.endswith("Z")
    assert not report.failed


def test_the_correlate_section_is_judged_on_the_day_given(demo_org: OrgCatalog) -> None:
    """The shipped table's cutover (2026-03-02) is fine from that day on: check and build_report take the day."""
    reviewed = load_reviewed(FIVE9)
    before = check(reviewed, demo_org, today=date(2026, 3, 1))
    assert [f.kind.value for f in before.findings] == ["correlate-cutover"] and before.failed(strict=True)
    assert check(reviewed, demo_org, today=date(2026, 3, 2)).findings == []
    report = build_report(reviewed, catalog=demo_org, today=date(2026, 3, 1))
    assert report.correlation is not None and [f.kind.value for f in report.correlation.findings] == [
        "correlate-cutover"
    ]
    assert [q.genesys_name for q in report.correlation.queues] == ["Billing", "Sales Outbound"]
    assert not report.failed and replace(report, strict=True).failed  # a warning: --strict stops on it
