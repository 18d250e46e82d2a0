"""Org files: the demo org, both conversation forms, and errors that name the key path and the line."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT
from tests.emulator.helpers import BILLING, EMEA, HOME, JDOE, KCHEN, OTHER, RESOLVED, SALE, SALES, SUPPORT, cid
from wrapup_bridge.core.disposition import Media
from wrapup_bridge.emulator import OrgFileError, derive_id, load_org, parse_org
from wrapup_bridge.emulator.org import Org

HEAD = f"""\
divisions:
  - {{id: {HOME}, name: Home}}
  - {{id: {EMEA}, name: EMEA}}
wrapup_codes:
  - {{id: {RESOLVED}, name: Resolved}}
  - {{id: {OTHER}, name: Other, division: EMEA}}
queues:
  - id: {BILLING}
    name: Billing
    wrapup_codes: [Resolved]
users:
  - {{id: {JDOE}, name: Jane Doe, email: jdoe@example.com, username: jdoe}}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(OrgFileError) as caught:
        parse_org(text, source="org.yaml")
    return [str(p) for p in caught.value.problems]


# --- the demo org ------------------------------------------------------------------------------------------

SHARED_CODES = {
    "50a74cff-026f-4c84-aa8f-f5f8d837115f": "Resolved",
    "f11fc8de-3eb4-49c8-8f8d-e0e973e1d036": "Not Resolved",
    "2e7abed5-658e-430d-8569-80bb0977e471": "Follow-up Required",
    "f99e6ae5-c3c7-4558-bad3-67d4ab3e1d35": "Escalated",
    "9fddb5fe-f121-4709-8c1d-5c6a1f99f50d": "Wrong Department",
    "0dd6a32c-c059-4534-97bf-c82d73d9c869": "Sale",
    "d9f0b7c0-e6f6-4abf-9c86-269bdefda9aa": "Renewal",
    "dd1c84e4-4fa9-40d7-81ac-e0d9a2729d41": "Payment Taken",
    "0b1f3790-be06-42fd-9aaf-6ec4a380626b": "Callback Scheduled",
    "ea3d9d20-48ec-4042-9e19-cfdf06744ffa": "Not Interested",
    "2d4579fe-90cf-4f1d-a7e3-deeab99a14f8": "Do Not Call",
    "46d1d9af-3dd4-40f3-951b-c8cc9eddb5e7": "No Answer",
    "539bc950-fc1a-4092-aac3-07276f67594e": "Answering Machine",
    "5f1bfb25-5eef-4f8d-bde5-4e17c7836f95": "Busy",
    "975d8cba-c0ba-4e79-848f-dfc9b2829097": "Wrong Number",
    "cf9e4f42-04fb-4856-93c7-0a70c92c2150": "Transferred",
    "a3d1165a-531a-4dec-81f0-3b05c05c6f96": "Caller Abandoned",
    "64403c6a-70d4-4907-babe-ab119dfba360": "Fax",
    "71cc128f-b45b-4900-9ede-424776790f49": "Automatically Completed",
    "704540b7-6a01-44ad-ba29-c5c1268ca41b": "Completed by Supervisor",
    OTHER: "Other",
}
USERS = [JDOE, "cc734f07-942c-400c-afa3-584189f688b7", "905ef80c-fff3-4212-bcec-78c850ab878d", KCHEN]


def test_demo_org_has_exactly_the_shared_ids(demo_org: Org) -> None:
    d = demo_org.directory
    assert {c.id: c.name for c in d.codes.by_id.values()} == SHARED_CODES
    assert {c.id for c in d.codes.by_id.values() if c.division_id == EMEA} == {OTHER}
    assert {(v.id, v.name) for v in d.divisions.by_id.values()} == {(HOME, "Home"), (EMEA, "EMEA")}
    assert {q.id: q.name for q in d.queues.by_id.values()} == {
        BILLING: "Billing",
        SUPPORT: "Support",
        SALES: "Sales Outbound",
        "6744c1d7-ac7f-4c5f-89db-0d451ea7b5e5": "Retention",
    }
    assert [u.id for u in d.users.by_id.values()] == USERS
    # Genesys logins are e-mail addresses, as in real orgs.
    assert [(u.username, u.email) for u in d.users.by_id.values()] == [
        ("jdoe@example.com", "jdoe@example.com"),
        ("asmith@example.com", "asmith@example.com"),
        ("mgarcia@example.com", "mgarcia@example.com"),
        ("kchen@example.com", "kchen@example.com"),
    ]
    assert set(d.clients) == {"demo-client", "readonly-client"}
    assert "conversation:participant:wrapup" in d.clients["demo-client"].permissions
    assert d.clients["readonly-client"].permissions == d.clients["demo-client"].permissions - {
        "conversation:participant:wrapup",
        "outbound:wrapUpCodeMapping:edit",
    }


def test_demo_org_queue_assignments(demo_org: Org) -> None:
    d = demo_org.directory

    def names(queue_id: str) -> set[str]:
        return {d.codes.by_id[c].name for c in d.queues.by_id[queue_id].code_ids}

    assert names(BILLING) == set(SHARED_CODES.values()) - {
        "Sale",
        "Renewal",
        "Not Interested",
        "Do Not Call",
        "Fax",
        "Other",
    }
    assert names(SALES) == {
        "Sale",
        "Renewal",
        "Not Interested",
        "Do Not Call",
        "No Answer",
        "Answering Machine",
        "Busy",
        "Wrong Number",
        "Callback Scheduled",
        "Fax",
        "Caller Abandoned",
        "Transferred",
    }
    assert len(names(SUPPORT)) == 15 and "Sale" in names(SUPPORT) and "Payment Taken" not in names(SUPPORT)
    assert names("6744c1d7-ac7f-4c5f-89db-0d451ea7b5e5") == {"Renewal", "Not Interested", "Resolved", "Escalated"}
    assert all(OTHER not in q.code_ids for q in d.queues.by_id.values())


def test_demo_org_conversations_follow_the_shared_plan(demo_org: Org) -> None:
    assert sorted(demo_org.conversations) == [cid(n) for n in range(1, 64)]
    for n in range(1, 51):
        conv = demo_org.conversations[cid(n)]
        acd = next(p for p in conv.participants if p.purpose == "acd")
        expected_queue = BILLING if n <= 10 or n >= 41 else SALES if n <= 20 else SUPPORT
        assert acd.queue_id == expected_queue, n
        media = Media.MESSAGE if 31 <= n <= 35 else Media.EMAIL if n in (45, 46) else Media.VOICE
        assert {c.media for p in conv.participants for c in p.communications} == {media}, n
        agents = [p for p in conv.participants if p.purpose == "agent"]
        handled = [p for p in agents if p.ever_connected]
        if n == 19:  # abandoned after an alert rang out and one was declined
            assert handled == [] and [c.disconnect_type for a in agents for c in a.communications] == [
                "system",
                "client",
            ]
            continue
        assert [a.user_id for a in handled] == [USERS[(n - 1) % 4]], n
        assert all(a.wrapup is None for a in agents if not a.ever_connected), n
        assert conv.start_time.year == 2026 and conv.end_time is not None
        code = handled[0].wrapup.code if handled[0].wrapup else None
        assert code == SALE if n == 20 else code in (None, "ININ-WRAP-UP-TIMEOUT"), n
    twenty = next(p for p in demo_org.conversations[cid(20)].participants if p.purpose == "agent")
    assert twenty.wrapup is not None and (twenty.wrapup.code, twenty.wrapup.name) == (SALE, "Sale")


#: Conversations 51-63, the calls of examples/five9/call-log-no-ids.csv (docs/correlation-demo.md): who answered
#: (the agent the export names), and the day in UTC.
NO_IDS_AGENTS = {
    51: 0, 52: 1, 53: 2, 54: 3, 55: 3, 56: 0, 57: 2, 58: 0, 59: 1, 60: 2, 61: 3, 62: 1, 63: 3,
}  # fmt: skip


def test_demo_org_has_the_five9_calls_without_conversation_ids_unwrapped(demo_org: Org) -> None:
    for n, user in NO_IDS_AGENTS.items():
        conv = demo_org.conversations[cid(n)]
        acd = next(p for p in conv.participants if p.purpose == "acd")
        assert acd.queue_id == (SALES if 58 <= n <= 61 else BILLING), n
        assert {c.media for p in conv.participants for c in p.communications} == {Media.VOICE}, n
        agents = [p for p in conv.participants if p.purpose == "agent"]
        handled = [p for p in agents if p.ever_connected]
        assert [a.user_id for a in handled] == [USERS[user]], n
        # Nothing to overwrite: no code at all, not even a system one, so a matched record's replay is a real write.
        assert all(a.wrapup is None for a in agents), n
        assert len(agents) == (2 if n == 53 else 1), n  # 53: kchen declined the first alert
        assert conv.start_time.date().isoformat() == ("2026-03-06" if n == 63 else "2026-03-05"), n
    # 54 and 55: the same caller within a minute, answered by the same agent (ambiguous by design).
    first, again = demo_org.conversations[cid(54)], demo_org.conversations[cid(55)]
    assert first.end_time is not None and (again.start_time - first.end_time).total_seconds() == 20


def test_demo_org_file_is_what_the_generator_writes() -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "make_demo_org.py"), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


# --- the compact and the full form -------------------------------------------------------------------------


def test_compact_conversation_expands_to_customer_acd_and_agent() -> None:
    org = parse_org(
        HEAD
        + textwrap.dedent(f"""\
        conversations:
          - id: {cid(1)}
            media: message
            queue: billing
            agent: jdoe@example.com
            customer: '+15550100'
            start: 2026-03-02T14:00:00+01:00
            end: 2026-03-02T14:10:00+01:00
            acw_end: 2026-03-02T14:11:00+01:00
            wrapup: RESOLVED
            wrapup_notes: paid
        """)
    )
    conv = org.conversations[cid(1)]
    customer, acd, agent = conv.participants
    assert (customer.purpose, acd.purpose, agent.purpose) == ("customer", "acd", "agent")
    assert customer.id == derive_id(cid(1), "customer") and agent.id == derive_id(cid(1), "agent")
    assert conv.start_time.isoformat() == "2026-03-02T13:00:00+00:00"
    assert acd.queue_id == agent.queue_id == BILLING and agent.user_id == JDOE and agent.name == "Jane Doe"
    assert agent.wrapup_prompt == "timeout" and agent.wrapup_timeout_ms == 60_000 and agent.wrapup_required
    comm = agent.communications[0]
    assert comm.media is Media.MESSAGE and comm.message_type == "sms" and comm.state == "disconnected"
    assert comm.id == derive_id(cid(1), "agent", "message")
    assert agent.wrapup is not None and (agent.wrapup.code, agent.wrapup.notes) == (RESOLVED, "paid")
    assert comm.after_call_work is not None and comm.after_call_work.state == "complete"
    assert agent.end_acw_time is not None and agent.end_acw_time.minute == 11
    assert conv.participant_by_id[agent.id] is agent and conv.communication_by_id[comm.id] == (agent, comm)
    # The same file always yields the same ids.
    again = parse_org(
        HEAD + f"conversations: [{{id: {cid(1)}, media: message, queue: Billing, agent: jdoe, "
        "start: 2026-03-02T13:00:00Z}]"
    )
    assert [p.id for p in again.conversations[cid(1)].participants] == [p.id for p in conv.participants]


def test_full_conversation_with_a_transfer_between_two_agents() -> None:
    agent2 = "aaaaaaaa-0000-4000-8000-000000000002"
    comm2 = "bbbbbbbb-0000-4000-8000-000000000002"
    org = parse_org(
        HEAD
        + f"  - {{id: {KCHEN}, name: Kevin Chen}}\n"
        + textwrap.dedent(f"""\
        conversations:
          - id: {cid(7)}
            startTime: 2026-03-02T14:00:00Z
            endTime: 2026-03-02T14:20:00Z
            participants:
              - purpose: customer
                calls: [{{state: disconnected, direction: inbound}}]
              - purpose: agent
                userId: Jane Doe
                queueId: Billing
                wrapup: {{code: Resolved, notes: first leg}}
                calls: [{{state: disconnected, disconnectType: transfer}}]
              - id: {agent2}
                purpose: agent
                userId: {KCHEN}
                queueId: {BILLING}
                calls:
                  - {{id: {comm2}, state: disconnected, afterCallWork: {{state: pending}}}}
                  - {{state: connected}}
        """)
    )
    conv = org.conversations[cid(7)]
    assert [p.purpose for p in conv.participants] == ["customer", "agent", "agent"]
    first, second = conv.participants[1], conv.participants[2]
    assert first.id == derive_id(cid(7), "participant", 1) and first.user_id == JDOE
    assert first.wrapup is not None and first.wrapup.code == RESOLVED and first.wrapup.notes == "first leg"
    assert second.id == agent2 and len(second.communications) == 2
    assert conv.communication_by_id[comm2][0] is second
    assert second.communication() is second.communications[-1]
    assert conv.division_ids == [HOME]


def test_emulator_section_is_read() -> None:
    org = parse_org(HEAD + "emulator: {overwrite: reject, rejection_status: 409, faults: {seed: 7, drop_ratio: 0.5}}\n")
    assert org.emulator_config is not None
    assert org.emulator_config.overwrite == "reject" and org.emulator_config.rejection_status == 409
    assert org.emulator_config.faults.seed == 7


def test_system_wrapup_codes_are_accepted_as_already_applied() -> None:
    org = parse_org(
        HEAD + f"conversations: [{{id: {cid(3)}, media: voice, queue: Billing, agent: jdoe, "
        "start: 2026-03-02T13:00:00Z, end: 2026-03-02T13:05:00Z, wrapup: ININ-WRAP-UP-TIMEOUT}]"
    )
    agent = next(p for p in org.conversations[cid(3)].participants if p.id == derive_id(cid(3), "agent"))
    assert agent.wrapup is not None and (agent.wrapup.code, agent.wrapup.name) == ("ININ-WRAP-UP-TIMEOUT", None)


# --- errors: every problem, with its key path and line -----------------------------------------------------


def test_shape_errors_name_path_and_line() -> None:
    text = HEAD + textwrap.dedent(f"""\
        oauth_clients:
          - {{client_id: x, client_secret: y, permissions: [routing-queue-view]}}
        conversations:
          - {{id: {cid(1)}, media: fax, queue: Billing, start: 2026-03-02T14:00:00Z}}
          - {{id: not-a-uuid, media: voice, queue: Billing, start: 2026-03-02T14:00:00}}
          - {{id: {cid(3)}, media: voice, queue: Billing, start: 2026-03-02T14:00:00Z, colour: red}}
          - id: {cid(4)}
            startTime: 2026-03-02T14:00:00Z
            participants:
              - purpose: agent
                calls: [{{state: parked}}]
        """)
    found = problems(text)
    assert any(
        p.startswith("line 14: oauth_clients[0].permissions[0]: ") and "domain:entity:action" in p for p in found
    )
    assert any(p.startswith("line 16: conversations[0].media: ") for p in found)
    assert any(p.startswith("line 17: conversations[1].id: ") and "not a Genesys id" in p for p in found)
    assert any(p.startswith("line 17: conversations[1].start: ") and "timezone" in p for p in found)
    assert "line 18: conversations[2].colour: unknown key (check its spelling and indentation)" in found
    assert any(p.startswith("line 23: conversations[3].participants[0].calls[0].state: ") for p in found)
    assert len(found) == 6


def test_reference_errors_name_path_and_line() -> None:
    text = textwrap.dedent(f"""\
        divisions: [{{id: {HOME}, name: Home}}]
        wrapup_codes:
          - {{id: {RESOLVED}, name: Resolved, division: Nowhere}}
          - {{id: {RESOLVED}, name: Again}}
          - {{id: {SALE}, name: resolved}}
        queues:
          - id: {BILLING}
            name: Billing
            wrapup_codes: [Resolved, Refunded]
        users: [{{id: {JDOE}, name: Jane Doe}}]
        conversations:
          - {{id: {cid(1)}, media: voice, queue: Billingg, start: 2026-03-02T14:00:00Z}}
          - {{id: {cid(2)}, media: voice, queue: Billing, agent: nobody, start: 2026-03-02T14:00:00Z}}
          - {{id: {cid(3)}, media: voice, queue: Billing, agent: Jane Doe, start: 2026-03-02T14:00:00Z,
              end: 2026-03-02T14:01:00Z, wrapup: Refunded}}
          - {{id: {cid(3)}, media: voice, queue: Billing, start: 2026-03-02T14:00:00Z}}
        """)
    found = problems(text)
    assert found == [
        "line 3: wrapup_codes[0].division: no division with id or name 'Nowhere'",
        f"line 4: wrapup_codes[1].id: wrap-up code id {RESOLVED} is listed twice",
        "line 5: wrapup_codes[2].name: wrap-up code name 'resolved' is also wrapup_codes[0]",
        "line 9: queues[0].wrapup_codes[1]: no wrap-up code with id or name 'Refunded'",
        "line 12: conversations[0].queue: no queue with id or name 'Billingg'",
        "line 13: conversations[1].agent: no user with id or name 'nobody'",
        "line 15: conversations[2].wrapup: no wrap-up code with id or name 'Refunded'",
        f"line 16: conversations[3].id: conversation id {cid(3)} is listed twice",
    ]


def test_consistency_rules_of_the_compact_form() -> None:
    found = problems(
        HEAD
        + textwrap.dedent(f"""\
        conversations:
          - {{id: {cid(1)}, media: voice, queue: Billing, start: 2026-03-02T14:00:00Z, wrapup: Resolved}}
          - {{id: {cid(2)}, media: voice, queue: Billing, start: 2026-03-02T14:00:00Z, end: 2026-03-02T13:00:00Z}}
          - {{id: {cid(3)}, media: voice, queue: Billing, start: 2026-03-02T14:00:00Z, subject: hi}}
        """)
    )
    assert [p.split(": ", 2)[1] for p in found] == ["conversations[0]", "conversations[1]", "conversations[2]"]
    assert "needs an agent" in found[0] and "end is before start" in found[1] and "only for media: email" in found[2]


def test_acw_timeout_only_with_timed_prompts() -> None:
    text = HEAD.replace(
        "    wrapup_codes: [Resolved]\n", "    wrapup_codes: [Resolved]\n    acw: {wrapup_prompt: MANDATORY}\n"
    )
    found = problems(text)
    assert len(found) == 1 and found[0].startswith("line 11: queues[0].acw: ") and "timeout_ms" in found[0]


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(OrgFileError) as caught:
        load_org(tmp_path / "missing.yaml")
    assert "cannot read the file" in str(caught.value)
    bad = tmp_path / "bad.yaml"
    bad.write_text("divisions: [\n  - {id: x\n", encoding="utf-8")
    with pytest.raises(OrgFileError) as caught:
        load_org(bad)
    assert caught.value.problems[0].line is not None and "not valid YAML" in caught.value.problems[0].message
    assert str(bad) in str(caught.value)
    assert problems("- just a list\n") == ["line 1: the org file must be a mapping with divisions, wrapup_codes, ..."]


def test_anchors_and_merges_are_read_and_errors_point_where_the_key_is_written() -> None:
    text = HEAD.replace(
        "    wrapup_codes: [Resolved]\n",
        "    wrapup_codes: [Resolved]\n"
        "    acw: &acw {wrapup_prompt: MANDATORY_TIMEOUT, timeout_ms: 30000}\n"
        f"  - id: {SUPPORT}\n"
        "    name: Support\n"
        "    acw: {<<: *acw, wrapup_prompt: OPTIONAL, timeout_ms: null}\n",
    )
    support = parse_org(text).spec.queues[1]
    assert (support.acw.wrapup_prompt, support.acw.timeout_ms) == ("OPTIONAL", None)  # its own keys win
    found = problems(text.replace("OPTIONAL, timeout_ms: null", "OPTIONAL"))  # timeout_ms merged from the anchor
    line = text.splitlines().index("    acw: {<<: *acw, wrapup_prompt: OPTIONAL, timeout_ms: null}") + 1
    assert len(found) == 1 and found[0].startswith(f"line {line}: queues[1].acw: ") and "timeout_ms" in found[0]


def test_the_documented_example_org_loads() -> None:
    text = (ROOT / "docs" / "emulator.md").read_text(encoding="utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    org = parse_org(example, source="docs/emulator.md")
    assert len(org.conversations.listed) == 4 and len(org.conversations) == 4 + 1000  # and its generate: block
    assert [p.purpose for p in org.conversations[cid(2)].participants] == ["customer", "agent", "agent"]
    callback = [p for p in org.conversations[cid(3)].participants if p.purpose == "agent"]
    assert [p.ever_connected for p in callback] == [False, False, False]  # declined, rang out, still alerting
    timed_out = next(p for p in org.conversations[cid(4)].participants if p.purpose == "agent" and p.ever_connected)
    assert timed_out.wrapup is not None and timed_out.wrapup.code == "ININ-WRAP-UP-TIMEOUT"
    assert org.emulator_config is not None and org.emulator_config.overwrite == "reject"
