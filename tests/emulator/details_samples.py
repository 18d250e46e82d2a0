"""Real request and response shapes of POST /api/v2/analytics/conversations/details/query, from public code.

The samples stay outside the project; these keep their structure (keys, nesting, casing, value forms) with
invented ids, numbers and times. Sources (docs/reference-analytics-details.md lists the facts drawn from them):

- ``ANI_VOICE_QUERY``: a request in public JavaScript code (``fetchAnalyticsVoiceHistory(ani, interval)``,
  find_string id 49617535665): two ``segmentFilters``, each ``type: and`` with one clause of one ``matches``
  predicate (``ani``, then ``mediaType: voice``), ``order: desc``, ``orderBy: conversationStart``, no ``paging``.
- ``ADDRESS_TO_QUERY``: the query of MyPureCloud/developer-tools ``app/controllers/analytics-query-builder.js``
  (commit fc85c40c): ``interval`` with milliseconds, ``paging``, an ``or`` filter on ``addressTo``.
- ``VOICE_RESPONSE``: a 2024 inbound voice details answer in public JavaScript code (find_string id
  14039924575): customer, ivr, acd and agent sessions all carry ``ani``/``dnis`` (``tel:+E164``) and
  ``direction: inbound``; the agent's ``sessionDnis`` is a SIP address; agents have no ``participantName``.
"""

from __future__ import annotations

from typing import Any

ANI = "tel:+13175550142"
DNIS = "tel:+18005550199"

ANI_VOICE_QUERY: dict[str, Any] = {
    "segmentFilters": [
        {
            "type": "and",
            "clauses": [
                {
                    "type": "and",
                    "predicates": [{"type": "dimension", "dimension": "ani", "operator": "matches", "value": ANI}],
                }
            ],
        },
        {
            "type": "and",
            "clauses": [
                {
                    "type": "and",
                    "predicates": [
                        {"type": "dimension", "dimension": "mediaType", "operator": "matches", "value": "voice"}
                    ],
                }
            ],
        },
    ],
    "order": "desc",
    "orderBy": "conversationStart",
    "interval": "2026-03-01T00:00:00.000Z/2026-03-08T00:00:00.000Z",
}

ADDRESS_TO_QUERY: dict[str, Any] = {
    "interval": "2026-03-01T15:07:36.671Z/2026-03-08T15:07:36.676Z",
    "order": "asc",
    "orderBy": "conversationStart",
    "paging": {"pageSize": 25, "pageNumber": 1},
    "segmentFilters": [
        {
            "type": "or",
            "clauses": [
                {
                    "type": "or",
                    "predicates": [
                        {"type": "dimension", "dimension": "addressTo", "operator": "matches", "value": "2323"}
                    ],
                }
            ],
        }
    ],
}


def _session(session_id: str, peer: str | None, segments: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"ani": ANI, "direction": "inbound", "dnis": DNIS, "mediaType": "voice"}
    if peer is not None:
        out["peerId"] = peer
    out.update(extra)
    out["sessionId"] = session_id
    out["segments"] = segments
    return out


CUSTOMER_SESSION = "5f0c1a52-7d43-4b8e-9c1e-0a1b2c3d4e01"
QUEUE = "b1c2d3e4-0000-4000-8000-00000000aa01"
AGENT = "b1c2d3e4-0000-4000-8000-00000000aa02"

VOICE_RESPONSE: dict[str, Any] = {
    "totalHits": 1,
    "conversations": [
        {
            "conversationEnd": "2026-03-02T17:38:17.974Z",
            "conversationId": "b1c2d3e4-0000-4000-8000-00000000aa03",
            "conversationStart": "2026-03-02T17:30:43.090Z",
            "divisionIds": ["b1c2d3e4-0000-4000-8000-00000000aa04"],
            "originatingDirection": "inbound",
            "participants": [
                {
                    "participantId": "b1c2d3e4-0000-4000-8000-00000000aa05",
                    "participantName": "3175550142",
                    "purpose": "customer",
                    "sessions": [
                        _session(
                            CUSTOMER_SESSION,
                            None,
                            [
                                {
                                    "conference": False,
                                    "segmentEnd": "2026-03-02T17:30:43.320Z",
                                    "segmentStart": "2026-03-02T17:30:43.077Z",
                                    "segmentType": "system",
                                },
                                {
                                    "conference": False,
                                    "disconnectType": "endpoint",
                                    "queueId": QUEUE,
                                    "segmentEnd": "2026-03-02T17:38:14.971Z",
                                    "segmentStart": "2026-03-02T17:30:43.320Z",
                                    "segmentType": "interact",
                                },
                            ],
                            provider="Edge",
                            sessionDnis=DNIS,
                        )
                    ],
                },
                {
                    "participantId": "b1c2d3e4-0000-4000-8000-00000000aa06",
                    "participantName": "Main IVR",
                    "purpose": "ivr",
                    "sessions": [
                        _session(
                            "b1c2d3e4-0000-4000-8000-00000000aa07",
                            CUSTOMER_SESSION,
                            [
                                {
                                    "conference": False,
                                    "disconnectType": "transfer",
                                    "segmentEnd": "2026-03-02T17:31:47.622Z",
                                    "segmentStart": "2026-03-02T17:30:43.134Z",
                                    "segmentType": "ivr",
                                },
                            ],
                            sessionDnis=DNIS,
                        )
                    ],
                },
                {
                    "participantId": "b1c2d3e4-0000-4000-8000-00000000aa08",
                    "participantName": "Billing",
                    "purpose": "acd",
                    "sessions": [
                        _session(
                            "b1c2d3e4-0000-4000-8000-00000000aa09",
                            CUSTOMER_SESSION,
                            [
                                {
                                    "conference": False,
                                    "disconnectType": "transfer",
                                    "queueId": QUEUE,
                                    "segmentEnd": "2026-03-02T17:32:00.063Z",
                                    "segmentStart": "2026-03-02T17:31:47.652Z",
                                    "segmentType": "interact",
                                },
                            ],
                            sessionDnis=DNIS,
                        )
                    ],
                },
                {
                    "participantId": "b1c2d3e4-0000-4000-8000-00000000aa10",
                    "purpose": "agent",
                    "userId": AGENT,
                    "sessions": [
                        _session(
                            "b1c2d3e4-0000-4000-8000-00000000aa11",
                            CUSTOMER_SESSION,
                            [
                                {
                                    "conference": False,
                                    "queueId": QUEUE,
                                    "segmentEnd": "2026-03-02T17:32:00.063Z",
                                    "segmentStart": "2026-03-02T17:31:55.377Z",
                                    "segmentType": "alert",
                                },
                                {
                                    "conference": False,
                                    "disconnectType": "peer",
                                    "queueId": QUEUE,
                                    "segmentEnd": "2026-03-02T17:38:14.971Z",
                                    "segmentStart": "2026-03-02T17:32:00.063Z",
                                    "segmentType": "interact",
                                },
                                {
                                    "queueId": QUEUE,
                                    "segmentEnd": "2026-03-02T17:39:11.971Z",
                                    "segmentStart": "2026-03-02T17:38:14.971Z",
                                    "segmentType": "wrapup",
                                    "wrapUpCode": "b1c2d3e4-0000-4000-8000-00000000aa12",
                                },
                            ],
                            sessionDnis="sip:0a1b2c3d4e5f+example.orgspan.com;tgrp=x;trunk-context=example@localhost",
                        )
                    ],
                },
            ],
        }
    ],
}
