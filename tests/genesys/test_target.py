"""Target choice over real-shaped conversations (see real_shapes.py for the published payloads they follow).

Each fact of a real org gets a test through the conversation document and, where analytics shows it, through
analytics details; a hypothesis property checks that the order of participants never changes the choice.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.genesys import real_shapes as real
from tests.genesys.real_shapes import ASMITH, BILLING, CID, JDOE, MGARCIA, SALE, SUPPORT
from wrapup_bridge.core.disposition import Disposition, Media
from wrapup_bridge.core.outcome import WrapupTarget
from wrapup_bridge.genesys.details import conversation_from_analytics
from wrapup_bridge.genesys.target import (
    AgentStatus,
    NoTarget,
    UserInfo,
    choose_target,
    classify,
    resolve_target,
    users_to_look_up,
)

USERS = {
    JDOE: UserInfo(JDOE, name="Jane Doe", email="jdoe@example.com", username="jdoe@example.com"),
    ASMITH: UserInfo(ASMITH, name="Alex Smith", email="asmith@example.com", username="asmith@example.com"),
    MGARCIA: UserInfo(MGARCIA, name="Maria Garcia", email="mgarcia@example.com", username="mgarcia@example.com"),
}


def record(media: Media = Media.VOICE, **kwargs: Any) -> Disposition:
    return Disposition(source="five9", source_id="1", conversation_id=CID, code="Sale", media=media, **kwargs)


def _pid(result: WrapupTarget | NoTarget) -> str:
    assert isinstance(result, WrapupTarget), result
    return result.participant_id


def _no_target(result: WrapupTarget | NoTarget) -> NoTarget:
    assert isinstance(result, NoTarget), result
    return result


# --- fact 1: one user, many agent participants ----------------------------------------------------------------
def test_single_agent_voice_call() -> None:
    conv = real.conversation(real.handled("p-1", JDOE, "2026-08-21T16:00:04.250Z", "2026-08-21T16:03:00Z"))
    target = resolve_target(conv, record())
    assert isinstance(target, WrapupTarget)
    assert (target.participant_id, target.communication_id, target.media_path) == ("p-1", "comm-p-1", "calls")
    assert target.queue_id == BILLING and target.user_id == JDOE and target.current_code is None
    assert target.chosen_by == "the last agent who connected" and target.missed_legs == 0


def test_alerts_that_rang_out_are_never_the_target() -> None:
    conv = real.conversation(
        real.rang_out("p-miss", JDOE, "2026-08-21T16:00:01.100Z", "2026-08-21T16:00:09.100Z"),
        real.rang_out("p-decl", ASMITH, "2026-08-21T16:00:10Z", "2026-08-21T16:00:12.500Z", declined=True),
        real.handled("p-ok", JDOE, "2026-08-21T16:00:14Z", "2026-08-21T16:05:00Z"),
    )
    choice = choose_target(conv, record())
    assert _pid(choice.result) == "p-ok"
    assert isinstance(choice.result, WrapupTarget) and choice.result.missed_legs == 2
    verdicts = {leg.id: (leg.status, leg.verdict) for leg in choice.legs}
    assert verdicts["p-miss"][0] is AgentStatus.MISSED and "rang out" in verdicts["p-miss"][1]
    assert verdicts["p-decl"][0] is AgentStatus.DECLINED and "declined" in verdicts["p-decl"][1]
    assert verdicts["p-ok"][1].startswith("chosen")
    # Even when the record names the agent who only rang: that agent did not handle it.
    named = _no_target(resolve_target(conv, record(agent=ASMITH)))
    assert "never connected" in named.reason and "Jane Doe" not in named.reason  # names unknown without users
    named = _no_target(resolve_target(conv, record(agent=ASMITH), users=USERS))
    assert "handled by Jane Doe" in named.reason and not named.retryable


def test_callback_with_five_legs_and_nobody_connected_is_no_target_yet() -> None:
    conv = real.callback_nobody_connected()
    result = _no_target(resolve_target(conv, record(media=Media.CALLBACK)))
    assert result.retryable and "still alerting" in result.reason and "4 alert(s) rang out" in result.reason
    statuses = sorted(classify(p).status.value for p in conv["participants"] if p["purpose"] == "agent")
    assert statuses == ["alerting", "missed", "missed", "missed", "missed"]


def test_nobody_ever_connected_says_how_many_alerts_rang_out() -> None:
    conv = real.conversation(
        real.rang_out("p-1", JDOE, "2026-08-21T16:00:01Z", "2026-08-21T16:00:09Z"),
        real.rang_out("p-2", ASMITH, "2026-08-21T16:00:10Z", "2026-08-21T16:00:18Z"),
        real.rang_out("p-3", MGARCIA, "2026-08-21T16:00:19Z", "2026-08-21T16:00:20Z", declined=True),
    )
    result = _no_target(resolve_target(conv, record()))
    assert not result.retryable
    assert "no agent ever connected (2 alert(s) rang out, 1 declined)" in result.reason


def test_connected_leg_in_acw_that_still_reads_connected_is_the_target() -> None:
    conv = real.declined_timed_out_then_acw()
    choice = choose_target(conv, record(media=Media.CALLBACK, agent=JDOE))
    assert _pid(choice.result) == "p-d3"
    assert [leg.status for leg in choice.legs] == [AgentStatus.DECLINED, AgentStatus.MISSED, AgentStatus.HANDLED]


def test_an_agent_still_on_the_call_is_no_target_yet() -> None:
    live = real.handled("p-1", JDOE, "2026-08-21T16:00:04Z", "2026-08-21T16:03:00Z")
    call = live["calls"][0]
    call["state"] = "connected"
    del call["disconnectedTime"], call["afterCallWork"]
    result = _no_target(resolve_target(real.conversation(live), record(agent=JDOE)))
    assert result.retryable and "still connected" in result.reason


# --- fact 3: timestamps without milliseconds -------------------------------------------------------------------
def test_last_connected_compares_instants_not_text() -> None:
    # As text, "16:00:00Z" sorts after "16:00:00.500Z" ('Z' > '.'); as instants it is half a second earlier.
    early = real.handled("p-early", JDOE, "2026-08-21T16:00:00Z", "2026-08-21T16:03:00Z")
    late = real.handled("p-late", ASMITH, "2026-08-21T16:00:00.500Z", "2026-08-21T16:03:00Z")
    assert _pid(resolve_target(real.conversation(early, late), record())) == "p-late"
    assert _pid(resolve_target(real.conversation(late, early), record())) == "p-late"


def test_latest_communication_of_the_media_compares_instants() -> None:
    agent = real.handled("p-1", JDOE, "2026-08-21T16:00:00.500Z", "2026-08-21T16:01:00Z", wrapup={"code": SALE})
    second = copy.deepcopy(agent["calls"][0])
    second.update(id="comm-later", connectedTime="2026-08-21T16:02:00Z", disconnectedTime="2026-08-21T16:05:00Z")
    agent["calls"].insert(0, second)  # array order says nothing
    target = resolve_target(real.conversation(agent), record())
    assert isinstance(target, WrapupTarget) and target.communication_id == "comm-later"
    assert target.current_code == SALE


# --- which agent: named, queue, last; never another agent in silence ------------------------------------------
def test_named_agent_then_queue_then_last() -> None:
    first = real.handled("p-1", JDOE, "2026-08-21T16:00:05Z", "2026-08-21T16:03:00Z", queue=BILLING)
    second = real.handled("p-2", ASMITH, "2026-08-21T16:03:01Z", "2026-08-21T16:09:00Z", queue=SUPPORT)
    conv = real.conversation(first, second)
    assert _pid(resolve_target(conv, record(agent=JDOE))) == "p-1"  # Genesys user id
    assert _pid(resolve_target(conv, record(agent="jdoe"), agent_directory={"jdoe": JDOE})) == "p-1"
    assert (
        _pid(resolve_target(conv, record(agent="5001"), agent_directory={"5001": "jdoe@example.com"}, users=USERS))
        == "p-1"
    )
    assert _pid(resolve_target(conv, record(agent="jdoe", fields={"agent_name": "JANE  DOE"}), users=USERS)) == "p-1"
    assert _pid(resolve_target(conv, record(agent="jdoe"), users=USERS)) == "p-1"  # login = e-mail's local part
    assert _pid(resolve_target(conv, record(fields={"queue": "billing"}))) == "p-1"
    assert _pid(resolve_target(conv, record(fields={"queue_id": BILLING.upper()}))) == "p-1"
    assert _pid(resolve_target(conv, record())) == "p-2"  # nobody named: the last agent who connected


def test_a_named_agent_who_did_not_handle_it_is_no_target_unless_fallback_is_asked() -> None:
    conv = real.conversation(real.handled("p-1", JDOE, "2026-08-21T16:00:05Z", "2026-08-21T16:03:00Z"))
    refused = _no_target(resolve_target(conv, record(agent="mgarcia"), users=USERS))
    assert "'mgarcia' is not among the agents" in refused.reason and "handled by Jane Doe" in refused.reason
    fallback = resolve_target(conv, record(agent="mgarcia"), users=USERS, agent_fallback="last-connected")
    assert isinstance(fallback, WrapupTarget) and fallback.participant_id == "p-1"
    assert fallback.fallback is not None and "agent fallback" in fallback.fallback
    # Without user details, a login cannot be matched: said as such, never guessed.
    unknown = _no_target(resolve_target(conv, record(agent="jdoe")))
    assert "could not be matched" in unknown.reason and "agent directory" in unknown.reason


def test_a_record_matching_two_users_is_refused() -> None:
    both = {
        JDOE: UserInfo(JDOE, name="Sam Lee", email="slee@example.com"),
        ASMITH: UserInfo(ASMITH, name="Sam Lee", email="sam.lee@example.com"),
    }
    conv = real.conversation(
        real.handled("p-1", JDOE, "2026-08-21T16:00:05Z", "2026-08-21T16:03:00Z"),
        real.handled("p-2", ASMITH, "2026-08-21T16:03:05Z", "2026-08-21T16:06:00Z"),
    )
    result = _no_target(resolve_target(conv, record(agent="Sam Lee"), users=both))
    assert "matches 2 different users" in result.reason


def test_users_are_looked_up_only_when_the_record_names_an_agent_by_name() -> None:
    conv = real.conversation(real.handled("p-1", JDOE, "2026-08-21T16:00:05Z", "2026-08-21T16:03:00Z"))
    assert users_to_look_up(conv, record()) == set()
    assert users_to_look_up(conv, record(agent=JDOE)) == set()
    assert users_to_look_up(conv, record(agent="jdoe")) == {JDOE}
    assert users_to_look_up(conv, record(agent="jdoe"), known=USERS) == set()
    assert users_to_look_up(conv, record(agent="x"), agent_directory={"x": JDOE}) == set()


# --- media ------------------------------------------------------------------------------------------------------
def test_media_guessed_wrong_falls_back_to_what_the_agent_handled() -> None:
    messaging = real.handled("p-1", JDOE, "2026-08-21T16:00:05Z", "2026-08-21T16:03:00Z", media="messages")
    target = resolve_target(real.conversation(messaging, media="messages"), record(media=Media.VOICE))
    assert isinstance(target, WrapupTarget)
    assert (target.media, target.media_path, target.communication_id) == (Media.MESSAGE, "messages", "comm-p-1")
    social = real.handled("p-2", JDOE, "2026-08-21T16:00:05Z", "2026-08-21T16:03:00Z", media="socialExpressions")
    target = resolve_target(real.conversation(social), record(media=Media.SOCIAL))
    assert isinstance(target, WrapupTarget) and target.media_path == "socials"


def test_handled_agent_without_a_communication_of_the_media_is_no_target() -> None:
    bare = real.handled("p-1", JDOE, "2026-08-21T16:00:05Z", "2026-08-21T16:03:00Z")
    bare["calls"] = []
    result = _no_target(resolve_target(real.conversation(bare), record()))
    assert "has no voice communication" in result.reason


def test_no_agent_participant_and_agent_purpose_without_user() -> None:
    result = _no_target(resolve_target(real.conversation(), record()))
    assert "no agent participant" in result.reason and any("customer" in p for p in result.participants)
    ghost = {"id": "p-x", "purpose": "agent", "calls": [{"id": "c", "connectedTime": "2026-08-21T16:00:05Z"}]}
    assert isinstance(resolve_target(real.conversation(ghost), record()), NoTarget)


# --- fact 2 and 4: analytics details, system codes --------------------------------------------------------------
def test_analytics_alert_only_leg_is_passed_over_and_the_system_code_is_seen() -> None:
    shaped = conversation_from_analytics(real.analytics_preview_callback())
    target = resolve_target(shaped, record(media=Media.CALLBACK))
    assert isinstance(target, WrapupTarget)
    assert (target.participant_id, target.communication_id) == ("a-2", "s-2")
    assert target.current_code == "ININ-OUTBOUND-PREVIEW-SKIPPED" and target.current_is_system
    assert target.missed_legs == 1 and target.queue_id == BILLING


def test_analytics_rona_leg_with_a_real_code_is_not_the_target_nor_its_code() -> None:
    shaped = conversation_from_analytics(real.analytics_rona_then_timeout())
    choice = choose_target(shaped, record(), users=USERS)
    assert _pid(choice.result) == "b-answered"
    assert isinstance(choice.result, WrapupTarget)
    assert choice.result.current_code == "ININ-WRAP-UP-TIMEOUT" and choice.result.current_is_system
    statuses = {leg.id: leg.status for leg in choice.legs}
    assert statuses == {"b-rona": AgentStatus.DECLINED, "b-answered": AgentStatus.HANDLED}
    # Analytics gives agents no participantName: the name comes from the users lookup only.
    assert all("name" not in p for p in shaped["participants"] if p["purpose"] == "agent")
    assert _pid(resolve_target(shaped, record(agent="Maria Garcia"), users=USERS)) == "b-answered"
    assert isinstance(resolve_target(shaped, record(agent="Alex Smith"), users=USERS), NoTarget)


# --- the property: the order of participants never changes the choice -------------------------------------------
_SHAPES = {
    "rona then answered": lambda: real.conversation(
        real.rang_out("p-miss", JDOE, "2026-08-21T16:00:01.100Z", "2026-08-21T16:00:09.100Z"),
        real.handled("p-ok", JDOE, "2026-08-21T16:00:14Z", "2026-08-21T16:05:00Z"),
        real.handled("p-xfer", ASMITH, "2026-08-21T16:00:14.500Z", "2026-08-21T16:06:00Z", queue=SUPPORT),
        real.rang_out("p-decl", MGARCIA, "2026-08-21T16:00:10Z", "2026-08-21T16:00:12Z", declined=True),
    ),
    "callback nobody connected": real.callback_nobody_connected,
    "declined, timed out, acw": real.declined_timed_out_then_acw,
    "analytics preview": lambda: conversation_from_analytics(real.analytics_preview_callback()),
    "analytics rona": lambda: conversation_from_analytics(real.analytics_rona_then_timeout()),
}
_RECORDS = [
    record(),
    record(media=Media.CALLBACK),
    record(agent=JDOE),
    record(agent="asmith"),
    record(agent="Maria Garcia"),
    record(fields={"queue": "Support"}),
]


def _summary(result: WrapupTarget | NoTarget) -> tuple[Any, ...]:
    if isinstance(result, NoTarget):
        return ("none", result.reason, result.retryable)
    return (result.participant_id, result.communication_id, result.current_code, result.chosen_by, result.fallback)


@given(
    shape=st.sampled_from(sorted(_SHAPES)),
    which=st.integers(0, len(_RECORDS) - 1),
    fallback=st.sampled_from(["none", "last-connected"]),
    data=st.data(),
)
def test_permuting_participants_never_changes_the_choice(shape: str, which: int, fallback: str, data: Any) -> None:
    conv = _SHAPES[shape]()
    disposition = _RECORDS[which]
    expected = _summary(resolve_target(conv, disposition, users=USERS, agent_fallback=fallback))  # type: ignore[arg-type]
    shuffled = copy.deepcopy(conv)
    shuffled["participants"] = data.draw(st.permutations(shuffled["participants"]))
    for participant in shuffled["participants"]:
        for array in ("calls", "callbacks", "messages", "emails"):
            if len(participant.get(array) or []) > 1:
                participant[array] = data.draw(st.permutations(participant[array]))
    assert _summary(resolve_target(shuffled, disposition, users=USERS, agent_fallback=fallback)) == expected  # type: ignore[arg-type]
