"""Live use: the ``Bridge`` API, the durable outbox, the webhook service and the Lambda handler.

Nothing is imported until it is asked for, so ``from wrapup_bridge.live import Bridge`` costs the bridge
alone: the webhook stack (Starlette), the ``twilio`` package and SQLite load only where they are used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wrapup_bridge.live.bridge import Bridge
    from wrapup_bridge.live.errors import NotADisposition, OutboxError, PayloadError
    from wrapup_bridge.live.lambda_handler import LambdaHandler
    from wrapup_bridge.live.outbox import Outbox
    from wrapup_bridge.live.outcomes import BridgeOutcome, DrainReport
    from wrapup_bridge.live.webhook import create_app

__all__ = [
    "Bridge",
    "BridgeOutcome",
    "DrainReport",
    "LambdaHandler",
    "NotADisposition",
    "Outbox",
    "OutboxError",
    "PayloadError",
    "create_app",
]

_WHERE = {
    "Bridge": "bridge",
    "BridgeOutcome": "outcomes",
    "DrainReport": "outcomes",
    "NotADisposition": "errors",
    "OutboxError": "errors",
    "PayloadError": "errors",
    "LambdaHandler": "lambda_handler",
    "Outbox": "outbox",
    "create_app": "webhook",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'wrapup_bridge.live' has no attribute {name!r}")
    return getattr(importlib.import_module(f"wrapup_bridge.live.{module}"), name)
