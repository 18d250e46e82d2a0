"""services.settings: the one reader of the environment, and the variables it reads."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import wrapup_bridge
from wrapup_bridge.live.defaults import (
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_HEADER_TIMEOUT,
    DEFAULT_KEEP_ALIVE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
)
from wrapup_bridge.live.server import ServerLimits
from wrapup_bridge.services.settings import SERVER_LIMIT_VARIABLES, BadSetting, Settings

PACKAGE = Path(wrapup_bridge.__file__).parent
#: The one module allowed to read the environment.
READER = PACKAGE / "services" / "settings.py"


def _environment_reads(tree: ast.AST) -> list[tuple[int, str]]:
    """Where a module reads the environment: ``os.environ``/``os.getenv`` (however ``os`` is named), those names
    imported from ``os``, and click's ``envvar=`` / ``auto_envvar_prefix=``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in {"environ", "environb", "getenv", "getenvb"}:
            found.append((node.lineno, f".{node.attr}"))
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            found += [
                (node.lineno, f"from os import {a.name}")
                for a in node.names
                if a.name.startswith(("environ", "getenv"))
            ]
        elif isinstance(node, ast.keyword) and node.arg in {"envvar", "auto_envvar_prefix"}:
            found.append((node.value.lineno, f"{node.arg}="))
    return found


def test_no_module_but_settings_reads_the_environment() -> None:
    readers = [
        f"{path.relative_to(PACKAGE)}:{line}: {what}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != READER
        for line, what in _environment_reads(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert readers == []


def test_the_check_sees_every_way_of_reading() -> None:
    source = (
        "import os\nimport os as system\nfrom os import getenv\nimport click\n"
        "a = os.environ['X']\nb = system.getenv('Y')\nc = getenv('Z')\n"
        "@click.option('--x', envvar='X')\ndef f(x): ...\n"
        "click.Context(f, auto_envvar_prefix='W')\n"
    )
    assert [what for _, what in _environment_reads(ast.parse(source))] == [
        "from os import getenv",
        ".environ",
        ".getenv",
        "envvar=",
        "auto_envvar_prefix=",
    ]
    assert _environment_reads(ast.parse(READER.read_text(encoding="utf-8")))  # the reader itself is seen


def test_the_server_limits_are_unset_by_default() -> None:
    settings = Settings.from_env({})
    assert [getattr(settings, name) for name in SERVER_LIMIT_VARIABLES] == [None] * 4
    assert ServerLimits() == ServerLimits(
        DEFAULT_HEADER_TIMEOUT, DEFAULT_BODY_TIMEOUT, DEFAULT_KEEP_ALIVE_TIMEOUT, DEFAULT_MAX_CONNECTIONS
    )


def test_the_server_limits_are_read_from_their_variables() -> None:
    settings = Settings.from_env(
        {
            "WRAPUP_BRIDGE_HEADER_TIMEOUT": "2.5",
            "WRAPUP_BRIDGE_BODY_TIMEOUT": " 30 ",
            "WRAPUP_BRIDGE_KEEP_ALIVE_TIMEOUT": "7",
            "WRAPUP_BRIDGE_MAX_CONNECTIONS": "1000",
        }
    )
    assert (settings.header_timeout, settings.body_timeout) == (2.5, 30.0)
    assert (settings.keep_alive_timeout, settings.max_connections) == (7, 1000)
    # The names are ServerLimits' own keywords, so the values build one as they are.
    assert ServerLimits(**{name: getattr(settings, name) for name in SERVER_LIMIT_VARIABLES}).max_connections == 1000


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("WRAPUP_BRIDGE_HEADER_TIMEOUT", "soon", "is not a number of seconds"),
        ("WRAPUP_BRIDGE_BODY_TIMEOUT", "0", "is not a positive number of seconds"),
        ("WRAPUP_BRIDGE_BODY_TIMEOUT", "inf", "is not a positive number of seconds"),
        ("WRAPUP_BRIDGE_KEEP_ALIVE_TIMEOUT", "2.5", "is not a whole number of seconds"),
        ("WRAPUP_BRIDGE_MAX_CONNECTIONS", "0", "is less than 1"),
        ("WRAPUP_BRIDGE_MAX_CONNECTIONS", "many", "is not a whole number of connections"),
    ],
)
def test_an_unusable_server_limit_names_its_variable(variable: str, value: str, words: str) -> None:
    name = next(name for name, var in SERVER_LIMIT_VARIABLES.items() if var == variable)
    with pytest.raises(BadSetting, match=f"^{variable}: '{value}' {words}$"):
        getattr(Settings.from_env({variable: value}), name)
