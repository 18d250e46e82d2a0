"""Which adapter options each Twilio format can use; anything else is refused, never silently ignored.

- Field map keys (``options.fields``): every format places ``code``, ``source_id``, ``agent``, ``agent_name``,
  ``time`` and ``notes``; ``media`` too, except ``voice-status`` (a call is voice). A place is a CSV column for
  ``insights-csv`` (matched ignoring case and spacing), a parameter name for ``voice-status``, a parameter name
  or a path into ``TaskAttributes`` for ``taskrouter``, a dotted path into the attributes (then the Task
  resource) for ``task-attributes``, and a dotted path into the payload for ``copilot``.
- Local-time settings (``timezone``, ``time_format``, ``date_order``): ``insights-csv`` always (its times are
  local, as the report was shown); the other formats only when the field map places ``time`` (a place of this
  migration's choosing may hold local text): Twilio's own timestamps carry an offset or are unix times.
- ``region`` and ``catalog`` are Five9's and CXone's; no Twilio format takes them.
"""

from __future__ import annotations

from wrapup_bridge.adapters.base import AdapterOptions, check_options

__all__ = ["accepted", "check"]

_ALL_KEYS = ("code", "source_id", "agent", "agent_name", "time", "notes", "media")
_KEYS: dict[str, tuple[str, ...]] = {
    "task-attributes": _ALL_KEYS,
    "taskrouter": _ALL_KEYS,
    "voice-status": tuple(k for k in _ALL_KEYS if k != "media"),
    "insights-csv": _ALL_KEYS,
    "copilot": _ALL_KEYS,
}
_TIME_OPTIONS = frozenset({"timezone", "time_format", "date_order"})
_WHY: dict[str, str] = {
    "insights-csv": "Insights CSV takes a field map and the local-time settings of its export",
    "voice-status": "Twilio's Voice callbacks carry RFC 2822 times with an offset and are always voice; "
    "the local-time settings apply only to a time placed with the field map",
}
_WHY_JSON = (
    "Twilio writes its own times with an offset or as unix time; the local-time settings apply only to a time "
    "placed with the field map (fields.time)"
)


def accepted(fmt: str, options: AdapterOptions) -> frozenset[str]:
    """The option names (as ``AdapterOptions.given`` spells them) ``fmt`` can use with these ``options``."""
    names = {f"fields.{key}" for key in _KEYS.get(fmt, ())}
    if fmt == "insights-csv" or "time" in options.fields.places:
        names |= _TIME_OPTIONS
    return frozenset(names)


def check(fmt: str, options: AdapterOptions) -> None:
    """Raise ``AdapterOptionError`` when ``options`` sets something the ``fmt`` format cannot use."""
    check_options("twilio", fmt, options, accepted(fmt, options), _WHY.get(fmt, _WHY_JSON))
