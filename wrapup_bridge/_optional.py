"""Optional dependencies: imported where they are used, and when missing, one message saying what to install.

``pip install wrapup-bridge`` gives the CLI, the emulator and the demo. Two pieces are extras, because few need
them and they are heavy: the ``twilio`` package (Twilio webhook signatures: ``serve``, the Lambda handler,
``wrapup_bridge.testing``'s signing helpers) and the official Genesys SDK (only the tests that check the emulator
against it). Code that needs one calls ``require``, as httpx's CLI does::

    validator = require("twilio.request_validator", extra="twilio", purpose="checking Twilio signatures")
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Final

from wrapup_bridge.core.errors import WrapupBridgeError

__all__ = ["EXTRAS", "MissingDependency", "install_hint", "require"]

#: extra -> the distribution it installs (as pyproject.toml's [project.optional-dependencies] names them).
EXTRAS: Final = {"twilio": "twilio", "sdk-fidelity": "PureCloudPlatformClientV2"}


class MissingDependency(WrapupBridgeError, ImportError, RuntimeError):
    """An optional package is not installed; the message says which extra installs it.

    An ``ImportError`` (what the import raised) and a ``RuntimeError`` (what callers that check Twilio signatures
    caught before this class existed)."""


def install_hint(extra: str) -> str:
    """The command that installs ``extra``: ``pip install 'wrapup-bridge[twilio]'``."""
    if extra not in EXTRAS:
        raise ValueError(f"unknown extra {extra!r}; expected one of: {', '.join(EXTRAS)}")
    return f"pip install 'wrapup-bridge[{extra}]'"


def require(module: str, *, extra: str, purpose: str) -> ModuleType:
    """Import ``module`` (from the package ``extra`` installs); when that package is missing, raise
    ``MissingDependency``: "<purpose> needs the <package> package: pip install 'wrapup-bridge[<extra>]'".

    An ``ImportError`` from inside an installed package (a broken install) is not hidden: it propagates as is."""
    hint = install_hint(extra)
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        top = module.partition(".")[0]
        if exc.name is None or exc.name.partition(".")[0] != top:
            raise
        raise MissingDependency(f"{purpose} needs the {EXTRAS[extra]} package: {hint}", name=top) from None
