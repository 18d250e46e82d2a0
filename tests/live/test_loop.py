"""``LoopThread``: a blocking call runs the private loop in its own thread when nobody else is, anything else is
handed to the thread that is (or to the daemon thread), and nothing is lost or run twice in between."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.live.loop import LoopThread
from wrapup_bridge.testing import emulated_bridge

from .helpers import TWILIO_MAPPING

DAEMON = "wrapup-bridge-live"


async def where(delay: float = 0.0) -> str:
    """The name of the thread running the loop when the coroutine ends."""
    await asyncio.sleep(delay)
    return threading.current_thread().name


def test_a_blocking_call_runs_in_the_callers_thread_and_starts_no_thread() -> None:
    runner = LoopThread()
    before = threading.active_count()
    try:
        assert [runner.run(where()) for _ in range(3)] == [threading.current_thread().name] * 3
        assert threading.active_count() == before
    finally:
        runner.close()


def test_a_bridge_applies_from_the_callers_thread() -> None:
    """The live bridge's blocking apply needs no second thread (the hand-over cost milliseconds on a busy machine)."""
    with emulated_bridge(mapping=TWILIO_MAPPING) as bridge:
        before = threading.active_count()
        record = Disposition(
            source="twilio", source_id="WT1", code="Resolved", conversation_id="c0ffee00-0000-4000-8000-000000000021"
        )
        outcome = bridge.apply(record)
        assert outcome.kind.value == "applied", outcome.reason
        assert threading.active_count() == before


def test_a_caller_running_its_own_loop_is_handed_over_to_the_daemon_thread() -> None:
    runner = LoopThread()

    async def caller() -> str:
        return runner.run(where())  # blocks this loop, as a blocking call does

    try:
        assert asyncio.run(caller()) == DAEMON
    finally:
        runner.close()


def test_async_callers_run_on_the_daemon_thread() -> None:
    runner = LoopThread()

    async def callers() -> list[str]:
        return list(await asyncio.gather(*(runner.arun(where(0.001)) for _ in range(20))))

    try:
        assert asyncio.run(callers()) == [DAEMON] * 20
    finally:
        runner.close()


def test_a_blocking_call_from_the_private_loop_is_refused() -> None:
    runner = LoopThread()

    async def nested() -> None:
        runner.run(where())

    try:
        with pytest.raises(RuntimeError, match="await the async twin"):
            runner.run(nested())
    finally:
        runner.close()


def test_work_handed_over_while_a_blocking_call_runs_the_loop_finishes_after_it() -> None:
    """Thread A runs the loop; thread B's coroutine, handed over meanwhile, starts on A's run and ends on the daemon
    thread once A's own call returned."""
    runner = LoopThread()
    a_running = threading.Event()
    b_started_on: list[str] = []

    async def a() -> str:
        a_running.set()
        await asyncio.sleep(0.05)
        return "a"

    async def b() -> str:
        b_started_on.append(threading.current_thread().name)
        await asyncio.sleep(0.3)
        return threading.current_thread().name

    try:
        with ThreadPoolExecutor(2, thread_name_prefix="caller") as pool:
            first = pool.submit(runner.run, a())
            assert a_running.wait(5)
            second = pool.submit(runner.run, b())
            assert first.result(5) == "a"
            assert second.result(5) == DAEMON
        assert b_started_on and b_started_on[0].startswith("caller")
    finally:
        runner.close()


def test_many_blocking_callers_at_once_each_get_their_own_result() -> None:
    runner = LoopThread()

    async def echo(value: int) -> int:
        await asyncio.sleep(0.001 * (value % 3))
        return value

    try:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda v: runner.run(echo(v)), range(200)))
        assert results == list(range(200))
    finally:
        runner.close()


def test_an_exception_propagates_and_the_loop_goes_on() -> None:
    runner = LoopThread()

    async def boom() -> None:
        raise ValueError("boom")

    try:
        with pytest.raises(ValueError, match="boom"):
            runner.run(boom())
        assert runner.run(where()) == threading.current_thread().name
    finally:
        runner.close()


@pytest.mark.parametrize("own_loop", [False, True], ids=["running-the-loop", "handed-over"])
def test_close_runs_the_cleanup_and_cancels_a_call_that_never_ends(own_loop: bool) -> None:
    """A blocking call stuck on the loop (running it itself, or waiting for the thread that does) is cancelled by
    close() and told so; close() neither waits for it nor leaves it waiting for ever."""
    runner = LoopThread()
    cleaned: list[str] = []
    started = threading.Event()

    async def forever() -> None:
        started.set()
        while True:
            await asyncio.sleep(0.01)

    async def cleanup() -> None:
        cleaned.append(threading.current_thread().name)

    def call() -> None:
        if own_loop:

            async def caller() -> None:
                runner.run(forever())

            asyncio.run(caller())
        else:
            runner.run(forever())

    with ThreadPoolExecutor(1) as pool:
        stuck = pool.submit(call)
        assert started.wait(5)
        began = time.monotonic()
        runner.close(cleanup())
        assert time.monotonic() - began < 5
        with pytest.raises(RuntimeError, match="closed before this call finished"):
            stuck.result(5)
    assert cleaned, "the cleanup did not run"
    assert runner.closed
    with pytest.raises(RuntimeError, match="closed"):
        runner.run(where())


def test_close_without_use_and_twice_is_fine() -> None:
    runner = LoopThread()
    runner.close()
    runner.close()
    assert runner.closed
