"""The org's outbound wrap-up code mapping: ``GET`` and ``PUT /api/v2/outbound/wrapupcodemappings``.

One object per org (no id in the path, no POST or DELETE: VERIFIED from the SDK's ``OutboundApi``), read with
``outbound:wrapUpCodeMapping:view`` and written with ``outbound:wrapUpCodeMapping:edit`` (VERIFIED, the CLI SDK's
per-operation permissions). A PUT must carry the ``version`` it read ("required for updates, must match the version
number of the most recent update", the SDK's docstring); what answers a stale one is UNSURE: 409 ("Unexpected version
was provided", the swagger's 409), or a 400 saying the version "does not match the current version" (the two the
Terraform provider's ``IsVersionMismatch`` retries; docs/reference-outbound.md §1.4). ``is_version_conflict`` knows
both.

The PUT is sent once: a PUT whose answer never came is not repeated with the same version (the retry could meet
its own write as a version conflict, or, on a replace reading, undo a change made in between); the client raises
``AmbiguousWrite`` instead, and the caller reads the mapping back to see whether it was applied.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from wrapup_bridge.core.outbound.diff import CurrentMapping
from wrapup_bridge.genesys.catalog import CatalogFormatError
from wrapup_bridge.genesys.errors import GenesysAPIError, GenesysError, NotFound, PermissionDenied, Rejected

if TYPE_CHECKING:
    from wrapup_bridge.genesys.http import GenesysClient

__all__ = [
    "EDIT_PERMISSION",
    "PATH",
    "VIEW_PERMISSION",
    "explain_outbound_error",
    "is_version_conflict",
    "read_mapping",
    "write_mapping",
]

PATH = "/api/v2/outbound/wrapupcodemappings"
VIEW_PERMISSION = "outbound:wrapUpCodeMapping:view"
EDIT_PERMISSION = "outbound:wrapUpCodeMapping:edit"

#: The provider's 400 test (``util.IsVersionMismatch``), widened to the words a version refusal may use.
_VERSION_WORDS = re.compile(
    r"does not match the current version|\bversion\b.*\b(?:mismatch|stale|expected|conflict)", re.I
)


def _read(body: Any, method: str) -> CurrentMapping:
    try:
        return CurrentMapping.from_json(body)
    except ValueError as exc:
        raise CatalogFormatError(f"{method} {PATH} answered a body that is not a WrapUpCodeMapping: {exc}") from None


async def read_mapping(client: GenesysClient) -> CurrentMapping:
    """The org's mapping as it is now (``raw`` holds the answer untouched)."""
    return _read(await client.get_json(PATH), "GET")


async def write_mapping(client: GenesysClient, body: dict[str, Any]) -> CurrentMapping:
    """PUT ``body`` (the whole object, with the ``version`` it was read at); the mapping Genesys answers with.

    Raises ``GenesysAPIError`` as answered (``is_version_conflict`` tells a stale version), and ``AmbiguousWrite``
    when the PUT was sent but no answer came: read the mapping back before deciding anything."""
    response = await client.request("PUT", PATH, json=body, idempotent=False)
    return _read(response.json, "PUT")


def is_version_conflict(error: BaseException) -> bool:
    """Whether a refused PUT says the ``version`` it carried is not the org's: a 409, or a 400 whose message says
    so (both UNSURE; the provider retries on either)."""
    if not isinstance(error, GenesysAPIError):
        return False
    return error.status == 409 or (error.status == 400 and bool(_VERSION_WORDS.search(error.message)))


def explain_outbound_error(error: GenesysError) -> str:
    """What went wrong reading or writing the mapping, in a sentence or two: Genesys's own answer (status, code,
    message, contextId, correlation id) and the likely cause."""
    if not isinstance(error, GenesysAPIError):
        return f"{error} {error.explain()}"
    context = f"; contextId {error.context_id}" if error.context_id else ""
    said = f"Genesys answered {error}{context}."
    if is_version_conflict(error):
        return (
            f"{said} The org's wrap-up code mapping changed since it was read (saved by someone else, or by another "
            "apply): nothing was changed by this one. Run `wrapup-bridge outbound plan` again, review the new diff, "
            "and apply that plan."
        )
    if isinstance(error, PermissionDenied):
        return f"{said} {error.explain()}"
    if isinstance(error, NotFound):
        return (
            f"{said} Likely this org has no outbound dialing (the endpoint exists only with Genesys Cloud Outbound), "
            "or the API base is not the org's region: check GENESYSCLOUD_REGION."
        )
    if isinstance(error, Rejected) and error.status in (400, 422):
        return (
            f"{said} Genesys refused the mapping itself: likely a flag it does not take (the six are CONTACT_"
            "UNCALLABLE, NUMBER_UNCALLABLE, RIGHT_PARTY_CONTACT, BUSINESS_SUCCESS, BUSINESS_FAILURE, BUSINESS_NEUTRAL), "
            "two BUSINESS_* flags on one code, or a code id the org does not have (check the table's ids with "
            "`wrapup-bridge catalog export`). Nothing was changed."
        )
    return f"{said} {error.explain()}"
