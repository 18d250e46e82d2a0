"""Everything wrapup-bridge reads from the environment, read in this one module.

Every other module takes a ``Settings`` (or values drawn from it), so a test, a Lambda function or an embedding
application can hand in its own mapping of variables instead of patching ``os.environ``; ``tests/services/
test_settings.py`` checks that no other module of the package reads the environment.

Variables (each optional; what is unset keeps its default):

- ``GENESYSCLOUD_OAUTHCLIENT_ID`` / ``GENESYSCLOUD_OAUTHCLIENT_SECRET`` / ``GENESYSCLOUD_REGION`` /
  ``GENESYSCLOUD_API_BASE`` / ``GENESYSCLOUD_LOGIN_BASE``: the Genesys org (the names Genesys's own CLI and
  Terraform provider read). With the client id set, ``auto`` targets mean Genesys; without it, the emulator.
- ``GENESYSCLOUD_OAUTHCLIENT_ID_2`` / ``GENESYSCLOUD_OAUTHCLIENT_SECRET_2``, ``_3``, ...: more OAuth clients of the
  same org, which replays use together (a pool: each token has its own rate limit; docs/oauth-pool.md).
- ``WRAPUP_BRIDGE_OAUTH_CLIENTS``: a credentials file (YAML or JSON: a list of ``{id, secret}``) adding clients to
  that pool (``replay --clients FILE`` names one for a run); with no client id set, its first client is the one.
- ``WRAPUP_BRIDGE_ORG_RATE_LIMIT``: requests per minute that a pool's clients may send together (an org-wide
  ceiling; none by default, and one is learned from 429s that are not a token's own).
- ``WRAPUP_BRIDGE_MAPPING``: mapping table path(s), separated by commas (the live bridge's tables).
- ``WRAPUP_BRIDGE_OUTBOX``: the live outbox file; ``WRAPUP_BRIDGE_BUDGET``: seconds one live apply may take.
- ``TWILIO_AUTH_TOKEN``, ``WRAPUP_BRIDGE_TWILIO_SHARED_KEY``, ``WRAPUP_BRIDGE_FIVE9_SECRET``,
  ``WRAPUP_BRIDGE_API_TOKEN``: the webhook endpoints' secrets (each set turns its endpoint on).
- ``WRAPUP_BRIDGE_PUBLIC_URL``: the base URL Twilio signs requests for.
- ``WRAPUP_BRIDGE_HEADER_TIMEOUT``, ``WRAPUP_BRIDGE_BODY_TIMEOUT``, ``WRAPUP_BRIDGE_KEEP_ALIVE_TIMEOUT`` (seconds)
  and ``WRAPUP_BRIDGE_MAX_CONNECTIONS``: the webhook server's limits on slow and many clients (``serve``'s options
  of the same names win over them).
- ``AWS_LAMBDA_FUNCTION_NAME``: set by AWS Lambda; the default outbox then goes to ``/tmp``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final, Unpack

from wrapup_bridge.core.errors import WrapupBridgeError

if TYPE_CHECKING:
    from wrapup_bridge.genesys.credentials import ClientCredentials
    from wrapup_bridge.genesys.settings import GenesysOverrides, GenesysSettings

__all__ = [
    "CLIENTS_FILE_VARIABLE",
    "DEFAULT_OUTBOX",
    "ORG_RATE_VARIABLE",
    "SECRET_VARIABLES",
    "SERVER_LIMIT_VARIABLES",
    "BadSetting",
    "Settings",
]

DEFAULT_OUTBOX: Final = "wrapup-bridge-outbox.sqlite"
#: A credentials file of OAuth clients for replays (a pool); ``replay --clients FILE`` sets it for one run.
CLIENTS_FILE_VARIABLE: Final = "WRAPUP_BRIDGE_OAUTH_CLIENTS"
#: Requests per minute a pool of OAuth clients may send together (the org-wide ceiling).
ORG_RATE_VARIABLE: Final = "WRAPUP_BRIDGE_ORG_RATE_LIMIT"

#: The webhook endpoints' secrets: keyword of ``live.endpoints.Endpoints`` -> variable.
SECRET_VARIABLES: Final = {
    "twilio_auth_token": "TWILIO_AUTH_TOKEN",
    "twilio_shared_key": "WRAPUP_BRIDGE_TWILIO_SHARED_KEY",
    "five9_secret": "WRAPUP_BRIDGE_FIVE9_SECRET",
    "api_token": "WRAPUP_BRIDGE_API_TOKEN",
}


#: The webhook server's limits: keyword of ``live.server.ServerLimits`` -> variable.
SERVER_LIMIT_VARIABLES: Final = {
    "header_timeout": "WRAPUP_BRIDGE_HEADER_TIMEOUT",
    "body_timeout": "WRAPUP_BRIDGE_BODY_TIMEOUT",
    "keep_alive_timeout": "WRAPUP_BRIDGE_KEEP_ALIVE_TIMEOUT",
    "max_connections": "WRAPUP_BRIDGE_MAX_CONNECTIONS",
}


class BadSetting(WrapupBridgeError, ValueError):
    """A variable is set to something unusable; the message names the variable and what it expects."""


@dataclass(frozen=True)
class Settings:
    """A snapshot of the variables above. ``Settings.from_env()`` reads ``os.environ`` once; ``from_env(mapping)``
    reads the mapping given. Secrets stay out of ``repr``."""

    variables: Mapping[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        source = os.environ if env is None else env
        return cls(dict(source))

    def _get(self, name: str) -> str | None:
        value = self.variables.get(name, "").strip()
        return value or None

    # -- Genesys ---------------------------------------------------------------------------------------------------
    @property
    def has_genesys_credentials(self) -> bool:
        """``GENESYSCLOUD_OAUTHCLIENT_ID`` (or a credentials file, ``WRAPUP_BRIDGE_OAUTH_CLIENTS``) is set: ``auto``
        targets mean Genesys Cloud, not the emulator."""
        return self._get("GENESYSCLOUD_OAUTHCLIENT_ID") is not None or self.clients_file is not None

    @property
    def clients_file(self) -> Path | None:
        """``$WRAPUP_BRIDGE_OAUTH_CLIENTS``: the credentials file of a replay's pool of OAuth clients."""
        value = self._get(CLIENTS_FILE_VARIABLE)
        return Path(value) if value is not None else None

    def with_clients_file(self, path: str | os.PathLike[str] | None) -> Settings:
        """These settings with ``path`` as the credentials file (``replay --clients FILE``); the same when None."""
        if path is None:
            return self
        return Settings({**self.variables, CLIENTS_FILE_VARIABLE: os.fspath(path)})

    @property
    def org_rate_limit(self) -> float | None:
        """``$WRAPUP_BRIDGE_ORG_RATE_LIMIT``: requests per minute a pool may send together; None when unset."""
        text = self._get(ORG_RATE_VARIABLE)
        if text is None:
            return None
        try:
            value = float(text)
        except ValueError:
            raise BadSetting(f"{ORG_RATE_VARIABLE}: {text!r} is not a number of requests per minute") from None
        if not value > 0 or value == float("inf"):
            raise BadSetting(f"{ORG_RATE_VARIABLE}: {text!r} is not a positive number of requests per minute")
        return value

    def oauth_clients(self) -> tuple[ClientCredentials, ...]:
        """Every OAuth client these settings name, in order: ``GENESYSCLOUD_OAUTHCLIENT_ID``/``_SECRET``, the numbered
        pairs (``_2``, ``_3``, ...), then the credentials file's. A client given twice with the same secret counts
        once; with another secret it is an error. ``SettingsError`` names the variable or ``file:line``; () when
        none is set."""
        from wrapup_bridge.genesys.credentials import clients_from_file, clients_from_variables
        from wrapup_bridge.genesys.settings import SettingsError

        listed = list(clients_from_variables(self.variables))
        path = self.clients_file
        if path is not None:
            where = {c.client_id: c for c in listed}
            for client in clients_from_file(path):
                earlier = where.get(client.client_id)
                if earlier is None:
                    listed.append(client)
                    where[client.client_id] = client
                elif earlier.client_secret.get_secret_value() != client.client_secret.get_secret_value():
                    raise SettingsError(
                        f"{client.source}: OAuth client {client.client_id!r} is also {earlier.source}, with another "
                        "secret; keep one"
                    )
        return tuple(listed)

    def _genesys_overrides(self, overrides: GenesysOverrides) -> GenesysOverrides:
        if "org_rate_per_minute" not in overrides and (rate := self.org_rate_limit) is not None:
            return {**overrides, "org_rate_per_minute": rate}
        return overrides

    def genesys(self, *, budget: float | None = None, **overrides: Unpack[GenesysOverrides]) -> GenesysSettings:
        """The Genesys connection these variables describe (``SettingsError`` names what is missing or wrong);
        ``budget`` (None: the default) and ``overrides`` set ``GenesysSettings`` fields (rate_per_minute, ...).
        Without ``GENESYSCLOUD_OAUTHCLIENT_ID``, the credentials file's first client is the one."""
        from wrapup_bridge.genesys.settings import GenesysSettings

        first = None
        if self._get("GENESYSCLOUD_OAUTHCLIENT_ID") is None and self.clients_file is not None:
            first = self.oauth_clients()[0]
        return GenesysSettings.from_variables(
            self.variables, budget=budget, client=first, **self._genesys_overrides(overrides)
        )

    def genesys_pool(
        self, *, budget: float | None = None, **overrides: Unpack[GenesysOverrides]
    ) -> tuple[GenesysSettings, tuple[ClientCredentials, ...]]:
        """The Genesys connection of a replay's pool of OAuth clients: the settings of its first client (region,
        budget, pacing, the org-wide ceiling) and every client (``oauth_clients``; at least the first)."""
        from wrapup_bridge.genesys.credentials import ID_VARIABLE, ClientCredentials
        from wrapup_bridge.genesys.settings import GenesysSettings

        clients = self.oauth_clients()
        settings = GenesysSettings.from_variables(
            self.variables,
            budget=budget,
            client=clients[0] if clients else None,
            **self._genesys_overrides(overrides),
        )
        return settings, clients or (ClientCredentials(settings.client_id, settings.client_secret, ID_VARIABLE),)

    # -- the live bridge -------------------------------------------------------------------------------------------
    @property
    def on_lambda(self) -> bool:
        return self._get("AWS_LAMBDA_FUNCTION_NAME") is not None

    @property
    def outbox(self) -> Path:
        """``$WRAPUP_BRIDGE_OUTBOX``, else ``./wrapup-bridge-outbox.sqlite``; on AWS Lambda (read-only code folder)
        ``/tmp/wrapup-bridge-outbox.sqlite``, which lives only as long as the container: mount EFS for durability."""
        configured = self._get("WRAPUP_BRIDGE_OUTBOX")
        if configured:
            return Path(configured)
        return Path("/tmp") / DEFAULT_OUTBOX if self.on_lambda else Path(DEFAULT_OUTBOX)

    @property
    def mappings(self) -> tuple[str, ...]:
        """``$WRAPUP_BRIDGE_MAPPING`` split at commas; empty when unset (the caller's default applies)."""
        return tuple(part.strip() for part in (self._get("WRAPUP_BRIDGE_MAPPING") or "").split(",") if part.strip())

    def _seconds(self, name: str) -> float | None:
        """``$name`` as a positive, finite number of seconds; None when unset."""
        text = self._get(name)
        if text is None:
            return None
        try:
            value = float(text)
        except ValueError:
            raise BadSetting(f"{name}: {text!r} is not a number of seconds") from None
        if not value > 0 or value == float("inf"):
            raise BadSetting(f"{name}: {text!r} is not a positive number of seconds")
        return value

    def _at_least_one(self, name: str, unit: str) -> int | None:
        """``$name`` as a whole number of ``unit``, at least 1; None when unset."""
        text = self._get(name)
        if text is None:
            return None
        try:
            value = int(text)
        except ValueError:
            raise BadSetting(f"{name}: {text!r} is not a whole number of {unit}") from None
        if value < 1:
            raise BadSetting(f"{name}: {text!r} is less than 1")
        return value

    @property
    def budget(self) -> float | None:
        """``$WRAPUP_BRIDGE_BUDGET`` in seconds, None when unset."""
        return self._seconds("WRAPUP_BRIDGE_BUDGET")

    @property
    def secrets(self) -> dict[str, str | None]:
        """The webhook secrets by ``Endpoints`` keyword, None for each unset."""
        return {name: self.variables.get(var) or None for name, var in SECRET_VARIABLES.items()}

    @property
    def public_url(self) -> str | None:
        return self._get("WRAPUP_BRIDGE_PUBLIC_URL")

    # -- the webhook server's limits (None: unset, the server's default applies) -------------------------------------
    @property
    def header_timeout(self) -> float | None:
        """``$WRAPUP_BRIDGE_HEADER_TIMEOUT``: seconds a client has to send a whole request head."""
        return self._seconds(SERVER_LIMIT_VARIABLES["header_timeout"])

    @property
    def body_timeout(self) -> float | None:
        """``$WRAPUP_BRIDGE_BODY_TIMEOUT``: seconds from a request's head to the end of its body."""
        return self._seconds(SERVER_LIMIT_VARIABLES["body_timeout"])

    @property
    def keep_alive_timeout(self) -> int | None:
        """``$WRAPUP_BRIDGE_KEEP_ALIVE_TIMEOUT``: whole seconds an idle kept-alive connection stays open."""
        return self._at_least_one(SERVER_LIMIT_VARIABLES["keep_alive_timeout"], "seconds")

    @property
    def max_connections(self) -> int | None:
        """``$WRAPUP_BRIDGE_MAX_CONNECTIONS``: connections open at once."""
        return self._at_least_one(SERVER_LIMIT_VARIABLES["max_connections"], "connections")
