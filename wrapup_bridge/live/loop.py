"""A private event loop, reachable from plain threads and from other event loops, driven by whoever needs it.

The Genesys client (one connection pool, one token, one rate limiter) belongs to one event loop. A bridge
serves synchronous callers (a Lambda handler, a Flask view, a script) and asynchronous ones (the ASGI
webhook, the caller's own asyncio code) at once, so the client lives on a loop of its own.

Who runs that loop:

- A **blocking call** runs it in the caller's own thread when nobody else is running it (``run_until_complete``):
  no hand-over to another thread and back, which on a busy machine costs more than the whole apply (two thread
  wake-ups, each waiting for a CPU: milliseconds each on a loaded 2-core box, ``benchmarks/live.py``).
- Otherwise (another thread is running the loop, or the caller's thread is running an event loop of its own)
  the coroutine is handed to the loop, as are ``await``-ed calls from other loops, and a daemon thread runs it
  until no task is left, then parks. A blocking caller waits on a ``concurrent.futures.Future``; an ``await``
  wraps the same future for the caller's loop. Neither blocks the other, and ``asyncio.to_thread`` (a pool of
  a handful of threads) is not in the way of 200 concurrent webhook requests.

One lock (``_driver``) is held by whichever thread runs the loop, so it never runs in two threads at once; a
thread that stops running it with tasks still pending hands them to the daemon thread. The daemon thread starts
only when something is handed over: a process that only makes blocking calls never starts it.
"""

from __future__ import annotations

import threading
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import asyncio

__all__ = ["LoopThread"]

T = TypeVar("T")

#: Seconds ``close()`` gives calls it cancelled to finish (closing their connections) before the loop closes.
_CLOSE_GRACE = 1.0


class LoopThread:
    """Creates its loop on first use; ``close()`` stops it (and the daemon thread, if it started)."""

    def __init__(self, name: str = "wrapup-bridge-live") -> None:
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # guards creating and closing the loop and the thread
        #: Held by the thread running the loop (a blocking caller, or the daemon thread).
        self._driver = threading.Lock()
        #: Set after work is handed to the loop: the daemon thread runs it until no task is left.
        self._wake = threading.Event()
        self._stopping = False
        self._closed = False
        #: What the thread running the loop waits for (a blocking caller's task, or the daemon thread's wait for no
        #: task left): ``close()`` cancels it so that thread lets go of the loop.
        self._driving: asyncio.Future[Any] | None = None

    @property
    def closed(self) -> bool:
        return self._closed

    def _loop_for(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.AbstractEventLoop:
        try:
            return self.loop
        except RuntimeError:
            coroutine.close()  # never started: close it so it is not reported as "never awaited"
            raise

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._closed:
                raise RuntimeError("this bridge is closed")
            if self._loop is None:
                import asyncio  # here, not at the top: building a bridge must not pay for asyncio

                self._loop = asyncio.new_event_loop()
            return self._loop

    # -- the daemon thread -----------------------------------------------------------------------------------------
    def _hand_over(self, loop: asyncio.AbstractEventLoop) -> None:
        """Work was scheduled on ``loop`` (or left pending on it): make sure the daemon thread runs it."""
        with self._lock:
            if self._thread is None and not self._stopping and self._loop is loop:
                self._thread = threading.Thread(target=self._serve, args=(loop,), name=self._name, daemon=True)
                self._thread.start()
        self._wake.set()

    def _serve(self, loop: asyncio.AbstractEventLoop) -> None:
        """The daemon thread: each time work is handed over, run the loop until no task is left."""
        while True:
            self._wake.wait()
            self._wake.clear()  # before running: work handed over from now on sets it again
            if self._stopping:
                return
            with self._driver:
                if self._stopping:
                    return
                import asyncio

                self._driving = loop.create_task(_until_idle())
                try:
                    loop.run_until_complete(self._driving)
                except asyncio.CancelledError:  # close() while tasks were still pending
                    if not self._stopping:
                        raise
                finally:
                    self._driving = None

    def _interrupt(self) -> None:
        """On the loop (``close``): make the thread running it let go, whatever is still pending."""
        if self._driving is not None:
            self._driving.cancel()

    # -- running coroutines ----------------------------------------------------------------------------------------
    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` on the private loop and wait for its result (its exceptions propagate): in this
        thread when nobody else is running the loop, else handed to the thread that is."""
        return self._run_on(self._loop_for(coroutine), coroutine)

    def _run_on(self, loop: asyncio.AbstractEventLoop, coroutine: Coroutine[Any, Any, T]) -> T:
        import asyncio
        import concurrent.futures  # loaded with asyncio (not at the top: it loads logging)

        running = asyncio._get_running_loop()
        if running is loop:
            coroutine.close()
            raise RuntimeError("a blocking bridge call was made from the bridge's own loop; await the async twin")
        if running is None and self._driver.acquire(blocking=False):
            try:
                self._driving = task = loop.create_task(coroutine)
                return loop.run_until_complete(task)
            except asyncio.CancelledError:
                if self._stopping:
                    raise RuntimeError("the bridge was closed before this call finished") from None
                raise
            finally:
                self._driving = None
                # Tasks of other callers that ran here meanwhile (or this one, interrupted) go on without us.
                pending = bool(asyncio.all_tasks(loop))
                self._driver.release()
                if pending:
                    self._hand_over(loop)
        future = asyncio.run_coroutine_threadsafe(coroutine, loop)
        self._hand_over(loop)
        try:
            return future.result()
        except concurrent.futures.CancelledError:
            if self._stopping:
                raise RuntimeError("the bridge was closed before this call finished") from None
            raise

    async def arun(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Await ``coroutine`` run on the private loop from any other loop; cancelling the await cancels it."""
        import asyncio

        loop = self._loop_for(coroutine)
        if asyncio.get_running_loop() is loop:
            return await coroutine
        future = asyncio.run_coroutine_threadsafe(coroutine, loop)
        self._hand_over(loop)
        return await asyncio.wrap_future(future)

    def close(self, cleanup: Coroutine[Any, Any, Any] | None = None) -> None:
        """Run ``cleanup`` (closing the HTTP client) on the loop, then stop it. Calls still running are cancelled
        (a blocking caller gets a RuntimeError saying the bridge was closed) and given a second to finish."""
        import asyncio

        with self._lock:
            loop = self._loop
            if loop is None or self._closed:
                self._closed = True
                if cleanup is not None:
                    cleanup.close()
                return
            if asyncio._get_running_loop() is loop or threading.current_thread() is self._thread:
                if cleanup is not None:
                    cleanup.close()
                raise RuntimeError("a bridge cannot be closed from its own loop")
            self._closed = True
        try:
            if cleanup is not None:
                self._run_on(loop, cleanup)
        finally:
            with self._lock:
                self._stopping = True
                thread, self._thread, self._loop = self._thread, None, None
            loop.call_soon_threadsafe(self._interrupt)
            if thread is not None:
                self._wake.set()
                thread.join()
            with self._driver:
                loop.run_until_complete(_cancel_the_rest(_CLOSE_GRACE))
                # Callbacks the cleanup left (a closed socket's connection_lost) run before the loop closes.
                loop.call_soon(loop.stop)
                loop.run_forever()
                loop.close()


async def _cancel_the_rest(grace: float) -> None:
    """Cancel every other task on the running loop and wait up to ``grace`` seconds for them to finish."""
    import asyncio

    me = asyncio.current_task()
    rest = [task for task in asyncio.all_tasks() if task is not me]
    for task in rest:
        task.cancel()
    if rest:
        await asyncio.wait(rest, timeout=grace)


async def _until_idle() -> None:
    """Return once no other task is left on the running loop (new ones may arrive while waiting)."""
    import asyncio

    me = asyncio.current_task()
    while True:
        others = {task for task in asyncio.all_tasks() if task is not me}
        if others:
            await asyncio.wait(others)
            continue
        await asyncio.sleep(0)  # one more turn: callbacks handed over meanwhile may start tasks
        if not any(task is not me for task in asyncio.all_tasks()):
            return
