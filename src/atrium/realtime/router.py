"""Realtime admin routes: who is online."""

from __future__ import annotations

from fastapi import APIRouter

from atrium.core.deps import SessionDep
from atrium.core.pagination import PageParamsDep
from atrium.core.responses import AUTH_ERROR_RESPONSES, Envelope, ok
from atrium.realtime import service
from atrium.realtime.deps import RealtimeDep
from atrium.realtime.schemas import OnlineUsers

router = APIRouter(prefix="/realtime", tags=["realtime"], responses=AUTH_ERROR_RESPONSES)


@router.get("/online")
async def online(
    realtime: RealtimeDep, session: SessionDep, params: PageParamsDep
) -> Envelope[OnlineUsers]:
    """Users with an open socket on any node, with their socket count and nodes."""
    return ok(await service.online_users(realtime.presence, session, params))
