"""A pydantic ``ValidationError`` in the words a person fixing the input needs: which field, what is wrong, and
what was given; no class names, no documentation URLs, no ``type=string_type`` codes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import ValidationError

__all__ = ["validation_in_words"]

_KINDS = {
    bool: "true/false",
    int: "a number",
    float: "a number",
    str: "text",
    dict: "an object",
    list: "a list",
    type(None): "null",
}


def validation_in_words(exc: ValidationError, *, limit: int = 3) -> str:
    """``field 'code': should be text, got a number (5); ...`` for up to ``limit`` problems."""
    parts: list[str] = []
    errors = exc.errors(include_url=False)
    for error in errors[:limit]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "__root__")
        message = _message(error)
        parts.append(f"field {where!r}: {message}" if where else message)
    if len(errors) > limit:
        parts.append(f"and {len(errors) - limit} more")
    return "; ".join(parts)


def _message(error: Any) -> str:
    kind = str(error.get("type", ""))
    given = error.get("input")
    if kind == "missing":
        return "missing"
    if kind == "extra_forbidden":
        return "not a field of this record"
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ").replace("a valid string", "text")
    if kind.endswith("_type") or kind in ("string_type", "literal_error", "enum"):
        shown = _KINDS.get(type(given), type(given).__name__)
        sample = repr(given) if not isinstance(given, dict | list) else ""
        return f"{message[0].lower()}{message[1:]} (got {shown}{f' {sample}' if sample else ''})"
    return message[0].lower() + message[1:] if message else "invalid"
