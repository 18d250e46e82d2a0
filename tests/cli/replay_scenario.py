"""A generated replay scenario: an org of N conversations and a Five9 Call Log that dispositions each of them.

The reliability tests and ``benchmarks/replay.py`` need thousands (up to 100k) of conversations that the
shipped demo org does not have, and a legacy export whose rows point at them. Both are generated from one
number and one seed, so a failing run can be rebuilt exactly; generation is a few seconds even at 100k.

Conversation ``n`` (1-based) has one agent participant (user ``(n - 1) % 4`` of the shared demo users) on the
Billing queue, voice, ended, with no wrap-up yet; Call Log row ``n`` carries its id and a disposition that
the generated mapping sends to a code assigned to Billing, so every row plans one write.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from wrapup_bridge.emulator import Org, build_org
from wrapup_bridge.emulator.orgfile import OrgSpec

__all__ = [
    "BILLING",
    "CLIENT",
    "CODES",
    "DISPOSITIONS",
    "Scenario",
    "conversation_id",
    "make_org",
    "pool_clients",
    "write_call_log",
    "write_mapping",
    "write_scenario",
]

HOME = "48ddf357-eb7e-4766-9706-7cc07753a7de"
BILLING = "e0284275-ec9b-4fde-a99c-648c9c1726bc"
#: The demo org's OAuth client id and secret (an org-file fixture, not a secret).
CLIENT = ("demo-client", "demo-secret")
#: (id, name) of the shared demo codes the scenario uses; all are assigned to its Billing queue.
CODES = {
    "payment_taken": ("dd1c84e4-4fa9-40d7-81ac-e0d9a2729d41", "Payment Taken"),
    "resolved": ("50a74cff-026f-4c84-aa8f-f5f8d837115f", "Resolved"),
    "follow_up": ("2e7abed5-658e-430d-8569-80bb0977e471", "Follow-up Required"),
    "no_answer": ("46d1d9af-3dd4-40f3-951b-c8cc9eddb5e7", "No Answer"),
    "busy": ("5f1bfb25-5eef-4f8d-bde5-4e17c7836f95", "Busy"),
}
#: Five9 disposition text -> code alias in the generated mapping.
DISPOSITIONS = {
    "Payment Taken": "payment_taken",
    "Resolved": "resolved",
    "Callback Scheduled": "follow_up",
    "No Answer": "no_answer",
    "Busy": "busy",
}
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
]
CALL_LOG_HEADER = [
    "CALL ID", "TIMESTAMP", "CAMPAIGN", "CALL TYPE", "AGENT", "AGENT NAME", "DISPOSITION", "ANI", "CUSTOMER NAME",
    "DNIS", "CALL TIME", "BILL TIME (ROUNDED)", "COST", "IVR TIME", "QUEUE WAIT TIME", "RING TIME", "TALK TIME",
    "HOLD TIME", "PARK TIME", "AFTER CALL WORK TIME", "TRANSFERS", "CONFERENCES", "HOLDS", "ABANDONED", "RECORDINGS",
    "GENESYS CONVERSATION ID",
]  # fmt: skip
_START = datetime(2026, 3, 2, 8, tzinfo=UTC)
#: Five9 reports are in US/Pacific local time; converting real instants never lands in a DST gap.
_FIVE9_ZONE = ZoneInfo("America/Los_Angeles")


def conversation_id(n: int) -> str:
    """Conversation ``n``'s id; a prefix of its own so it never collides with the demo org's c0ffee00-... ids."""
    return f"5eed0000-0000-4000-8000-{n:012d}"


def _start(n: int) -> datetime:
    return _START + timedelta(seconds=37 * n)


def _conversations(count: int) -> Iterator[dict[str, Any]]:
    for n in range(1, count + 1):
        start = _start(n)
        yield {
            "id": conversation_id(n),
            "media": "voice",
            "queue": BILLING,
            "agent": USERS[(n - 1) % 4][0],
            "customer": f"tel:+1202{n % 10_000_000:07d}",
            "start": start,
            "end": start + timedelta(minutes=3, seconds=n % 60),
        }


def pool_clients(clients: int) -> list[tuple[str, str]]:
    """(id, secret) of ``clients`` OAuth clients with every permission a replay needs: ``CLIENT`` first, then
    pool-2, pool-3, ... (org-file fixtures, not secrets)."""
    return [CLIENT, *((f"pool-{n}", f"pool-secret-{n}") for n in range(2, clients + 1))]


def make_org(count: int, clients: int = 1) -> Org:
    """An org of ``count`` conversations on one queue (built in code: YAML would dominate at 100k), with
    ``clients`` OAuth clients (``pool_clients``)."""
    spec = OrgSpec.model_validate(
        {
            "name": f"generated replay org ({count} conversations, emulator)",
            "divisions": [{"id": HOME, "name": "Home"}],
            "wrapup_codes": [{"id": code_id, "name": name} for code_id, name in CODES.values()],
            "queues": [
                {
                    "id": BILLING,
                    "name": "Billing",
                    "acw": {"wrapup_prompt": "MANDATORY_TIMEOUT", "timeout_ms": 60_000},
                    "wrapup_codes": [code_id for code_id, _ in CODES.values()],
                }
            ],
            "users": [
                {"id": uid, "name": name, "username": login, "email": f"{login}@example.com"}
                for uid, name, login in USERS
            ],
            "oauth_clients": [
                {"client_id": cid, "client_secret": secret, "permissions": PERMISSIONS}
                for cid, secret in pool_clients(clients)
            ],
            "conversations": list(_conversations(count)),
        }
    )
    return build_org(spec, source=f"<generated org of {count} conversations>")


def write_mapping(path: Path) -> Path:
    """The mapping table for the generated Call Log (each of ``DISPOSITIONS`` to a Billing code)."""
    lines = [
        "# Generated by tests/cli/replay_scenario.py for replay tests and benchmarks.",
        "version: 1",
        "source:",
        "  platform: five9",
        "  format: call-log",
        "  conversation_id: GENESYS CONVERSATION ID",
        "codes:",
        *(f"  {alias}: {{id: {code_id}, name: {name}}}" for alias, (code_id, name) in CODES.items()),
        "rules:",
        *(f"  - when: {{code: {text}}}\n    code: {alias}" for text, alias in DISPOSITIONS.items()),
        "unmapped:",
        "  action: dead-letter",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_call_log(path: Path, count: int, seed: int) -> dict[str, int]:
    """A Five9 Call Log with one row per conversation (1..count); returns how many rows got each disposition."""
    rng = random.Random(seed)
    texts = list(DISPOSITIONS)
    counts: dict[str, int] = dict.fromkeys(texts, 0)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(CALL_LOG_HEADER)
        for n in range(1, count + 1):
            text = rng.choice(texts)
            counts[text] += 1
            _, name, login = USERS[(n - 1) % 4]
            stamp = _start(n).astimezone(_FIVE9_ZONE).strftime("%a, %d %b %Y %H:%M:%S")
            writer.writerow([
                str(300_000_000_000_000 + n), stamp, "Billing Inbound", "Inbound", login, name, text,
                "9045550162", "", "8005550100", "00:03:12", "00:03:18", "0.0336", "00:00:21", "00:00:07.412",
                "00:00:03", "00:02:30", "00:00:15", "00:00:00", "00:00:18", "", "", "1", "0", "09:02:33(2:30)",
                conversation_id(n),
            ])  # fmt: skip
    return counts


@dataclass(frozen=True)
class Scenario:
    """The files of one generated replay: mapping table, Call Log, and where the plan goes."""

    mapping: Path
    call_log: Path
    plan: Path
    count: int

    @property
    def ledger(self) -> Path:
        return self.plan.with_name(self.plan.name.removesuffix(".jsonl").removesuffix(".plan") + ".ledger.sqlite")

    @property
    def dead_letters(self) -> Path:
        return self.plan.with_name(self.plan.name.removesuffix(".jsonl").removesuffix(".plan") + ".deadletter.jsonl")


def write_scenario(folder: Path, count: int, seed: int) -> Scenario:
    """Mapping and Call Log for ``count`` conversations under ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    mapping = write_mapping(folder / "mapping.yaml")
    call_log = folder / "call-log.csv"
    write_call_log(call_log, count, seed)
    return Scenario(mapping=mapping, call_log=call_log, plan=folder / "replay.plan.jsonl", count=count)
