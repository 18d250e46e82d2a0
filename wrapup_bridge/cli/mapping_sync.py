"""``wrapup-bridge mapping sync``: fill or repair the ids under a table's ``codes:`` from the org, by name, showing
the change as a diff and writing it only when asked.

Thin: the work is ``services.authoring.sync`` (over ``core.authoring.sync``, which edits only the id text and
keeps every comment and the layout); here are options, printing and exit codes: 0 every id is the org's (or will
be, once written), 1 some alias could not be filled (a name the org lacks, or shares between divisions), 2 usage
or configuration error (no catalog, YAML that does not read, a file that cannot be written).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from wrapup_bridge.cli._common import EXIT_PROBLEMS, EXIT_USAGE, fail_setup, stderr
from wrapup_bridge.cli._org_catalog import catalog_options, required_org_catalog
from wrapup_bridge.core.authoring.sync import describe_change
from wrapup_bridge.core.mapping import MappingTableError

__all__ = ["sync"]


@click.command("sync")
@click.argument("table_path", metavar="MAPPING", type=click.Path(dir_okay=False))
@catalog_options
@click.option("--write", is_flag=True, help="Write the ids into MAPPING (otherwise only show the diff).")
@click.option("--json", "as_json", is_flag=True, help="Print what changes and what could not be filled as JSON.")
def sync(
    table_path: str,
    catalog_file: str | None,
    live: bool,
    target: str,
    org: Path | None,
    write: bool,
    as_json: bool,
) -> None:
    """Set the id of each code under MAPPING's codes: to the id of the org's code of that name, e.g. after
    `terraform apply` created codes, or for a table written against another org. Shows a unified diff; only the id
    text changes (comments and layout stay), and only with --write.

    A name the org does not have, or that two of its codes share (in different divisions), is not filled and is
    reported with its line. Exit 1 when some code could not be filled. Needs the org: --catalog FILE or --live.
    """
    from wrapup_bridge.services.authoring.sync import sync_file, write_synced

    catalog = required_org_catalog(catalog_file, live, target, org, why="the ids are looked up in the org by name")
    try:
        result = sync_file(table_path, catalog)
        written = write_synced(table_path, result) if write else False
    except MappingTableError as exc:
        stderr(str(exc))
        sys.exit(EXIT_USAGE)
    except OSError as exc:
        fail_setup(f"cannot {'write' if write else 'read'} {table_path}: {exc.strerror or exc}")
    if as_json:
        click.echo(json.dumps({**result.to_dict(), "written": written}, indent=2, ensure_ascii=False))
    else:
        click.echo(result.diff(), nl=False)
        stderr(f"{result.table}: ids looked up by name in {result.catalog} (fingerprint {result.fingerprint})")
        for change in result.changes:
            stderr(f"  {'set' if written else 'would set'} {describe_change(change)}")
        for missing in result.not_filled:
            stderr(f"  NOT FILLED line {missing.line}: {missing.message}")
        count = len(result.changes)
        stderr(
            f"{count} id{'s' if count != 1 else ''} {'written' if write else 'to write'}, "
            f"{len(result.not_filled)} not filled, {len(result.unchanged)} already the org's"
            + ("; run again with --write to write them" if result.changed and not write else "")
        )
    if result.not_filled:
        sys.exit(EXIT_PROBLEMS)
