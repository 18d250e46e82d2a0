"""Which options each Five9 format uses (an option a format cannot use is refused, never ignored).

Both formats read local times (the Call Log's TIMESTAMP or DATE columns, the web connector's timestamps), so both
take ``--region``, ``--timezone``, ``--time-format`` and ``--date-order`` (never both of the last two: a declared
format already says where day and month are), every field-map key, and ``--catalog``. What depends on the input
is checked when it is read: a Call Log with no time column at all has no use for the time options.
"""

from __future__ import annotations

from wrapup_bridge.core.disposition import FIELD_KEYS

__all__ = ["ACCEPTED", "TIME_OPTIONS"]

TIME_OPTIONS = frozenset({"timezone", "region", "time_format", "date_order"})
_FIELDS = frozenset(f"fields.{key}" for key in FIELD_KEYS)

#: Options by the name ``AdapterOptions.given`` spells them, per format.
ACCEPTED: dict[str, frozenset[str]] = {
    "call-log": frozenset({"catalog", *TIME_OPTIONS, *_FIELDS}),
    "web-connector": frozenset({"catalog", *TIME_OPTIONS, *_FIELDS}),
}
