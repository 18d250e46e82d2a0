"""Genesys's error envelope (ErrorBody) and the errors the emulator raises inside a request.

Genesys answers every failure with the same JSON shape: message, code, status, contextId, details, errors, and
``messageWithParams``/``messageParams`` when the message has parameters (a plain 400 ``bad.request`` carries
neither; a 403 ``not.authorized`` on a participant PATCH carries both). Clients (ours, the official SDK)
classify failures from exactly these fields, so the emulator never answers an error in any other shape. The
login host is the exception: its token errors are OAuth's ``{"error", "description", "error_description"}``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ApiError", "DroppedConnection", "error_body", "oauth_error_body"]


def error_body(
    status: int,
    code: str,
    message: str,
    *,
    context_id: str,
    params: dict[str, str] | None = None,
    details: list[dict[str, str]] | None = None,
    entity_id: str | None = None,
    with_params: str | None = None,
) -> dict[str, Any]:
    """The ErrorBody JSON for one failure; ``contextId`` is the request's ININ-Correlation-Id.

    ``with_params`` is the message with ``{name}`` placeholders (``messageWithParams``), filled from ``params``."""
    body: dict[str, Any] = {"message": message, "code": code, "status": status}
    if with_params is not None:
        body["messageWithParams"] = with_params
    if params is not None:
        body["messageParams"] = dict(params)
    body["contextId"] = context_id
    body["details"] = list(details or [])
    body["errors"] = []
    if entity_id is not None:
        body["entityId"] = entity_id
    return body


def oauth_error_body(error: str, description: str) -> dict[str, Any]:
    """What the login host answers to a refused token request (seen in real SDK exceptions)."""
    return {"error": error, "description": description, "error_description": description}


class ApiError(Exception):
    """A request failed the way Genesys would fail it; rendered as ErrorBody with ``headers`` added.

    Deliberately not a ``WrapupBridgeError``: it is the emulator's HTTP answer in exception form, caught by its
    gateway and sent as the error response; a client meets it as a ``GenesysAPIError``, never as this."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        params: dict[str, str] | None = None,
        details: list[dict[str, str]] | None = None,
        entity_id: str | None = None,
        headers: dict[str, str] | None = None,
        with_params: str | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.params = params
        self.details = details
        self.entity_id = entity_id
        self.headers = headers or {}
        self.with_params = with_params

    def body(self, context_id: str) -> dict[str, Any]:
        return error_body(
            self.status,
            self.code,
            self.message,
            context_id=context_id,
            params=self.params,
            details=self.details,
            entity_id=self.entity_id,
            with_params=self.with_params,
        )

    @classmethod
    def not_found(cls, what: str, entity_id: str | None = None) -> ApiError:
        return cls(404, "not.found", f"{what} not found", entity_id=entity_id)

    @classmethod
    def templated(cls, status: int, code: str, template: str, params: dict[str, str], **kwargs: Any) -> ApiError:
        """An error whose message has parameters: ``messageWithParams`` and ``messageParams`` are both sent."""
        message = template
        for key, value in params.items():
            message = message.replace("{" + key + "}", value)
        return cls(status, code, message, params=params, with_params=template, **kwargs)

    @classmethod
    def bad_request(cls, message: str, field: str | None = None) -> ApiError:
        details = [{"errorCode": "bad.request", "fieldName": field}] if field else None
        return cls(400, "bad.request", message, details=details)


class DroppedConnection(Exception):
    """Raised inside the app to make the server drop the connection without completing the response.

    Deliberately not a ``WrapupBridgeError``: a fault injected on purpose, caught by the emulator's server or
    transport; a client meets it as a ``TransportFailure`` (or an ``AmbiguousWrite``), never as this."""
