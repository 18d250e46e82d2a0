"""Where a legacy record keeps each part of a disposition: the field map of one table or one run.

Real exports do not agree on names. A Five9 web connector's parameters are chosen by the admin who set it up
(``Disposition=@Call.disposition_name@`` is as common as the default ``call.disposition_name``); reports built on
the Call Log carry ``DATE`` + ``TIME`` or ``DATE`` + ``HALF HOUR`` instead of ``TIMESTAMP``; warehouse loads rename
every column to snake_case. Each adapter knows its platform's usual places; a field map says where *this*
migration's export keeps them, so the next unknown variant is read without a code change.

A place is a CSV column (matched ignoring case and spacing), a form parameter or call variable, or a dotted path
into JSON. A key may list alternatives (``agent: [agent.user_name, AGENT]``: the first non-blank wins) and the
time may join two places (``time: DATE+TIME``: their values joined by a space, then parsed).

    source:
      fields: {code: Disposition, agent: AgentLogin, time: DATE+HALF HOUR}
      timezone: Europe/London

``wrapup-bridge normalize --field code=Disposition --field time=DATE+TIME`` does the same for one run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wrapup_bridge.core.disposition import FIELD_KEYS
from wrapup_bridge.core.errors import WrapupBridgeError

__all__ = ["FIELD_KEYS", "FieldMap", "FieldMapError"]


class FieldMapError(WrapupBridgeError, ValueError):
    """A field map names a key that does not exist or a place that is empty; the message says which."""


@dataclass(frozen=True)
class FieldMap:
    """Places by key; each key holds alternatives tried in order, each alternative one place or a ``+`` join."""

    places: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key, alternatives in self.places.items():
            if key not in FIELD_KEYS:
                raise FieldMapError(f"unknown field {key!r}; a field map places: {', '.join(FIELD_KEYS)}")
            if not alternatives or not all(isinstance(a, str) and a.strip() for a in alternatives):
                raise FieldMapError(f"field {key!r} needs a column, parameter or path")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> FieldMap:
        """From a table's ``source.fields`` (a key -> place, or -> list of places)."""
        places: dict[str, tuple[str, ...]] = {}
        for key, value in (data or {}).items():
            items = [value] if isinstance(value, str) else list(value) if isinstance(value, list | tuple) else [value]
            places[str(key)] = tuple(str(item).strip() for item in items if str(item).strip())
        return cls(places)

    @classmethod
    def from_assignments(cls, items: Iterable[str]) -> FieldMap:
        """From ``--field KEY=PLACE`` options; ``KEY=A|B`` lists alternatives."""
        places: dict[str, tuple[str, ...]] = {}
        for item in items:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise FieldMapError(f"--field {item!r}: expected KEY=PLACE, e.g. code=Disposition or time=DATE+TIME")
            places[key.strip()] = tuple(v.strip() for v in value.split("|") if v.strip())
        return cls(places)

    def __bool__(self) -> bool:
        return bool(self.places)

    def get(self, key: str) -> tuple[str, ...]:
        """The alternatives for ``key`` (empty when this map does not place it)."""
        return tuple(self.places.get(key, ()))

    def joined(self, key: str) -> tuple[tuple[str, ...], ...]:
        """The alternatives for ``key``, each split into the places it joins (``DATE+TIME`` -> ``(DATE, TIME)``)."""
        return tuple(tuple(p.strip() for p in alt.split("+") if p.strip()) for alt in self.get(key))

    def keys(self) -> frozenset[str]:
        return frozenset(self.places)

    def over(self, base: FieldMap) -> FieldMap:
        """This map's keys over ``base``'s (a run's ``--field`` over the table's ``fields:``)."""
        return FieldMap({**dict(base.places), **dict(self.places)})

    def to_dict(self) -> dict[str, list[str]]:
        return {key: list(alternatives) for key, alternatives in self.places.items()}
