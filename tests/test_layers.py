"""Imports run one way (README, Layout): cli -> adapters, core, genesys; adapters -> core; genesys -> core; core ->
nothing of ours. Function-level imports count too: a lazy import is still a dependency."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "wrapup_bridge"
MAY_NOT_IMPORT = {
    "core": {"adapters", "genesys", "cli", "live"},
    "adapters": {"genesys", "cli", "live"},
    "genesys": {"adapters", "cli", "live"},
    "emulator": {"adapters", "genesys", "cli", "live"},
}


@pytest.mark.parametrize("layer", sorted(MAY_NOT_IMPORT))
def test_layer_imports_run_one_way(layer: str) -> None:
    crossing = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "wrapup_bridge" and len(parts) > 1 and parts[1] in MAY_NOT_IMPORT[layer]:
                    crossing.append(f"{path.relative_to(PACKAGE)}:{node.lineno} imports {name}")
    assert not crossing, "\n".join(crossing)
