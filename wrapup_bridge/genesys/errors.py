"""Our exception hierarchy for everything that can go wrong talking to Genesys Cloud.

Every error names where (method, path, host) and what (status, Genesys ``code``, message, correlation id),
never the bearer token or the client secret. Every error can ``explain()`` itself in plain words (the likely
cause and the fix) and turn itself into a JSON-able ``to_dict()`` for dead letters and ledgers.
``retryable`` tells a replay whether trying again later could succeed without a person fixing something.

The Genesys subtree of ``wrapup_bridge.errors`` (which draws the whole tree, under ``WrapupBridgeError``)::

    GenesysError                  root of everything below
     ├── ConfigurationError       the settings/environment do not describe a usable connection (also a ValueError)
     │    ├── SettingsError       a GENESYSCLOUD_* variable or setting is missing or unusable (names the variable)
     │    └── UnknownRegionError  a region matched no region name or Genesys host and is not a base URL
     ├── CatalogOffline           a catalog loaded from a snapshot lacks what was asked (also a LookupError)
     ├── CatalogFormatError       a catalog answer or snapshot is not shaped as expected (also a ValueError)
     ├── DetailsFormatError       an analytics details answer is not shaped as expected (also a ValueError)
     ├── DetailsJobError          an async analytics details job did not deliver (job id, last state)
     │    ├── DetailsJobFailed    Genesys reported it FAILED, CANCELLED or EXPIRED (with its errorMessage)
     │    └── DetailsJobTimeout   not FULFILLED within the deadline; it was cancelled (DELETE), best effort
     └── RequestError             one request failed: where it went (method, path, host), attempts, time taken
          ├── TransportFailure    no HTTP answer: network error, timeout or dropped connection, after retries
          ├── BudgetExceeded      the call's time budget ran out before any answer came (says what was last seen)
          ├── AmbiguousWrite      a non-idempotent write failed after it was sent: re-read before writing again
          └── GenesysAPIError     Genesys answered with an error status (status, code, messageParams, contextId)
               ├── AuthenticationError  401, or the login host refused the credentials (bad id/secret, wrong region)
               ├── PermissionDenied     403: the OAuth client's roles lack a permission (``missing_permissions``)
               ├── NotFound             404: an id in the path is unknown, or the endpoint does not exist
               ├── Rejected             other 4xx (400, 409, 422, ...): the request was understood and refused
               │    └── DetailsQueryRejected  a details query or job refused for its page size or interval
               ├── RateLimited          429 still answered when the retries or the time budget ran out
               └── Unavailable          5xx still answered when the retries or the time budget ran out

``SettingsError`` is defined in ``genesys.settings``, ``UnknownRegionError`` in ``genesys.regions``, the catalog
errors in ``genesys.catalog``; the rest here. ``except RequestError`` catches every failed request, answered
(``GenesysAPIError``) or not, and never a configuration or catalog problem.

When retries stop because the next wait would end past the call's budget, the error of the last attempt is
raised (``RateLimited``, ``Unavailable``, ``TransportFailure``: they carry the Genesys envelope and correlation
id a ledger wants); ``BudgetExceeded`` is for a budget spent before any answer came back (waiting for the rate
limiter or a token, or an attempt whose timeout the budget cut short).

``AmbiguousWrite`` is deliberately not a ``TransportFailure``: code that retries transport failures later
must not repeat a write whose outcome is unknown without reading the target first.

Like every wrapup-bridge error, these are immutable once built (see ``core.errors``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from wrapup_bridge.core.errors import WrapupBridgeError

if TYPE_CHECKING:
    from wrapup_bridge.genesys.explain import ApiErrorFacts

__all__ = [
    "AmbiguousWrite",
    "AuthenticationError",
    "BudgetExceeded",
    "ConfigurationError",
    "DetailsFormatError",
    "DetailsJobError",
    "DetailsJobFailed",
    "DetailsJobTimeout",
    "DetailsQueryRejected",
    "GenesysAPIError",
    "GenesysError",
    "NotFound",
    "PermissionDenied",
    "RateLimited",
    "Rejected",
    "RequestError",
    "TransportFailure",
    "Unavailable",
    "api_error_from_response",
    "header",
]

_PERMISSION = re.compile(r"\b[a-zA-Z]+:[a-zA-Z]+:[a-zA-Z*]+\b")
_BODY_TEXT_LIMIT = 2000


def header(headers: Mapping[str, str] | None, name: str) -> str | None:
    """Case-insensitive header lookup that also works on plain dicts."""
    if not headers:
        return None
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, candidate in headers.items():
        if key.lower() == lowered:
            return candidate
    return None


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class GenesysError(WrapupBridgeError):
    """Root of every error wrapup-bridge raises about Genesys Cloud (the settings, the catalog, a request)."""

    #: True when trying again later could succeed without a person changing anything.
    retryable: ClassVar[bool] = False

    def explain(self) -> str:
        """The likely cause and the fix, in a sentence or two."""
        return str(self)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able record of the error for dead letters and ledgers."""
        return {
            "type": type(self).__name__,
            "message": str(self),
            "retryable": self.retryable,
            "explanation": self.explain(),
        }


class ConfigurationError(GenesysError, ValueError):
    """The settings or environment do not describe a usable Genesys connection."""

    def explain(self) -> str:
        return f"{self} Check the GENESYSCLOUD_* environment variables or the settings passed in code."


class RequestError(GenesysError):
    """One request failed, answered or not: where it went (``method``, ``path``, ``host``), how long it took
    (``elapsed``, seconds) and how many ``attempts``. The base of every error about a request, never raised itself."""

    def __init__(
        self,
        message: str,
        *,
        method: str,
        path: str,
        host: str | None = None,
        attempts: int = 1,
        elapsed: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.method = method.upper()
        self.path = path
        self.host = host
        self.attempts = attempts
        self.elapsed = elapsed

    def _request_dict(self) -> dict[str, Any]:
        return {"method": self.method, "path": self.path, "host": self.host, "attempts": self.attempts}

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "request": self._request_dict()}


class TransportFailure(RequestError):
    """No HTTP answer (network error, timeout, dropped connection), still so when retries ran out."""

    retryable = True

    def __init__(self, message: str, *, cause: str, **where: Any) -> None:
        super().__init__(message, **where)
        self.cause = cause

    def __str__(self) -> str:
        return f"{self.method} {self.path}: no answer from {self.host}: {self.cause} (after {self.attempts} attempt(s))"

    def explain(self) -> str:
        return (
            f"No answer from {self.host} ({self.cause}). Check network access, proxy settings and DNS for that "
            "host, and that GENESYSCLOUD_REGION (or the base URL) is right; it is safe to retry later."
        )


class BudgetExceeded(RequestError):
    """The call's time budget ran out before a final answer; ``last_seen`` says what it was waiting on."""

    retryable = True

    def __init__(self, *, budget: float, last_seen: str, last_error: GenesysError | None = None, **where: Any) -> None:
        super().__init__(f"time budget of {budget:g} s ran out; last seen: {last_seen}", **where)
        self.budget = budget
        self.last_seen = last_seen
        self.last_error = last_error

    def __str__(self) -> str:
        return f"{self.method} {self.path}: {self.message} (after {self.attempts} attempt(s))"

    def explain(self) -> str:
        return (
            f"The call's time budget of {self.budget:g} s ran out after {self.attempts} attempt(s); last seen: "
            f"{self.last_seen}. Nothing was confirmed applied; retry later, or give long replays a larger budget."
        )

    def to_dict(self) -> dict[str, Any]:
        data = {**super().to_dict(), "budget": self.budget, "lastSeen": self.last_seen}
        if self.last_error is not None:
            data["lastError"] = self.last_error.to_dict()
        return data


class AmbiguousWrite(RequestError):
    """A non-idempotent write failed after it was sent, so whether Genesys applied it is unknown."""

    def __init__(
        self,
        *,
        cause: str,
        status: int | None = None,
        correlation_id: str | None = None,
        error: GenesysAPIError | None = None,
        **where: Any,
    ) -> None:
        super().__init__(f"outcome unknown: {cause}", **where)
        self.cause = cause
        self.status = status
        self.correlation_id = correlation_id
        #: The error answer (5xx) that left the outcome unknown, when there was one.
        self.error = error

    def __str__(self) -> str:
        corr = f"; correlation id {self.correlation_id}" if self.correlation_id else ""
        return f"{self.method} {self.path}: sent, but {self.cause}; outcome unknown{corr}"

    def explain(self) -> str:
        info_read = "GET /api/v2/conversations/{conversationId}/participants/{participantId}/wrapup"
        from wrapup_bridge.genesys.paths import classify_path

        info = classify_path(self.path)
        if info.conversation_id and info.participant_id:
            info_read = f"GET /api/v2/conversations/{info.conversation_id}/participants/{info.participant_id}/wrapup"
        return (
            f"The write was sent but {self.cause}, so Genesys may or may not have applied it. Re-read the target "
            f"({info_read}, or the conversation) before writing again, so the wrap-up is not applied twice."
        )

    def to_dict(self) -> dict[str, Any]:
        data = {**super().to_dict(), "status": self.status, "correlationId": self.correlation_id}
        if self.error is not None:
            data["error"] = self.error.to_dict()
        return data


class GenesysAPIError(RequestError):
    """Genesys answered with an error status; carries its error envelope and correlation id, and ``oauth_client``,
    the id of the OAuth client that sent the request when the client belongs to a pool (``genesys.pool``; None
    otherwise: there is only one)."""

    #: Permissions Genesys named as missing (filled by ``PermissionDenied``).
    missing_permissions: tuple[str, ...] = ()

    def __init__(
        self,
        *,
        status: int,
        code: str | None,
        message: str,
        message_params: Mapping[str, str] | None = None,
        context_id: str | None = None,
        correlation_id: str | None = None,
        body: Any = None,
        sent_code: str | None = None,
        after_refresh: bool = False,
        budget: float | None = None,
        headers: Mapping[str, str] | None = None,
        oauth_client: str | None = None,
        **where: Any,
    ) -> None:
        super().__init__(message, **where)
        self.oauth_client = oauth_client
        self.status = status
        self.code = code
        self.message_params: dict[str, str] = dict(message_params or {})
        self.context_id = context_id
        self.correlation_id = correlation_id
        self.body = body
        #: The wrap-up code the request sent (only that field of the body is kept), to spot names sent as ids.
        self.sent_code = sent_code
        self.after_refresh = after_refresh
        self.budget = budget
        self.rate_allowed = header(headers, "inin-ratelimit-allowed")

    def __str__(self) -> str:
        code = f" {self.code}" if self.code else ""
        corr = f"; correlation id {self.correlation_id}" if self.correlation_id else ""
        sender = f"; OAuth client {self.oauth_client!r}" if self.oauth_client else ""
        return f"{self.status}{code}: {_one_line(self.message)} ({self.method} {self.path}{corr}{sender})"

    def _facts(self) -> ApiErrorFacts:
        # Here, not at the top: the settings import this module on a cold start, and explaining needs the path
        # patterns of genesys.paths only once an error is explained.
        from wrapup_bridge.genesys.explain import ApiErrorFacts

        return ApiErrorFacts(
            status=self.status,
            code=self.code,
            message=self.message,
            method=self.method,
            path=self.path,
            host=self.host,
            sent_code=self.sent_code,
            permissions=self.missing_permissions,
            after_refresh=self.after_refresh,
            budget=self.budget,
            attempts=self.attempts,
            allowed=self.rate_allowed,
            correlation_id=self.correlation_id,
        )

    def explain(self) -> str:
        from wrapup_bridge.genesys.explain import explain_api_error

        explained = explain_api_error(self._facts())
        return f"OAuth client {self.oauth_client!r} of the pool: {explained}" if self.oauth_client else explained

    def to_dict(self) -> dict[str, Any]:
        body = self.body
        if isinstance(body, str) and len(body) > _BODY_TEXT_LIMIT:
            body = body[:_BODY_TEXT_LIMIT] + "…"
        return {
            **super().to_dict(),
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "messageParams": self.message_params,
            "contextId": self.context_id,
            "correlationId": self.correlation_id,
            "body": body,
            **({"oauthClient": self.oauth_client} if self.oauth_client else {}),
        }


class AuthenticationError(GenesysAPIError):
    """401 from the API (after one token renewal), or the login host refused the client credentials."""


class PermissionDenied(GenesysAPIError):
    """403: the OAuth client's roles lack a permission; ``missing_permissions`` lists those Genesys named."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        found: list[str] = []
        texts = [*self.message_params.values(), self.message]
        for text in texts:
            for permission in _PERMISSION.findall(text):
                if permission not in found:
                    found.append(permission)
        self.missing_permissions = tuple(found)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "missingPermissions": list(self.missing_permissions)}


class NotFound(GenesysAPIError):
    """404: an id in the path is unknown to this org, or the endpoint does not exist."""


class Rejected(GenesysAPIError):
    """Another 4xx (400, 409, 422, ...): Genesys understood the request and refused it."""


class RateLimited(GenesysAPIError):
    """429 still answered when the retries or the time budget ran out."""

    retryable = True

    def __init__(self, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.retry_after = retry_after


class Unavailable(GenesysAPIError):
    """5xx still answered when the retries or the time budget ran out."""

    retryable = True


class DetailsQueryRejected(Rejected):
    """A 400 to an analytics details query, job or job results page whose message names one of its limits:
    ``limit`` is ``"page_size"`` (``page_size`` was asked) or ``"interval"`` (``interval`` was asked).

    Neither limit is documented by Genesys (docs/reference-analytics-details.md: UNSURE), so the advice says what
    was asked and how to ask for less, not what the limit is."""

    def __init__(self, *, limit: str, page_size: int | None = None, interval: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.limit = limit
        self.page_size = page_size
        self.interval = interval

    @classmethod
    def from_rejected(
        cls, error: GenesysAPIError, *, limit: str, page_size: int | None = None, interval: str | None = None
    ) -> DetailsQueryRejected:
        """The same answer (status, envelope, correlation id, where, attempts) with the limit it names."""
        headers = {"inin-ratelimit-allowed": error.rate_allowed} if error.rate_allowed is not None else None
        return cls(
            limit=limit,
            page_size=page_size,
            interval=interval,
            status=error.status,
            code=error.code,
            message=error.message,
            message_params=error.message_params,
            context_id=error.context_id,
            correlation_id=error.correlation_id,
            body=error.body,
            sent_code=error.sent_code,
            after_refresh=error.after_refresh,
            budget=error.budget,
            headers=headers,
            method=error.method,
            path=error.path,
            host=error.host,
            attempts=error.attempts,
            elapsed=error.elapsed,
        )

    def explain(self) -> str:
        said = f" Genesys says: {_one_line(self.message).rstrip('.')}." if self.message else ""
        if self.limit == "page_size":
            asked = f"page size {self.page_size}" if self.page_size is not None else "the page size"
            return (
                f"Genesys refused {asked} for {self.method} {self.path}: likely larger than this endpoint "
                f"allows (the largest is not documented; public callers of the details query use 100).{said} "
                "Lower the page size (--page-size) and run again."
            )
        asked = f"interval {self.interval}" if self.interval else "the interval"
        return (
            f"Genesys refused {asked} for {self.method} {self.path}: likely longer than the org allows for one "
            f"query (the longest is not documented).{said} Ask for shorter intervals (a day at a time, as "
            "correlation slices them) and run again."
        )

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "limit": self.limit, "pageSize": self.page_size, "interval": self.interval}


class DetailsFormatError(GenesysError, ValueError):
    """An analytics details answer is not shaped as Genesys documents it: names the request and the field."""

    def __init__(self, message: str, *, path: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.field = field

    def __str__(self) -> str:
        return f"{self.path}: field {self.field!r}: {self.message}"

    def explain(self) -> str:
        return (
            f"The answer to {self.path} has no usable {self.field!r} ({self.message}). Likely not a Genesys Cloud "
            "API (a proxy's page, another service at that base URL) or an API version this tool does not know; "
            "check GENESYSCLOUD_REGION or the base URL."
        )

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "path": self.path, "field": self.field}


class DetailsJobError(GenesysError):
    """An async analytics details job (``POST /api/v2/analytics/conversations/details/jobs``) did not deliver its
    results: ``job_id``, the ``state`` last seen, and Genesys's ``error_message`` when it gave one. Never raised
    itself."""

    def __init__(self, message: str, *, job_id: str, state: str | None, error_message: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.job_id = job_id
        self.state = state
        self.error_message = error_message

    def __str__(self) -> str:
        return f"analytics details job {self.job_id}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            **super().to_dict(),
            "jobId": self.job_id,
            "state": self.state,
            "errorMessage": self.error_message,
        }


class DetailsJobFailed(DetailsJobError):
    """Genesys reported the job ``FAILED``, ``CANCELLED`` or ``EXPIRED`` (the terminal states of the SDK's
    ``AsyncQueryStatus.state`` other than ``FULFILLED``)."""

    def __init__(self, *, job_id: str, state: str, error_message: str | None = None) -> None:
        said = f": {_one_line(error_message)}" if error_message else ""
        super().__init__(
            f"Genesys reported the job {state}{said}", job_id=job_id, state=state, error_message=error_message
        )

    def explain(self) -> str:
        said = f" Genesys says: {_one_line(self.error_message).rstrip('.')}." if self.error_message else ""
        if self.state == "EXPIRED":
            return (
                f"The results of job {self.job_id} expired before they were read (Genesys keeps them for a limited, "
                f"undocumented time).{said} Run again; it starts a new job and reads it as soon as it is ready."
            )
        if self.state == "CANCELLED":
            return (
                f"Job {self.job_id} was cancelled before it finished: likely by a DELETE from another run or a "
                f"person, or by Genesys itself.{said} Run again."
            )
        return (
            f"Genesys could not complete job {self.job_id}.{said} Likely the query is too large (a long interval, "
            "broad filters) or the analytics service had a problem: narrow the interval or the filters, or use the "
            "synchronous query (api: query), and run again."
        )


class DetailsJobTimeout(DetailsJobError):
    """The job was not ``FULFILLED`` within ``deadline`` seconds; it was then cancelled with a DELETE, best effort
    (``cancelled`` says whether Genesys confirmed it)."""

    retryable = True

    def __init__(self, *, job_id: str, state: str | None, deadline: float, cancelled: bool) -> None:
        super().__init__(
            f"not FULFILLED within {deadline:g} s (last state {state or 'unknown'})", job_id=job_id, state=state
        )
        self.deadline = deadline
        self.cancelled = cancelled

    def explain(self) -> str:
        cancelled = (
            "it was cancelled"
            if self.cancelled
            else "cancelling it was not confirmed, so it may still run and expire on its own"
        )
        return (
            f"Genesys had not finished job {self.job_id} after {self.deadline:g} s (last state "
            f"{self.state or 'unknown'}); {cancelled}. Long intervals and busy orgs take longer: allow the job more "
            "time (a longer job deadline), ask for shorter intervals, or use the synchronous query (api: query)."
        )

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "deadline": self.deadline, "cancelled": self.cancelled}


def _str_params(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): "" if v is None else str(v) for k, v in value.items()}


def _filled(template: Any, params: Any) -> str | None:
    """``messageWithParams`` ("session {sessionId} is inactive") with its ``messageParams`` put in."""
    if not isinstance(template, str) or not template:
        return None
    text: str = template
    if isinstance(params, Mapping):
        for key, value in params.items():
            text = text.replace("{" + str(key) + "}", str(value))
    return text


def api_error_from_response(
    *,
    status: int,
    body: Any,
    method: str,
    path: str,
    host: str | None = None,
    headers: Mapping[str, str] | None = None,
    reason: str = "",
    error_class: type[GenesysAPIError] | None = None,
    retry_after: float | None = None,
    **extra: Any,
) -> GenesysAPIError:
    """Build the typed error for an error answer from its status and body (Genesys or OAuth envelope);
    ``retry_after`` (seconds, from ``Retry-After``) goes to a ``RateLimited`` only."""
    envelope: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
    code = envelope.get("code") or envelope.get("error")
    message = (
        envelope.get("message")
        or _filled(envelope.get("messageWithParams"), envelope.get("messageParams"))
        or envelope.get("error_description")
        or envelope.get("description")
        or (body.strip() if isinstance(body, str) and body.strip() else "")
        or reason
        or f"HTTP {status}"
    )
    # Genesys sends ININ-Correlation-Id; newer hosts also Genesys-Correlation-Id.
    correlation_id = header(headers, "inin-correlation-id") or header(headers, "genesys-correlation-id")
    kwargs: dict[str, Any] = {
        "status": status,
        "code": str(code) if code is not None else None,
        "message": str(message),
        "message_params": _str_params(envelope.get("messageParams")),
        "context_id": envelope.get("contextId"),
        "correlation_id": correlation_id,
        "body": body,
        "method": method,
        "path": path,
        "host": host,
        "headers": headers,
        **extra,
    }
    cls: type[GenesysAPIError]
    if error_class is not None:
        cls = error_class
    elif status == 401:
        cls = AuthenticationError
    elif status == 403:
        cls = PermissionDenied
    elif status == 404:
        cls = NotFound
    elif status == 429:
        cls = RateLimited
    elif status >= 500:
        cls = Unavailable
    else:
        cls = Rejected
    if issubclass(cls, RateLimited):
        kwargs["retry_after"] = retry_after
    return cls(**kwargs)
