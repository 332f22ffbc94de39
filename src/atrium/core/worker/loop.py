"""One persistent event loop per worker process, for ``async def`` tasks.

Async clients created once per process (on this loop) are always used on the loop that created
them. Two ways to drive it, chosen per worker from its pool (``use_driver``):

* ``caller`` (prefork and solo pools, where every task runs on the process's main thread): the
  thread that runs a task runs the loop itself (``run_until_complete``), with no hand-off to
  another thread. Background work (``spawn``) still pending when the task returns is driven by an
  idle thread until it is done or the next task takes the loop back. A soft time limit raises in
  the coroutine's own code if that is running, else cancels it at its current ``await``; either
  way the task fails with Celery's own exception. Library tasks on the loop (PyMongo's monitors)
  pause while the worker is idle and catch up on the next task.
* ``thread`` (the threads pool, and any process that is not a worker): the loop runs forever in a
  daemon thread; callers submit coroutines with ``run_coroutine_threadsafe`` and wait. This costs
  a cross-thread wake-up each way (~0.1 ms per task here), which is why workers whose tasks all
  run on one thread drive the loop themselves.

Why not ``asyncio.run`` per task: it makes a new loop each time, so a client created once fails
every other task ("attached to a different loop", then "Event loop is closed"), and creating a
client per task costs more than half the throughput.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import signal
import threading
from collections.abc import Callable, Coroutine
from contextlib import suppress
from types import FrameType
from typing import Any, Literal, TypeVar

import structlog
from billiard.pool import SIG_SOFT_TIMEOUT, soft_timeout_sighandler

T = TypeVar("T")
Driver = Literal["caller", "thread"]
Factory = Callable[[], Coroutine[Any, Any, Any]]
log = structlog.get_logger(__name__)

# The signal Celery's prefork pool sends a child whose task passed its soft time limit, and the
# handler it installs there (raising SoftTimeLimitExceeded wherever the main thread is). Only that
# handler is wrapped: in a solo worker the same signal asks for a traceback dump.
SOFT_LIMIT_SIGNAL: int | None = SIG_SOFT_TIMEOUT
CANCEL_GRACE = 1.0  # seconds a coroutine gets to finish after an interruption cancelled it


class ProcessLoop:
    """What both drivers share: the loop, its error count and the spawned background tasks."""

    driver: Driver

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.errors = 0
        self.background: set[asyncio.Task[Any]] = set()  # touched on the loop only
        self.loop = asyncio.new_event_loop()
        self.loop.set_exception_handler(self._on_error)

    def _on_error(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        self.errors += 1
        log.error(
            "event_loop_error", message=context.get("message"), error=context.get("exception")
        )

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the loop and wait for its result (never from the loop itself).

        An exception raised in the waiting thread meanwhile (a signal handler's) cancels the
        coroutine, which sees ``CancelledError`` at its current ``await`` and may clean up.
        """
        raise NotImplementedError

    def spawn(self, factory: Factory) -> None:
        """Start ``factory()`` on the loop without waiting for it (tracked until done)."""
        raise NotImplementedError

    def stop(self, timeout: float = 5.0) -> None:
        raise NotImplementedError

    def _start(self, factory: Factory) -> asyncio.Task[Any] | None:
        try:
            task = self.loop.create_task(factory())
        except Exception:
            log.exception("background_start_failed")
            return None
        self.background.add(task)
        task.add_done_callback(self.background.discard)
        return task

    async def drain(self, seconds: float) -> None:
        """Wait (on the loop) for the spawned coroutines, at most ``seconds``."""
        if self.background:
            await asyncio.wait(set(self.background), timeout=seconds)

    async def _cancel_the_rest(self, seconds: float) -> None:
        """Cancel every task still on the loop and let them unwind (before it closes)."""
        current = asyncio.current_task()
        rest = [task for task in asyncio.all_tasks() if task is not current]
        for task in rest:
            task.cancel()
        if rest:
            await asyncio.wait(rest, timeout=seconds)


class ThreadLoop(ProcessLoop):
    """The loop runs forever in a daemon thread; every caller hands its coroutine over."""

    driver: Driver = "thread"

    def __init__(self) -> None:
        super().__init__()
        self._ready = threading.Event()
        self.thread = threading.Thread(target=self._serve, name="atrium-loop", daemon=True)
        self.thread.start()
        self._ready.wait()

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._ready.set)
        self.loop.run_forever()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        if threading.current_thread() is self.thread:
            coro.close()
            raise RuntimeError("already on the process loop: await the coroutine instead")
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()
            raise

    def spawn(self, factory: Factory) -> None:
        self.loop.call_soon_threadsafe(self._start, factory)

    def stop(self, timeout: float = 5.0) -> None:
        """Cancel what is left on the loop, stop it and close it once its thread has ended."""
        if not self.loop.is_closed():
            if self.thread.is_alive() and threading.current_thread() is not self.thread:
                rest = asyncio.run_coroutine_threadsafe(self._cancel_the_rest(timeout), self.loop)
                with suppress(Exception):
                    rest.result(timeout + 1)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout)
            if not self.thread.is_alive():
                self.loop.close()


class _SoftLimitHandler:
    """The soft-time-limit handler of a process whose main thread drives a ``CallerLoop``.

    Celery's handler raises ``SoftTimeLimitExceeded`` wherever the main thread happens to be.
    In the task's own code that is what a sync task gets, and it stays so. Inside the loop's
    machinery asyncio would swallow it (a callback's error is only logged) or break its own
    bookkeeping, so there the running coroutine is cancelled instead, and Celery's exception is
    raised once it has unwound. In the loop's own bookkeeping around a task it is raised when that
    is done. Anywhere else Celery's handler runs as it would without us.
    """

    def __init__(self, owner: CallerLoop, original: Callable[[int, FrameType | None], Any]):
        self.owner, self.original = owner, original

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        owner = self.owner
        task = owner._main_task
        if task is not None and not task.done():
            if asyncio.current_task(owner.loop) is task:
                self.original(signum, frame)  # in the coroutine's own code: raise right there
                return
            owner._soft_limit = (signum, frame)
            owner.loop.call_soon_threadsafe(task.cancel)
        elif owner._critical:
            owner._deferred = (signum, frame)  # raised when the bookkeeping is done
        else:
            self.original(signum, frame)


class CallerLoop(ProcessLoop):
    """The loop runs in the thread that calls ``run`` (one at a time), idle otherwise.

    ``_drive`` is held by whoever runs the loop: a caller, or the idle thread that finishes
    spawned work between tasks. A caller that finds the idle thread driving asks it to hand the
    loop back (``_waiting``, then a wake-up on the loop) and gets it within one loop iteration.
    """

    driver: Driver = "caller"

    def __init__(self) -> None:
        super().__init__()
        self._drive = threading.Lock()
        self._counts = threading.Lock()  # guards _outstanding and _waiting
        self._outstanding = 0  # spawned and not finished (started or not)
        self._waiting = 0  # callers waiting for the loop
        self._driver_ident: int | None = None
        self._wakeup: asyncio.Future[None] | None = None  # the idle thread's, on the loop
        self._idle_wanted = threading.Event()
        self._idle_thread: threading.Thread | None = None
        self._closing = False
        # Soft time limits (main thread only): the task it runs now, the signal if it came then,
        # and one deferred while the loop's state is changing (``_critical`` > 0).
        self._main_task: asyncio.Task[Any] | None = None
        self._soft_handler: _SoftLimitHandler | None = None
        self._soft_limit: tuple[int, FrameType | None] | None = None
        self._critical = 0
        self._deferred: tuple[int, FrameType | None] | None = None

    # -- callers ------------------------------------------------------------------------------

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        on_main = threading.current_thread() is threading.main_thread()
        if on_main:
            self._critical += 1
        try:
            if self._driver_ident == threading.get_ident():
                coro.close()
                raise RuntimeError("already on the process loop: await the coroutine instead")
            if self._closing:
                coro.close()
                raise RuntimeError("the process loop is stopped")
            self._take()
            try:
                return self._run_here(coro, on_main)
            finally:
                self._give_back()
        finally:
            if on_main:
                self._leave_critical()

    def _leave_critical(self) -> None:
        self._critical -= 1
        if not self._critical and self._deferred is not None:
            deferred, self._deferred = self._deferred, None
            if self._soft_handler is not None:
                self._soft_handler.original(*deferred)  # Celery's SoftTimeLimitExceeded

    def _take(self, timeout: float = -1) -> bool:
        if not self._drive.acquire(blocking=False):
            with self._counts:
                self._waiting += 1
            try:
                self.loop.call_soon_threadsafe(self._poke)
                if not self._drive.acquire(timeout=timeout):
                    return False
            finally:
                with self._counts:
                    self._waiting -= 1
        self._driver_ident = threading.get_ident()
        return True

    def _give_back(self) -> None:
        self._driver_ident = None
        self._drive.release()
        if self._outstanding and not self._closing:
            self._wake_idle()

    def _run_here(self, coro: Coroutine[Any, Any, T], on_main: bool) -> T:
        task = self.loop.create_task(coro)
        if on_main:
            self._hook_soft_limit()
            self._main_task, self._soft_limit = task, None
            if self._deferred is not None:  # the limit came while this run was starting
                self._soft_limit, self._deferred = self._deferred, None
                task.cancel()
        try:
            return self.loop.run_until_complete(task)
        except asyncio.CancelledError:
            soft, self._soft_limit = self._soft_limit, None
            if on_main and soft is not None and self._soft_handler is not None:
                self._soft_handler.original(*soft)  # raises Celery's SoftTimeLimitExceeded
            # An ordinary exception, as the thread driver's future raises: a BaseException would
            # escape Celery's error handling and end the worker process.
            raise concurrent.futures.CancelledError("the task's coroutine was cancelled") from None
        except BaseException:
            if not task.done():
                task.cancel()
                with suppress(BaseException):
                    self.loop.run_until_complete(asyncio.wait({task}, timeout=CANCEL_GRACE))
            raise
        finally:
            if on_main:
                self._main_task = None

    def _hook_soft_limit(self) -> None:
        """Put ``_SoftLimitHandler`` around Celery's soft-limit handler, once it is installed
        (the prefork pool installs it after the process-init hook, so this checks every run)."""
        if SOFT_LIMIT_SIGNAL is None:
            return
        current = signal.getsignal(SOFT_LIMIT_SIGNAL)
        if current is self._soft_handler:
            return
        if isinstance(current, _SoftLimitHandler):  # a forked parent's: wrap what it wrapped
            current = current.original
        if current is not soft_timeout_sighandler:
            return
        self._soft_handler = _SoftLimitHandler(self, current)
        signal.signal(SOFT_LIMIT_SIGNAL, self._soft_handler)

    # -- background work ----------------------------------------------------------------------

    def spawn(self, factory: Factory) -> None:
        on_main = threading.current_thread() is threading.main_thread()
        if on_main:
            self._critical += 1  # a soft limit must not land between the count and the start
        try:
            with self._counts:
                self._outstanding += 1
            self.loop.call_soon_threadsafe(self._start_counted, factory)
            if self._driver_ident != threading.get_ident():
                self._wake_idle()  # nobody may be running the loop right now
        finally:
            if on_main:
                self._leave_critical()

    def _start_counted(self, factory: Factory) -> None:
        task = self._start(factory)
        if task is None:
            self._finished()
        else:
            task.add_done_callback(lambda _: self._finished())
        self._poke()

    def _finished(self) -> None:
        with self._counts:
            self._outstanding -= 1
        self._poke()

    def _poke(self) -> None:
        if self._wakeup is not None and not self._wakeup.done():
            self._wakeup.set_result(None)

    def _wake_idle(self) -> None:
        if self._idle_thread is None:
            with self._counts:
                if self._idle_thread is None:
                    thread = threading.Thread(
                        target=self._idle, name="atrium-loop-idle", daemon=True
                    )
                    thread.start()
                    self._idle_thread = thread
        self._idle_wanted.set()

    def _idle(self) -> None:
        while True:
            self._idle_wanted.wait()
            self._idle_wanted.clear()
            if self._closing:
                return
            if not self._drive.acquire(blocking=False):
                continue  # a caller runs the loop; it wakes us again when it gives it back
            try:
                self._driver_ident = threading.get_ident()
                if self._outstanding and not self._waiting and not self._closing:
                    self.loop.run_until_complete(self._until_idle())
            except BaseException:  # SystemExit from spawned work included: keep driving
                log.exception("background_driver_failed")
            finally:
                self._driver_ident = None
                self._drive.release()

    async def _until_idle(self) -> None:
        """Run the loop until the spawned work is done or a caller wants the loop back."""
        try:
            while self._outstanding and not self._waiting and not self._closing:
                self._wakeup = self.loop.create_future()
                await self._wakeup  # set by each start, each finish and each caller that waits
        finally:
            self._wakeup = None

    def stop(self, timeout: float = 5.0) -> None:
        """Take the loop back from the idle thread, end that thread, cancel what is left on the
        loop, close it and put Celery's soft-limit handler back."""
        if self.loop.is_closed():
            return
        if self._driver_ident == threading.get_ident():
            raise RuntimeError("cannot stop the process loop from inside it")
        self._closing = True
        if not self._take(timeout):
            log.warning("process_loop_not_stopped", reason="still running after the timeout")
            return
        try:
            self._idle_wanted.set()
            if self._idle_thread is not None:
                self._idle_thread.join(timeout)
            with suppress(Exception):
                self.loop.run_until_complete(self._cancel_the_rest(timeout))
            self.loop.close()
        finally:
            self._driver_ident = None
            self._drive.release()
        handler = self._soft_handler
        if handler is not None and SOFT_LIMIT_SIGNAL is not None:
            original = handler.original
            with suppress(ValueError):  # only the main thread may set handlers
                if signal.getsignal(SOFT_LIMIT_SIGNAL) is handler:
                    signal.signal(SOFT_LIMIT_SIGNAL, original)


_driver: Driver = "thread"
_current: ProcessLoop | None = None
_lock = threading.Lock()


def use_driver(driver: Driver) -> None:
    """How this process (and the children it forks) will drive its loop; before first use."""
    global _driver
    _driver = driver


def process_loop() -> ProcessLoop:
    """This process's loop, created on first use (a forked child gets its own)."""
    global _current
    current = _current
    if current is not None and current.pid == os.getpid():
        return current
    with _lock:
        if _current is None or _current.pid != os.getpid():
            _current = CallerLoop() if _driver == "caller" else ThreadLoop()
        return _current


def has_process_loop() -> bool:
    return _current is not None and _current.pid == os.getpid()


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on this process's persistent loop, from any thread but the loop's."""
    return process_loop().run(coro)


def spawn(factory: Factory) -> None:
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
    # The parent's loop (and any thread driving it) does not exist here: forget it, never close
    # the parent's file descriptors. The driver choice is inherited.
    global _current, _lock
    _current = None
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)
