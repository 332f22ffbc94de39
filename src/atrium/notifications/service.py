"""Notification rules: store first, then emit; the reader's feed, counts, reads and deletes.

``notify`` is the one way to create notifications, from a route, a service or a Celery task
(on a worker it emits through a write-only Redis manager). It takes the notifications runtime
(``atrium.notifications.runtime``: settings, emitter, rate limiter), made from the process's
state where the call starts::

    from atrium.notifications import service as notifications
    from atrium.notifications.runtime import runtime

    await notifications.notify(
        runtime(state), users=[user_id], title="Report ready", data={"id": rid}
    )
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from beanie import PydanticObjectId
from bson.errors import InvalidId
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core import limits
from atrium.core.clock import utcnow
from atrium.core.cursors import CursorPage
from atrium.notifications import limits as rate_limits
from atrium.notifications import repository
from atrium.notifications.documents import Audience, Notification
from atrium.notifications.errors import NotificationNotFound, NotificationRecipientNotFound
from atrium.notifications.repository import Reader, ReaderState
from atrium.notifications.runtime import NotificationsRuntime
from atrium.notifications.schemas import NotificationRead, NotificationSend, NotificationsSent
from atrium.notifications.settings import NotificationSettings
from atrium.users import repository as users_repository

NOTIFICATION_EVENT = "notification"


def now_ms() -> datetime:
    """Now, at MongoDB's precision (milliseconds), so what is emitted equals what is stored."""
    now = utcnow()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def to_read(notification: Notification, state: ReaderState | None = None) -> NotificationRead:
    read_at = state.read_at(notification) if state else notification.read_at
    return NotificationRead(
        id=str(notification.id),
        audience=notification.audience,
        type=notification.type,
        title=notification.title,
        body=notification.body,
        data=notification.data,
        sender_id=notification.sender_id,
        read_at=read_at,
        created_at=notification.created_at,
    )


async def notify(
    notifications: NotificationsRuntime,
    *,
    title: str,
    users: Sequence[UUID] = (),
    roles: Sequence[str] = (),
    everyone: bool = False,
    type: str = "info",
    body: str = "",
    data: dict[str, Any] | None = None,
    sender_id: UUID | None = None,
) -> list[NotificationRead]:
    """Store notifications, then emit ``notification`` with each stored one's JSON.

    Users each get their own document; roles or everyone get one shared document.
    """
    created = now_ms()
    common: dict[str, Any] = {
        "type": type,
        "title": title,
        "body": body,
        "data": data or {},
        "sender_id": sender_id,
        "created_at": created,
        "expires_at": created
        + timedelta(days=notifications.settings.group(NotificationSettings).retention_days),
    }
    docs = _documents(common, users, roles, everyone)
    await repository.insert(docs)
    sent = [to_read(doc) for doc in docs]
    await _emit(notifications, docs, sent)
    return sent


def _documents(
    common: dict[str, Any], users: Sequence[UUID], roles: Sequence[str], everyone: bool
) -> list[Notification]:
    # Ids are assigned here (time-ordered ObjectIds), so what is emitted is what was stored.
    if everyone:
        return [Notification(id=PydanticObjectId(), audience=Audience.EVERYONE, **common)]
    if roles:
        audience, shared = Audience.ROLES, sorted(set(roles))
        return [Notification(id=PydanticObjectId(), audience=audience, roles=shared, **common)]
    return [
        Notification(id=PydanticObjectId(), audience=Audience.USER, recipient_id=uid, **common)
        for uid in dict.fromkeys(users)
    ]


async def _emit(
    notifications: NotificationsRuntime, docs: list[Notification], sent: list[NotificationRead]
) -> None:
    out = notifications.emitter
    for doc, read in zip(docs, sent, strict=True):
        payload = read.model_dump(mode="json", by_alias=True)
        if doc.audience is Audience.EVERYONE:
            await out.to_everyone(NOTIFICATION_EVENT, payload)
        elif doc.audience is Audience.ROLES:
            await out.to_roles(doc.roles, NOTIFICATION_EVENT, payload)
        elif doc.recipient_id is not None:
            await out.to_users([doc.recipient_id], NOTIFICATION_EVENT, payload)


async def send(
    notifications: NotificationsRuntime,
    session: AsyncSession,
    request: NotificationSend,
    sender_id: UUID | None,
) -> NotificationsSent:
    """An admin send: the named users must exist; roles and everyone store one document.

    Rate limited per sender (429 ``NOTIFICATION_RATE_LIMITED``), every caller alike; a send with
    no sender (``None``: from a worker, a scheduled send included) counts as the system sender.
    """
    await rate_limits.check_send(notifications, sender_id)
    limits.check(request, notifications.settings)
    if request.user_ids:
        missing = set(request.user_ids) - await users_repository.existing_ids(
            session, request.user_ids
        )
        if missing:
            raise NotificationRecipientNotFound(
                "Unknown users: " + ", ".join(sorted(str(uid) for uid in missing)) + "."
            )
    sent = await notify(
        notifications,
        users=request.user_ids,
        roles=request.roles,
        everyone=request.everyone,
        type=request.type,
        title=request.title,
        body=request.body,
        data=request.data,
        sender_id=sender_id,
    )
    return NotificationsSent(audience=sent[0].audience, notifications=sent)


# --- the reader's side -------------------------------------------------------------------------


async def feed(
    reader: Reader, cursor: str | None, limit: int, unread: bool
) -> CursorPage[NotificationRead]:
    """The reader's notifications, newest first (unread only if asked), one page at a time."""
    state = await repository.reader_state(reader.user_id)
    query = repository.feed_query(reader, state, unread)
    found, next_cursor = await repository.feed(query, cursor, limit)
    items = [to_read(doc, state) for doc in found]
    return CursorPage[NotificationRead](items=items, next_cursor=next_cursor)


async def unread_count(reader: Reader) -> int:
    state = await repository.reader_state(reader.user_id)
    return await repository.count(repository.feed_query(reader, state, unread=True))


async def mark_read(reader: Reader, notification_id: str) -> NotificationRead:
    """Mark one of the reader's notifications read (idempotent)."""
    notification = await _visible(reader, notification_id)
    assert notification.id is not None
    if notification.audience is Audience.USER:
        await repository.mark_own_read(reader.user_id, notification.id, now_ms())
    else:
        await repository.mark_receipt_read(notification, reader.user_id, now_ms())
    fresh = await repository.get(notification.id) or notification
    return to_read(fresh, await repository.reader_state(reader.user_id))


async def mark_all_read(reader: Reader) -> int:
    """Mark every notification of the reader read; how many were unread."""
    at = now_ms()
    state = await repository.reader_state(reader.user_id)
    shared_unread = await repository.count(
        {
            "$and": [
                repository.feed_query(reader, state, unread=True),
                {"audience": {"$ne": Audience.USER.value}},
            ]
        }
    )
    own = await repository.mark_all_own_read(reader.user_id, at)
    await repository.move_watermark(reader.user_id, at)
    return own + shared_unread


async def delete(reader: Reader, notification_id: str) -> None:
    """Delete one of the reader's notifications (a shared one is hidden for this reader only)."""
    notification = await _visible(reader, notification_id)
    assert notification.id is not None
    if notification.audience is Audience.USER:
        await repository.delete_own(reader.user_id, notification.id)
    else:
        await repository.set_receipt(notification, reader.user_id, {"deleted": True})


async def _visible(reader: Reader, notification_id: str) -> Notification:
    """The notification if it is the reader's (and not deleted by them); 404 otherwise."""
    object_id = _object_id(notification_id)
    notification = await repository.get(object_id) if object_id else None
    if notification is None or not _addressed_to(reader, notification):
        raise NotificationNotFound()
    if notification.audience is not Audience.USER:
        state = await repository.reader_state(reader.user_id)
        if object_id in state.deleted:
            raise NotificationNotFound()
    return notification


def _addressed_to(reader: Reader, notification: Notification) -> bool:
    if notification.audience is Audience.USER:
        return notification.recipient_id == reader.user_id
    if notification.created_at < reader.since:
        return False
    return notification.audience is Audience.EVERYONE or bool(
        set(notification.roles) & set(reader.roles)
    )


def _object_id(value: str) -> PydanticObjectId | None:
    try:
        return PydanticObjectId(value)
    except (InvalidId, TypeError, ValueError):
        return None
