"""``mapping sync``: fill or repair the ``id:`` of each code under a table's ``codes:`` from the org, by name.

After ``terraform apply`` creates codes (``mapping terraform``), or when a table written against one org (a sandbox)
moves to another, the names in the table are right and the ids are not. The org's catalog knows each code's id by
its name, so the ids can be written back without anyone copying UUIDs by hand.

The table is a reviewed document: its comments, order, quoting and layout are what reviewers read and diff. So the
file is never re-serialised: each id's exact position is found in the text (the YAML nodes' marks) and only that
text is replaced (or, for an alias without ``id:``, an ``id:`` entry is inserted in the alias's own style), and the
result is read again and compared with the original, which must differ in those ids and nothing else. A table
whose ids do not load (blank, placeholder) can be synced: only the YAML must read.

A name the org does not have is not filled, nor is a name two of the org's codes share (same name after
normalization, in different divisions), unless the table's id is already one of them: the table keeps its id and
the alias is reported, with the candidates. ``SyncResult.diff`` shows what would change, as a unified diff.

The ids may also come from ``terraform output -json`` (``core.authoring.tfoutput``): the ids ``terraform apply``
gave the codes ``mapping terraform`` created, without reading the org again. That output names only the new codes,
so it is read alone (every other name is reported missing, as the org's catalog would report it) or on top of the
org's catalog (a snapshot taken before the apply lacks the new codes; the output adds them). Names are matched the
same way in both, and a name that both give under different ids is ambiguous, like a name two of the org's codes
share. For an id both know, the org's name and division are the ones used: the org is never older than the apply.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

import yaml

from wrapup_bridge.core.authoring.tfoutput import TerraformIds
from wrapup_bridge.core.mapping.errors import MappingProblem, MappingTableError
from wrapup_bridge.core.mapping.yamlsource import load_located_yaml
from wrapup_bridge.core.normalize import normalize_text
from wrapup_bridge.core.review.orgview import CatalogCode, OrgCatalog

__all__ = ["IdChange", "NotFilled", "SyncResult", "describe_change", "sync_ids"]


@dataclass(frozen=True)
class IdChange:
    """One alias whose ``id:`` is (to be) written: from ``old`` (as the table had it; None when it had none, or a
    blank or null one) to the id of the org's code of that name."""

    alias: str
    name: str
    line: int
    old: str | None
    new: str
    division: str | None
    #: Set when the org spells the name differently (case, spacing, quotes): the table's name is left as it is.
    org_name: str | None = None
    #: The id is one the Terraform output gave (the org's catalog, if read, does not have it).
    from_output: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "alias": self.alias,
            "name": self.name,
            "line": self.line,
            "old": self.old,
            "new": self.new,
            "division": self.division,
            "org_name": self.org_name,
            "from_output": self.from_output,
        }


@dataclass(frozen=True)
class NotFilled:
    """An alias whose id could not be filled: ``kind`` is ``missing`` (no code of that name), ``ambiguous`` (several,
    none of them the table's id) or ``unwritable`` (no name, or an ``id:`` written in a form sync does not edit)."""

    alias: str
    name: str | None
    line: int
    kind: str
    message: str
    candidates: tuple[CatalogCode, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "alias": self.alias,
            "name": self.name,
            "line": self.line,
            "kind": self.kind,
            "message": self.message,
            "candidates": [
                {"id": c.id, "name": c.name, "division_id": c.division_id, "division_name": c.division_name}
                for c in self.candidates
            ],
        }


@dataclass(frozen=True)
class SyncResult:
    table: str
    #: Where the ids were looked up: the org's catalog, the Terraform output, or both.
    catalog: str
    #: The catalog's fingerprint; the Terraform output's sha256 when it was read alone.
    fingerprint: str
    old_text: str
    new_text: str
    changes: tuple[IdChange, ...]
    not_filled: tuple[NotFilled, ...]
    #: Aliases whose id is already the org's.
    unchanged: tuple[str, ...] = ()
    #: The Terraform output the ids were (also) read from.
    terraform_output: TerraformIds | None = None
    #: Names in the Terraform output that no alias of the table has (the output of another table?).
    unused_output: tuple[str, ...] = ()
    #: Where the ids came from, in words (the diff's label).
    origin: str = "the org"

    @property
    def changed(self) -> bool:
        return self.new_text != self.old_text

    @property
    def complete(self) -> bool:
        """Every alias has the org's id (after writing ``new_text``)."""
        return not self.not_filled

    def diff(self) -> str:
        """The change as a unified diff (empty when nothing changes)."""
        lines = difflib.unified_diff(
            self.old_text.splitlines(keepends=True),
            self.new_text.splitlines(keepends=True),
            fromfile=self.table,
            tofile=f"{self.table} (ids from {self.origin})",
        )
        out = []
        for line in lines:
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
        return "".join(out)

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "catalog": {"source": self.catalog, "fingerprint": self.fingerprint},
            "changed": self.changed,
            "complete": self.complete,
            "changes": [c.to_dict() for c in self.changes],
            "not_filled": [n.to_dict() for n in self.not_filled],
            "unchanged": list(self.unchanged),
            "terraform_output": _output_dict(self.terraform_output, self.unused_output),
            "diff": self.diff(),
        }


def _output_dict(terraform: TerraformIds | None, unused: tuple[str, ...]) -> dict[str, Any] | None:
    if terraform is None:
        return None
    return {**terraform.to_dict(), "unused": list(unused)}


@dataclass(frozen=True)
class _Lookup:
    """Where ids are looked up by name: the org's catalog, the Terraform output's codes, or the two together (one
    catalog, the output's codes added), and how messages say so."""

    catalog: OrgCatalog
    #: Ids (lower case) only the Terraform output gave.
    from_output: frozenset[str]
    org: bool
    output: bool

    @classmethod
    def of(cls, catalog: OrgCatalog | None, terraform: TerraformIds | None) -> _Lookup:
        if terraform is None:
            if catalog is None:
                raise ValueError("sync needs the org's catalog, a Terraform output, or both")
            return cls(catalog, frozenset(), org=True, output=False)
        if catalog is None:
            return cls(terraform.catalog(), frozenset(c.id.lower() for c in terraform.codes), org=False, output=True)
        added = [CatalogCode(c.id, c.name) for c in terraform.codes if catalog.code(c.id) is None]
        merged = OrgCatalog.build(
            [*catalog.codes.values(), *added],
            catalog.queues,
            source=f"{catalog.source} and the {terraform.source}",
            fingerprint=catalog.fingerprint,
            exported_at=catalog.exported_at,
        )
        return cls(merged, frozenset(c.id.lower() for c in added), org=True, output=True)

    @property
    def origin(self) -> str:
        return " and ".join(w for w, given in (("the org", self.org), ("the Terraform output", self.output)) if given)

    def holders(self, codes: list[CatalogCode]) -> str:
        """Who has ``codes``, as the subject of a sentence: ``the org has``, ``the org and the Terraform output have``."""
        output = sum(c.id.lower() in self.from_output for c in codes)
        if output == len(codes):
            return "the Terraform output has"
        return "the org and the Terraform output have" if output else "the org has"

    def where(self, code: CatalogCode) -> str:
        """A candidate as an ambiguous name lists it: its id and division, or its spelling in the output."""
        if code.id.lower() in self.from_output:
            return f"{code.id} ({code.name!r}) from the Terraform output"
        return f"{code.id} in division {code.division or 'unknown'}"


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    text: str


@dataclass
class _Work:
    name: str
    text: str
    newline: str
    edits: list[_Edit] = field(default_factory=list)
    changes: list[IdChange] = field(default_factory=list)
    not_filled: list[NotFilled] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    #: alias -> the id the edited text must hold (for the check after editing).
    expected: dict[str, str] = field(default_factory=dict)


def _problem(name: str, line: int, message: str, path: str = "codes") -> MappingTableError:
    return MappingTableError([MappingProblem(name, line, path, message)])


def sync_ids(text: str, catalog: OrgCatalog | None, *, name: str, terraform: TerraformIds | None = None) -> SyncResult:
    """The table ``text`` (named ``name`` in messages) with each code's ``id:`` set to the id of the org's code of
    its ``name:`` (from ``catalog``, from the ``terraform`` output's codes, or both: at least one), and what was and
    was not filled. Raises ``MappingTableError`` when the YAML does not read, has no ``codes:`` mapping, or cannot
    be edited without changing more than the ids (nothing is changed then)."""
    lookup = _Lookup.of(catalog, terraform)
    located = load_located_yaml(text)
    if located.problems:
        raise MappingTableError(
            [MappingProblem(name, p.line, ".".join(str(s) for s in p.path), p.message) for p in located.problems]
        )
    document = located.value
    codes = document.get("codes") if isinstance(document, dict) else None
    if not isinstance(codes, dict):
        raise _problem(name, located.line_of(("codes",)), "the table has no codes: mapping (alias: {id, name})")
    root = yaml.compose(text, Loader=yaml.SafeLoader)  # PyYAML's own parser: marks count characters of ``text``
    codes_node = _child(root, "codes")
    assert isinstance(codes_node, yaml.MappingNode)  # the plain reading above found a mapping there
    work = _Work(name, text, "\r\n" if "\r\n" in text else "\n")
    for key_node, value_node in codes_node.value:
        alias = str(key_node.value)
        _sync_alias(work, alias, value_node, codes.get(alias), lookup, key_node.start_mark.line + 1)
    new_text = text
    for edit in sorted(work.edits, key=lambda e: e.start, reverse=True):
        new_text = new_text[: edit.start] + edit.text + new_text[edit.end :]
    if new_text != text:
        _check_only_ids_changed(document, new_text, work)
    return SyncResult(
        table=name,
        catalog=lookup.catalog.source,
        fingerprint=lookup.catalog.fingerprint,
        old_text=text,
        new_text=new_text,
        changes=tuple(work.changes),
        not_filled=tuple(work.not_filled),
        unchanged=tuple(work.unchanged),
        terraform_output=terraform,
        unused_output=_unused(terraform, codes),
        origin=lookup.origin,
    )


def _unused(terraform: TerraformIds | None, codes: dict[Any, Any]) -> tuple[str, ...]:
    """The output's names that no alias's ``name:`` matches (after normalization)."""
    if terraform is None:
        return ()
    names = {
        normalize_text(v["name"]) for v in codes.values() if isinstance(v, dict) and isinstance(v.get("name"), str)
    }
    return tuple(c.name for c in terraform.codes if normalize_text(c.name) not in names)


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key and isinstance(value_node, yaml.Node):
            return value_node
    return None


def _sync_alias(work: _Work, alias: str, node: yaml.Node, value: Any, lookup: _Lookup, line: int) -> None:
    catalog = lookup.catalog
    name = value.get("name") if isinstance(value, dict) else None
    if not isinstance(node, yaml.MappingNode) or not isinstance(name, str) or not name.strip():
        work.not_filled.append(
            NotFilled(alias, None, line, "unwritable", f"code alias {alias!r} has no name: to look its id up by")
        )
        return
    written = value.get("id")
    current = written.strip() if isinstance(written, str) and written.strip() else None
    candidates = catalog.codes_named(name)
    if current and any(c.id.lower() == current.lower() for c in candidates):
        work.unchanged.append(alias)
        return
    if not candidates:
        work.not_filled.append(NotFilled(alias, name, line, "missing", _missing_message(alias, name, current, lookup)))
        return
    if len(candidates) > 1:
        listed = "; ".join(lookup.where(c) for c in candidates)
        have = lookup.holders(candidates)
        work.not_filled.append(
            NotFilled(
                alias,
                name,
                line,
                "ambiguous",
                f"code alias {alias!r}: {have} {len(candidates)} codes named {name!r} ({listed}): not filled; "
                "write the id of the one meant",
                tuple(candidates),
            )
        )
        return
    code = candidates[0]
    edit, refusal = _id_edit(work, node, code.id)
    if edit is None:
        work.not_filled.append(
            NotFilled(alias, name, line, "unwritable", f"code alias {alias!r}: {refusal}; its id is {code.id}")
        )
        return
    work.edits.append(edit)
    work.expected[alias] = code.id
    org_name = code.name if code.name != name else None
    id_node = _child(node, "id")
    id_line = id_node.start_mark.line + 1 if id_node is not None else line
    from_output = code.id.lower() in lookup.from_output
    work.changes.append(IdChange(alias, name, id_line, current, code.id, code.division, org_name, from_output))


def _missing_message(alias: str, name: str, current: str | None, lookup: _Lookup) -> str:
    if lookup.org and lookup.output:
        where = "neither the org nor the Terraform output has a"
    else:
        where = f"{lookup.origin} has no"
    message = f"code alias {alias!r}: {where} code named {name!r}: not filled"
    renamed = lookup.catalog.code(current) if current else None
    if renamed is not None:
        whose = "the Terraform output's" if renamed.id.lower() in lookup.from_output else "the org's"
        return f"{message} (its id {renamed.id} is {whose} {renamed.name!r}: renamed?)"
    if not lookup.org:
        return f"{message} (it names only the codes `terraform apply` created)"
    return f"{message}; create it (`wrapup-bridge mapping terraform`), then sync again"


def _id_edit(work: _Work, mapping: yaml.MappingNode, new_id: str) -> tuple[_Edit | None, str]:
    """The text edit that makes ``mapping``'s ``id`` ``new_id``, or None and why not."""
    text = work.text
    id_node = _child(mapping, "id")
    if id_node is None:
        return _insert_id(work, mapping, new_id)
    if not isinstance(id_node, yaml.ScalarNode):
        return None, "its id: is not text (a list or mapping): fix it by hand"
    start, end = id_node.start_mark.index, id_node.end_mark.index
    if not (mapping.start_mark.index <= start <= end <= mapping.end_mark.index):
        return None, "its id: is a YAML alias of a value elsewhere: fix it by hand"
    written = text[start:end]
    if id_node.style in ('"', "'") and len(written) >= 2 and written[0] == written[-1] == id_node.style:
        return _Edit(start + 1, end - 1, new_id), ""
    if id_node.style:  # block scalars (| >)
        return None, "its id: is a block scalar: fix it by hand"
    if start == end:  # `id:` with no value: one space, the id, and a space before a comment that follows
        stop = end
        while stop < len(text) and text[stop] in " \t":
            stop += 1
        comment = text[stop : stop + 1] == "#"
        return _Edit(start, stop, " " + new_id + (" " if comment else "")), ""
    if written != id_node.value:  # an anchor or a tag before the value
        return None, "its id: carries a YAML anchor or tag: fix it by hand"
    return _Edit(start, end, new_id), ""


def _insert_id(work: _Work, mapping: yaml.MappingNode, new_id: str) -> tuple[_Edit | None, str]:
    text = work.text
    if mapping.flow_style:  # {name: X} -> {id: <id>, name: X}
        brace = mapping.start_mark.index
        if text[brace : brace + 1] != "{":
            return None, "it has no id: and is written in a way sync does not edit: add `id:` by hand"
        return _Edit(brace + 1, brace + 1, f"id: {new_id}, " if mapping.value else f"id: {new_id}"), ""
    if not mapping.value:
        return None, "it has no id: and no keys: add `id:` by hand"
    first = mapping.value[0][0]
    column = first.start_mark.column
    line_start = first.start_mark.index - column
    if text[line_start : first.start_mark.index].strip(" "):
        return None, "it has no id: and is written in a way sync does not edit: add `id:` by hand"
    return _Edit(line_start, line_start, " " * column + f"id: {new_id}" + work.newline), ""


def _check_only_ids_changed(document: Any, new_text: str, work: _Work) -> None:
    """Read the edited text again: it must hold the same document with only the filled ids changed."""
    after = load_located_yaml(new_text)
    expected = {**document, "codes": dict(document["codes"])}
    for alias, new_id in work.expected.items():
        expected["codes"][alias] = {**document["codes"][alias], "id": new_id}
    if after.problems or after.value != expected:
        raise _problem(
            work.name,
            1,
            "sync could not write the ids without changing something else in the file (nothing was written): "
            "fix the ids by hand",
        )


def describe_change(change: IdChange) -> str:
    """One line for people: ``line 18: payment_taken 'Payment Taken': <old> -> <new> (division Home)``, or ``(from
    the Terraform output)`` for an id only the output gave."""
    old = change.old if change.old else "(none)"
    division = f" (division {change.division})" if change.division else ""
    if change.from_output:
        division = " (from the Terraform output)"
    whose = "the Terraform output" if change.from_output else "the org"
    spelling = f"; {whose} spells it {change.org_name!r}" if change.org_name else ""
    return f"line {change.line}: {change.alias} {change.name!r}: {old} -> {change.new}{division}{spelling}"
