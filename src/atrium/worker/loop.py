"""One persistent event loop per worker process, for ``async def`` tasks.

The loop runs in a daemon thread of its own, so every pool works the same way: the prefork child,
the solo worker and each thread of the threads pool submit coroutines to it with
``run_coroutine_threadsafe`` and wait for the result. Async clients created once per process (on
this loop) are therefore always used on the loop that created them.

Why not ``asyncio.run`` per task: it makes a new loop each time, so a client created once fails
every other task ("attached to a different loop", then "Event loop is closed"), and creating a
client per task costs more than half the throughput (see NOTES.md).
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import structlog

T = TypeVar("T")
log = structlog.get_logger(__name__)


class ProcessLoop:
    """An event loop running forever in a daemon thread of the current process."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.errors = 0
        self.background: set[asyncio.Task[Any]] = set()  # touched on the loop thread only
        self.loop = asyncio.new_event_loop()
        self.loop.set_exception_handler(self._on_error)
        self._ready = threading.Event()
        self.thread = threading.Thread(target=self._serve, name="atrium-loop", daemon=True)
        self.thread.start()
        self._ready.wait()

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._ready.set)
        self.loop.run_forever()

    def _on_error(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        self.errors += 1
        log.error(
            "event_loop_error", message=context.get("message"), error=context.get("exception")
        )

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the loop and wait for it; cancel it if the wait is interrupted.

        A soft time limit (or any exception raised in the waiting thread) cancels the coroutine,
        which sees ``CancelledError`` at its current ``await`` and may clean up.
        """
        if threading.current_thread() is self.thread:
            coro.close()
            raise RuntimeError("already on the process loop: await the coroutine instead")
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()
            raise

    def spawn(self, factory: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        """Start ``factory()`` on the loop without waiting for it (tracked until done)."""
        self.loop.call_soon_threadsafe(self._start, factory)

    def _start(self, factory: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        task = self.loop.create_task(factory())
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def drain(self, seconds: float) -> None:
        """Wait (on the loop) for the spawned coroutines, at most ``seconds``."""
        if self.background:
            await asyncio.wait(set(self.background), timeout=seconds)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the loop after pending callbacks; close it once its thread has ended."""
        if not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout)
            if not self.thread.is_alive():
                self.loop.close()


_current: ProcessLoop | None = None
_lock = threading.Lock()


def process_loop() -> ProcessLoop:
    """This process's loop, created on first use (a forked child gets its own)."""
    global _current
    current = _current
    if current is not None and current.pid == os.getpid():
        return current
    with _lock:
        if _current is None or _current.pid != os.getpid():
            _current = ProcessLoop()
        return _current


def has_process_loop() -> bool:
    return _current is not None and _current.pid == os.getpid()


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on this process's persistent loop, from any thread but the loop's."""
    return process_loop().run(coro)


def spawn(factory: Callable[[], Coroutine[Any, Any, Any]]) -> None:
    """Run a coroutine on this process's loop in the background (fire and forget)."""
    process_loop().spawn(factory)


def drain_background(timeout: float = 5.0) -> None:
    """Give spawned coroutines up to ``timeout`` seconds to finish (before shutting down)."""
    if has_process_loop():
        current = process_loop()
        current.run(current.drain(timeout))


def stop_process_loop() -> None:
    global _current
    with _lock:
        if _current is not None and _current.pid == os.getpid():
            _current.stop()
        _current = None


def _after_fork_in_child() -> None:
    # The parent's loop thread does not exist here: forget it (never close the parent's fds).
    global _current, _lock
    _current = None
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)
