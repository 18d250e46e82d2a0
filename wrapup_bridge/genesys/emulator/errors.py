"""Genesys's error envelope (ErrorBody) and the errors the emulator raises inside a request.

Genesys answers every failure with the same JSON shape: message, code, status, messageParams, contextId,
details, errors. Clients (ours, the official SDK) classify failures from exactly these fields, so the emulator
never answers an error in any other shape.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ApiError", "DroppedConnection", "error_body"]


def error_body(
    status: int,
    code: str,
    message: str,
    *,
    context_id: str,
    params: dict[str, str] | None = None,
    details: list[dict[str, str]] | None = None,
    entity_id: str | None = None,
) -> dict[str, Any]:
    """The ErrorBody JSON for one failure; ``contextId`` is the request's ININ-Correlation-Id."""
    body: dict[str, Any] = {
        "message": message,
        "code": code,
        "status": status,
        "messageParams": dict(params or {}),
        "contextId": context_id,
        "details": list(details or []),
        "errors": [],
    }
    if entity_id is not None:
        body["entityId"] = entity_id
    return body


class ApiError(Exception):
    """A request failed the way Genesys would fail it; rendered as ErrorBody with ``headers`` added."""

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
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.params = params
        self.details = details
        self.entity_id = entity_id
        self.headers = headers or {}

    def body(self, context_id: str) -> dict[str, Any]:
        return error_body(
            self.status,
            self.code,
            self.message,
            context_id=context_id,
            params=self.params,
            details=self.details,
            entity_id=self.entity_id,
        )

    @classmethod
    def not_found(cls, what: str, entity_id: str | None = None) -> ApiError:
        return cls(404, "not.found", f"{what} not found", entity_id=entity_id)

    @classmethod
    def bad_request(cls, message: str, field: str | None = None) -> ApiError:
        details = [{"errorCode": "bad.request", "fieldName": field}] if field else None
        return cls(400, "bad.request", message, details=details)


class DroppedConnection(Exception):
    """Raised inside the app to make the server drop the connection without completing the response."""
