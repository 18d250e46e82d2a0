"""Tables are read with libyaml (quick) and, whenever its reading could differ from PyYAML's own parser, by that
parser: both ways give every table the same values, the same lines and the same problems in the same words.

A reading by libyaml is only taken for a mapping read without a problem; every broken table is read, and worded,
by PyYAML's parser as before. The cases below are what reading both ways over mutated tables found libyaml to
read otherwise (and ``_PYYAML_ONLY`` / ``pyyaml_may_differ`` now send to PyYAML's parser).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import MAPPINGS
from wrapup_bridge.core import yamlsource
from wrapup_bridge.core.mapping import MappingTable, MappingTableError, load_mapping
from wrapup_bridge.core.mapping import yamlsource as table_yaml
from wrapup_bridge.core.mapping.yamlsource import (
    LocatedYaml,
    load_located_yaml,
    read_with_libyaml,
    read_with_pyyaml,
)
from wrapup_bridge.core.yamlsource import libyaml_bounds_nesting, locate_yaml

SHIPPED = sorted(MAPPINGS.glob("*.yaml"))
HEADER = """version: 1
codes:
  sale: {id: 0dd6a32c-c059-4534-97bf-c82d73d9c869, name: Sale}
rules:
"""  # rules start on line 5


def seen(located: LocatedYaml) -> tuple[object, ...]:
    """Everything a reading gives the loader."""
    problems = [(p.line, p.message, p.path) for p in located.problems]
    return located.value, located.lines, problems, located.exceeded, located.nodes_seen


def problems_of(text: str) -> list[str]:
    with pytest.raises(MappingTableError) as caught:
        MappingTable.from_text(text, name="t.yaml")
    return [str(p) for p in caught.value.problems]


def test_this_pyyaml_has_libyaml_with_its_nesting_bound() -> None:
    """The quick reading is only used with a libyaml that refuses nesting past 1,000 levels (composing deeper in
    C would be beyond Python's recursion limit); the wheels PyYAML ships have it."""
    assert yaml.__with_libyaml__ and libyaml_bounds_nesting()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_tables_are_read_by_libyaml_exactly_as_by_pyyaml(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    quick = read_with_libyaml(text)
    assert quick is not None, "a shipped table should take the quick reading"
    assert seen(quick) == seen(read_with_pyyaml(text))
    assert (
        quick.lines[("rules", 0)]
        == text.splitlines().index(next(ln for ln in text.splitlines() if "- when:" in ln)) + 1
    )


def _mutated(text: str, rng: random.Random) -> str:
    """``text`` with a few characters inserted, removed or replaced by the ones YAML gives meaning to."""
    alphabet = [*":-[]{},#&*!|>'\"%@`?\\~ \n\t\r", "\x85", "\u2028", "\ufeff", "é", "😀", ": ", "- ", "\n  ", "<<: "]
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(text) + 1)
        what = rng.random()
        if what < 0.4:
            text = text[:at] + rng.choice(alphabet) + text[at:]
        elif what < 0.7:
            text = text[:at] + text[at + rng.randint(1, 5) :]
        else:
            text = text[:at] + rng.choice(alphabet) + text[at + 1 :]
    return text


@given(st.sampled_from(SHIPPED), st.integers(0, 2**32), st.booleans())
def test_mutated_tables_read_by_libyaml_as_by_pyyaml(path: Path, seed: int, window: bool) -> None:
    """Whenever libyaml's reading is taken, PyYAML's parser reads the same text to the same values, lines and
    problems; whatever it would read otherwise goes to PyYAML's parser (then the two readings are one)."""
    rng = random.Random(seed)
    text = path.read_text(encoding="utf-8")
    if window:
        start = rng.randrange(len(text))
        text = text[start : start + rng.randint(40, 1200)]
    text = _mutated(text, rng)
    quick = read_with_libyaml(text)
    slow = read_with_pyyaml(text)
    assert seen(load_located_yaml(text)) == seen(quick if quick is not None else slow)
    if quick is not None:
        assert seen(quick) == seen(slow)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("a: {b: Why?}\n", "a '?' in a plain scalar of a flow collection: PyYAML refuses it"),
        ("a: [x?y]\n", "the same in a flow sequence"),
        ("a:\tb\n", "a tab outside quotes: PyYAML refuses it"),
        ("a: [b\t, c]\n", "a tab in a flow collection"),
        ("%YAML 1.2\n---\na: b\n", "a directive libyaml takes and PyYAML refuses"),
        ("a: !\nb: c\n", "an empty value tagged '!': PyYAML reads null, libyaml ''"),
        ("a: {id: !x-y, name: z}\n", "a tag: PyYAML's runs on over ','"),
        ("a: >#\n  x\n", "a block scalar header followed by '#': PyYAML refuses it"),
        ("\ufeffa: b\n", "a byte order mark"),
        ("---\n# only a comment", "an empty document: its line is where each parser's stream ends"),
        ("- a\n- b\n", "not a mapping"),
        ("a: 1\na: 2\n", "a problem (duplicate key)"),
        ("k: " + "[" * 70 + "]" * 70 + "\n", "nesting past the walk's bound, within libyaml's"),
        ("k: " + "[" * 1200 + "]" * 1200 + "\n", "nesting past libyaml's bound"),
    ],
)
def test_what_libyaml_reads_otherwise_is_read_by_pyyaml(text: str, why: str) -> None:
    assert read_with_libyaml(text) is None, why
    assert seen(load_located_yaml(text)) == seen(read_with_pyyaml(text))


def test_a_question_mark_in_a_flow_rule_is_the_error_it_always_was() -> None:
    (problem,) = problems_of(HEADER + "  - when: {code: Why?}\n    code: sale\n")
    assert problem == "t.yaml:5: YAML syntax error: while parsing a flow mapping expected ',' or '}', but got '?'"


def test_a_question_mark_in_quotes_or_block_text_takes_the_quick_reading() -> None:
    text = (
        HEADER
        + '  - when: {code: "Why?", campaign: {regex: "voice ?mail"}}\n    code: sale\n  - when:\n      code: How?\n    code: sale\n'
    )
    assert read_with_libyaml(text) is not None
    table = MappingTable.from_text(text)
    assert [r.line for r in table.rules] == [5, 7]


def test_lines_of_problems_found_after_reading_are_the_same_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation and reference problems (read by libyaml) name the lines PyYAML's reading gives them."""
    text = (MAPPINGS / "five9.yaml").read_text(encoding="utf-8")
    broken = text.replace("code: payment_taken", "code: payment_takne").replace(
        "tolerance_seconds: 120", "tolerance_seconds: -5"
    )
    broken = broken.replace("    code: busy\n", "    code: busy\n    colour: red\n")
    assert read_with_libyaml(broken) is not None
    quick = problems_of(broken)
    monkeypatch.setattr(table_yaml, "libyaml_bounds_nesting", lambda: False)
    assert problems_of(broken) == quick
    assert len(quick) == 3


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_without_libyaml_tables_load_the_same(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    quick = load_mapping(path)
    monkeypatch.setattr(yamlsource, "_FAST_LOADER", yaml.SafeLoader)
    libyaml_bounds_nesting.cache_clear()
    try:
        assert not libyaml_bounds_nesting()
        assert read_with_libyaml(path.read_text(encoding="utf-8")) is None
        slow = load_mapping(path)
    finally:
        monkeypatch.undo()
        libyaml_bounds_nesting.cache_clear()
    assert slow.document == quick.document and [r.line for r in slow.rules] == [r.line for r in quick.rules]
    assert libyaml_bounds_nesting()


def test_plain_reading_with_libyaml_keeps_nulls_merges_and_refused_types_apart() -> None:
    """The quick plain reading tells tags apart only as far as plain reading needs (null, merge key, '='), and
    reads every other scalar as text, as the safe resolver's reading does."""
    text = "a: ~\nb: null\nc: ''\nd: 1.10\ne: yes\nf: 2026-01-01\ng: '~'\nh: [NULL, Null, x]\ni:\n"
    quick = locate_yaml(text, fast=True)
    assert seen(quick) == seen(locate_yaml(text))
    assert quick.value == {"a": None, "b": None, "c": "", "d": "1.10", "e": "yes", "f": "2026-01-01", "g": "~",
                           "h": [None, None, "x"], "i": None}  # fmt: skip
    for odd in ("a: =\n", "<<: {x: 1}\n", "a: <<\n"):
        assert seen(locate_yaml(odd, fast=True)) == seen(locate_yaml(odd)), odd
