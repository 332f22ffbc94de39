"""The parameters API under ``/parameters``: administrators list, read, create, change, reset
and delete parameters, each route with its derived permission code. Domains read values through
``core.parameters.current`` (served from the caches), not through these routes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from atrium.auth.deps import CurrentPrincipal
from atrium.core.deps import SessionDep
from atrium.core.pages import Page
from atrium.core.pagination import PageParamsDep
from atrium.core.responses import Envelope, error_responses, ok
from atrium.parameters import service
from atrium.parameters.deps import ParameterDep, RuntimeDep
from atrium.parameters.schemas import ParameterCreate, ParameterRead, ParameterUpdate

router = APIRouter(prefix="/parameters", tags=["parameters"])

ONE = error_responses(401, 403, 404, 422)
WRITE = error_responses(401, 403, 404, 409, 422, 503)


@router.get("", responses=error_responses(401, 403, 422))
async def list_parameters(
    session: SessionDep,
    runtime: RuntimeDep,
    params: PageParamsDep,
    prefix: Annotated[str | None, Query(max_length=128, description="Key starts with")] = None,
    source: Annotated[
        str | None, Query(max_length=64, description="The domain that declares it")
    ] = None,
    declared: Annotated[
        bool | None, Query(description="true: declared by a domain; false: custom")
    ] = None,
) -> Envelope[Page[ParameterRead]]:
    """Parameters, by key, in pages."""
    found = await service.list_parameters(
        session, runtime.declarations, params, prefix=prefix, source=source, declared=declared
    )
    return ok(found)


@router.post("", status_code=201, responses=WRITE)
async def create_parameter(
    body: ParameterCreate, session: SessionDep, runtime: RuntimeDep, principal: CurrentPrincipal
) -> Envelope[ParameterRead]:
    """Create a custom parameter (its key and type never change)."""
    row = await service.create(
        session, runtime.declarations, body, principal.user_id, runtime.settings.max_value_bytes
    )
    return ok(service.describe(runtime.declarations, row))


@router.get("/{key}", responses=ONE)
async def get_parameter(found: ParameterDep, runtime: RuntimeDep) -> Envelope[ParameterRead]:
    """One parameter, with its value now and its default."""
    return ok(service.describe(runtime.declarations, found))


@router.patch("/{key}", responses=WRITE)
async def update_parameter(
    found: ParameterDep,
    body: ParameterUpdate,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
) -> Envelope[ParameterRead]:
    """Change a parameter's value or description; every node reads the new value next."""
    row = await service.update(
        session,
        runtime.declarations,
        found,
        body,
        principal.user_id,
        runtime.settings.max_value_bytes,
    )
    return ok(service.describe(runtime.declarations, row))


@router.post("/{key}/reset", responses=WRITE)
async def reset_parameter(
    found: ParameterDep, session: SessionDep, runtime: RuntimeDep, principal: CurrentPrincipal
) -> Envelope[ParameterRead]:
    """Drop a declared parameter's override: its setting's value applies again."""
    row = await service.reset(session, runtime.declarations, found, principal.user_id)
    return ok(service.describe(runtime.declarations, row))


@router.delete("/{key}", responses=WRITE)
async def delete_parameter(
    found: ParameterDep, session: SessionDep, runtime: RuntimeDep
) -> Envelope[None]:
    """Delete a custom parameter (a declared one is reset instead)."""
    await service.delete(session, runtime.declarations, found)
    return ok(None, message="Deleted")
