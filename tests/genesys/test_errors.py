"""Each error class built from a realistic Genesys envelope: its fields, its one-line str, its advice."""

from __future__ import annotations

import json
from typing import Any

import pytest

from wrapup_bridge.genesys.errors import (
    AmbiguousWrite,
    AuthenticationError,
    BudgetExceeded,
    DetailsFormatError,
    DetailsJobError,
    DetailsJobFailed,
    DetailsJobTimeout,
    DetailsQueryRejected,
    GenesysAPIError,
    GenesysError,
    NotFound,
    PermissionDenied,
    RateLimited,
    Rejected,
    TransportFailure,
    Unavailable,
    api_error_from_response,
)

from .fakes import CID, COMM, PID, RESOLVED, WRAPUP_PATH, FakeClock, FakeGenesys, envelope, error, make_client, run

CORR = "9c0d7b3e-1111-4222-8333-444455556666"


def make(
    status: int,
    code: str,
    message: str,
    *,
    method: str = "POST",
    path: str = WRAPUP_PATH,
    params: dict[str, str] | None = None,
    **extra: Any,
) -> GenesysAPIError:
    return api_error_from_response(
        status=status,
        body=envelope(status, code, message, params),
        headers={"ININ-Correlation-Id": CORR},
        method=method,
        path=path,
        host="api.mypurecloud.ie",
        **extra,
    )


def test_envelope_fields_and_one_line_str() -> None:
    err = make(400, "bad.request", "The request could not be understood\nby the server.", sent_code=RESOLVED)
    assert isinstance(err, Rejected)
    assert (err.status, err.code, err.context_id, err.correlation_id) == (400, "bad.request", "ctx-7f3e2a", CORR)
    assert (err.method, err.path) == ("POST", WRAPUP_PATH)
    text = str(err)
    assert "\n" not in text
    assert text.startswith("400 bad.request: The request could not be understood by the server.")
    assert CORR in text and WRAPUP_PATH in text
    data = err.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["status"] == 400 and data["code"] == "bad.request" and data["contextId"] == "ctx-7f3e2a"
    assert data["correlationId"] == CORR and data["messageParams"] == {}
    assert data["request"] == {"method": "POST", "path": WRAPUP_PATH, "host": "api.mypurecloud.ie", "attempts": 1}
    assert data["type"] == "Rejected" and data["retryable"] is False and data["explanation"] == err.explain()


@pytest.mark.parametrize(
    ("status", "cls", "retryable"),
    [
        (400, Rejected, False),
        (401, AuthenticationError, False),
        (403, PermissionDenied, False),
        (404, NotFound, False),
        (409, Rejected, False),
        (422, Rejected, False),
        (429, RateLimited, True),
        (500, Unavailable, True),
        (503, Unavailable, True),
    ],
)
def test_status_selects_the_class(status: int, cls: type[GenesysAPIError], retryable: bool) -> None:
    err = make(status, "x", "y")
    assert type(err) is cls
    assert isinstance(err, GenesysError)
    assert err.retryable is retryable


def test_missing_permissions_parsed_and_explained_per_division() -> None:
    err = make(
        403,
        "missing.permissions",
        "Unable to perform the requested action. You are missing the following permission(s): "
        "[conversation:participant:wrapup]",
        params={"permissions": "conversation:participant:wrapup"},
    )
    assert isinstance(err, PermissionDenied)
    assert err.missing_permissions == ("conversation:participant:wrapup",)
    advice = err.explain()
    assert "conversation:participant:wrapup" in advice
    assert "per division" in advice and "OAuth client" in advice
    assert err.to_dict()["missingPermissions"] == ["conversation:participant:wrapup"]


def test_any_permissions_listed_as_alternatives() -> None:
    err = make(
        403,
        "missing.any.permissions",
        "You must have at least one of the following permissions assigned: "
        "[analytics:conversationDetail:view, analytics:agentConversationDetail:view]",
        method="GET",
        path="/api/v2/analytics/conversations/details",
    )
    assert isinstance(err, PermissionDenied)
    assert err.missing_permissions == ("analytics:conversationDetail:view", "analytics:agentConversationDetail:view")
    assert "analytics:conversationDetail:view or analytics:agentConversationDetail:view" in err.explain()


def test_403_without_names_guesses_from_the_path() -> None:
    err = make(403, "not.authorized", "You are not authorized to perform the requested action.")
    advice = err.explain()
    assert "likely lacks conversation:participant:wrapup" in advice
    assert "client-credentials client wrap up an agent" in advice
    codes = make(403, "not.authorized", "Not authorized", method="GET", path="/api/v2/routing/wrapupcodes")
    assert "routing:wrapupCode:view" in codes.explain()
    conv = make(403, "not.authorized", "Not authorized", method="GET", path=f"/api/v2/conversations/{CID}")
    assert "conversation:communication:view" in conv.explain()


def test_code_name_sent_instead_of_id() -> None:
    err = make(400, "invalid.value", "Value [Resolved] is not valid for field type [code].", sent_code="Resolved")
    advice = err.explain()
    assert "'Resolved'" in advice and "not an id" in advice and "GET /api/v2/routing/wrapupcodes" in advice


def test_system_codes_are_not_mistaken_for_names() -> None:
    err = make(400, "bad.request", "Bad request", sent_code="ININ-WRAP-UP-TIMEOUT")
    assert "not an id" not in err.explain()


def test_interaction_level_wrapup() -> None:
    for path in (f"/api/v2/conversations/{CID}/wrapup", f"/api/v2/interactions/{CID}/wrapup"):
        err = make(404, "not.found", "The requested resource was not found.", path=path)
        advice = err.explain()
        assert "belongs to a participant" in advice
        assert f"/api/v2/conversations/{{media}}/{CID}/participants/" in advice


def test_generic_communication_wrapup_endpoint_does_not_exist() -> None:
    path = f"/api/v2/conversations/{CID}/participants/{PID}/communications/{COMM}/wrapup"
    err = make(404, "not.found", "not found", path=path)
    advice = err.explain()
    assert "no generic" in advice
    assert f"POST /api/v2/conversations/{{media}}/{CID}/participants/{PID}/communications/{COMM}/wrapup" in advice
    assert f"PATCH /api/v2/conversations/{CID}/participants/{PID}" in advice


def test_wrong_media_path_segment() -> None:
    path = WRAPUP_PATH.replace("/calls/", "/voice/")
    advice = make(404, "not.found", "not found", path=path).explain()
    assert "'voice'" in advice and "'calls'" in advice


def test_404_on_a_right_shaped_wrapup_names_the_checks() -> None:
    advice = make(404, "not.found", "The requested resource was not found.").explain()
    assert "agent participant" in advice and "'calls' array" in advice
    assert f"GET /api/v2/conversations/{CID}" in advice


def test_participant_not_an_agent() -> None:
    advice = make(400, "bad.request", "Participant is not an agent participant.", sent_code=RESOLVED).explain()
    assert "likely not the agent" in advice and "purpose 'agent'" in advice


def test_code_not_allowed_on_queue() -> None:
    advice = make(400, "invalid.value", "Wrap-up code is not valid for the queue.", sent_code=RESOLVED).explain()
    assert f"GET /api/v2/conversations/{CID}/participants/{PID}/wrapupcodes" in advice
    assert "likely not allowed" in advice


def test_conversation_or_acw_over() -> None:
    advice = make(409, "conflict", "Conversation has ended.", sent_code=RESOLVED).explain()
    assert "likely already over" in advice and "not documented" in advice
    plain_409 = make(409, "conflict", "Conflict", sent_code=RESOLVED).explain()
    assert "Likely a state conflict" in plain_409


def test_unclear_rejection_lists_the_checks_hedged() -> None:
    advice = make(422, "payload.or.params.invalid", "Invalid payload", sent_code=RESOLVED).explain()
    assert advice.startswith("Genesys rejected the wrap-up. Check")
    assert "by id" in advice and "wrapupcodes" in advice and "agent" in advice


def test_bad_client_credentials_or_wrong_region() -> None:
    err = api_error_from_response(
        status=400,
        body={"error": "invalid_client", "description": "client not found", "error_description": "client not found"},
        headers={},
        method="POST",
        path="/oauth/token",
        host="login.mypurecloud.ie",
        error_class=AuthenticationError,
    )
    assert isinstance(err, AuthenticationError)
    assert err.code == "invalid_client" and err.message == "client not found"
    advice = err.explain()
    assert "login.mypurecloud.ie" in advice and "GENESYSCLOUD_REGION" in advice
    assert "GENESYSCLOUD_OAUTHCLIENT_SECRET" in advice


def test_expired_token() -> None:
    err = make(
        401,
        "credentials.expired",
        "The supplied credentials are expired.",
        method="GET",
        path=f"/api/v2/conversations/{CID}",
    )
    assert "expired or was revoked" in err.explain()
    other = make(
        401, "authentication.required", "No auth", method="GET", path="/api/v2/routing/wrapupcodes", after_refresh=True
    )
    assert "even after a fresh token" in other.explain()


def test_not_found_conversation_mentions_region() -> None:
    err = make(404, "not.found", "Conversation not found", method="GET", path=f"/api/v2/conversations/{CID}")
    assert "GENESYSCLOUD_REGION" in err.explain() and CID in err.explain()


def test_rate_limited_and_unavailable_say_retry_later() -> None:
    err = make(
        429, "too.many.requests", "Rate limit exceeded the maximum [300] requests within [60] seconds", budget=8.0
    )
    assert "429" in err.explain() and "8 s budget" in err.explain() and "retry later" in err.explain()
    down = make(503, "service.unavailable", "Service Unavailable", method="GET", path="/api/v2/routing/wrapupcodes")
    assert "retry later" in down.explain() and CORR in down.explain()


def test_transport_budget_and_ambiguous_errors() -> None:
    where = {"method": "GET", "path": "/api/v2/routing/wrapupcodes", "host": "api.mypurecloud.ie", "attempts": 3}
    failure = TransportFailure("no answer", cause="ConnectError: refused", **where)
    assert failure.retryable and "api.mypurecloud.ie" in str(failure) and "DNS" in failure.explain()
    budget = BudgetExceeded(budget=8.0, last_seen="429 too.many.requests", last_error=failure, **where)
    assert "8 s" in str(budget) and "429 too.many.requests" in budget.explain()
    assert budget.to_dict()["lastError"]["type"] == "TransportFailure"
    ambiguous = AmbiguousWrite(cause="the connection dropped", method="POST", path=WRAPUP_PATH, host="h")
    assert not ambiguous.retryable and not isinstance(ambiguous, TransportFailure)
    assert f"GET /api/v2/conversations/{CID}/participants/{PID}/wrapup" in ambiguous.explain()
    assert "before writing again" in ambiguous.explain()


def test_non_json_error_body_is_kept_as_text() -> None:
    err = api_error_from_response(
        status=502, body="<html>Bad Gateway</html>", headers={}, method="GET", path="/api/v2/x", reason="Bad Gateway"
    )
    assert isinstance(err, Unavailable)
    assert err.code is None and err.message == "<html>Bad Gateway</html>"
    assert err.to_dict()["body"] == "<html>Bad Gateway</html>"


def test_request_error_is_the_public_base_of_every_failed_request() -> None:
    """``except RequestError`` catches a request that failed, answered or not, and never a set-up problem."""
    import wrapup_bridge.genesys.errors as module
    from wrapup_bridge.core.errors import WrapupBridgeError
    from wrapup_bridge.genesys.catalog import CatalogFormatError, CatalogOffline
    from wrapup_bridge.genesys.errors import ConfigurationError, RequestError

    assert "RequestError" in module.__all__ and not hasattr(module, "_RequestError")
    for cls in (TransportFailure, BudgetExceeded, AmbiguousWrite, GenesysAPIError, PermissionDenied, Unavailable):
        assert issubclass(cls, RequestError)
    for cls in (ConfigurationError, CatalogOffline, CatalogFormatError):
        assert issubclass(cls, GenesysError) and not issubclass(cls, RequestError)
    assert issubclass(GenesysError, WrapupBridgeError)
    err = make(409, "conflict", "Resource conflict")
    with pytest.raises(RequestError) as caught:
        raise err
    assert (caught.value.method, caught.value.path, caught.value.host) == ("POST", WRAPUP_PATH, "api.mypurecloud.ie")


def test_the_subtree_draws_every_genesys_error() -> None:
    """The genesys.errors docstring names every class under GenesysError (the catalog, settings and region ones
    too), each under its base."""
    import wrapup_bridge.genesys.errors as module
    from wrapup_bridge.genesys.catalog import CatalogFormatError, CatalogOffline
    from wrapup_bridge.genesys.errors import ConfigurationError, RequestError
    from wrapup_bridge.genesys.regions import UnknownRegionError
    from wrapup_bridge.genesys.settings import SettingsError

    doc = module.__doc__ or ""
    drawn = {
        line.split("── ")[-1].split()[0]: line.index(line.split("── ")[-1])
        for line in doc.splitlines()
        if "── " in line
    }
    expected = {
        ConfigurationError,
        SettingsError,
        UnknownRegionError,
        CatalogOffline,
        CatalogFormatError,
        RequestError,
        TransportFailure,
        BudgetExceeded,
        AmbiguousWrite,
        GenesysAPIError,
        AuthenticationError,
        PermissionDenied,
        NotFound,
        Rejected,
        RateLimited,
        Unavailable,
        DetailsQueryRejected,
        DetailsFormatError,
        DetailsJobError,
        DetailsJobFailed,
        DetailsJobTimeout,
    }
    assert set(drawn) == {cls.__name__ for cls in expected}
    for cls in expected:
        parent = cls.__bases__[0]
        if parent is not GenesysError:
            assert drawn[cls.__name__] > drawn[parent.__name__], f"{cls.__name__} is not drawn under {parent.__name__}"


def test_errors_are_built_whole_not_changed_after() -> None:
    """A 429's Retry-After is given when the error is built; a sealed error refuses a later change."""
    err = make(429, "too.many.requests", "Rate limit exceeded", retry_after=30.0)
    assert isinstance(err, RateLimited) and err.retry_after == 30.0
    with pytest.raises(AttributeError, match="immutable"):
        err.retry_after = 1.0  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        err.elapsed = 1.0


@pytest.mark.parametrize("answer", ["503", "no answer"])
def test_the_error_raised_after_retries_says_how_long_they_took(answer: str) -> None:
    """``elapsed`` is given when the last attempt's error is built (nothing waits between that and the raise)."""
    import httpx

    fake = FakeGenesys(clock=FakeClock())
    step = (
        error(503, "service.unavailable", "Service Unavailable") if answer == "503" else httpx.ConnectError("refused")
    )
    fake.script("GET", "/api/v2/routing/wrapupcodes", step)
    client = make_client(fake, max_attempts=3)

    async def go() -> None:
        async with client:
            await client.request("GET", "/api/v2/routing/wrapupcodes")

    with pytest.raises((Unavailable, TransportFailure)) as caught:
        run(go())
    assert caught.value.attempts == 3 and fake.clock.sleeps
    assert fake.clock.monotonic() > 1000.0  # the retries waited ...
    assert caught.value.elapsed == pytest.approx(fake.clock.monotonic() - 1000.0)  # ... and the error says how long
