"""wrapup-bridge: carry Twilio, Five9 and NICE CXone dispositions into Genesys Cloud wrap-up codes.

The import is kept light on purpose (it runs inside serverless functions where cold starts matter): only the
core models load here; adapters, the Genesys client, the CLI and the servers load when first used.
"""

from __future__ import annotations

from wrapup_bridge.core.decision import CodeRef, Decision, DecisionKind, RuleRef
from wrapup_bridge.core.disposition import Disposition, Media
from wrapup_bridge.core.outcome import Outcome, OutcomeKind, WrapupTarget

__version__ = "0.1.0"

__all__ = [
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
