"""The three disposition endpoints, independent of any web framework.

The ASGI app (``webhook``) and the API Gateway handler (``lambda_handler``) only translate their request into
an ``Incoming`` and a ``Reply`` back; everything that decides an answer is here, once: routing, the size
limit, authentication, body parsing, and which status each Outcome gets. So both front doors refuse the same
requests with the same words, and a test of one is a test of the behaviour of both.

Routes:

- ``POST /twilio/taskrouter``: TaskRouter EventCallbacks (form-encoded; JSON with ``bodySHA256`` too), and
  Event Streams webhook deliveries (a JSON **array** of CloudEvents), signed with ``X-Twilio-Signature``; a
  JSON body is only accepted signed with ``bodySHA256`` in the URL (how Twilio signs JSON bodies; that Event
  Streams sinks are signed the same way is UNSURE: said by Twilio's blog and a support article, not its
  reference, so nothing unsigned is ever accepted). Always 204 once authenticated and readable (Twilio wants
  204 within 15 s; the Outcome, or for an array the count of each, is in the ``X-Wrapup-Bridge-Outcome``
  header and the log). Events that carry no disposition (``task.created``, ...) are acknowledged and ignored,
  since a workspace often sends every event type.
- ``POST /five9/disposition``: web-connector call variables (form or JSON), with a shared secret in the
  ``X-Wrapup-Bridge-Secret`` header or the ``secret`` query parameter. 200 with the Outcome as JSON.
- ``POST /v1/dispositions``: generic JSON, a ``Disposition``-shaped object or ``{source, payload,
  conversation_id?, format?}``, with ``Authorization: Bearer <token>``. 200 with the Outcome for a final
  one, 202 when queued in the outbox, 503 when it failed and there is no outbox to keep it.
- ``GET /healthz``: liveness, no I/O.

Refusals: 403 unsigned/unauthenticated (the reason names the header, never a value), 400 unreadable with
``{error, field}`` (a JSON body nested deeper than ``core.limits.MAX_NESTING`` too: no parser ever recurses
into it), 413 over ``max_body_bytes``, 415 an unknown Content-Type, 404 an endpoint whose secret is not
configured (it is off, not open), 405 a wrong method. Form bodies are bounded by ``max_body_bytes`` and at most
1,000 fields.

Answers never show a filesystem path: a queued disposition is named by its outbox row id (``outbox_id``, what
``wrapup-bridge outbox list`` shows); the outbox file is named in the server log only.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from pydantic import ValidationError

from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.limits import NestingError, loads_json
from wrapup_bridge.core.outcome import OutcomeKind
from wrapup_bridge.live.auth import (
    SIGNATURE_HEADER,
    Denied,
    FormParams,
    TwilioSignature,
    check_bearer,
    check_shared_secret,
)
from wrapup_bridge.live.errors import NotADisposition, PayloadError

if TYPE_CHECKING:
    from wrapup_bridge.live.bridge import Bridge, BridgeOutcome

__all__ = [
    "DEFAULT_MAX_BODY",
    "FIVE9_SECRET_HEADER",
    "FIVE9_SECRET_PARAM",
    "ROUTES",
    "Endpoints",
    "Incoming",
    "Reply",
    "Work",
    "public_target",
    "request_url",
]

logger = logging.getLogger("wrapup_bridge.live.webhook")

DEFAULT_MAX_BODY = 64 * 1024
FIVE9_SECRET_HEADER = "X-Wrapup-Bridge-Secret"
FIVE9_SECRET_PARAM = "secret"
OUTCOME_HEADER = "X-Wrapup-Bridge-Outcome"
_MAX_FIELDS = 1000

TWILIO, FIVE9, GENERIC, HEALTH = "/twilio/taskrouter", "/five9/disposition", "/v1/dispositions", "/healthz"
#: path -> allowed method
ROUTES: dict[str, str] = {TWILIO: "POST", FIVE9: "POST", GENERIC: "POST", HEALTH: "GET"}


@dataclass(frozen=True)
class Incoming:
    """One HTTP request as the endpoints need it; header names lower-case."""

    method: str
    path: str
    url: str  #: the full URL the caller used (public URL applied), query included: what Twilio signed
    headers: Mapping[str, str]
    query: Mapping[str, list[str]]
    body: bytes


@dataclass(frozen=True)
class Reply:
    """The answer: status, an optional JSON body, extra headers."""

    status: int
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def content(self) -> bytes:
        if self.body is None:
            return b""
        return json.dumps(self.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def all_headers(self) -> dict[str, str]:
        return {"Content-Type": "application/json", **self.headers}


@dataclass(frozen=True)
class Work:
    """An authenticated, readable request, ready for the bridge."""

    route: str
    source: str | None = None
    payload: Mapping[str, Any] | None = None
    disposition: Disposition | None = None
    conversation_id: str | None = None
    format: str | None = None
    #: Event Streams deliveries: the CloudEvents of one JSON array, each applied on its own.
    events: tuple[Mapping[str, Any], ...] = ()


def public_target(bridge: Bridge) -> str:
    """What ``/healthz`` may say the bridge writes to: its description, without the emulator's org file path."""
    if bridge.emulator is not None:
        return "the wrapup-bridge Genesys emulator (NOT Genesys Cloud)"
    return bridge.description


def _outbox_where(bridge: Bridge) -> str | None:
    """The outbox file, for the server log only."""
    outbox = bridge.outbox
    return str(outbox.path) if outbox is not None else None


def request_url(public_url: str | None, scheme: str, host: str, path: str, raw_query: str) -> str:
    """The URL a caller used: ``public_url`` (the base the routes live under, as the world sees it) when set,
    else what this server saw; then the route path and the query string exactly as sent."""
    base = public_url.rstrip("/") if public_url else f"{scheme}://{host}"
    return f"{base}{path}{'?' + raw_query if raw_query else ''}"


def _error(status: int, message: str, field_name: str | None = None) -> Reply:
    return Reply(status, {"error": message, "field": field_name})


def _media_type(headers: Mapping[str, str]) -> str:
    return headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PayloadError(f"the body is not UTF-8 (byte {exc.start})", field="body") from None


def _form(body: bytes) -> FormParams:
    try:
        pairs = parse_qsl(_text(body), keep_blank_values=True, max_num_fields=_MAX_FIELDS)
    except ValueError as exc:
        raise PayloadError(f"unreadable form body: {exc}", field="body") from None
    return FormParams.from_pairs(pairs)


def _json_value(body: bytes) -> Any:
    try:
        return loads_json(_text(body))
    except NestingError as exc:  # first: a nesting error may be a JSONDecodeError too, without a useful position
        raise PayloadError(f"the JSON is {getattr(exc, 'msg', None) or exc}", field="body") from None
    except json.JSONDecodeError as exc:
        raise PayloadError(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", field="body") from None


def _json_kind(value: Any) -> str:
    """What a parsed JSON value is, in JSON's words (``null``, not ``NoneType``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object" if isinstance(value, dict) else type(value).__name__


def _json_object(body: bytes) -> dict[str, Any]:
    value = _json_value(body)
    if not isinstance(value, dict):
        raise PayloadError(f"expected a JSON object, got {_json_kind(value)}", field="body")
    return value


#: CloudEvents one Event Streams delivery may carry (Twilio batches them; a bound keeps one request bounded).
MAX_EVENTS = 100


def _field_of(exc: ValidationError) -> tuple[str, str | None]:
    first = exc.errors()[0] if exc.errors() else None
    if first is None:
        return str(exc), None
    location = ".".join(str(part) for part in first["loc"]) or None
    return first["msg"], location


class Endpoints:
    """Authentication, parsing and answers for the disposition routes; see the module docstring.

    Secrets left unset turn their endpoint off (404), never open: there is no unauthenticated mode.
    """

    def __init__(
        self,
        *,
        twilio_auth_token: str | None = None,
        twilio_shared_key: str | None = None,
        five9_secret: str | None = None,
        api_token: str | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY,
        about: Mapping[str, Any] | None = None,
    ) -> None:
        if max_body_bytes <= 0:
            raise ValueError("max_body_bytes must be positive")
        self.twilio = TwilioSignature(twilio_auth_token, shared_key=twilio_shared_key) if twilio_auth_token else None
        self._five9_secret = five9_secret or None
        self._api_token = api_token or None
        self.max_body_bytes = max_body_bytes
        #: Extra facts for /healthz (the target description); never secrets.
        self.about = dict(about or {})

    def __repr__(self) -> str:
        return f"Endpoints(enabled={self.enabled()}, max_body_bytes={self.max_body_bytes})"

    def enabled(self) -> list[str]:
        """The routes that can accept a request (their secret is set)."""
        on = [TWILIO] if self.twilio else []
        on += [FIVE9] if self._five9_secret else []
        on += [GENERIC] if self._api_token else []
        return on

    # -- before the body -----------------------------------------------------------------------------------------
    def precheck(
        self, method: str, path: str, headers: Mapping[str, str], query: Mapping[str, list[str]] | None = None
    ) -> Reply | None:
        """What can be refused before reading the body: route, method, switched-off endpoint, declared size,
        and credentials that do not need the body (so an unauthenticated sender cannot make us read 64 KiB).
        Twilio's signature covers the body, so only its presence is checked here."""
        allowed = ROUTES.get(path)
        if allowed is None:
            return _error(404, f"no endpoint {path}; expected one of: {', '.join(ROUTES)}")
        if method != allowed:
            return Reply(405, {"error": f"{path} accepts {allowed} only", "field": None}, {"Allow": allowed})
        if path == HEALTH:
            return None
        if path not in self.enabled():
            return _error(404, f"{path} is not enabled on this server (its secret is not configured)")
        length = headers.get("content-length")
        if length is not None:
            if not length.strip().isdigit():
                return _error(400, "Content-Length is not a number", "Content-Length")
            if int(length) > self.max_body_bytes:
                return self.too_large()
        if path == GENERIC and self._api_token:
            return self._deny(method, path, check_bearer(self._api_token, headers))
        if path == FIVE9 and self._five9_secret:
            denied = check_shared_secret(
                self._five9_secret, headers, query or {}, header=FIVE9_SECRET_HEADER, param=FIVE9_SECRET_PARAM
            )
            return self._deny(method, path, denied)
        if path == TWILIO and not headers.get(SIGNATURE_HEADER.lower()):
            missing = Denied(
                f"missing {SIGNATURE_HEADER} header: the request is not signed by Twilio", SIGNATURE_HEADER
            )
            return self._deny(method, path, missing)
        return None

    def too_large(self) -> Reply:
        return _error(413, f"the body is larger than {self.max_body_bytes} bytes", "body")

    @staticmethod
    def _deny(method: str, path: str, denied: Denied | None) -> Reply | None:
        if denied is None:
            return None
        logger.warning("%s %s -> 403: %s", method, path, denied.reason)
        return _error(403, denied.reason, denied.field)

    # -- with the body ------------------------------------------------------------------------------------------
    def admit(self, incoming: Incoming) -> Work | Reply:
        """An authenticated, parsed request, or the refusal to send."""
        refused = self.precheck(incoming.method, incoming.path, incoming.headers, incoming.query)
        if refused is not None:
            return refused
        if len(incoming.body) > self.max_body_bytes:
            return self.too_large()
        if incoming.path == HEALTH:
            return Reply(200, {"status": "ok", **self.about, "endpoints": self.enabled()})
        try:
            if incoming.path == TWILIO:
                return self._twilio(incoming)
            if incoming.path == FIVE9:
                return self._five9(incoming)
            return self._generic(incoming)
        except PayloadError as exc:
            return self.refuse(incoming, exc)

    def _parse(
        self, incoming: Incoming, *, arrays: bool = False
    ) -> tuple[FormParams | None, dict[str, Any] | list[Any] | None] | Reply:
        media = _media_type(incoming.headers)
        if media == "application/x-www-form-urlencoded":
            return _form(incoming.body), None
        if media == "application/json" or media.endswith("+json"):
            if arrays:
                value = _json_value(incoming.body)
                if not isinstance(value, dict | list):
                    raise PayloadError(f"expected a JSON object or array, got {_json_kind(value)}", field="body")
                return None, value
            return None, _json_object(incoming.body)
        shown = media or "none"
        return _error(415, f"Content-Type {shown} is not accepted (form-urlencoded or JSON)", "Content-Type")

    def _twilio(self, incoming: Incoming) -> Work | Reply:
        assert self.twilio is not None
        parsed = self._parse(incoming, arrays=True)
        if isinstance(parsed, Reply):
            return parsed
        form, obj = parsed
        if form is not None:
            denied = self.twilio.check(incoming.url, incoming.headers, form=form)
        else:
            denied = self.twilio.check(incoming.url, incoming.headers, raw_body=_text(incoming.body))
        refused = self._deny(incoming.method, incoming.path, denied)
        if refused is not None:
            return refused
        if isinstance(obj, list):  # an Event Streams delivery: an array of CloudEvents
            if not obj:
                raise PayloadError("an empty array of events", field="body")
            if len(obj) > MAX_EVENTS:
                raise PayloadError(f"{len(obj)} events in one delivery; at most {MAX_EVENTS} are taken", field="body")
            for index, event in enumerate(obj):
                if not isinstance(event, dict):
                    raise PayloadError(f"event {index} is {_json_kind(event)}, not an object", field=f"[{index}]")
            return Work(TWILIO, source="twilio", events=tuple(obj))
        payload = form.first() if form is not None else obj
        return Work(TWILIO, source="twilio", payload=payload, format="taskrouter")

    def _five9(self, incoming: Incoming) -> Work | Reply:
        parsed = self._parse(incoming)
        if isinstance(parsed, Reply):
            return parsed
        form, obj = parsed
        payload = form.first() if form is not None else obj
        assert not isinstance(payload, list)  # only the Twilio route reads arrays
        return Work(FIVE9, source="five9", payload=payload, format="web-connector")

    def _generic(self, incoming: Incoming) -> Work | Reply:
        media = _media_type(incoming.headers)
        if media != "application/json" and not media.endswith("+json"):
            return _error(415, f"Content-Type {media or 'none'} is not accepted (application/json)", "Content-Type")
        obj = _json_object(incoming.body)
        if "payload" in obj:
            source, payload = obj.get("source"), obj.get("payload")
            cid, fmt = obj.get("conversation_id"), obj.get("format")
            if not isinstance(source, str) or not source:
                raise PayloadError("an event needs 'source' (twilio, five9, cxone)", field="source")
            if not isinstance(payload, dict):
                raise PayloadError("'payload' must be a JSON object (the legacy event)", field="payload")
            for name, value in (("conversation_id", cid), ("format", fmt)):
                if value is not None and not isinstance(value, str):
                    raise PayloadError(f"{name!r} must be a string", field=name)
            return Work(GENERIC, source=source, payload=payload, conversation_id=cid, format=fmt)
        try:
            disposition = Disposition.model_validate(obj)
        except ValidationError as exc:
            message, location = _field_of(exc)
            raise PayloadError(f"not a disposition: {message}", field=location) from None
        return Work(GENERIC, disposition=disposition)

    # -- answers --------------------------------------------------------------------------------------------------
    def refuse(self, incoming: Incoming | Work, exc: PayloadError) -> Reply:
        """A PayloadError as the answer: 400 naming the field; a non-disposition Twilio event is a quiet 204."""
        path = incoming.path if isinstance(incoming, Incoming) else incoming.route
        if isinstance(exc, NotADisposition) and path == TWILIO:
            logger.debug("POST %s -> 204, ignored: %s", path, exc)
            return Reply(204, None, {OUTCOME_HEADER: "ignored"})
        logger.warning("POST %s -> 400: %s", path, exc)
        return Reply(400, exc.to_json_dict())

    def answer(self, work: Work, outcome: BridgeOutcome, outbox: str | None = None) -> Reply:
        """The reply for a processed request; every outcome is logged once, with where it went (the ``outbox`` file
        in the log, never in the reply)."""
        if work.route == TWILIO:
            status = 204
        elif work.route == GENERIC and outcome.kind is OutcomeKind.QUEUED:
            status = 202
        elif work.route == GENERIC and outcome.kind is OutcomeKind.FAILED:
            status = 503
        else:
            status = 200
        disposition = outcome.disposition
        row = ""
        if outcome.outbox_id is not None:
            row = f", outbox row {outcome.outbox_id}" + (f" in {outbox}" if outbox else "")
        logger.info(
            "POST %s -> %d %s (%s %s, conversation %s%s): %s",
            work.route,
            status,
            outcome.kind.value,
            disposition.source if disposition else "-",
            disposition.source_id if disposition else "-",
            disposition.conversation_id if disposition else "-",
            row,
            outcome.reason,
        )
        headers = {OUTCOME_HEADER: outcome.kind.value}
        return Reply(status, None if status == 204 else outcome.to_json_dict(), headers)

    def _event_kind(self, admitted: Work, bridge: Bridge, index: int, result: BridgeOutcome | PayloadError) -> str:
        """One event of a batch, logged: its outcome's kind, or ``ignored`` / ``refused`` when it was not applied."""
        if isinstance(result, NotADisposition):
            logger.debug("POST %s event %d ignored: %s", admitted.route, index, result)
            return "ignored"
        if isinstance(result, PayloadError):
            logger.warning("POST %s event %d refused: %s", admitted.route, index, result)
            return "refused"
        self.answer(admitted, result, _outbox_where(bridge))  # logs it
        return result.kind.value

    @staticmethod
    def _batch(kinds: list[str]) -> Reply:
        """One Event Streams delivery: 204 (Twilio retries anything else), the count of each outcome in the header."""
        counts: dict[str, int] = {}
        for kind in kinds:
            counts[kind] = counts.get(kind, 0) + 1
        summary = ",".join(f"{kind}={n}" for kind, n in sorted(counts.items()))
        return Reply(204, None, {OUTCOME_HEADER: summary})

    # -- the whole request ----------------------------------------------------------------------------------------
    def handle(self, bridge: Bridge, incoming: Incoming) -> Reply:
        """Admit, apply (blocking) and answer one request."""
        admitted = self.admit(incoming)
        if isinstance(admitted, Reply):
            return admitted
        if admitted.events:
            kinds = []
            for index, event in enumerate(admitted.events):
                try:
                    result: BridgeOutcome | PayloadError = bridge.apply_event("twilio", event)
                except PayloadError as exc:
                    result = exc
                kinds.append(self._event_kind(admitted, bridge, index, result))
            return self._batch(kinds)
        try:
            if admitted.disposition is not None:
                outcome = bridge.apply(admitted.disposition)
            else:
                assert admitted.source is not None and admitted.payload is not None
                outcome = bridge.apply_event(
                    admitted.source, admitted.payload, admitted.conversation_id, format=admitted.format
                )
        except PayloadError as exc:
            return self.refuse(admitted, exc)
        return self.answer(admitted, outcome, _outbox_where(bridge))

    async def ahandle(self, bridge: Bridge, incoming: Incoming) -> Reply:
        """``handle`` for the ASGI app."""
        admitted = self.admit(incoming)
        if isinstance(admitted, Reply):
            return admitted
        if admitted.events:
            kinds = []
            for index, event in enumerate(admitted.events):
                try:
                    result: BridgeOutcome | PayloadError = await bridge.aapply_event("twilio", event)
                except PayloadError as exc:
                    result = exc
                kinds.append(self._event_kind(admitted, bridge, index, result))
            return self._batch(kinds)
        try:
            if admitted.disposition is not None:
                outcome = await bridge.aapply(admitted.disposition)
            else:
                assert admitted.source is not None and admitted.payload is not None
                outcome = await bridge.aapply_event(
                    admitted.source, admitted.payload, admitted.conversation_id, format=admitted.format
                )
        except PayloadError as exc:
            return self.refuse(admitted, exc)
        return self.answer(admitted, outcome, _outbox_where(bridge))
