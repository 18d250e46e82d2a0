"""``wrapup-bridge catalog export``: a snapshot of the org's wrap-up codes and queue assignments, for offline review.

The export itself is ``services.catalog.export_catalog``; this module adds the options, where the JSON goes, the
one-line summary on stderr and the exit codes (2 for a target that cannot be set up or reached).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from wrapup_bridge.cli._common import fail_setup, run_on_target, stderr
from wrapup_bridge.cli._genesys import target_options
from wrapup_bridge.services.catalog import export_catalog

__all__ = ["catalog"]


@click.group()
def catalog() -> None:
    """The org's wrap-up codes and queue assignments, exported for offline review."""


@catalog.command()
@click.option("--out", "-o", type=click.Path(dir_okay=False), help="Write the snapshot to this file (default: stdout).")
@target_options
def export(out: str | None, target: str, org: Path | None) -> None:
    """Export every wrap-up code (with its division) and every queue (with the codes it allows) as JSON.

    Read it back with `wrapup-bridge mapping check MAPPING --catalog FILE` (or `mapping report`). The file records
    where it came from (Genesys or the emulator), when, and the code list's fingerprint.
    """
    exported = run_on_target(target, org, export_catalog)
    view = exported.view
    text = json.dumps(exported.snapshot, indent=2, ensure_ascii=False) + "\n"
    if out:
        try:
            Path(out).write_text(text, encoding="utf-8")
        except OSError as exc:
            fail_setup(f"cannot write {out!r}: {exc.strerror or exc}")
    else:
        click.echo(text, nl=False)
    stderr(
        f"exported {len(view.codes)} wrap-up codes and {len(view.queues)} queues from {view.source} "
        f"at {view.exported_at}; fingerprint {view.fingerprint}" + (f"; written to {out}" if out else "")
    )
