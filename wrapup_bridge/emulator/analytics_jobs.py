"""The async conversation details jobs: create, poll, page through results, cancel, and the data lake's date.

A job's life is a function of the emulator's clock: ``QUEUED`` for ``analytics_job_queued_seconds``, then
``PENDING`` for ``analytics_job_seconds``, then ``FULFILLED`` (or ``FAILED`` when the seeded fault
``faults.analytics_job_failure_ratio`` picks it), then ``EXPIRED`` once ``analytics_job_lifetime_seconds`` have
passed since it completed. ``DELETE`` cancels it. The states and the status fields are the SDK's
(``AsyncQueryStatus``: ``state`` QUEUED/PENDING/FAILED/CANCELLED/FULFILLED/EXPIRED, ``errorMessage``,
``expirationDate``, ``submissionDate``, ``completionDate``); how long each lasts, what DELETE answers and what a
cancelled or expired job's calls answer are UNSURE, so each is a switch (docs/emulator.md).

The selection is made when the job is created ("all conversations that had activity during the interval", the
SDK's AsyncConversationQuery.interval doc); results render the conversations when they are read, with their
participants' ``attributes`` (AnalyticsConversation, not the query's ...WithoutAttributes).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from wrapup_bridge.emulator.analytics import analytics_conversation
from wrapup_bridge.emulator.analytics_query import check_keys, select
from wrapup_bridge.emulator.errors import ApiError
from wrapup_bridge.emulator.gateway import Call
from wrapup_bridge.emulator.picked import Picked
from wrapup_bridge.emulator.render import iso
from wrapup_bridge.emulator.runtime import Runtime
from wrapup_bridge.emulator.state import derive_id

__all__ = [
    "FAILED_MESSAGE",
    "DetailsJob",
    "delete_details_job",
    "get_details_job",
    "get_details_job_results",
    "get_details_jobs_availability",
    "post_details_job",
]

#: AsyncConversationQuery's fields (SDK attribute_map): no paging; ``limit`` caps the results.
_JOB_KEYS = frozenset(
    {"interval", "order", "orderBy", "conversationFilters", "segmentFilters", "limit", "startOfDayIntervalMatching"}
)
#: The errorMessage of a job the fault switch failed (the emulator's own words; Genesys's are UNSURE).
FAILED_MESSAGE = "Emulated failure (faults.analytics_job_failure_ratio): the query could not be completed"


@dataclass
class DetailsJob:
    """One async details job: what it selected and the times its state follows from."""

    id: str
    #: What it selected, looked up when its results are read.
    picked: Picked
    submitted: float
    #: When it completes (FULFILLED or FAILED): submission + queued + pending time, fixed at creation.
    completes: float
    fails: bool
    #: The data lake's date when it was submitted (the results' dataAvailabilityDate).
    available: datetime
    #: Emulator time of its DELETE; None while not deleted.
    deleted: float | None = None

    def state(self, now: float, rt: Runtime) -> str:
        config = rt.config
        if self.deleted is not None:
            return "CANCELLED"
        if now < self.submitted + config.analytics_job_queued_seconds:
            return "QUEUED"
        if now < self.completes:
            return "PENDING"
        if self.fails:
            return "FAILED"
        lifetime = config.analytics_job_lifetime_seconds
        return "EXPIRED" if lifetime is not None and now >= self.completes + lifetime else "FULFILLED"


def _when(seconds: float) -> str:
    return iso(datetime.fromtimestamp(seconds, UTC))


def _availability(rt: Runtime) -> datetime:
    return rt.now() - timedelta(seconds=rt.config.analytics_data_availability_lag_seconds)


def _fails(rt: Runtime, job_id: str) -> bool:
    """The seeded failure draw of one job: the same seed and job id always decide the same way, and no draw of
    the per-call fault sequence is used up (faults.py)."""
    ratio = rt.config.faults.analytics_job_failure_ratio
    return ratio > 0 and random.Random(f"{rt.config.faults.seed}:{job_id}").random() < ratio


async def post_details_job(call: Call) -> tuple[int, Any]:
    """POST /api/v2/analytics/conversations/details/jobs (AsyncConversationQuery) -> 202 ``{jobId}``."""
    rt = call.runtime
    body = check_keys(await call.json_body(), _JOB_KEYS, "AsyncConversationQuery")
    limit = body.get("limit")
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise ApiError.bad_request("limit must be a positive integer", field="limit")
    start_of_day = body.get("startOfDayIntervalMatching", False)
    if not isinstance(start_of_day, bool):
        raise ApiError.bad_request("startOfDayIntervalMatching must be a boolean", field="startOfDayIntervalMatching")
    picked = select(call, body, "overlap", start_of_day).head(limit)
    now = rt.time()
    config = rt.config
    with rt.lock:
        jobs = rt.analytics.jobs
        job_id = derive_id("analytics-details-job", len(jobs), repr(now))
        jobs[job_id] = DetailsJob(
            id=job_id,
            picked=picked,
            submitted=now,
            completes=now + config.analytics_job_queued_seconds + config.analytics_job_seconds,
            fails=_fails(rt, job_id),
            available=_availability(rt),
        )
    return 202, {"jobId": job_id}


def _job(call: Call) -> DetailsJob:
    rt = call.runtime
    job_id = call.params["jobId"]
    job: DetailsJob | None = rt.analytics.jobs.get(job_id.lower())
    if job is None or (job.deleted is not None and rt.config.analytics_job_deleted == "not_found"):
        raise ApiError.not_found(f"Analytics details job {job_id}", job_id)
    return job


async def get_details_job(call: Call) -> tuple[int, Any]:
    """GET .../details/jobs/{jobId} -> AsyncQueryStatus."""
    rt = call.runtime
    job = _job(call)
    state = job.state(rt.time(), rt)
    out: dict[str, Any] = {"state": state}
    if state == "FAILED":
        out["errorMessage"] = FAILED_MESSAGE
    lifetime = rt.config.analytics_job_lifetime_seconds
    if state in ("FULFILLED", "EXPIRED") and lifetime is not None:
        out["expirationDate"] = _when(job.completes + lifetime)
    out["submissionDate"] = _when(job.submitted)
    if state in ("FULFILLED", "FAILED", "EXPIRED"):
        out["completionDate"] = _when(job.completes)
    return 200, out


async def get_details_job_results(call: Call) -> tuple[int, Any]:
    """GET .../details/jobs/{jobId}/results?cursor=&pageSize= -> AnalyticsConversationAsyncQueryResponse.

    The cursor is the emulator's own opaque text; the last page carries none."""
    rt = call.runtime
    job = _job(call)
    state = job.state(rt.time(), rt)
    if state == "EXPIRED":
        status = rt.config.analytics_job_expired_status
        message = f"Analytics details job {job.id} has EXPIRED: its results are gone; run the query again"
        if status == 404:
            raise ApiError(404, "not.found", message, entity_id=job.id)
        raise ApiError.bad_request(message, field="jobId")
    if state != "FULFILLED":
        raise ApiError.bad_request(f"Analytics details job {job.id} is {state}, not FULFILLED", field="jobId")
    query = call.request.query_params
    raw_size = query.get("pageSize")
    most = rt.config.analytics_job_max_page_size
    try:
        page_size = int(raw_size) if raw_size is not None else rt.config.analytics_job_default_page_size
    except ValueError:
        page_size = 0
    if not 1 <= page_size <= most:
        raise ApiError.bad_request(f"pageSize must be 1..{most}", field="pageSize")
    cursor = query.get("cursor")
    first = 0
    if cursor is not None:
        prefix = f"{job.id}:"
        if not cursor.startswith(prefix) or not cursor[len(prefix) :].isdigit():
            raise ApiError.bad_request(f"Unknown cursor {cursor!r}", field="cursor")
        first = int(cursor[len(prefix) :])
    conversations = [analytics_conversation(rt, c, attributes=True) for c in job.picked.page(first, page_size)]
    out: dict[str, Any] = {}
    if conversations:
        out["conversations"] = conversations
    if first + page_size < len(job.picked):
        out["cursor"] = f"{job.id}:{first + page_size}"
    out["dataAvailabilityDate"] = iso(job.available)
    return 200, out


async def delete_details_job(call: Call) -> tuple[int, Any]:
    """DELETE .../details/jobs/{jobId} ("Delete/cancel an async details job", the SDK): no body.

    Afterwards the job answers state CANCELLED, or 404 (``analytics_job_deleted``)."""
    rt = call.runtime
    job = _job(call)
    with rt.lock:
        if job.deleted is None:
            job.deleted = rt.time()
    return rt.config.analytics_job_delete_status, None


async def get_details_jobs_availability(call: Call) -> tuple[int, Any]:
    """GET .../details/jobs/availability -> DataAvailabilityResponse: "Date and time before which data is
    guaranteed to be available in the datalake" (the SDK), the emulator's time less
    ``analytics_data_availability_lag_seconds``."""
    return 200, {"dataAvailabilityDate": iso(_availability(call.runtime))}
