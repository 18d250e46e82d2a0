"""The proposals as a mapping table's YAML text, with comments that say what history showed and why.

The text is a valid table (``mapping validate`` loads it, ``mapping check`` reviews it at once) that applies nothing
by itself, and reads like the shipped ones: a header saying where it came from and that it is a proposal, the codes
it uses, one rule per legacy value (most frequent first) preceded by comments giving the value's record count and
share, its raw spellings, and the proposal's confidence and reason. A TODO value is no rule (a rule needs a code or
a skip): it is listed in a commented block at the end of ``rules:``, with the nearest codes and a rule skeleton to
uncomment, and its records meet ``unmapped: {action: dead-letter}`` until a person decides.

Same proposals and context, same bytes: nothing here reads a clock, an environment or an unordered set. Scalars are
written plain only when plainly text in every YAML reader; anything else is double-quoted with escapes, and comments
escape what could end or break a line, so a legacy value can never inject YAML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from wrapup_bridge.core.authoring.propose import HIGH_CONFIDENCE, Proposal, ProposalKind, TalliedValue
from wrapup_bridge.core.normalize import normalize_text
from wrapup_bridge.core.review.orgview import CatalogCode

__all__ = [
    "TODO_HEADER",
    "TableContext",
    "code_aliases",
    "code_line",
    "comment_text",
    "render_table",
    "rule_lines",
    "safe_lines",
    "todo_lines",
    "yaml_scalar",
]

#: Keys of a table's ``source:`` section, in the order the schema lists them.
SOURCE_KEYS = ("platform", "preset", "format", "conversation_id", "media", "fields", "timezone", "time_format",
               "date_order", "region", "catalog", "encoding")  # fmt: skip
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 _./()&'+-]*")
#: Plain words some YAML readers (1.1: PyYAML's safe_load, many editors) read as booleans or null.
_RESERVED = frozenset({"y", "yes", "n", "no", "true", "false", "on", "off", "null", "none", "nan", "inf"})
_SPELLINGS_SHOWN = 5
_SHOWN = 0.3  #: a runner-up is shown from this score: nearer ones are worth a reviewer's look
#: The two comment lines that open the TODO block at the end of ``rules:``.
TODO_HEADER = (
    "  # --- TODO: no code is close enough, or two are equally close; a person decides. Until a rule is",
    "  # written for them, their records meet `unmapped:` below (the dead letters): nothing is lost.",
)


@dataclass(frozen=True)
class TableContext:
    """What the header and the ``source:`` section say: the history read, the org's codes, the settings."""

    platform: str | None
    inputs: tuple[str, ...] = ()
    records: int = 0
    rejected: int = 0
    untracked: int = 0
    catalog: str = ""
    fingerprint: str | None = None
    min_confidence: float = 0.6
    synonyms: str = ""
    source: Mapping[str, Any] = field(default_factory=dict)  #: extra ``source:`` settings (format, fields, ...)


def _yaml_printable(ch: str) -> bool:
    """Characters a YAML stream may carry as they are (YAML 1.1 c-printable), minus the line breaks and tab."""
    cp = ord(ch)
    if cp in (0x85, 0x2028, 0x2029):
        return False
    return 0x20 <= cp <= 0x7E or 0xA0 <= cp <= 0xD7FF or 0xE000 <= cp <= 0xFFFD or 0x10000 <= cp <= 0x10FFFF


def _escape(text: str) -> str:
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif _yaml_printable(ch):
            out.append(ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return "".join(out)


def _oneline(line: str) -> str:
    """A comment line with whatever could end or break it (line breaks, controls) escaped; the rest as is."""
    if all(_yaml_printable(ch) for ch in line):
        return line
    return "".join(ch if _yaml_printable(ch) else _escape(ch) for ch in line)


def yaml_scalar(text: str) -> str:
    """``text`` as a YAML scalar that reads back as exactly ``text`` (as a string) in a flow or block context."""
    if _PLAIN.fullmatch(text) and text == text.strip() and text.lower() not in _RESERVED and "  " not in text:
        return text
    return f'"{_escape(text)}"'


def comment_text(text: str) -> str:
    """``text`` quoted for a comment: one line whatever it holds (``"Couldn’t Resolve"``, ``"a\\nb"``)."""
    return f'"{_escape(text)}"'


def _alias_base(name: str) -> str:
    base = re.sub(r"[^0-9a-z]+", "_", normalize_text(name).replace("'", "")).strip("_")
    if not base:
        return "code"
    # A YAML loader reads these plain words as null or booleans, not as the alias text (a code named "NULL").
    return base if base[0].isalpha() and base not in _YAML_WORDS else f"code_{base}"


#: Lower-case plain scalars PyYAML (and libyaml under it) resolves to null or a boolean.
_YAML_WORDS = frozenset({"null", "true", "false", "yes", "no", "on", "off"})


def code_aliases(codes: Sequence[CatalogCode], taken: Iterable[str] = ()) -> dict[str, str]:
    """An alias per code id (lower case), from its name (``Follow-up Required`` -> ``follow_up_required``), made
    unique in the order given (``_2``, ``_3`` ...) and against the aliases in ``taken`` (a table's own)."""
    aliases: dict[str, str] = {}
    taken = set(taken)
    for code in codes:
        key = code.id.lower()
        if key in aliases:
            continue
        base = _alias_base(code.name)
        alias, n = base, 1
        while alias in taken:
            n += 1
            alias = f"{base}_{n}"
        taken.add(alias)
        aliases[key] = alias
    return aliases


def _share(count: int, records: int) -> str:
    return f"{count / records * 100:.1f}%" if records else "0.0%"


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _records(count: int) -> str:
    return _n(count, "record")


def _value_comment(proposal: Proposal, records: int) -> str:
    value = proposal.value
    spellings = ", ".join(f"{comment_text(raw)} x{n}" for raw, n in value.spellings[:_SPELLINGS_SHOWN])
    more = len(value.spellings) - _SPELLINGS_SHOWN
    if more > 0:
        spellings += f", {more} more"
    if value.spellings_approximate:
        spellings += " (counts approximate: more spellings than kept)"
    return f"  # {comment_text(value.label)}: {_records(value.count)} ({_share(value.count, records)}); spellings {spellings}"


def _when(value: TalliedValue) -> str:
    """A rule's condition: the legacy value, and the signal's field when one names the outcome."""
    when = f"code: {yaml_scalar(value.display)}"
    if value.signal is not None:
        when += f", {value.signal.field}: {_flow(value.signal.values)}"
    return f"{{{when}}}"


def _proposal_comment(proposal: Proposal) -> list[str]:
    if proposal.kind is ProposalKind.SKIP:
        return ["  # proposed: skip (these records carry no outcome)"]
    assert proposal.code is not None
    level = "high" if proposal.high else "LOW: check it"
    lines = [f"  # proposed: {proposal.code.name}, confidence {proposal.confidence:.2f} ({level}): {proposal.reason}"]
    others = [
        c for c in proposal.candidates if c.code.id.lower() != proposal.code.id.lower() and c.confidence >= _SHOWN
    ]
    if others:
        lines.append("  # next closest: " + ", ".join(f"{c.code.name} {c.confidence:.2f}" for c in others))
    return lines


def _source_lines(context: TableContext) -> list[str]:
    settings = {"platform": context.platform, **{k: v for k, v in context.source.items() if k != "platform"}}
    lines = []
    for key in SOURCE_KEYS:
        value = settings.get(key)
        if value is None or (isinstance(value, Mapping | list | tuple) and not value):
            continue
        if isinstance(value, Mapping):
            items = ", ".join(f"{yaml_scalar(str(k))}: {_flow(v)}" for k, v in value.items())
            lines.append(f"  {key}: {{{items}}}")
        else:
            lines.append(f"  {key}: {_flow(value)}")
    return ["source:", *lines] if lines else []


def _flow(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(yaml_scalar(str(v)) for v in value) + "]"
    return yaml_scalar(str(value))


def _header(proposals: Sequence[Proposal], context: TableContext) -> list[str]:
    inputs = ", ".join(context.inputs) or "no input"
    counts = dict.fromkeys(("code-high", "code-low", "skip", "todo"), 0)
    for p in proposals:
        counts[p.label] += 1
    lines = [
        "# PROPOSED by `wrapup-bridge mapping init`: nothing is applied until a person has reviewed every rule.",
        f"# History: {_records(context.records)} of {context.platform or 'an unnamed platform'} ({inputs}), "
        f"{context.rejected} unreadable; {len(proposals)} distinct legacy values.",
        f"# Genesys codes: {context.catalog or 'an unnamed org'}"
        + (f" (fingerprint {context.fingerprint})" if context.fingerprint else "")
        + ".",
        f"# Proposals: {_n(counts['code-high'], 'code')} with high confidence, {counts['code-low']} with LOW "
        f"confidence, {_n(counts['skip'], 'skip')}, {counts['todo']} TODO.",
        "# Each rule: how many records have the value, its raw spellings, the proposed code and its confidence:",
        f"#   1.00 the same name (ignoring case, spacing, quotes); 0.90 reviewed synonyms or the same words; from "
        f"{HIGH_CONFIDENCE:.2f}",
        f"#   high, under it LOW (check those first). Under {context.min_confidence:.2f}, or with two codes equally "
        "close, no code",
        "#   is proposed: the value is a TODO at the end of rules:."
        + (f" Synonyms: {context.synonyms}." if context.synonyms else ""),
        "# Values are compared as every rule compares them: ignoring case, extra spaces, smart quotes/dashes and",
        "# invisible characters. Next: wrapup-bridge mapping check THIS-FILE --catalog ORG.json (or --live), then",
        "# wrapup-bridge mapping coverage THIS-FILE HISTORY..., and fill in review: below.",
    ]
    if context.untracked:
        lines.append(
            f"# {_records(context.untracked)} had values past the {len(proposals)} tracked (free text in the "
            "disposition column?): they get no rule and meet unmapped: below."
        )
    return lines


def render_table(proposals: Sequence[Proposal], context: TableContext) -> str:
    """The proposed table as YAML text (see the module docstring); ``proposals`` in the order they are to be
    written (``propose`` gives them most frequent first)."""
    ruled = [p for p in proposals if p.kind is not ProposalKind.TODO]
    todo = [p for p in proposals if p.kind is ProposalKind.TODO]
    used = [p.code for p in ruled if p.code is not None]
    aliases = code_aliases(used)
    records = context.records
    lines = _header(proposals, context)
    lines += [
        "version: 1",
        "description: "
        + yaml_scalar(
            f"Proposed by wrapup-bridge mapping init from {_records(records)} of "
            f"{context.platform or 'legacy'} history; review before use."
        ),
        *_source_lines(context),
        "# review:                     # fill in once the table has been reviewed",
        "#   owner: contact-center-ops@example.com",
        "#   reviewed_at: YYYY-MM-DD",
        "#   ticket: ...",
        "",
    ]
    if aliases:
        width = max(len(a) for a in aliases.values()) + 1
        lines.append("codes:")
        done: set[str] = set()
        for code in used:
            key = code.id.lower()
            if key in done:
                continue
            done.add(key)
            alias = aliases[key]
            lines.append(code_line(alias, code, width))
    else:
        lines.append("codes: {}")
    lines.append("")
    lines.append("rules:" if ruled else "rules: []")
    for proposal in ruled:
        lines += rule_lines(proposal, records, aliases)
    if todo:
        lines += ["", *TODO_HEADER]
        for proposal in todo:
            lines += todo_lines(proposal, records)
    lines += [
        "",
        "# Records no rule names (the TODO values above, and values this history did not have) are kept in the dead",
        "# letters for a person, never given a code nobody chose.",
        "unmapped:",
        "  action: dead-letter",
    ]
    return "\n".join(safe_lines(lines)) + "\n"


def rule_lines(proposal: Proposal, records: int, aliases: Mapping[str, str]) -> list[str]:
    """One proposed rule as ``render_table`` writes it (two-space indent, comments not yet made safe: see
    ``safe_lines``): the value's comment (``records``: the history's, for the share), the proposal's, the rule;
    ``aliases``: code id (lower case) -> alias."""
    lines = [_value_comment(proposal, records), *_proposal_comment(proposal), f"  - when: {_when(proposal.value)}"]
    if proposal.kind is ProposalKind.SKIP:
        lines.append(f"    skip: {yaml_scalar(proposal.reason)}")
    else:
        assert proposal.code is not None
        lines.append(f"    code: {aliases[proposal.code.id.lower()]}")
    return lines


def todo_lines(proposal: Proposal, records: int) -> list[str]:
    """A TODO value as the commented block at the end of ``rules:`` lists it, with a rule skeleton to uncomment."""
    return [
        _value_comment(proposal, records),
        f"  # TODO: {proposal.reason}",
        f"  # - when: {_when(proposal.value)}",
        "  #   code: <an alias under codes:, with the code's id and name from the org>",
    ]


def code_line(alias: str, code: CatalogCode, width: int) -> str:
    """A ``codes:`` entry, the alias padded to ``width`` characters (its colon included)."""
    return f"  {alias + ':':<{width}} {{id: {code.id}, name: {yaml_scalar(code.name)}}}"


def safe_lines(lines: Iterable[str]) -> list[str]:
    """``lines`` with every comment line made one line whatever a legacy value put in it (``_oneline``)."""
    return [_oneline(line) if line.lstrip().startswith("#") else line for line in lines]
