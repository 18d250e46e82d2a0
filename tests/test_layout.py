"""The tests mirror the package: a test of ``wrapup_bridge/X/Y`` lives in ``tests/X/Y``, and the tests at the top
of ``tests/`` are those of the facade (``wrapup_bridge/X.py``) or of the project as a whole. No test module imports
another: what tests share lives in helper modules (``helpers.py``, ``samples.py``, ...), conftest fixtures, or
``wrapup_bridge.testing``."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

TESTS = ROOT / "tests"
PACKAGE = ROOT / "wrapup_bridge"
#: Top-level tests of the project as a whole rather than of one module: what ``import wrapup_bridge`` offers, the
#: import contract and the package graph, the wheel, and this layout.
PROJECT_WIDE = {
    "test_public_api.py",
    "test_import_contract.py",
    "test_packaging.py",
    "test_layout.py",
    "test_readme_examples.py",
}


def python_files() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_test_module_lives_where_what_it_tests_lives() -> None:
    misplaced = []
    for path in python_files():
        relative = path.relative_to(TESTS)
        if len(relative.parts) == 1:
            if path.name.startswith("test_"):
                facade = PACKAGE / path.name.removeprefix("test_")
                if not facade.is_file() and path.name not in PROJECT_WIDE:
                    misplaced.append(f"{relative}: no wrapup_bridge/{facade.name}, and not a project-wide test")
        elif not (PACKAGE / relative.parent).is_dir():
            misplaced.append(f"{relative}: no package folder wrapup_bridge/{relative.parent.as_posix()}")
    assert not misplaced, "tests/ must mirror wrapup_bridge/:\n" + "\n".join(misplaced)


def test_every_test_folder_is_a_package() -> None:
    """So modules of the same name in two folders (tests/cli/test_serve.py, tests/emulator/test_serve.py) stay
    two modules."""
    folders = {p.parent for p in python_files()}
    assert sorted(str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").is_file()) == []


def imported_modules(source: str, package: str) -> set[str]:
    """Every module ``source`` (a module of ``package``) imports, at any depth (functions, ``TYPE_CHECKING``),
    relative imports resolved; for ``from a import b``, both ``a`` and ``a.b`` (b may be a module)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = parts[: len(parts) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def test_no_test_module_imports_another() -> None:
    offending = []
    for path in python_files():
        package = ".".join(path.relative_to(ROOT).parent.parts)
        for name in sorted(imported_modules(path.read_text(encoding="utf-8"), package)):
            if name.startswith("tests.") and any(part.startswith("test_") for part in name.split(".")):
                offending.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offending, "shared code belongs in a helper module or a fixture:\n" + "\n".join(offending)


def test_the_import_check_sees_every_form_of_import() -> None:
    source = (
        "from tests.core.replay.test_plan_ledger import conv\n"
        "from . import test_plan_checks\n"
        "from .backend import FakeBackend\n"
        "def f():\n"
        "    import tests.live.test_lambda\n"
    )
    assert imported_modules(source, "tests.core.replay") >= {
        "tests.core.replay.test_plan_ledger",
        "tests.core.replay.test_plan_checks",
        "tests.core.replay.backend",
        "tests.live.test_lambda",
    }
