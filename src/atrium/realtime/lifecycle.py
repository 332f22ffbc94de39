"""Realtime at build time (mount Socket.IO, gather every domain's socket events) and at startup."""

from __future__ import annotations

import gc
import importlib
import importlib.util

import structlog
from fastapi import FastAPI

from atrium.config import Environment, Settings
from atrium.core.codes import declare
from atrium.core.state import AppState
from atrium.realtime.access import install_default_policy
from atrium.realtime.emitter import EMITTER
from atrium.realtime.handlers import SocketRouter
from atrium.realtime.roles import install_default_lookup
from atrium.realtime.server import REALTIME, RealtimeServer

log = structlog.get_logger(__name__)


def socket_router(settings: Settings) -> SocketRouter:
    """Every configured domain's ``events.socket_router``, merged."""
    merged = SocketRouter()
    for package in settings.domains:
        qualified = f"{package}.events"
        if importlib.util.find_spec(qualified) is None:
            continue
        found = getattr(importlib.import_module(qualified), "socket_router", None)
        if isinstance(found, SocketRouter):
            merged.include(found)
    return merged


def install(app: FastAPI, settings: Settings) -> None:
    """Build the server (no I/O) and mount it at ``settings.realtime.path``."""
    router = socket_router(settings)
    declare(app, *router.declared())  # every event's code, for the permission catalogue
    server = RealtimeServer(settings, router)
    app.state.realtime = server
    app.mount(settings.realtime.path, server.asgi_app(), name="socketio")


async def startup(state: AppState, app: FastAPI) -> None:
    server: RealtimeServer = app.state.realtime
    install_default_lookup(state)
    install_default_policy(state)
    await server.start(state)
    state.set(REALTIME, server)
    state.set(EMITTER, server.emitter)
    if (thresholds := state.settings.realtime.gc_thresholds) is not None:
        gc.set_threshold(*thresholds)
    if _gc_freeze(state.settings):
        # Start-up objects (modules, the app, clients) live forever: keep full collections
        # from walking them again and again (see docs/benchmarks.md, realtime).
        gc.collect()
        gc.freeze()
        log.info("gc_frozen", objects=gc.get_freeze_count())


def _gc_freeze(settings: Settings) -> bool:
    if settings.realtime.gc_freeze is not None:
        return settings.realtime.gc_freeze
    return settings.environment is not Environment.TESTING


async def shutdown(state: AppState) -> None:
    server = state.find(REALTIME)
    if server is not None:
        await server.stop()
