from __future__ import annotations

from pydantic import BaseModel, Field

from atrium.realtime.handlers import SocketRouter, SocketUser

socket_router = SocketRouter()


class Echo(BaseModel):
    text: str = Field(min_length=1, max_length=20)
    times: int = Field(default=1, ge=1, le=3)


@socket_router.on("test:echo")
async def echo(payload: Echo, user: SocketUser) -> dict[str, object]:
    return {"text": payload.text * payload.times, "userId": str(user.user_id)}


@socket_router.on("test:boom")
async def boom(user: SocketUser) -> None:
    raise RuntimeError("a bug in a handler")
