"""The one normalization: idempotent, and blind to exactly the differences real exports have."""

from __future__ import annotations

import sys
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from wrapup_bridge.core import normalize
from wrapup_bridge.core.normalize import normalize_key, normalize_text

INVISIBLES = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad", "\u2060", "\u180e", "\u034f", "\ufe0f", "\x00", "\x07"]
SMART = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u2212": "-"}


def test_examples_from_real_exports() -> None:
    assert normalize_text("  Transferred\u00a0To   3rd Party ") == "transferred to 3rd party"
    assert normalize_text("Don\u2019t Call \u2013 Customer") == "don't call - customer"
    assert normalize_text("\ufeffNo\u200bAnswer") == "noanswer"
    assert normalize_text("ＳＡＬＥ") == "sale"  # full-width forms fold under NFKC
    assert normalize_text("Straße") == normalize_text("STRASSE")  # case-folding, not lower()
    assert normalize_text("") == ""
    assert normalize_text(" \t\r\n ") == ""


def test_keys_fold_spelling_and_spacing() -> None:
    assert normalize_key("CALL TYPE") == normalize_key("Call  Type") == "call_type"
    assert normalize_key("conversation_attribute_2") == "conversation_attribute_2"


def test_invisible_table_matches_unicode_database() -> None:
    """The static ranges must cover every format/control character Python's Unicode database knows."""
    table = normalize._REMOVE_INVISIBLE
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        cat = unicodedata.category(ch)
        if cat == "Cf" or (cat == "Cc" and not ch.isspace()):
            assert cp in table, f"U+{cp:04X} ({cat}) is not removed"
    assert not any(chr(cp).isspace() for cp in table), "whitespace must be collapsed, not removed"


@given(st.text())
def test_idempotent(value: str) -> None:
    once = normalize_text(value)
    assert normalize_text(once) == once


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_fast_path_agrees_with_full_path(value: str) -> None:
    # Force the general path by appending and removing a non-ASCII invisible character.
    assert normalize_text(value) == normalize_text(value + "\u200b")


WORDS = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789'-", min_size=1, max_size=8), min_size=1, max_size=5
)


@given(WORDS, st.data())
def test_invariant_under_case_spacing_and_invisibles(words: list[str], data: st.DataObject) -> None:
    canonical = normalize_text(" ".join(words))
    noisy_words = []
    for word in words:
        chars = []
        for ch in word:
            if data.draw(st.booleans()):
                ch = ch.upper()
            if ch in "'-" and data.draw(st.booleans()):
                ch = data.draw(st.sampled_from([k for k, v in SMART.items() if v == ch]))
            chars.append(ch)
            if data.draw(st.integers(0, 4)) == 0:
                chars.append(data.draw(st.sampled_from(INVISIBLES)))
        noisy_words.append("".join(chars))
    separators = st.sampled_from([" ", "  ", "\t", "\u00a0", "\u3000", " \n "])
    noisy = data.draw(separators).join([""]) + "".join(
        w + (data.draw(separators) if i < len(noisy_words) - 1 else "") for i, w in enumerate(noisy_words)
    )
    noisy = data.draw(st.sampled_from(["", " ", "\u00a0"])) + noisy + data.draw(st.sampled_from(["", "  ", "\u2009"]))
    assert normalize_text(noisy) == canonical


@given(st.text())
def test_nfkc_variants_agree(value: str) -> None:
    assert normalize_text(unicodedata.normalize("NFKC", value)) == normalize_text(value)
    assert normalize_text(unicodedata.normalize("NFD", value)) == normalize_text(value)
