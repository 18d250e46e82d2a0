"""Phone numbers as one comparable text: E.164 (``+19045550101``), whatever way a legacy export or Genesys wrote them.

Five9 writes ``9045550101``, Twilio ``+19045550101``, CXone ``4084574613``, Genesys analytics ``tel:+19045550101``
(and, for an agent's own leg, ``sip:...@host``); people write ``(904) 555-0101``, ``+44 (0)20 7946 0000`` or
``0044 20 7946 0000``. Google's libphonenumber (the ``phonenumbers`` module of ``phonenumberslite``) knows each
country's trunk and international prefixes, so national forms read with the table's default country.

``phonenumbers`` takes about 30 ms to import and is needed only when correlating, so it is imported on first use:
``import wrapup_bridge`` never loads it. Results are cached: an export repeats the same few numbers (the org's
DNIS, repeat callers) thousands of times.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from phonenumbers import PhoneNumber

__all__ = ["known_region", "to_e164"]

#: What may stand in a written phone number besides digits: a leading +, spacing and grouping marks.
_WRITTEN_NUMBER = re.compile(r"^\+?[0-9 ()\-./\u00a0]+$")
#: International call prefixes written in front of a country code instead of +: 00 (most of the world), 011 (North
#: America), 0011 (Australia). Tried only when the number does not read as one of the default country's.
_INTERNATIONAL_PREFIXES = ("0011", "011", "00")


@lru_cache(maxsize=65536)
def to_e164(text: str | None, default_country: str) -> str | None:
    """``text`` as ``+E164``, or None when it is no phone number (empty, ``Anonymous``, a SIP user address, an
    internal extension too short to be a number).

    Accepts ``tel:+19045550101``, ``sip:+19045550101@host;user=phone``, ``+44 20 7946 0000``, ``(904) 555-0101``,
    ``9045550101``, ``19045550101``, ``0044 20 7946 0000`` and ``011 44 20 7946 0000``; national forms are read as
    numbers of ``default_country`` (ISO 3166 alpha-2, ``US``, ``GB``, ``DE``, ...)."""
    if text is None:
        return None
    written = _number_part(text)
    if written is None:
        return None
    import phonenumbers

    region = default_country.upper()
    number = _possible(written, region)
    digits = re.sub(r"[^0-9]", "", written)
    if number is None and not written.startswith("+"):
        for prefix in _INTERNATIONAL_PREFIXES:
            if digits.startswith(prefix):
                number = _possible("+" + digits[len(prefix) :], region)
                if number is not None:
                    break
    if number is None and not written.startswith("+") and len(digits) >= 11:
        # An international number written without its + (``442079460000``): only when it is a valid one.
        candidate = _possible("+" + digits, region)
        if candidate is not None and phonenumbers.is_valid_number(candidate):
            number = candidate
    if number is None:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def known_region(code: str) -> bool:
    """Whether ``code`` is a region libphonenumber knows (``US``, ``GB``, ``DE``; not ``UK``)."""
    import phonenumbers

    return code.upper() in phonenumbers.SUPPORTED_REGIONS


def _number_part(text: str) -> str | None:
    """The written number inside ``text``: the URI scheme (``tel:``, ``sip:``), a SIP host and URI parameters
    (``;user=phone``, ``;ext=``) removed; None when what is left is not digits and grouping marks."""
    value = text.strip()
    lowered = value.lower()
    if lowered.startswith("tel:"):
        value = value[4:]
    elif lowered.startswith(("sip:", "sips:")):
        value = value.split(":", 1)[1].split("@", 1)[0]
    value = value.split(";", 1)[0].strip()
    if not value or not _WRITTEN_NUMBER.match(value) or not any(c.isdigit() for c in value):
        return None
    return value


def _possible(written: str, region: str) -> PhoneNumber | None:
    import phonenumbers

    try:
        number = phonenumbers.parse(written, region)
    except phonenumbers.NumberParseException:
        return None
    if not number.national_number:  # 0000000000: a placeholder for "no number", never a caller
        return None
    return number if phonenumbers.is_possible_number(number) else None
