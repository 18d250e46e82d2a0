"""Sample data of the mapping review tests (core/review and the ``mapping`` commands): a table with one of each
problem planted, each marked by a ``# <marker>`` comment on its line; a history holding markup; the Five9 table
edited for diffs; and generated history with the outcome the Five9 table gives each value."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import EXAMPLES, MAPPINGS

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


def write_planted(folder: Path) -> Path:
    """The planted table as ``folder/planted.yaml``."""
    path = folder / "planted.yaml"
    path.write_text(PLANTED, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------ edited tables
FIVE9 = (MAPPINGS / "five9.yaml").read_text(encoding="utf-8")


def edited(tmp_path: Path, name: str, *replacements: tuple[str, str]) -> Path:
    """The shipped Five9 table with ``replacements`` (each must apply), written as ``tmp_path/name``."""
    text = FIVE9
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------ generated history
#: legacy value -> what mappings/five9.yaml does with it (rule number, or "unmapped")
GENERATED = {
    "Payment Taken": 1,
    "Sale": 2,
    "Not Interested": 5,
    "Busy": 10,
    "Sent To Voicemail": 9,
    "Declined": 13,
    "No Disposition": 14,
    "Left Message": "unmapped",
    "Spoke To Spouse": "unmapped",
}


def spellings_of(value: str, rng: random.Random) -> list[str]:
    """About a dozen ways exports spell one value: case, doubled or trailing spaces, a no-break space, a zero-width space."""
    variants = {
        value,
        value.upper(),
        value.lower(),
        value.replace(" ", "  "),
        value + " ",
        value.replace(" ", "\u00a0"),
    }
    variants.add(value[:2] + "\u200b" + value[2:])
    variants.update("".join(c.upper() if rng.random() < 0.3 else c for c in value) for _ in range(6))
    return sorted(variants)


def generated(n: int, seed: int = 11) -> Iterator[tuple[str, object]]:
    """``n`` legacy values, each in one of a dozen spellings, with the outcome the five9 table gives it."""
    rng = random.Random(seed)
    spellings = {value: spellings_of(value, rng) for value in GENERATED}
    names = list(GENERATED)
    for _ in range(n):
        value = rng.choice(names)
        yield rng.choice(spellings[value]), GENERATED[value]
