"""A generated correlation scenario: an emulator org of N voice conversations over D days, and a Five9 Call Log of M
records that name no conversation, with the truth of which conversation each record was.

``benchmarks/correlate.py`` measures the correlation (issue 13) against it: the calls it costs, its precision and
recall, its memory. A benchmark needs more than the shipped demo org's 50 conversations and a truth a person did
not write, so both sides are drawn from one seed; the same ``ScenarioSpec`` always gives the same org, the same
files, byte for byte. 20,000 conversations and 10,000 records take a few seconds.

What makes it hard, as real exports are:

- Density: calls in US Eastern business hours (8:00-20:00, busiest late morning and mid-afternoon), weekdays busier
  than the weekend. The evening hour falls on the next UTC day, so a US working day straddles UTC midnight, and
  the US switches to summer time on 2026-03-08 (inside the default week).
- Repeat callers: customers come from a pool with a long tail (a few call often), and some call straight back
  a few minutes after a call ended, so one number has several conversations the same day.
- Distractors: the org has conversations the export never names: Support calls (another DNIS, not a Five9
  campaign) and Billing/Sales calls that were handled elsewhere.
- Noise: the Five9 TIMESTAMP is up to 60 s off the conversation's start, numbers are written as 10 digits mostly,
  some as ``19045550101``, ``(904) 555-0101`` or ``+19045550101``; third-party transfers add an undispositioned
  leg row (which the Five9 adapter merges into its call).
- Calls that never reached Genesys (``unreached``, ~3 %): records with no conversation (truth ``None``), some from
  callers who also have real conversations that day, never within 3 minutes of one of them on the same line.

Conventions the records follow (Five9 Call Log, docs/five9.md; the shipped ``mappings/five9.yaml`` maps every
disposition used): inbound Billing calls are campaign ``Billing Inbound``, CALL TYPE ``Inbound``, ANI the caller,
DNIS 8005550100; outbound Sales calls are ``Sales Outbound``, ``Outbound``, ANI the caller id the campaign presents
(8005550300), DNIS the customer. TIMESTAMP is the call's start in US Pacific local time, which the Five9 adapter
reads by default (``wrapup_bridge/adapters/five9/_time``, region ``us``). AGENT is the Five9 login (``jdoe``), the
local part of the Genesys user's e-mail/login (``jdoe@example.com``).

Nothing here imports the tests; the org's codes, queues, clients and first users are the shipped demo org's.
"""

from __future__ import annotations

import bisect
import copy
import csv
import functools
import itertools
import json
import math
import random
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from wrapup_bridge.data import DEMO_ORG

__all__ = [
    "CALL_LOG_HEADER",
    "CAMPAIGNS",
    "CLIENT",
    "Call",
    "Record",
    "Scenario",
    "ScenarioSpec",
    "conversation_id",
    "generate_calls",
    "generate_records",
    "make_org",
    "org_dict",
    "read_truth",
    "write_call_log",
    "write_org",
    "write_scenario",
    "write_truth",
]

#: The standard Call Log's 25 columns (examples/five9/call-log.csv without its GENESYS CONVERSATION ID).
CALL_LOG_HEADER = (
    "CALL ID", "TIMESTAMP", "CAMPAIGN", "CALL TYPE", "AGENT", "AGENT NAME", "DISPOSITION", "ANI", "CUSTOMER NAME",
    "DNIS", "CALL TIME", "BILL TIME (ROUNDED)", "COST", "IVR TIME", "QUEUE WAIT TIME", "RING TIME", "TALK TIME",
    "HOLD TIME", "PARK TIME", "AFTER CALL WORK TIME", "TRANSFERS", "CONFERENCES", "HOLDS", "ABANDONED", "RECORDINGS",
)  # fmt: skip
#: The demo org's OAuth client (an org-file fixture, not a secret).
CLIENT = ("demo-client", "demo-secret")

#: Five9 reports local times in the domain's data-centre zone: US Pacific by default (the adapter's ``us`` region).
FIVE9_ZONE = ZoneInfo("America/Los_Angeles")
#: Where the callers and the agents are: business hours are Eastern.
BUSINESS_ZONE = ZoneInfo("America/New_York")
#: Relative call volume by local hour (8:00-19:59), and by weekday (Monday first).
HOURLY = {8: 0.6, 9: 0.9, 10: 1.0, 11: 1.0, 12: 0.8, 13: 0.9, 14: 1.0, 15: 0.95, 16: 0.85, 17: 0.6, 18: 0.4, 19: 0.25}
WEEKDAY = (1.0, 1.0, 1.0, 0.95, 0.9, 0.45, 0.25)

#: The demo org's queues and numbers (examples/make_demo_org.py ORG_NUMBERS): what each kind of call is.
BILLING = "e0284275-ec9b-4fde-a99c-648c9c1726bc"
SUPPORT = "32f46174-fc86-4b1c-a519-6bd0bcde15a0"
SALES = "1fe52838-127f-42fd-bd21-e6ef4db35835"


@dataclass(frozen=True)
class Campaign:
    """One kind of call: its Genesys queue and numbers, and (for the Five9 ones) its campaign and dispositions."""

    queue: str
    direction: str  # inbound | outbound
    org_number: str  # E.164: the DNIS callers dial, or the caller id outbound calls present
    share: float  # of the org's conversations
    five9: str | None  # the Five9 campaign; None: not in the Five9 export (a distractor)
    dispositions: tuple[tuple[str, float], ...] = ()
    #: Dispositions of calls nobody talked on (short calls).
    short: frozenset[str] = frozenset()


CAMPAIGNS = {
    "billing": Campaign(
        BILLING, "inbound", "+18005550100", 0.45, "Billing Inbound",
        (("Payment Taken", 0.4), ("Callback Scheduled", 0.15), ("Transferred To 3rd Party", 0.12),
         ("Caller Disconnected", 0.2), ("Wrong Number", 0.05), ("Abandon", 0.08)),
        frozenset({"Abandon", "Caller Disconnected"}),
    ),
    "sales": Campaign(
        SALES, "outbound", "+18005550300", 0.25, "Sales Outbound",
        (("Sale", 0.15), ("Not Interested", 0.25), ("No Answer", 0.2), ("Answering Machine", 0.15), ("Busy", 0.05),
         ("Callback Scheduled", 0.12), ("Do Not Call", 0.08)),
        frozenset({"No Answer", "Answering Machine", "Busy"}),
    ),
    "support": Campaign(SUPPORT, "inbound", "+18005550200", 0.30, None),
}  # fmt: skip
#: Third parties Billing transfers to (the leg row's DNIS).
TRANSFER_NUMBERS = ("4075550177", "4075550178", "9045550199")
AREA_CODES = ("202", "212", "305", "312", "404", "407", "415", "512", "617", "713", "904", "206")
FIRST_NAMES = ("Sam", "Priya", "Tom", "Lena", "Omar", "Rita", "Ben", "Yuki", "Carlos", "Nina", "Ivan", "Aisha")
LAST_NAMES = ("Park", "Novak", "Reyes", "Olsen", "Khan", "Moreau", "Silva", "Wright", "Tanaka", "Berg", "Costa")
#: A prefix of its own, so generated ids never meet the demo org's c0ffee00-... or the replay scenario's.
ID_PREFIX = "c022e1a7-0000-4000-8000-"
USER_NAMESPACE = uuid.UUID("6b1c3f0e-13c0-4e1a-9d2b-2a5f0c0ffee1")


def conversation_id(n: int) -> str:
    """Conversation ``n`` (1-based, in start order)."""
    return f"{ID_PREFIX}{n:012d}"


@dataclass(frozen=True)
class ScenarioSpec:
    """Everything the scenario is drawn from; equal specs give equal scenarios."""

    conversations: int = 20_000
    records: int = 10_000
    days: int = 7
    seed: int = 13
    #: Agents answering; the first four are the demo org's users.
    agents: int = 40
    #: Share of the records whose call never reached Genesys (truth: none).
    unreached: float = 0.03
    #: Share of inbound calls followed by the same caller calling straight back.
    call_backs: float = 0.05
    #: Distinct customer numbers, as a share of the conversations (smaller: more repeat callers).
    pool: float = 0.35
    first_day: date = date(2026, 3, 2)  # a Monday
    jitter_seconds: int = 60

    def __post_init__(self) -> None:
        if self.conversations < 1 or self.records < 1 or self.days < 1 or self.agents < 4:
            raise ValueError("a scenario needs conversations, records, days and at least the 4 demo agents")
        if not 0 <= self.unreached < 1:
            raise ValueError("unreached is a share, 0 <= unreached < 1")


@dataclass(frozen=True, slots=True)
class Call:
    """One generated Genesys conversation (and, for a Five9 campaign, how Five9 dispositioned it)."""

    n: int
    kind: str  # a key of CAMPAIGNS
    start: datetime  # UTC, whole seconds
    end: datetime
    agent: int  # index into the scenario's agents
    customer: str  # E.164
    disposition: str | None

    @property
    def id(self) -> str:
        return conversation_id(self.n)


@dataclass(frozen=True, slots=True)
class Record:
    """One Five9 call as the Call Log shows it, and the conversation it was (None: it never reached Genesys)."""

    call_id: str
    time: datetime  # the TIMESTAMP as an instant (UTC)
    kind: str
    agent: int
    customer: str  # E.164
    disposition: str
    seconds: int  # call length
    truth: str | None


@dataclass(frozen=True)
class Agent:
    user_id: str
    name: str
    login: str  # Five9 AGENT; the Genesys user's e-mail/login is login@example.com


@functools.cache
def _demo_org() -> dict[str, Any]:
    """The shipped demo org (read once; callers copy what they change)."""
    data: dict[str, Any] = yaml.safe_load(DEMO_ORG.read_text(encoding="utf-8"))
    return data


def agents(count: int) -> list[Agent]:
    """The demo org's four users, then ``count - 4`` generated ones (fixed names, ids from uuid5)."""
    demo = _demo_org()["users"]
    found = [Agent(u["id"], u["name"], u["username"].split("@")[0]) for u in demo]
    logins = {a.login for a in found}
    for first, last in itertools.product(FIRST_NAMES, LAST_NAMES):
        if len(found) >= count:
            break
        login = (first[0] + last).lower()
        if login in logins:
            continue
        logins.add(login)
        found.append(Agent(str(uuid.uuid5(USER_NAMESPACE, login)), f"{first} {last}", login))
    if len(found) < count:
        raise ValueError(f"at most {len(found)} agents can be named")
    return found[:count]


# ----------------------------------------------------------------------------------------------------- the org
def _day_counts(spec: ScenarioSpec) -> list[int]:
    days = [spec.first_day + timedelta(days=d) for d in range(spec.days)]
    weights = [WEEKDAY[d.weekday()] for d in days]
    total = sum(weights)
    counts = [int(spec.conversations * w / total) for w in weights]
    counts[max(range(len(counts)), key=weights.__getitem__)] += spec.conversations - sum(counts)
    return counts


def _customer_pool(spec: ScenarioSpec, rng: random.Random) -> tuple[list[str], list[float]]:
    """Distinct numbers and cumulative weights with a long tail: rank r calls about (r + 1) ** -0.7 as often."""
    size = max(10, int(spec.conversations * spec.pool))
    lines = rng.sample(range(len(AREA_CODES) * 10_000), size)
    numbers = [f"+1{AREA_CODES[x // 10_000]}555{x % 10_000:04d}" for x in lines]
    return numbers, list(itertools.accumulate((r + 1) ** -0.7 for r in range(size)))


def _length(rng: random.Random, short: bool) -> int:
    if short:
        return rng.randint(15, 75)
    return max(40, min(3600, round(rng.lognormvariate(math.log(260), 0.6))))


def generate_calls(spec: ScenarioSpec) -> list[Call]:
    """The org's conversations in start order (``Call.n`` = 1, 2, ...)."""
    rng = random.Random(f"calls:{spec.seed}")
    numbers, cumulative = _customer_pool(spec, rng)
    kinds = list(CAMPAIGNS)
    kind_weights = [CAMPAIGNS[k].share for k in kinds]
    hours = list(HOURLY)
    hour_weights = list(HOURLY.values())
    drafts: list[tuple[datetime, str, datetime, int, str, str | None]] = []
    for offset, count in enumerate(_day_counts(spec)):
        day = spec.first_day + timedelta(days=offset)
        made = 0
        while made < count:
            hour = rng.choices(hours, hour_weights)[0]
            local = datetime.combine(day, time(hour), BUSINESS_ZONE) + timedelta(seconds=rng.randrange(3600))
            start = local.astimezone(UTC)
            kind = rng.choices(kinds, kind_weights)[0]
            campaign = CAMPAIGNS[kind]
            customer = numbers[bisect.bisect_left(cumulative, rng.random() * cumulative[-1])]
            disposition = rng.choices(*zip(*campaign.dispositions, strict=True))[0] if campaign.five9 else None
            end = start + timedelta(seconds=_length(rng, disposition in campaign.short))
            drafts.append((start, kind, end, rng.randrange(spec.agents), customer, disposition))
            made += 1
            if made < count and campaign.direction == "inbound" and rng.random() < spec.call_backs:
                # The same caller again, 20 s to 5 min after hanging up, most likely to another agent.
                again = end + timedelta(seconds=rng.randint(20, 300))
                redial = rng.choices(*zip(*campaign.dispositions, strict=True))[0] if campaign.five9 else None
                drafts.append(
                    (again, kind, again + timedelta(seconds=_length(rng, redial in campaign.short)),
                     rng.randrange(spec.agents), customer, redial)
                )  # fmt: skip
                made += 1
    drafts.sort(key=lambda d: (d[0], d[4]))
    return [
        Call(n, kind, start, end, agent, customer, disposition)
        for n, (start, kind, end, agent, customer, disposition) in enumerate(drafts, start=1)
    ]


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _compact(call: Call, staff: Sequence[Agent]) -> dict[str, Any]:
    campaign = CAMPAIGNS[call.kind]
    queue_name = {BILLING: "Billing", SUPPORT: "Support", SALES: "Sales Outbound"}[campaign.queue]
    conversation: dict[str, Any] = {
        "id": call.id,
        "media": "voice",
        "queue": queue_name,
        "agent": f"{staff[call.agent].login}@example.com",
        "customer": f"tel:{call.customer}",
    }
    if campaign.direction == "outbound":
        conversation["direction"] = "outbound"
        conversation["ani"] = f"tel:{campaign.org_number}"
    else:
        conversation["dnis"] = f"tel:{campaign.org_number}"
    conversation["start"] = _iso(call.start)
    conversation["end"] = _iso(call.end)
    return conversation


def org_dict(spec: ScenarioSpec, calls: Sequence[Call] | None = None) -> dict[str, Any]:
    """The org in the org-file format (docs/emulator.md): the demo org's divisions, codes, queues and clients, its
    users plus the generated agents, and the generated conversations (compact form, no wrap-up yet)."""
    calls = generate_calls(spec) if calls is None else calls
    demo = copy.deepcopy(_demo_org())
    staff = agents(spec.agents)
    known = {u["id"] for u in demo["users"]}
    users = list(demo["users"]) + [
        {"id": a.user_id, "name": a.name, "username": f"{a.login}@example.com", "email": f"{a.login}@example.com",
         "division": "Home"}
        for a in staff if a.user_id not in known
    ]  # fmt: skip
    return {
        "name": f"generated correlation org ({len(calls)} conversations over {spec.days} days, emulator)",
        "divisions": demo["divisions"],
        "wrapup_codes": demo["wrapup_codes"],
        "queues": demo["queues"],
        "users": users,
        "oauth_clients": demo["oauth_clients"],
        "conversations": [_compact(call, staff) for call in calls],
    }


def make_org(spec: ScenarioSpec, calls: Sequence[Call] | None = None) -> Any:
    """The emulator's ``Org`` for ``spec``, built in code (an org file of 20,000 conversations is slow YAML)."""
    from wrapup_bridge.emulator import build_org
    from wrapup_bridge.emulator.orgfile import OrgSpec

    data = org_dict(spec, calls)
    return build_org(OrgSpec.model_validate(data), source=f"<{data['name']}>")


def write_org(path: Path, spec: ScenarioSpec, calls: Sequence[Call] | None = None) -> Path:
    """The org file (JSON, which is YAML), for ``--org`` or ``wrapup-bridge emulator --org``."""
    with path.open("w", encoding="utf-8") as handle:
        json.dump(org_dict(spec, calls), handle, separators=(",", ":"))
    return path


# ------------------------------------------------------------------------------------------------- the records
def _number_noise(rng: random.Random) -> Callable[[str], str]:
    """How one record writes its numbers: 10 digits mostly (as Five9 does), sometimes another common form."""
    form = rng.random()
    if form < 0.85:
        return lambda e164: e164[2:]
    if form < 0.90:
        return lambda e164: e164[1:]
    if form < 0.95:
        return lambda e164: f"({e164[2:5]}) {e164[5:8]}-{e164[8:]}"
    return lambda e164: e164


def _near(starts: Sequence[datetime], when: datetime, seconds: float) -> bool:
    i = bisect.bisect_left(starts, when - timedelta(seconds=seconds))
    return i < len(starts) and starts[i] <= when + timedelta(seconds=seconds)


def generate_records(spec: ScenarioSpec, calls: Sequence[Call]) -> list[Record]:
    """``spec.records`` Five9 calls in TIMESTAMP order with CALL IDs in that order; raises ValueError when the org
    has too few Five9 conversations to draw them from."""
    rng = random.Random(f"records:{spec.seed}")
    eligible = [c for c in calls if CAMPAIGNS[c.kind].five9]
    unreached = round(spec.records * spec.unreached)
    reached = spec.records - unreached
    if reached > len(eligible):
        raise ValueError(
            f"{spec.records} records need {reached} Five9 conversations; the org has {len(eligible)} "
            f"(raise conversations or lower records)"
        )
    drafts: list[tuple[datetime, Call, str | None, int]] = []
    for call in rng.sample(eligible, reached):
        drafts.append((call.start + timedelta(seconds=rng.randint(-spec.jitter_seconds, spec.jitter_seconds)),
                       call, call.id, int((call.end - call.start).total_seconds())))  # fmt: skip
    # Calls that never reached Genesys: near a real call of the same campaign, never within 180 s of a conversation
    # on the same customer line and campaign (a correlation could not know better than to match it).
    by_line: dict[tuple[str, str], list[datetime]] = {}
    for call in calls:
        by_line.setdefault((call.kind, call.customer), []).append(call.start)
    numbers = sorted({c.customer for c in eligible})
    while unreached:
        near = rng.choice(eligible)
        customer = near.customer if rng.random() < 0.5 else rng.choice(numbers)
        when = near.start + timedelta(seconds=rng.choice((-1, 1)) * rng.randint(300, 1800))
        if _near(by_line.get((near.kind, customer), []), when, 180):
            continue
        campaign = CAMPAIGNS[near.kind]
        disposition = rng.choices(*zip(*campaign.dispositions, strict=True))[0]
        ghost = Call(0, near.kind, when, when, rng.randrange(spec.agents), customer, disposition)
        drafts.append((when, ghost, None, _length(rng, disposition in campaign.short)))
        unreached -= 1
    drafts.sort(key=lambda d: (d[0], d[1].n, d[1].customer))
    return [
        Record(str(300_000_020_000_000 + i), when, call.kind, call.agent, call.customer,
               call.disposition or "", seconds, truth)
        for i, (when, call, truth, seconds) in enumerate(drafts)
    ]  # fmt: skip


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def five9_timestamp(instant: datetime) -> str:
    """``Fri, 21 Aug 2026 09:02:05`` in the Five9 zone (written in English whatever the locale)."""
    local = instant.astimezone(FIVE9_ZONE)
    return f"{_DAYS[local.weekday()]}, {local.day:02d} {_MONTHS[local.month - 1]} {local:%Y %H:%M:%S}"


def _hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _rows(record: Record, staff: Sequence[Agent], rng: random.Random) -> Iterator[list[str]]:
    campaign = CAMPAIGNS[record.kind]
    number = _number_noise(rng)
    org = number(campaign.org_number)
    customer = number(record.customer)
    ani, dnis = (customer, org) if campaign.direction == "inbound" else (org, customer)
    agent = staff[record.agent]
    talked = record.disposition not in campaign.short
    ivr = 21 if campaign.direction == "inbound" else 0
    talk = max(0, record.seconds - ivr - 28) if talked else 0
    ring = 3 if talked else min(record.seconds, 30)
    queue_wait = f"00:00:{rng.randint(1, 59):02d}.{rng.randint(0, 999):03d}" if campaign.direction == "inbound" else ""
    stamp = five9_timestamp(record.time)
    transfer = record.disposition == "Transferred To 3rd Party"
    yield [
        record.call_id, stamp, campaign.five9 or "", "Inbound" if campaign.direction == "inbound" else "Outbound",
        agent.login, agent.name, record.disposition, ani, "", dnis, _hms(record.seconds),
        _hms(record.seconds + (-record.seconds) % 6), f"{record.seconds / 60 * 0.0125:.4f}", _hms(ivr), queue_wait,
        _hms(ring), _hms(talk), _hms(rng.choice((0, 0, 0, 15, 42))), "00:00:00", _hms(18 if talked else 0),
        "1" if transfer else "", "", "", "0" if talked else "1",
        f"{(record.time + timedelta(seconds=ivr + ring)).astimezone(FIVE9_ZONE):%H:%M:%S}({talk // 60}:{talk % 60:02d})"
        if talked else "",
    ]  # fmt: skip
    if transfer:
        # Five9 writes the third party's leg as a row of the same CALL ID without a disposition (five9.md 2.3).
        leg = rng.randint(60, 400)
        yield [
            record.call_id, five9_timestamp(record.time + timedelta(seconds=record.seconds)), campaign.five9 or "",
            "3rd party transfer", "[None]", "", "", ani, "", rng.choice(TRANSFER_NUMBERS), _hms(leg),
            _hms(leg + (-leg) % 6), f"{leg / 60 * 0.0125:.4f}", "00:00:00", "00:00:00.000", "", _hms(leg), "", "", "", "",
            "", "", "0", "",
        ]  # fmt: skip


def write_call_log(
    path: Path, spec: ScenarioSpec, records: Iterable[Record], keep: Callable[[int, Record], bool] | None = None
) -> int:
    """Stream the Call Log (UTF-8 with a BOM and CRLF, as Five9 writes it) of the records ``keep(index, record)``
    accepts; returns how many records it holds. The noise of record ``i`` depends on the seed and ``i`` only, so a
    subset writes each record exactly as the full log does."""
    staff = agents(spec.agents)
    written = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        handle.write("\ufeff")
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(CALL_LOG_HEADER)
        for index, record in enumerate(records):
            if keep is not None and not keep(index, record):
                continue
            writer.writerows(_rows(record, staff, random.Random(f"row:{spec.seed}:{index}")))
            written += 1
    return written


def write_truth(path: Path, records: Iterable[Record]) -> Path:
    """``{CALL ID: conversation id or null}`` as JSON."""
    path.write_text(json.dumps({r.call_id: r.truth for r in records}, indent=0), encoding="utf-8")
    return path


def read_truth(path: Path) -> dict[str, str | None]:
    data: dict[str, str | None] = json.loads(path.read_text(encoding="utf-8"))
    return data


# ------------------------------------------------------------------------------------------------- the scenario
def _among(picked: set[int]) -> Callable[[int, Record], bool]:
    return lambda index, _record: index in picked


@dataclass(frozen=True)
class Scenario:
    """The files of one generated correlation scenario."""

    spec: ScenarioSpec
    folder: Path
    #: Record count -> Call Log: the full log, and subsets spread evenly over the same days.
    call_logs: Mapping[int, Path]
    truth: Path
    #: The busiest UTC day's records alone (the "dense day"), and which day it is.
    dense_day: date
    dense_log: Path
    dense_records: int
    conversations: int
    #: UTC day -> how many records of the full log fall on it (by TIMESTAMP).
    records_by_day: Mapping[str, int] = field(default_factory=dict)


def write_scenario(folder: Path, spec: ScenarioSpec, subsets: Sequence[int] = ()) -> Scenario:
    """The full Call Log, one per subset size (every k-th record, so each covers the same days), the dense day's,
    and the truth, under ``folder``. The org itself is built from ``spec`` where it is served (``make_org``)."""
    folder.mkdir(parents=True, exist_ok=True)
    calls = generate_calls(spec)
    records = generate_records(spec, calls)
    logs = {spec.records: folder / f"call-log-{spec.records}.csv"}
    write_call_log(logs[spec.records], spec, records)
    for size in sorted(set(subsets) - {spec.records}):
        if not 0 < size < spec.records:
            raise ValueError(f"a subset of {size} records is not smaller than the {spec.records} generated")
        step = spec.records / size
        logs[size] = folder / f"call-log-{size}.csv"
        write_call_log(logs[size], spec, records, _among({int(i * step) for i in range(size)}))
    by_day: dict[str, int] = {}
    for record in records:
        day = record.time.date().isoformat()
        by_day[day] = by_day.get(day, 0) + 1
    dense = max(by_day, key=lambda d: (by_day[d], d))
    dense_log = folder / "call-log-dense-day.csv"
    dense_records = write_call_log(dense_log, spec, records, lambda _i, r: r.time.date().isoformat() == dense)
    truth = write_truth(folder / "truth.json", records)
    return Scenario(
        spec=spec,
        folder=folder,
        call_logs=dict(sorted(logs.items())),
        truth=truth,
        dense_day=date.fromisoformat(dense),
        dense_log=dense_log,
        dense_records=dense_records,
        conversations=len(calls),
        records_by_day=by_day,
    )
