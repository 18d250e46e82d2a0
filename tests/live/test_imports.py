"""``import wrapup_bridge`` and building a Bridge load no webhook stack, no twilio, no SQLite, no HTTP client, and
nothing the first apply (or an error) needs before it happens: the cold start ``benchmarks/live.py`` measures.
No live entry point (the built Bridge, ``wrapup_bridge.live``, the Lambda handler's module) loads the CLI's
libraries, correlation's scoring, phonenumbers, RE2 for a table that has no use for it, SQLite or difflib."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

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


#: Heavy or optional modules the live path has no use for until a feature needs them: the CLI's libraries, the
#: scoring, probes and file models of correlation (a table's ``correlate:`` section needs only its spec) and the
#: phone number library, RE2 (a table with a regex, or with 8 or more globs on the code), SQLite (an outbox's first
#: use), difflib (the hints for a broken table), and the packages of the other jobs.
NOT_FOR_LIVE = (
    "rich",
    "click",
    "phonenumbers",
    "re2",
    "sqlite3",
    "difflib",
    "wrapup_bridge.core.correlate.candidate",
    "wrapup_bridge.core.correlate.phone",
    "wrapup_bridge.core.correlate.probe",
    "wrapup_bridge.core.correlate.result",
    "wrapup_bridge.core.correlate.score",
    "wrapup_bridge.core.review",
    "wrapup_bridge.core.replay",
    "wrapup_bridge.cli",
    "wrapup_bridge.emulator",
    "wrapup_bridge.adapters",
    "wrapup_bridge.services.correlate",
    "wrapup_bridge.services.replay",
)
#: The ways serverless code starts the live path (the shipped Twilio table has one glob and a correlate-free
#: source section; its correlate: defaults still go through the mapping schema).
LIVE_ENTRY_POINTS = {
    "bridge": f"import wrapup_bridge\nbridge = wrapup_bridge.Bridge.from_env({str(TWILIO_MAPPING)!r})",
    "live": "from wrapup_bridge.live import Bridge, LambdaHandler",
    "lambda": "import wrapup_bridge.live.lambda_handler",
}


ENV = {
    "GENESYSCLOUD_OAUTHCLIENT_ID": "demo-client",
    "GENESYSCLOUD_OAUTHCLIENT_SECRET": "demo-secret",
    "GENESYSCLOUD_API_BASE": "http://127.0.0.1:9",
}


def loaded_after(code: str, watched: tuple[str, ...] = HEAVY) -> list[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(m for m in {watched!r} if m in sys.modules)))\n"
    env = {**ENV, "PATH": "/usr/bin:/bin"}
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


def test_the_watched_modules_exist() -> None:
    """A misspelt name would never be in ``sys.modules``: every watched module is one that can be imported."""
    import importlib.util

    for name in (*HEAVY, *NOT_FOR_LIVE):
        assert importlib.util.find_spec(name) is not None, name


@pytest.mark.parametrize("entry", sorted(LIVE_ENTRY_POINTS))
def test_no_live_entry_point_loads_what_it_does_not_use(entry: str) -> None:
    assert loaded_after(LIVE_ENTRY_POINTS[entry], NOT_FOR_LIVE) == []


def test_the_watched_modules_load_when_their_feature_is_used() -> None:
    """The same check sees them when they are used: the CLI, correlation's scoring, a table with a regex, the
    outbox, a broken table's hint (rich loads only with a command's output)."""
    code = (
        "import wrapup_bridge.cli\n"
        "from wrapup_bridge.core.correlate import score, to_e164\n"
        "to_e164('9045550101', 'US')\n"
        "from wrapup_bridge.core.mapping import MappingTable, MappingTableError\n"
        "MappingTable.from_text('version: 1\\ncodes: {}\\nrules: [{when: {code: {regex: x}}, skip: s}]\\n')\n"
        "try:\n    MappingTable.from_text('version: 1\\ncodse: {}\\n')\nexcept MappingTableError:\n    pass\n"
        "from wrapup_bridge.live import Outbox\n"
        "import tempfile, os\n"
        "Outbox(os.path.join(tempfile.mkdtemp(), 'o.sqlite')).close()\n"
    )
    loaded = loaded_after(code, NOT_FOR_LIVE)
    expected = {"click", "phonenumbers", "re2", "sqlite3", "difflib", "wrapup_bridge.core.correlate.score"}
    assert expected <= set(loaded)


def test_building_the_bridge_reads_no_builtin_signature() -> None:
    """A pydantic default factory that is a builtin with a text signature (``list``) makes the first model built
    with it compile ``tokenize``'s big regex (~3 ms of the cold start); the live path's models use none."""
    code = (
        f"{LIVE_ENTRY_POINTS['bridge']}\n"
        "import tokenize\n"
        "compiled = getattr(tokenize, '_compile', None)\n"
        "print(compiled.cache_info().currsize if compiled is not None else 0)\n"
    )
    env = {**ENV, "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.split() == ["0"]


def test_lazy_packages_give_the_same_names_as_eager_ones() -> None:
    """``core.correlate`` and ``core.mapping`` load their names on first use; each name is what their eager
    versions gave, whichever is imported first: ``score`` stays the function even when ``correlate/score.py`` is
    imported by its own name before it (the import system binds a submodule on its package when it loads it)."""
    code = (
        "import types\n"
        "import wrapup_bridge.core.correlate.score as by_path\n"
        "from wrapup_bridge.core import correlate\n"
        "from wrapup_bridge.core.correlate import score, classify, CorrelateSpec, to_e164\n"
        "assert isinstance(score, types.FunctionType) and score is correlate.score, score\n"
        "assert by_path is score  # `import a.b.c as x` reads the attribute, as it did from the eager package\n"
        "assert classify.__module__ == 'wrapup_bridge.core.correlate.score'\n"
        "assert sorted(correlate.__all__) == sorted(n for n in correlate.__all__ if hasattr(correlate, n))\n"
        "from wrapup_bridge.core import mapping\n"
        "from wrapup_bridge.core.mapping.table import Explanation, RuleTrace, ConditionTrace\n"
        "assert mapping.Explanation is Explanation and Explanation.__module__.endswith('explain')\n"
        "assert all(hasattr(mapping, n) for n in mapping.__all__)\n"
        "for module in (correlate, mapping, mapping.table):\n"
        "    try:\n        module.Nope\n    except AttributeError:\n        pass\n"
        "    else:\n        raise SystemExit(f'{module.__name__}.Nope did not raise')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
