"""The real ``wrapup-bridge`` entry point in a process of its own (``python -m wrapup_bridge``), as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

CLI = [sys.executable, "-m", "wrapup_bridge"]


def run(*args: str, cwd: Path = ROOT, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120, check=False)
