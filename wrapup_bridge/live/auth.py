"""Who may post dispositions: Twilio's request signature, a shared secret, a bearer token.

Each check answers with a ``Denied`` naming what is missing or wrong in words a person can act on, and never
the secret, the expected signature or the value that was sent: those would hand an attacker an oracle and
put secrets in logs. Secrets are compared with ``hmac.compare_digest`` (constant time).

Twilio's signature is checked by the ``twilio`` package's own ``RequestValidator`` (an optional dependency,
imported on the first Twilio request), so its rules stay Twilio's: the full URL Twilio requested plus the
sorted form parameters, HMAC-SHA1 with the Auth Token (or HMAC-SHA256 with a SharedKey when the request says
so in ``X-Twilio-Webhooks-Signature-Settings``), the URL tried with and without the default port, and for JSON
bodies the ``bodySHA256`` query parameter checked against the raw body.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = [
    "SIGNATURE_HEADER",
    "SIGNATURE_SETTINGS_HEADER",
    "Denied",
    "FormParams",
    "TwilioSignature",
    "check_bearer",
    "check_shared_secret",
]

SIGNATURE_HEADER = "X-Twilio-Signature"
SIGNATURE_SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"


@dataclass(frozen=True)
class Denied:
    """Why a request was refused (403), naming the header or parameter at fault, never its value."""

    reason: str
    field: str | None = None


class FormParams(dict[str, list[str]]):
    """Form parameters with every value of a repeated key, as ``RequestValidator`` reads them (``getlist``)."""

    @classmethod
    def from_pairs(cls, pairs: Sequence[tuple[str, str]]) -> FormParams:
        params = cls()
        for key, value in pairs:
            params.setdefault(key, []).append(value)
        return params

    def getlist(self, key: str) -> list[str]:
        return list(self.get(key, []))

    def first(self) -> dict[str, str]:
        """One value per key (the first), the shape the adapters read."""
        return {key: values[0] for key, values in self.items() if values}


def _twilio_module() -> Any:
    """twilio's request validator module; ``MissingDependency`` (a ``RuntimeError``) naming the extra when absent."""
    from wrapup_bridge._optional import require

    return require("twilio.request_validator", extra="twilio", purpose="checking Twilio signatures")


class TwilioSignature:
    """Checks ``X-Twilio-Signature`` with the Auth Token (and a SharedKey secret, when one is configured)."""

    def __init__(self, auth_token: str, *, shared_key: str | None = None) -> None:
        if not auth_token:
            raise ValueError("a Twilio Auth Token is needed to check signatures")
        module = _twilio_module()
        self._module = module
        self._validator = module.RequestValidator(auth_token)
        self._shared = module.RequestValidator(shared_key) if shared_key else None

    def __repr__(self) -> str:
        return "TwilioSignature(auth_token=**********)"

    def check(
        self, url: str, headers: Mapping[str, str], *, form: FormParams | None = None, raw_body: str | None = None
    ) -> Denied | None:
        """None when ``url`` (as Twilio requested it) and the body carry a valid signature, else why not.

        Pass ``form`` for form-encoded bodies, ``raw_body`` for JSON bodies (which must come with
        ``bodySHA256`` in the URL's query: without it nothing covers the body).
        """
        signature = headers.get(SIGNATURE_HEADER.lower(), "")
        if not signature:
            return Denied(f"missing {SIGNATURE_HEADER} header: the request is not signed by Twilio", SIGNATURE_HEADER)
        settings = headers.get(SIGNATURE_SETTINGS_HEADER.lower())
        algorithm = self._module.get_signature_algorithm(settings) if settings else None
        validator = self._shared if settings and self._shared is not None else self._validator
        if raw_body is not None:
            if "bodySHA256" not in parse_qs(urlsplit(url).query):
                return Denied(
                    "a JSON body must be signed with bodySHA256 in the URL's query; this request has none",
                    "bodySHA256",
                )
            params: Any = raw_body
        else:
            params = form if form is not None else FormParams()
        try:
            valid = bool(validator.validate(url, params, signature, algorithm))
        except (TypeError, ValueError):
            valid = False
        if not valid:
            return Denied(
                f"{SIGNATURE_HEADER} does not match this URL and body (tampered, signed with another token, or the "
                "public URL differs from what Twilio called: set the public URL behind proxies)",
                SIGNATURE_HEADER,
            )
        return None


def _same(given: str, expected: str) -> bool:
    # surrogatepass: a Lambda event's JSON can carry a lone surrogate (\udc80), which plain UTF-8 cannot encode.
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


def check_shared_secret(
    expected: str, headers: Mapping[str, str], query: Mapping[str, list[str]], *, header: str, param: str
) -> Denied | None:
    """The shared secret from ``header``, else from the ``param`` query parameter (for senders that cannot set
    headers, such as Five9 web connectors); None when it matches."""
    given = headers.get(header.lower())
    if given is None:
        values = query.get(param) or []
        given = values[0] if len(values) == 1 else None
    if not given:
        return Denied(f"missing shared secret: send it in the {header} header or the {param!r} query parameter", header)
    if not _same(given, expected):
        return Denied("the shared secret does not match", header)
    return None


def check_bearer(expected: str, headers: Mapping[str, str]) -> Denied | None:
    """``Authorization: Bearer <token>``; None when the token matches."""
    value = headers.get("authorization", "")
    scheme, _, token = value.strip().partition(" ")
    if not value:
        return Denied("missing Authorization header (expected: Bearer <token>)", "Authorization")
    if scheme.lower() != "bearer" or not token.strip():
        return Denied("the Authorization header is not a bearer token", "Authorization")
    if not _same(token.strip(), expected):
        return Denied("the bearer token does not match", "Authorization")
    return None
