"""What ``pip install wrapup-bridge`` gives: a wheel that carries the shipped data and declares the dependencies the
CLI, the emulator and the demo import, and a console script that runs from any folder.

The wheel is built from a copy of the checkout (``pip wheel --no-deps --no-build-isolation``, with the build backend
the dev extra installs), so the build's own folders never land in the working tree."""

from __future__ import annotations

import email.parser
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

# One worker builds the wheel once for all of them (make test runs with --dist loadgroup).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("packaging")]

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
VERSION = PYPROJECT["project"]["version"]


@dataclass(frozen=True)
class Built:
    wheel: Path
    site: Path  # the wheel installed with --target (its console script in site/bin)


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    base = tmp_path_factory.mktemp("packaging")
    source = base / "checkout"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    # wrapup_bridge/data links to mappings/ and examples/: copied as links, with what they point at.
    for name in ("wrapup_bridge", "mappings", "examples"):
        shutil.copytree(
            ROOT / name,
            source / name,
            symlinks=True,
            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
        )
    out = base / "dist"
    result = _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", out, source, cwd=base
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = out.glob("wrapup_bridge-*.whl")
    site = base / "site"
    result = _run(sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", site, wheel, cwd=base)
    assert result.returncode == 0, result.stdout + result.stderr
    yield Built(wheel, site)


def shipped_files() -> list[str]:
    """Every file the package data names, as the checkout has them (links followed), relative to the package."""
    package = ROOT / "wrapup_bridge"
    files = []
    for folder, dirs, names in os.walk(package / "data", followlinks=True):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        files += [(Path(folder) / n).relative_to(package).as_posix() for n in names if not n.endswith(".pyc")]
    files += [p.relative_to(package).as_posix() for p in (package / "schema").glob("*.json")]
    return sorted([*files, "py.typed"])


def test_the_wheel_carries_the_shipped_data(built: Built) -> None:
    with zipfile.ZipFile(built.wheel) as wheel:
        names = set(wheel.namelist())
        missing = [f for f in shipped_files() if f"wrapup_bridge/{f}" not in names]
        assert not missing, f"not in the wheel: {missing}"
        for must in (
            "data/mappings/twilio-flex.yaml",
            "data/examples/demo-org.yaml",
            "data/examples/five9/call-log.csv",
        ):
            assert f"wrapup_bridge/{must}" in names
            # The files themselves, not links: a wheel cannot carry a link.
            assert wheel.read(f"wrapup_bridge/{must}") == (ROOT / "wrapup_bridge" / must).read_bytes()
        # Nothing from the test suite or the benchmarks.
        assert not [n for n in names if n.startswith(("tests/", "benchmarks/"))]


def test_the_wheel_declares_what_the_cli_emulator_and_demo_import(built: Built) -> None:
    with zipfile.ZipFile(built.wheel) as wheel:
        (metadata_name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = email.parser.Parser().parsestr(wheel.read(metadata_name).decode())
    assert metadata["Version"] == VERSION
    requires = metadata.get_all("Requires-Dist") or []
    unconditional = {
        r.split(">")[0].split("=")[0].split("<")[0].strip().lower() for r in requires if "extra ==" not in r
    }
    assert {"rich", "starlette", "uvicorn", "click", "httpx", "pydantic"} <= unconditional
    # Heavy or rare pieces stay extras.
    assert "twilio" not in unconditional and "purecloudplatformclientv2" not in unconditional
    extras = set(metadata.get_all("Provides-Extra") or [])
    assert {"twilio", "sdk-fidelity"} <= extras


def installed_cli(built: Built, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed console script, run from an empty folder, importing the installed copy only."""
    empty = built.site.parent / "empty"
    empty.mkdir(exist_ok=True)
    assert not any(empty.iterdir())
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(built.site), "HOME": str(empty)}
    return _run(built.site / "bin" / "wrapup-bridge", *args, cwd=empty, env=env)


def test_the_installed_cli_reports_its_version(built: Built) -> None:
    result = installed_cli(built, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"wrapup-bridge, version {VERSION}"


def test_the_installed_cli_helps_from_an_empty_folder(built: Built) -> None:
    result = installed_cli(built, "--help")
    assert result.returncode == 0, result.stderr
    for command in ("demo", "emulator", "mapping", "normalize", "replay", "serve"):
        assert command in result.stdout


def test_the_installed_package_finds_its_data(built: Built) -> None:
    code = (
        "import wrapup_bridge, wrapup_bridge.data as d\n"
        "print(wrapup_bridge.__file__)\n"
        "print(d.DEMO_ORG.is_file(), d.TWILIO_FLEX_MAPPING.is_file())\n"
        "print(wrapup_bridge.__version__)"
    )
    empty = built.site.parent / "empty"
    empty.mkdir(exist_ok=True)
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(built.site)}
    result = _run(sys.executable, "-c", code, cwd=empty, env=env)
    assert result.returncode == 0, result.stderr
    where, found, version = result.stdout.splitlines()
    assert Path(where).is_relative_to(built.site)  # the installed copy, not the checkout
    assert found == "True True" and version == VERSION
