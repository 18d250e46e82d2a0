"""``wrapup-bridge mapping terraform``: the Genesys Cloud codes (and queue assignments) a table needs and the org
lacks, as Terraform for the Genesys Cloud provider, plus the note of which ids to put back into the table.

Thin: the work is ``services.authoring.terraform`` (over ``core.authoring.terraform``, whose docstring says why
queue assignments are comments and never a queue resource); here are options, printing and exit codes (0 written
or printed, 2 usage or configuration error: a table that does not load, no catalog, a file that exists).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from wrapup_bridge.cli._common import EXIT_USAGE, fail_setup, fail_usage, stderr
from wrapup_bridge.cli._org_catalog import catalog_options, required_org_catalog
from wrapup_bridge.core.authoring.terraform import CODE_RESOURCE, IDS_OUTPUT, VALIDITY_NOTE, TerraformPlan
from wrapup_bridge.core.mapping import MappingTableError

if TYPE_CHECKING:
    from wrapup_bridge.services.authoring.terraform import Syntax

__all__ = ["terraform"]


@click.command("terraform")
@click.argument("table_path", metavar="MAPPING", type=click.Path(dir_okay=False))
@catalog_options
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path),
    help="A directory (versions.tf, wrapup-codes.tf, queue-wrapup-codes.tf; .tf.json with --format json) or one "
    "FILE.tf / FILE.tf.json. Without it the configuration is printed.",
)
@click.option(
    "--format",
    "syntax",
    type=click.Choice(["hcl", "json"]),
    default="hcl",
    show_default=True,
    help="HCL (.tf, what people read) or Terraform's JSON syntax (.tf.json).",
)
@click.option("--division", help="The division (name or id) of the codes to create. Default: see docs/authoring.md.")
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
@click.option("--json", "as_json", is_flag=True, help="Print what would be created (the plan) as JSON.")
def terraform(
    table_path: str,
    catalog_file: str | None,
    live: bool,
    target: str,
    org: Path | None,
    out: Path | None,
    syntax: str,
    division: str | None,
    force: bool,
    as_json: bool,
) -> None:
    """Write Terraform (Genesys Cloud provider) for the wrap-up codes MAPPING needs and the org lacks, and list the
    queue assignments its queue-scoped rules need and the queues lack.

    Codes become genesyscloud_routing_wrapupcode resources. Queue assignments are written as comments only: the
    provider sets a queue's codes only through the whole queue resource, and declaring an existing queue would
    have Terraform reset its other settings. Afterwards, `wrapup-bridge mapping sync MAPPING --live --write` puts
    the new codes' ids into the table. Needs the org: --catalog FILE or --live.
    """
    from wrapup_bridge.services.authoring.terraform import (
        build_terraform,
        find_division,
        is_single_file,
        output_paths,
        write_terraform,
    )

    catalog = required_org_catalog(
        catalog_file, live, target, org, why="the Terraform holds what the table needs and the org lacks"
    )
    chosen = None
    if division:
        chosen = find_division(catalog, division)
        if chosen is None:
            fail_usage(
                f"--division {division!r} is neither a division id nor the name of one the org's codes or queues are in"
            )
    chosen_syntax: Syntax = "json" if syntax == "json" else "hcl"
    split = out is not None and not is_single_file(out, chosen_syntax)
    try:
        output = build_terraform(table_path, catalog, division=chosen, syntax=chosen_syntax, split=split)
    except MappingTableError as exc:
        stderr(str(exc))
        sys.exit(EXIT_USAGE)
    plan = output.plan
    if out is None:
        if as_json:
            click.echo(json.dumps(plan.to_dict(), indent=2, ensure_ascii=False))
        else:
            (text,) = output.files.values()
            click.echo(text, nl=False)
            for line in summary_lines(plan, table_path, written=None):
                stderr(line)
        return
    paths = output_paths(out, output)
    try:
        written = write_terraform(paths, force=force)
    except FileExistsError as exc:
        fail_usage(f"{exc}: give --force to overwrite")
    except OSError as exc:
        fail_setup(f"cannot write the Terraform to {out}: {exc.strerror or exc}")
    if as_json:
        click.echo(json.dumps({**plan.to_dict(), "files": [str(p) for p in written]}, indent=2, ensure_ascii=False))
    else:
        for line in summary_lines(plan, table_path, written=[str(p) for p in written]):
            click.echo(line)


def summary_lines(plan: TerraformPlan, table_path: str, *, written: list[str] | None) -> list[str]:
    """What the output creates, what it leaves to a person, and the note of the ids to put back afterwards."""
    lines = [f"{plan.table} (sha256 {plan.sha256[:12]}...) against {plan.catalog} (fingerprint {plan.fingerprint})"]
    if written:
        lines.append("wrote " + ", ".join(written))
    count = len(plan.new_codes)
    lines.append(
        f"creates {count} wrap-up code{'s' if count != 1 else ''} ({CODE_RESOURCE}):"
        if count
        else "creates no wrap-up code: the org has every code the table needs"
    )
    for code in plan.new_codes:
        division = f"division {code.division_name or code.division_id}" if code.division_id else "no division set"
        lines.append(f"  {code.label}: {code.name!r}, {division}; alias {', '.join(code.aliases)} (line {code.line})")
    if not plan.queues_checked:
        lines.append("queue assignments: not worked out (the catalog lists no queues)")
    elif plan.queues:
        lines.append(
            "queue assignments to add (NOT applied by Terraform: add them to a queue resource you manage, or in Genesys Cloud):"
        )
        for need in plan.queues:
            names = ", ".join(f"{c.name!r}" + (" (new)" if c.label else f" ({c.id})") for c in need.codes)
            lines.append(f"  {need.queue.label} ({need.queue.id}): {names}")
    else:
        lines.append("queue assignments: none to add")
    if plan.remarks:
        lines.append("left to you:")
        lines.extend(f"  line {r.line}: {r.message}" for r in plan.remarks)
    if plan.new_codes:
        lines.append("after `terraform apply`, put the new ids into the table:")
        for code in plan.new_codes:
            fields = ", ".join(f"codes.{alias}.id" for alias in code.aliases)
            lines.append(f"  {fields} (line {code.line}): the id of {code.name!r}")
        lines.append(
            f"  `wrapup-bridge mapping sync {table_path} --live --write` fills them by name (the ids are also in "
            f"`terraform output -json {IDS_OUTPUT}`)"
        )
    lines.append(VALIDITY_NOTE)
    return lines
