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
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from atrium.worker.app import loop_driver
from atrium.worker.loop import SOFT_LIMIT_SIGNAL, CallerLoop, process_loop, run_async


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


def test_an_interrupted_wait_cancels_the_coroutine() -> None:
    """A signal handler raising in the waiting thread (Celery's soft time limit) cancels it."""
    cancelled = threading.Event()

    async def slow() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise

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
    assert cancelled.wait(5)


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


def test_the_worker_pool_chooses_the_driver() -> None:
    assert loop_driver("prefork") == loop_driver("solo") == "caller"
    assert loop_driver("threads") == loop_driver(None) == "thread"


def test_the_caller_runs_the_loop_itself_every_time(caller_loop: CallerLoop) -> None:
    seen = {caller_loop.run(_where()) for _ in range(20)}
    assert seen == {(id(caller_loop.loop), threading.current_thread().name)}
    assert caller_loop.errors == 0


def test_callers_on_several_threads_share_the_loop_one_at_a_time(caller_loop: CallerLoop) -> None:
    inside = 0
    most = 0

    async def visit(n: int) -> int:
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        await asyncio.sleep(0.001)
        inside -= 1
        return n

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda n: caller_loop.run(visit(n)), range(40)))
    assert results == list(range(40))
    assert most == 1  # never two drivers at once
    assert caller_loop.errors == 0


def test_spawned_work_finishes_between_tasks(caller_loop: CallerLoop) -> None:
    """Nobody calls ``run`` again: the idle thread drives the loop until the work is done."""
    done = threading.Event()

    async def write() -> None:
        await asyncio.sleep(0.1)
        done.set()

    caller_loop.spawn(write)
    assert done.wait(5)
    deadline = time.monotonic() + 5
    while caller_loop.background and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not caller_loop.background


def test_a_task_takes_the_loop_back_from_background_work(caller_loop: CallerLoop) -> None:
    finished = threading.Event()

    async def slow_write() -> None:
        await asyncio.sleep(1.0)
        finished.set()

    caller_loop.spawn(slow_write)
    time.sleep(0.1)  # the idle thread is driving now
    started = time.perf_counter()
    assert caller_loop.run(_where())[1] == threading.current_thread().name
    assert time.perf_counter() - started < 0.5  # not after the background work
    assert not finished.is_set()
    assert finished.wait(5)  # and the background work still completes afterwards


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


class SoftLimit(Exception):
    """Stands for Celery's SoftTimeLimitExceeded."""


def _raise_soft_limit(*_: object) -> None:
    raise SoftLimit


def _signal_later(signum: int, delay: float) -> subprocess.Popen[bytes]:
    """Signal this process from another one, as the prefork pool's parent does (a thread of
    ours would hand the signal over while the main thread sits in the selector, never in a
    callback)."""
    return subprocess.Popen(["sh", "-c", f"sleep {delay}; kill -{signum} {os.getpid()}"])


def _signal_self_and_wait(signum: int) -> None:
    os.kill(os.getpid(), signum)
    time.sleep(1)  # the handler runs (and raises) before this returns


@pytest.mark.skipif(SOFT_LIMIT_SIGNAL is None, reason="no soft-time-limit signal here")
def test_a_soft_time_limit_cancels_the_coroutine_then_raises_celerys_error(
    caller_loop: CallerLoop,
) -> None:
    assert SOFT_LIMIT_SIGNAL is not None
    cleaned_up = False

    async def slow() -> None:
        nonlocal cleaned_up
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            await asyncio.sleep(0.01)  # clean-up may still await
            cleaned_up = True
            raise

    previous = signal.signal(SOFT_LIMIT_SIGNAL, _raise_soft_limit)  # as the prefork pool does
    sender = _signal_later(SOFT_LIMIT_SIGNAL, 0.2)
    try:
        started = time.perf_counter()
        with pytest.raises(SoftLimit):
            caller_loop.run(slow())
        assert time.perf_counter() - started < 5
        assert cleaned_up
        assert caller_loop.errors == 0  # nothing was raised inside the loop's machinery
        assert caller_loop.run(_where())  # the loop is still usable
        # Between tasks the signal reaches the original handler, as in a sync worker.
        with pytest.raises(SoftLimit):
            _signal_self_and_wait(SOFT_LIMIT_SIGNAL)
    finally:
        sender.wait(5)
        signal.signal(SOFT_LIMIT_SIGNAL, previous)


@pytest.mark.skipif(SOFT_LIMIT_SIGNAL is None, reason="no soft-time-limit signal here")
def test_a_soft_time_limit_landing_in_a_loop_callback_is_not_swallowed(
    caller_loop: CallerLoop,
) -> None:
    """Raised inside a plain callback, asyncio would log the error and let the task run on."""
    assert SOFT_LIMIT_SIGNAL is not None

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

    previous = signal.signal(SOFT_LIMIT_SIGNAL, _raise_soft_limit)
    sender = _signal_later(SOFT_LIMIT_SIGNAL, 0.3)
    try:
        with pytest.raises(SoftLimit):
            caller_loop.run(busy(3))
        assert caller_loop.errors == 0
    finally:
        sender.wait(5)
        signal.signal(SOFT_LIMIT_SIGNAL, previous)


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
