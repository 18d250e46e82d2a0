"""``import wrapup_bridge`` and building a Bridge load no webhook stack, no twilio, no SQLite, no HTTP client, and
nothing the first apply (or an error) needs before it happens: the cold start ``benchmarks/live.py`` measures."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT
from tests.live.helpers import TWILIO_MAPPING

HEAVY = (
    "starlette",
    "uvicorn",
    "twilio",
    "rich",
    "sqlite3",
    "httpx",
    "asyncio",
    "wrapup_bridge.adapters.twilio",
    # loaded by the first apply (or the first error logged or explained), not by building the bridge
    "logging",
    "wrapup_bridge.live.outcomes",
    "wrapup_bridge.genesys.explain",
    "wrapup_bridge.genesys.paths",
    "wrapup_bridge.genesys.http",
    "wrapup_bridge.genesys.sink",
)
#: What ``import wrapup_bridge`` alone must not load: every public name beyond the core models loads on first use.
NOT_ON_IMPORT = (
    *HEAVY,
    "yaml",
    "wrapup_bridge.core.mapping",
    "wrapup_bridge.live",
    "wrapup_bridge.genesys",
    "wrapup_bridge.services",
    "wrapup_bridge.errors",
)


def loaded_after(code: str, watched: tuple[str, ...] = HEAVY) -> list[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(m for m in {watched!r} if m in sys.modules)))\n"
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


def test_import_alone_loads_the_core_models_only() -> None:
    assert loaded_after("import wrapup_bridge", NOT_ON_IMPORT) == []


def test_what_building_leaves_out_loads_on_the_first_apply() -> None:
    """The watched list is not vacuous: the first apply loads the HTTP client, the sink and the outcomes."""
    code = (
        f"import wrapup_bridge\nbridge = wrapup_bridge.Bridge.for_emulator(mapping={str(TWILIO_MAPPING)!r})\n"
        "from wrapup_bridge import Disposition\n"
        "bridge.apply(Disposition(source='twilio', source_id='WT1', code='Resolved',"
        " conversation_id='c0ffee00-0000-4000-8000-000000000021'))"
    )
    loaded = loaded_after(code)
    assert {"httpx", "asyncio", "wrapup_bridge.genesys.http", "wrapup_bridge.genesys.sink"} <= set(loaded)
    assert "wrapup_bridge.live.outcomes" in loaded


def test_the_bridge_modules_lazy_names_load_on_use() -> None:
    """``BridgeOutcome`` and ``DrainReport`` are still importable from ``wrapup_bridge.live.bridge`` (its
    ``__all__``), as the classes of ``wrapup_bridge.live.outcomes``; any other missing name is an AttributeError."""
    from wrapup_bridge.live import bridge, outcomes
    from wrapup_bridge.live.bridge import BridgeOutcome, DrainReport

    assert BridgeOutcome is outcomes.BridgeOutcome
    assert DrainReport is outcomes.DrainReport
    assert all(hasattr(bridge, name) for name in bridge.__all__)
    try:
        bridge.Nope  # noqa: B018
    except AttributeError as exc:
        assert "Nope" in str(exc)
    else:
        raise AssertionError("bridge.Nope did not raise AttributeError")


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
