"""GenesysClient keeps cookies as httpx does, though it skips reading answers that set none (``http._Cookies``).

A load balancer in front of an API may pin a client with a cookie; the client must keep sending what it was given,
whether or not the answers in between set anything.
"""

from __future__ import annotations

from typing import Any

import httpx

from wrapup_bridge.genesys.http import GenesysClient

from .fakes import FakeClock, FakeGenesys, answer, make_client, run

CODES = "/api/v2/routing/wrapupcodes"
PAGE = {"entities": [], "pageCount": 1, "pageNumber": 1}


def cookie_headers(fake: FakeGenesys) -> list[str | None]:
    return [r.headers.get("cookie") for r in fake.calls("GET", CODES)]


def gets(client: GenesysClient, count: int) -> None:
    async def go() -> Any:
        async with client:
            for _ in range(count):
                await client.get_json(CODES)

    run(go())


def test_a_cookie_set_by_an_answer_is_sent_with_later_requests_even_after_answers_without_cookies() -> None:
    fake = FakeGenesys(clock=FakeClock())
    fake.script(
        "GET",
        CODES,
        answer(200, PAGE, headers={"Set-Cookie": "AWSALB=pinned; Path=/"}),
        answer(200, PAGE),  # sets nothing: the jar keeps what it has
        answer(200, PAGE, headers={"Set-Cookie": "AWSALB=moved; Path=/"}),
        answer(200, PAGE),
    )
    client = make_client(fake)
    gets(client, 4)
    assert cookie_headers(fake) == [None, "AWSALB=pinned", "AWSALB=pinned", "AWSALB=moved"]
    assert dict(client._http.cookies) == {"AWSALB": "moved"}


def test_answers_without_cookies_leave_the_jar_empty_and_requests_without_a_cookie_header() -> None:
    fake = FakeGenesys(clock=FakeClock())
    fake.script("GET", CODES, answer(200, PAGE))
    client = make_client(fake)
    gets(client, 3)
    assert cookie_headers(fake) == [None, None, None]
    assert len(client._http.cookies) == 0


def test_the_jar_reads_an_answer_exactly_as_httpx_does() -> None:
    """Whatever the Set-Cookie headers say (several, an expired one, a path), the jar ends as httpx's own."""
    from wrapup_bridge.genesys.http import _Cookies

    request = httpx.Request("GET", "https://api.example.test/api/v2/routing/wrapupcodes")
    headers = [
        ("Set-Cookie", "a=1; Path=/"),
        ("Set-Cookie", "b=2; Path=/api/v2"),
        ("Set-Cookie", "gone=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT"),
        ("Set-Cookie2", 'c="3"; Version="1"'),
        ("Content-Type", "application/json"),
    ]
    for answer_headers in (headers, headers[1:2], headers[3:], headers[4:]):
        ours, reference = _Cookies(), httpx.Cookies()
        response = httpx.Response(200, headers=answer_headers, request=request)
        ours.extract_cookies(response)
        reference.extract_cookies(response)
        assert sorted((c.name, c.value, c.path) for c in ours.jar) == sorted(
            (c.name, c.value, c.path) for c in reference.jar
        )
