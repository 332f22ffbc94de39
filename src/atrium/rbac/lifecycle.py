"""RBAC wherever SQL opens: the commit hook that invalidates access changes (``attach``); at
startup: sync the route catalogue, start the permission cache and its invalidation listener,
and install the RBAC access policy in place of auth's (auth starts first). At build time, its
guard and listener join the user hooks (``install``)."""

from __future__ import annotations

from fastapi import FastAPI

from atrium.config import Settings
from atrium.core.access import ACCESS_POLICY
from atrium.core.codes import declared
from atrium.core.db import Database
from atrium.core.invalidation import AckedListener
from atrium.core.redis import RedisClient
from atrium.core.routing import RouteCatalogue
from atrium.core.state import AppState, StateKey
from atrium.rbac import sync, user_admin
from atrium.rbac.cache import Permissions, channel
from atrium.rbac.changes import WATCHED
from atrium.rbac.deps import PERMISSIONS
from atrium.rbac.policy import RbacAccessPolicy
from atrium.rbac.propagation import AccessHook
from atrium.rbac.settings import RbacSettings
from atrium.users.hooks import user_hooks

LISTENER: StateKey[AckedListener] = StateKey("rbac.listener")


def install(app: FastAPI, _settings: Settings) -> None:
    user_admin.register(user_hooks(app))


def attach(db: Database, redis: RedisClient, settings: Settings) -> None:
    """Every commit that changes access invalidates it everywhere before the caller goes on."""
    db.on_commit(AccessHook(db, redis, settings), WATCHED)


async def startup(state: AppState, app: FastAPI) -> None:
    settings = state.settings
    if settings.group(RbacSettings).sync_on_startup:
        catalogue: RouteCatalogue = app.state.catalogue
        routes = catalogue.under(settings.api_prefix)
        await sync.sync_routes(state.db, routes, declared(app))
    permissions = Permissions(state.db, state.redis, settings)
    if permissions.local.lease > 0:
        listener = AckedListener(state.redis, channel(settings), permissions.local)
        await listener.start()
        state.set(LISTENER, listener)
    state.set(PERMISSIONS, permissions)
    state.set(ACCESS_POLICY, RbacAccessPolicy(permissions))


async def shutdown(state: AppState) -> None:
    listener = state.find(LISTENER)
    if listener is not None:
        await listener.stop()
