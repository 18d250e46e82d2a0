"""``wrapup-bridge mapping sync``: fill or repair the ids under a table's ``codes:`` from the org, by name, showing
the change as a diff and writing it only when asked.

Thin: the work is ``services.authoring.sync`` (over ``core.authoring.sync``, which edits only the id text and
keeps every comment and the layout); here are options, printing and exit codes: 0 every id is the org's (or will
be, once written), 1 some alias could not be filled (a name the org lacks, or shares between divisions), 2 usage
or configuration error (no catalog, YAML that does not read, a file that cannot be written, a Terraform output that
is not one).

The ids come from the org (``--catalog`` or ``--live``), from what ``terraform output -json`` printed after the
apply of ``mapping terraform``'s configuration (``--terraform-output``), or from both: the output names only the
codes the apply created, so with it alone every other name is reported as not filled; on top of a catalog it adds
the new codes a snapshot taken before the apply lacks. The output is read first: a broken one stops the command
before the org is read or anything is written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from wrapup_bridge.cli._common import EXIT_PROBLEMS, EXIT_USAGE, fail_setup, fail_usage, stderr
from wrapup_bridge.cli._org_catalog import catalog_options, org_catalog
from wrapup_bridge.core.authoring.sync import describe_change
from wrapup_bridge.core.authoring.terraform import IDS_OUTPUT
from wrapup_bridge.core.mapping import MappingTableError

__all__ = ["sync"]


@click.command("sync")
@click.argument("table_path", metavar="MAPPING", type=click.Path(dir_okay=False))
@catalog_options
@click.option(
    "--terraform-output",
    "terraform_output",
    metavar="FILE",
    type=click.Path(dir_okay=False, allow_dash=True),
    help=f"What `terraform output -json` (or `terraform output -json {IDS_OUTPUT}`) printed after applying "
    "`mapping terraform`'s configuration, or - for stdin: the ids of the codes it created. Alone, or with "
    "--catalog/--live for the org's other codes.",
)
@click.option("--write", is_flag=True, help="Write the ids into MAPPING (otherwise only show the diff).")
@click.option("--json", "as_json", is_flag=True, help="Print what changes and what could not be filled as JSON.")
def sync(
    table_path: str,
    catalog_file: str | None,
    live: bool,
    target: str,
    org: Path | None,
    terraform_output: str | None,
    write: bool,
    as_json: bool,
) -> None:
    """Set the id of each code under MAPPING's codes: to the id of the org's code of that name, e.g. after
    `terraform apply` created codes, or for a table written against another org. Shows a unified diff; only the id
    text changes (comments and layout stay), and only with --write.

    A name the org does not have, or that two of its codes share (in different divisions), is not filled and is
    reported with its line. Exit 1 when some code could not be filled. Needs the org (--catalog FILE or --live),
    the ids `terraform apply` gave the new codes (--terraform-output FILE), or both.
    """
    from wrapup_bridge.services.authoring.sync import read_terraform_output, sync_file, write_synced
    from wrapup_bridge.services.catalog import CatalogFileError

    if not (catalog_file or live or terraform_output):
        fail_usage(
            "give --catalog FILE (from `wrapup-bridge catalog export`), --live, or --terraform-output FILE (from "
            "`terraform output -json`): the ids are looked up by name"
        )
    terraform = None
    if terraform_output:
        try:
            terraform = read_terraform_output(terraform_output)
        except CatalogFileError as exc:
            fail_setup(str(exc))
    catalog = org_catalog(catalog_file, live, target, org)
    try:
        result = sync_file(table_path, catalog, terraform=terraform)
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
        if result.terraform_output and any(n.kind == "missing" for n in result.not_filled) and catalog is None:
            stderr(
                "  the Terraform output names only the codes `terraform apply` created: give --catalog FILE or --live "
                "as well to look up the org's other codes"
            )
        for name in result.unused_output:
            stderr(f"  note: the Terraform output names {name!r}, which no code of the table has (another table's?)")
        count = len(result.changes)
        stderr(
            f"{count} id{'s' if count != 1 else ''} {'written' if write else 'to write'}, "
            f"{len(result.not_filled)} not filled, {len(result.unchanged)} already the org's"
            + ("; run again with --write to write them" if result.changed and not write else "")
        )
    if result.not_filled:
        sys.exit(EXIT_PROBLEMS)
