"""Running the ``wrapup-bridge`` command in a test: ``run`` starts the real entry point in a process of its own
(``python -m wrapup_bridge``), as a user runs it; ``invoke`` runs the same command through click's runner in this
process (its folder, its environment), for tests where the process itself is not the point. Both give a
``CompletedProcess``, so a test reads them alike."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import traceback
from collections.abc import Mapping
from pathlib import Path

from tests.conftest import ROOT

CLI = [sys.executable, "-m", "wrapup_bridge"]


def run(*args: str, cwd: Path = ROOT, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120, check=False)


def invoke(*args: str, env: Mapping[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """``wrapup-bridge *args`` through click's runner, in ``cwd``, with ``env`` set and every other GENESYSCLOUD_*
    variable unset for the run (as a process started with a clean environment would see it). An exception that
    escapes the command, or a traceback it prints, fails the test."""
    from click.testing import CliRunner

    from wrapup_bridge.cli import main

    overlay: dict[str, str | None] = {k: None for k in os.environ if k.startswith("GENESYSCLOUD_")}
    overlay.update(env or {})
    with contextlib.chdir(cwd):
        result = CliRunner().invoke(main, list(args), env=overlay)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        trace = "".join(traceback.format_exception(result.exception))
        raise AssertionError(f"wrapup-bridge {' '.join(args)} raised instead of ending with a message:\n{trace}")
    assert "Traceback" not in result.stdout + result.stderr, result.stdout[-2000:] + result.stderr[-4000:]
    return subprocess.CompletedProcess(["wrapup-bridge", *args], result.exit_code, result.stdout, result.stderr)
