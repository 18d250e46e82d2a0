"""The Genesys Cloud outbound wrap-up flags: what the dialer does with a contact after a wrap-up code.

``GET/PUT /api/v2/outbound/wrapupcodemappings`` maps each wrap-up code id to a set of these flags, and ``defaultSet``
holds those of every code without an entry (docs/reference-outbound.md §1.3). The enum is exactly the six values of
the official Java SDK's ``WrapUpCodeMapping.DefaultSetEnum`` and of the Terraform provider's ``flagsSchema``
(VERIFIED). Their meanings for callability are Genesys's own words (VERIFIED, help.mypurecloud.com "wrap-up code
mappings page"); the three ``BUSINESS_*`` flags are an outcome category whose meaning no Genesys text states (UNSURE).

Spelling. The SDKs send UPPER_SNAKE; the provider writes and reads back ``Right_Party_Contact`` (UNSURE whether the
API echoes the spelling it was given). So flags are read in any case, with spaces or hyphens for underscores,
written UPPER_SNAKE, and two spellings of one flag compare equal (``flag_key``).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

__all__ = [
    "BUSINESS_FLAGS",
    "TERMINATING_FLAGS",
    "OutboundFlag",
    "canonical_flags",
    "flag_key",
    "flags_text",
    "parse_flag",
    "same_flags",
]


class OutboundFlag(StrEnum):
    """One outbound wrap-up flag, as the API spells it."""

    #: "All telephone numbers for a contact are uncallable"; persists across runs and campaigns on the contact list.
    CONTACT_UNCALLABLE = "CONTACT_UNCALLABLE"
    #: "The number dialed when the wrap-up was assigned is uncallable"; persists across runs and campaigns.
    NUMBER_UNCALLABLE = "NUMBER_UNCALLABLE"
    #: "The person who answered was the person the campaign was supposed to reach": the current campaign dials no
    #: other number of the contact; it does not persist across runs of the campaign.
    RIGHT_PARTY_CONTACT = "RIGHT_PARTY_CONTACT"
    #: Outcome categories for reporting (names only: no Genesys text says more; UNSURE).
    BUSINESS_SUCCESS = "BUSINESS_SUCCESS"
    BUSINESS_FAILURE = "BUSINESS_FAILURE"
    BUSINESS_NEUTRAL = "BUSINESS_NEUTRAL"


#: The outcome categories: at most one per code in our own files (OURS; whether Genesys refuses two is UNSURE).
BUSINESS_FLAGS = frozenset(
    {OutboundFlag.BUSINESS_SUCCESS, OutboundFlag.BUSINESS_FAILURE, OutboundFlag.BUSINESS_NEUTRAL}
)
#: A code carrying one of these is "terminating": the dialer stops on the record (VERIFIED, both help articles).
TERMINATING_FLAGS = frozenset(
    {OutboundFlag.CONTACT_UNCALLABLE, OutboundFlag.NUMBER_UNCALLABLE, OutboundFlag.RIGHT_PARTY_CONTACT}
)
_ORDER = {flag: index for index, flag in enumerate(OutboundFlag)}


def flag_key(text: str) -> str:
    """The comparison form of a flag as anyone spells it: ``Right_Party_Contact``, ``right party contact`` and
    ``RIGHT_PARTY_CONTACT`` are all ``RIGHT_PARTY_CONTACT``. Text that is no flag keeps its own key."""
    return "_".join(text.replace("-", " ").replace("_", " ").split()).upper()


def parse_flag(value: object) -> OutboundFlag:
    """A flag from text in any case (``Contact_UnCallable``); ValueError naming the value and the six flags."""
    if isinstance(value, OutboundFlag):
        return value
    if not isinstance(value, str):
        raise ValueError(f"a flag is text, got {type(value).__name__}")
    key = flag_key(value)
    try:
        return OutboundFlag(key)
    except ValueError:
        pass
    import difflib

    hint = difflib.get_close_matches(key, [f.value for f in OutboundFlag], n=1, cutoff=0.6)
    suggestion = f" (did you mean {hint[0]}?)" if hint else ""
    raise ValueError(
        f"{value!r} is not an outbound flag{suggestion}; flags: {', '.join(f.value for f in OutboundFlag)}"
    ) from None


def canonical_flags(flags: Iterable[OutboundFlag]) -> tuple[OutboundFlag, ...]:
    """``flags`` once each, in the enum's order (the order people read and the plan compares)."""
    return tuple(sorted(set(flags), key=_ORDER.__getitem__))


def same_flags(a: Iterable[str], b: Iterable[str]) -> bool:
    """Whether two flag lists say the same, whatever the spelling, order or repeats (a set of flags, as the SDK
    docstrings call it)."""
    return {flag_key(x) for x in a} == {flag_key(x) for x in b}


def flags_text(flags: Iterable[str]) -> str:
    """Flags for people: ``RIGHT_PARTY_CONTACT + BUSINESS_SUCCESS``, or ``(no flags)``."""
    listed = list(flags)
    return " + ".join(listed) if listed else "(no flags)"
