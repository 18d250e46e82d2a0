"""The package's version, whose one source is ``[project] version`` in pyproject.toml.

Read from the installed package's metadata; in a checkout that was never installed, from its pyproject.toml; else
``0+unknown``. ``wrapup_bridge.__version__`` and the Genesys client's User-Agent both read it here.
"""

from __future__ import annotations

__all__ = ["UNKNOWN_VERSION", "package_version"]

#: The version when neither the package metadata nor the checkout's pyproject.toml can be read.
UNKNOWN_VERSION = "0+unknown"


def package_version() -> str:
    """The installed wrapup-bridge's version (the checkout's pyproject.toml when not installed; ``0+unknown``)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("wrapup-bridge")
    except PackageNotFoundError:
        pass
    import tomllib
    from pathlib import Path

    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    try:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    except (OSError, ValueError, KeyError):
        return UNKNOWN_VERSION
    found = project.get("version") if project.get("name") == "wrapup-bridge" else None
    return found if isinstance(found, str) else UNKNOWN_VERSION
