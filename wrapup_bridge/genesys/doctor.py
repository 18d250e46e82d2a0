"""``doctor``: answer "why does Genesys reject this wrap-up?" by checking each thing a write depends on.

Each check is one finding (ok / warning / problem / info) with what was seen and what to do. The checks follow
the order a write needs them: credentials and region, read permissions, the code (an id, existing, its name),
the conversation (found, its participants, which one is the agent, its communication and media path, the
wrap-up already there), the codes allowed for that participant, and finally the exact request that would be
sent. ``--apply`` then performs the write through the same sink a replay uses. The write permission
(``conversation:participant:wrapup``) cannot be probed without writing, so it is only confirmed by ``--apply``.

Every OAuth client. A replay may send with several OAuth clients of the org (a pool: ``genesys.pool``), and any
of them can lack what the others have. Given them (``clients``), doctor checks each one too, one finding per
client: its token, then the reads it checks for the first (the wrap-up codes and queues listed, and with a
conversation, the conversation and its analytics details read). Clients are named by id and where they were
configured (a variable, ``file:line``), never by secret.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from wrapup_bridge.core.decision import CodeRef, Decision, DecisionKind
from wrapup_bridge.core.disposition import Disposition, Media, is_genesys_id
from wrapup_bridge.core.outcome import Outcome, WrapupTarget
from wrapup_bridge.genesys.catalog import WrapupCatalog, WrapupCode
from wrapup_bridge.genesys.errors import GenesysAPIError, GenesysError, NotFound, PermissionDenied
from wrapup_bridge.genesys.http import GenesysClient
from wrapup_bridge.genesys.sink import ApplyOptions, GenesysSink, wrapup_body, wrapup_request
from wrapup_bridge.genesys.target import COMMUNICATION_ARRAYS, NoTarget
from wrapup_bridge.genesys.timing import Deadline

__all__ = ["ClientCheck", "DoctorReport", "Finding", "Level", "check_client", "diagnose"]


class Level(StrEnum):
    OK = "ok"
    WARN = "warning"
    FAIL = "problem"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    level: Level
    title: str
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"level": self.level.value, "title": self.title, "detail": self.detail}


@dataclass(frozen=True)
class ClientCheck:
    """One OAuth client checked: by id and where it was configured (never its secret), what it passed (``passed``:
    "token", then the permissions its reads showed) and what was refused (``refused``: each check with Genesys's
    answer, and ``explanation``, the first refusal explained). ``ok`` when nothing was refused."""

    client_id: str
    source: str
    passed: tuple[str, ...] = ()
    refused: tuple[tuple[str, str], ...] = ()
    explanation: str = ""

    @property
    def ok(self) -> bool:
        return not self.refused

    def line(self) -> str:
        """The client's one line: ``OAuth client ID [source]: ...``."""
        where = f" [{self.source}]" if self.source else ""
        passed = ", ".join(self.passed)
        if self.ok:
            return f"OAuth client {self.client_id}{where}: {passed}"
        refused = "; ".join(f"{what} refused ({answer})" for what, answer in self.refused)
        return f"OAuth client {self.client_id}{where}: {refused}" + (f"; {passed} ok" if passed else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "source": self.source,
            "ok": self.ok,
            "passed": list(self.passed),
            "refused": [{"check": what, "answer": answer} for what, answer in self.refused],
        }


#: What doctor reads with each OAuth client: the permission a read shows, its path and its query.
_CLIENT_READS = (
    ("routing:wrapupCode:view", "/api/v2/routing/wrapupcodes", {"pageSize": 1}),
    ("routing:queue:view", "/api/v2/routing/queues", {"pageSize": 1}),
)


async def check_client(client: GenesysClient, source: str = "", *, conversation_id: str | None = None) -> ClientCheck:
    """Check one OAuth client: its token, then the reads doctor checks (``_CLIENT_READS``, and with a conversation
    id, the conversation and its analytics details). A refused token ends the check; every read is tried. Never
    raises for Genesys answers."""
    client_id = client.settings.client_id
    try:
        await client.auth.get(Deadline(client.clock, client.settings.budget))
    except GenesysError as exc:
        return ClientCheck(client_id, source, refused=(("token", str(exc)),), explanation=exc.explain())
    reads: list[tuple[str, str, Mapping[str, Any]]] = list(_CLIENT_READS)
    if conversation_id and is_genesys_id(conversation_id):
        reads.append(("conversation:communication:view", f"/api/v2/conversations/{conversation_id}", {}))
        reads.append(
            ("analytics:conversationDetail:view", "/api/v2/analytics/conversations/details", {"id": conversation_id})
        )
    passed, refused, explanation = ["token"], [], ""
    for what, path, params in reads:
        try:
            await client.get_json(path, params=params)
        except GenesysError as exc:
            refused.append((what, str(exc)))
            explanation = explanation or exc.explain()
        else:
            passed.append(what)
    return ClientCheck(client_id, source, tuple(passed), tuple(refused), explanation)


@dataclass
class DoctorReport:
    target: str
    findings: list[Finding] = field(default_factory=list)
    request: dict[str, Any] | None = None
    outcome: Outcome | None = None
    #: Each OAuth client checked, when several are configured (``diagnose``'s ``clients``).
    clients: list[ClientCheck] = field(default_factory=list)

    def add(self, level: Level, title: str, detail: str = "") -> None:
        self.findings.append(Finding(level, title, detail))

    @property
    def ok(self) -> bool:
        return not any(f.level is Level.FAIL for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "ok": self.ok,
            "findings": [f.to_dict() for f in self.findings],
            "request": self.request,
            "outcome": self.outcome.model_dump(mode="json") if self.outcome else None,
            **({"clients": [c.to_dict() for c in self.clients]} if self.clients else {}),
        }


async def _probe(report: DoctorReport, client: GenesysClient, what: str, path: str, params: Mapping[str, Any]) -> Any:
    """One read; records ok or the explained failure. Returns the JSON, or None when it failed."""
    try:
        body = await client.get_json(path, params=params)
    except GenesysError as exc:
        report.add(Level.FAIL, f"{what}: {exc}", exc.explain())
        return None
    report.add(Level.OK, what)
    return body


async def diagnose(
    client: GenesysClient,
    *,
    target_description: str,
    conversation_id: str | None = None,
    code: str | None = None,
    agent: str | None = None,
    queue: str | None = None,
    media: Media | None = None,
    apply: bool = False,
    options: ApplyOptions | None = None,
    agent_directory: Mapping[str, str] | None = None,
    clients: Sequence[tuple[GenesysClient, str]] = (),
) -> DoctorReport:
    """Run every check that applies to what was given; never raises for Genesys answers. ``clients``: every OAuth
    client configured (each a client on the same target and where it was configured), checked one by one
    (``check_client``, one finding each) before ``client``, the first, is checked in full."""
    report = DoctorReport(target_description)
    report.add(Level.INFO, f"target: {target_description}")
    if clients:
        report.clients = list(
            await asyncio.gather(
                *(check_client(member, source, conversation_id=conversation_id) for member, source in clients)
            )
        )
        for check in report.clients:
            report.add(Level.OK if check.ok else Level.FAIL, check.line(), check.explanation)

    codes = await _probe(
        report,
        client,
        "credentials, region and routing:wrapupCode:view (listed wrap-up codes)",
        "/api/v2/routing/wrapupcodes",
        {"pageSize": 1},
    )
    if codes is None:
        return report  # nothing else can work before this does
    await _probe(report, client, "routing:queue:view (listed queues)", "/api/v2/routing/queues", {"pageSize": 1})

    catalog = WrapupCatalog(client)
    chosen: WrapupCode | None = None
    if code:
        chosen = await _check_code(report, catalog, code)

    if not conversation_id:
        if chosen is None and not code:
            report.add(Level.INFO, "give --conversation (and --code) to check a specific wrap-up")
        return report
    if not is_genesys_id(conversation_id):
        report.add(Level.FAIL, f"{conversation_id!r} is not a conversation id", "Genesys conversation ids are UUIDs.")
        return report

    try:
        conversation = await client.get_json(f"/api/v2/conversations/{conversation_id}")
    except GenesysError as exc:
        report.add(Level.FAIL, f"conversation {conversation_id}: {exc}", exc.explain())
        return report
    report.add(Level.OK, "conversation:communication:view (read the conversation)")
    _describe_conversation(report, conversation)

    fields: dict[str, str] = {}
    if queue:
        fields["queue_id" if is_genesys_id(queue) else "queue"] = queue
    probe_record = Disposition(
        source="doctor",
        source_id="doctor",
        conversation_id=conversation_id,
        code=chosen.name if chosen else "",
        agent=agent,
        fields=fields,
        media=media or Media.VOICE,
    )
    sink = GenesysSink(client, catalog=catalog, options=options, agent_directory=agent_directory)
    choice = await sink.choose(conversation, probe_record)
    for leg in choice.legs:
        picked = leg.verdict.startswith("chosen")
        report.add(
            Level.OK if picked else Level.INFO,
            f"agent participant {leg.id} ({leg.shown}): {leg.status.value}",
            leg.verdict,
        )
    target = choice.result
    if isinstance(target, NoTarget):
        if target.retryable:
            report.add(Level.WARN, "no participant to wrap up yet", target.reason)
        else:
            report.add(Level.FAIL, "no participant to wrap up", target.reason)
        return report
    report.add(
        Level.OK,
        f"target: participant {target.participant_id} ({target.media.value} communication {target.communication_id})",
        f"{target.chosen_by}; media path segment '{target.media_path}'; queue {target.queue_id or '-'}; "
        f"user {target.user_id or '-'}",
    )
    if target.fallback:
        report.add(Level.WARN, "the agent the record names did not handle it", target.fallback)
    if target.current_is_system:
        report.add(
            Level.WARN,
            f"the participant carries {target.current_code}, a code Genesys stamped itself",
            "No agent chose it (ININ-WRAP-UP-TIMEOUT: after-call work timed out). Replays and live writes replace "
            "it by default (counted as replaced-system-code); --keep-system-codes leaves it. Whether this org "
            "accepts the replacement is only known by writing (--apply).",
        )
    elif target.current_code:
        report.add(
            Level.WARN,
            f"the participant already carries wrap-up {target.current_name or target.current_code!r}",
            "A replay reports this as already-applied (same code) or conflict (another code) and writes nothing "
            "unless overwrite is asked.",
        )

    await _check_allowed(report, catalog, target, chosen)
    await _probe(
        report,
        client,
        "analytics:conversationDetail:view (used to verify replays)",
        "/api/v2/analytics/conversations/details",
        {"id": conversation_id},
    )

    if chosen is not None:
        ref = CodeRef(alias="doctor", id=chosen.id, name=chosen.name)
        method, path, body = wrapup_request(
            target, wrapup_body(ref, probe_record, options or ApplyOptions()), (options or ApplyOptions()).write_method
        )
        report.request = {"method": method, "path": path, "json": body}
        report.add(
            Level.INFO,
            f"the write would be: {method} {path}",
            f"body {json.dumps(body, ensure_ascii=False, separators=(', ', ': '))}",
        )
        report.add(
            Level.INFO,
            "conversation:participant:wrapup cannot be checked without writing",
            "Run with --apply to perform this write (it is skipped when the code is already there).",
        )
        if apply:
            decision = Decision(kind=DecisionKind.MAPPED, code=ref, reason="doctor --apply")
            outcome = await sink.apply_to(probe_record, decision, target)
            report.outcome = outcome
            level = Level.OK if outcome.kind.wrote or outcome.kind.value == "already-applied" else Level.FAIL
            report.add(level, f"apply: {outcome.kind.value}", outcome.reason)
    return report


async def _check_code(report: DoctorReport, catalog: WrapupCatalog, code: str) -> WrapupCode | None:
    try:
        await catalog.load()
    except GenesysError as exc:
        report.add(Level.FAIL, f"loading the wrap-up codes: {exc}", exc.explain())
        return None
    if is_genesys_id(code):
        found = catalog.by_id(code.lower())
        if found is None:
            report.add(
                Level.FAIL,
                f"wrap-up code id {code} does not exist in this org",
                "It may have been deleted, belong to another org or region, or sit in a division this OAuth "
                "client's role cannot see (codes are division-scoped).",
            )
            return None
        report.add(
            Level.OK,
            f"wrap-up code {found.name!r} exists ({found.id})",
            f"division {found.division_name or found.division_id or '-'}",
        )
        return found
    matches = catalog.find(code)
    if len(matches) == 1:
        found = matches[0]
        report.add(
            Level.WARN,
            f"{code!r} is a code *name*; Genesys needs its id: {found.id}",
            "The wrap-up body's 'code' field takes the id (a UUID); sending the name is the most common cause of a "
            "rejected wrap-up. Put the id in the mapping table.",
        )
        return found
    if matches:
        report.add(
            Level.FAIL, f"{code!r} matches {len(matches)} codes", ", ".join(f"{m.name} ({m.id})" for m in matches)
        )
        return None
    report.add(
        Level.FAIL, f"no wrap-up code is named or has the id {code!r}", "List them: wrapup-bridge catalog export"
    )
    return None


async def _check_allowed(
    report: DoctorReport, catalog: WrapupCatalog, target: WrapupTarget, code: WrapupCode | None
) -> None:
    try:
        allowed = await catalog.participant_codes(target.conversation_id, target.participant_id)
    except (PermissionDenied, NotFound, GenesysAPIError) as exc:
        report.add(Level.WARN, f"could not list the codes allowed for the participant: {exc}", exc.explain())
        return
    names = ", ".join(sorted(c.name for c in allowed)) or "none"
    if code is None:
        report.add(Level.INFO, f"{len(allowed)} codes allowed for the participant", names)
    elif any(c.id.lower() == code.id.lower() for c in allowed):
        report.add(Level.OK, f"{code.name!r} is among the {len(allowed)} codes allowed for the participant")
    else:
        report.add(
            Level.FAIL,
            f"{code.name!r} is not among the codes allowed for the participant (its queue's wrap-up codes)",
            f"Allowed: {names}. Assign the code to the queue in Genesys, or map the disposition to an allowed code.",
        )


def _describe_conversation(report: DoctorReport, conversation: Mapping[str, Any]) -> None:
    ended = conversation.get("endTime")
    report.add(Level.INFO, f"conversation {'ended ' + str(ended) if ended else 'is still active'}")
    for participant in conversation.get("participants") or []:
        if not isinstance(participant, Mapping):
            continue
        media = [
            f"{m.value}:{len(participant.get(array) or [])}"
            for m, array in COMMUNICATION_ARRAYS.items()
            if participant.get(array)
        ]
        wrapup = participant.get("wrapup") if isinstance(participant.get("wrapup"), Mapping) else None
        if participant.get("purpose") == "agent":
            continue  # agent participants get their own line, with the verdict of the target choice
        report.add(
            Level.INFO,
            f"participant {participant.get('id')}: purpose {participant.get('purpose')}, "
            f"{participant.get('name') or '-'}",
            f"user {participant.get('userId') or '-'}, queue {participant.get('queueName') or participant.get('queueId') or '-'}, "
            f"communications {' '.join(media) or 'none'}, wrap-up {(wrapup or {}).get('name') or (wrapup or {}).get('code') or '-'}",
        )
