"""The API process's Celery app (to publish "run now" and list registered tasks)."""

from __future__ import annotations

import asyncio

from celery import Celery
from fastapi import FastAPI

from atrium.core.state import AppState, StateKey

CELERY_APP: StateKey[Celery] = StateKey("scheduler.celery_app")


async def startup(state: AppState, app: FastAPI) -> None:
    from atrium.worker.app import celery_app, configure, registered_task_names

    configure(celery_app, state.settings)  # this app's broker, before any connection
    await asyncio.to_thread(registered_task_names, celery_app)  # import task modules once
    state.set(CELERY_APP, celery_app)
