"""Fixtures of the emulator tests: the demo org is parsed once per session (it is immutable)."""

from __future__ import annotations

import pytest

from tests.emulator.helpers import DEMO_ORG
from wrapup_bridge.emulator import Org, load_org


@pytest.fixture(scope="session")
def demo_org() -> Org:
    return load_org(DEMO_ORG)
