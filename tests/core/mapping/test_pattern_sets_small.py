"""A table with few ``code`` patterns tries them one by one and never loads RE2 (issue 14: the live path's cold
start); answers are the same whichever way the patterns are tried, from ``PatternSet`` up to the whole table."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import ROOT
from tests.core.mapping.test_pattern_sets import mixed, one_by_one, values
from tests.core.mapping.test_properties import dispositions, load, same, tables
from wrapup_bridge.core.mapping import resolve_naive
from wrapup_bridge.core.mapping import table as table_module
from wrapup_bridge.core.mapping.patterns import PatternSet


@given(mixed, st.lists(values, min_size=1, max_size=10), st.sampled_from([1, 2, 3, 8, 100]))
def test_any_set_size_answers_what_each_pattern_answers(
    patterns: list[tuple[str, str]], texts: list[str], set_from: int
) -> None:
    patterns_set = PatternSet(set_from=set_from)
    for kind, pattern in patterns:
        patterns_set.add_glob(pattern) if kind == "glob" else patterns_set.add_regex(pattern)
    patterns_set.compile()
    for kind in ("glob", "regex"):
        count = sum(1 for k, _ in patterns if k == kind)
        if count >= set_from:  # the kind went to a set: only its patterns RE2 cannot take are on their own
            assert len(patterns_set._sets) >= 1
    if all(sum(1 for k, _ in patterns if k == kind) < set_from for kind in ("glob", "regex")):
        assert patterns_set._sets == []
        assert len(patterns_set._loose) == len(patterns)
    for value in texts:
        assert patterns_set.matching(value) == one_by_one(patterns, value), value


@given(tables(), st.lists(dispositions(), min_size=1, max_size=20), st.sampled_from([1, 100]))
def test_the_table_answers_alike_with_sets_and_without(doc: dict[str, Any], records: list[Any], set_from: int) -> None:
    """The generated tables hold a few patterns each, under the table's own threshold: forced both ways here."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(table_module, "_SET_FROM", set_from)
        table = load(doc)
    for record in records:
        assert same(table.resolve(record), resolve_naive(table, record)), record


def loads_re2(globs: int, regex: bool = False) -> bool:
    rules = "".join(f'  - when: {{code: {{glob: "g{i}*"}}}}\n    code: a\n' for i in range(globs))
    if regex:
        rules += '  - when: {code: {regex: "^r"}}\n    code: a\n'
    text = (
        "version: 1\ncodes: {a: {id: 00000000-0000-4000-8000-000000000001, name: A}}\nrules:\n"
        + rules
        + "  - when: {code: Sale}\n    code: a\n"
    )
    code = (
        "import sys\nfrom wrapup_bridge.core.mapping import MappingTable\nfrom wrapup_bridge import Disposition\n"
        f"table = MappingTable.from_text({text!r})\n"
        "before = 're2' in sys.modules\n"
        "for code in ('Sale', 'g1x', 'other'):\n"
        "    table.resolve(Disposition(source='five9', source_id='1', code=code))\n"
        "print(before, 're2' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    before, after = result.stdout.split()
    assert before == after  # whatever the table needs, it loads with the table, not on a record
    return before == "True"


def test_re2_loads_only_for_a_regex_or_enough_globs() -> None:
    assert not loads_re2(globs=1)
    assert not loads_re2(globs=table_module._SET_FROM - 1)
    assert loads_re2(globs=table_module._SET_FROM)
    assert loads_re2(globs=1, regex=True)
