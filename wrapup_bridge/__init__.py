"""wrapup-bridge: carry Twilio, Five9 and NICE CXone dispositions into Genesys Cloud wrap-up codes.

The import is kept light on purpose (it runs inside serverless functions where cold starts matter): only the
core models load here; adapters, the Genesys client, the CLI and the servers load when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wrapup_bridge.core.decision import CodeRef, Decision, DecisionKind, RuleRef
from wrapup_bridge.core.disposition import Disposition, Media
from wrapup_bridge.core.outcome import Outcome, OutcomeKind, WrapupTarget

if TYPE_CHECKING:
    from wrapup_bridge.live.bridge import Bridge

__version__ = "0.1.0"

__all__ = [
    "Bridge",
    "CodeRef",
    "Decision",
    "DecisionKind",
    "Disposition",
    "Media",
    "Outcome",
    "OutcomeKind",
    "RuleRef",
    "WrapupTarget",
    "__version__",
]


def __getattr__(name: str) -> Any:
    """``wrapup_bridge.Bridge`` without importing the live package (and what it pulls in) until it is used."""
    if name == "Bridge":
        from wrapup_bridge.live.bridge import Bridge

        return Bridge
    raise AttributeError(f"module 'wrapup_bridge' has no attribute {name!r}")
