"""Shared fixtures for the mapping review tests: the demo org exported through the real CLI (emulator), a table
with one of each problem planted, each marked by a ``# <marker>`` comment on its line, and a history holding
markup (shared by the report and browser tests, so no test module imports another)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import EXAMPLES
from wrapup_bridge.cli import main
from wrapup_bridge.core.review import OrgCatalog
from wrapup_bridge.services.catalog import load_org_catalog

ORG = EXAMPLES / "demo-org.yaml"

PLANTED = """\
version: 1
description: A table with one of each problem a review must find.
source: {platform: five9, conversation_id: GENESYS CONVERSATION ID}
review: {owner: ops@example.com, reviewed_at: 2026-11-20, ticket: MIG-999}
codes:
  sale:     {id: 0dd6a32c-c059-4534-97bf-c82d73d9c869, name: Sale}
  renamed:  {id: 50a74cff-026f-4c84-aa8f-f5f8d837115f, name: Solved}                 # <drift>
  ghost:    {id: 11111111-2222-4333-8444-555555555555, name: Ghost}                  # <missing>
  moved:    {id: 99999999-2222-4333-8444-555555555555, name: Payment Taken}          # <missing-named>
  other:    {id: 0cab9e0c-7015-4b96-9819-e59f32cd0700, name: Other}                  # <division>
  spelled:  {id: 2e7abed5-658e-430d-8569-80bb0977e471, name: follow-up  required}    # <spelling>
  unused:   {id: 46d1d9af-3dd4-40f3-951b-c8cc9eddb5e7, name: No Answer}              # <unused>
rules:
  - when: {code: Sale}
    code: sale
  - when: {code: [Sale, Big Sale]}                                                   # <partly>
    code: sale
  - when: {code: SALE}                                                               # <duplicate>
    code: ghost
  - when: {code: Solved}
    code: renamed
  - when: {code: Paid}
    code: moved
  - when: {code: Other thing}
    code: other
  - when: {code: Callback, queue: Billing}                                           # <queue>
    code: sale
  - when: {code: Callback, queue: Biling}                                            # <unknown-queue>
    code: spelled
  - when: {code: {glob: "*"}, campaign: Retention}
    code: spelled
  - when: {code: [Busy, Declined], campaign: Retention}                              # <shadowed>
    code: other
  - when: {code: {regex: "^x"}, campaign: Retention}                                 # <redundant>
    code: spelled
  - when: {code: Lost, Code: Won}                                                    # <never>
    skip: Contradicts itself.
  - when: {code: Callback, queue: Support}
    code: spelled
"""


HOSTILE = '<script>alert("x")</script>'
ATTRIBUTE = '"><img src=x onerror=alert(1)>'


def history_with_markup(tmp_path: Path) -> Path:
    """The shipped Five9 call log plus three calls whose disposition is markup, as a hostile export could hold."""
    rows = list(csv.reader(io.StringIO((EXAMPLES / "five9" / "call-log.csv").read_text(encoding="utf-8-sig"))))
    header, first = rows[0], rows[1]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(rows)
    for i, value in enumerate([HOSTILE, HOSTILE, ATTRIBUTE]):
        row = dict(zip(header, first, strict=True))
        row.update({"CALL ID": f"99900000000000{i}", "DISPOSITION": value, "GENESYS CONVERSATION ID": ""})
        writer.writerow(row.values())
    path = tmp_path / "history.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def line_of(text: str, marker: str) -> int:
    """The 1-based line of the ``# <marker>`` comment, so tests say which line without counting by hand."""
    lines = [i for i, line in enumerate(text.splitlines(), 1) if f"# <{marker}>" in line]
    assert len(lines) == 1, marker
    return lines[0]


@pytest.fixture(scope="session")
def snapshot_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo org exported by `wrapup-bridge catalog export` against the in-process emulator."""
    out = tmp_path_factory.mktemp("catalog") / "demo-catalog.json"
    result = CliRunner().invoke(
        main, ["catalog", "export", "--target", "emulator", "--org", str(ORG), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def snapshot(snapshot_file: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(snapshot_file.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session")
def org_catalog(snapshot_file: Path) -> OrgCatalog:
    return load_org_catalog(str(snapshot_file))


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    path = tmp_path / "planted.yaml"
    path.write_text(PLANTED, encoding="utf-8")
    return path
