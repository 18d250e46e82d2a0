"""The import contract ([tool.importlinter] in pyproject.toml, run by ``make lint``): kept by the package, broken
(and failing the build, naming the import) by a copy of it in which core imports the CLI; and the dependency graph
of docs/architecture.md drawn from the same imports."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from tests.conftest import ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(where: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the package found in ``where`` (its own pyproject.toml and wrapup_bridge/)."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(where), "COLUMNS": "200"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=where, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_the_package_keeps_the_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"Contracts: \d+ kept, 0 broken", result.stdout), result.stdout
    for contract in ("Layers", "The emulator imports only core", "No layer imports the public facade"):
        assert contract in result.stdout


def test_a_core_module_importing_the_cli_breaks_it(tmp_path: Path) -> None:
    """The contract fails the build when broken: shown once, on a copy of the package."""
    copy = tmp_path / "checkout"
    copy.mkdir()
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    shutil.copytree(
        ROOT / "wrapup_bridge", copy / "wrapup_bridge", symlinks=True, ignore=shutil.ignore_patterns("__pycache__")
    )
    victim = copy / "wrapup_bridge" / "core" / "normalize.py"
    source = victim.read_text(encoding="utf-8")
    # A lazy import, inside a function, counts as much as one at the top.
    victim.write_text(
        source + "\n\ndef _cli() -> object:\n    import wrapup_bridge.cli\n\n    return wrapup_bridge.cli\n"
    )

    result = lint_imports(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert "wrapup_bridge.core is not allowed to import wrapup_bridge.cli" in result.stdout
    assert "wrapup_bridge.core.normalize -> wrapup_bridge.cli" in result.stdout
    # The real package was not touched.
    assert "import wrapup_bridge.cli" not in (ROOT / "wrapup_bridge" / "core" / "normalize.py").read_text()


def gen_architecture() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_architecture", ROOT / "docs" / "gen_architecture.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_architecture_graph_is_current() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert gen_architecture().updated(page) == page, (
        "the dependency graph in docs/architecture.md is out of date: run `make docs` "
        "(or: python docs/gen_architecture.py)"
    )


def test_the_graph_follows_the_layers() -> None:
    """What the contract enforces, read off the drawn graph: core imports nothing of ours, the emulator only core."""
    edges = gen_architecture().edges()
    assert edges["core"] == set()
    assert edges["emulator"] == {"core"}
    assert "cli" not in set().union(*(targets for node, targets in edges.items() if node not in ("__main__",)))


def test_where_things_live_names_every_package_and_folder() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = page.split("## Where things live", 1)[1]
    package = ROOT / "wrapup_bridge"
    folders = [f"wrapup_bridge/{p.name}/" for p in package.iterdir() if p.is_dir() and p.name != "__pycache__"]
    folders += [f"wrapup_bridge/{p.name}" for p in package.glob("*.py")]
    skip = ("wrapup_bridge", "build", "dist", "out")
    folders += [
        f"{p.name}/"
        for p in ROOT.iterdir()
        if p.is_dir() and not p.name.startswith((".", "_")) and p.name not in skip and not p.name.endswith(".egg-info")
    ]
    folders.append(".ci/")
    missing = sorted(f for f in set(folders) if f"`{f}`" not in section)
    assert not missing, f"docs/architecture.md, 'Where things live', says nothing of: {missing}"
