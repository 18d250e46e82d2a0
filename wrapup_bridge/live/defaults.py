"""Defaults the live pieces share, in a module that imports nothing, so building a bridge stays cheap."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final

__all__ = [
    "DEFAULT_BUDGET",
    "DEFAULT_MAPPING",
    "DEFAULT_ORG",
    "DEFAULT_OUTBOX",
    "OUTBOX_ENV",
    "default_outbox_path",
]

#: Inside Twilio Functions' 10 s and Genesys function data actions' 15 s, with room for the reply.
DEFAULT_BUDGET: Final = 8.0
DEFAULT_MAPPING: Final = "mappings/twilio-flex.yaml"
DEFAULT_ORG: Final = "examples/demo-org.yaml"
OUTBOX_ENV: Final = "WRAPUP_BRIDGE_OUTBOX"
DEFAULT_OUTBOX: Final = "wrapup-bridge-outbox.sqlite"


def default_outbox_path(env: Mapping[str, str] | None = None) -> Path:
    """``$WRAPUP_BRIDGE_OUTBOX``, else ``./wrapup-bridge-outbox.sqlite``; on AWS Lambda (read-only code directory)
    ``/tmp/wrapup-bridge-outbox.sqlite``, which lives only as long as the container: mount EFS for durability."""
    source = os.environ if env is None else env
    configured = source.get(OUTBOX_ENV, "").strip()
    if configured:
        return Path(configured)
    if source.get("AWS_LAMBDA_FUNCTION_NAME"):
        return Path("/tmp") / DEFAULT_OUTBOX
    return Path(DEFAULT_OUTBOX)
