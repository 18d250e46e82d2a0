"""``PatternSet`` answers, for a value, exactly which patterns match: what trying each glob with ``fnmatch``'s
reading and each regex with RE2 one by one gives, whether the set answers or (out of memory, not text) each
pattern answers for itself. ``glob_to_re2`` is held against ``fnmatch`` on the same values. A table with few
``code`` patterns tries them one by one and never loads RE2 (issue 14: the live path's cold start)."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import ROOT
from wrapup_bridge.core.mapping import table as table_module
from wrapup_bridge.core.mapping.patterns import PatternSet, compile_glob, compile_regex, glob_to_re2

LETTERS = "ab. -é*?"
values = st.text(alphabet=st.sampled_from(list("ab. -é\u00e9x1\ufffd")), max_size=8)
PIECES = [*LETTERS, "[ab]", "[!a]", "[", "]", "\\", "+", "(", "^", "$", "{2}"]
globs = st.lists(st.sampled_from(PIECES), max_size=7).map("".join)
REGEXES = ["a", "^a", "a$", "^$", "b|x", "(a|b)+$", r"\.", "é", "A", "[^a]", r"\d", "a{2}", "", ".", "(?i)B", r"\bb"]
regexes = st.sampled_from(REGEXES)


def one_by_one(patterns: list[tuple[str, str]], value: str) -> set[int]:
    tests = [compile_glob(p) if kind == "glob" else compile_regex(p) for kind, p in patterns]
    return {i for i, test in enumerate(tests) if test(value)}


def pattern_set(patterns: list[tuple[str, str]]) -> PatternSet:
    patterns_set = PatternSet()
    for kind, pattern in patterns:
        patterns_set.add_glob(pattern) if kind == "glob" else patterns_set.add_regex(pattern)
    return patterns_set.compile()


mixed = st.lists(st.one_of(st.tuples(st.just("glob"), globs), st.tuples(st.just("regex"), regexes)), max_size=12)


@given(mixed, st.lists(values, min_size=1, max_size=10))
def test_a_set_answers_what_each_pattern_answers(patterns: list[tuple[str, str]], texts: list[str]) -> None:
    patterns_set = pattern_set(patterns)
    for value in texts:
        assert patterns_set.matching(value) == one_by_one(patterns, value), value


@given(globs, values)
def test_globs_without_a_class_read_by_re2_as_by_fnmatch(pattern: str, value: str) -> None:
    import re2

    translated = glob_to_re2(pattern)
    if "[" in pattern:
        assert translated is None
        return
    assert translated is not None
    expected = compile_glob(pattern)(value) is not None
    assert (re2.fullmatch(translated, value) is not None) == expected


@given(mixed, st.lists(values, min_size=1, max_size=5))
def test_a_set_that_cannot_answer_leaves_it_to_each_pattern(patterns: list[tuple[str, str]], texts: list[str]) -> None:
    """RE2 gives a set no answer when a value needs more memory than its budget; the sentinel missing from the
    (empty) answer sends the value to each pattern."""
    patterns_set = pattern_set(patterns)

    class GivesUp:
        def __init__(self, real: Any) -> None:
            self.real = real

        def Match(self, data: bytes) -> None:  # RE2's name
            return None

    patterns_set._sets = [(GivesUp(rset), ids, members) for rset, ids, members in patterns_set._sets]
    for value in texts:
        assert patterns_set.matching(value) == one_by_one(patterns, value)


def test_values_that_are_not_text_are_matched_as_the_replacement_character() -> None:
    """A lone surrogate (JSON can carry "\\ud800") cannot go to RE2 as UTF-8: each pattern answers for itself, and
    a regex reads it as U+FFFD instead of failing (resolve is total)."""
    patterns = [("regex", "^.$"), ("glob", "?"), ("regex", "a"), ("glob", "*x")]
    patterns_set = pattern_set(patterns)
    assert patterns_set.matching("\ud800") == {0, 1} == one_by_one(patterns, "\ud800")
    assert compile_regex("\ufffd")("x\udc00") and not compile_regex("^a")("\ud800")


def test_patterns_re2_will_not_take_in_a_set_are_tried_on_their_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """Globs with a class stay with ``fnmatch``; a pattern the set refuses is tried on its own; with either, the
    answers are the same."""
    patterns = [("glob", "[!b]*"), ("glob", "a*"), ("regex", "b$"), ("glob", "[")]
    patterns_set = pattern_set(patterns)
    assert len(patterns_set._loose) == 2
    for value in ["ab", "bb", "b", "[", ""]:
        assert patterns_set.matching(value) == one_by_one(patterns, value), value
    assert re.fullmatch(r"\(\?s:.*\)", glob_to_re2("*") or "")


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
