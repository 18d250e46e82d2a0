"""What stops a replay, as library errors: each message says what happened, where, and what was left.

A replay is safe to stop anywhere (the ledger is consistent, the dead letters current), so every error here ends
with what the caller may do next: usually "fix this, then run the same thing again: it resumes". The CLI prints
the message and exits 2; a library caller reads the same words, or the attributes.

Exceptions::

    ReplayError                 a replay cannot go on as set up (damaged plan, unwritable file, ledger of another plan)
      ├── WrongTarget (ValueError)  a plan made for another target than this run talks to (retarget to apply it here)
      ├── StalePlan             the plan may no longer say what applying it would do (``reasons``; force applies it)
      └── TargetFailed          the target refused (credentials, a permission) or did not answer (``error``)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from wrapup_bridge.core.errors import WrapupBridgeError

if TYPE_CHECKING:
    from wrapup_bridge.core.replay.pipeline import TargetError
    from wrapup_bridge.genesys.errors import GenesysError

__all__ = ["ReplayError", "StalePlan", "TargetFailed", "WrongTarget", "explain_target_failure"]


class ReplayError(WrapupBridgeError):
    """A replay cannot go on as set up; the message names the file or target, the fix, and what was left."""


class WrongTarget(ReplayError, ValueError):
    """Existing work was made for another target (another org or client, or the emulator) than this run talks to:
    it is never sent elsewhere unless the caller says so (``retarget``)."""


class StalePlan(ReplayError):
    """The mapping table, an input or the org's code catalog changed since planning (``reasons``): applying the
    plan may no longer do what was reviewed. Make a new plan, or apply it anyway (``force``)."""

    def __init__(self, reasons: Iterable[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__("stale plan: " + "; ".join(self.reasons))


class TargetFailed(ReplayError):
    """The target refused what every record needs (the credentials, a permission) or did not answer: the run
    stopped with one message instead of a dead letter per record. ``error`` is the ``GenesysError`` or the
    pipeline's ``TargetError``; ``target`` the target's description; ``left`` what was left and how to resume."""

    def __init__(self, error: GenesysError | TargetError, target: str, left: str) -> None:
        self.error = error
        self.target = target
        self.left = left
        super().__init__(explain_target_failure(error, target, left))


def explain_target_failure(error: GenesysError | TargetError, target: str, left: str) -> str:
    """One explanation of a target that refuses or does not answer: what, where, the likely fix (the Genesys
    error's own explanation) and what was left."""
    from wrapup_bridge.core.replay.pipeline import TargetError
    from wrapup_bridge.genesys.errors import AuthenticationError, BudgetExceeded, PermissionDenied, TransportFailure

    if isinstance(error, TargetError):  # its reason already says what and why
        return f"{target}: {error.reason}\n{left}"
    if isinstance(error, AuthenticationError):
        what = "refused the credentials"
    elif isinstance(error, PermissionDenied):
        what = "refused a request the replay needs (a permission is missing)"
    elif isinstance(error, TransportFailure | BudgetExceeded):
        what = "did not answer"
    else:
        what = "answered with an error"
    return f"{target} {what}: {error}\n{error.explain()}\n{left}"
