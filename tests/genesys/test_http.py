"""GenesysClient against a scripted Genesys (httpx.MockTransport) on a fake clock: retries, budget, auth."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from typing import Any

import httpx
import pytest

from wrapup_bridge.genesys.errors import (
    AmbiguousWrite,
    AuthenticationError,
    BudgetExceeded,
    GenesysError,
    RateLimited,
    Rejected,
    TransportFailure,
    Unavailable,
)
from wrapup_bridge.genesys.http import GenesysClient

from .fakes import (
    CLIENT_SECRET,
    RESOLVED,
    WRAPUP_PATH,
    FakeClock,
    FakeGenesys,
    answer,
    error,
    make_client,
    run,
)

CODES = "/api/v2/routing/wrapupcodes"
OK = answer(200, {"entities": [], "pageCount": 1, "pageNumber": 1}, correlation_id="corr-ok")
ACCEPTED = answer(202, correlation_id="corr-accepted")


def too_many(**headers: str) -> httpx.Response:
    return error(
        429,
        "too.many.requests.retry.after" if "Retry-After" in headers else "too.many.requests",
        "Rate limit exceeded the maximum [300] requests within [60] seconds",
        {"limit": "300", "window": "60"},
        headers=headers,
        correlation_id="corr-429",
    )


def unavailable(status: int = 503, **headers: str) -> httpx.Response:
    return error(status, "service.unavailable", "Service Unavailable", headers=headers, correlation_id=f"corr-{status}")


@pytest.fixture
def fake() -> FakeGenesys:
    return FakeGenesys(clock=FakeClock())


def call(client: GenesysClient, method: str, path: str, **kwargs: Any) -> Any:
    async def go() -> Any:
        async with client:
            return await client.request(method, path, **kwargs)

    return run(go())


def retry_sleeps(fake: FakeGenesys) -> list[float]:
    """Sleeps longer than pacing (the limiter paces at ~0.2 s; retries wait longer in these tests)."""
    return [s for s in fake.clock.sleeps if s > 0.21]


# -- success -------------------------------------------------------------------------------------------------------


def test_success_carries_json_headers_and_correlation_id(fake: FakeGenesys) -> None:
    fake.script("GET", CODES, OK)
    response = call(make_client(fake), "GET", CODES, params={"pageSize": 100})
    assert response.status == 200 and response.json["pageCount"] == 1
    assert response.correlation_id == "corr-ok" and response.attempts == 1
    sent = fake.calls("GET", CODES)[0]
    assert sent.url.params["pageSize"] == "100"
    assert sent.headers["user-agent"].startswith("wrapup-bridge/")
    assert sent.headers["authorization"] == "Bearer tok-1"


def test_token_request_is_client_credentials_with_basic_auth(fake: FakeGenesys) -> None:
    fake.script("GET", CODES, OK)
    call(make_client(fake), "GET", CODES)
    token_request = fake.calls("POST", "/oauth/token")[0]
    expected = base64.b64encode(f"test-client-id:{CLIENT_SECRET}".encode()).decode()
    assert token_request.headers["authorization"] == f"Basic {expected}"
    assert token_request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert token_request.content == b"grant_type=client_credentials"


def test_accepted_wrapup_post_has_no_body(fake: FakeGenesys) -> None:
    fake.script("POST", WRAPUP_PATH, ACCEPTED)

    async def go() -> Any:
        async with make_client(fake) as client:
            return await client.post_json(WRAPUP_PATH, {"code": RESOLVED})

    response = run(go())
    assert response.status == 202 and response.json is None and response.correlation_id == "corr-accepted"
    assert json.loads(fake.calls("POST", WRAPUP_PATH)[0].content) == {"code": RESOLVED}


# -- 429 -----------------------------------------------------------------------------------------------------------


def test_retry_after_is_honoured(fake: FakeGenesys) -> None:
    fake.script("GET", CODES, too_many(**{"Retry-After": "3"}), OK)
    response = call(make_client(fake), "GET", CODES)
    assert response.attempts == 2
    assert 3.0 in fake.clock.sleeps
    assert len(fake.calls("GET", CODES)) == 2


def test_retry_after_as_http_date_is_understood(fake: FakeGenesys) -> None:
    fake.script("GET", CODES, too_many(**{"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}), OK)
    assert call(make_client(fake), "GET", CODES).attempts == 2  # a date in the past: retry at once


def test_ratelimit_reset_is_the_fallback(fake: FakeGenesys) -> None:
    fake.script("GET", CODES, too_many(**{"inin-ratelimit-reset": "2"}), OK)
    call(make_client(fake, reset_slack=1.0), "GET", CODES)
    assert 3.0 in fake.clock.sleeps


def test_429_without_hints_backs_off(fake: FakeGenesys) -> None:
    fake.script("GET", CODES, too_many(), too_many(), OK)
    response = call(make_client(fake, backoff_initial=0.5, backoff_max=4.0), "GET", CODES)
    assert response.attempts == 3


def test_429_until_the_budget_runs_out_raises_rate_limited_without_sleeping_past_it(fake: FakeGenesys) -> None:
    fake.script("GET", CODES, too_many(**{"Retry-After": "3"}))
    start = fake.clock.monotonic()
    with pytest.raises(RateLimited) as caught:
        call(make_client(fake, budget=8.0), "GET", CODES)
    err = caught.value
    assert fake.clock.monotonic() - start <= 8.0
    assert err.attempts == 3  # waits of 3 s fit twice into 8 s, a third would not
    assert err.correlation_id == "corr-429" and err.status == 429 and err.retryable
    assert "8 s budget" in err.explain()


def test_a_long_retry_after_is_not_started_when_it_would_end_past_the_budget(fake: FakeGenesys) -> None:
    fake.script("GET", CODES, too_many(**{"Retry-After": "30"}))
    with pytest.raises(RateLimited):
        call(make_client(fake, budget=8.0), "GET", CODES)
    assert retry_sleeps(fake) == []
    assert len(fake.calls("GET", CODES)) == 1


def test_a_larger_budget_rides_out_the_same_storm(fake: FakeGenesys) -> None:
    fake.script("GET", CODES, too_many(**{"Retry-After": "30"}), OK)
    assert call(make_client(fake, budget=8.0), "GET", CODES, budget=120.0).attempts == 2


def test_budget_exceeded_when_no_slot_is_free_within_the_budget(fake: FakeGenesys) -> None:
    fake.script("GET", CODES, too_many(**{"Retry-After": "30"}), OK)

    async def go() -> None:
        async with make_client(fake) as client:
            with pytest.raises(RateLimited):
                await client.request("GET", CODES)
            # The limiter now holds everyone for ~30 s: a second call cannot even start within 8 s.
            with pytest.raises(BudgetExceeded) as caught:
                await client.request("GET", CODES)
            assert "rate limiter" in caught.value.last_seen
            assert "8 s" in caught.value.explain()

    run(go())
    assert len(fake.calls("GET", CODES)) == 1


def test_write_is_retried_after_429_because_it_was_not_processed(fake: FakeGenesys) -> None:
    fake.script("POST", WRAPUP_PATH, too_many(**{"Retry-After": "1"}), ACCEPTED)
    response = call(make_client(fake), "POST", WRAPUP_PATH, json={"code": RESOLVED})
    assert response.status == 202 and len(fake.calls("POST", WRAPUP_PATH)) == 2


# -- 5xx -----------------------------------------------------------------------------------------------------------


def test_5xx_then_success(fake: FakeGenesys) -> None:
    fake.script("GET", CODES, unavailable(500), unavailable(502), OK)
    assert call(make_client(fake), "GET", CODES).attempts == 3


def test_backoff_grows_and_is_capped(fake: FakeGenesys) -> None:
    fake.script("GET", CODES, unavailable(500))
    with pytest.raises(Unavailable) as caught:
        call(make_client(fake, backoff_initial=0.5, backoff_max=2.0, max_attempts=8), "GET", CODES, budget=600.0)
    assert caught.value.attempts == 8
    waits = retry_sleeps(fake)
    assert len(waits) == 7
    assert all(w <= 2.0 for w in waits)
    assert waits[0] < 0.51 and max(waits[3:]) > 1.0  # it grew ...
    assert sum(waits) < 7 * 2.0  # ... with jitter below the cap


def test_5xx_until_the_budget_runs_out(fake: FakeGenesys) -> None:
    fake.script("GET", CODES, unavailable(503, **{"Retry-After": "5"}))
    with pytest.raises(Unavailable) as caught:
        call(make_client(fake), "GET", CODES)
    assert caught.value.attempts == 2 and caught.value.correlation_id == "corr-503"


def test_write_retried_on_503_with_retry_after(fake: FakeGenesys) -> None:
    fake.script("POST", WRAPUP_PATH, unavailable(503, **{"Retry-After": "1"}), ACCEPTED)
    assert call(make_client(fake), "POST", WRAPUP_PATH, json={"code": RESOLVED}).attempts == 2


@pytest.mark.parametrize("status", [500, 502, 504])
def test_write_not_retried_on_other_5xx(fake: FakeGenesys, status: int) -> None:
    fake.script("POST", WRAPUP_PATH, unavailable(status), ACCEPTED)
    with pytest.raises(AmbiguousWrite) as caught:
        call(make_client(fake), "POST", WRAPUP_PATH, json={"code": RESOLVED})
    err = caught.value
    assert err.status == status and err.correlation_id == f"corr-{status}"
    assert err.error is not None and err.to_dict()["error"]["status"] == status
    assert len(fake.calls("POST", WRAPUP_PATH)) == 1
    assert "re-read" in err.explain().lower()


# -- transport failures --------------------------------------------------------------------------------------------


def test_timeout_on_a_read_is_retried(fake: FakeGenesys) -> None:
    fake.script("GET", CODES, httpx.ReadTimeout("timed out"), OK)
    assert call(make_client(fake), "GET", CODES).attempts == 2


def test_dropped_connection_on_a_read_is_retried(fake: FakeGenesys) -> None:
    fake.script("GET", CODES, httpx.RemoteProtocolError("Server disconnected without sending a response."), OK)
    assert call(make_client(fake), "GET", CODES).attempts == 2


def test_dropped_connection_after_a_wrapup_post_is_ambiguous(fake: FakeGenesys) -> None:
    fake.script("POST", WRAPUP_PATH, httpx.RemoteProtocolError("Server disconnected without sending a response."))
    with pytest.raises(AmbiguousWrite) as caught:
        call(make_client(fake), "POST", WRAPUP_PATH, json={"code": RESOLVED})
    assert len(fake.calls("POST", WRAPUP_PATH)) == 1
    assert not isinstance(caught.value, TransportFailure)
    assert "RemoteProtocolError" in str(caught.value)


def test_timeout_after_a_wrapup_patch_is_ambiguous(fake: FakeGenesys) -> None:
    path = "/api/v2/conversations/c/participants/p"
    fake.script("PATCH", path, httpx.ReadTimeout("timed out"))
    with pytest.raises(AmbiguousWrite):
        call(make_client(fake), "PATCH", path, json={"wrapup": {"code": RESOLVED}})
    assert len(fake.calls("PATCH", path)) == 1


def test_a_post_that_only_reads_can_be_declared_idempotent(fake: FakeGenesys) -> None:
    path = "/api/v2/analytics/conversations/details/query"
    fake.script("POST", path, httpx.ReadError("reset by peer"), OK)
    assert call(make_client(fake), "POST", path, json={}, idempotent=True).attempts == 2


def test_connect_error_on_a_write_is_retried_because_nothing_was_sent(fake: FakeGenesys) -> None:
    fake.script("POST", WRAPUP_PATH, httpx.ConnectError("connection refused"), ACCEPTED)
    assert call(make_client(fake), "POST", WRAPUP_PATH, json={"code": RESOLVED}).attempts == 2


def test_network_down_raises_transport_failure(fake: FakeGenesys) -> None:
    fake.script("GET", CODES, httpx.ConnectError("connection refused"))
    with pytest.raises(TransportFailure) as caught:
        call(make_client(fake, max_attempts=3), "GET", CODES)
    assert caught.value.attempts == 3 and caught.value.retryable
    assert "genesys.test" in str(caught.value)


def test_timeouts_are_cut_to_the_remaining_budget(fake: FakeGenesys) -> None:
    seen: list[dict[str, Any]] = []

    def slow(request: httpx.Request) -> httpx.Response:
        seen.append(dict(request.extensions["timeout"]))
        fake.clock.advance(request.extensions["timeout"]["read"])  # the timeout really elapses
        raise httpx.ReadTimeout("timed out")

    fake.script("GET", CODES, slow)
    with pytest.raises(BudgetExceeded) as caught:
        call(make_client(fake, budget=3.0, read_timeout=10.0), "GET", CODES)
    assert seen[0]["read"] <= 3.0
    assert "no answer within the remaining" in caught.value.last_seen


# -- 4xx -----------------------------------------------------------------------------------------------------------


def test_4xx_is_not_retried_and_explains_a_code_name(fake: FakeGenesys) -> None:
    fake.script(
        "POST", WRAPUP_PATH, error(400, "invalid.value", "Value [Resolved] is not valid", correlation_id="c-400")
    )
    with pytest.raises(Rejected) as caught:
        call(make_client(fake), "POST", WRAPUP_PATH, json={"code": "Resolved", "notes": "private note"})
    err = caught.value
    assert err.sent_code == "Resolved" and err.correlation_id == "c-400"
    assert "'Resolved'" in err.explain() and "not an id" in err.explain()
    assert len(fake.calls("POST", WRAPUP_PATH)) == 1
    assert "private note" not in json.dumps(err.to_dict())


def test_path_must_be_relative(fake: FakeGenesys) -> None:
    with pytest.raises(ValueError, match="must start with '/'"):
        call(make_client(fake), "GET", "https://elsewhere.example/api")


# -- auth ----------------------------------------------------------------------------------------------------------


def test_401_renews_the_token_once_then_succeeds(fake: FakeGenesys) -> None:
    fake.script("GET", CODES, OK)

    async def go() -> None:
        async with make_client(fake) as client:
            await client.request("GET", CODES)
            fake.revoked.add("tok-1")
            response = await client.request("GET", CODES)
            assert response.attempts == 2
            assert client.auth.fetches == 2

    run(go())
    assert [r.headers["authorization"] for r in fake.calls("GET", CODES)] == [
        "Bearer tok-1",
        "Bearer tok-1",
        "Bearer tok-2",
    ]


def test_second_401_raises_authentication_error(fake: FakeGenesys) -> None:
    fake.script("GET", CODES, error(401, "bad.credentials", "Invalid login credentials.", correlation_id="c-401"))
    with pytest.raises(AuthenticationError) as caught:
        call(make_client(fake), "GET", CODES)
    assert len(fake.calls("POST", "/oauth/token")) == 2
    assert caught.value.after_refresh and caught.value.correlation_id == "c-401"


def test_token_renewed_before_expiry(fake: FakeGenesys) -> None:
    fake.token_lifetime = 300.0
    fake.script("GET", CODES, OK)

    async def go() -> None:
        async with make_client(fake, token_margin=60.0) as client:
            await client.request("GET", CODES)
            fake.clock.advance(200.0)
            await client.request("GET", CODES)
            assert client.auth.fetches == 1
            fake.clock.advance(50.0)  # 250 s: inside the 60 s margin, not yet expired
            await client.request("GET", CODES)
            assert client.auth.fetches == 2

    run(go())
    assert all(r.headers["authorization"] != "Bearer tok-1" for r in fake.calls("GET", CODES)[2:])


def test_missing_expires_in_assumes_a_conservative_lifetime(fake: FakeGenesys) -> None:
    fake.token_lifetime = None
    fake.script("GET", CODES, OK)

    async def go() -> None:
        async with make_client(fake, default_token_lifetime=300.0, token_margin=60.0) as client:
            await client.request("GET", CODES)
            fake.clock.advance(250.0)
            await client.request("GET", CODES)
            assert client.auth.fetches == 2

    run(go())


def test_concurrent_callers_share_one_token_request(fake: FakeGenesys) -> None:
    fake.script("GET", CODES, OK)

    async def go() -> None:
        async with make_client(fake) as client:
            await asyncio.gather(*(client.request("GET", CODES) for _ in range(10)))
            assert client.auth.fetches == 1

    run(go())
    assert len(fake.calls("POST", "/oauth/token")) == 1


def test_bad_credentials_explain_client_and_region(fake: FakeGenesys) -> None:
    fake.token_script = [answer(401, {"error": "invalid_client", "description": "client not found"})]
    with pytest.raises(AuthenticationError) as caught:
        call(make_client(fake), "GET", CODES)
    err = caught.value
    assert err.path == "/oauth/token" and err.host == "genesys.test"
    assert "GENESYSCLOUD_REGION" in err.explain() and "refused the client id/secret" in err.explain()
    assert len(fake.calls("POST", "/oauth/token")) == 1
    assert fake.calls("GET", CODES) == []


def test_token_answer_without_access_token(fake: FakeGenesys) -> None:
    fake.token_script = [answer(200, {"token_type": "bearer"})]
    with pytest.raises(AuthenticationError, match="no access_token"):
        call(make_client(fake), "GET", CODES)


def test_login_host_outage_is_retried(fake: FakeGenesys) -> None:
    fake.token_script = [unavailable(503), fake.issue_token]
    fake.script("GET", CODES, OK)
    assert call(make_client(fake), "GET", CODES).status == 200


# -- secrets -------------------------------------------------------------------------------------------------------


def test_secrets_and_tokens_never_in_logs_or_errors(fake: FakeGenesys, caplog: pytest.LogCaptureFixture) -> None:
    basic = base64.b64encode(f"test-client-id:{CLIENT_SECRET}".encode()).decode()
    fake.script(
        "POST",
        WRAPUP_PATH,
        too_many(**{"Retry-After": "1"}),
        error(403, "missing.permissions", "missing [conversation:participant:wrapup]"),
    )
    fake.script("GET", CODES, httpx.ReadError("boom"), unavailable(503))
    errors: list[GenesysError] = []

    async def go() -> None:
        async with make_client(fake, max_attempts=3) as client:
            for method, path in (("POST", WRAPUP_PATH), ("GET", CODES)):
                try:
                    await client.request(method, path, json={"code": RESOLVED} if method == "POST" else None)
                except GenesysError as exc:
                    errors.append(exc)
            fake.revoked.add("tok-1")
            fake.token_script = [answer(401, {"error": "invalid_client"})]
            try:
                await client.request("GET", CODES)
            except GenesysError as exc:
                errors.append(exc)
            assert "tok-1" not in repr(client.auth._token) and "tok-1" not in str(client.auth._token)

    with caplog.at_level(logging.DEBUG):
        run(go())
    assert len(errors) == 3
    texts = [caplog.text]
    for err in errors:
        texts += [str(err), repr(err), err.explain(), json.dumps(err.to_dict())]
    for text in texts:
        for secret in (CLIENT_SECRET, basic, "tok-1", "tok-2", "Bearer "):
            assert secret not in text
    assert "corr-429" in caplog.text  # correlation ids are logged


def test_ratelimit_reset_on_a_5xx_is_not_a_retry_hint(fake: FakeGenesys) -> None:
    # Genesys sends inin-ratelimit-* on every answer; on a 500 the reset says nothing about when to retry.
    fake.script("GET", CODES, unavailable(500, **{"inin-ratelimit-reset": "45"}), OK)
    assert call(make_client(fake), "GET", CODES).attempts == 2
    assert all(s < 1.0 for s in fake.clock.sleeps)


def test_rate_limited_error_carries_retry_after(fake: FakeGenesys) -> None:
    fake.script("GET", CODES, too_many(**{"Retry-After": "30"}))
    with pytest.raises(RateLimited) as caught:
        call(make_client(fake), "GET", CODES)
    assert caught.value.retry_after == 30.0


def test_concurrent_replay_through_the_client_gets_no_429_at_full_rate() -> None:
    """End to end: 12 concurrent callers, 0.3 s round trips, a 300-per-60-s window, in virtual time."""
    from wrapup_bridge.testing import VirtualClock

    from .fakes import settings
    from .window import WindowServer

    clock = VirtualClock()
    fake = FakeGenesys(clock=FakeClock())  # issues tokens; its own clock only times their expiry
    window = WindowServer(clock, allowed=300, window=60, lazy=True)

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            return fake.issue_token(request)
        await clock.sleep(0.1)
        status, headers = window.hit()
        await clock.sleep(0.2)
        if status == 429:
            return too_many(**headers, **{"Retry-After": headers["inin-ratelimit-reset"]})
        return answer(202, headers=headers)

    seconds = 300.0

    async def main() -> None:
        import random

        client = GenesysClient(settings(), transport=httpx.MockTransport(handler), clock=clock, rng=random.Random(1))
        end = clock.monotonic() + seconds

        async def worker() -> None:
            while clock.monotonic() < end:
                await client.post_json(WRAPUP_PATH, {"code": RESOLVED}, budget=120.0)

        async with client:
            await clock.gather(*(worker() for _ in range(12)))

    run(main())
    assert window.throttled == 0
    assert window.ok >= 0.95 * 5 * seconds
