"""A generated org of N compact conversations spread over a week, for the correlation benchmark and the emulator's
scale test (issue 13): voice calls with ani/dnis on two queues, some emails and messages, external tags and
participant attributes on a share of them, realism on (missed alerts, timed-out ACW) as in real orgs.

``python -m tests.emulator.week_org [COUNT] [--memory]`` measures what the benchmark leans on: building the emulator
from the org dict, a day's details query (its first page, and every page with a segment filter) and a day's async
job; with ``--memory``, the memory the built emulator holds (tracemalloc).
"""

from __future__ import annotations

import asyncio
import sys
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from wrapup_bridge.emulator import Emulator, EmulatorConfig, Org, build_org
from wrapup_bridge.emulator.orgfile import OrgSpec

__all__ = [
    "BILLING",
    "DAYS",
    "FIRST_DAY",
    "LEGACY_ATTRIBUTE",
    "RESOLVED",
    "conversation_id",
    "make_week_org",
    "week_org_dict",
]

HOME = "48ddf357-eb7e-4766-9706-7cc07753a7de"
BILLING = "e0284275-ec9b-4fde-a99c-648c9c1726bc"
SUPPORT = "32f46174-fc86-4b1c-a519-6bd0bcde15a0"
RESOLVED = "50a74cff-026f-4c84-aa8f-f5f8d837115f"
USERS = [
    ("ea96e66b-d684-474a-b09a-cdcde48041e6", "Jane Doe", "jdoe"),
    ("cc734f07-942c-400c-afa3-584189f688b7", "Alex Smith", "asmith"),
    ("905ef80c-fff3-4212-bcec-78c850ab878d", "Maria Garcia", "mgarcia"),
    ("32cfb2b5-711d-4766-a6d0-acfdb25fe574", "Kevin Chen", "kchen"),
]
FIRST_DAY = datetime(2026, 3, 2, tzinfo=UTC)
DAYS = 7
#: The participant attribute a legacy system wrote its own call id into (every third conversation).
LEGACY_ATTRIBUTE = "legacyCallId"
_NUMBERS = {BILLING: "tel:+18005550100", SUPPORT: "tel:+18005550200"}


def conversation_id(n: int) -> str:
    """Conversation ``n``'s id (a prefix of its own, apart from the demo org's and the replay scenario's)."""
    return f"3eec0000-0000-4000-8000-{n:012d}"


def _conversations(count: int, days: int) -> Iterator[dict[str, Any]]:
    spacing = days * 86_400 / count
    for n in range(1, count + 1):
        start = FIRST_DAY + timedelta(seconds=round((n - 1) * spacing))
        queue = BILLING if n % 2 else SUPPORT
        media = "email" if n % 17 == 0 else "message" if n % 13 == 0 else "voice"
        outbound = media == "voice" and n % 5 == 0
        conversation: dict[str, Any] = {
            "id": conversation_id(n),
            "media": media,
            "queue": queue,
            "agent": USERS[n % 4][2],
            "customer": f"customer{n}@example.net" if media == "email" else f"tel:+1317{n % 10_000_000:07d}",
            "direction": "outbound" if outbound else "inbound",
            "start": start.isoformat(),
            "end": (start + timedelta(minutes=2, seconds=n % 300)).isoformat(),
        }
        if media == "voice":
            conversation["ani" if outbound else "dnis"] = _NUMBERS[queue]
        if n % 3 == 0:
            conversation["attributes"] = {LEGACY_ATTRIBUTE: f"L{n:08d}"}
        if n % 4 == 0:
            conversation["external_tag"] = f"legacy-{n}"
        yield conversation


def week_org_dict(count: int = 20_000, days: int = DAYS) -> dict[str, Any]:
    """The org file's content (as parsed YAML would give it) with ``count`` conversations over ``days`` days."""
    return {
        "name": f"generated week org ({count} conversations over {days} days, emulator)",
        "divisions": [{"id": HOME, "name": "Home"}],
        "wrapup_codes": [{"id": RESOLVED, "name": "Resolved"}],
        "queues": [
            {"id": BILLING, "name": "Billing", "wrapup_codes": ["Resolved"]},
            {
                "id": SUPPORT,
                "name": "Support",
                "acw": {"wrapup_prompt": "MANDATORY_TIMEOUT", "timeout_ms": 60_000},
                "wrapup_codes": ["Resolved"],
            },
        ],
        "users": [{"id": uid, "name": name, "username": f"{login}@example.com"} for uid, name, login in USERS],
        "oauth_clients": [
            {
                "client_id": "demo-client",
                "client_secret": "demo-secret",
                "permissions": [
                    "analytics:conversationDetail:view",
                    "conversation:communication:view",
                    "conversation:participant:wrapup",
                ],
            }
        ],
        "conversations": list(_conversations(count, days)),
    }


def make_week_org(count: int = 20_000, days: int = DAYS) -> Org:
    """The generated org, validated and expanded."""
    return build_org(OrgSpec.model_validate(week_org_dict(count, days)), source=f"<week org of {count}>")


async def _day_queries(emu: Emulator, day: int) -> dict[str, tuple[float, int]]:
    """(seconds, conversations) of one day's reads: the query's first page, every page of the day with a segment
    filter (voice calls to the Billing number, as correlation narrows its reads), and a job's results (all pages)."""
    first = FIRST_DAY + timedelta(days=day)
    interval = f"{first.isoformat()}/{(first + timedelta(days=1)).isoformat()}".replace("+00:00", "Z")
    dnis = {"type": "dimension", "dimension": "dnis", "operator": "matches", "value": _NUMBERS[BILLING]}
    narrowed = {"interval": interval, "order": "asc", "segmentFilters": [{"type": "and", "predicates": [dnis]}]}
    query = "/api/v2/analytics/conversations/details/query"
    jobs = "/api/v2/analytics/conversations/details/jobs"
    headers = {"Authorization": f"Bearer {emu.token_for('demo-client')}"}
    out: dict[str, tuple[float, int]] = {}
    async with emu.async_client(headers=headers) as client:
        began = time.perf_counter()
        page = await client.post(query, json={"interval": interval, "paging": {"pageSize": 100, "pageNumber": 1}})
        out["query page 1"] = (time.perf_counter() - began, len(page.json().get("conversations", [])))
        began = time.perf_counter()
        seen, number = 0, 1
        while True:
            body = {**narrowed, "paging": {"pageSize": 100, "pageNumber": number}}
            found = (await client.post(query, json=body)).json().get("conversations", [])
            seen += len(found)
            if len(found) < 100:
                break
            number += 1
        out["query, every page, dnis filter"] = (time.perf_counter() - began, seen)
        began = time.perf_counter()
        job = (await client.post(jobs, json={"interval": interval})).json()["jobId"]
        seen, cursor = 0, None
        while True:
            params = {"pageSize": "1000", **({"cursor": cursor} if cursor else {})}
            results = (await client.get(f"{jobs}/{job}/results", params=params)).json()
            seen += len(results.get("conversations", []))
            cursor = results.get("cursor")
            if cursor is None:
                break
        out["job, every result"] = (time.perf_counter() - began, seen)
    return out


def main(argv: list[str]) -> None:
    """Time the build and a day's reads; ``--memory`` measures the build's memory instead (tracemalloc slows it)."""
    memory = "--memory" in argv
    numbers = [a for a in argv if a != "--memory"]
    count = int(numbers[0]) if numbers else 20_000
    if memory:
        tracemalloc.start()
    began = time.perf_counter()
    org = make_week_org(count)
    built = time.perf_counter() - began
    began = time.perf_counter()
    emu = Emulator(org, EmulatorConfig(rate_limit=None))
    started = time.perf_counter() - began
    print(f"{count} conversations over {DAYS} days")
    if memory:
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  memory after the build (tracemalloc) {current / 2**20:7.1f} MiB, peak {peak / 2**20:.1f} MiB")
        return
    print(f"  org built (validate + expand)  {built:6.2f} s")
    print(f"  emulator built (state copy)    {started:6.2f} s")
    for day in (0, 3):
        for what, (seconds, seen) in asyncio.run(_day_queries(emu, day)).items():
            print(f"  day {day}: {what:32} {seconds * 1000:8.1f} ms ({seen} conversations)")


if __name__ == "__main__":
    main(sys.argv[1:])
