"""The per-process loop, both drivers: one loop for every caller, background work finished
between tasks, cancellation when a wait is cut (Celery's soft time limit)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
from billiard.exceptions import SoftTimeLimitExceeded
from billiard.pool import soft_timeout_sighandler

from atrium.core.worker.app import loop_driver
from atrium.core.worker.loop import (
    SOFT_LIMIT_SIGNAL,
    CallerLoop,
    ThreadLoop,
    process_loop,
    run_async,
)


async def _loop_id() -> int:
    return id(asyncio.get_running_loop())


def test_every_thread_uses_the_same_persistent_loop() -> None:
    with ThreadPoolExecutor(4) as pool:
        ids = set(pool.map(lambda _: run_async(_loop_id()), range(20)))
    assert ids == {id(process_loop().loop)}
    assert process_loop().errors == 0


def test_a_client_created_once_is_reused_across_calls() -> None:
    lock: list[asyncio.Lock] = []

    async def use() -> bool:
        if not lock:
            lock.append(asyncio.Lock())  # bound to the loop on first use
        async with lock[0]:
            await asyncio.sleep(0)
        return True

    assert all(run_async(use()) for _ in range(10))


class Sleeper:
    """A coroutine that sleeps long, saying when it started and whether it was cancelled."""

    def __init__(self, seconds: float = 60) -> None:
        self.seconds = seconds
        self.started = threading.Event()
        self.cancelled = threading.Event()

    async def __call__(self) -> None:
        self.started.set()
        try:
            await asyncio.sleep(self.seconds)
        except asyncio.CancelledError:
            self.cancelled.set()
            raise


def test_an_interrupted_wait_cancels_the_coroutine() -> None:
    """A signal handler raising in the waiting thread (Celery's soft time limit) cancels it."""
    slow = Sleeper(30)

    class Interrupt(Exception):
        pass

    def interrupt(*_: object) -> None:
        raise Interrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    try:
        with pytest.raises(Interrupt):
            run_async(slow())
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert slow.cancelled.wait(5)


def test_stopping_the_thread_loop_cancels_what_is_left() -> None:
    loop = ThreadLoop()
    endless = Sleeper()
    loop.spawn(endless)
    assert endless.started.wait(5)
    loop.stop(timeout=5)
    assert loop.loop.is_closed()
    assert endless.cancelled.is_set()


def test_running_on_the_loop_thread_is_refused() -> None:
    async def nested() -> None:
        coro = _loop_id()
        with pytest.raises(RuntimeError, match="await the coroutine"):
            process_loop().run(coro)

    run_async(nested())


# -- the caller-driven loop (prefork and solo workers) -----------------------------------------


@pytest.fixture
def caller_loop() -> Iterator[CallerLoop]:
    loop = CallerLoop()
    try:
        yield loop
    finally:
        loop.stop()
    assert loop.loop.is_closed()


async def _where() -> tuple[int, str]:
    return id(asyncio.get_running_loop()), threading.current_thread().name


def _wait_until(check: Callable[[], bool], within: float = 5) -> bool:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_the_worker_pool_chooses_the_driver() -> None:
    assert loop_driver("prefork") == loop_driver("solo") == "caller"
    assert loop_driver("threads") == loop_driver(None) == "thread"


def test_the_caller_runs_the_loop_itself_every_time(caller_loop: CallerLoop) -> None:
    seen = {caller_loop.run(_where()) for _ in range(20)}
    assert seen == {(id(caller_loop.loop), threading.current_thread().name)}
    assert caller_loop.errors == 0


def test_callers_on_several_threads_share_the_loop(caller_loop: CallerLoop) -> None:
    async def visit(n: int) -> tuple[int, str]:
        await asyncio.sleep(0.001)
        return n, threading.current_thread().name

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda n: (caller_loop.run(visit(n)), _where_now()), range(40)))
    assert [n for (n, _), _ in results] == list(range(40))
    assert all(ran_on == caller for (_, ran_on), caller in results)  # each drove it itself
    assert caller_loop.errors == 0


def _where_now() -> str:
    return threading.current_thread().name


def test_spawned_work_finishes_between_tasks(caller_loop: CallerLoop) -> None:
    """Nobody calls ``run`` again: the idle thread drives the loop until the work is done."""
    done = threading.Event()

    async def write() -> None:
        await asyncio.sleep(0.1)
        done.set()

    caller_loop.spawn(write)
    assert done.wait(5)
    assert _wait_until(lambda: not caller_loop.background)


def test_work_spawned_from_another_thread_while_a_task_runs_finishes(
    caller_loop: CallerLoop,
) -> None:
    done = threading.Event()

    async def write() -> None:
        await asyncio.sleep(0.05)
        done.set()

    async def task() -> None:
        await asyncio.to_thread(caller_loop.spawn, write)  # spawned from a pool thread
        await asyncio.sleep(0.01)  # returns before the write is done

    caller_loop.run(task())
    assert done.wait(5)


def test_a_task_takes_the_loop_back_from_background_work(caller_loop: CallerLoop) -> None:
    driving = threading.Event()
    finished = threading.Event()

    async def slow_write() -> None:
        if threading.current_thread().name == "atrium-loop-idle":
            driving.set()
        await asyncio.sleep(1.0)
        finished.set()

    caller_loop.spawn(slow_write)
    assert driving.wait(5)  # the idle thread is running the loop now
    started = time.perf_counter()
    assert caller_loop.run(_where())[1] == threading.current_thread().name
    assert time.perf_counter() - started < 0.5  # handed back at once, not after the write
    assert not finished.is_set()
    assert finished.wait(5)  # and the background work still completes afterwards


def test_stop_takes_the_loop_from_the_idle_thread() -> None:
    loop = CallerLoop()
    endless = Sleeper()
    loop.spawn(endless)
    assert endless.started.wait(5)  # the idle thread is running it
    started = time.perf_counter()
    loop.stop(timeout=5)
    assert time.perf_counter() - started < 2
    assert loop.loop.is_closed()
    assert endless.cancelled.is_set()  # cancelled and unwound, not destroyed while pending
    thread = loop._idle_thread
    assert thread is not None
    assert not thread.is_alive()


def test_drain_waits_for_spawned_work(caller_loop: CallerLoop) -> None:
    done: list[int] = []

    async def write(n: int) -> None:
        await asyncio.sleep(0.05)
        done.append(n)

    for n in range(5):
        caller_loop.spawn(lambda n=n: write(n))  # type: ignore[misc]
    caller_loop.run(caller_loop.drain(5))
    assert sorted(done) == list(range(5))


def test_running_from_inside_the_caller_loop_is_refused(caller_loop: CallerLoop) -> None:
    async def nested() -> None:
        coro = _loop_id()
        with pytest.raises(RuntimeError, match="await the coroutine"):
            caller_loop.run(coro)

    caller_loop.run(nested())


async def _cancel_itself() -> None:
    task = asyncio.current_task()
    assert task is not None
    task.cancel()
    await asyncio.sleep(0)


def test_a_cancelled_coroutine_fails_its_task_with_an_ordinary_error(
    caller_loop: CallerLoop,
) -> None:
    """Not asyncio's BaseException, which would escape Celery's error handling."""
    assert issubclass(concurrent.futures.CancelledError, Exception)
    with pytest.raises(concurrent.futures.CancelledError):
        caller_loop.run(_cancel_itself())
    with pytest.raises(concurrent.futures.CancelledError):
        run_async(_cancel_itself())  # the thread driver says the same


# -- soft time limits under the caller driver ----------------------------------------------------

needs_signal = pytest.mark.skipif(SOFT_LIMIT_SIGNAL is None, reason="no soft-time-limit signal")


@contextmanager
def _signal_from_outside(handler: Any, delay: float) -> Iterator[None]:
    """Install ``handler`` as the prefork pool does, and have another process send the signal
    after ``delay`` (as the pool's parent does; a thread of ours would deliver it only while the
    main thread waits in the selector). The handler is restored whatever happens."""
    assert SOFT_LIMIT_SIGNAL is not None
    previous = signal.signal(SOFT_LIMIT_SIGNAL, handler)
    sender = subprocess.Popen(
        ["sh", "-c", f"sleep {delay}; kill -{SOFT_LIMIT_SIGNAL} {os.getpid()}"]
    )
    try:
        yield
    finally:
        while True:  # a late signal must not escape the test, nor find the handler gone
            try:
                if sender.poll() is not None:
                    break
                time.sleep(0.01)
            except SoftTimeLimitExceeded:
                pass
        signal.signal(SOFT_LIMIT_SIGNAL, previous)


@needs_signal
def test_a_soft_time_limit_cancels_an_awaiting_coroutine_then_raises_celerys_error(
    caller_loop: CallerLoop,
) -> None:
    cleaned_up = False

    async def slow() -> None:
        nonlocal cleaned_up
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            await asyncio.sleep(0.01)  # clean-up may still await
            cleaned_up = True
            raise

    with _signal_from_outside(soft_timeout_sighandler, 0.2):
        started = time.perf_counter()
        with pytest.raises(SoftTimeLimitExceeded):
            caller_loop.run(slow())
        assert time.perf_counter() - started < 10
    assert cleaned_up
    assert caller_loop.errors == 0  # nothing was raised inside the loop's machinery
    assert caller_loop.run(_where())  # the loop is still usable


@needs_signal
def test_a_soft_time_limit_landing_in_a_loop_callback_is_not_swallowed(
    caller_loop: CallerLoop,
) -> None:
    """Raised inside a plain callback, asyncio would log the error and let the task run on."""

    async def busy(seconds: float) -> str:
        loop = asyncio.get_running_loop()
        stop = time.monotonic() + seconds

        def churn() -> None:
            for _ in range(5000):  # Python-level work in a callback, where the signal lands
                pass
            if time.monotonic() < stop:
                loop.call_soon(churn)

        loop.call_soon(churn)
        await asyncio.sleep(seconds)
        return "ran to the end"

    with _signal_from_outside(soft_timeout_sighandler, 0.3), pytest.raises(SoftTimeLimitExceeded):
        caller_loop.run(busy(10))
    assert caller_loop.errors == 0


@needs_signal
def test_a_soft_time_limit_raises_inside_a_coroutine_that_never_awaits(
    caller_loop: CallerLoop,
) -> None:
    """As in a sync task: CPU-bound code gets the exception at its current line."""
    seen: list[BaseException] = []

    async def spin(seconds: float) -> str:
        stop = time.monotonic() + seconds
        try:
            while time.monotonic() < stop:
                pass
        except SoftTimeLimitExceeded as exc:
            seen.append(exc)
            raise
        return "ran to the end"

    started = time.perf_counter()
    with _signal_from_outside(soft_timeout_sighandler, 0.3), pytest.raises(SoftTimeLimitExceeded):
        caller_loop.run(spin(10))
    assert time.perf_counter() - started < 8
    assert len(seen) == 1
    assert caller_loop.errors == 0


@needs_signal
def test_another_handler_of_the_signal_is_left_alone(caller_loop: CallerLoop) -> None:
    """A solo worker's SIGUSR1 dumps tracebacks: it must not cancel the running task."""
    assert SOFT_LIMIT_SIGNAL is not None
    calls: list[int] = []

    def dump_tracebacks(signum: int, frame: object) -> None:
        calls.append(signum)

    async def nap() -> str:
        await asyncio.sleep(1.0)
        return "done"

    with _signal_from_outside(dump_tracebacks, 0.2):
        assert caller_loop.run(nap()) == "done"
        assert signal.getsignal(SOFT_LIMIT_SIGNAL) is dump_tracebacks
    assert calls == [SOFT_LIMIT_SIGNAL]


@needs_signal
def test_between_tasks_the_signal_reaches_celerys_handler(caller_loop: CallerLoop) -> None:
    with _signal_from_outside(soft_timeout_sighandler, 0.5):
        caller_loop.run(_where())  # the wrapper is installed now
        with pytest.raises(SoftTimeLimitExceeded):
            time.sleep(5)  # as in a sync worker: raised wherever the main thread is


@needs_signal
def test_stop_puts_celerys_handler_back() -> None:
    assert SOFT_LIMIT_SIGNAL is not None
    loop = CallerLoop()
    previous = signal.signal(SOFT_LIMIT_SIGNAL, soft_timeout_sighandler)
    try:
        loop.run(_where())
        assert signal.getsignal(SOFT_LIMIT_SIGNAL) is not soft_timeout_sighandler  # wrapped
        loop.stop()
        assert signal.getsignal(SOFT_LIMIT_SIGNAL) is soft_timeout_sighandler
    finally:
        loop.stop()
        signal.signal(SOFT_LIMIT_SIGNAL, previous)
