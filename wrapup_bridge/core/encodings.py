"""Which encodings an export may be declared in: any Python text codec, checked once where it is declared (the
table's ``source.encoding``, ``--encoding``) so a typo is refused before anything is read."""

from __future__ import annotations

import codecs

__all__ = ["check_encoding"]


def check_encoding(name: str) -> str:
    """The canonical codec name for ``name``; ``ValueError`` naming the problem for an unknown or non-text one."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise ValueError(
            f"unknown encoding {name!r} (e.g. utf-8, cp1252, latin-1, utf-16; any Python codec name)"
        ) from None
    if not getattr(info, "_is_text_encoding", True):
        raise ValueError(f"{name!r} is not a text encoding")
    return info.name
