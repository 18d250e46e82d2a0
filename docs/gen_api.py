"""Write docs/api.md, the reference of ``wrapup_bridge``'s public names, from their docstrings and signatures.

    python docs/gen_api.py            # rewrite docs/api.md (make docs)
    python docs/gen_api.py --check    # exit 1 when docs/api.md is not what the code gives

Every name in ``wrapup_bridge.__all__`` (and ``wrapup_bridge.testing.__all__``) must be placed in one of the
SECTIONS below; a name nobody placed stops the generator, so the reference cannot silently miss one.
tests/test_public_api.py fails when docs/api.md is out of date.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import enum
import inspect
import re
import sys
import textwrap
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "api.md"
REGENERATE = "make docs  (or: python docs/gen_api.py)"

#: (title, introduction, names): the reference's sections, in order.
SECTIONS: list[tuple[str, str, list[str]]] = [
    (
        "Live use",
        "A ``Bridge`` applies legacy dispositions to Genesys Cloud (or the emulator) one call at a time, inside a "
        "time budget, with an optional durable outbox.",
        ["Bridge", "BridgeOutcome", "DrainReport"],
    ),
    (
        "Records",
        "What flows through the bridge: a ``Disposition`` (what the legacy platform said), a ``Decision`` (what the "
        "mapping table makes of it) and an ``Outcome`` (what Genesys answered).",
        [
            "Disposition",
            "Media",
            "Decision",
            "DecisionKind",
            "CodeRef",
            "RuleRef",
            "Outcome",
            "OutcomeKind",
            "WrapupTarget",
        ],
    ),
    (
        "Mapping tables",
        "The reviewable YAML table from legacy dispositions to Genesys wrap-up codes (docs/mapping-review.md).",
        ["load_mapping", "MappingTable"],
    ),
    (
        "Reading exports and events",
        "One adapter per legacy platform turns its exports and webhook events into ``Disposition`` records.",
        ["get_adapter", "Adapter", "AdapterOptions", "ReadResult"],
    ),
    (
        "Targets and settings",
        "What work talks to: Genesys Cloud from the settings, or the emulator (the default without credentials).",
        ["build_target", "Target", "Settings"],
    ),
    (
        "The emulator",
        "A local stand-in for the part of the Genesys Cloud API wrapup-bridge uses (docs/emulator.md).",
        ["Emulator", "EmulatorConfig"],
    ),
    (
        "Errors",
        "Every error wrapup-bridge raises on purpose derives from ``WrapupBridgeError``.",
        [],  # filled with every exported exception class
    ),
    ("Version", "", ["__version__"]),
]
TESTING = (
    "Test doubles: wrapup_bridge.testing",
    "Shipped doubles for tests of code that uses wrapup-bridge (``from wrapup_bridge.testing import ...``).",
)


# -- rendering helpers ----------------------------------------------------------------------------------------------
def _clean(text: str) -> str:
    """Text that is the same on every machine: no checkout paths, no object addresses."""
    import wrapup_bridge

    package = str(Path(wrapup_bridge.__file__).resolve().parent)
    text = text.replace(package, "<wrapup_bridge>")
    return re.sub(r" at 0x[0-9a-fA-F]+", "", text)


def _doc(obj: Any) -> str:
    doc = inspect.getdoc(obj) or ""
    return _clean(doc).strip()


def _own_doc(cls: type, name: str) -> str:
    """The docstring of ``cls.name`` if it has its own (not the one inherited from object or a library base)."""
    member = cls.__dict__.get(name)
    if isinstance(member, classmethod | staticmethod):
        member = member.__func__
    if isinstance(member, property):
        member = member.fget
    return _doc(member) if member is not None and getattr(member, "__doc__", None) else ""


def _annotation(annotation: Any) -> str:
    if annotation is inspect.Parameter.empty:
        return ""
    return annotation if isinstance(annotation, str) else getattr(annotation, "__name__", repr(annotation))


def _signature(obj: Callable[..., Any], name: str, *, skip_self: bool = False) -> str:
    """``name(a: int, *, b: str = 'x') -> T``, annotations as written in the source (unquoted)."""
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return f"{name}(...)"
    parameters = list(signature.parameters.values())[1 if skip_self else 0 :]
    parts: list[str] = []
    star_done = False
    for index, parameter in enumerate(parameters):
        if parameter.kind is parameter.POSITIONAL_ONLY and (
            index + 1 == len(parameters) or parameters[index + 1].kind is not parameter.POSITIONAL_ONLY
        ):
            positional_only_end = True
        else:
            positional_only_end = False
        if parameter.kind is parameter.KEYWORD_ONLY and not star_done:
            parts.append("*")
            star_done = True
        prefix = {parameter.VAR_POSITIONAL: "*", parameter.VAR_KEYWORD: "**"}.get(parameter.kind, "")
        if parameter.kind is parameter.VAR_POSITIONAL:
            star_done = True
        text = f"{prefix}{parameter.name}"
        annotation = _annotation(parameter.annotation)
        if annotation:
            text += f": {annotation}"
        if parameter.default is not parameter.empty:
            text += f" = {parameter.default!r}" if annotation else f"={parameter.default!r}"
        parts.append(text)
        if positional_only_end:
            parts.append("/")
    returns = _annotation(signature.return_annotation)
    return _clean(f"{name}({', '.join(parts)})" + (f" -> {returns}" if returns and returns != "None" else ""))


def _field_comments(cls: type) -> dict[str, str]:
    """``#:`` comments written above (or beside) the annotated attributes of ``cls``'s own body."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    lines = source.splitlines()
    body = ast.parse(source).body[0]
    comments: dict[str, str] = {}
    if not isinstance(body, ast.ClassDef):
        return comments
    for node in body.body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            continue
        above: list[str] = []
        index = node.lineno - 2
        while index >= 0 and lines[index].strip().startswith("#:"):
            above.insert(0, lines[index].strip()[2:].strip())
            index -= 1
        beside = lines[node.lineno - 1].partition("  #:")[2].strip()
        text = " ".join([*above, beside]).strip()
        if text:
            comments[node.target.id] = text
    return comments


def _annotations(cls: type) -> dict[str, str]:
    """Attribute annotations as written in the source (strings), the class's own and its bases'."""
    found: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        for name, annotation in inspect.get_annotations(klass).items():
            found[name] = (
                annotation if isinstance(annotation, str) else getattr(annotation, "__name__", repr(annotation))
            )
    return found


def _is_pydantic(cls: type) -> bool:
    return any(base.__module__.startswith("pydantic") and base.__name__ == "BaseModel" for base in cls.__mro__)


def _fields(cls: type) -> list[tuple[str, str, str, str]]:
    """(name, annotation, default, description) of a pydantic model's or dataclass's public fields."""
    annotations = _annotations(cls)
    comments: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if klass.__module__.startswith("wrapup_bridge"):
            comments.update(_field_comments(klass))
    rows = []
    if _is_pydantic(cls):
        for name, info in cls.model_fields.items():  # type: ignore[attr-defined]
            if name.startswith("_"):
                continue
            if info.is_required():
                default = ""
            elif info.default_factory is not None:
                default = "(built)"
            else:
                default = _clean(repr(info.default))
            rows.append((name, annotations.get(name, ""), default, info.description or comments.get(name, "")))
    elif dataclasses.is_dataclass(cls):
        for field in dataclasses.fields(cls):
            if field.name.startswith("_"):
                continue
            if field.default is not dataclasses.MISSING:
                default = _clean(repr(field.default))
            elif field.default_factory is not dataclasses.MISSING:
                default = "(built)"
            else:
                default = ""
            rows.append((field.name, annotations.get(field.name, ""), default, comments.get(field.name, "")))
    return rows


def _members(cls: type) -> Iterator[tuple[str, Any]]:
    """Public methods and properties defined by ``cls`` or its wrapup_bridge bases (not pydantic's or Exception's)."""
    seen: set[str] = set()
    for klass in cls.__mro__:
        if not klass.__module__.startswith("wrapup_bridge"):
            continue
        for name, member in klass.__dict__.items():
            if name in seen or name.startswith("_"):
                continue
            if isinstance(member, property | classmethod | staticmethod) or inspect.isfunction(member):
                seen.add(name)
                yield name, member


def _render_member(cls: type, name: str, member: Any) -> list[str]:
    owner = next(k for k in cls.__mro__ if name in k.__dict__)
    if isinstance(member, property):
        annotation = _annotation(inspect.signature(member.fget).return_annotation) if member.fget else ""
        kind = f"`{name}` *(property{': ' + _clean(annotation) if annotation else ''})*"
        doc = _own_doc(owner, name)
    else:
        function = member.__func__ if isinstance(member, classmethod | staticmethod) else member
        prefix = (
            "classmethod "
            if isinstance(member, classmethod)
            else "async "
            if inspect.iscoroutinefunction(function)
            else ""
        )
        kind = f"{prefix}`{_signature(function, name, skip_self=not isinstance(member, staticmethod))}`"
        doc = _own_doc(owner, name)
    lines = [f"- {kind}"]
    if doc:
        lines.extend(f"  {line}" if line else "" for line in doc.splitlines())
    return lines


def _render_class(name: str, cls: type) -> list[str]:
    bases = ", ".join(base.__name__ for base in cls.__bases__ if base is not object)
    lines = [f"### `{name}`", "", f"`class {name}{f'({bases})' if bases else ''}` — from `{cls.__module__}`", ""]
    doc = _doc(cls)
    if doc:
        lines += [doc, ""]
    if issubclass(cls, enum.Enum):
        lines += ["| member | value |", "| --- | --- |"]
        lines += [f"| `{member.name}` | `{member.value!r}` |" for member in cls]
        lines.append("")
    elif _is_pydantic(cls) or dataclasses.is_dataclass(cls):
        rows = _fields(cls)
        if rows:
            lines += ["| field | type | default | |", "| --- | --- | --- | --- |"]
            for field, annotation, default, description in rows:
                cell = description.replace("|", "\\|")
                annotation_cell, default_cell = (text.replace("|", "\\|") for text in (annotation, default))
                default_cell = f"`{default_cell}`" if default else ""
                lines.append(f"| `{field}` | `{annotation_cell}` | {default_cell} | {cell} |")
            lines.append("")
    elif not issubclass(cls, BaseException):
        init = cls.__dict__.get("__init__")
        if init is not None:
            lines += [f"`{_signature(init, name, skip_self=True)}`", ""]
    if issubclass(cls, enum.Enum):
        members = []
    elif issubclass(cls, BaseException):  # an error's own methods only: the rest are its base's, listed there
        members = [(n, m) for n, m in _members(cls) if n in cls.__dict__]
    else:
        members = list(_members(cls))
    if members:
        for member_name, member in sorted(members):
            lines += _render_member(cls, member_name, member)
        lines.append("")
    return lines


def _render(name: str, obj: Any) -> list[str]:
    if isinstance(obj, type):
        return _render_class(name, obj)
    if callable(obj):
        prefix = "async " if inspect.iscoroutinefunction(obj) else ""
        lines = [f"### `{name}`", "", f"{prefix}`{_signature(obj, name)}` — from `{obj.__module__}`", ""]
        doc = _doc(obj)
        return lines + ([doc, ""] if doc else [])
    if isinstance(obj, types.UnionType | types.GenericAlias):  # a type alias: ReadResult = Disposition | ...
        alias = re.sub(r"\b(?:\w+\.)+(\w+)", r"\1", repr(obj))
        return [f"### `{name}`", "", f"`{name} = {alias}` (a type alias)", ""]
    return [f"### `{name}`", "", f"`{name}`: `{type(obj).__name__}`", ""]


def _error_order(errors: dict[str, type]) -> list[tuple[int, str]]:
    """(depth, name) of the exported errors, depth first: a class under its nearest exported base."""
    children: dict[str | None, list[str]] = {}
    for name, cls in errors.items():
        parent = next((base.__name__ for base in cls.__mro__[1:] if base.__name__ in errors), None)
        children.setdefault(parent, []).append(name)
    order: list[tuple[int, str]] = []

    def walk(parent: str | None, depth: int) -> None:
        for child in sorted(children.get(parent, []), key=str.lower):
            order.append((depth, child))
            walk(child, depth + 1)

    walk(None, 0)
    return order


def _error_tree(errors: dict[str, type]) -> list[str]:
    """The exported errors drawn as a tree of their inheritance, with the other bases each adds."""
    lines = []
    for depth, name in _error_order(errors):
        others = [
            base.__name__ if base.__module__ == "builtins" else f"{base.__module__}.{base.__name__}"
            for base in errors[name].__bases__
            if not base.__module__.startswith("wrapup_bridge") and base is not Exception
        ]
        also = f"  (also {', '.join(others)})" if others else ""
        lines.append(f"{'    ' * depth}{name}{also}")
    return ["```text", *lines, "```", ""]


def generate() -> str:
    import wrapup_bridge
    import wrapup_bridge.testing

    public = {name: getattr(wrapup_bridge, name) for name in wrapup_bridge.__all__}
    errors = {name: obj for name, obj in public.items() if isinstance(obj, type) and issubclass(obj, BaseException)}
    placed = {name for _, _, names in SECTIONS for name in names} | set(errors)
    unplaced = sorted(set(public) - placed)
    if unplaced:
        raise SystemExit(f"docs/gen_api.py: place these public names in a section of SECTIONS: {', '.join(unplaced)}")
    unknown = sorted(placed - set(public))
    if unknown:
        raise SystemExit(f"docs/gen_api.py: SECTIONS names what wrapup_bridge does not export: {', '.join(unknown)}")

    out = [
        "# API reference",
        "",
        "<!-- Generated by docs/gen_api.py from the docstrings: do not edit; run `make docs`. -->",
        "",
        _doc(wrapup_bridge),
        "",
        "Contents: " + ", ".join(f"[{title}](#{_anchor(title)})" for title, _, _ in [*SECTIONS, (*TESTING, [])]),
        "",
    ]
    for title, intro, names in SECTIONS:
        out += [f"## {title}", ""]
        if intro:
            out += [intro, ""]
        if title == "Errors":
            out += _error_tree(errors)
        ordered = [name for _, name in _error_order(errors)] if title == "Errors" else names
        for name in ordered:
            if name == "__version__":
                out += [
                    "### `__version__`",
                    "",
                    "The installed version (a string), read from the package metadata: `[project] version` in "
                    "pyproject.toml is its one source. In a checkout that was never installed it is read from that "
                    "pyproject.toml.",
                    "",
                ]
                continue
            out += _render(name, public[name])
    title, intro = TESTING
    out += [f"## {title}", "", intro, "", _doc(wrapup_bridge.testing), ""]
    for name in wrapup_bridge.testing.__all__:
        obj = getattr(wrapup_bridge.testing, name)
        if isinstance(obj, str | Path):
            out += [f"### `{name}`", "", f"`{name} = {_clean(repr(obj))}`", ""]
        else:
            out += _render(name, obj)
    text = "\n".join(out)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.rstrip("\n") + "\n"


def _anchor(title: str) -> str:
    return re.sub(r"[^a-z0-9 _-]", "", title.lower()).replace(" ", "-")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/api.md is out of date")
    args = parser.parse_args(argv)
    text = generate()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"docs/api.md is out of date; run: {REGENERATE}", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
