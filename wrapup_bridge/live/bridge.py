"""``Bridge``: one call that does the right Genesys thing with a legacy disposition, inside a serverless budget.

This is the drop-in for code that used to set ``conversations.outcome`` on a Twilio task (or answer a Five9
web connector): the adapter reads the event, the mapping table decides the Genesys code, the sink applies it
to the right participant, and the caller gets one ``Outcome`` back.

What the caller can rely on:

- **Never an exception for a Genesys answer.** Rejections, conflicts, missing conversations and outages are
  Outcomes. Only input the bridge cannot read raises (``PayloadError``, naming the field): that is the
  caller's bug and must be loud; the webhook turns it into a 400.
- **A time budget** (default 8 s: inside Twilio Functions' 10 s and Genesys function data actions' 15 s)
  bounds the whole call, outbox writes included.
- **Nothing lost, nothing applied twice.** With an outbox, every disposition that has a write to make is
  committed to it before the first Genesys request and marked after (see ``outbox``). When the budget runs out
  or Genesys is unavailable, the Outcome is ``queued`` with the outbox row id and a drain delivers it later; a
  drain re-reads the participant before writing, so a write that landed is never repeated. Dispositions a
  person must look at (unmapped, no conversation id, rejected, conflict) end as ``dead`` rows that
  ``wrapup-bridge outbox list`` shows. Without an outbox, a failure is returned as ``failed``.
- **Sync and async alike.** ``apply``/``apply_event`` block; ``aapply``/``aapply_event`` await. Both run the
  Genesys client on the bridge's private event loop (``loop.LoopThread``), so one token, one connection pool
  and one rate limiter serve every caller: a blocking call runs that loop in its own thread when no other call
  is running it, else hands its work to the thread that is. Outbox writes happen in a blocking caller's own
  thread (it waits anyway) and, for async callers, on one outbox thread, never on an event loop.
- **A light import.** Mapping tables load when the bridge is built; the HTTP client, adapters and the outbox's
  SQLite load on first use.
"""

from __future__ import annotations

import enum
import functools
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, TypeVar, Unpack

from pydantic import ValidationError

from wrapup_bridge.core.decision import Decision, DecisionKind
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.outcome import Outcome, OutcomeKind
from wrapup_bridge.live.defaults import DEFAULT_BUDGET, DEFAULT_MAPPING
from wrapup_bridge.live.errors import NotADisposition, OutboxError, PayloadError
from wrapup_bridge.live.loop import LoopThread
from wrapup_bridge.services.target import DEMO_CLIENT

if TYPE_CHECKING:
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    from wrapup_bridge.adapters.base import Adapter
    from wrapup_bridge.core.mapping import MappingTable
    from wrapup_bridge.emulator import Emulator, EmulatorConfig
    from wrapup_bridge.genesys.http import GenesysClient
    from wrapup_bridge.genesys.settings import GenesysOverrides, GenesysSettings
    from wrapup_bridge.genesys.sink import ApplyOptions, GenesysSink
    from wrapup_bridge.live.outbox import Accepted, Outbox, OutboxRow
    from wrapup_bridge.live.outcomes import BridgeOutcome, DrainReport
    from wrapup_bridge.services.target import Target

__all__ = [
    "DEFAULT",
    "DEFAULT_BUDGET",
    "DEFAULT_MAPPING",
    "Bridge",
    "BridgeOutcome",
    "DrainReport",
    "MappingSource",
    "OutboxSource",
]


def _log_error(message: str, *args: object) -> None:
    """Log on ``wrapup_bridge.live`` (errors only, so ``logging`` loads on the first one, not on a cold start)."""
    import logging

    logging.getLogger("wrapup_bridge.live").error(message, *args)


def __getattr__(name: str) -> Any:
    """``BridgeOutcome`` and ``DrainReport`` (in ``__all__``) load with their module on first use: building a bridge
    does not need them, its first apply does."""
    if name in ("BridgeOutcome", "DrainReport"):
        from wrapup_bridge.live import outcomes

        return getattr(outcomes, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: An outbox lease outlives the budget by this much, so a slow-but-alive apply is never taken over by a drain.
LEASE_MARGIN = 30.0
_DRAIN_BATCH = 50

T = TypeVar("T")


class _Default(enum.Enum):
    """Marks "not given" where None has a meaning of its own (``outbox=None``: no outbox). One enum member, so a
    type checker narrows ``outbox is DEFAULT`` as it does ``is None``."""

    DEFAULT = "DEFAULT"

    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT: Final = _Default.DEFAULT

#: Mapping tables for a bridge: a loaded table, a table file, several of either (one per platform), or None (none).
MappingSource: TypeAlias = (
    "MappingTable | str | os.PathLike[str] | Sequence[MappingTable | str | os.PathLike[str]] | None"
)
#: An outbox for a bridge: one already built, its file, or None (no outbox: a failure is returned as failed).
OutboxSource: TypeAlias = "Outbox | str | os.PathLike[str] | None"


def _load_tables(mapping: MappingSource) -> dict[str | None, MappingTable]:
    """Tables by the platform they read (``source.platform``); a table without one serves every source."""
    if mapping is None:
        return {}
    from wrapup_bridge.core.mapping import MappingTable, load_mapping

    items = [mapping] if isinstance(mapping, str | os.PathLike | MappingTable) else list(mapping)
    tables: dict[str | None, MappingTable] = {}
    for item in items:
        table = item if isinstance(item, MappingTable) else load_mapping(Path(item))
        platform = table.source.platform if table.source is not None else None
        if platform in tables:
            raise ValueError(
                f"two mapping tables for {platform or 'every source'}: {tables[platform].name} and {table.name}"
            )
        tables[platform] = table
    return tables


def _client(settings: GenesysSettings, transport: httpx.AsyncBaseTransport | None = None) -> GenesysClient:
    """A client that sends a live burst at once instead of spreading it like a replay (``RateLimiter`` pacing)."""
    from wrapup_bridge.genesys.http import GenesysClient
    from wrapup_bridge.genesys.ratelimit import RateLimiter

    limiter = RateLimiter(
        rate_per_minute=settings.rate_per_minute,
        safety=settings.rate_safety,
        reset_slack=settings.reset_slack,
        pacing="burst",
    )
    return GenesysClient(settings, transport=transport, limiter=limiter)


def _with_conversation_id(disposition: Disposition, conversation_id: str) -> Disposition:
    try:
        return Disposition.model_validate({**disposition.model_dump(), "conversation_id": conversation_id})
    except ValidationError as exc:
        message = exc.errors()[0]["msg"] if exc.errors() else str(exc)
        raise PayloadError(
            message, field="conversation_id", where=f"{disposition.source} {disposition.source_id}"
        ) from None


class Bridge:
    """Applies legacy dispositions to Genesys Cloud (or the emulator) live; see the module docstring.

    Build one per process with ``from_env`` (production) or ``for_emulator`` (tests, demos) and share it: it is
    thread-safe and async-safe. ``close()`` (or ``with``) stops its event loop and closes the outbox.
    """

    def __init__(
        self,
        mapping: MappingSource = None,
        *,
        client_factory: Callable[[], GenesysClient],
        outbox: OutboxSource = None,
        budget: float = DEFAULT_BUDGET,
        options: ApplyOptions | None = None,
        agent_directory: Mapping[str, str] | None = None,
        description: str = "Genesys Cloud",
        emulator: Emulator | None = None,
        max_concurrency: int = 16,
        target: str | None = None,
    ) -> None:
        if budget <= 0:
            raise ValueError(f"budget must be positive, got {budget!r}")
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be at least 1, got {max_concurrency!r}")
        self.tables = _load_tables(mapping)
        self.budget = float(budget)
        self.options = options
        # The tables' agent directories (reviewed with the tables), then what the caller passes.
        self.agent_directory = {k: v for t in self.tables.values() for k, v in t.agents.items()}
        self.agent_directory.update(agent_directory or {})
        self.description = description
        #: What this bridge writes to, as outbox rows record it (``genesys <api base> client <id>``, ``emulator
        #: <org file>``): rows queued for another target are never drained here. None: rows record none.
        self.target = target
        #: The in-process emulator behind this bridge (``for_emulator``), for reading its write log.
        self.emulator = emulator
        self._client_factory = client_factory
        self._outbox_spec = outbox
        self._outbox: Outbox | None = None
        self._lock = threading.Lock()  # guards the lazily built outbox and its thread
        self._runner = LoopThread()
        self._sink: GenesysSink | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._adapters: dict[tuple[str, str | None, bool], Adapter] = {}
        #: Deliveries talking to Genesys at once. The org allows ~300 requests/minute per token, so more would only
        #: queue inside the HTTP connection pool, whose bookkeeping grows with the queue; waiting here counts
        #: against each call's budget like any other wait.
        self.max_concurrency = max_concurrency
        self._slots: asyncio.Semaphore | None = None

    # -- construction ---------------------------------------------------------------------------------------------
    @classmethod
    def for_target(
        cls,
        target: Target,
        mapping: MappingSource = DEFAULT_MAPPING,
        *,
        outbox: OutboxSource = None,
        budget: float = DEFAULT_BUDGET,
        options: ApplyOptions | None = None,
        agent_directory: Mapping[str, str] | None = None,
    ) -> Bridge:
        """A bridge to a target built by ``services.target.build_target`` (Genesys or the emulator)."""
        settings = target.settings

        def factory() -> GenesysClient:
            return _client(settings, target.transport())

        return cls(
            mapping,
            client_factory=factory,
            outbox=outbox,
            budget=budget,
            options=options,
            agent_directory=agent_directory,
            description=target.description,
            emulator=target.emulator,
            target=target.identity,
        )

    @classmethod
    def from_env(
        cls,
        mapping: MappingSource = DEFAULT_MAPPING,
        *,
        outbox: OutboxSource | Literal[_Default.DEFAULT] = DEFAULT,
        budget: float = DEFAULT_BUDGET,
        options: ApplyOptions | None = None,
        env: Mapping[str, str] | None = None,
        agent_directory: Mapping[str, str] | None = None,
        **settings: Unpack[GenesysOverrides],
    ) -> Bridge:
        """A bridge to the org of the ``GENESYSCLOUD_*`` variables (``SettingsError`` names what is missing), read
        from ``env`` when given, else from the process environment (through ``services.settings.Settings``).

        ``outbox`` defaults to ``$WRAPUP_BRIDGE_OUTBOX`` or ``./wrapup-bridge-outbox.sqlite``; ``None`` turns it
        off. ``settings`` override ``GenesysSettings`` fields (``rate_per_minute``, ``read_timeout``, ...).
        """
        from wrapup_bridge.services.settings import Settings
        from wrapup_bridge.services.target import build_target

        environment = Settings.from_env(env)
        target = build_target("genesys", settings=environment, budget=budget, **settings)
        if outbox is DEFAULT:
            outbox = environment.outbox
        return cls.for_target(
            target, mapping, outbox=outbox, budget=budget, options=options, agent_directory=agent_directory
        )

    @classmethod
    def for_emulator(
        cls,
        org_file: str | os.PathLike[str] | Emulator | None = None,
        mapping: MappingSource = DEFAULT_MAPPING,
        *,
        config: EmulatorConfig | None = None,
        outbox: OutboxSource = None,
        budget: float = DEFAULT_BUDGET,
        options: ApplyOptions | None = None,
        client_id: str = DEMO_CLIENT,
        agent_directory: Mapping[str, str] | None = None,
        **settings: Unpack[GenesysOverrides],
    ) -> Bridge:
        """A bridge to an in-process emulator of ``org_file`` (no socket; the shipped demo org when None), or to
        the ``Emulator`` given (tests that control its clock or sleep); ``bridge.emulator`` is that emulator."""
        from wrapup_bridge.services.target import build_target

        target = build_target("emulator", org_file, config=config, client_id=client_id, budget=budget, **settings)
        return cls.for_target(
            target, mapping, outbox=outbox, budget=budget, options=options, agent_directory=agent_directory
        )

    # -- resources ------------------------------------------------------------------------------------------------
    @property
    def outbox(self) -> Outbox | None:
        """The outbox (its file opens on first use), or None when this bridge has none."""
        if self._outbox is None and self._outbox_spec is not None:
            from wrapup_bridge.live.outbox import Outbox

            with self._lock:
                if self._outbox is None:
                    spec = self._outbox_spec
                    self._outbox = spec if isinstance(spec, Outbox) else Outbox(spec, target=self.target)
                    if self._outbox.target is None:
                        self._outbox.target = self.target
        return self._outbox

    @property
    def lease_seconds(self) -> float:
        return self.budget + LEASE_MARGIN

    async def _get_sink(self) -> GenesysSink:
        if self._sink is None:
            from wrapup_bridge.genesys.sink import ApplyOptions, GenesysSink

            options = self.options or ApplyOptions()
            self._sink = GenesysSink(self._client_factory(), options=options, agent_directory=self.agent_directory)
        return self._sink

    async def _in_outbox_thread(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """SQLite calls (an fsync each) run on one worker thread, off the loop that carries Genesys traffic."""
        import asyncio
        from concurrent.futures import ThreadPoolExecutor

        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wrapup-bridge-outbox")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(func, *args, **kwargs))

    def close(self) -> None:
        """Close the HTTP client, stop the event loop (and its thread), close the outbox. Idempotent."""
        sink, self._sink = self._sink, None
        self._runner.close(sink.client.aclose() if sink is not None else None)
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        if self._outbox is not None:
            self._outbox.close()

    def __enter__(self) -> Bridge:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        tables = ", ".join(t.name for t in self.tables.values()) or "no mapping"
        return f"Bridge({self.description}; {tables}; outbox {self._outbox_spec!s}; budget {self.budget:g} s)"

    # -- reading events -------------------------------------------------------------------------------------------
    def table_for(self, source: str) -> MappingTable | None:
        return self.tables.get(source) or self.tables.get(None)

    def to_disposition(
        self,
        source: str,
        payload: Mapping[str, Any],
        conversation_id: str | None = None,
        *,
        format: str | None = None,
        ref: str = "payload",
    ) -> Disposition:
        """Read one legacy event with ``source``'s adapter; raise ``PayloadError`` naming the field when it cannot.

        The mapping table's ``source:`` settings apply (its ``conversation_id`` path only when its ``format`` is
        unset or equals ``format``: a Call Log column means nothing in a web-connector payload). A non-blank
        ``conversation_id`` replaces the one the record carries.
        """
        from wrapup_bridge.adapters import AdapterError, AdapterOptionError, get_adapter
        from wrapup_bridge.services.inputs import adapter_options

        table = self.table_for(source)
        spec = table.source if table is not None else None
        fmt = format or (spec.format if spec is not None else None)
        # The table describes its own format's payloads: its field map and conversation id place mean nothing
        # for another format (a Call Log column in a web-connector payload).
        applies = spec is not None and spec.format in (None, fmt)
        key = (source, fmt, applies)
        adapter = self._adapters.get(key)
        if adapter is None:
            try:
                # The table's source: section under the event's format, as every job that reads records builds it.
                options = adapter_options(table if applies else None, format=fmt)
                adapter = get_adapter(source, options)
            except ValueError as exc:  # OptionError included
                raise PayloadError(str(exc), field="source") from None
            self._adapters[key] = adapter
        try:
            disposition = adapter.from_payload(payload, ref=ref)
        except AdapterOptionError as exc:
            # The table's source: settings were written for another format than this payload turned out to be.
            raise PayloadError(
                f"the mapping table's source settings do not fit this payload's format: {exc}", field="format"
            ) from None
        except AdapterError as exc:
            # NoDisposition (Twilio's task.created and the like) carries the key it would be counted under.
            error_class = NotADisposition if getattr(exc, "skip_key", None) is not None else PayloadError
            raise error_class(exc.message, field=exc.field, where=exc.record) from None
        if conversation_id is not None and conversation_id.strip():
            disposition = _with_conversation_id(disposition, conversation_id.strip())
        return disposition

    def decide(self, disposition: Disposition) -> Decision:
        """The mapping table's decision for ``disposition`` (unmapped, naming the sources that have a table, when
        no table reads its source)."""
        table = self.table_for(disposition.source)
        if table is None:
            known = ", ".join(sorted(str(k) for k in self.tables)) or "none"
            return Decision(
                kind=DecisionKind.UNMAPPED,
                reason=f"no mapping table for source {disposition.source!r} is loaded (tables for: {known})",
            )
        return table.resolve(disposition)

    # -- applying -------------------------------------------------------------------------------------------------
    # Sync callers do the outbox writes in their own thread (they are waiting anyway) and run the private loop
    # (or hand over to whoever runs it) only for the Genesys calls; async callers hand the writes to the outbox
    # thread, off their event loop.
    def apply(self, disposition: Disposition) -> BridgeOutcome:
        """Decide and apply one disposition within the budget; see the module docstring for the guarantees."""
        self._check_open()
        started = time.monotonic()
        decision, early = self._early(disposition)
        if early is not None:
            return self._dead_letter_now(early)
        accepted, warning = self._accept_now(disposition, decision)
        if accepted is not None and accepted.duplicate:
            from wrapup_bridge.live.outcomes import in_progress

            return in_progress(disposition, decision, accepted.id)
        remaining = self.budget - (time.monotonic() - started)
        outcome = self._runner.run(self._deliver(disposition, decision, remaining))
        return self._settle_now(accepted.id if accepted is not None else None, outcome, warning)

    async def aapply(self, disposition: Disposition) -> BridgeOutcome:
        """``apply`` for async callers (any event loop). The mapping runs on a worker thread: however large the
        table or long the value, the caller's loop (a webhook server's, with its health check) never waits on it."""
        import asyncio

        self._check_open()
        started = time.monotonic()
        decision, early = await asyncio.to_thread(self._early, disposition)
        return await self._aapply_decided(disposition, decision, early, started)

    async def _aapply_decided(
        self, disposition: Disposition, decision: Decision, early: Outcome | None, started: float
    ) -> BridgeOutcome:
        if early is not None:
            return await self._in_outbox_thread(self._dead_letter_now, early)
        accepted, warning = await self._in_outbox_thread(self._accept_now, disposition, decision)
        if accepted is not None and accepted.duplicate:
            from wrapup_bridge.live.outcomes import in_progress

            return in_progress(disposition, decision, accepted.id)
        remaining = self.budget - (time.monotonic() - started)
        outcome = await self._runner.arun(self._deliver(disposition, decision, remaining))
        row_id = accepted.id if accepted is not None else None
        return await self._in_outbox_thread(self._settle_now, row_id, outcome, warning)

    def apply_event(
        self,
        source: str,
        payload: Mapping[str, Any],
        conversation_id: str | None = None,
        *,
        format: str | None = None,
    ) -> BridgeOutcome:
        """Read a legacy event (``PayloadError`` when unreadable), then ``apply`` it."""
        return self.apply(self.to_disposition(source, payload, conversation_id, format=format))

    async def aapply_event(
        self,
        source: str,
        payload: Mapping[str, Any],
        conversation_id: str | None = None,
        *,
        format: str | None = None,
    ) -> BridgeOutcome:
        """``apply_event`` for async callers; reading the event and the mapping run on a worker thread, off the
        caller's loop."""
        import asyncio

        self._check_open()
        started = time.monotonic()

        def read_and_decide() -> tuple[Disposition, Decision, Outcome | None]:
            disposition = self.to_disposition(source, payload, conversation_id, format=format)
            return (disposition, *self._early(disposition))

        disposition, decision, early = await asyncio.to_thread(read_and_decide)
        return await self._aapply_decided(disposition, decision, early, started)

    def _check_open(self) -> None:
        if self._runner.closed:
            raise RuntimeError("this bridge is closed")

    def _early(self, disposition: Disposition) -> tuple[Decision, Outcome | None]:
        """The decision, and the Outcome when there is nothing to send (unmapped, skipped, no conversation id)."""
        decision = self.decide(disposition)
        if not decision.applies or decision.code is None:
            kind = OutcomeKind.UNMAPPED if decision.kind is DecisionKind.UNMAPPED else OutcomeKind.SKIPPED
            return decision, Outcome(kind=kind, reason=decision.reason, disposition=disposition, decision=decision)
        if not disposition.conversation_id:
            outcome = Outcome(
                kind=OutcomeKind.NO_TARGET,
                reason="the event carries no Genesys conversation id; pass conversation_id, or set where this "
                "migration stores it (the mapping's source.conversation_id)",
                disposition=disposition,
                decision=decision,
            )
            return decision, outcome
        return decision, None

    def _accept_now(self, disposition: Disposition, decision: Decision) -> tuple[Accepted | None, str | None]:
        outbox = self.outbox
        if outbox is None:
            return None, None
        try:
            return outbox.accept(disposition, decision, lease_seconds=self.lease_seconds), None
        except OutboxError as exc:
            # Better delivered without a safety net than not at all; the Outcome says so.
            _log_error("outbox unavailable, delivering without it: %s", exc)
            # The Outcome may travel to a webhook caller: the file and the OS error stay in the log.
            return None, (
                "not recorded in the outbox first (it could not be written; the log says why), so a failure could "
                "not be queued"
            )

    def _dead_letter_now(self, outcome: Outcome) -> BridgeOutcome:
        """Unmapped and target-less dispositions need a person: kept as dead rows where one will look. Skips are
        deliberate and kept nowhere."""
        from wrapup_bridge.live.outcomes import bridge_outcome

        outbox = self.outbox
        if outcome.kind is OutcomeKind.SKIPPED or outbox is None or outcome.disposition is None:
            return bridge_outcome(outcome)
        assert outcome.decision is not None
        try:
            row_id = outbox.dead_letter(
                outcome.disposition, outcome.decision, kind=outcome.kind.value, reason=outcome.reason
            )
        except OutboxError as exc:
            _log_error("could not keep a %s disposition in the outbox: %s", outcome.kind.value, exc)
            warning = "not kept in the outbox (it could not be written; the log says why)"
            return bridge_outcome(outcome, warnings=(*outcome.warnings, warning))
        return bridge_outcome(outcome, row_id, "dead")

    async def _deliver(self, disposition: Disposition, decision: Decision, remaining: float) -> Outcome:
        """The sink's apply, cut off at the budget; a cut-off write is left for a drain to re-check."""
        import asyncio

        sink = await self._get_sink()
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_concurrency)
        try:
            async with asyncio.timeout(max(remaining, 0.001)), self._slots:
                return await sink.apply(disposition, decision)
        except TimeoutError:
            reason = (
                f"the time budget of {self.budget:g} s ran out before Genesys confirmed the wrap-up (if the write "
                "was already sent, a drain reads the participant before writing again)"
            )
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise
            reason = "a lookup shared with another request was cut off by that request's budget; retry later"
        except Exception as exc:
            from wrapup_bridge.genesys.errors import GenesysError

            if not isinstance(exc, GenesysError):
                raise
            reason = f"not delivered: {exc}. {exc.explain()}"
            failed = Outcome(kind=OutcomeKind.FAILED, reason=reason, disposition=disposition, decision=decision)
            return failed.model_copy(update={"error": exc.to_dict()})
        return Outcome(kind=OutcomeKind.FAILED, reason=reason, disposition=disposition, decision=decision)

    def _settle_now(self, row_id: int | None, outcome: Outcome, warning: str | None = None) -> BridgeOutcome:
        """Mark the row by how the attempt ended; a retryable failure comes back as ``queued`` with its row."""
        from wrapup_bridge.live.outcomes import bridge_outcome, row_state

        if warning:
            outcome = outcome.model_copy(update={"warnings": (*outcome.warnings, warning)})
        outbox = self.outbox
        if row_id is None or outbox is None:
            return bridge_outcome(outcome)
        state = row_state(outcome)
        try:
            state = outbox.settle(row_id, state, kind=outcome.kind.value, reason=outcome.reason, error=outcome.error)
        except OutboxError as exc:
            # The row stays in flight; once its lease runs out a drain re-checks it through the sink.
            _log_error("could not mark outbox row %d: %s", row_id, exc)
        if state == "pending":
            return bridge_outcome(
                outcome,
                row_id,
                state,
                kind=OutcomeKind.QUEUED,
                # The row id, not the file: this reason may be a webhook's answer (the log names the file).
                reason=f"queued in outbox row {row_id} for a later drain: {outcome.reason}",
            )
        return bridge_outcome(outcome, row_id, state)

    # -- draining -------------------------------------------------------------------------------------------------
    def drain(
        self,
        *,
        limit: int | None = None,
        due_only: bool = False,
        remap: bool = False,
        progress: Callable[[OutboxRow, BridgeOutcome], None] | None = None,
    ) -> DrainReport:
        """Deliver outbox rows: pending ones (only those due, with ``due_only``) and in-flight ones whose process
        died. ``remap`` decides again with the current mapping table instead of the decision stored at accept
        time. Each row is tried once per drain; ``progress`` is called after each. Only rows accepted for this
        bridge's ``target`` are delivered (``outbox.retarget`` moves others on purpose)."""
        return self._runner.run(self._drain(limit, due_only, remap, progress))

    async def adrain(
        self,
        *,
        limit: int | None = None,
        due_only: bool = False,
        remap: bool = False,
        progress: Callable[[OutboxRow, BridgeOutcome], None] | None = None,
    ) -> DrainReport:
        """``drain`` for async callers (the webhook server's background drainer)."""
        return await self._runner.arun(self._drain(limit, due_only, remap, progress))

    async def _drain(
        self,
        limit: int | None,
        due_only: bool,
        remap: bool,
        progress: Callable[[OutboxRow, BridgeOutcome], None] | None,
    ) -> DrainReport:
        from wrapup_bridge.live.outcomes import DrainReport, row_state

        outbox = self.outbox
        if outbox is None:
            raise OutboxError("this bridge has no outbox to drain")
        report = DrainReport()
        last_id = 0  # rows are taken in id order, so each is tried at most once per drain
        while limit is None or report.claimed < limit:
            batch_size = _DRAIN_BATCH if limit is None else min(_DRAIN_BATCH, limit - report.claimed)
            rows = await self._in_outbox_thread(
                outbox.claim, limit=batch_size, lease_seconds=self.lease_seconds, due_only=due_only, after_id=last_id
            )
            if not rows:
                break
            for row in rows:
                last_id = max(last_id, row.id)
                outcome = await self._redeliver(row, remap)
                report.add(outcome.outbox_state or row_state(outcome), outcome)
                if progress is not None:
                    progress(row, outcome)
        return report

    async def _redeliver(self, row: OutboxRow, remap: bool) -> BridgeOutcome:
        problem = row.problem
        if problem is None:
            try:
                disposition, decision = row.disposition, row.decision
            except ValidationError as exc:
                first = exc.errors()[0] if exc.errors() else None
                where = ".".join(str(p) for p in first["loc"]) if first else ""
                problem = f"{where or 'a field'}: {first['msg'] if first else exc}"
        if problem is not None:
            reason = f"outbox row {row.id} cannot be read ({problem}); it was edited or damaged: fix or delete it"
            outcome = Outcome(kind=OutcomeKind.REJECTED, reason=reason)
            return await self._in_outbox_thread(self._settle_now, row.id, outcome)
        if remap:
            decision = self.decide(disposition)
        if not decision.applies or decision.code is None:
            kind = OutcomeKind.UNMAPPED if decision.kind is DecisionKind.UNMAPPED else OutcomeKind.SKIPPED
            outcome = Outcome(kind=kind, reason=decision.reason, disposition=disposition, decision=decision)
        else:
            outcome = await self._deliver(disposition, decision, self.budget)
        return await self._in_outbox_thread(self._settle_now, row.id, outcome)
