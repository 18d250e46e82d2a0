"""How to reach one Genesys Cloud org, and how patient to be with it.

Credentials and region come from the variables Genesys's own CLI and Terraform provider read, so an engineer
who already exported them for ``gc`` or Terraform needs nothing new. The secret is a ``SecretStr``: it
prints as ``**********`` in reprs, logs and tracebacks, and only the token request reads its value.

A replay may use several OAuth clients of the org at once (``genesys.credentials`` reads them, ``genesys.pool``
shares the work): each gets settings of its own (``with_client``), the same but for the credentials.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Literal, TypedDict, Unpack, cast

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from wrapup_bridge.core.version import package_version
from wrapup_bridge.genesys.errors import ConfigurationError
from wrapup_bridge.genesys.regions import Region, UnknownRegionError, resolve_region

if TYPE_CHECKING:
    from wrapup_bridge.genesys.credentials import ClientCredentials

__all__ = [
    "DEFAULT_REGION",
    "ENV_VARS",
    "TRANSPORTS",
    "TRANSPORT_VARIABLE",
    "GenesysOverrides",
    "GenesysSettings",
    "SettingsError",
    "emulator_identity",
]

#: The region Genesys's CLI and Terraform provider assume when GENESYSCLOUD_REGION is unset.
DEFAULT_REGION = "us-east-1"

ENV_VARS = (
    "GENESYSCLOUD_OAUTHCLIENT_ID",
    "GENESYSCLOUD_OAUTHCLIENT_SECRET",
    "GENESYSCLOUD_REGION",
    "GENESYSCLOUD_API_BASE",
    "GENESYSCLOUD_LOGIN_BASE",
)

Seconds = Annotated[float, Field(gt=0)]


class SettingsError(ConfigurationError):
    """The environment does not describe a usable Genesys connection; the message names the variable."""


#: The variable that picks the HTTP transport: ``lean`` (``genesys/transport.py``) or ``httpx`` (httpx's own).
TRANSPORT_VARIABLE = "WRAPUP_BRIDGE_HTTP_TRANSPORT"
#: The values ``TRANSPORT_VARIABLE`` may take.
TRANSPORTS = ("lean", "httpx")


class GenesysOverrides(TypedDict, total=False):
    """``GenesysSettings`` fields a caller may set besides the credentials, the region and the budget (each
    constructor that takes them names ``budget`` on its own): how patient and how fast the client is."""

    connect_timeout: float
    read_timeout: float
    rate_per_minute: float
    rate_safety: float
    token_margin: float
    default_token_lifetime: float
    max_attempts: int
    backoff_initial: float
    backoff_max: float
    reset_slack: float
    user_agent: str | None
    org_rate_per_minute: float | None
    learn_org_rate: bool
    http_transport: Literal["lean", "httpx"] | None


class GenesysSettings(BaseModel):
    """Credentials, region and the client's tuning knobs, with defaults sized for live use.

    ``budget`` is the total time one call may take including every retry and wait (live: 8 s, inside the
    15 s limit of a serverless function; replays pass a larger one per call). ``rate_per_minute`` is the
    client-credentials default of 300 requests per minute per token; the limiter adapts to what the server's
    ``inin-ratelimit-*`` headers say.
    """

    model_config = ConfigDict(frozen=True)

    client_id: str
    client_secret: SecretStr
    region: Region
    budget: Seconds = 8.0
    #: Per attempt; each is also cut to what is left of the call's budget.
    connect_timeout: Seconds = 3.0
    read_timeout: Seconds = 5.0
    rate_per_minute: Annotated[float, Field(gt=0)] = 300.0
    #: Fraction of the allowed rate the limiter aims for; the rest absorbs clock skew and other users of the token.
    rate_safety: Annotated[float, Field(gt=0, le=1)] = 0.97
    #: Renew the token this long before it expires.
    token_margin: Seconds = 60.0
    #: Assumed lifetime when the token response has no ``expires_in`` (an UNSURE field): Genesys's minimum.
    default_token_lifetime: Seconds = 300.0
    max_attempts: Annotated[int, Field(ge=1)] = 10
    backoff_initial: Seconds = 0.25
    backoff_max: Seconds = 4.0
    #: Added to ``inin-ratelimit-reset`` when it is the only hint (whole seconds; Genesys's sample adds 1 s).
    reset_slack: Annotated[float, Field(ge=0)] = 1.0
    user_agent: str | None = None
    #: A ceiling on the requests per minute of every OAuth client of a pool together (None: none). Genesys documents
    #: per-token limits; whether an org-wide one exists is UNSURE (reference §6.3), so it is off unless set.
    org_rate_per_minute: Annotated[float, Field(gt=0)] | None = None
    #: Lower that ceiling from 429s that come while a token still has budget (``ratelimit.RateCap``).
    learn_org_rate: bool = True
    #: The HTTP transport under httpx (``genesys/transport.py``): "lean" or "httpx" (httpx's own); None: lean, or
    #: httpx's own when a proxy is configured. From ``WRAPUP_BRIDGE_HTTP_TRANSPORT`` in ``from_variables``.
    http_transport: Literal["lean", "httpx"] | None = None

    def with_client(self, client: ClientCredentials) -> GenesysSettings:
        """The same settings for another OAuth client of the org (a pool's member)."""
        return self.model_copy(update={"client_id": client.client_id, "client_secret": client.client_secret})

    def identity(self) -> str:
        """What work made with these settings is for: the API base and the OAuth client (not a secret). Queued
        and planned work records it, and is never sent to another identity without a person saying so."""
        return f"genesys {self.region.api_base} client {self.client_id}"

    @classmethod
    def from_variables(
        cls,
        source: Mapping[str, str],
        *,
        budget: float | None = None,
        client: ClientCredentials | None = None,
        **overrides: Unpack[GenesysOverrides],
    ) -> GenesysSettings:
        """Read the ``GENESYSCLOUD_*`` variables of ``source``; raise ``SettingsError`` naming what is missing or
        wrong. ``client``: these credentials instead of the variables' (a credentials file's); ``budget`` (None: the
        default) and ``overrides`` set the other fields. The environment itself is read by
        ``services.settings.Settings`` (``Settings.from_env().genesys()``)."""
        if client is not None:
            client_id, secret = client.client_id, client.client_secret.get_secret_value()
        else:
            client_id = source.get("GENESYSCLOUD_OAUTHCLIENT_ID", "").strip()
            secret = source.get("GENESYSCLOUD_OAUTHCLIENT_SECRET", "")
        missing = [
            name
            for name, value in (
                ("GENESYSCLOUD_OAUTHCLIENT_ID", client_id),
                ("GENESYSCLOUD_OAUTHCLIENT_SECRET", secret.strip()),
            )
            if not value
        ]
        if missing:
            raise SettingsError(
                f"{' and '.join(missing)} not set: create an OAuth client with the Client Credentials grant in "
                "Genesys Cloud (Admin > Integrations > OAuth) and export its id and secret"
            )
        if "http_transport" not in overrides and (transport := source.get(TRANSPORT_VARIABLE, "").strip().lower()):
            if transport not in TRANSPORTS:
                raise SettingsError(
                    f"{TRANSPORT_VARIABLE}={transport!r} is not a transport: use one of {', '.join(TRANSPORTS)} "
                    "(or leave it unset for the default)"
                )
            overrides = {**overrides, "http_transport": cast(Literal["lean", "httpx"], transport)}
        region_value = source.get("GENESYSCLOUD_REGION", "").strip() or DEFAULT_REGION
        api_base = source.get("GENESYSCLOUD_API_BASE", "").strip() or None
        login_base = source.get("GENESYSCLOUD_LOGIN_BASE", "").strip() or None
        try:
            region = resolve_region(api_base) if api_base else resolve_region(region_value)
            region = region.with_bases(login_base=login_base)
        except UnknownRegionError as exc:
            variable = "GENESYSCLOUD_API_BASE" if api_base else "GENESYSCLOUD_REGION"
            raise SettingsError(f"{variable}: {exc}") from None
        if budget is not None:
            return cls(client_id=client_id, client_secret=SecretStr(secret), region=region, budget=budget, **overrides)
        return cls(client_id=client_id, client_secret=SecretStr(secret), region=region, **overrides)

    @property
    def effective_user_agent(self) -> str:
        if self.user_agent:
            return self.user_agent
        return _default_user_agent()


@functools.cache
def _default_user_agent() -> str:
    """``wrapup-bridge/<version>``, the version read once from the package metadata."""
    return f"wrapup-bridge/{package_version()}"


def emulator_identity(org_file: str | os.PathLike[str]) -> str:
    """The identity of work made against the emulator serving ``org_file`` (its absolute path)."""
    from pathlib import Path

    path = Path(org_file)
    return f"emulator {path.resolve() if path.exists() else path}"
