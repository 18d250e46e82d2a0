"""What the live tests share: demo ids, events as Twilio and Five9 send them, request signing with the tests' token
(over wrapup_bridge.testing's, which also serves apps: ``served``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from tests.conftest import EXAMPLES, MAPPINGS
from wrapup_bridge.emulator import EmulatorConfig
from wrapup_bridge.live.bridge import Bridge
from wrapup_bridge.testing import demo_conversation_id as cid
from wrapup_bridge.testing import sign_twilio_form, sign_twilio_json

ORG = EXAMPLES / "demo-org.yaml"
TWILIO_MAPPING = MAPPINGS / "twilio-flex.yaml"
FIVE9_MAPPING = MAPPINGS / "five9.yaml"

RESOLVED = "50a74cff-026f-4c84-aa8f-f5f8d837115f"
NOT_RESOLVED = "f11fc8de-3eb4-49c8-8f8d-e0e973e1d036"
PAYMENT_TAKEN = "dd1c84e4-4fa9-40d7-81ac-e0d9a2729d41"

# Deliberately unusual secrets, so a test can search logs and answers for them.
TWILIO_TOKEN = "twilio-token-4f9c1a77e0b2"
FIVE9_SECRET = "five9-secret-93b0d1c4aa57"
API_TOKEN = "api-token-2c6e8f01b3d9"


def fast_config(**update: Any) -> EmulatorConfig:
    """The demo org's emulator without the 300/min limit (pacing is the limiter's own tests' business)."""
    return EmulatorConfig(rate_limit=None, **update)


def emulator_bridge(outbox: Path | None = None, *, mappings: Any = None, **kwargs: Any) -> Bridge:
    config = kwargs.pop("config", None) or fast_config()
    return Bridge.for_emulator(
        ORG, mappings if mappings is not None else TWILIO_MAPPING, config=config, outbox=outbox, **kwargs
    )


def task_attributes(n: int, outcome: str = "Resolved", **conversations: str) -> dict[str, Any]:
    """Flex task attributes of demo conversation ``n`` after the wrap-up form wrote ``outcome``."""
    return {
        "taskSid": f"WTc0ffee000000400080000000000000{n:02d}",
        "genesys_conversation_id": cid(n),
        "conversations": {"outcome": outcome, "queue": "Support", **conversations},
    }


def taskrouter_form(n: int, outcome: str = "Resolved", event: str = "task.completed") -> dict[str, str]:
    """A TaskRouter EventCallback body (decoded) for demo conversation ``n``."""
    attributes = {"genesys_conversation_id": cid(n), "conversations": {"outcome": outcome, "queue": "Support"}}
    return {
        "EventType": event,
        "AccountSid": "AC0123456789abcdef0123456789abcdef",
        "WorkspaceSid": "WS0123456789abcdef0123456789abcdef",
        "ResourceType": "task",
        "ResourceSid": f"WTc0ffee000000400080000000000000{n:02d}",
        "TaskSid": f"WTc0ffee000000400080000000000000{n:02d}",
        "TaskAttributes": json.dumps(attributes),
        "TaskAssignmentStatus": "completed",
        "TaskQueueName": "Support",
        "TaskChannelUniqueName": "voice",
        "Timestamp": "1764081600",
    }


def cloud_event(n: int, kind: str = "task.completed", outcome: str = "Resolved") -> dict[str, Any]:
    """One Event Streams CloudEvent for demo conversation ``n``, shaped as Twilio's documentation shows it
    (twilio.com/docs/events/event-types/taskrouter/task): the outer ``type`` is authoritative, ``data.payload``
    holds the snake_case event with ``task_attributes`` as a JSON string. Values invented."""
    attributes = {"genesys_conversation_id": cid(n), "conversations": {"outcome": outcome, "queue": "Support"}}
    return {
        "specversion": "1.0",
        "type": f"com.twilio.taskrouter.{kind}",
        "source": "AB00000000000000000000000000000001",
        "id": f"NOc0ffee000000400080000000000000{n:02d}",
        "dataschema": "https://events-schemas.twilio.com/TaskRouter.WDSEvent/4",
        "datacontenttype": "application/json",
        "time": "2025-11-25T14:00:27.000Z",
        "data": {
            "name": "TaskCompleted",
            "account_sid": "AC0123456789abcdef0123456789abcdef",
            "timestamp": "2025-11-25T14:00:27.000Z",
            "product_name": "TaskRouter",
            "payload_type": "application/json",
            "payload": {
                "eventtype": kind,
                "workspace_sid": "WS0123456789abcdef0123456789abcdef",
                "task_sid": f"WTc0ffee000000400080000000000000{n:02d}",
                "task_attributes": json.dumps(attributes),
                "task_assignment_status": "completed" if kind == "task.completed" else "pending",
                "task_queue_name": "Support",
                "task_channel_unique_name": "voice",
                "timestamp": "2025-11-25T14:00:27.000Z",
            },
        },
    }


def five9_variables(n: int, disposition: str = "Payment Taken") -> dict[str, str]:
    return {
        "call.call_id": f"3000000102708{n:02d}",
        "call.disposition_name": disposition,
        "call.campaign_name": "Billing Inbound",
        "call.mediatype": "VOICE",
        # The demo org's conversation n was handled by this agent (a record naming another agent gets no target).
        "agent.user_name": ("jdoe", "asmith", "mgarcia", "kchen")[(n - 1) % 4],
        "Genesys.conversation_id": cid(n),
    }


def sign(url: str, params: dict[str, str], token: str = TWILIO_TOKEN) -> str:
    return str(RequestValidator(token).compute_signature(url, params))


def signed_form(url: str, params: dict[str, str], token: str = TWILIO_TOKEN) -> tuple[bytes, dict[str, str]]:
    """Body and headers of a form POST as Twilio sends it to ``url`` (signed with the tests' token by default)."""
    return sign_twilio_form(url, params, token)


def signed_json(url: str, body: Any, token: str = TWILIO_TOKEN) -> tuple[str, bytes, dict[str, str]]:
    """(URL with bodySHA256, body, headers) of a JSON POST as Twilio signs it."""
    return sign_twilio_json(url, body, token)
