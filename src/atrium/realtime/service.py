"""Presence queries for the admin API."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.pages import PageParams, make_page
from atrium.realtime.presence import OnlineSocket, Presence
from atrium.realtime.schemas import OnlineUser, OnlineUsers
from atrium.users import repository as users_repository


async def online_users(
    presence: Presence, session: AsyncSession, params: PageParams
) -> OnlineUsers:
    """One page of the users with an open socket on any node, ordered by user id."""
    sockets = await presence.sockets()
    by_user: dict[UUID, list[OnlineSocket]] = {}
    for entry in sockets:
        by_user.setdefault(entry.user_id, []).append(entry)
    page_ids = sorted(by_user, key=str)[params.offset : params.offset + params.size]
    names = await users_repository.usernames(session, page_ids)
    items = [_online_user(uid, by_user[uid], names.get(uid)) for uid in page_ids]
    page = make_page(items, len(by_user), params)
    return OnlineUsers(**page.model_dump(), total_sockets=len(sockets))


def _online_user(user_id: UUID, sockets: list[OnlineSocket], username: str | None) -> OnlineUser:
    return OnlineUser(
        user_id=user_id,
        username=username,
        sockets=len(sockets),
        nodes=sorted({entry.node for entry in sockets}),
        connected_at=min(entry.connected_at for entry in sockets),
    )
