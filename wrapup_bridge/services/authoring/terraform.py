"""``mapping terraform`` as library code: a reviewed table and the org's catalog in, Terraform files out.

The work is ``core.authoring.terraform`` (what the table needs and the org lacks, rendered as HCL or Terraform's
JSON syntax); here are the table read from its file (as ``mapping check`` reads it, with its alias lines) and the
files written to a directory or one file, refusing to overwrite what is there unless told to. The catalog comes
from ``services.catalog`` (a snapshot file, or the org read now), as for the review commands.

With the outbound mapping (``outbound=``), two more inputs: the org's current outbound wrap-up code mapping, which
the org-wide resource must carry over (``read_outbound_mapping`` reads it now, ``read_outbound_mapping_file`` from
the JSON of ``GET /api/v2/outbound/wrapupcodemappings`` or an ``outbound plan`` file, whose hash is checked), and
the legacy dispositions listing, found as ``outbound plan`` finds it (``services.outbound.plan.catalog_path``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from wrapup_bridge.core.authoring.terraform import (
    OutboundInputs,
    TerraformPlan,
    find_division,
    plan_terraform,
    render_hcl,
    render_json,
)
from wrapup_bridge.core.authoring.terraform_outbound import OutboundTerraformError
from wrapup_bridge.core.clock import utc_now
from wrapup_bridge.core.errors import WrapupBridgeError
from wrapup_bridge.core.files import replace_atomically
from wrapup_bridge.core.outbound.desired import Finding, FindingKind, desired_mapping
from wrapup_bridge.core.outbound.diff import CurrentMapping
from wrapup_bridge.core.review.orgview import OrgCatalog
from wrapup_bridge.core.review.source import ReviewedTable, load_reviewed

if TYPE_CHECKING:
    from wrapup_bridge.services.target import Connection

__all__ = [
    "OrgOutboundMapping",
    "OutboundMappingFileError",
    "OutboundTerraformError",
    "Syntax",
    "TerraformOutput",
    "build_terraform",
    "find_division",
    "is_single_file",
    "outbound_inputs",
    "output_paths",
    "read_outbound_mapping",
    "read_outbound_mapping_file",
    "write_terraform",
]

Syntax = Literal["hcl", "json"]
_SUFFIX = {"hcl": ".tf", "json": ".tf.json"}


@dataclass(frozen=True)
class TerraformOutput:
    plan: TerraformPlan
    #: File name -> text: ``main.tf`` (one file) or the files of a directory.
    files: dict[str, str]
    syntax: Syntax


class OutboundMappingFileError(WrapupBridgeError, ValueError):
    """A file given as the org's outbound mapping cannot be read as one; the message names the file and the line or
    field."""


@dataclass(frozen=True)
class OrgOutboundMapping:
    """The org's outbound wrap-up code mapping as read, and where from (in words, for the output's header)."""

    current: CurrentMapping
    source: str


async def read_outbound_mapping(connection: Connection) -> OrgOutboundMapping:
    """The org's mapping read now (``GET /api/v2/outbound/wrapupcodemappings``; ``GenesysError`` as it comes, e.g.
    a missing ``outbound:wrapUpCodeMapping:view``)."""
    from wrapup_bridge.genesys.outbound import read_mapping

    current = await read_mapping(connection.client)
    when = utc_now().isoformat(timespec="seconds").replace("+00:00", "Z")
    return OrgOutboundMapping(current, f"{connection.description}, read {when}")


def read_outbound_mapping_file(path: str | Path) -> OrgOutboundMapping:
    """The org's mapping from a file: the JSON ``GET /api/v2/outbound/wrapupcodemappings`` answers (it must hold
    ``version``, which the provider reads from that answer, and ``defaultSet`` or ``mapping``), or an ``outbound
    plan`` file (its ``current``, once its hash is checked). ``OutboundMappingFileError`` names the file and what is
    wrong: unreadable, not JSON (with the line), another kind of file, a field of the wrong shape."""
    from wrapup_bridge.core.limits import loads_json
    from wrapup_bridge.core.replay.plan import PlanError
    from wrapup_bridge.services.outbound.plan import PLAN_KIND, read_plan

    name = str(path)
    what = "the org's outbound mapping"
    try:
        data: Any = loads_json(Path(path).read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise OutboundMappingFileError(f"{what} {name!r} is not text (byte {exc.start} is not UTF-8)") from None
    except OSError as exc:
        raise OutboundMappingFileError(f"cannot read {what} {name!r}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise OutboundMappingFileError(f"{what} {name!r} is not JSON: line {exc.lineno}: {exc.msg}") from None
    expected = "give the JSON of GET /api/v2/outbound/wrapupcodemappings, or an `outbound plan` file"
    if not isinstance(data, dict):
        raise OutboundMappingFileError(f"{what} {name!r} is not a JSON object: {expected}")
    if data.get("kind") == PLAN_KIND:
        try:
            plan = read_plan(path)
        except PlanError as exc:
            raise OutboundMappingFileError(str(exc)) from None
        source = f"outbound plan {name} ({plan.target_description}, read {plan.read_at})"
        return OrgOutboundMapping(plan.current_mapping, source)
    if "kind" in data or "wrapupCodes" in data:
        kind = data.get("kind") or "catalog export"
        raise OutboundMappingFileError(f"{what} {name!r} is a {kind!r} file: {expected}")
    missing = [] if "version" in data else ["version"]
    if "defaultSet" not in data and "mapping" not in data:
        missing.append("defaultSet or mapping")
    if missing:
        raise OutboundMappingFileError(f"{what} {name!r} has no field {' and no field '.join(missing)}: {expected}")
    try:
        current = CurrentMapping.from_json(data)
    except ValueError as exc:
        raise OutboundMappingFileError(f"{what} {name!r}: {exc}") from None
    modified = data.get("dateModified")
    return OrgOutboundMapping(current, name + (f" (dateModified {modified})" if isinstance(modified, str) else ""))


def outbound_inputs(
    reviewed: ReviewedTable, org_mapping: OrgOutboundMapping, dispositions: str | None = None
) -> OutboundInputs:
    """What the outbound resource is made from: the table's ``outbound:`` section (``OutboundTerraformError`` when it
    has none), its rules and the legacy dispositions listing (``dispositions``, else the table's
    ``outbound.catalog``, else ``source.catalog``; the adapter's error, naming the file and entry, when it does not
    read), over the org's mapping."""
    from wrapup_bridge.services.outbound.catalog import read_legacy_catalog
    from wrapup_bridge.services.outbound.plan import catalog_path

    table = reviewed.table
    if table.document.outbound is None:
        raise OutboundTerraformError(
            f"{table.name}: the table has no outbound: section, so there is no outbound mapping to write (see "
            "docs/reference-outbound.md); leave out --outbound"
        )
    path = catalog_path(table, dispositions)
    legacy = read_legacy_catalog(path, table.source.platform) if path else []
    findings = []
    if path is None:
        findings.append(
            Finding(
                FindingKind.NO_FLAGS,
                "no legacy catalog (outbound.catalog, source.catalog or --dispositions): only outbound.codes decide; "
                "the redial meaning of each legacy disposition type is not carried",
            )
        )
    return OutboundInputs(desired_mapping(table, legacy), org_mapping.current, org_mapping.source, tuple(findings))


def build_terraform(
    table_path: str | Path,
    catalog: OrgCatalog,
    *,
    division: tuple[str, str | None] | None = None,
    syntax: Syntax = "hcl",
    split: bool = False,
    outbound: OrgOutboundMapping | None = None,
    dispositions: str | None = None,
) -> TerraformOutput:
    """The Terraform for what ``table_path`` needs and ``catalog``'s org lacks (``MappingTableError`` when the table
    does not load). ``division``: from ``find_division``; ``split``: a file each for a directory, else one.

    ``outbound``: also the org-wide outbound mapping resource, over this org mapping (``outbound_inputs``, with
    ``dispositions``); ``OutboundTerraformError`` or the legacy listing's ``AdapterError`` when it cannot be made."""
    reviewed = load_reviewed(table_path)
    inputs = outbound_inputs(reviewed, outbound, dispositions) if outbound is not None else None
    plan = plan_terraform(reviewed, catalog, division=division, outbound=inputs)
    render = render_json if syntax == "json" else render_hcl
    return TerraformOutput(plan, render(plan, split=split), syntax)


def is_single_file(out: Path, syntax: Syntax) -> bool:
    """Whether ``out`` names one file (``*.tf`` for HCL, ``*.tf.json`` for JSON, not a directory) or a directory."""
    return not out.is_dir() and out.name.endswith(_SUFFIX[syntax])


def output_paths(out: Path, output: TerraformOutput) -> dict[Path, str]:
    """Where each file of ``output`` goes for ``--out``: the one file itself, or the files inside the directory."""
    if is_single_file(out, output.syntax):
        (text,) = output.files.values()
        return {out: text}
    return {out / name: text for name, text in output.files.items()}


def write_terraform(paths: dict[Path, str], *, force: bool = False) -> list[Path]:
    """Write each file (creating its directory), each whole or not at all (a temporary file renamed into place).
    ``FileExistsError`` names the files that exist, before any is written, unless ``force``."""
    if not force:
        existing = [str(p) for p in paths if p.exists()]
        if existing:
            raise FileExistsError(f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}")
    written = []
    for path, text in paths.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(path, text.encode("utf-8"))
        written.append(path)
    return written
