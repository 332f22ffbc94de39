"""Notifications and messages in MongoDB.

A notification addressed to users is one document per user. One addressed to roles or to
everyone is a single shared document, whatever the number of readers: each reader's state of it
lives in a small ``NotificationReceipt`` (read or deleted) written only when that reader acts,
and "mark all read" moves the reader's ``NotificationWatermark`` instead of writing anything per
notification. Every document carries its own ``expires_at`` (a TTL index), so changing the
retention needs no index rebuild.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from atrium.core.dailycounts import DAILY_INDEXES, DailyCount


class Audience(StrEnum):
    USER = "user"
    ROLES = "roles"
    EVERYONE = "everyone"


def _ttl() -> IndexModel:
    return IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0)


class Notification(Document):
    audience: Audience
    recipient_id: UUID | None = None  # audience USER
    roles: list[str] = []  # audience ROLES
    type: str
    title: str
    body: str = ""
    data: dict[str, Any] = {}
    sender_id: UUID | None = None
    read_at: datetime | None = None  # audience USER; shared ones keep it in receipts
    created_at: datetime
    expires_at: datetime

    class Settings:
        name = "notifications"
        indexes = [
            _ttl(),
            # The feed (newest first: ids are time-ordered) and its unread filter.
            IndexModel([("recipient_id", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("recipient_id", ASCENDING), ("read_at", ASCENDING)]),
            # Shared notifications, newest first.
            IndexModel([("audience", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("roles", ASCENDING), ("_id", DESCENDING)]),
        ]


class NotificationReceipt(Document):
    """One reader's state of a shared notification."""

    notification_id: PydanticObjectId
    user_id: UUID
    read_at: datetime | None = None
    deleted: bool = False
    expires_at: datetime

    class Settings:
        name = "notification_receipts"
        indexes = [
            _ttl(),
            IndexModel([("user_id", ASCENDING), ("notification_id", ASCENDING)], unique=True),
        ]


class NotificationWatermark(Document):
    """Shared notifications created before ``read_before`` count as read for this user."""

    user_id: UUID
    read_before: datetime

    class Settings:
        name = "notification_watermarks"
        indexes = [IndexModel([("user_id", ASCENDING)], unique=True)]


class Message(Document):
    """A direct message between two users."""

    conversation: str  # both user ids, sorted, joined by ":"
    sender_id: UUID
    recipient_id: UUID
    body: str
    read_at: datetime | None = None
    created_at: datetime
    expires_at: datetime

    class Settings:
        name = "messages"
        indexes = [
            _ttl(),
            IndexModel([("conversation", ASCENDING), ("_id", DESCENDING)]),
            IndexModel(
                [("recipient_id", ASCENDING), ("read_at", ASCENDING), ("conversation", ASCENDING)]
            ),
        ]


class Conversation(Document):
    """The latest state of a conversation, for the conversation list."""

    key: str
    participants: list[UUID]
    last_message_id: PydanticObjectId
    last_sender_id: UUID
    last_body: str = Field(description="The start of the last message.")
    last_at: datetime
    expires_at: datetime

    class Settings:
        name = "conversations"
        indexes = [
            _ttl(),
            IndexModel([("key", ASCENDING)], unique=True),
            IndexModel([("participants", ASCENDING), ("last_at", DESCENDING), ("_id", DESCENDING)]),
        ]


class NotificationDay(DailyCount):
    """Notifications sent per UTC day and audience (a shared one counts once), added as sent."""

    class Settings:
        name = "notification_days"
        indexes = DAILY_INDEXES


DOCUMENTS: list[type[Document]] = [
    Notification,
    NotificationReceipt,
    NotificationWatermark,
    Message,
    Conversation,
    NotificationDay,
]
