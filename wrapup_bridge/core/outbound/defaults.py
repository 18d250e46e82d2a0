"""Built-in defaults: which outbound flags a legacy disposition's redial meaning becomes when the table does not say.

Every row here is OURS (docs/reference-outbound.md §4 and the end of §3): our reading of what the legacy type does
to redialing against what each Genesys flag does, not a vendor fact. So a default is used only where the table's
``outbound:`` section is silent, and every plan names each default it used, for a person to confirm or override
(``outbound.types`` / ``outbound.outcomes`` / ``outbound.codes``). The legacy facts the rows rest on are VERIFIED:
the seven Five9 ``customDispositionType`` values (Configuration Web Services WSDL and docs, reference §2.1) and
the CXone system disposition classifications 1-11, reporting groups and Personal Connection system outcomes
(NICE help pages, reference §3, shared/reference/cxone.md §3).
"""

from __future__ import annotations

from dataclasses import dataclass

from wrapup_bridge.core.normalize import normalize_text
from wrapup_bridge.core.outbound.flags import OutboundFlag

__all__ = [
    "CXONE_OUTCOME_DEFAULTS",
    "FIVE9_DISPOSITION_TYPES",
    "FIVE9_TYPE_DEFAULTS",
    "REFERENCE",
    "Default",
    "cxone_default",
    "five9_type",
]

#: Where the reasoning behind every default is written down.
REFERENCE = "docs/reference-outbound.md §4"

_C, _N, _R = OutboundFlag.CONTACT_UNCALLABLE, OutboundFlag.NUMBER_UNCALLABLE, OutboundFlag.RIGHT_PARTY_CONTACT
_SUCCESS, _FAILURE = OutboundFlag.BUSINESS_SUCCESS, OutboundFlag.BUSINESS_FAILURE


@dataclass(frozen=True)
class Default:
    """A built-in default: the flags, and what the move loses (said in the plan next to the default)."""

    flags: tuple[OutboundFlag, ...]
    caveat: str = ""


#: Five9's ``customDispositionType`` values, exact spelling and WSDL order (VERIFIED; reference §2.1).
FIVE9_DISPOSITION_TYPES: tuple[str, ...] = (
    "FinalDisp",
    "FinalApplyToCampaigns",
    "AddActiveNumber",
    "AddAndFinalize",
    "AddAllNumbers",
    "DoNotDial",
    "RedialNumber",
)

_DNC = "a wrap-up mapping adds nothing to a Genesys DNC list (a dialer rule action would; not done here)"

#: Five9 type -> flags (OURS, reference §4's table, row for row).
FIVE9_TYPE_DEFAULTS: dict[str, Default] = {
    "FinalDisp": Default(
        (_R,),
        "Genesys's right party contact resets when the campaign recycles; whether Five9's survives a list "
        "reset is unknown",
    ),
    "FinalApplyToCampaigns": Default(
        (_C,),
        "Five9's scope is every campaign holding the disposition; Genesys's is every campaign on the contact list",
    ),
    "AddActiveNumber": Default((_N,), _DNC),
    "AddAndFinalize": Default(
        (_N, _R), "that the dialed number goes on the DNC list is a reading of Five9's docs; " + _DNC
    ),
    "AddAllNumbers": Default((_C,), _DNC),
    "DoNotDial": Default(
        (_N,), "Genesys keeps the number uncallable across runs and campaigns (stricter); a Five9 redial timer is lost"
    ),
    "RedialNumber": Default(
        (), "callable again; Five9's redial attempts and timer have no wrap-up mapping equivalent and are dropped"
    ),
}

_RETRY = Default((), "a retry: callable again")

#: CXone classification, system outcome or reporting group (normalized text) -> flags (OURS, reference §3's reading).
#: Classifications 1-11 and the first five reporting groups are VERIFIED names; the Personal Connection system
#: outcomes too. A disposition is read by its classification first, then its system outcome, then its group.
CXONE_OUTCOME_DEFAULTS: dict[str, Default] = {
    normalize_text(name): default
    for name, default in (
        # classifications (system disposition values 1-11)
        ("Positive w/Amount", Default((_R, _SUCCESS))),
        ("Positive no Amount", Default((_R, _SUCCESS))),
        ("Negative - DNC - Skill", Default((_C,), "do not call via this skill/campaign; " + _DNC)),
        ("Negative - DNC - BU", Default((_C,), "do not call on the whole business unit; " + _DNC)),
        ("Negative", Default((_R, _FAILURE))),
        ("Other", Default((_N,), "CXone: 'destination/phone number final only'")),
        ("Retry - Rescheduled Agent Specific", _RETRY),
        ("Retry - Rescheduled Specified Date/Time - Any Agent", _RETRY),
        ("Retry - Rescheduled Later Date/Time Unspecified", _RETRY),
        ("Retry - Not Available", _RETRY),
        ("Retry - Answering Machine", _RETRY),
        # Personal Connection system outcomes
        ("Commitment", Default((_R, _SUCCESS))),
        ("Refusal", Default((_R, _FAILURE))),
        ("Wrong Number", Default((_N,))),
        ("Reschedule", _RETRY),
        ("Do Not Call (DNC)", Default((_C,), "do not call via this campaign; " + _DNC)),
        ("Do Not Call Ever", Default((_C,), "do not call this number on the whole tenant; " + _DNC)),
        # reporting groups
        ("Positive Outcome", Default((_R, _SUCCESS))),
        ("Negative Outcome", Default((_R, _FAILURE))),
        ("Agent Retry", _RETRY),
        ("Connection Retry", _RETRY),
        ("System Retry", _RETRY),
    )
}


def five9_type(text: str) -> str | None:
    """Five9's spelling of a disposition type written in any case (``finaldisp`` -> ``FinalDisp``); None for text
    that is no Five9 type."""
    wanted = text.strip().casefold()
    return next((kind for kind in FIVE9_DISPOSITION_TYPES if kind.casefold() == wanted), None)


def cxone_default(text: str) -> Default | None:
    """The built-in default of a CXone classification, system outcome or reporting group; None when there is none."""
    return CXONE_OUTCOME_DEFAULTS.get(normalize_text(text))
