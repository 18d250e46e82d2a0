"""Conversation shapes as real Genesys Cloud orgs produce them, written from published payloads.

The samples themselves stay outside the project; these builders keep their structure (which keys appear, their
casing, what is missing) with invented ids and values. Sources:

- ``maamoon95/e2e: tests/lib/genesys.js`` (commit adb93ee4, 2022-07-05): ``callbackConversation``, a GET
  /api/v2/conversations/{id} of a callback with five agent participants for one user, four alerts that rang out
  (``segments: [{"type": "Alert", "howEnded": "Disconnect", "disconnectType": "system"}]``, no
  ``connectedTime``) and a fifth still ``alerting`` with ``segments: []`` and no other media arrays; and
  ``callBackConnectMsgAnotherID``, a conversation event with a declined alert (``disconnectType: client``), a
  timed-out one (``system``) and a connected leg in after-call work whose callback still reads ``state:
  connected`` beside ``disconnectedTime`` and ``afterCallWork: {state: pending}``, ``wrapupExpected: true``.
- ``gildas/go-gcloudcx: testdata/conversation.json`` (commit f071b23, 2025): a voice agent leg with ``Alert``
  (``howEnded: Interact``) then ``Interact`` (``howEnded: Disconnect``, ``disconnectType: client``) segments,
  call ``state: terminated``, ``afterCallWork.state: skipped``.
- ``MyPureCloud/developer-tools: app/controllers/analytics-query-builder.js`` (commit fc85c40c): analytics
  details where one user has an alert-only agent participant (``disconnectType: system``) and then one with
  ``alert``, ``interact`` and a ``wrapup`` segment ``ININ-OUTBOUND-PREVIEW-SKIPPED``; agents and the acd
  carry no ``participantName``; ``segmentType`` lowercase.
- A 2024 analytics details sample (voice): a not-responding agent (``alert`` ended ``client``) still gets a
  ``wrapup`` segment with a customer's code, and the agent who answered gets ``ININ-WRAP-UP-TIMEOUT``;
  agent sessions' ``peerId`` is the customer's ``sessionId``.
- Timestamps with and without milliseconds side by side (``"2022-07-04T11:00:00Z"`` beside ``"...:01.092Z"``).
"""

from __future__ import annotations

from typing import Any

CID = "c0ffee00-0000-4000-8000-0000000000aa"
JDOE = "ea96e66b-d684-474a-b09a-cdcde48041e6"
ASMITH = "cc734f07-942c-400c-afa3-584189f688b7"
MGARCIA = "905ef80c-fff3-4212-bcec-78c850ab878d"
BILLING = "e0284275-ec9b-4fde-a99c-648c9c1726bc"
SUPPORT = "32f46174-fc86-4b1c-a519-6bd0bcde15a0"
SALE = "0dd6a32c-c059-4534-97bf-c82d73d9c869"
QUEUE_NAMES = {BILLING: "Billing", SUPPORT: "Support"}


def customer(media: str = "calls") -> dict[str, Any]:
    return {
        "id": "p-customer",
        "purpose": "customer",
        "connectedTime": "2022-07-04T11:00:01.092Z",
        media: [{"id": "comm-customer", "state": "disconnected", "initialState": "connected"}],
    }


def acd(queue: str = BILLING, media: str = "calls") -> dict[str, Any]:
    return {
        "id": "p-acd",
        "purpose": "acd",
        "queueId": queue,
        "queueName": QUEUE_NAMES[queue],
        media: [
            {
                "id": "comm-acd",
                "state": "disconnected",
                "segments": [{"startTime": "2022-07-04T11:00:01.092Z", "type": "Delay", "howEnded": "Transfer"}],
            }
        ],
    }


def rang_out(
    pid: str, user: str, start: str, end: str, *, media: str = "calls", declined: bool = False
) -> dict[str, Any]:
    """An agent leg whose alert rang out (system) or was declined (client): no connectedTime anywhere."""
    how = "client" if declined else "system"
    return {
        "id": pid,
        "startTime": start,
        "endTime": end,
        "userId": user,
        "queueId": BILLING,
        "queueName": "Billing",
        "purpose": "agent",
        "wrapupRequired": False,
        "wrapupPrompt": "optional",
        "alertingTimeoutMs": 30000,
        media: [
            {
                "state": "disconnected",
                "id": f"comm-{pid}",
                "segments": [
                    {
                        "startTime": start,
                        "endTime": end,
                        "type": "Alert",
                        "howEnded": "Disconnect",
                        "disconnectType": how,
                    }
                ],
                "direction": "outbound",
                "disconnectType": how,
                "startAlertingTime": start,
                "disconnectedTime": end,
                "peerId": "comm-customer",
                "afterCallWorkRequired": False,
                "initialState": "alerting",
            }
        ],
    }


def still_alerting(pid: str, user: str, start: str, *, media: str = "callbacks") -> dict[str, Any]:
    """A leg being offered right now: ``segments: []``, no endTime, and (as in the sample) no other arrays."""
    return {
        "id": pid,
        "startTime": start,
        "userId": user,
        "purpose": "agent",
        "wrapupRequired": False,
        media: [
            {
                "state": "alerting",
                "id": f"comm-{pid}",
                "segments": [],
                "held": False,
                "startAlertingTime": start,
                "peerId": "comm-customer",
                "initialState": "alerting",
            }
        ],
    }


def handled(
    pid: str,
    user: str,
    connected: str,
    ended: str,
    *,
    media: str = "calls",
    queue: str = BILLING,
    name: str | None = None,
    wrapup: dict[str, Any] | None = None,
    acw_pending: bool = False,
) -> dict[str, Any]:
    """An agent leg that answered: Alert (howEnded Interact) then Interact. ``acw_pending``: the communication
    still reads ``state: connected`` with a disconnectedTime and ``afterCallWork: {state: pending}``."""
    comm: dict[str, Any] = {
        "state": "connected" if acw_pending else "terminated",
        "initialState": "alerting",
        "id": f"comm-{pid}",
        "direction": "inbound",
        "segments": [
            {"startTime": connected, "endTime": connected, "type": "Alert", "howEnded": "Interact"},
            {
                "startTime": connected,
                "endTime": ended,
                "type": "Interact",
                "howEnded": "Disconnect",
                "disconnectType": "client",
            },
        ],
        "disconnectType": "client",
        "startAlertingTime": connected,
        "connectedTime": connected,
        "disconnectedTime": ended,
        "peerId": "comm-customer",
        "afterCallWork": {"startTime": ended, "state": "pending"} if acw_pending else {"state": "skipped"},
    }
    if wrapup is not None:
        comm["wrapup"] = wrapup
    participant: dict[str, Any] = {
        "id": pid,
        "startTime": connected,
        "endTime": ended,
        "connectedTime": connected,
        "userId": user,
        "queueId": queue,
        "queueName": QUEUE_NAMES[queue],
        "purpose": "agent",
        "wrapupRequired": True,
        "wrapupExpected": True,  # seen on real participants; not in the SDK's Participant model
        "wrapupPrompt": "optional",
        "startAcwTime": ended,
        media: [comm],
    }
    if name is not None:
        participant["name"] = name
    if wrapup is not None:
        participant["wrapup"] = wrapup
    return participant


def conversation(*participants: dict[str, Any], media: str = "calls") -> dict[str, Any]:
    return {
        "id": CID,
        "startTime": "2022-07-04T10:56:34.973Z",
        "participants": [customer(media), acd(media=media), *participants],
        "recordingState": "NONE",
    }


def callback_nobody_connected() -> dict[str, Any]:
    """Five agent legs for one user: four rang out, the fifth is alerting; nobody connected."""
    legs = [
        rang_out("p-a1", JDOE, "2022-07-04T11:00:01.295Z", "2022-07-04T11:00:31.431Z", media="callbacks"),
        rang_out("p-a2", JDOE, "2022-07-04T12:08:44.120Z", "2022-07-04T12:09:14Z", media="callbacks"),
        rang_out("p-a3", JDOE, "2022-07-04T12:10:34.870Z", "2022-07-04T12:11:04.911Z", media="callbacks"),
        rang_out("p-a4", JDOE, "2022-07-04T12:11:04.911Z", "2022-07-04T12:11:35Z", media="callbacks"),
        still_alerting("p-a5", JDOE, "2022-07-04T12:11:35.376Z"),
    ]
    # The sample's fourth alert segment has no endTime and no disconnectType (only the communication has one).
    del legs[3]["callbacks"][0]["segments"][0]["endTime"]
    del legs[3]["callbacks"][0]["segments"][0]["disconnectType"]
    return conversation(*legs, media="callbacks")


def declined_timed_out_then_acw() -> dict[str, Any]:
    """A declined alert, a timed-out one, then the same user connected and in after-call work."""
    return conversation(
        rang_out(
            "p-d1", JDOE, "2022-07-04T20:04:05.100Z", "2022-07-04T20:04:35.306Z", media="callbacks", declined=True
        ),
        rang_out("p-d2", JDOE, "2022-07-04T20:04:35.500Z", "2022-07-04T20:05:05.831Z", media="callbacks"),
        handled(
            "p-d3", JDOE, "2022-07-04T20:07:20.528Z", "2022-07-04T20:08:25.397Z", media="callbacks", acw_pending=True
        ),
        media="callbacks",
    )


def analytics_preview_callback() -> dict[str, Any]:
    """Analytics details: one user, an alert-only leg (rang out) then one that interacted, with a system code."""
    return {
        "conversationId": CID,
        "conversationStart": "2016-09-06T00:14:57.512Z",
        "originatingDirection": "outbound",
        "participants": [
            {
                "participantId": "a-customer",
                "participantName": "Customer",
                "purpose": "customer",
                "sessions": [
                    {
                        "mediaType": "callback",
                        "sessionId": "s-customer",
                        "direction": "outbound",
                        "segments": [
                            {
                                "segmentStart": "2016-09-06T00:14:57.512Z",
                                "segmentEnd": "2016-09-06T00:15:31.104Z",
                                "segmentType": "interact",
                            },
                        ],
                    }
                ],
            },
            {"participantId": "a-acd", "purpose": "acd", "sessions": []},
            {
                "participantId": "a-1",
                "userId": JDOE,
                "purpose": "agent",
                "sessions": [
                    {
                        "mediaType": "callback",
                        "sessionId": "s-1",
                        "peerId": "s-customer",
                        "segments": [
                            {
                                "segmentStart": "2016-09-06T00:15:02.465Z",
                                "segmentEnd": "2016-09-06T00:15:09.735Z",
                                "queueId": BILLING,
                                "disconnectType": "system",
                                "segmentType": "alert",
                            },
                        ],
                    }
                ],
            },
            {
                "participantId": "a-2",
                "userId": JDOE,
                "purpose": "agent",
                "sessions": [
                    {
                        "mediaType": "callback",
                        "sessionId": "s-2",
                        "peerId": "s-customer",
                        "segments": [
                            {
                                "segmentStart": "2016-09-06T00:15:14.718Z",
                                "segmentEnd": "2016-09-06T00:15:19.457Z",
                                "queueId": BILLING,
                                "segmentType": "alert",
                            },
                            {
                                "segmentStart": "2016-09-06T00:15:19.457Z",
                                "segmentEnd": "2016-09-06T00:15:31.104Z",
                                "disconnectType": "client",
                                "segmentType": "interact",
                            },
                            {
                                "segmentStart": "2016-09-06T00:15:31.128Z",
                                "segmentEnd": "2016-09-06T00:15:31.128Z",
                                "wrapUpCode": "ININ-OUTBOUND-PREVIEW-SKIPPED",
                                "wrapUpNote": "",
                                "disconnectType": "client",
                                "segmentType": "wrapup",
                            },
                        ],
                    }
                ],
            },
        ],
    }


def analytics_rona_then_timeout(customer_code: str = SALE) -> dict[str, Any]:
    """Analytics details: a not-responding agent who still got a wrap-up segment with a customer's code, then
    the agent who answered, whose after-call work timed out (ININ-WRAP-UP-TIMEOUT)."""
    return {
        "conversationId": CID,
        "conversationStart": "2024-04-29T17:30:43.090Z",
        "conversationEnd": "2024-04-29T17:38:17.974Z",
        "originatingDirection": "inbound",
        "participants": [
            {
                "participantId": "b-customer",
                "participantName": "51999599880",
                "purpose": "customer",
                "sessions": [{"mediaType": "voice", "sessionId": "cust-session", "segments": []}],
            },
            {
                "participantId": "b-rona",
                "purpose": "agent",
                "userId": ASMITH,
                "sessions": [
                    {
                        "mediaType": "voice",
                        "peerId": "cust-session",
                        "sessionId": "rona-session",
                        "segments": [
                            {
                                "conference": False,
                                "disconnectType": "client",
                                "segmentStart": "2024-04-29T17:31:47.956Z",
                                "segmentEnd": "2024-04-29T17:31:55.377Z",
                                "segmentType": "alert",
                            },
                            {
                                "conference": False,
                                "disconnectType": "client",
                                "errorCode": "error.ininedgecontrol.session.inactive",
                                "segmentStart": "2024-04-29T17:31:55.626Z",
                                "segmentEnd": "2024-04-29T17:32:56.626Z",
                                "segmentType": "wrapup",
                                "wrapUpCode": customer_code,
                            },
                        ],
                    }
                ],
            },
            {
                "participantId": "b-answered",
                "purpose": "agent",
                "userId": MGARCIA,
                "sessions": [
                    {
                        "mediaType": "voice",
                        "peerId": "cust-session",
                        "sessionId": "answered-session",
                        "segments": [
                            {
                                "segmentStart": "2024-04-29T17:33:00Z",
                                "segmentEnd": "2024-04-29T17:33:04.250Z",
                                "segmentType": "alert",
                            },
                            {
                                "disconnectType": "peer",
                                "segmentStart": "2024-04-29T17:33:04.250Z",
                                "segmentEnd": "2024-04-29T17:38:14.974Z",
                                "segmentType": "interact",
                            },
                            {
                                "disconnectType": "peer",
                                "q850ResponseCodes": [16],
                                "segmentStart": "2024-04-29T17:38:14.974Z",
                                "segmentEnd": "2024-04-29T17:38:17.974Z",
                                "segmentType": "wrapup",
                                "wrapUpCode": "ININ-WRAP-UP-TIMEOUT",
                            },
                        ],
                    }
                ],
            },
        ],
    }
