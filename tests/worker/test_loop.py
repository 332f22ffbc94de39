"""The per-process loop: one loop for every caller thread, cancellation when a wait is cut."""

from __future__ import annotations

import asyncio
import signal
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from atrium.worker.loop import process_loop, run_async


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
