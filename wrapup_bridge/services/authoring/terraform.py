"""``mapping terraform`` as library code: a reviewed table and the org's catalog in, Terraform files out.

The work is ``core.authoring.terraform`` (what the table needs and the org lacks, rendered as HCL or Terraform's
JSON syntax); here are the table read from its file (as ``mapping check`` reads it, with its alias lines) and the
files written to a directory or one file, refusing to overwrite what is there unless told to. The catalog comes
from ``services.catalog`` (a snapshot file, or the org read now), as for the review commands.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from wrapup_bridge.core.authoring.terraform import (
    TerraformPlan,
    find_division,
    plan_terraform,
    render_hcl,
    render_json,
)
from wrapup_bridge.core.files import replace_atomically
from wrapup_bridge.core.review.orgview import OrgCatalog
from wrapup_bridge.core.review.source import load_reviewed

__all__ = [
    "Syntax",
    "TerraformOutput",
    "build_terraform",
    "find_division",
    "is_single_file",
    "output_paths",
    "write_terraform",
]

Syntax = Literal["hcl", "json"]
_SUFFIX = {"hcl": ".tf", "json": ".tf.json"}


@dataclass(frozen=True)
class TerraformOutput:
    plan: TerraformPlan
    #: File name -> text: ``main.tf`` (one file) or the three files of a directory.
    files: dict[str, str]
    syntax: Syntax


def build_terraform(
    table_path: str | Path,
    catalog: OrgCatalog,
    *,
    division: tuple[str, str | None] | None = None,
    syntax: Syntax = "hcl",
    split: bool = False,
) -> TerraformOutput:
    """The Terraform for what ``table_path`` needs and ``catalog``'s org lacks (``MappingTableError`` when the table
    does not load). ``division``: from ``find_division``; ``split``: three files for a directory, else one."""
    plan = plan_terraform(load_reviewed(table_path), catalog, division=division)
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
