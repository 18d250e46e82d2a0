"""How long replay work reports how far it is, without knowing who watches (a terminal bar, a test, nobody)."""

from __future__ import annotations

from typing import Protocol

__all__ = ["Progress"]


class Progress(Protocol):
    """Told when a piece of work starts (with its size when known), each time some of it is done (with what
    became of it: applied, dead, ...) and when it stops, whatever stopped it."""

    def start(self, label: str | None = None, total: int | None = None) -> None: ...

    def advance(self, count: int = 1, kind: str = "") -> None: ...

    def stop(self) -> None: ...
