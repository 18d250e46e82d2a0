"""The ids ``terraform apply`` gave the codes ``mapping terraform`` created, read from what ``terraform output -json``
prints, so ``mapping sync`` can put them into the table without going back to the org.

``mapping terraform`` declares one output, ``IDS_OUTPUT``: an object of each new code's name -> the id of its
``genesyscloud_routing_wrapupcode`` resource, which is the code's UUID (docs/reference-terraform.md §2). Terraform
prints outputs in two shapes (hashicorp/terraform ``internal/command/views/output.go``, ``OutputJSON``; the stable,
documented format for scripts: ``website/docs/cli/commands/output.mdx``):

- ``terraform output -json``: every root output by name, each ``{"sensitive": bool, "type": <type>, "value": <value>}``
  (a "historical accident" Terraform keeps for compatibility); ours has type ``["object", {name: "string", ...}]``.
- ``terraform output -json NAME``: that output's value alone, here the object of names to ids.

Both are accepted, told apart by what the document holds: every output is an object, while the object of names to
ids holds none. Anything else is refused with the file, the line and what is wrong: JSON that does not read, no
output of that name (``terraform output -json`` prints ``{}`` before the first apply), a value that is not an object
of names to ids, a name given twice, an id that is not a UUID or is given for two names. A value marked sensitive
is read all the same: Terraform prints it in plain text with ``-json``, and an id is no secret.

No I/O here: the bytes come from ``services.authoring.sync`` (a file or stdin). Errors are ``ValueError`` with the
whole message; the service raises them again as the error of a file ids are looked up in.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from wrapup_bridge.core.authoring.terraform import IDS_OUTPUT
from wrapup_bridge.core.disposition import is_genesys_id
from wrapup_bridge.core.limits import JsonNestingError, loads_json
from wrapup_bridge.core.review.orgview import CatalogCode, OrgCatalog

__all__ = ["OutputCode", "TerraformIds", "parse_terraform_output"]

_SPACE = re.compile(r"[ \t\n\r]*")  # JSON's whitespace (RFC 8259 §2)
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class OutputCode:
    """One entry of the output: a code's name as Terraform printed it, its id, and the line it is on."""

    name: str
    id: str
    line: int


@dataclass(frozen=True)
class TerraformIds:
    """The codes of one ``terraform output -json`` document: where from (``file``, and ``output``, the output's name
    when the whole document was given, None for one output's value), its sha256, and the codes."""

    file: str
    output: str | None
    sha256: str
    codes: tuple[OutputCode, ...]

    @property
    def source(self) -> str:
        """The document as messages name it: ``Terraform output tf-out.json (wrapup_bridge_new_code_ids)``."""
        return f"Terraform output {self.file}" + (f" ({self.output})" if self.output else "")

    @property
    def fingerprint(self) -> str:
        return f"sha256:{self.sha256}"

    def catalog(self) -> OrgCatalog:
        """The codes as an org catalog (no divisions, no queues), so names are matched as against the org's."""
        return OrgCatalog.build(
            (CatalogCode(c.id, c.name) for c in self.codes), (), source=self.source, fingerprint=self.fingerprint
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "output": self.output,
            "sha256": self.sha256,
            "codes": [{"name": c.name, "id": c.id, "line": c.line} for c in self.codes],
        }


@dataclass(frozen=True)
class _Member:
    """One ``"key": value`` of a JSON object, with where the key and the value start in the text."""

    key: str
    key_at: int
    value: Any
    value_at: int


def parse_terraform_output(data: bytes, *, name: str, output: str = IDS_OUTPUT) -> TerraformIds:
    """The codes in ``data`` (named ``name`` in messages): what ``terraform output -json`` or
    ``terraform output -json <output>`` printed. ``ValueError`` naming ``name``, the line and what is wrong."""
    text = _decode(data, name)
    if not text.strip():
        raise ValueError(f"{name}: empty, not what `terraform output -json` prints (at least {{}})")
    try:
        document = loads_json(text)
    except json.JSONDecodeError as exc:
        if isinstance(exc, JsonNestingError):  # its position points nowhere
            raise ValueError(f"{name}: {exc.msg}") from None
        human = " (without -json, `terraform output` prints text for people)" if text.lstrip()[:1].isalpha() else ""
        raise ValueError(
            f"{name}:{exc.lineno}: not JSON ({exc.msg} at column {exc.colno}): give what `terraform output -json` "
            f"prints{human}"
        ) from None
    start = _SPACE.match(text, 0)
    assert start is not None
    at = start.end()
    if not isinstance(document, dict):
        raise ValueError(
            f"{name}:{_line(text, at)}: {_kind(document)}, not what `terraform output -json` prints (a JSON object: "
            f"the outputs by name, or the value of one output, such as {output})"
        )
    members = _members(text, at)
    if document and output not in document and not any(isinstance(v, dict) for v in document.values()):
        return TerraformIds(name, None, hashlib.sha256(data).hexdigest(), _codes(text, members, name, None))
    found = [m for m in members if m.key == output]
    if not found:
        raise ValueError(_no_such_output(name, output, members))
    meta = found[-1]
    if len(found) > 1:
        lines = " and ".join(str(_line(text, m.key_at)) for m in found)
        raise ValueError(f"{name}:{_line(text, meta.key_at)}: output {output} is given twice (lines {lines})")
    if not isinstance(meta.value, dict) or "value" not in meta.value:
        raise ValueError(
            f"{name}:{_line(text, meta.value_at)}: output {output} is {_kind(meta.value)}, not an output as "
            '`terraform output -json` prints one ({"sensitive": ..., "type": ..., "value": ...})'
        )
    value = [m for m in _members(text, meta.value_at) if m.key == "value"][-1]  # the one json.loads kept
    if not isinstance(value.value, dict):
        raise ValueError(
            f"{name}:{_line(text, value.value_at)}: the value of output {output} is {_kind(value.value)}, not an "
            "object of code names to ids (is it the output `wrapup-bridge mapping terraform` wrote?)"
        )
    codes = _codes(text, _members(text, value.value_at), name, output)
    return TerraformIds(name, output, hashlib.sha256(data).hexdigest(), codes)


def _decode(data: bytes, name: str) -> str:
    """The text of ``data``: UTF-8 (with or without a byte order mark), or UTF-16/32 as JSON's own detection finds
    it: in Windows PowerShell 5.1, ``terraform output -json > ids.json`` is ``Out-File``, which writes UTF-16LE with
    a byte order mark (Microsoft's Out-File and about_Character_Encoding pages)."""
    encoding = json.detect_encoding(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValueError(f"{name}:{line}: byte {exc.start} is not {encoding}: not what Terraform prints") from None
    return text.removeprefix("\ufeff")


def _codes(text: str, members: list[_Member], name: str, output: str | None) -> tuple[OutputCode, ...]:
    """The entries of the object of code names to ids (``members``); every entry that is wrong is reported."""
    where = f"output {output}: " if output else ""
    problems: list[str] = []
    seen: dict[str, int] = {}
    ids: dict[str, OutputCode] = {}
    codes: list[OutputCode] = []
    for member in members:
        line = _line(text, member.key_at)
        if member.key in seen:
            problems.append(
                f"{name}:{line}: {where}{member.key!r} is given twice (lines {seen[member.key]} and {line})"
            )
            continue
        seen[member.key] = line
        if not member.key.strip():
            problems.append(f"{name}:{line}: {where}an entry has a blank name")
        elif not isinstance(member.value, str):
            problems.append(f"{name}:{line}: {where}{member.key!r} is {_kind(member.value)}, not a code id (a UUID)")
        elif not is_genesys_id(member.value.strip()):
            problems.append(f"{name}:{line}: {where}{member.key!r} is {_short(member.value)}, not a code id (a UUID)")
        elif member.value.strip().lower() in ids:  # one resource, one id: two names for it is a broken document
            other = ids[member.value.strip().lower()]
            problems.append(
                f"{name}:{line}: {where}{member.key!r} has the id of {other.name!r} (line {other.line}): "
                f"{member.value.strip()}; each code has its own"
            )
        else:
            codes.append(OutputCode(member.key, member.value.strip(), line))
            ids[codes[-1].id.lower()] = codes[-1]
    if problems:
        raise ValueError("\n".join(problems))
    return tuple(codes)


def _no_such_output(name: str, output: str, members: list[_Member]) -> str:
    if not members:
        return (
            f"{name}: no outputs at all (`terraform output -json` prints {{}} before `terraform apply` has run): "
            f"no output {output} to read the ids from"
        )
    listed = ", ".join(sorted(m.key for m in members)[:10]) + (", ..." if len(members) > 10 else "")
    return (
        f"{name}: no output {output} (its outputs: {listed}); give `terraform output -json` of the configuration "
        "`wrapup-bridge mapping terraform` wrote, or the value of the output: `terraform output -json NAME`"
    )


def _members(text: str, at: int) -> list[_Member]:
    """The members of the JSON object starting at ``text[at]``, in order and with duplicates (``json.loads`` keeps
    only the last of a key given twice). ``text`` has been read as JSON already, so it is well formed here."""
    members: list[_Member] = []
    index = _skip(text, at + 1)
    if text[index] == "}":
        return members
    while True:
        key, end = _DECODER.raw_decode(text, index)
        value_at = _skip(text, _skip(text, end) + 1)  # past the colon
        value, end = _DECODER.raw_decode(text, value_at)
        members.append(_Member(key, index, value, value_at))
        index = _skip(text, end)
        if text[index] == "}":
            return members
        index = _skip(text, index + 1)  # past the comma


def _skip(text: str, index: int) -> int:
    match = _SPACE.match(text, index)
    assert match is not None  # the pattern matches the empty string
    return match.end()


def _line(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, str):
        return f"a string ({_short(value)})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _short(text: str, limit: int = 60) -> str:
    """``text`` quoted for a message, cut to ``limit`` characters (a document may hold anything)."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"... ({len(text)} characters)"
