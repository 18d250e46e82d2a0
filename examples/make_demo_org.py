"""Regenerate examples/demo-org.yaml, the demo org of the Genesys Cloud emulator.

The ids are the shared demo ids every part of the project agrees on (mappings, example exports, the
emulator); the conversations follow the shared plan: 01-20 Five9 (01-10 Billing, 11-20 Sales Outbound), 21-40
Twilio (Support; 31-35 messaging), 41-50 CXone (Billing; 45-46 email). Run from anywhere:

    python examples/make_demo_org.py            # rewrite the file
    python examples/make_demo_org.py --check    # exit 1 if the file is not what this script writes
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parent / "demo-org.yaml"

HOME = "48ddf357-eb7e-4766-9706-7cc07753a7de"
EMEA = "2dbf91d3-04e9-424e-b2e0-536107a74330"

CODES = [
    ("50a74cff-026f-4c84-aa8f-f5f8d837115f", "Resolved", "The customer's issue was solved"),
    ("f11fc8de-3eb4-49c8-8f8d-e0e973e1d036", "Not Resolved", "The issue remains open"),
    ("2e7abed5-658e-430d-8569-80bb0977e471", "Follow-up Required", "Someone must get back to the customer"),
    ("f99e6ae5-c3c7-4558-bad3-67d4ab3e1d35", "Escalated", "Handed to a supervisor or second line"),
    ("9fddb5fe-f121-4709-8c1d-5c6a1f99f50d", "Wrong Department", "The customer needed another team"),
    ("0dd6a32c-c059-4534-97bf-c82d73d9c869", "Sale", "A new sale was made"),
    ("d9f0b7c0-e6f6-4abf-9c86-269bdefda9aa", "Renewal", "A contract was renewed"),
    ("dd1c84e4-4fa9-40d7-81ac-e0d9a2729d41", "Payment Taken", "A payment was collected"),
    ("0b1f3790-be06-42fd-9aaf-6ec4a380626b", "Callback Scheduled", "A callback was booked"),
    ("ea3d9d20-48ec-4042-9e19-cfdf06744ffa", "Not Interested", "The contact declined the offer"),
    ("2d4579fe-90cf-4f1d-a7e3-deeab99a14f8", "Do Not Call", "The contact asked not to be called again"),
    ("46d1d9af-3dd4-40f3-951b-c8cc9eddb5e7", "No Answer", "Nobody answered"),
    ("539bc950-fc1a-4092-aac3-07276f67594e", "Answering Machine", "A machine answered"),
    ("5f1bfb25-5eef-4f8d-bde5-4e17c7836f95", "Busy", "The line was busy"),
    ("975d8cba-c0ba-4e79-848f-dfc9b2829097", "Wrong Number", "The number did not reach the contact"),
    ("cf9e4f42-04fb-4856-93c7-0a70c92c2150", "Transferred", "Transferred elsewhere"),
    ("a3d1165a-531a-4dec-81f0-3b05c05c6f96", "Caller Abandoned", "The caller hung up before being served"),
    ("64403c6a-70d4-4907-babe-ab119dfba360", "Fax", "A fax machine answered"),
    ("71cc128f-b45b-4900-9ede-424776790f49", "Automatically Completed", "Closed by the system"),
    ("704540b7-6a01-44ad-ba29-c5c1268ca41b", "Completed by Supervisor", "Closed by a supervisor"),
    ("0cab9e0c-7015-4b96-9819-e59f32cd0700", "Other", "Anything else (EMEA only)"),
]

BILLING = "e0284275-ec9b-4fde-a99c-648c9c1726bc"
SUPPORT = "32f46174-fc86-4b1c-a519-6bd0bcde15a0"
SALES = "1fe52838-127f-42fd-bd21-e6ef4db35835"
RETENTION = "6744c1d7-ac7f-4c5f-89db-0d451ea7b5e5"

_NOT_ON_BILLING = {"Sale", "Renewal", "Not Interested", "Do Not Call", "Fax", "Other"}
QUEUES = [
    (BILLING, "Billing", "MANDATORY_TIMEOUT", 60_000, [n for _, n, _ in CODES if n not in _NOT_ON_BILLING]),
    (
        SUPPORT,
        "Support",
        "OPTIONAL",
        None,
        [
            "Resolved", "Not Resolved", "Follow-up Required", "Escalated", "Wrong Department",
            "Automatically Completed", "Completed by Supervisor", "Caller Abandoned", "Transferred", "Sale",
            "Renewal", "No Answer", "Busy", "Answering Machine", "Fax",
        ],
    ),
    (
        SALES,
        "Sales Outbound",
        "MANDATORY_FORCED_TIMEOUT",
        30_000,
        [
            "Sale", "Renewal", "Not Interested", "Do Not Call", "No Answer", "Answering Machine", "Busy",
            "Wrong Number", "Callback Scheduled", "Fax", "Caller Abandoned", "Transferred",
        ],
    ),
    (RETENTION, "Retention", "MANDATORY", None, ["Renewal", "Not Interested", "Resolved", "Escalated"]),
]  # fmt: skip

USERS = [
    ("ea96e66b-d684-474a-b09a-cdcde48041e6", "Jane Doe", "jdoe"),
    ("cc734f07-942c-400c-afa3-584189f688b7", "Alex Smith", "asmith"),
    ("905ef80c-fff3-4212-bcec-78c850ab878d", "Maria Garcia", "mgarcia"),
    ("32cfb2b5-711d-4766-a6d0-acfdb25fe574", "Kevin Chen", "kchen"),
]

PERMISSIONS = [
    "conversation:participant:wrapup",
    "conversation:communication:view",
    "routing:wrapupCode:view",
    "routing:queue:view",
    "analytics:conversationDetail:view",
    "outbound:wrapUpCodeMapping:view",
    "outbound:wrapUpCodeMapping:edit",
]
#: What the read-only client lacks: setting wrap-ups and editing the outbound wrap-up code mapping.
WRITES = ("conversation:participant:wrapup", "outbound:wrapUpCodeMapping:edit")

#: The org's outbound wrap-up code mapping when the migration starts (GET/PUT /api/v2/outbound/wrapupcodemappings),
#: as an admin left it for the Sales Outbound campaign: Sale spelled as the Terraform provider writes flags, the
#: dialer's default making every code without an entry end the contact (Callback Scheduled included, until the
#: migration maps it: `wrapup-bridge outbound plan mappings/five9.yaml`).
OUTBOUND_MAPPING = [
    "# The outbound wrap-up code mapping (GET/PUT /api/v2/outbound/wrapupcodemappings; docs/emulator.md): the dialer's",
    "# default ends the contact for every code without an entry, Callback Scheduled included.",
    "outbound_wrapupcode_mapping:",
    "  version: 4",
    "  date_created: 2026-02-16T10:12:00Z",
    "  date_modified: 2026-02-27T15:40:31.204Z",
    "  default_set: [CONTACT_UNCALLABLE]",
    "  mapping:",
    "    Sale: [Right_Party_Contact]",
    "    Do Not Call: [CONTACT_UNCALLABLE]",
    "    No Answer: []",
    "    Busy: []",
    "    Answering Machine: []",
]


def conversation_id(n: int) -> str:
    return f"c0ffee00-0000-4000-8000-0000000000{n:02d}"


def _time(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


#: The demo org's phone numbers by queue (voice analytics sessions carry them as dnis, or as ani outbound).
ORG_NUMBERS = {"Billing": "tel:+18005550100", "Support": "tel:+18005550200", "Sales Outbound": "tel:+18005550300"}


def conversation(n: int) -> str:
    """One compact conversation line; the plan fixes queue, media and agent by number."""
    if n <= 20:
        queue, first, day = ("Billing" if n <= 10 else "Sales Outbound"), 1, datetime(2026, 3, 2, 14, tzinfo=UTC)
    elif n <= 40:
        queue, first, day = "Support", 21, datetime(2026, 3, 3, 15, tzinfo=UTC)
    else:
        queue, first, day = "Billing", 41, datetime(2026, 3, 4, 16, tzinfo=UTC)
    media = "message" if 31 <= n <= 35 else "email" if n in (45, 46) else "voice"
    start = day + timedelta(minutes=7 * (n - first))
    length = timedelta(seconds=70) if n == 19 else timedelta(minutes=3 + n % 5, seconds=10 * (n % 6))
    end = start + length
    direction = "outbound" if 11 <= n <= 20 and n != 19 else "inbound"
    customer = f"customer{n:02d}@example.net" if media == "email" else f"tel:+1202555{100 + n:04d}"
    fields = [
        f"id: {conversation_id(n)}",
        f"media: {media}",
        f"queue: {queue}",
        f"agent: {'null' if n == 19 else USERS[(n - 1) % 4][2] + '@example.com'}",
        f"customer: '{customer}'",
    ]
    if direction == "outbound":
        fields.append("direction: outbound")
    if media == "voice":
        # The org's numbers: the one each queue's callers dial, and the caller id outbound calls present.
        fields.append(f"{'ani' if direction == 'outbound' else 'dnis'}: '{ORG_NUMBERS[queue]}'")
    if media == "message":
        fields.append("message_type: sms")
    if media == "email":
        fields.append(f"subject: 'Invoice question #{1000 + n}'")
    fields += [f"start: {_time(start)}", f"end: {_time(end)}"]
    if n == 19:
        fields.append("missed_alerts: [{agent: jdoe@example.com}, {agent: asmith@example.com, ended: client}]")
    if n == 20:
        fields.append("wrapup: Sale")
    comment = {
        19: "  # caller abandoned after one alert rang out and one was declined: nobody connected",
        20: "  # already wrapped up",
    }.get(n, "")
    return "  - {" + ", ".join(fields) + "}" + comment


#: Conversations 51-63: the Five9 calls of examples/five9/call-log-no-ids.csv (no conversation ids), on 2026-03-05
#: (UTC; the export's times are Pacific, UTC-8 that day). (n, queue, agent, customer number, start, seconds, comment)
#: The agent is the one the export names, so a matched record's wrap-up lands on a participant that handled it.
#: Calls are at least 5 minutes apart (end to next start) except 54/55, so a record within 60 s of its call has
#: no other candidate within the 120 s tolerance. Stated explicitly (no realism draws): missed alerts (53 has one
#: declined) and pending ACW, so none of them carries a wrap-up, not even ININ-WRAP-UP-TIMEOUT.
NO_IDS_DAY = datetime(2026, 3, 5, tzinfo=UTC)
NO_IDS: list[tuple[int, str, str, str, timedelta, int, str]] = [
    (51, "Billing", "jdoe", "+12025550151", timedelta(hours=16, minutes=2, seconds=10), 270, ""),
    (52, "Billing", "asmith", "+12025550152", timedelta(hours=16, minutes=12), 195, ""),
    (53, "Billing", "mgarcia", "+12025550153", timedelta(hours=16, minutes=21, seconds=30), 155,
     "kchen declined the first alert"),
    (54, "Billing", "kchen", "+12025550154", timedelta(hours=16, minutes=31), 25, "the call dropped after 25 s"),
    (55, "Billing", "kchen", "+12025550154", timedelta(hours=16, minutes=31, seconds=45), 230,
     "the same caller at once again, to the same agent: 54 and 55 are ambiguous by design"),
    (56, "Billing", "jdoe", "+12025550156", timedelta(hours=16, minutes=50, seconds=20), 220,
     "no Five9 record; the caller's Five9 call 6 min earlier never reached Genesys"),
    (57, "Billing", "mgarcia", "+12025550157", timedelta(hours=17, minutes=1, seconds=40), 170, ""),
    (58, "Sales Outbound", "jdoe", "+12025550158", timedelta(hours=17, minutes=30), 380, ""),
    (59, "Sales Outbound", "asmith", "+12025550159", timedelta(hours=17, minutes=42, seconds=30), 28, ""),
    (60, "Sales Outbound", "mgarcia", "+12025550160", timedelta(hours=17, minutes=50, seconds=10), 115, ""),
    (61, "Sales Outbound", "kchen", "+12025550161", timedelta(hours=17, minutes=59), 90, ""),
    (62, "Billing", "asmith", "+12025550162", timedelta(hours=23, minutes=59, seconds=10), 270,
     "crosses UTC midnight; its record's UTC time is on 2026-03-06"),
    (63, "Billing", "kchen", "+12025550163", timedelta(hours=24, minutes=51, seconds=40), 205,
     "2026-03-06 in UTC, still 2026-03-05 in the export's Pacific time"),
]  # fmt: skip


def no_ids_conversation(n: int, queue: str, agent: str, number: str, at: timedelta, seconds: int, note: str) -> str:
    """One conversation of the Five9 history without conversation ids (see ``NO_IDS``)."""
    start = NO_IDS_DAY + at
    outbound = queue == "Sales Outbound"
    fields = [
        f"id: {conversation_id(n)}",
        "media: voice",
        f"queue: {queue}",
        f"agent: {agent}@example.com",
        f"customer: 'tel:{number}'",
    ]
    if outbound:
        fields.append("direction: outbound")
    fields.append(f"{'ani' if outbound else 'dnis'}: '{ORG_NUMBERS[queue]}'")
    fields += [f"start: {_time(start)}", f"end: {_time(start + timedelta(seconds=seconds))}"]
    fields.append("missed_alerts: [{agent: kchen@example.com, ended: client}]" if n == 53 else "missed_alerts: 0")
    fields.append("acw: pending")
    return "  - {" + ", ".join(fields) + "}" + (f"  # {note}" if note else "")


def render() -> str:
    lines = [
        "# The demo org of the wrapup-bridge Genesys Cloud EMULATOR (not Genesys). Generated by",
        "# examples/make_demo_org.py: edit that script, then run it, rather than editing this file.",
        "# Format: docs/emulator.md. As in real orgs, some compact conversations get alerts that rang out or were",
        "# declined before the agent answered, and after-call work that timed out (ININ-WRAP-UP-TIMEOUT): see",
        "# 'realism' in docs/emulator.md. Conversation 19 states its missed alerts explicitly. Conversations 51-63 are",
        "# the calls of examples/five9/call-log-no-ids.csv (no conversation ids: docs/correlation-demo.md).",
        "name: wrapup-bridge demo org (emulator)",
        "divisions:",
        f"  - {{id: {HOME}, name: Home}}",
        f"  - {{id: {EMEA}, name: EMEA}}",
        "wrapup_codes:",
    ]
    for code_id, name, description in CODES:
        division = "EMEA" if name == "Other" else "Home"
        lines.append(
            f"  - {{id: {code_id}, name: {name}, division: {division}, description: {json.dumps(description)}}}"
        )
    lines.append("queues:")
    for queue_id, name, prompt, timeout, codes in QUEUES:
        lines += [f"  - id: {queue_id}", f"    name: {name}", "    division: Home"]
        timeout_text = "null" if timeout is None else str(timeout)
        lines.append(f"    acw: {{wrapup_prompt: {prompt}, timeout_ms: {timeout_text}}}")
        lines.append("    wrapup_codes:")
        lines += [f"      - {code}" for code in codes]
    lines.append("users:")
    for user_id, name, login in USERS:
        lines.append(
            f"  - {{id: {user_id}, name: {name}, username: {login}@example.com, email: {login}@example.com, division: Home}}"
        )
    lines.append("oauth_clients:")
    for client_id, secret, name, permissions in (
        ("demo-client", "demo-secret", "Demo client (everything the tool needs)", PERMISSIONS),
        (
            "readonly-client",
            "readonly-secret",
            "Read-only client (cannot set wrap-up or the outbound mapping)",
            [p for p in PERMISSIONS if p not in WRITES],
        ),
    ):
        lines += [f"  - client_id: {client_id}", f"    client_secret: {secret}", f"    name: {name}"]
        lines.append("    permissions:")
        lines += [f"      - {p}" for p in permissions]
    lines.append("conversations:")
    lines += [conversation(n) for n in range(1, 51)]
    lines += [no_ids_conversation(*row) for row in NO_IDS]
    lines += OUTBOUND_MAPPING
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT} is out of date; run python examples/make_demo_org.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
