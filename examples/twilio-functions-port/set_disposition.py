"""set-disposition.js, ported: the same event, but the agent's choice lands on the Genesys Cloud participant.

The Node Function merged ``conversations.outcome`` into the Twilio task's attributes. After the move to Genesys
there is no task to write to: the outcome has to become a wrap-up code on the agent's participant of the
Genesys conversation. ``Bridge.apply_event`` does that in one call: the Twilio adapter reads the attributes
exactly as Flex Insights did, the reviewed mapping table (mappings/twilio-flex.yaml) picks the wrap-up code,
and the sink applies it to the right participant, within an 8 s budget.

``handler(context, event)`` keeps Twilio's argument order (not AWS Lambda's ``(event, context)``) so the call
sites of the old Function port line by line. ``context`` plays the role of Twilio's ``context``: the
environment (``GENESYSCLOUD_*`` variables instead of the Twilio client).

Run it against the local Genesys emulator (no credentials needed; nothing leaves this machine)::

    .venv/bin/python examples/twilio-functions-port/set_disposition.py            # the demo event below
    .venv/bin/python examples/twilio-functions-port/set_disposition.py event.json # your own event
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wrapup_bridge import Bridge, OutcomeKind
from wrapup_bridge.live import PayloadError

REPO = Path(__file__).resolve().parents[2]
MAPPING = REPO / "mappings" / "twilio-flex.yaml"
DEMO_ORG = REPO / "examples" / "demo-org.yaml"

#: The event the Flex wrap-up plugin used to send, plus the Genesys conversation the interaction now is.
DEMO_EVENT: dict[str, Any] = {
    "taskSid": "WTc0ffee00000040008000000000000026",
    "attributesUpdate": json.dumps(
        {"conversations": {"outcome": "Resolved", "content": "Password reset; customer confirmed they can log in"}}
    ),
    "conversationId": "c0ffee00-0000-4000-8000-000000000026",
}

_bridges: dict[str, Bridge] = {}


def bridge_for(context: Mapping[str, str]) -> Bridge:
    """One bridge per process (a warm Function reuses it): Genesys when credentials are set, else the emulator."""
    key = "genesys" if context.get("GENESYSCLOUD_OAUTHCLIENT_ID") else "emulator"
    if key not in _bridges:
        if key == "genesys":
            _bridges[key] = Bridge.from_env(MAPPING, env=context)
        else:
            _bridges[key] = Bridge.for_emulator(DEMO_ORG, MAPPING)
    return _bridges[key]


def handler(context: Mapping[str, str], event: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
    """Same event as the Node Function; answers (status, body) with the Outcome instead of ``{success: true}``.

    ``conversationId`` names the Genesys conversation; without it the attributes' ``genesys_conversation_id``
    (where the migration recorded it on the task) is used.
    """
    try:
        update = json.loads(event.get("attributesUpdate") or "{}")
    except json.JSONDecodeError as exc:
        return 400, {"success": False, "error": f"attributesUpdate is not JSON: {exc.msg}", "field": "attributesUpdate"}
    if not isinstance(update, dict):
        return 400, {"success": False, "error": "attributesUpdate must be a JSON object", "field": "attributesUpdate"}
    attributes = {"taskSid": event.get("taskSid"), **update}
    try:
        outcome = bridge_for(context).apply_event("twilio", attributes, conversation_id=event.get("conversationId"))
    except PayloadError as exc:
        return 400, {"success": False, **exc.to_json_dict()}
    ok = outcome.kind in (OutcomeKind.APPLIED, OutcomeKind.ALREADY_APPLIED, OutcomeKind.QUEUED)
    return 200, {"success": ok, "outcome": outcome.to_json_dict()}


def main(argv: list[str]) -> int:
    event = json.loads(Path(argv[1]).read_text(encoding="utf-8")) if len(argv) > 1 else DEMO_EVENT
    context = dict(os.environ)
    bridge = bridge_for(context)
    print(f"target: {bridge.description}", file=sys.stderr)
    try:
        status, body = handler(context, event)
    finally:
        bridge.close()
    print(json.dumps({"status": status, **body}, indent=2, ensure_ascii=False))
    return 0 if status == 200 and body.get("success") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
