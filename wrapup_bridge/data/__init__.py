"""The files a pip-installed wrapup-bridge ships: the mapping tables, the demo org and the example exports.

In the repository they are ``mappings/`` and ``examples/`` (this folder links to them); in an installed package
they are package data, so ``wrapup-bridge demo`` and the defaults of every command work from any folder.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DATA_DIR", "DEMO_ORG", "TWILIO_FLEX_MAPPING", "shipped"]

DATA_DIR = Path(__file__).resolve().parent


def shipped(relative: str) -> Path:
    """The installed copy of a shipped file, named as in the repository (``mappings/five9.yaml``)."""
    return DATA_DIR / relative


#: The org the emulator serves when nothing else is named.
DEMO_ORG = shipped("examples/demo-org.yaml")
#: The table the live bridge loads when none is named.
TWILIO_FLEX_MAPPING = shipped("mappings/twilio-flex.yaml")
