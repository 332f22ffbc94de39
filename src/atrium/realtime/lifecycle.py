"""Realtime at build time (mount Socket.IO, gather every domain's socket events) and at startup."""

from __future__ import annotations

import gc

import structlog
from fastapi import FastAPI

from atrium.config import Environment, Settings
from atrium.core.codes import declare
from atrium.core.domain import load_domains
from atrium.core.state import AppState
from atrium.realtime.access import install_default_policy
from atrium.realtime.emitter import EMITTER
from atrium.realtime.handlers import SocketRouter
from atrium.realtime.roles import install_default_lookup
from atrium.realtime.server import REALTIME, RealtimeServer
from atrium.realtime.settings import RealtimeSettings

log = structlog.get_logger(__name__)


def socket_router(settings: Settings) -> SocketRouter:
    """Every configured domain's socket events (its entry's ``events`` module), merged."""
    merged = SocketRouter()
    for domain in load_domains(settings):
        found = domain.attribute(domain.events, "socket_router", SocketRouter)
        if found is not None:
            merged.include(found)
    return merged


def install(app: FastAPI, settings: Settings) -> None:
    """Build the server (no I/O) and mount it at realtime's ``path`` setting."""
    router = socket_router(settings)
    declare(app, *router.declared())  # every event's code, for the permission catalogue
    server = RealtimeServer(settings, router)
    app.state.realtime = server
    app.mount(settings.group(RealtimeSettings).path, server.asgi_app(), name="socketio")


async def startup(state: AppState, app: FastAPI) -> None:
    server: RealtimeServer = app.state.realtime
    install_default_lookup(state)
    install_default_policy(state)
    await server.start(state)
    state.set(REALTIME, server)
    state.set(EMITTER, server.emitter)
    if (thresholds := state.settings.group(RealtimeSettings).gc_thresholds) is not None:
        gc.set_threshold(*thresholds)
    if _gc_freeze(state.settings):
        # Start-up objects (modules, the app, clients) live forever: keep full collections
        # from walking them again and again (see docs/benchmarks.md, realtime).
        gc.collect()
        gc.freeze()
        log.info("gc_frozen", objects=gc.get_freeze_count())


def _gc_freeze(settings: Settings) -> bool:
    if (freeze := settings.group(RealtimeSettings).gc_freeze) is not None:
        return freeze
    return settings.environment is not Environment.TESTING


async def shutdown(state: AppState) -> None:
    server = state.find(REALTIME)
    if server is not None:
        await server.stop()
