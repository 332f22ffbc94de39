"""Wire models of the realtime domain (REST and socket events)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from atrium.core.pages import Page
from atrium.core.schemas import Schema


class OnlineUser(Schema):
    user_id: UUID
    username: str | None = None
    sockets: int
    nodes: list[str]
    connected_at: datetime = Field(description="When the user's oldest open socket connected.")


class OnlineUsers(Page[OnlineUser]):
    """A page of online users (``total`` counts users); ``totalSockets`` counts every socket."""

    total_sockets: int


class TokenRefresh(Schema):
    """``auth:refresh``: a fresh access token for an open socket."""

    token: str = Field(min_length=1, max_length=4096)


class TokenRefreshed(Schema):
    expires_at: datetime


class Pong(Schema):
    server_time: datetime
    node: str
