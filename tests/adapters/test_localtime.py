"""Declared date orders and formats, as every adapter reads local times through them."""

from __future__ import annotations

from datetime import datetime

import pytest

from wrapup_bridge.adapters import options_for
from wrapup_bridge.adapters.localtime import TimeSettings, check_time_format, parse_declared


@pytest.mark.parametrize("order", ["mdy", "dmy", "ymd"])
def test_year_first_dates_read_the_same_whatever_the_declared_order(order: str) -> None:
    settings = TimeSettings(None, None, order)  # type: ignore[arg-type]  # parametrized Literal
    assert parse_declared("2025-11-04 14:06", settings) == datetime(2025, 11, 4, 14, 6)
    assert parse_declared("2025/11/04", settings) == datetime(2025, 11, 4)


def test_the_declared_order_decides_the_ambiguous_ones() -> None:
    assert parse_declared("11/04/2025 2:06 PM", TimeSettings(None, None, "mdy")) == datetime(2025, 11, 4, 14, 6)
    assert parse_declared("11/04/2025 14:06", TimeSettings(None, None, "dmy")) == datetime(2025, 4, 11, 14, 6)
    with pytest.raises(ValueError, match="not a valid date in mdy order"):
        parse_declared("24/11/2025", TimeSettings(None, None, "mdy"))


@pytest.mark.parametrize("fmt", ["iso", "epoch", "epoch-ms", "%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M:%S%z"])
def test_usable_time_formats_pass(fmt: str) -> None:
    assert check_time_format(fmt) == fmt


@pytest.mark.parametrize(("fmt", "says"), [("%Q", "bad directive"), ("yyyy-mm-dd", "not a time format")])
def test_a_time_format_typo_is_refused_once_not_on_every_row(fmt: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        check_time_format(fmt)
    with pytest.raises(ValueError, match="--time-format"):
        options_for(None, time_format=fmt)
