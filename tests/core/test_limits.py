"""Nesting bounds: deep documents are refused with one error type whichever parser meets them."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wrapup_bridge.core.limits import MAX_NESTING, NestingError, check_nesting, loads_json


def nested(depth: int, open_: str = "[", close: str = "]") -> str:
    return open_ * depth + close * depth


def test_the_limit_itself_is_accepted_one_more_is_refused() -> None:
    assert loads_json(nested(MAX_NESTING)) is not None
    with pytest.raises(NestingError, match="more than 64 levels"):
        loads_json(nested(MAX_NESTING + 1))


@pytest.mark.parametrize("depth", [5_000, 30_000])
def test_depth_beyond_the_parser_is_the_same_error_not_recursion(depth: int) -> None:
    with pytest.raises(NestingError):
        loads_json(nested(depth))
    with pytest.raises(NestingError):
        loads_json('{"a":' * depth + "1" + "}" * depth)


def test_invalid_json_stays_a_decode_error() -> None:
    with pytest.raises(json.JSONDecodeError):
        loads_json("{")


@given(
    st.recursive(
        st.integers() | st.text(max_size=3),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=2), c, max_size=3),
        max_leaves=30,
    )
)
def test_shallow_documents_round_trip(value: object) -> None:
    text = json.dumps(value)
    assert loads_json(text) == value
    check_nesting(value)


@pytest.mark.parametrize("text", ['{"code": NaN}', '{"code": -Infinity}', '{"code": 1e999}', "[Infinity]"])
def test_values_python_accepts_but_json_does_not_are_invalid_json(text: str) -> None:
    with pytest.raises(json.JSONDecodeError, match=r"NaN|Infinity|too large"):
        loads_json(text)
    assert loads_json('{"code": 1.5e3}') == {"code": 1500.0}
