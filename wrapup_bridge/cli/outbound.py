"""``wrapup-bridge outbound plan|apply``: the org's outbound wrap-up code mapping, set from the table, diff first.

The work is ``services.outbound`` (``make_plan``, ``apply_plan``); this module adds the options, prints the diff and
the findings for people (or JSON), and turns failures into one explained line and an exit code: 0 all good, 1
problems found (conflicts left out of a plan, a write the read-back does not show, a PUT Genesys refused), 2 usage
or set-up (a broken table or catalog, a plan edited or made for another target, a stale plan, a permission missing,
a target that does not answer).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from wrapup_bridge.cli._common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, fail_setup, load_or_exit, stderr
from wrapup_bridge.cli._genesys import connect, genesys_exit_code, target_options

if TYPE_CHECKING:
    from wrapup_bridge.core.outbound.desired import Finding
    from wrapup_bridge.services.outbound.apply import ApplyResult
    from wrapup_bridge.services.outbound.plan import OutboundPlan

__all__ = ["outbound"]

DEFAULT_PLAN = "outbound.plan.json"


@contextmanager
def _explained() -> Iterator[None]:
    """Failures as this command says them: Genesys's answer with its likely cause (``explain_outbound_error``), a
    stale plan with what moved, an unusable plan, table catalog or file in one ``Error:`` line."""
    from wrapup_bridge.adapters.base import AdapterError
    from wrapup_bridge.core.replay.plan import PlanError
    from wrapup_bridge.genesys.errors import GenesysError
    from wrapup_bridge.genesys.outbound import explain_outbound_error
    from wrapup_bridge.services.replay.errors import StalePlan, WrongTarget

    try:
        yield
    except StalePlan as exc:
        for reason in exc.reasons:
            stderr(f"stale plan: {reason}")
        stderr("refusing to apply a stale plan: nothing was written")
        sys.exit(EXIT_USAGE)
    except GenesysError as exc:
        stderr(f"Error: {explain_outbound_error(exc)}")
        sys.exit(genesys_exit_code(exc))
    except (PlanError, WrongTarget, AdapterError) as exc:
        fail_setup(str(exc))
    except OSError as exc:
        fail_setup(f"{getattr(exc, 'filename', None) or 'a file'}: {exc.strerror or exc}")


@click.group()
def outbound() -> None:
    """The org's outbound wrap-up code mapping (which codes end a contact or a number for the dialer), set from the
    mapping table's outbound: section: plan (read and diff), review, apply (write once, read back).

    Exit codes: 0 all good; 1 problems found (conflicting dispositions left out of the plan, a write the read-back
    does not show, a mapping Genesys refused); 2 usage or set-up (a broken table or catalog, a plan edited or made
    for another target, the org's mapping changed since planning, a permission missing, no answer)."""


@outbound.command("plan")
@click.argument("table", type=click.Path(dir_okay=False))
@click.option(
    "--catalog",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="The legacy dispositions listing (Five9 getDispositions as YAML/JSON, CXone skill dispositions); default: "
    "the table's outbound.catalog, else source.catalog.",
)
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_PLAN,
    show_default=True,
    help="Plan file to write.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the plan's summary as JSON.")
@target_options
def plan_command(table: str, catalog: str | None, out: Path, as_json: bool, target: str, org: Path | None) -> None:
    """Read the org's mapping, work out what TABLE asks (its outbound: section, its rules and the legacy catalog),
    and write the diff to a plan file for review. Writes nothing to the org. Exit 1 when dispositions reaching one
    code disagree (those codes are left out until outbound.codes settles them)."""
    from wrapup_bridge.services.outbound.plan import make_plan, write_plan

    loaded = load_or_exit(table)

    async def run() -> OutboundPlan:
        async with connect(target, org) as connection:
            return await make_plan(connection, loaded, catalog=catalog)

    with _explained():
        plan = asyncio.run(run())
        write_plan(plan, out)
    if as_json:
        click.echo(json.dumps(_plan_json(plan, out), indent=2, ensure_ascii=False))
    else:
        _print_plan(plan, out)
    sys.exit(EXIT_PROBLEMS if plan.conflicts else EXIT_OK)


@outbound.command("apply")
@click.argument("plan_file", metavar="PLAN", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Preflight and show what would be written; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@target_options
def apply_command(plan_file: Path, dry_run: bool, as_json: bool, target: str, org: Path | None) -> None:
    """Write a reviewed PLAN: read the org's mapping again (if it moved since planning, refuse: re-run plan), show
    the changes left, PUT the whole object once, read it back and check every change; recorded beside the plan
    (PLAN's name with .applied.jsonl). A plan already applied writes nothing."""
    from wrapup_bridge.services.outbound.apply import apply_plan

    in_process: list[bool] = []

    async def run() -> ApplyResult:
        async with connect(target, org) as connection:
            in_process.append(connection.is_emulator)
            return await apply_plan(connection, plan_file, dry_run=dry_run)

    with _explained():
        result = asyncio.run(run())
    if any(in_process) and result.writes:
        stderr(
            "note: the in-process emulator starts from its org file in every command, so this write is gone when the "
            "command ends; serve it (`wrapup-bridge emulator`) and point GENESYSCLOUD_API_BASE at it to keep state"
        )
    if as_json:
        data = result.to_json()
        if dry_run:
            data["body"] = result.body
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        _print_result(result, plan_file)
    sys.exit(EXIT_PROBLEMS if result.problems and result.outcome == "not-verified" else EXIT_OK)


# ------------------------------------------------------------------------------------------------- printing
def _plan_json(plan: OutboundPlan, out: Path) -> dict[str, Any]:
    return {
        "plan": str(out),
        "plan_hash": plan.plan_hash,
        "target": plan.target_description,
        "version": plan.version,
        "changes": [change.to_json() for change in plan.diff.changes],
        "default_set": None if plan.diff.default_set is None else plan.diff.default_set.to_json(),
        "unchanged": list(plan.diff.unchanged),
        "findings": [finding.to_json() for finding in plan.findings],
        "conflicts": len(plan.conflicts),
    }


def _print_plan(plan: OutboundPlan, out: Path) -> None:
    current = plan.current_mapping
    click.echo(f"Outbound wrap-up code mapping of {plan.target_description}")
    click.echo(
        f"  read at version {plan.version} ({plan.read_at}); table {plan.table}; catalog {plan.catalog or 'none'}"
    )
    click.echo("")
    diff = plan.diff
    if diff.empty:
        click.echo("No changes: the org's mapping already says what the table asks.")
    else:
        count = len(diff.changes) + (diff.default_set is not None)
        click.echo(f"Changes ({count}):")
        for change in diff.changes:
            click.echo(f"  {change.describe()}")
            if change.why:
                click.echo(f"      why: {change.why}")
        if diff.default_set is not None:
            click.echo(f"  {diff.default_set.describe()}  (outbound.default_set)")
    if diff.unchanged:
        names = {entry.get("code_id"): entry.get("code_name") for entry in plan.desired}
        click.echo(f"Already right: {', '.join(str(names.get(code_id, code_id)) for code_id in diff.unchanged)}.")
    if diff.default_set is None:
        shown = " + ".join(current.default_set) or "(no flags)"
        click.echo(f"defaultSet: {shown}, left as it is (the table does not set outbound.default_set).")
    _print_findings(plan.findings)
    click.echo("")
    click.echo(f"Plan written to {out} (version {plan.version}, hash {plan.plan_hash[:12]}).")
    if plan.conflicts:
        click.echo(
            f"{len(plan.conflicts)} code(s) left out for conflicting dispositions: settle them in outbound.codes."
        )
    if not diff.empty:
        click.echo(f"Review it, then: wrapup-bridge outbound apply {out}")


def _print_findings(findings: tuple[Finding, ...]) -> None:
    if not findings:
        return
    click.echo("")
    click.echo(f"Findings ({len(findings)}):")
    order = {"error": 0, "warning": 1, "info": 2}
    for finding in sorted(findings, key=lambda f: order[f.severity]):
        click.echo(f"  {finding.severity:<7}  {finding.message}")


def _print_result(result: ApplyResult, plan_file: Path) -> None:
    plan = result.plan
    click.echo(f"Outbound wrap-up code mapping of {plan.target_description}: plan {plan_file} (version {plan.version})")
    if result.outcome == "nothing-to-change":
        click.echo(
            f"Nothing to change: the org (version {result.version_before}) already holds every change of this plan. "
            "0 writes."
        )
        return
    for line in result.changes.describe():
        click.echo(f"  {line}")
    if result.outcome == "dry-run":
        click.echo(f"Dry run: nothing written; one PUT at version {result.version_before} would make these changes.")
        return
    for problem in result.problems:
        stderr(f"problem: {problem}")
    verdict = "every change reads back as written" if result.outcome == "applied" else "the read-back differs"
    click.echo(
        f"Applied: {result.writes} PUT, version {result.version_before} -> {result.version_after}; {verdict}. "
        f"Recorded in {result.record}."
    )
