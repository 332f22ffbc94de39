"""The scheduler at startup: import every task module once (off the loop), so the ops API
knows the registered task names; with realtime, follow access changes of the sockets watching
runs live (``scheduler.events.drop_lost``)."""

from __future__ import annotations

import asyncio
import functools

from fastapi import FastAPI

from atrium.core.state import AppState
from atrium.core.worker.app import CELERY, registered_task_names
from atrium.realtime.server import REALTIME
from atrium.scheduler.events import drop_lost


async def startup(state: AppState, app: FastAPI) -> None:
    await asyncio.to_thread(registered_task_names, state.get(CELERY))
    server = state.find(REALTIME)
    if server is not None:
        server.watch_access(functools.partial(drop_lost, state, server))
