"""The two things the live API raises instead of returning an Outcome.

A Genesys answer, however bad, is an ``Outcome``: the caller's code must not need a try/except for a 409. But a
payload that cannot be read is the *caller's* bug (wrong subscription, a broken template, a field renamed in
the legacy platform), and answering it with an Outcome would let it slip by unnoticed; the webhook turns it
into a 400 that names the field. An outbox that cannot be opened is a deployment problem, reported once.

Exceptions::

    PayloadError (ValueError)   the event or disposition could not be read; ``field`` names what
      └── NotADisposition       a well-formed event that carries no disposition (task.created, ...)
    OutboxError (OSError)       the outbox file could not be opened, read or written
"""

from __future__ import annotations

from typing import Any

from wrapup_bridge.core.errors import WrapupBridgeError

__all__ = ["NotADisposition", "OutboxError", "PayloadError"]


class PayloadError(WrapupBridgeError, ValueError):
    """An event or disposition given to the bridge could not be read.

    ``field`` names the offending field (a form parameter, a dotted JSON path, ``conversation_id``) when one
    is to blame; ``where`` says which record ("TaskSid WT..."); ``str()`` combines them for one log line.
    """

    def __init__(self, message: str, *, field: str | None = None, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.where = where

    def __str__(self) -> str:
        parts = [p for p in (self.where, f"field {self.field!r}" if self.field else None) if p]
        return f"{': '.join(parts)}: {self.message}" if parts else self.message

    def to_json_dict(self) -> dict[str, Any]:
        """The body of a 400 answer: what is wrong and which field."""
        return {"error": str(self), "field": self.field}


class NotADisposition(PayloadError):
    """A readable event that carries no disposition; webhooks acknowledge and ignore it."""


class OutboxError(WrapupBridgeError, OSError):
    """The outbox file could not be opened, read or written; the message names the file."""
