from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from atrium.core.deps import SessionDep
from atrium.core.errors import Conflict, NotFound
from atrium.core.responses import Envelope, ok
from atrium.rbac import repository as rbac_repository
from atrium.users import service as users_service
from atrium.users.models import UserStatus

router = APIRouter(prefix="/plain", tags=["plain"])


class PlainFailed(Conflict):
    """Raised after the change was flushed, so the request rolls back."""

    code = "PLAIN_FAILED"


@router.post("/users/{user_id}/disable")
async def disable(user_id: UUID, session: SessionDep) -> Envelope[None]:
    """Disable a user through the users service (which knows nothing of RBAC)."""
    user = await users_service.get(session, user_id)
    if user is None:
        raise NotFound("No such user.")
    await users_service.set_status(session, user, UserStatus.DISABLED)
    return ok(None)


@router.post("/users/{user_id}/disable-then-fail")
async def disable_then_fail(user_id: UUID, session: SessionDep) -> Envelope[None]:
    """Disable a user, flush, then fail: the request rolls back."""
    await disable(user_id, session)
    await session.flush()
    raise PlainFailed("Something else went wrong.")


@router.delete("/roles/{role_id}/grants")
async def clear_grants(role_id: UUID, session: SessionDep) -> Envelope[None]:
    """Take every grant from a role through the RBAC repository (a bulk statement)."""
    await rbac_repository.set_grants(session, role_id, [])
    return ok(None)
