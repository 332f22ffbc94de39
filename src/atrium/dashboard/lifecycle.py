"""The dashboard wherever the API runs: the request counter (at build time) and the task that
stores its counts (started with the app, flushed once more at shutdown)."""

from __future__ import annotations

from fastapi import FastAPI

from atrium.config import Settings
from atrium.core.domain import load_domains
from atrium.core.state import AppState
from atrium.core.widgets import sources
from atrium.dashboard.middleware import RequestRollupMiddleware
from atrium.dashboard.rollups import RequestRollups
from atrium.dashboard.runtime import DASHBOARD, DashboardRuntime
from atrium.dashboard.settings import DashboardSettings


def install(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(RequestRollupMiddleware, prefix=settings.api_prefix)


async def startup(state: AppState, _app: FastAPI) -> None:
    settings = state.settings.group(DashboardSettings)
    rollups = RequestRollups(settings)
    rollups.start()
    widgets = sources(load_domains(state.settings))
    state.set(DASHBOARD, DashboardRuntime(settings, rollups, widgets))


async def shutdown(state: AppState) -> None:
    runtime = state.find(DASHBOARD)
    if runtime is not None:
        await runtime.rollups.stop()
