"""The live bridge a command runs (``serve`` answers webhooks with it, ``outbox drain`` delivers with it).

Both build it the same way: the target from ``services.target.build_target`` (the one place that decides
"Genesys or the emulator"), the tables named on the command line or the shipped Twilio Flex table, the outbox the
settings name, and ``Bridge.for_target``. What cannot be set up ends the command with exit 2 and one message.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from wrapup_bridge.cli._common import fail_setup

if TYPE_CHECKING:
    from wrapup_bridge.live.bridge import Bridge
    from wrapup_bridge.live.outbox import Outbox
    from wrapup_bridge.services.settings import Settings

__all__ = ["default_mappings", "open_bridge"]


def default_mappings(mappings: tuple[Path, ...]) -> tuple[Path, ...]:
    """The tables named, or the shipped Twilio Flex table (package data, there after a pip install in any folder)."""
    from wrapup_bridge.data import TWILIO_FLEX_MAPPING

    return mappings or (TWILIO_FLEX_MAPPING,)


def open_bridge(
    target: str,
    org: Path | None,
    mappings: tuple[Path, ...],
    *,
    outbox: Path | None,
    use_outbox: bool = True,
    budget: float = 8.0,
    lock_timeout: float | None = None,
    settings: Settings | None = None,
) -> Bridge:
    """A bridge to the target ``--target``/``--org`` name (Genesys with the ``GENESYSCLOUD_*`` settings, else an
    in-process emulator of ``org``, the shipped demo org when None) with ``mappings`` (the shipped Twilio Flex
    table when empty) and the outbox at ``outbox`` (``Settings.outbox`` when None; none without ``use_outbox``).
    ``lock_timeout`` is how long the outbox waits for another process's lock (the outbox's own default when None).
    Set-up problems (missing credentials, unreadable tables, no org file) end the command with exit code 2."""
    from wrapup_bridge.core.mapping import MappingTableError
    from wrapup_bridge.genesys.settings import SettingsError
    from wrapup_bridge.live.bridge import Bridge
    from wrapup_bridge.services.settings import Settings
    from wrapup_bridge.services.target import TargetKind, build_target

    settings = settings if settings is not None else Settings.from_env()
    box: Outbox | Path | None = None
    try:
        if use_outbox:
            box = outbox if outbox is not None else settings.outbox
            if lock_timeout is not None:
                from wrapup_bridge.live.outbox import Outbox

                box = Outbox(box, busy_timeout=lock_timeout)
        built = build_target(cast(TargetKind, target), org, settings=settings, budget=budget)
        return Bridge.for_target(built, list(default_mappings(mappings)), outbox=box, budget=budget)
    except SettingsError as exc:
        fail_setup(str(exc))
    except MappingTableError as exc:
        fail_setup(str(exc))
    except UnicodeDecodeError as exc:
        fail_setup(f"emulator org file {str(org)!r} is not UTF-8 text (byte {exc.start}): is it the org YAML?")
    except (OSError, ValueError) as exc:
        fail_setup(str(exc))
