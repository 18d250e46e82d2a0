"""Signature and secret checks, against Twilio's published test vectors (twilio-python's request validator tests)."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from wrapup_bridge.live.auth import FormParams, TwilioSignature, check_bearer, check_shared_secret

# twilio/twilio-python tests/unit/test_request_validator.py
TOKEN = "12345"
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675309",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
}
SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
BODY = '{"property": "value", "boolean": true}'
BODY_HASH = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
BODY_SIGNATURE = "a9nBmqA0ju/hNViExpshrM61xv4="


def form(params: dict[str, str]) -> FormParams:
    return FormParams.from_pairs(list(params.items()))


def headers(signature: str) -> dict[str, str]:
    return {"x-twilio-signature": signature}


def test_reference_vector_is_valid() -> None:
    assert TwilioSignature(TOKEN).check(URL, headers(SIGNATURE), form=form(PARAMS)) is None


def test_reference_vector_with_the_default_port_is_valid() -> None:
    url = URL.replace("mycompany.com", "mycompany.com:443")
    assert TwilioSignature(TOKEN).check(url, headers(SIGNATURE), form=form(PARAMS)) is None


@pytest.mark.parametrize("key", sorted(PARAMS))
def test_one_parameter_changed_is_refused(key: str) -> None:
    tampered = {**PARAMS, key: PARAMS[key] + "9"}
    denied = TwilioSignature(TOKEN).check(URL, headers(SIGNATURE), form=form(tampered))
    assert denied is not None and denied.field == "X-Twilio-Signature"


def test_an_added_parameter_is_refused() -> None:
    denied = TwilioSignature(TOKEN).check(URL, headers(SIGNATURE), form=form({**PARAMS, "Extra": "x"}))
    assert denied is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://mycompany.com/myapp.php?foo=1&bar=3",
        "http://mycompany.com/myapp.php?foo=1&bar=2",
        "https://evil.example/myapp.php?foo=1&bar=2",
        "https://mycompany.com/other.php?foo=1&bar=2",
    ],
)
def test_wrong_url_is_refused(url: str) -> None:
    denied = TwilioSignature(TOKEN).check(url, headers(SIGNATURE), form=form(PARAMS))
    assert denied is not None
    assert "public URL" in denied.reason  # says what to check behind a proxy


def test_another_token_is_refused() -> None:
    assert TwilioSignature("54321").check(URL, headers(SIGNATURE), form=form(PARAMS)) is not None


@pytest.mark.parametrize("given", [{}, {"x-twilio-signature": ""}])
def test_missing_header_is_refused_naming_it(given: dict[str, str]) -> None:
    denied = TwilioSignature(TOKEN).check(URL, given, form=form(PARAMS))
    assert denied is not None
    assert denied.field == "X-Twilio-Signature" and "missing" in denied.reason


def test_json_variant_reference_vector() -> None:
    url = f"{URL}&bodySHA256={BODY_HASH}"
    assert TwilioSignature(TOKEN).check(url, headers(BODY_SIGNATURE), raw_body=BODY) is None


def test_json_variant_with_a_changed_body_is_refused() -> None:
    url = f"{URL}&bodySHA256={BODY_HASH}"
    changed = BODY.replace("value", "other")
    assert TwilioSignature(TOKEN).check(url, headers(BODY_SIGNATURE), raw_body=changed) is not None


def test_json_body_without_body_hash_is_refused() -> None:
    # Nothing would cover the body: the signature of the bare URL must not be enough.
    signature = RequestValidator(TOKEN).compute_signature(URL, {})
    denied = TwilioSignature(TOKEN).check(URL, headers(signature), raw_body=BODY)
    assert denied is not None and denied.field == "bodySHA256"


def test_repeated_parameters_are_all_signed() -> None:
    pairs = [("To", "+1"), ("To", "+2"), ("From", "+3")]
    params = FormParams.from_pairs(pairs)
    signature = RequestValidator(TOKEN).compute_signature(URL, params)
    assert TwilioSignature(TOKEN).check(URL, headers(signature), form=params) is None
    one_dropped = FormParams.from_pairs(pairs[1:])
    assert TwilioSignature(TOKEN).check(URL, headers(signature), form=one_dropped) is not None


def test_shared_key_signing_uses_hmac_sha256_and_the_shared_key() -> None:
    shared = "webhooks-shared-key-secret"
    signature = RequestValidator(shared).compute_signature(URL, PARAMS, "HMAC_SHA256")
    settings = {"x-twilio-webhooks-signature-settings": "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256"}
    checker = TwilioSignature(TOKEN, shared_key=shared)
    assert checker.check(URL, {**headers(signature), **settings}, form=form(PARAMS)) is None
    # Without the settings header it is an Auth Token signature, and this one is not.
    assert checker.check(URL, headers(signature), form=form(PARAMS)) is not None


def test_repr_hides_the_token() -> None:
    assert TOKEN not in repr(TwilioSignature(TOKEN))


def test_shared_secret_from_header_or_query() -> None:
    assert check_shared_secret("s3", {"x-secret": "s3"}, {}, header="X-Secret", param="secret") is None
    assert check_shared_secret("s3", {}, {"secret": ["s3"]}, header="X-Secret", param="secret") is None
    wrong = check_shared_secret("s3", {"x-secret": "s4"}, {}, header="X-Secret", param="secret")
    assert wrong is not None and "s4" not in wrong.reason and "s3" not in wrong.reason
    missing = check_shared_secret("s3", {}, {}, header="X-Secret", param="secret")
    assert missing is not None and "missing" in missing.reason
    # An ambiguous query (the parameter twice) is no secret at all.
    assert check_shared_secret("s3", {}, {"secret": ["s3", "s3"]}, header="X-Secret", param="secret") is not None


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("Bearer tok-1", True),
        ("bearer tok-1", True),
        ("Bearer  tok-1 ", True),
        ("Bearer tok-2", False),
        ("Basic dG9rLTE=", False),
        ("Bearer", False),
        ("tok-1", False),
    ],
)
def test_bearer(value: str, ok: bool) -> None:
    denied = check_bearer("tok-1", {"authorization": value})
    assert (denied is None) is ok
    if denied is not None:
        assert "tok-1" not in denied.reason and denied.field == "Authorization"


def test_bearer_missing() -> None:
    denied = check_bearer("tok-1", {})
    assert denied is not None and "missing" in denied.reason
