"""A local stand-in for the subset of the Genesys Cloud Platform API that wrapup-bridge uses: an emulator.

It answers with Genesys's paths, field names, error envelope, headers and rate limiting, seeded from an org
file, and can be switched between the readings of every UNSURE Genesys rule and made to fail on purpose.
It is what tests, the demo and benchmarks run against, and it never presents itself as Genesys.

Typical use::

    emu = Emulator.from_file("examples/demo-org.yaml")
    async with emu.async_client() as client: ...          # in-process
    with emu.serve() as base_url: ...                     # on 127.0.0.1, a free port
"""

from __future__ import annotations

from wrapup_bridge.emulator.app import create_app
from wrapup_bridge.emulator.config import Burst429, EmulatorConfig, FaultConfig
from wrapup_bridge.emulator.handle import Emulator, EmulatorTransport
from wrapup_bridge.emulator.org import Org, OrgFileError, OrgProblem, build_org, load_org, parse_org
from wrapup_bridge.emulator.runtime import WriteRecord
from wrapup_bridge.emulator.state import derive_id

__all__ = [
    "Burst429",
    "Emulator",
    "EmulatorConfig",
    "EmulatorTransport",
    "FaultConfig",
    "Org",
    "OrgFileError",
    "OrgProblem",
    "WriteRecord",
    "build_org",
    "create_app",
    "derive_id",
    "load_org",
    "parse_org",
]
