"""CLI command modules never import each other: what two commands share lives in ``cli/_*.py`` (or in the library
services), so a command can change, or go, without breaking another. Function-level imports count too."""

from __future__ import annotations

import ast
from pathlib import Path

CLI = Path(__file__).resolve().parents[2] / "wrapup_bridge" / "cli"
COMMANDS = sorted(p.stem for p in CLI.glob("*.py") if not p.stem.startswith("_"))


def cli_imports(path: Path) -> list[tuple[int, str]]:
    """Every ``wrapup_bridge.cli...`` module ``path`` imports, with its line (``from wrapup_bridge.cli import x``
    names the module ``wrapup_bridge.cli.x`` when ``x`` is one)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("wrapup_bridge.cli")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("wrapup_bridge.cli"):
            if node.module == "wrapup_bridge.cli":
                found += [(node.lineno, f"wrapup_bridge.cli.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


def test_the_command_modules_are_found() -> None:
    assert {"catalog", "mapping", "normalize", "outbox", "serve"} <= set(COMMANDS)


def test_no_cli_module_imports_a_command_module() -> None:
    crossing = [
        f"cli/{path.name}:{line} imports {name}"
        for path in sorted(CLI.glob("*.py"))
        for line, name in cli_imports(path)
        if name.split(".")[2] in COMMANDS
    ]
    assert not crossing, "\n".join(crossing)


def test_the_check_sees_an_import_of_a_command_module(tmp_path: Path) -> None:
    module = tmp_path / "example.py"
    module.write_text(
        "from wrapup_bridge.cli import _common, serve\n"
        "def f():\n"
        "    from wrapup_bridge.cli.mapping import mapping\n"
        "    import wrapup_bridge.cli.outbox\n",
        encoding="utf-8",
    )
    names = [name for _, name in cli_imports(module)]
    assert names == [
        "wrapup_bridge.cli._common",
        "wrapup_bridge.cli.serve",
        "wrapup_bridge.cli.mapping",
        "wrapup_bridge.cli.outbox",
    ]
