"""The Genesys modules a webhook or a review imports must not pull in the HTTP stack or the retry library."""

from __future__ import annotations

import subprocess
import sys


def test_light_modules_do_not_import_httpx_or_stamina() -> None:
    code = (
        "import sys\n"
        "import wrapup_bridge.genesys\n"
        "import wrapup_bridge.genesys.errors, wrapup_bridge.genesys.regions, wrapup_bridge.genesys.settings\n"
        "import wrapup_bridge.genesys.catalog, wrapup_bridge.genesys.auth, wrapup_bridge.genesys.ratelimit\n"
        "print(sorted(m for m in ('httpx', 'stamina', 'rich') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "[]"
