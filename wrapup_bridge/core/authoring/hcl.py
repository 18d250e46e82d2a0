"""Text for Terraform files: HCL string literals, template escapes and comments that hold any name safely.

``mapping terraform`` writes names from the table and the org (and from a legacy catalog, for the outbound mapping)
into HCL and Terraform's JSON syntax. Here is the escaping both need, shared by the modules that render resources
(``terraform`` for wrap-up codes, ``terraform_outbound`` for the outbound mapping), so a name can neither end a
string or a comment nor open an interpolation wherever it is written.
"""

from __future__ import annotations

__all__ = ["comment_safe", "comment_text", "hcl_string", "template_escape", "wrap_comment"]

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def template_escape(text: str) -> str:
    """``text`` with HCL's template sequences made literal: ``${`` as ``$${`` and ``%{`` as ``%%{`` (the only
    escapes Terraform's JSON syntax needs beyond JSON's own, and part of what a quoted HCL string needs)."""
    return text.replace("${", "$${").replace("%{", "%%{")


def _escaped(text: str) -> str:
    out: list[str] = []
    for char in text:
        short = _ESCAPES.get(char)
        if short is not None:
            out.append(short)
        elif char.isprintable() or char == " ":
            out.append(char)
        elif ord(char) > 0xFFFF:
            out.append(f"\\U{ord(char):08X}")
        else:
            out.append(f"\\u{ord(char):04X}")
    return "".join(out)


def hcl_string(text: str) -> str:
    """``text`` as a quoted HCL string literal whose value is exactly ``text``.

    Backslash, quote, newline, carriage return and tab get their short escapes; every other character that does
    not print (control, format such as zero-width or bidirectional marks, line and paragraph separators, private
    or unassigned) is written ``\\uNNNN`` / ``\\UNNNNNNNN`` so the file shows what it holds; ``${`` and ``%{``
    become ``$${`` and ``%%{`` so nothing is interpolated (HCL native syntax spec, "Template Literals"). HCL reads
    every string literal as Unicode NFC (escaped or not), so a name not in NFC comes back, and reaches Genesys, in
    NFC: the same name once normalized, which is how the table and the org's codes are compared."""
    return '"' + template_escape(_escaped(text)) + '"'


def comment_text(text: str) -> str:
    """``text`` as it may appear in a comment: quoted and escaped, so it stays on its line and inside the comment."""
    return hcl_string(text)


def comment_safe(text: str) -> str:
    """``text`` (a sentence that may quote names, e.g. with ``repr``) with every character that does not print
    written as an escape, unquoted: a comment line cannot be ended by it."""
    return "".join(char if char.isprintable() or char == " " else _escaped(char) for char in text)


def wrap_comment(text: str, prefix: str = "# ", hang: str | None = None, width: int = 116) -> list[str]:
    """``text`` as comment lines of at most ``width`` characters (a longer word stays whole); lines after the
    first start with ``hang`` (default: ``prefix``)."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        lead = hang if lines and hang is not None else prefix
        if current and len(lead) + len(current) + 1 + len(word) > width:
            lines.append(lead + current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append((hang if lines and hang is not None else prefix) + current)
    return lines
