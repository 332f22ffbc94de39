"""The worker process's stores (SQL, MongoDB, Redis), opened once per process on its loop, with
every domain's commit hooks on its database (so a task's access change invalidates like a
request's) and every domain's ``worker_startup`` objects.

Prefork children open them in ``worker_process_init``; the solo and threads pools never send
that signal, so the first task to ask opens them (keyed by the process id, so a forked child
never reuses its parent's connections).
"""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING

import structlog

from atrium.config import Settings, get_settings

if TYPE_CHECKING:  # opening the stores (MinIO included) is imported only when it happens
    from atrium.core.state import AppState

log = structlog.get_logger(__name__)

_state: tuple[int, AppState] | None = None
_opening: tuple[int, asyncio.Lock] | None = None


def _lock() -> asyncio.Lock:
    global _opening
    if _opening is None or _opening[0] != os.getpid():
        _opening = (os.getpid(), asyncio.Lock())
    return _opening[1]


async def worker_state(settings: Settings | None = None) -> AppState:
    """This process's open stores; call it on the process loop (from an async task)."""
    global _state
    if _state is not None and _state[0] == os.getpid():
        return _state[1]
    async with _lock():
        if _state is None or _state[0] != os.getpid():
            from atrium.core.domain import attach_commit_hooks, load_domains, start_worker_parts
            from atrium.core.state import open_state

            settings = settings or get_settings()
            domains = load_domains(settings)
            state = await open_state(settings, domains.document_models())
            attach_commit_hooks(settings, state.db, state.redis, domains)  # tasks commit alike
            await start_worker_parts(state, domains)
            _state = (os.getpid(), state)
            log.info("worker_state_opened", pid=os.getpid())
        return _state[1]


async def close_worker_state() -> None:
    """Close this process's stores if it opened any."""
    global _state
    if _state is not None and _state[0] == os.getpid():
        state = _state[1]
        _state = None
        await state.close()


def _forget_after_fork() -> None:
    global _state, _opening
    _state = None
    _opening = None


os.register_at_fork(after_in_child=_forget_after_fork)
