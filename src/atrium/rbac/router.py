"""RBAC routes: user administration, roles, menus, the catalogue, ``explain``, and ``me`` (the
users domain's route with RBAC's part).

The resource modules' routes are copied into one flat router instead of nested with
``include_router``: FastAPI 0.165 matches nested routers level by level (twice per level), so
every extra level costs every request that reaches it.
"""

from __future__ import annotations

from fastapi import APIRouter

from atrium.rbac import me
from atrium.rbac.routes import authz, menus, permissions, roles, users

router = APIRouter()
for module_router in (
    me.router,
    users.router,
    roles.router,
    menus.router,
    permissions.router,
    authz.router,
):
    router.routes.extend(module_router.routes)  # each route already carries its full path
