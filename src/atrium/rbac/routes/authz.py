"""``GET /authz/explain``. (``GET /auth/me`` is the users domain's, with RBAC's part:
``atrium.rbac.me``.)"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from atrium.core.deps import SessionDep, SettingsDep
from atrium.core.responses import Envelope, ok
from atrium.rbac import authz
from atrium.rbac.delegation import Actor
from atrium.rbac.deps import CatalogueDep, PermissionsDep
from atrium.rbac.patterns import METHODS
from atrium.rbac.schemas import MAX_GRANTS, MAX_IDS, ExplainRead

router = APIRouter(prefix="/authz", tags=["authz"])
METHOD_PATTERN = "^(?i:" + "|".join(sorted(METHODS)) + ")$"


@router.get("/explain")
async def explain(
    session: SessionDep,
    settings: SettingsDep,
    catalogue: CatalogueDep,
    user_id: Annotated[UUID, Query(alias="userId")],
    method: Annotated[str, Query(pattern=METHOD_PATTERN)],
    path: Annotated[str, Query(min_length=1, max_length=1000, description="Template or URL")],
    permissions: PermissionsDep,
    role_ids: Annotated[
        list[UUID] | None,
        Query(alias="roleIds", max_length=MAX_IDS, description="Roles the request would assign"),
    ] = None,
    grants: Annotated[
        list[str] | None,
        Query(max_length=MAX_GRANTS, description="Grants the request would give a role"),
    ] = None,
) -> Envelope[ExplainRead]:
    """Which role and grant let a user call ``method path``, or why they may not."""
    actor = Actor.of(await permissions.get(user_id))
    given = authz.DelegationInput(role_ids=role_ids, grants=grants)
    prefix = settings.api_prefix
    result = await authz.explain(session, catalogue, prefix, user_id, method, path, given, actor)
    return ok(result)
