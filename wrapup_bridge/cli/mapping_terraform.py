"""``wrapup-bridge mapping terraform``: the Genesys Cloud codes (and queue assignments) a table needs and the org
lacks, as Terraform for the Genesys Cloud provider, plus the note of which ids to put back into the table; with
``--outbound``, also the org's outbound wrap-up code mapping from the table's ``outbound:`` section.

Thin: the work is ``services.authoring.terraform`` (over ``core.authoring.terraform``, whose docstring says why
queue assignments are comments and never a queue resource, and ``core.authoring.terraform_outbound``, whose
docstring says why the outbound resource carries the org's whole mapping); here are options, printing and exit
codes (0 written or printed, 2 usage or configuration error: a table that does not load, no catalog, no current
outbound mapping for ``--outbound``, a legacy listing that does not read, a file that exists).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from wrapup_bridge.cli._common import EXIT_PROBLEMS, EXIT_USAGE, fail_setup, fail_usage, run_on_target, stderr
from wrapup_bridge.cli._org_catalog import catalog_options, required_org_catalog
from wrapup_bridge.core.authoring.terraform import CODE_RESOURCE, IDS_OUTPUT, VALIDITY_NOTE, TerraformPlan
from wrapup_bridge.core.authoring.terraform_outbound import OUTBOUND_LABEL, OUTBOUND_RESOURCE, OutboundMappings
from wrapup_bridge.core.mapping import MappingTableError
from wrapup_bridge.core.outbound.flags import flags_text

if TYPE_CHECKING:
    from wrapup_bridge.services.authoring.terraform import OrgOutboundMapping, Syntax

__all__ = ["terraform"]


@click.command("terraform")
@click.argument("table_path", metavar="MAPPING", type=click.Path(dir_okay=False))
@catalog_options
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path),
    help="A directory (versions.tf, wrapup-codes.tf, queue-wrapup-codes.tf, and outbound-wrapupcode-mappings.tf with "
    "--outbound; .tf.json with --format json) or one FILE.tf / FILE.tf.json. Without it the configuration is printed.",
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
@click.option(
    "--outbound",
    is_flag=True,
    help="Also write the org's outbound wrap-up code mapping (genesyscloud_outbound_wrapupcodemappings) from the "
    "table's outbound: section. ORG-WIDE: the resource carries every other entry of the org's current mapping over "
    "unchanged, so it needs that mapping: --live reads it, or give --outbound-mapping FILE.",
)
@click.option(
    "--outbound-mapping",
    type=click.Path(dir_okay=False),
    help="The org's current outbound mapping, with --outbound and --catalog: the JSON of GET "
    "/api/v2/outbound/wrapupcodemappings, or an `outbound plan` file.",
)
@click.option(
    "--dispositions",
    type=click.Path(dir_okay=False),
    help="With --outbound: the legacy dispositions listing (Five9 getDispositions as YAML/JSON, CXone skill "
    "dispositions). Default: the table's outbound.catalog, else source.catalog.",
)
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
    outbound: bool,
    outbound_mapping: str | None,
    dispositions: str | None,
    force: bool,
    as_json: bool,
) -> None:
    """Write Terraform (Genesys Cloud provider) for the wrap-up codes MAPPING needs and the org lacks, and list the
    queue assignments its queue-scoped rules need and the queues lack.

    Codes become genesyscloud_routing_wrapupcode resources. Queue assignments are written as comments only: the
    provider sets a queue's codes only through the whole queue resource, and declaring an existing queue would
    have Terraform reset its other settings. Afterwards, `wrapup-bridge mapping sync MAPPING --live --write` puts
    the new codes' ids into the table. Needs the org: --catalog FILE or --live.

    With --outbound, also the org's outbound wrap-up code mapping: one org-wide resource holding the table's
    entries and every other entry of the org's mapping, carried over unchanged (see docs/reference-terraform.md).

    Exit 1 when --outbound leaves a code the table sets two ways as the org has it (a person decides); 2 on a usage
    or set-up error (nothing is written).
    """
    from wrapup_bridge.adapters.base import AdapterError
    from wrapup_bridge.services.authoring.terraform import (
        OutboundMappingFileError,
        OutboundTerraformError,
        build_terraform,
        find_division,
        is_single_file,
        output_paths,
        read_outbound_mapping,
        read_outbound_mapping_file,
        write_terraform,
    )

    if not outbound and (outbound_mapping or dispositions):
        fail_usage("--outbound-mapping and --dispositions go with --outbound")
    if outbound and outbound_mapping and live:
        fail_usage("give either --outbound-mapping FILE or --live (which reads the org's outbound mapping), not both")
    if outbound and not outbound_mapping and not live:
        fail_usage(
            "--outbound needs the org's current outbound mapping: the resource is org-wide, and the entries of codes "
            "the table does not decide are carried over from it (docs/reference-terraform.md §4): give --live, or "
            "--outbound-mapping FILE (the JSON of GET /api/v2/outbound/wrapupcodemappings, or an `outbound plan` file)"
        )
    org_mapping: OrgOutboundMapping | None = None
    if outbound_mapping:
        try:
            org_mapping = read_outbound_mapping_file(outbound_mapping)
        except OutboundMappingFileError as exc:
            fail_usage(str(exc))
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
    if outbound and org_mapping is None:
        org_mapping = run_on_target(target, org, read_outbound_mapping)
    chosen_syntax: Syntax = "json" if syntax == "json" else "hcl"
    split = out is not None and not is_single_file(out, chosen_syntax)
    try:
        output = build_terraform(
            table_path,
            catalog,
            division=chosen,
            syntax=chosen_syntax,
            split=split,
            outbound=org_mapping,
            dispositions=dispositions,
        )
    except (MappingTableError, OutboundTerraformError, AdapterError) as exc:
        stderr(str(exc))
        sys.exit(EXIT_USAGE)
    plan = output.plan
    # Written, but a code the table's outbound section sends two ways was left out: a person decides (as `outbound
    # plan` exits 1 for the same conflict).
    undecided = plan.outbound is not None and any(n.severity == "error" for n in plan.outbound.notes)
    if out is None:
        if as_json:
            click.echo(json.dumps(plan.to_dict(), indent=2, ensure_ascii=False))
        else:
            (text,) = output.files.values()
            click.echo(text, nl=False)
            for line in summary_lines(plan, table_path, written=None):
                stderr(line)
        if undecided:
            sys.exit(EXIT_PROBLEMS)
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
    if undecided:
        sys.exit(EXIT_PROBLEMS)


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
    if plan.outbound is not None:
        lines.extend(outbound_lines(plan.outbound))
    if plan.new_codes:
        lines.append("after `terraform apply`, put the new ids into the table:")
        for code in plan.new_codes:
            fields = ", ".join(f"codes.{alias}.id" for alias in code.aliases)
            lines.append(f"  {fields} (line {code.line}): the id of {code.name!r}")
        lines.append(
            f"  `wrapup-bridge mapping sync {table_path} --live --write` fills them by name; or, without reading "
            f"the org again, `terraform output -json > tf-out.json` and `wrapup-bridge mapping sync {table_path} "
            f"--catalog ORG.json --terraform-output tf-out.json --write` (the ids are in {IDS_OUTPUT})"
        )
    lines.append(VALIDITY_NOTE)
    return lines


def outbound_lines(outbound: OutboundMappings) -> list[str]:
    """The outbound resource for people: that it is org-wide, what applying changes, what it carries over."""
    version = f", version {outbound.version}" if outbound.version is not None else ""
    lines = [
        f"outbound mapping ({OUTBOUND_RESOURCE}.{OUTBOUND_LABEL}): ORG-WIDE, the org's whole mapping as read from "
        f"{outbound.source}{version}, with the table's changes:"
    ]
    now = flags_text(f.value for f in outbound.default_set)
    if outbound.default_set_changed:
        lines.append(f"  ~ default_set: {flags_text(outbound.default_set_before)} -> {now} (outbound.default_set)")
    else:
        lines.append(f"  default_set: {now}, as the org has it")
    for entry in outbound.changes:
        name = f"{entry.code.name!r} ({entry.code.id or 'created here'})"
        after = flags_text(f.value for f in entry.flags)
        if entry.before is None:
            lines.append(f"  + {name}: {after}")
        else:
            lines.append(f"  ~ {name}: {flags_text(entry.before)} -> {after}")
    if not outbound.changes and not outbound.default_set_changed:
        lines.append("  no change: the org's mapping already says what the table asks")
    same = [e for e in outbound.entries if not e.changed]
    carried = sum(1 for e in same if e.origin == "org")
    if same:
        lines.append(
            f"  keeps {len(same)} entr{'y' if len(same) == 1 else 'ies'} as the org has them ({carried} carried over: "
            "codes the table does not decide)"
        )
    lines.extend(
        f"  {note.severity}: " + (f"line {note.line}: " if note.line is not None else "") + note.message
        for note in outbound.notes
    )
    lines.append(
        "  this configuration then owns the org's whole outbound mapping: change entries in it, not in Genesys Cloud; "
        "declare it in one configuration only; write it again if the org's mapping changes before you apply"
    )
    return lines
