"""The one text normalization used everywhere a legacy value is compared.

Mapping, review and coverage must agree on when two spellings are "the same disposition", or a value that
maps in a review would be unmapped in a replay. Real exports differ by case, stray spaces, non-breaking
spaces, smart quotes pasted from documents, en dashes, full-width forms and invisible characters (zero-width
spaces, BOMs, soft hyphens) that break naive equality. ``normalize_text`` removes exactly those differences
and nothing else; it is idempotent, and it is used for matching only: the raw text is always kept for audit.
"""

from __future__ import annotations

import unicodedata

__all__ = ["normalize_key", "normalize_text"]

_QUOTES_AND_DASHES = {
    # single quotes, primes and accents used as apostrophes
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u2035\u00b4\u02bc\u02b9\uff07", "'"),
    # double quotes, double primes and guillemets
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb\u02ba\uff02", '"'),
    # hyphens, dashes and minus signs
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d", "-"),
}
_FOLD = str.maketrans(_QUOTES_AND_DASHES)

# Characters that render as nothing but defeat equality: Unicode format characters (category Cf) and control
# characters that are not whitespace (Cc), as of Unicode 14 (Python 3.11; a test keeps this in step), plus the
# default-ignorable code points of other categories (combining grapheme joiner, Hangul fillers, variation
# selectors). Listed as ranges because deriving them from ``unicodedata`` at import costs ~0.2 s of cold start.
INVISIBLE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0000, 0x0008), (0x000E, 0x001B), (0x007F, 0x0084), (0x0086, 0x009F), (0x00AD, 0x00AD),
    (0x034F, 0x034F), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
    (0x0890, 0x0891), (0x08E2, 0x08E2), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180E, 0x180E),
    (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD),
    (0x110CD, 0x110CD), (0x13430, 0x13438), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001),
    (0xE0020, 0xE007F), (0xE0100, 0xE01EF),
)  # fmt: skip
_REMOVE_INVISIBLE: dict[int, None] = {cp: None for lo, hi in INVISIBLE_RANGES for cp in range(lo, hi + 1)}


def normalize_text(value: str) -> str:
    """Fold ``value`` to the form used for comparing legacy dispositions and field values.

    Steps, in an order chosen so the result is stable under a second application: drop invisible characters,
    Unicode NFKC, case-fold, NFKC again (case-folding can denormalize), fold smart quotes and dashes to ASCII,
    collapse inner whitespace to one space and trim.
    """
    if value.isascii():
        # Fast path for the overwhelmingly common case: only controls, case and spacing can differ.
        if not value.isprintable():
            value = value.translate(_REMOVE_INVISIBLE)
        return " ".join(value.lower().split())
    value = value.translate(_REMOVE_INVISIBLE)
    value = unicodedata.normalize("NFKC", value).casefold()
    value = unicodedata.normalize("NFKC", value).translate(_FOLD)
    return " ".join(value.split())


def normalize_key(key: str) -> str:
    """Normalize a field name so ``CALL TYPE``, ``Call Type`` and ``call_type`` name the same field."""
    return normalize_text(key).replace(" ", "_")
