"""Fuzzing every file input surface from real samples: a clear error or the right answer, never an exception that
would reach a user as a traceback, never a hang.

Each example starts from a shipped sample (themselves written from public payloads, see examples/ and the
fixtures' SOURCES) and is mutated the way files really break: cut short, bytes flipped or inserted (binary junk,
NULs, stray quotes and line breaks), lines duplicated, dropped or swapped, nesting piled up. What the readers may
do with it: yield records and per-record errors (``AdapterError``), or stop with the one clear file-level error
(``InputDecodeError``, ``MappingTableError``, ``OrgFileError``). A generous per-example guard catches a hang
(no timing is asserted beyond that). ``FUZZ_EXAMPLES=1000`` runs a deeper search than CI's 60 per surface.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLES, MAPPINGS
from wrapup_bridge.adapters import AdapterError, AdapterOptionError, get_adapter
from wrapup_bridge.adapters.textinput import InputDecodeError, decoded
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.mapping import MappingTable, MappingTableError
from wrapup_bridge.emulator.org import OrgFileError, parse_org

#: Far beyond what any of these small samples takes to read; only a hang gets near it.
HANG_GUARD_SECONDS = 20.0

SAMPLES = {
    "five9": [EXAMPLES / "five9" / "call-log.csv", EXAMPLES / "five9" / "web-connector.jsonl"],
    "cxone": [EXAMPLES / "cxone" / "completed-contacts.json"],
    "twilio": sorted((EXAMPLES / "twilio").glob("*.*")),
}

JUNK = [b"\x00", b"\xff", b"\xe9", b'"', b"\r", b"\n", b",", b"{", b"[", b"]", b"}", b"\\", b"%", b"=", b"&", b"\t"]


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` broken in one to three of the ways real files break."""
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        how = draw(st.sampled_from(["cut", "flip", "insert", "lines", "nest", "junk"]))
        if not data:
            break
        at = draw(st.integers(min_value=0, max_value=len(data)))
        if how == "cut":
            data = data[:at]
        elif how == "flip":
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
        elif how == "insert":
            data = data[:at] + draw(st.sampled_from(JUNK)) * draw(st.integers(1, 3)) + data[at:]
        elif how == "nest":
            depth = draw(st.sampled_from([70, 1_000, 20_000]))
            data = data[:at] + b"[" * depth + b"]" * depth + data[at:]
        elif how == "junk":
            data = data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
        else:
            lines = data.split(b"\n")
            i = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            j = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            op = draw(st.sampled_from(["dup", "drop", "swap"]))
            if op == "dup":
                lines.insert(i, lines[i])
            elif op == "drop":
                del lines[i]
            else:
                lines[i], lines[j] = lines[j], lines[i]
            data = b"\n".join(lines)
    return data


def guarded(func: Callable[[], Any]) -> Any:
    """Run ``func`` in a thread; fail on a hang, re-raise what it raised."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = func()
        except BaseException as exc:  # handed to the test thread
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(HANG_GUARD_SECONDS)
    assert not thread.is_alive(), f"no answer within {HANG_GUARD_SECONDS} s: a hang"
    if "error" in box:
        raise box["error"]
    return box.get("value")


def read_all(source: str, data: bytes, name: str) -> list[Disposition | AdapterError]:
    adapter = get_adapter(source)
    stream = decoded(io.BytesIO(data), name=name)
    return list(adapter.read(stream, name=name))


CASES = [(source, path) for source, paths in SAMPLES.items() for path in paths]
fuzz = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize(("source", "path"), CASES, ids=[f"{s}:{p.name}" for s, p in CASES])
@fuzz
@given(data=st.data())
def test_adapters_read_broken_exports_into_records_or_clear_errors(
    source: str, path: Path, data: st.DataObject
) -> None:
    broken = data.draw(mutated(path.read_bytes()))
    try:
        results = guarded(lambda: read_all(source, broken, path.name))
    except (InputDecodeError, AdapterOptionError):
        return  # one clear file-level error (wrong encoding; an option the broken file's format cannot use)
    for result in results:
        assert isinstance(result, Disposition | AdapterError), type(result)
        if isinstance(result, AdapterError):
            assert str(result).strip(), "an error says what is wrong"
            assert "Traceback" not in str(result)
        else:
            assert result.code.strip().lower() not in ("nan", "inf", "-inf", "infinity"), result


@pytest.mark.parametrize("path", sorted(MAPPINGS.glob("*.yaml")), ids=lambda p: p.name)
@fuzz
@given(data=st.data())
def test_broken_mapping_tables_load_or_list_their_problems(path: Path, data: st.DataObject) -> None:
    broken = data.draw(mutated(path.read_bytes()))
    try:
        text = broken.decode("utf-8")
    except UnicodeDecodeError:
        return  # load_mapping refuses non-UTF-8 with the line (tests/core)
    try:
        guarded(lambda: MappingTable.from_text(text, name=path.name))
    except MappingTableError as exc:
        assert exc.problems and all(p.line >= 1 and p.message for p in exc.problems)


@fuzz
@given(data=st.data())
def test_broken_org_files_load_or_list_their_problems(data: st.DataObject) -> None:
    broken = data.draw(mutated((EXAMPLES / "demo-org.yaml").read_bytes()))
    try:
        text = broken.decode("utf-8")
    except UnicodeDecodeError:
        return  # load_org refuses non-UTF-8 as a problem (tests/core/test_yaml_bounds.py)
    try:
        guarded(lambda: parse_org(text, source="org.yaml"))
    except OrgFileError as exc:
        assert exc.problems
