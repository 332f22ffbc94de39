"""The audit log wherever it runs: the middleware (at build time), the commit hook that gathers
what each call changed (wherever SQL opens), and the writer (started with the app)."""

from __future__ import annotations

from fastapi import FastAPI

from atrium.audit.middleware import AuditMiddleware
from atrium.audit.recording import ChangeCollector
from atrium.audit.runtime import AUDIT, AuditRuntime
from atrium.audit.settings import AuditSettings
from atrium.audit.writer import AuditWriter
from atrium.config import Settings
from atrium.core.db import Database
from atrium.core.redis import RedisClient
from atrium.core.state import AppState


def install(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(AuditMiddleware, prefix=settings.api_prefix)


def attach(db: Database, _redis: RedisClient, _settings: Settings) -> None:
    """Every commit's rows go to the recording of the call or command that made them."""
    db.on_commit(ChangeCollector())


async def startup(state: AppState, _app: FastAPI) -> None:
    settings = state.settings.group(AuditSettings)
    writer = AuditWriter(settings)
    writer.start()
    state.set(AUDIT, AuditRuntime(settings, writer))


async def shutdown(state: AppState) -> None:
    runtime = state.find(AUDIT)
    if runtime is not None:
        await runtime.writer.stop()
