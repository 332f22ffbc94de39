"""Direct messages: send (stored, then emitted to both users), conversations, read marks."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from beanie import PydanticObjectId
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.cursors import CursorPage
from atrium.notifications import limits, repository
from atrium.notifications.documents import Conversation, Message
from atrium.notifications.errors import MessageRecipientNotFound, MessageTooLong, MessageToSelf
from atrium.notifications.runtime import NotificationsRuntime
from atrium.notifications.schemas import ConversationRead, MessageCreate, MessageRead, MessagesRead
from atrium.notifications.service import now_ms
from atrium.notifications.settings import NotificationSettings
from atrium.users import service as users_service

MESSAGE_EVENT = "message"
MESSAGES_READ_EVENT = "messages:read"
PREVIEW_LENGTH = 200


def to_read(message: Message) -> MessageRead:
    return MessageRead(
        id=str(message.id),
        conversation=message.conversation,
        sender_id=message.sender_id,
        recipient_id=message.recipient_id,
        body=message.body,
        read_at=message.read_at,
        created_at=message.created_at,
    )


async def send(
    notifications: NotificationsRuntime,
    session: AsyncSession,
    sender_id: UUID,
    request: MessageCreate,
) -> MessageRead:
    """Store the message, then emit ``message`` to the recipient's and the sender's sockets.

    Rate limited per sender (429 ``MESSAGE_RATE_LIMITED``), every caller alike.
    """
    await limits.check_message(notifications, sender_id)
    settings = notifications.settings.group(NotificationSettings)
    await _check_recipient(settings.max_body_length, session, sender_id, request)
    created = now_ms()
    message = Message(
        id=PydanticObjectId(),
        conversation=repository.conversation_key(sender_id, request.recipient_id),
        sender_id=sender_id,
        recipient_id=request.recipient_id,
        body=request.body,
        created_at=created,
        expires_at=created + timedelta(days=settings.message_retention_days),
    )
    await repository.insert_message(message)
    participants = sorted({sender_id, request.recipient_id}, key=str)
    await repository.touch_conversation(message, participants, request.body[:PREVIEW_LENGTH])
    sent = to_read(message)
    payload = sent.model_dump(mode="json", by_alias=True)
    await notifications.emitter.to_users([request.recipient_id, sender_id], MESSAGE_EVENT, payload)
    return sent


async def _check_recipient(
    limit: int, session: AsyncSession, sender_id: UUID, request: MessageCreate
) -> None:
    if request.recipient_id == sender_id:
        raise MessageToSelf()
    if len(request.body) > limit:
        raise MessageTooLong(f"The message must be at most {limit} characters long.")
    recipient = await users_service.get(session, request.recipient_id)
    if recipient is None or not recipient.is_active:
        raise MessageRecipientNotFound()


async def conversation(
    user_id: UUID, peer_id: UUID, cursor: str | None, limit: int
) -> CursorPage[MessageRead]:
    """The messages between the user and ``peer_id``, newest first."""
    key = repository.conversation_key(user_id, peer_id)
    found, next_cursor = await repository.conversation_messages(key, cursor, limit)
    items = [to_read(message) for message in found]
    return CursorPage[MessageRead](items=items, next_cursor=next_cursor)


async def conversations(
    user_id: UUID, cursor: str | None, limit: int
) -> CursorPage[ConversationRead]:
    """The user's conversations, latest activity first, each with its unread count."""
    page, next_cursor = await repository.conversations(user_id, cursor, limit)
    unread = await repository.unread_by_conversation(user_id, [c.key for c in page])
    items = [_conversation_read(c, user_id, unread.get(c.key, 0)) for c in page]
    return CursorPage[ConversationRead](items=items, next_cursor=next_cursor)


def _conversation_read(conversation: Conversation, user_id: UUID, unread: int) -> ConversationRead:
    others = [p for p in conversation.participants if p != user_id]
    return ConversationRead(
        peer_id=others[0] if others else user_id,
        last_message_id=str(conversation.last_message_id),
        last_sender_id=conversation.last_sender_id,
        last_body=conversation.last_body,
        last_at=conversation.last_at,
        unread=unread,
    )


async def mark_read(
    notifications: NotificationsRuntime, user_id: UUID, peer_id: UUID
) -> MessagesRead:
    """Mark every message from ``peer_id`` read; tell both users' sockets (``messages:read``)."""
    key = repository.conversation_key(user_id, peer_id)
    at = now_ms()
    marked = await repository.mark_conversation_read(user_id, key, at)
    result = MessagesRead(reader_id=user_id, conversation=key, read_at=at, marked=marked)
    if marked:
        payload = result.model_dump(mode="json", by_alias=True)
        await notifications.emitter.to_users([peer_id, user_id], MESSAGES_READ_EVENT, payload)
    return result
