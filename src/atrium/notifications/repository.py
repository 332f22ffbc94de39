"""Notification queries: the reader's feed (own and shared), counts, receipts, watermarks."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from beanie import PydanticObjectId
from pymongo.errors import DuplicateKeyError

from atrium.core.cursors import DATETIME, NEWEST_FIRST, OBJECT_ID, MongoKeyset, mongo_key
from atrium.notifications import stats
from atrium.notifications.documents import (
    Audience,
    Conversation,
    Message,
    Notification,
    NotificationReceipt,
    NotificationWatermark,
)

# Conversations by their latest message; two may share a time, their ids break the tie.
LATEST_ACTIVITY = MongoKeyset(
    mongo_key("at", "last_at", DATETIME), mongo_key("id", "_id", OBJECT_ID, attribute="id")
)


@dataclass(frozen=True, slots=True)
class Reader:
    """Who is reading: shared notifications older than ``since`` (their account) are not theirs."""

    user_id: UUID
    roles: tuple[str, ...]
    since: datetime


@dataclass(frozen=True, slots=True)
class ReaderState:
    """A reader's receipts of shared notifications and their "all read" watermark."""

    read: dict[PydanticObjectId, datetime]
    deleted: frozenset[PydanticObjectId]
    read_before: datetime | None

    def read_at(self, notification: Notification) -> datetime | None:
        if notification.audience is Audience.USER:
            return notification.read_at
        assert notification.id is not None
        if (at := self.read.get(notification.id)) is not None:
            return at
        if self.read_before is not None and notification.created_at < self.read_before:
            return self.read_before
        return None


async def reader_state(user_id: UUID) -> ReaderState:
    receipts = await NotificationReceipt.find({"user_id": user_id}).to_list()
    mark = await NotificationWatermark.find_one({"user_id": user_id})
    return ReaderState(
        read={r.notification_id: r.read_at for r in receipts if r.read_at is not None},
        deleted=frozenset(r.notification_id for r in receipts if r.deleted),
        read_before=mark.read_before if mark else None,
    )


def shared_audience(roles: Sequence[str]) -> dict[str, Any]:
    clauses: list[dict[str, Any]] = [{"audience": Audience.EVERYONE.value}]
    if roles:
        clauses.append({"audience": Audience.ROLES.value, "roles": {"$in": list(roles)}})
    return {"$or": clauses}


def feed_query(reader: Reader, state: ReaderState, unread: bool) -> dict[str, Any]:
    """The reader's notifications: their own, and the shared ones addressed to them."""
    own: dict[str, Any] = {"audience": Audience.USER.value, "recipient_id": reader.user_id}
    hidden: set[PydanticObjectId] = set(state.deleted)
    shared_since = reader.since
    if unread:
        own["read_at"] = None
        hidden |= set(state.read)
        if state.read_before is not None:
            shared_since = max(shared_since, state.read_before)
    shared: list[dict[str, Any]] = [
        shared_audience(reader.roles),
        {"created_at": {"$gte": shared_since}},
    ]
    if hidden:
        shared.append({"_id": {"$nin": sorted(hidden)}})
    return {"$or": [own, {"$and": shared}]}


async def feed(
    query: dict[str, Any], cursor: str | None, limit: int
) -> tuple[list[Notification], str | None]:
    """One page of the notifications ``query`` matches, newest first, and the next cursor."""
    return await NEWEST_FIRST.page(Notification, query, cursor, limit)


async def count(query: dict[str, Any]) -> int:
    return await Notification.find(query).count()


async def get(notification_id: PydanticObjectId) -> Notification | None:
    return await Notification.get(notification_id)


async def mark_own_read(user_id: UUID, notification_id: PydanticObjectId, at: datetime) -> None:
    await Notification.get_pymongo_collection().update_one(
        {"_id": notification_id, "recipient_id": user_id, "read_at": None},
        {"$set": {"read_at": at}},
    )


async def mark_all_own_read(user_id: UUID, at: datetime) -> int:
    result = await Notification.get_pymongo_collection().update_many(
        {"audience": Audience.USER.value, "recipient_id": user_id, "read_at": None},
        {"$set": {"read_at": at}},
    )
    return int(result.modified_count)


async def set_receipt(notification: Notification, user_id: UUID, changes: dict[str, Any]) -> None:
    """Create the reader's receipt if missing, then apply ``changes`` to it."""
    collection = NotificationReceipt.get_pymongo_collection()
    key = {"user_id": user_id, "notification_id": notification.id}
    defaults = {"read_at": None, "deleted": False, "expires_at": notification.expires_at}
    await collection.update_one(key, {"$setOnInsert": defaults}, upsert=True)
    if changes:
        await collection.update_one(key, {"$set": changes})


async def mark_receipt_read(notification: Notification, user_id: UUID, at: datetime) -> None:
    await set_receipt(notification, user_id, {})
    await NotificationReceipt.get_pymongo_collection().update_one(
        {"user_id": user_id, "notification_id": notification.id, "read_at": None},
        {"$set": {"read_at": at}},
    )


async def move_watermark(user_id: UUID, at: datetime) -> None:
    await NotificationWatermark.get_pymongo_collection().update_one(
        {"user_id": user_id}, {"$max": {"read_before": at}}, upsert=True
    )


async def delete_own(user_id: UUID, notification_id: PydanticObjectId) -> bool:
    result = await Notification.get_pymongo_collection().delete_one(
        {"_id": notification_id, "recipient_id": user_id}
    )
    return bool(result.deleted_count)


async def insert(notifications: list[Notification]) -> None:
    if len(notifications) == 1:
        await notifications[0].insert()
    elif notifications:
        await Notification.insert_many(notifications)
    await stats.sent(notifications)


# --- messages ------------------------------------------------------------------------------


def conversation_key(a: UUID, b: UUID) -> str:
    """The same key for both directions of a conversation."""
    return ":".join(sorted((str(a), str(b))))


async def insert_message(message: Message) -> None:
    await message.insert()


async def touch_conversation(message: Message, participants: list[UUID], preview: str) -> None:
    """Record ``message`` as the conversation's latest, unless a later one is there already."""
    collection = Conversation.get_pymongo_collection()
    changes = {
        "participants": participants,
        "last_message_id": message.id,
        "last_sender_id": message.sender_id,
        "last_body": preview,
        "last_at": message.created_at,
        "expires_at": message.expires_at,
    }
    newer_or_missing = {"key": message.conversation, "last_at": {"$lte": message.created_at}}
    with suppress(DuplicateKeyError):  # a later message got there first: it stays the latest
        await collection.update_one(newer_or_missing, {"$set": changes}, upsert=True)


async def conversation_messages(
    key: str, cursor: str | None, limit: int
) -> tuple[list[Message], str | None]:
    """One page of a conversation's messages, newest first, and the next cursor."""
    return await NEWEST_FIRST.page(Message, {"conversation": key}, cursor, limit)


async def conversations(
    user_id: UUID, cursor: str | None, limit: int
) -> tuple[list[Conversation], str | None]:
    """One page of the user's conversations, latest activity first, and the next cursor."""
    return await LATEST_ACTIVITY.page(Conversation, {"participants": user_id}, cursor, limit)


async def unread_by_conversation(user_id: UUID, keys: Sequence[str]) -> dict[str, int]:
    if not keys:
        return {}
    pipeline: list[dict[str, Any]] = [
        {"$match": {"recipient_id": user_id, "read_at": None, "conversation": {"$in": list(keys)}}},
        {"$group": {"_id": "$conversation", "n": {"$sum": 1}}},
    ]
    cursor = await Message.get_pymongo_collection().aggregate(pipeline)
    return {row["_id"]: int(row["n"]) async for row in cursor}


async def mark_conversation_read(user_id: UUID, key: str, at: datetime) -> int:
    result = await Message.get_pymongo_collection().update_many(
        {"conversation": key, "recipient_id": user_id, "read_at": None}, {"$set": {"read_at": at}}
    )
    return int(result.modified_count)
