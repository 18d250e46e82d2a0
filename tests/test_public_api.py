"""The public API: what ``import wrapup_bridge`` offers, that it stays light, one version source, and the API
reference (docs/api.md) current with the docstrings."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

import wrapup_bridge
from tests.conftest import ROOT
from wrapup_bridge.core.version import package_version

HEAVY = ("starlette", "uvicorn", "httpx", "sqlite3", "asyncio", "rich", "twilio", "wrapup_bridge.adapters.twilio")
#: What the issue asks the facade to offer (names may be added; these may not go).
REQUIRED = {
    "Bridge",
    "BridgeOutcome",
    "Disposition",
    "Decision",
    "Outcome",
    "MappingTable",
    "load_mapping",
    "get_adapter",
    "Emulator",
    "EmulatorConfig",
    "build_target",
    "Settings",
    "WrapupBridgeError",
    "__version__",
}


def python(code: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "PAGER": "cat", "TERM": "dumb"}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def gen_api() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_api", ROOT / "docs" / "gen_api.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_issue_s_names_are_public() -> None:
    assert set(wrapup_bridge.__all__) >= REQUIRED
    assert len(set(wrapup_bridge.__all__)) == len(wrapup_bridge.__all__)


@pytest.mark.parametrize("name", wrapup_bridge.__all__)
def test_every_public_name_resolves(name: str) -> None:
    value = getattr(wrapup_bridge, name)
    assert value is not None
    if isinstance(value, type) or callable(value):
        # Re-exported, not copied: the object is the one its module defines.
        assert getattr(sys.modules[value.__module__], value.__name__) is value


def test_dir_lists_every_public_name() -> None:
    assert set(wrapup_bridge.__all__) <= set(dir(wrapup_bridge))


def test_the_errors_are_those_of_wrapup_bridge_errors() -> None:
    """Every error of the tree (wrapup_bridge.errors) is exported here too, as the same class, and nothing else
    exported here is an exception."""
    import wrapup_bridge.errors

    exported = {n for n in wrapup_bridge.__all__ if isinstance(getattr(wrapup_bridge, n), type)}
    exported = {n for n in exported if issubclass(getattr(wrapup_bridge, n), BaseException)}
    assert exported == set(wrapup_bridge.errors.__all__)
    for name in exported:
        assert getattr(wrapup_bridge, name) is getattr(wrapup_bridge.errors, name)
        assert issubclass(getattr(wrapup_bridge, name), wrapup_bridge.WrapupBridgeError)


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        wrapup_bridge.Nope  # type: ignore[attr-defined]  # noqa: B018
    assert not hasattr(wrapup_bridge, "__wrapped__")


def test_the_import_stays_light() -> None:
    code = (
        "import json, sys\nimport wrapup_bridge\n"
        "wrapup_bridge.Disposition, wrapup_bridge.Outcome, wrapup_bridge.__version__\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    result = python(code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_help_works() -> None:
    result = python("import wrapup_bridge; help(wrapup_bridge)")
    assert result.returncode == 0, result.stderr
    for name in ("Bridge", "MappingTable", "WrapupBridgeError", "get_adapter", "VERSION"):
        assert name in result.stdout


def test_the_version_has_one_source() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert wrapup_bridge.__version__ == importlib.metadata.version("wrapup-bridge") == pyproject
    # Nowhere else in the package is the version written.
    written = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "wrapup_bridge").rglob("*.py")
        if f'"{pyproject}"' in path.read_text(encoding="utf-8")
    ]
    assert written == []


def test_an_uninstalled_checkout_reads_its_pyproject(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert package_version() == pyproject


def test_the_user_agent_carries_the_version() -> None:
    from wrapup_bridge.genesys.settings import GenesysSettings

    agent = GenesysSettings.from_variables({"GENESYSCLOUD_OAUTHCLIENT_ID": "x", "GENESYSCLOUD_OAUTHCLIENT_SECRET": "y"})
    assert agent.effective_user_agent == f"wrapup-bridge/{wrapup_bridge.__version__}"


def test_type_checkers_see_the_lazy_names(tmp_path: Path) -> None:
    """mypy reads the names imported under TYPE_CHECKING with their types, and a misspelt one is an error (the
    module ``__getattr__`` is hidden from it, so nothing becomes ``Any``)."""
    snippet = tmp_path / "uses_api.py"
    snippet.write_text(
        "import wrapup_bridge\n"
        "bridge: wrapup_bridge.Bridge = wrapup_bridge.Bridge.for_emulator()\n"
        "version: str = wrapup_bridge.__version__\n"
        "count: int = wrapup_bridge.load_mapping\n"
        "wrapup_bridge.Brigde\n",
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
    assert "uses_api.py:4:" in errors[0] and "Callable" in errors[0]  # load_mapping is known, as a function
    assert "uses_api.py:5:" in errors[1] and "Brigde" in errors[1]


def test_the_genesys_overrides_are_typed(tmp_path: Path) -> None:
    """``build_target``, ``Bridge.from_env`` and ``Settings.genesys`` take the ``GenesysSettings`` fields by name
    (``Unpack[GenesysOverrides]``): a misspelt or mistyped one is a mypy error, not a runtime surprise."""
    snippet = tmp_path / "uses_overrides.py"
    snippet.write_text(
        "import wrapup_bridge\n"
        "wrapup_bridge.build_target('emulator', budget=2.0, rate_per_minute=60.0, max_attempts=3)\n"
        "wrapup_bridge.build_target('emulator', rate_per_minite=60.0)\n"
        "wrapup_bridge.Settings.from_env({}).genesys(max_attempts='3')\n"
        "wrapup_bridge.Bridge.from_env(None, read_timeout=2.0, user_agent='x')\n",
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
    assert "uses_overrides.py:3:" in errors[0] and "rate_per_minite" in errors[0]
    assert "uses_overrides.py:4:" in errors[1] and "max_attempts" in errors[1]


def test_the_api_reference_is_current() -> None:
    expected = gen_api().generate()
    current = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert current == expected, "docs/api.md is out of date: run `make docs` (or: python docs/gen_api.py)"


def test_the_api_reference_covers_every_public_name() -> None:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    import wrapup_bridge.testing

    for name in [*wrapup_bridge.__all__, *wrapup_bridge.testing.__all__]:
        assert f"### `{name}`" in text, name
