"""The README's runnable Python examples (marked ``<!-- run as written ... -->``) run as written, from the checkout,
as a reader of the README would run them; the other blocks are fragments (they name variables of the reader's code)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

BLOCKS = re.findall(
    r"<!-- run as written[^>]*-->\n```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S
)


def test_the_readme_has_python_examples() -> None:
    assert BLOCKS, "the README shows the library's use from Python in a block a reader can run as written"


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{n}" for n in range(1, len(BLOCKS) + 1)])
def test_a_readme_python_example_runs(code: str) -> None:
    env = {"PATH": "/usr/bin:/bin"}  # no GENESYSCLOUD_* variables: the example runs on the emulator
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
