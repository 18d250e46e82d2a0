"""core.replay.clients: the per-client section of a replay report as data and as JSON (by id, never a secret)."""

from __future__ import annotations

import json

from wrapup_bridge.core.replay.clients import ClientTally, OrgRate, PoolReport


def test_the_section_lists_each_client_and_the_org_ceiling() -> None:
    section = PoolReport(
        (
            ClientTally("a", "GENESYSCLOUD_OAUTHCLIENT_ID", requests=12, writes=10, retries=1, tokens=1, share=0.6),
            ClientTally("b", "clients.yaml:3", requests=8, writes=0, throttled=2, refusals=3, tokens=1, share=0.4),
        ),
        OrgRate(per_minute_now=83.04, org_429s=1),
    )
    assert [c.client_id for c in section.refused] == ["b"]
    data = json.loads(json.dumps(section.to_dict()))
    assert data["clients"][1] == {
        "client_id": "b",
        "source": "clients.yaml:3",
        "requests": 8,
        "writes": 0,
        "throttled": 2,
        "retries": 0,
        "refusals": 3,
        "tokens": 1,
        "share": 0.4,
    }
    assert data["org_rate"] == {"configured_per_minute": None, "per_minute_now": 83.0, "learning": True, "org_429s": 1}
    # The allowance of a shared window shows only once a 429's headers gave one.
    assert OrgRate(window_allowed=15).to_dict()["window_allowed"] == 15
