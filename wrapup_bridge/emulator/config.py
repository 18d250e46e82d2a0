"""The emulator's behaviour switches.

Several Genesys Cloud behaviours that decide whether a wrap-up write succeeds are UNSURE in every public
source (see reference/genesys-cloud-api.md). The emulator must not pick one answer for them: each gets a switch
here so the tool can be tested against every possibility, and the defaults are the permissive reading.
Faults are seeded so that a failing run can be replayed exactly.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["Burst429", "EmulatorConfig", "FaultConfig"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Burst429(_Strict):
    """A recurring storm of 429s: after every ``every`` requests, the next ``length`` requests are refused."""

    every: int = Field(ge=1, description="Requests served between two bursts")
    length: int = Field(ge=1, description="Consecutive requests refused with 429 in each burst")
    retry_after_seconds: int | None = Field(
        default=1, ge=0, description="Retry-After sent with the burst's 429s; None sends no Retry-After"
    )


class FaultConfig(_Strict):
    """Injected failures for /api/v2 calls (never /oauth/token or /_emulator); the same seed, the same faults."""

    seed: int = 0
    error_5xx_ratio: float = Field(default=0.0, ge=0.0, le=1.0, description="Share of calls answered 500/503")
    burst_429: Burst429 | None = None
    latency_ms: float = Field(default=0.0, ge=0.0, description="Fixed delay added to every call")
    latency_jitter_ms: float = Field(default=0.0, ge=0.0, description="Extra uniform random delay, 0..jitter")
    drop_ratio: float = Field(default=0.0, ge=0.0, le=1.0, description="Share of calls whose connection drops")
    drop_applied_ratio: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Share of dropped calls that were processed (a write applied) before the connection dropped",
    )
    token_ttl_seconds: int | None = Field(
        default=None, ge=1, description="Overrides every OAuth client's token lifetime, to force expiry mid-run"
    )
    analytics_job_failure_ratio: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="Share of async analytics details jobs that end FAILED with an errorMessage instead of "
        "FULFILLED (drawn from the seed and the job id)",
    )

    @property
    def active(self) -> bool:
        """True when any fault can happen; a fault-free emulator skips the random draws entirely."""
        return bool(
            self.error_5xx_ratio or self.burst_429 or self.latency_ms or self.latency_jitter_ms or self.drop_ratio
        )


class EmulatorConfig(_Strict):
    """One switch per UNSURE Genesys rule, plus rate limiting and faults."""

    queue_codes_enforced: bool = Field(
        default=True, description="A written code must be assigned to the participant's queue"
    )
    late_write_window_seconds: float | None = Field(
        default=None,
        ge=0.0,
        description="None: writes accepted any time after the conversation (or the agent's ACW) ended; "
        "a number: writes rejected once that many seconds have passed since then",
    )
    overwrite: Literal["allow", "reject"] = Field(
        default="allow", description="allow: a second code replaces the first; reject: a different code is refused"
    )
    system_code_overwrite: Literal["allow", "reject"] = Field(
        default="allow",
        description="allow: a wrap-up replaces a code Genesys stamped itself (ININ-WRAP-UP-TIMEOUT, ...); reject: "
        "refused with the rejection status",
    )
    rejection_status: Literal[400, 409, 422] = Field(default=400, description="HTTP status of wrap-up rule rejections")
    client_credentials_may_wrapup: bool = Field(
        default=True, description="False: wrap-up writes with a client-credentials token get 403"
    )
    division_access_enforced: bool = Field(
        default=True,
        description="A client limited to some divisions may not see or apply codes of other divisions",
    )
    analytics_session_is_communication: bool = Field(
        default=True, description="Analytics sessionId equals the conversation API's communication id"
    )
    analytics_lag_seconds: float = Field(
        default=0.0, ge=0.0, description="How long an accepted write takes to show in analytics"
    )
    analytics_max_ids: int | None = Field(
        default=100, ge=1, description="Most ids one GET analytics/conversations/details accepts (400 beyond)"
    )
    analytics_query_max_page_size: int = Field(
        default=100,
        ge=25,
        description="UNSURE: the largest paging.pageSize the details query accepts (400 beyond); public callers use 100",
    )
    analytics_query_max_interval_days: float | None = Field(
        default=None,
        gt=0,
        description="UNSURE: the longest interval the details query accepts, in days (400 beyond); None: no limit",
    )
    analytics_interval_match: Literal["start_day", "overlap"] = Field(
        default="start_day",
        description="Which conversations a details query's interval selects: start_day, those that started on a "
        "day the interval touches (the SDK's ConversationQuery.interval doc); overlap, those active during it "
        "(the async AsyncConversationQuery.interval doc)",
    )
    analytics_job_queued_seconds: float = Field(
        default=0.0,
        ge=0.0,
        description="UNSURE: how long an async details job is QUEUED before it is PENDING (the SDK's "
        "AsyncQueryStatus.state has both; their durations are not documented)",
    )
    analytics_job_seconds: float = Field(
        default=0.0,
        ge=0.0,
        description="UNSURE: how long an async details job stays PENDING (after QUEUED) before it is FULFILLED",
    )
    analytics_job_lifetime_seconds: float | None = Field(
        default=86_400.0,
        gt=0.0,
        description="UNSURE: how long a completed async details job's results last (its status's expirationDate "
        "is its completion plus this) before the job is EXPIRED; None: never (and no expirationDate)",
    )
    analytics_job_expired_status: Literal[400, 404] = Field(
        default=400,
        description="UNSURE: the status of the results of an EXPIRED job (400 bad.request as for any job not "
        "FULFILLED, or 404 not.found)",
    )
    analytics_job_deleted: Literal["cancelled", "not_found"] = Field(
        default="cancelled",
        description="UNSURE: what a job answers after DELETE: its status says CANCELLED (results 400), or every "
        "call about it is a 404",
    )
    analytics_job_delete_status: Literal[200, 202, 204] = Field(
        default=204,
        description="UNSURE: the status of DELETE .../details/jobs/{jobId} (no body; the SDK returns None)",
    )
    analytics_data_availability_lag_seconds: float = Field(
        default=0.0,
        ge=0.0,
        description="UNSURE: how far the data lake's dataAvailabilityDate (GET .../details/jobs/availability, and "
        "a job's results) is behind the emulator's time",
    )
    analytics_job_default_page_size: int = Field(
        default=100, ge=1, description="UNSURE: the results page size of an async details job when none is asked"
    )
    analytics_job_max_page_size: int = Field(
        default=1000, ge=1, description="UNSURE: the largest results pageSize of an async details job (400 beyond)"
    )
    unset_wrapup_get: Literal["empty", "not_found"] = Field(
        default="empty", description="What GET .../wrapup answers when no wrap-up is set: 200 {} or 404"
    )
    retry_after_on_429: bool = Field(default=True, description="Rate-limit 429s carry a Retry-After header")
    expired_token_code: Literal["bad.credentials", "credentials.expired"] = Field(
        default="bad.credentials", description="Error code of the 401 for an expired token"
    )
    token_error_status: Literal[400, 401] = Field(
        default=400,
        description="HTTP status of the login host's invalid_client answer (the body is OAuth's error shape)",
    )
    rate_limit: int | None = Field(
        default=300, ge=1, description="Requests allowed per token per window; None disables rate limiting"
    )
    rate_window_seconds: float = Field(default=60.0, gt=0.0)
    org_rate_limit: int | None = Field(
        default=None,
        ge=1,
        description="UNSURE: requests allowed per window across every token of the org (429 beyond); None: no "
        "org-wide limit, as a Genesys community answer says (the limit is per token)",
    )
    org_rate_window_seconds: float = Field(default=60.0, gt=0.0, description="Length of the org-wide window")
    org_rate_limit_headers: Literal["token", "org"] = Field(
        default="token",
        description="UNSURE: the inin-ratelimit-* headers of an org-limit 429: the token's own (showing budget "
        "left; none when tokens are not limited) or the org window's count, allowance and reset",
    )
    max_page_size: int = Field(default=500, ge=1, description="Largest pageSize accepted by listing endpoints")
    # PUT /api/v2/outbound/wrapupcodemappings (emulator/outbound.py; docs/reference-outbound.md §1.4, §5)
    outbound_version_conflict_status: Literal[409, 400] = Field(
        default=409,
        description="UNSURE: the status of a PUT whose version is not the current one: 409 conflict ('Unexpected "
        "version was provided') or 400 ('does not match the current version')",
    )
    outbound_put: Literal["replace", "merge"] = Field(
        default="replace",
        description="UNSURE: whether a PUT replaces the whole mapping (entries it leaves out are gone) or merges the "
        "entries it carries into the org's",
    )
    outbound_unknown_codes: Literal["accept", "reject"] = Field(
        default="accept", description="UNSURE: whether a PUT may map a code id the org does not have (reject: 400)"
    )
    outbound_flag_case: Literal["any", "upper"] = Field(
        default="any",
        description="UNSURE: whether flags are accepted in any case (Right_Party_Contact, as the Terraform provider "
        "writes them) or only UPPER_SNAKE",
    )
    outbound_flag_echo: Literal["as_written", "upper"] = Field(
        default="as_written", description="UNSURE: how GET spells the flags: as they were written, or UPPER_SNAKE"
    )
    outbound_business_flags: Literal["any", "one"] = Field(
        default="any", description="UNSURE: whether a code may carry two BUSINESS_* flags (one: 400)"
    )
    faults: FaultConfig = FaultConfig()

    @model_validator(mode="after")
    def _page_size_fits_defaults(self) -> EmulatorConfig:
        if self.max_page_size < 25:
            raise ValueError("max_page_size must be at least 25, the default page size of every listing")
        return self
