"""A private event loop in a daemon thread, reachable from plain threads and from other event loops.

The Genesys client (one connection pool, one token, one rate limiter) belongs to one event loop. A bridge
serves synchronous callers (a Lambda handler, a Flask view, a script) and asynchronous ones (the ASGI
webhook, the caller's own asyncio code) at once, so the client lives on a loop of its own: a blocking call
waits on a ``concurrent.futures.Future``, an ``await`` wraps the same future for the caller's loop. Neither
blocks the other, and ``asyncio.to_thread`` (a pool of a handful of threads) is not in the way of 200
concurrent webhook requests.
"""

from __future__ import annotations

import threading
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import asyncio

__all__ = ["LoopThread"]

T = TypeVar("T")


class LoopThread:
    """Starts its loop on first use; ``close()`` stops it and joins the thread."""

    def __init__(self, name: str = "wrapup-bridge-live") -> None:
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False

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

                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name=self._name, daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def _check_caller(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        if threading.current_thread() is self._thread:
            coroutine.close()
            raise RuntimeError("a blocking bridge call was made from the bridge's own loop; await the async twin")

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` on the private loop and wait for its result (its exceptions propagate)."""
        import asyncio

        loop = self._loop_for(coroutine)
        self._check_caller(coroutine)
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result()

    async def arun(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Await ``coroutine`` run on the private loop from any other loop; cancelling the await cancels it."""
        import asyncio

        loop = self._loop_for(coroutine)
        if asyncio.get_running_loop() is loop:
            return await coroutine
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, loop))

    def close(self, cleanup: Coroutine[Any, Any, Any] | None = None) -> None:
        """Run ``cleanup`` (closing the HTTP client) on the loop, then stop it."""
        with self._lock:
            loop, thread, self._closed = self._loop, self._thread, True
            self._loop = self._thread = None
        if loop is None or thread is None:
            if cleanup is not None:
                cleanup.close()
            return
        if threading.current_thread() is thread:
            raise RuntimeError("a bridge cannot be closed from its own loop")
        import asyncio

        try:
            if cleanup is not None:
                asyncio.run_coroutine_threadsafe(cleanup, loop).result()
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
            loop.close()
