"""Lint a wrap-up request before (or after) it is sent: every mistake in it, why, and the request that works.

Migration threads start with a request like ``POST /api/v2/conversations/interactions/{id}`` carrying
``{"wrapUpCode": {"id": "12345-abc"}}``, and the answers people get are wrong in new ways each time. Everything
here is found by comparing the request with ``surface`` (the endpoints and models of the real API, checked
against the official SDK), never by matching forum phrases:

- a path no endpoint has: the nearest real endpoint for what the request tries to do (set a wrap-up, read one,
  list codes), with the ids the request carried put in their places; a media word where the path wants its
  segment (``voice`` -> ``calls``);
- a real path with the wrong verb;
- body keys the endpoint's model does not have: a near spelling of a real field (``wrapUpCode`` -> ``code``),
  a field of the other wrap-up model at the wrong level (``wrapup`` in a POST, ``code`` at the top of a PATCH),
  an id that belongs in the path (``participantId``), a call-control field (``state``) sent with a wrap-up;
- values of the wrong type, and a ``code`` that is not a code id (a name, ``12345-abc``) with how to look it up;
- the permission the endpoint needs and where it comes from (a role, for client credentials; not a scope).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from wrapup_bridge.core.disposition import is_genesys_id
from wrapup_bridge.genesys.surface import BODY_MODELS, ENDPOINTS, MEDIA_BY_NAME, BodyField, Endpoint

__all__ = ["LintFinding", "LintReport", "RightRequest", "lint_request", "parse_request_line"]

CODE_PLACEHOLDER = "<wrap-up code id>"

#: Where to find each id a wrap-up path needs (shown for the placeholders left in the right request).
WHERE_TO_FIND = {
    "conversationId": "the Genesys conversation's id (a UUID)",
    "participantId": "the id of the agent participant that handled it: participants[] with purpose 'agent' and a "
    "connectedTime in GET /api/v2/conversations/{conversationId} (wrapup-bridge doctor --conversation ID names it)",
    "communicationId": "the id of that participant's communication of the media (participants[].calls[].id, "
    ".messages[].id, ...) in GET /api/v2/conversations/{conversationId}; it is there only",
    "media": "the conversation's media segment: calls, callbacks, emails, messages, socials or videos",
    "codeId": "a wrap-up code's id: GET /api/v2/routing/wrapupcodes?name=<name>",
    "queueId": "the queue's id",
    "userId": "the user's id",
}


@dataclass(frozen=True)
class LintFinding:
    """One thing wrong with the request: what, why (``message``), and what to do instead (``fix``)."""

    kind: str
    message: str
    fix: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "message": self.message, "fix": self.fix}


@dataclass
class RightRequest:
    """The request that does what the given one tried to do: method, path (placeholders left where the given
    request had no value), body, and how to fill each placeholder."""

    method: str
    path: str
    body: Any = None
    fill: dict[str, str] = field(default_factory=dict)
    sdk_method: str | None = None
    permissions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "body": self.body,
            "fill": dict(self.fill),
            "sdkMethod": self.sdk_method,
            "permissions": list(self.permissions),
        }


@dataclass
class LintReport:
    method: str
    path: str
    body: Any
    findings: list[LintFinding] = field(default_factory=list)
    request: RightRequest | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def add(self, kind: str, message: str, fix: str) -> None:
        self.findings.append(LintFinding(kind, message, fix))

    def to_dict(self) -> dict[str, Any]:
        return {
            "request": {"method": self.method, "path": self.path, "body": self.body},
            "ok": self.ok,
            "findings": [f.to_dict() for f in self.findings],
            "correctedRequest": self.request.to_dict() if self.request else None,
            "notes": list(self.notes),
        }


def parse_request_line(text: str) -> tuple[str, str]:
    """``"POST /api/v2/..."`` (a full URL works too) -> (method, path with its query)."""
    parts = text.strip().split(None, 1)
    if len(parts) != 2:
        raise ValueError(f"expected 'METHOD PATH', e.g. 'POST /api/v2/conversations/...', got {text!r}")
    method, target = parts[0].upper(), parts[1].strip()
    if method not in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"):
        raise ValueError(f"{parts[0]!r} is not an HTTP method")
    if "://" in target:
        split = urlsplit(target)
        target = split.path + (f"?{split.query}" if split.query else "")
    return method, target


# --------------------------------------------------------------------------------------------- matching paths
_ID_LIKE = re.compile(r"^(?:\{[^}]*\}|:\w+|<[^>]*>|[0-9a-fA-F-]{8,}|[0-9]+|[A-Za-z0-9]*\d[A-Za-z0-9_-]*)$")


def _segments(path: str) -> list[str]:
    return [s for s in path.split("?", 1)[0].strip("/").split("/") if s]


def _match(endpoint: Endpoint, segments: list[str]) -> dict[str, str] | None:
    """The placeholder values when ``segments`` is this endpoint's path exactly (``{media}`` one of its media)."""
    template = _segments(endpoint.template)
    if len(template) != len(segments):
        return None
    bound: dict[str, str] = {}
    for want, got in zip(template, segments, strict=True):
        if want.startswith("{"):
            name = want[1:-1]
            if name == "media" and got not in endpoint.media:
                return None
            bound[name] = got
        elif want != got:
            return None
    return bound


def _elided(value: str) -> bool:
    return value.startswith(("{", ":", "<")) or set(value) <= {"."} or (len(value) <= 3 and value.isalpha())


def _wants_wrapup(method: str, path: str, body: Any) -> bool:
    """Does the request try to set a wrap-up (as opposed to reading something)?"""
    if method not in ("POST", "PUT", "PATCH"):
        return False
    if "wrap" in path.lower():
        return True
    keys = _all_keys(body)
    model_keys = {_norm(k) for k in BODY_MODELS["WrapupInput"]} | {"wrapup"}
    return any(_norm(k) in model_keys or "wrap" in _norm(k) or _norm(k).endswith("code") for k in keys)


def _all_keys(body: Any) -> list[str]:
    keys: list[str] = []
    if isinstance(body, Mapping):
        for key, value in body.items():
            keys.append(str(key))
            keys.extend(_all_keys(value))
    return keys


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _ids_in(segments: list[str]) -> list[str]:
    """Values in a path that stand for ids (UUIDs, numbers, {placeholders}), in order."""
    return [s for s in segments if _ID_LIKE.match(s) and _norm(s) not in _LITERALS]


_LITERALS = {_norm(p) for e in ENDPOINTS for p in _segments(e.template) if not p.startswith("{")}


def _media_word(segments: list[str]) -> tuple[str | None, str | None]:
    """(the media segment the path means, the word it used) from any media-like word in it."""
    for segment in segments:
        mapped = MEDIA_BY_NAME.get(segment.lower())
        if mapped is not None:
            return mapped, segment
    return None, None


# --------------------------------------------------------------------------------------------- the linter
def lint_request(method: str, path: str, body: Any = None, *, body_given: bool = True, hint: str = "") -> LintReport:
    """Every mistake in ``method path`` with ``body`` (a decoded JSON value or None), and the right request.

    ``body_given=False``: the body is not known (only the path was pasted); it is not checked, and the right
    request shows the body the endpoint takes. ``hint`` is the error message the request got, if any: a write
    whose answer speaks of a wrap-up was trying to set one."""
    method = method.upper()
    report = LintReport(method, path, body)
    segments = _segments(path)
    exact = [(e, b) for e in ENDPOINTS if (b := _match(e, segments)) is not None]
    same_verb = [(e, b) for e, b in exact if e.method == method]
    wants_wrapup = _wants_wrapup(method, path, body) or (
        method in ("POST", "PUT", "PATCH")
        and path.startswith("/api/v2/conversations")
        and ("wrap" in hint.lower() or not body_given)
    )

    if same_verb:
        endpoint, bound = same_verb[0]
        if wants_wrapup and not endpoint.sets_wrapup:
            endpoint, bound = _not_a_wrapup_endpoint(report, endpoint, segments)
    elif exact:
        endpoint, bound = _wrong_method(report, method, exact, wants_wrapup, segments)
    else:
        endpoint, bound = _nearest(report, method, segments, wants_wrapup)

    # Placeholders written as such ({participantId}, :id, <id>, ..., or a letter or two) are values still to find.
    bound = {k: v for k, v in bound.items() if not _elided(v)}
    right = RightRequest(method=endpoint.method, path=endpoint.template, permissions=endpoint.permissions)
    if body_given:
        body_out = _lint_body(report, endpoint, body, bound) if endpoint.body or body is not None else None
    else:
        body_out = _lint_body(LintReport(method, path, None), endpoint, None, bound) if endpoint.body else None
    media = bound.get("media") if "media" in endpoint.placeholders else None
    filled = endpoint.template
    for name in endpoint.placeholders:
        value = media if name == "media" else bound.get(name)
        if value:
            filled = filled.replace("{" + name + "}", value)
            if name.endswith("Id") and not is_genesys_id(value) and not value.startswith("{"):
                report.add(
                    "not-an-id",
                    f"{value!r} (in the place of {{{name}}}) is not a Genesys id: ids are UUIDs",
                    f"use {WHERE_TO_FIND.get(name, name)}",
                )
        else:
            right.fill[name] = WHERE_TO_FIND.get(name, name)
    right.path = filled
    right.body = body_out
    right.sdk_method = endpoint.sdk_method(media)
    report.request = right
    if endpoint.sets_wrapup:
        report.notes.append(
            f"{endpoint.method} {endpoint.template} needs the permission {' or '.join(endpoint.permissions[:1])}. "
            "An OAuth client using client credentials gets permissions from the roles it is granted (in the "
            "divisions of the queue and the code), not from scopes: scopes such as 'conversations' only apply "
            "to clients of the other grants."
        )
    return report


def _not_a_wrapup_endpoint(
    report: LintReport, endpoint: Endpoint, segments: list[str]
) -> tuple[Endpoint, dict[str, str]]:
    target = _wrapup_endpoint_for(report.method)
    bound = _bind(target, segments)
    report.add(
        "not-a-wrapup-endpoint",
        f"{endpoint.method} {endpoint.template} exists but does not set a wrap-up ({endpoint.summary}"
        + (f"; {endpoint.notes}" if endpoint.notes else "")
        + "). A wrap-up belongs to the agent participant's communication, not to the conversation",
        f"use {target.method} {target.template}",
    )
    return target, bound


def _wrapup_endpoint_for(method: str) -> Endpoint:
    """The wrap-up endpoint closest to the verb used: PATCH -> the participant PATCH, else the media POST."""
    wanted = "PATCH" if method == "PATCH" else "POST"
    return (
        next(e for e in ENDPOINTS if e.sets_wrapup and e.method == wanted and "media" in e.placeholders)
        if wanted == "POST"
        else next(e for e in ENDPOINTS if e.sets_wrapup and e.method == "PATCH" and "media" not in e.placeholders)
    )


def _wrong_method(
    report: LintReport,
    method: str,
    exact: list[tuple[Endpoint, dict[str, str]]],
    wants_wrapup: bool,
    segments: list[str],
) -> tuple[Endpoint, dict[str, str]]:
    verbs = sorted({e.method for e, _ in exact})
    endpoint, bound = exact[0]
    if wants_wrapup:
        setters = [(e, b) for e, b in exact if e.sets_wrapup]
        if setters:
            endpoint, bound = setters[0]
        else:  # a read-only wrap-up path written to: the write is elsewhere
            endpoint = _wrapup_endpoint_for("POST")
            bound = _bind(endpoint, segments)
    report.add(
        "wrong-method",
        f"{method} is not an operation of {exact[0][0].template} (it takes {', '.join(verbs)})"
        + (
            ""
            if endpoint.template == exact[0][0].template
            else f"; wrap-ups are written with {endpoint.method} {endpoint.template}"
        ),
        f"use {endpoint.method} {endpoint.template}",
    )
    return endpoint, bound


def _nearest(
    report: LintReport, method: str, segments: list[str], wants_wrapup: bool
) -> tuple[Endpoint, dict[str, str]]:
    literals = [s for s in segments if not _ID_LIKE.match(s) and s not in ("api", "v2")]
    resource = literals[-1] if literals else None
    alternatives: list[Endpoint] = []
    if wants_wrapup:
        endpoint = _wrapup_endpoint_for(method)
    else:
        pool = [e for e in ENDPOINTS if e.method == method] or list(ENDPOINTS)
        same = [e for e in pool if resource and _segments(e.template)[-1] == resource]
        if same:
            # The same resource under another owner: prefer an owner the path names, else the participant's list
            # (what a wrap-up needs), and say what the others are.
            owned = [e for e in same if any(word in _segments(e.template) for word in literals[:-1])]
            by_participant = [e for e in same if "participants" in _segments(e.template)]
            endpoint = (owned or by_participant or same)[0]
            alternatives = [e for e in same if e is not endpoint and "media" not in e.placeholders]
        else:
            endpoint = min(pool, key=lambda e: (_distance(_segments(e.template), segments, e), e.template))
    media, word = _media_word(segments)
    if word is not None and word.lower() != media and "media" in endpoint.placeholders:
        report.add(
            "media-segment",
            f"'{word}' is not a path segment of the API: each media has its own "
            f"({', '.join(sorted(set(MEDIA_BY_NAME.values())))})",
            f"use '{media}' for {word}",
        )
    if wants_wrapup:
        what = (
            "there is no endpoint that sets a wrap-up at this path: a wrap-up is applied to one communication of the "
            "agent participant, through the endpoint of the conversation's media (or the participant PATCH)"
        )
    elif alternatives or (resource and any(_segments(e.template)[-1] == resource for e in ENDPOINTS)):
        owners = [w for w in literals[:-1] if w not in _segments(endpoint.template)]
        what = f"no endpoint has {resource} under {'/'.join(owners) or 'this path'}"
    else:
        what = "no Genesys endpoint has this path"
    also = "".join(f"; also {e.method} {e.template} ({e.summary})" for e in alternatives)
    report.add(
        "no-such-endpoint",
        f"{method} {report.path.split('?', 1)[0]}: {what}",
        f"the nearest real endpoint is {endpoint.method} {endpoint.template} ({endpoint.summary}){also}",
    )
    return endpoint, _bind(endpoint, segments)


def _distance(template: list[str], segments: list[str], endpoint: Endpoint) -> float:
    """Edit distance between path segment lists, placeholders matching id-like segments for free."""
    rows = len(template) + 1
    cols = len(segments) + 1
    dist = [[0.0] * cols for _ in range(rows)]
    for i in range(rows):
        dist[i][0] = float(i)
    for j in range(cols):
        dist[0][j] = float(j)
    for i in range(1, rows):
        for j in range(1, cols):
            want, got = template[i - 1], segments[j - 1]
            if want == got:
                cost = 0.0
            elif want == "{media}":
                cost = 0.0 if got in endpoint.media else 0.5 if MEDIA_BY_NAME.get(got.lower()) else 1.0
            elif want.startswith("{"):
                cost = 0.0 if _ID_LIKE.match(got) else 1.0
            else:
                cost = 1.0
            dist[i][j] = min(dist[i - 1][j] + 1, dist[i][j - 1] + 1, dist[i - 1][j - 1] + cost)
    return dist[-1][-1]


#: The literal before a placeholder names what its id is (``/participants/{participantId}``).
_OWNERS = {
    "conversations": "conversationId", "participants": "participantId", "communications": "communicationId",
    "queues": "queueId", "users": "userId", "wrapupcodes": "codeId",
}  # fmt: skip


def _bind(endpoint: Endpoint, segments: list[str]) -> dict[str, str]:
    """The request's ids put in the endpoint's placeholders: an id goes where the literal before it says it
    belongs (an id after ``participants`` is a participantId); ids after no such literal fill what is left, in
    order; an id whose kind the endpoint does not take is not used."""
    bound: dict[str, str] = {}
    unknown: list[str] = []
    owner: str | None = None
    for segment in segments:
        if segment.lower() in _OWNERS:
            owner = _OWNERS[segment.lower()]
            continue
        if not _ID_LIKE.match(segment) or _norm(segment) in _LITERALS:
            continue
        if owner is not None and owner in endpoint.placeholders and owner not in bound:
            bound[owner] = segment
        elif owner is None:
            unknown.append(segment)
        owner = None
    for name in endpoint.placeholders:
        if name == "media":
            media, _ = _media_word(segments)
            if media is not None and media in endpoint.media:
                bound[name] = media
        elif name not in bound and unknown:
            bound[name] = unknown.pop(0)
    return bound


# --------------------------------------------------------------------------------------------- bodies
def _lint_body(report: LintReport, endpoint: Endpoint, body: Any, bound: dict[str, str]) -> Any:
    """Findings for ``body`` against the endpoint's model, and the body that model takes."""
    if endpoint.body is None:
        if body is not None:
            report.add("unexpected-body", f"{endpoint.method} {endpoint.template} takes no body", "send no body")
        return None
    if endpoint.body not in BODY_MODELS:
        return body  # a model the linter does not check (ConversationQuery, Conversation)
    if body is None:
        if endpoint.body == "WrapupInput":
            report.add(
                "missing-body", "a wrap-up POST without a body sets no code", 'send {"code": "<wrap-up code id>"}'
            )
            return {"code": CODE_PLACEHOLDER}
        return None
    if not isinstance(body, Mapping):
        report.add(
            "body-not-an-object",
            f"the body is a JSON {type(body).__name__}; {endpoint.body} is a JSON object",
            f"send a {endpoint.body} object",
        )
        return {"code": CODE_PLACEHOLDER} if endpoint.body == "WrapupInput" else {"wrapup": {"code": CODE_PLACEHOLDER}}
    if endpoint.body == "WrapupInput":
        return _wrapup_input(report, dict(body), bound, where="the body")
    return _participant_request(report, dict(body), bound)


def _participant_request(report: LintReport, body: dict[str, Any], bound: dict[str, str]) -> dict[str, Any]:
    model = BODY_MODELS["MediaParticipantRequest"]
    wrapup_model = BODY_MODELS["WrapupInput"]
    out: dict[str, Any] = {}
    moved: dict[str, Any] = {}
    for key, value in body.items():
        if key in model:
            if key == "wrapup":
                continue
            if key == "state":
                report.add(
                    "call-control-with-wrapup",
                    "'state' changes the call (connected/disconnected), it is not part of a wrap-up; no documented "
                    "rule makes a wrap-up wait for the interaction to be disconnected or terminated, and Genesys refuses "
                    "a PATCH that changes the state of a participant that has already ended (403 not.authorized)",
                    "send only 'wrapup' (a separate PATCH with 'state' ends a live call, if that is what you meant)",
                )
                continue
            out[key] = _typed(report, key, value, model[key], "MediaParticipantRequest")
        elif key in wrapup_model or _near(key, wrapup_model):
            moved[key] = value
        else:
            _unknown(report, key, value, model, "MediaParticipantRequest", bound)
    nested = body.get("wrapup")
    if moved:
        report.add(
            "wrong-level",
            f"{', '.join(repr(k) for k in moved)} belong(s) to the wrap-up, which a participant PATCH takes inside "
            "its 'wrapup' object (MediaParticipantRequest.wrapup is a WrapupInput)",
            'nest them: {"wrapup": {"code": ...}}',
        )
    if nested is not None or moved:
        combined = {**moved, **(nested if isinstance(nested, Mapping) else {})}
        if nested is not None and not isinstance(nested, Mapping):
            report.add("wrong-type", "'wrapup' must be a WrapupInput object", 'send "wrapup": {"code": ...}')
        out["wrapup"] = _wrapup_input(report, combined, bound, where="'wrapup'")
    return out


def _wrapup_input(report: LintReport, body: dict[str, Any], bound: dict[str, str], *, where: str) -> dict[str, Any]:
    model = BODY_MODELS["WrapupInput"]
    other = BODY_MODELS["MediaParticipantRequest"]
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key in model:
            if key == "code":
                out["code"] = _code(report, value, key)
            else:
                out[key] = _typed(report, key, value, model[key], "WrapupInput")
            continue
        near = _near(key, model)
        if near is not None:
            report.add(
                "unknown-field",
                f"{key!r} is not a field of WrapupInput ({where}); its fields are {', '.join(model)}",
                f"use {near!r}" + (" (a string: the code's id)" if near == "code" else ""),
            )
            if near not in out:
                out[near] = (
                    _code(report, value, key)
                    if near == "code"
                    else _typed(report, near, value, model[near], "WrapupInput")
                )
            continue
        if key == "wrapup" and isinstance(value, Mapping):
            report.add(
                "wrong-level",
                "a wrap-up POST takes the WrapupInput itself as its body; a 'wrapup' object is how the participant "
                "PATCH (MediaParticipantRequest) carries it",
                "send its fields at the top level of the body",
            )
            out.update(_wrapup_input(report, dict(value), bound, where="'wrapup'"))
            continue
        if key == "state":
            report.add(
                "call-control-with-wrapup",
                "'state' is not a field of WrapupInput: it belongs to the participant PATCH and changes the call. No "
                "documented rule makes a wrap-up wait for the interaction to be disconnected or terminated: the "
                "wrap-up is set on the agent's communication, during or after its after-call work",
                "drop 'state'",
            )
            continue
        if key in other:
            report.add(
                "wrong-model",
                f"{key!r} is a field of the participant PATCH (MediaParticipantRequest), not of WrapupInput",
                f"drop {key!r} from the wrap-up, or send it in a participant PATCH",
            )
            continue
        _unknown(report, key, value, model, "WrapupInput", bound)
    if "code" not in out and not out.get("provisional"):
        report.add(
            "missing-code",
            f"{where} has no 'code': a wrap-up that is not provisional needs one",
            f'add "code": "{CODE_PLACEHOLDER}"',
        )
        out = {"code": CODE_PLACEHOLDER, **out}
    return out


def _unknown(
    report: LintReport, key: str, value: Any, model: Mapping[str, BodyField], name: str, bound: dict[str, str]
) -> None:
    path_ids = {p for e in ENDPOINTS for p in e.placeholders if p.endswith("Id")}
    if key in path_ids or _norm(key) in {_norm(p) for p in path_ids}:
        placeholder = next(p for p in path_ids if _norm(p) == _norm(key))
        report.add(
            "id-in-body",
            f"{key!r} is not a field of {name}: the {placeholder} is part of the path, not of the body",
            f"put it in the path's {{{placeholder}}} and drop it from the body",
        )
        if isinstance(value, str) and value and placeholder not in bound:
            bound[placeholder] = value
        return
    report.add(
        "unknown-field",
        f"{key!r} is not a field of {name}; Genesys refuses unknown fields (400); its fields are {', '.join(model)}",
        f"drop {key!r}",
    )


def _near(key: str, model: Mapping[str, BodyField]) -> str | None:
    """The model field ``key`` most likely meant (``wrapUpCode``, ``wrapup_code`` -> ``code``), or None."""
    normalized = _norm(key)
    by_norm = {_norm(name): name for name in model}
    if normalized in by_norm:
        return by_norm[normalized]
    for short, name in sorted(by_norm.items(), key=lambda kv: -len(kv[0])):
        if len(short) >= 4 and (normalized.endswith(short) or normalized.startswith(short)):
            return name
        if normalized.endswith(short + "id") and len(short) >= 4:
            return name
    close = difflib.get_close_matches(normalized, list(by_norm), n=1, cutoff=0.8)
    return by_norm[close[0]] if close else None


def _code(report: LintReport, value: Any, key: str) -> Any:
    if isinstance(value, Mapping) and isinstance(value.get("id"), str):
        report.add(
            "wrong-type",
            f"{key!r} is an object; WrapupInput.code is a string: the wrap-up code's id itself",
            f'send "code": {value["id"]!r}',
        )
        value = value["id"]
    if not isinstance(value, str):
        report.add(
            "wrong-type",
            f"{key!r} must be a string (the wrap-up code's id), not {type(value).__name__}",
            "send the id as a string",
        )
        return CODE_PLACEHOLDER
    if is_genesys_id(value):
        return value
    if value.upper().startswith("ININ-"):
        report.add(
            "system-code",
            f"{value!r} is a code Genesys stamps itself (after-call work timed out, dialer results); it is not a "
            "wrap-up code an API call can apply",
            "send the id of one of the org's wrap-up codes",
        )
        return CODE_PLACEHOLDER
    looks_like_name = bool(re.search(r"[A-Za-z]{3}", value)) and not re.search(r"\d", value)
    report.add(
        "code-not-an-id",
        f"{value!r} is not a wrap-up code id: the code field takes the code's id, a UUID"
        + (" (this looks like the code's name)" if looks_like_name else ""),
        "look the id up: GET /api/v2/routing/wrapupcodes?name=<name> (entities[].id), or `wrapup-bridge catalog export`; "
        "the codes the participant may use: GET /api/v2/conversations/{conversationId}/participants/{participantId}/wrapupcodes",
    )
    return CODE_PLACEHOLDER


def _typed(report: LintReport, key: str, value: Any, spec: BodyField, model: str) -> Any:
    ok = {
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "array of strings": isinstance(value, list) and all(isinstance(v, str) for v in value),
        "date-time": isinstance(value, str),
    }.get(spec.type, True)
    if not ok:
        report.add(
            "wrong-type", f"{model}.{key} is {spec.type}, got {type(value).__name__}", f"send {key} as {spec.type}"
        )
    return value
