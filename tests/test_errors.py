"""One error tree: every error wrapup-bridge defines is under ``WrapupBridgeError``, drawn in the
``wrapup_bridge.errors`` docstring and exported there, or named (with its reason) among the few deliberately outside
it; the drawing matches the classes; errors are immutable once built, yet notes, chaining, pickling and copying work.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import json
import pickle
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import wrapup_bridge
import wrapup_bridge.errors
from tests.conftest import ROOT
from wrapup_bridge.adapters.base import Five9RecordError, TwilioRecordError
from wrapup_bridge.core.errors import WrapupBridgeError
from wrapup_bridge.core.mapping.errors import MappingTableError
from wrapup_bridge.core.mapping.table import MappingTable
from wrapup_bridge.genesys.errors import GenesysAPIError, PermissionDenied, RateLimited, api_error_from_response
from wrapup_bridge.live.errors import OutboxError

PACKAGE = Path(wrapup_bridge.__file__).parent
DOC = wrapup_bridge.errors.__doc__ or ""


def package_modules() -> Iterator[str]:
    """Every module of the package, found by its file: ``pkgutil.walk_packages`` skips folders without an
    ``__init__.py`` (namespace packages), which would hide their errors."""
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent)
        if "data" in relative.parts[1:-1] or relative.name == "__main__.py":  # package data; the CLI entry point
            continue
        parts = relative.with_suffix("").parts
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def defined_exceptions() -> dict[str, type[BaseException]]:
    """Every exception class the package defines, by dotted name (module without ``wrapup_bridge.``, qualname)."""
    for name in package_modules():
        importlib.import_module(name)  # every module imports in the test environment: none is skipped
    found: dict[str, type[BaseException]] = {}
    pending: list[type[BaseException]] = [BaseException]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            if sub.__module__.split(".")[0] == "wrapup_bridge":
                found[f"{sub.__module__.removeprefix('wrapup_bridge.')}.{sub.__qualname__}"] = sub
    return found


def _block(title: str) -> list[str]:
    """The indented lines of the literal block that follows the paragraph ending in ``title::``."""
    lines = DOC.splitlines()
    start = next(i for i, line in enumerate(lines) if line.rstrip().endswith(title + "::"))
    block: list[str] = []
    for line in lines[start + 2 :]:
        if line and not line.startswith(" "):
            break
        block.append(line)
    return [line for line in block if line.strip()]


_NODE = re.compile(r"^(?P<indent>[\s│├└─]*?)(?P<name>[A-Z]\w*)(?P<rest>.*)$")


def drawn_tree() -> list[tuple[str, str | None, list[str]]]:
    """(class, parent drawn above it, builtin bases in brackets) for each class line of the tree."""
    nodes: list[tuple[str, str | None, list[str]]] = []
    stack: list[tuple[int, str]] = []
    for line in _block("Exceptions"):
        match = _NODE.match(line)
        if match is None:
            continue  # a section title ("│   core: ...")
        column = len(match["indent"])
        while stack and stack[-1][0] >= column:
            stack.pop()
        bracket = re.match(r"\s+\[([^\]]+)\]", match["rest"])
        bases = [b.strip() for b in bracket[1].split(",")] if bracket else []
        nodes.append((match["name"], stack[-1][1] if stack else None, bases))
        stack.append((column, match["name"]))
    return nodes


def outside_the_tree() -> dict[str, str]:
    """Dotted name -> reason, for the classes the docstring names as deliberately outside the tree."""
    entries = {}
    for line in _block("none of them reaches a caller of the library"):
        name, reason = line.split(maxsplit=1)
        entries[name] = reason
    return entries


def test_the_tree_and_the_list_outside_it_are_drawn() -> None:
    names = [name for name, _, _ in drawn_tree()]
    assert names[0] == "WrapupBridgeError" and len(names) > 40
    assert len(names) == len(set(names)), "a class is drawn twice"
    assert len(outside_the_tree()) >= 4 and all(reason.strip() for reason in outside_the_tree().values())


def test_every_error_the_package_defines_is_in_the_tree_or_named_outside_it() -> None:
    drawn = {name for name, _, _ in drawn_tree()}
    outside = outside_the_tree()
    exported = set(wrapup_bridge.errors.__all__)
    problems = []
    for dotted, cls in sorted(defined_exceptions().items()):
        if issubclass(cls, WrapupBridgeError):
            if cls.__name__ not in drawn:
                problems.append(f"{dotted} is not drawn in the wrapup_bridge.errors docstring")
            if cls.__name__ not in exported or getattr(wrapup_bridge.errors, cls.__name__) is not cls:
                problems.append(f"{dotted} is not exported by wrapup_bridge.errors")
        elif dotted not in outside:
            problems.append(f"{dotted} is not a WrapupBridgeError and not named outside the tree (with a reason)")
    assert not problems, "\n".join(problems)


def test_the_docstring_names_only_classes_that_exist() -> None:
    defined = defined_exceptions()
    for name, _, _ in drawn_tree():
        cls = getattr(wrapup_bridge.errors, name)
        assert isinstance(cls, type) and issubclass(cls, WrapupBridgeError), name
        assert defined[f"{cls.__module__.removeprefix('wrapup_bridge.')}.{cls.__qualname__}"] is cls
    for dotted in outside_the_tree():
        assert dotted in defined, f"{dotted} is named outside the tree but does not exist"
        assert not issubclass(defined[dotted], WrapupBridgeError), f"{dotted} is in the tree now: drop it from the list"


def test_the_drawing_matches_the_classes() -> None:
    """Each class is drawn under its nearest drawn base, and the builtin bases it adds are in its brackets."""
    tree = drawn_tree()
    drawn = {name for name, _, _ in tree}
    for name, parent, bracketed in tree:
        cls = getattr(wrapup_bridge.errors, name)
        nearest = next((base.__name__ for base in cls.__mro__[1:] if base.__name__ in drawn), None)
        assert nearest == parent, f"{name} is drawn under {parent}, but its nearest drawn base is {nearest}"
        added = [base.__name__ for base in cls.__bases__ if base.__name__ not in drawn and base is not Exception]
        assert added == [base.rpartition(".")[2] for base in bracketed], f"{name}: its brackets say {bracketed}"


def test_every_export_is_drawn_and_resolves() -> None:
    drawn = [name for name, _, _ in drawn_tree()]
    assert sorted(wrapup_bridge.errors.__all__) == sorted(drawn)
    assert set(wrapup_bridge.errors.__all__) <= set(dir(wrapup_bridge.errors))
    namespace: dict[str, object] = {}
    exec("from wrapup_bridge.errors import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(wrapup_bridge.errors.__all__)
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        wrapup_bridge.errors.Nope  # noqa: B018


def test_type_checkers_see_the_lazy_errors(tmp_path: Path) -> None:
    """mypy reads the classes imported under TYPE_CHECKING with their types, and a misspelt one is an error (the
    module ``__getattr__`` is hidden from it, so nothing becomes ``Any``)."""
    snippet = tmp_path / "uses_errors.py"
    snippet.write_text(
        "import wrapup_bridge.errors\n"
        "from wrapup_bridge.errors import PlanError\n"
        "error: wrapup_bridge.errors.WrapupBridgeError = PlanError('x')\n"
        "count: int = wrapup_bridge.errors.RateLimited\n"
        "wrapup_bridge.errors.RateLimtied\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", str(snippet)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 2, result.stdout + result.stderr
    assert "uses_errors.py:4:" in errors[0] and "RateLimited" in errors[0]  # known, as a class
    assert "uses_errors.py:5:" in errors[1] and "RateLimtied" in errors[1]


def test_the_genesys_subtree_draws_every_genesys_error() -> None:
    import wrapup_bridge.genesys.errors as genesys_errors

    subtree = genesys_errors.__doc__ or ""
    for name, _, _ in drawn_tree():
        cls = getattr(wrapup_bridge.errors, name)
        if issubclass(cls, wrapup_bridge.errors.GenesysError):
            assert re.search(rf"(^|\s){name}\s", subtree, re.MULTILINE), f"{name} missing from genesys.errors' tree"


def test_importing_the_errors_stays_light() -> None:
    heavy = (
        "httpx",
        "starlette",
        "yaml",
        "sqlite3",
        "click",
        "rich",
        "wrapup_bridge.genesys",
        "wrapup_bridge.emulator",
    )
    code = (
        "import json, sys\nimport wrapup_bridge.errors\nfrom wrapup_bridge.errors import WrapupBridgeError\n"
        f"print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


# -- immutable once built ---------------------------------------------------------------------------------------


def permission_denied() -> GenesysAPIError:
    """A 403 as Genesys answers a wrap-up write from a client whose roles lack the permission."""
    body = {
        "message": "You are missing the following permission(s): conversation:participant:wrapup",
        "code": "missing.permissions",
        "status": 403,
        "messageParams": {"permissions": "conversation:participant:wrapup"},
        "contextId": "5c4b3a29-8d7e-4f60-9a1b-2c3d4e5f6a7b",
        "details": [],
        "errors": [],
    }
    return api_error_from_response(
        status=403,
        body=body,
        method="POST",
        path="/api/v2/conversations/calls/c0ffee00-0000-4000-8000-000000000021/participants/p1/communications/m1/wrapup",
        host="api.mypurecloud.ie",
        headers={"ININ-Correlation-Id": "9c0d7b3e-1111-4222-8333-444455556666", "inin-ratelimit-allowed": "300"},
        sent_code="50a74cff-026f-4c84-aa8f-f5f8d837115f",
        elapsed=0.42,
    )


def mapping_table_error() -> MappingTableError:
    with pytest.raises(MappingTableError) as caught:
        MappingTable.from_text("version: 1\nrules: 7\n", name="broken.yaml")
    return caught.value


def adapter_error() -> Five9RecordError:
    return Five9RecordError(
        "DISPOSITION is missing or empty",
        record="row 12",
        field="DISPOSITION",
        input_name="call-log.csv",
        raw={"CALL ID": "300000000000123", "DISPOSITION": ""},
    )


def outbox_error(tmp_path: Path) -> OutboxError:
    from wrapup_bridge.live.outbox import Outbox

    with pytest.raises(OutboxError) as caught:
        Outbox(tmp_path).counts()  # a folder where the file should be
    return caught.value


@pytest.fixture(params=["GenesysAPIError", "MappingTableError", "AdapterError", "OutboxError"])
def error(request: pytest.FixtureRequest, tmp_path: Path) -> WrapupBridgeError:
    makers: dict[str, Callable[[], WrapupBridgeError]] = {
        "GenesysAPIError": permission_denied,
        "MappingTableError": mapping_table_error,
        "AdapterError": adapter_error,
        "OutboxError": lambda: outbox_error(tmp_path),
    }
    return makers[request.param]()


def fields(error: BaseException) -> dict[str, object]:
    return {k: v for k, v in vars(error).items() if k != "_sealed"}


def an_attribute(error: BaseException) -> str:
    """One of the error's own attributes (``args`` for an error that has none but its builtin base's)."""
    return next((k for k in fields(error) if not k.startswith("__")), "args")


def test_setting_or_deleting_an_attribute_raises(error: WrapupBridgeError) -> None:
    name = an_attribute(error)
    before = getattr(error, name)
    with pytest.raises(AttributeError, match="immutable once built"):
        setattr(error, name, "changed")
    with pytest.raises(AttributeError, match="immutable once built"):
        delattr(error, name)
    with pytest.raises(AttributeError, match="immutable once built"):
        error.anything_new = 1
    with pytest.raises(AttributeError, match="immutable once built"):
        error.__class__ = WrapupBridgeError
    with pytest.raises(AttributeError, match="immutable once built"):
        error.args = ("changed",)
    assert getattr(error, name) == before and error.args != ("changed",)


def test_notes_chaining_and_tracebacks_still_work(error: WrapupBridgeError) -> None:
    error.add_note("while replaying plan.jsonl line 3")
    with pytest.raises(RuntimeError) as caught:
        try:
            raise error
        except WrapupBridgeError as exc:
            raise RuntimeError("the run stopped") from exc
    assert caught.value.__cause__ is error and error.__traceback__ is not None
    assert error.__notes__ == ["while replaying plan.jsonl line 3"]
    try:
        raise ValueError("first")
    except ValueError:
        with pytest.raises(type(error)) as again:
            raise error  # noqa: B904  (what is tested: the context is set on a sealed error)
    assert isinstance(again.value.__context__, ValueError)


def test_pickle_and_copy_keep_every_attribute(error: WrapupBridgeError) -> None:
    error.add_note("a note travels too")
    for twin in (pickle.loads(pickle.dumps(error)), copy.copy(error), copy.deepcopy(error)):
        assert type(twin) is type(error) and twin is not error
        assert fields(twin) == fields(error) and twin.args == error.args and str(twin) == str(error)
        if isinstance(error, OSError):
            assert isinstance(twin, OSError) and (twin.errno, twin.filename) == (error.errno, error.filename)
        with pytest.raises(AttributeError, match="immutable once built"):
            setattr(twin, an_attribute(twin), "changed")


def test_a_genesys_error_survives_a_round_trip_whole() -> None:
    error = permission_denied()
    assert isinstance(error, PermissionDenied)
    twin = pickle.loads(pickle.dumps(error))
    assert twin.missing_permissions == ("conversation:participant:wrapup",) == error.missing_permissions
    assert (twin.status, twin.code, twin.correlation_id, twin.elapsed) == (
        403,
        "missing.permissions",
        error.correlation_id,
        0.42,
    )
    assert twin.to_dict() == error.to_dict() and twin.explain() == error.explain()


def test_a_rate_limit_carries_its_retry_after_from_construction() -> None:
    error = api_error_from_response(
        status=429,
        body={
            "message": "Rate limit exceeded the maximum [300] requests within [60] seconds",
            "code": "too.many.requests",
        },
        method="GET",
        path="/api/v2/routing/wrapupcodes",
        retry_after=12.0,
    )
    assert isinstance(error, RateLimited) and error.retry_after == 12.0
    other = api_error_from_response(status=404, body={}, method="GET", path="/api/v2/x", retry_after=12.0)
    assert not hasattr(other, "retry_after")


def test_a_reader_that_learns_more_builds_a_new_error() -> None:
    error = adapter_error()
    placed = error.replace(record="line 4", raw="CALL%20ID=1")
    assert type(placed) is Five9RecordError and placed is not error
    assert (placed.record, placed.raw, placed.field, placed.message) == (
        "line 4",
        "CALL%20ID=1",
        "DISPOSITION",
        error.message,
    )
    assert str(placed) == "call-log.csv:line 4: field 'DISPOSITION': DISPOSITION is missing or empty"
    assert error.record == "row 12"  # the original is unchanged
    with pytest.raises(TypeError, match="message"):
        error.replace(message="other")
    with pytest.raises(AttributeError):
        placed.raw = None


def test_mapping_problems_are_a_tuple() -> None:
    error = mapping_table_error()
    assert isinstance(error.problems, tuple) and error.problems
    assert "broken.yaml" in str(error)


def test_builtin_bases_are_kept() -> None:
    """``except ValueError`` / ``except OSError`` written before the root existed still catch what they caught."""
    assert issubclass(MappingTableError, ValueError) and issubclass(TwilioRecordError, ValueError)
    assert issubclass(OutboxError, OSError) and issubclass(wrapup_bridge.errors.CatalogOffline, LookupError)
    assert issubclass(wrapup_bridge.errors.JsonNestingError, json.JSONDecodeError)
    assert not issubclass(wrapup_bridge.errors.InputDecodeError, ValueError)  # deliberately (see its docstring)


def test_every_drawn_error_can_be_caught_by_the_root() -> None:
    for name, _, _ in drawn_tree():
        cls = getattr(wrapup_bridge.errors, name)
        assert inspect.isclass(cls) and issubclass(cls, WrapupBridgeError)
