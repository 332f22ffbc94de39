"""Wire models of notifications and messages (camelCase on the wire, both cases accepted)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Self
from uuid import UUID

from pydantic import Field, StringConstraints, model_validator

from atrium.core.limits import SettingMax
from atrium.core.schemas import Schema
from atrium.notifications.documents import Audience

TypeName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
RoleCode = Annotated[str, StringConstraints(min_length=1, max_length=64)]
# Bounds from settings: enforced by the services (core.limits.check), shown in the OpenAPI.
Body = Annotated[str, SettingMax("notifications.max_body_length")]
Recipients = Annotated[list[UUID], SettingMax("notifications.max_recipients")]


class NotificationRead(Schema):
    """A notification as its reader sees it; also the payload of the ``notification`` event."""

    id: str
    audience: Audience
    type: str
    title: str
    body: str
    data: dict[str, Any]
    sender_id: UUID | None
    read_at: datetime | None
    created_at: datetime


class NotificationSend(Schema):
    """An admin send: to users, to roles, or to everyone (exactly one kind of address)."""

    user_ids: Recipients = []
    roles: list[RoleCode] = Field(default=[], max_length=100)
    everyone: bool = False
    type: TypeName = "info"
    title: str = Field(min_length=1, max_length=200)
    body: Body = ""
    data: dict[str, Any] = {}

    @model_validator(mode="after")
    def _one_address(self) -> Self:
        given = sum((bool(self.user_ids), bool(self.roles), self.everyone))
        if given != 1:
            raise ValueError("address exactly one of: userIds, roles, everyone")
        return self


class NotificationsSent(Schema):
    audience: Audience
    notifications: list[NotificationRead]


class UnreadCount(Schema):
    unread: int


class MarkedRead(Schema):
    marked: int


class MessageCreate(Schema):
    recipient_id: UUID
    body: Body = Field(min_length=1)


class MessageRead(Schema):
    """A message; also the payload of the ``message`` event."""

    id: str
    conversation: str
    sender_id: UUID
    recipient_id: UUID
    body: str
    read_at: datetime | None
    created_at: datetime


class ConversationRead(Schema):
    peer_id: UUID
    last_message_id: str
    last_sender_id: UUID
    last_body: str
    last_at: datetime
    unread: int


class MessagesRead(Schema):
    """The ``messages:read`` event: the reader has read the conversation up to ``readAt``."""

    reader_id: UUID
    conversation: str
    read_at: datetime
    marked: int


class NotificationReadRequest(Schema):
    """``notifications:read`` socket event: mark one notification read."""

    id: str = Field(min_length=1, max_length=64)


class ConversationReadRequest(Schema):
    """``messages:read`` socket event: mark a conversation read."""

    peer_id: UUID
