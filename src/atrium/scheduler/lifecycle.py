"""The scheduler at startup: import every task module once (off the loop), so the ops API
knows the registered task names."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from atrium.core.state import AppState
from atrium.core.worker.app import CELERY, registered_task_names


async def startup(state: AppState, app: FastAPI) -> None:
    await asyncio.to_thread(registered_task_names, state.get(CELERY))
