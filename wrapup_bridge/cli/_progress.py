"""The one progress display of the CLI: long work (planning, applying, draining an outbox) shows how far it is.

People watch a replay of a million records or an outbox drain for minutes; a script reading ``--json`` or a log
file must not get control characters. So the display is drawn on stderr only when stderr is a terminal, and a
command turns it off for script output. It is a bar with done/total, the rate, the time left and the counts by
kind when ``rich`` (the ``[cli]`` extra) is there, else one line rewritten in place.

A ``Progress`` meets the ``services.replay.Progress`` protocol (``start``, ``advance``, ``stop``), so the library
reports to it without knowing it draws anything; other work calls ``advance`` from its own callback.
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

import click

__all__ = ["Progress"]


class Progress:
    """A progress display on stderr, or nothing when ``enabled`` is false or stderr is not a terminal.

    Usable as a context manager (``with Progress("applying", total) as bar: ... bar.advance(1, "applied")``) or
    through ``start``/``stop``, several times in a row (the demo plans and applies three sets with one display).
    ``total`` may be set late (an outbox drain counts its rows first) or never (planning reads a stream)."""

    def __init__(self, label: str = "", total: int | None = None, *, enabled: bool = True) -> None:
        self.label = label
        self.enabled = enabled and sys.stderr.isatty()
        #: How many were done, and by kind, since the last ``start``.
        self.done = 0
        self.kinds: Counter[str] = Counter()
        self._total = total
        self._bar: Any = None
        self._task: Any = None
        self._line = False

    # -- lifecycle ---------------------------------------------------------------------------------------------------
    def __enter__(self) -> Progress:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, label: str | None = None, total: int | None = None) -> None:
        """Begin (again): counts start from zero; ``label`` and ``total`` replace the ones given before."""
        self.stop()
        self.label = label if label is not None else self.label
        self._total = total if total is not None else self._total
        self.done = 0
        self.kinds = Counter()
        if not self.enabled:
            return
        try:
            from rich.progress import BarColumn, MofNCompleteColumn, TimeRemainingColumn
            from rich.progress import Progress as Bar
        except ImportError:  # without the [cli] extra: the plain line
            return
        self._bar = Bar(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            "{task.fields[rate]}",
            TimeRemainingColumn(),
            "{task.fields[kinds]}",
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task(self.label, total=self._total, rate="", kinds="")

    def stop(self) -> None:
        """End the display (a bar disappears; a plain line ends with a line break)."""
        bar, self._bar = self._bar, None
        if bar is not None:
            bar.stop()
        if self._line:
            self._line = False
            click.echo("", err=True)

    # -- reporting ---------------------------------------------------------------------------------------------------
    @property
    def total(self) -> int | None:
        return self._total

    @total.setter
    def total(self, value: int | None) -> None:
        self._total = value
        if self._bar is not None:
            self._bar.update(self._task, total=value)

    def advance(self, count: int = 1, kind: str = "") -> None:
        """``count`` more done, of ``kind`` when the work tells them apart (applied, dead, ...)."""
        self.done += count
        if kind:
            self.kinds[kind] += count
        if not self.enabled:
            return
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(self.kinds.items()))
        if self._bar is not None:
            self._bar.update(self._task, advance=count, kinds=kinds)
            speed = self._bar.tasks[0].speed
            if speed:
                self._bar.update(self._task, rate=f"{speed:.1f}/s")
            return
        of = f"/{max(self._total, self.done)}" if self._total is not None else ""
        click.echo(f"\r{self.label} {self.done}{of}{': ' + kinds if kinds else ''}   ", nl=False, err=True)
        self._line = True
