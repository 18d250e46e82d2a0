"""``import wrapup_bridge`` and building a Bridge load no webhook stack, no twilio, no SQLite, no HTTP client."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT
from tests.live.helpers import TWILIO_MAPPING

HEAVY = ("starlette", "uvicorn", "twilio", "rich", "sqlite3", "httpx", "asyncio", "wrapup_bridge.adapters.twilio")


def loaded_after(code: str) -> list[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    env = {
        "PATH": "/usr/bin:/bin",
        "GENESYSCLOUD_OAUTHCLIENT_ID": "demo-client",
        "GENESYSCLOUD_OAUTHCLIENT_SECRET": "demo-secret",
        "GENESYSCLOUD_API_BASE": "http://127.0.0.1:9",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    loaded: list[str] = json.loads(result.stdout)
    return loaded


def test_import_and_build_stay_light() -> None:
    code = f"import wrapup_bridge\nbridge = wrapup_bridge.Bridge.from_env({str(TWILIO_MAPPING)!r})"
    assert loaded_after(code) == []


def test_the_live_package_loads_nothing_until_asked() -> None:
    assert loaded_after("import wrapup_bridge.live\nimport wrapup_bridge") == []
    assert "starlette" in loaded_after("from wrapup_bridge.live import create_app")


def test_lazy_attribute_errors_are_attribute_errors() -> None:
    code = (
        "import wrapup_bridge, wrapup_bridge.live\n"
        "for module in (wrapup_bridge, wrapup_bridge.live):\n"
        "    try:\n        module.Nope\n    except AttributeError:\n        pass\n"
        "    else:\n        raise SystemExit(1)"
    )
    assert loaded_after(code) == []
