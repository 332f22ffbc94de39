"""Notification and message routes: the reader's feed, admin sends, conversations."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query

from atrium.auth.deps import CurrentPrincipal
from atrium.core.cursors import CursorPage
from atrium.core.deps import SessionDep
from atrium.core.pagination import CursorLimitDep
from atrium.core.responses import AUTH_ERROR_RESPONSES, Envelope, error_responses, ok
from atrium.core.routing import Access, access
from atrium.notifications import messages, service
from atrium.notifications.deps import NotificationsDep, ReaderDep
from atrium.notifications.schemas import (
    ConversationRead,
    MarkedRead,
    MessageCreate,
    MessageRead,
    MessagesRead,
    NotificationRead,
    NotificationSend,
    NotificationsSent,
    UnreadCount,
)

router = APIRouter(responses=AUTH_ERROR_RESPONSES)
AUTHENTICATED = access(Access.AUTHENTICATED)
NotificationID = Annotated[str, Path(description="The notification's id")]
PeerID = Annotated[UUID, Path(description="The other user's id")]
Cursor = Annotated[str | None, Query(description="From the previous page's nextCursor")]


@router.get("/notifications", tags=["notifications"], openapi_extra=AUTHENTICATED)
async def list(
    reader: ReaderDep,
    limit: CursorLimitDep,
    cursor: Cursor = None,
    unread: Annotated[bool, Query(description="Only unread ones")] = False,
) -> Envelope[CursorPage[NotificationRead]]:
    """Your notifications, newest first (cursor-paginated)."""
    return ok(await service.feed(reader, cursor, limit, unread))


@router.get("/notifications/unread-count", tags=["notifications"], openapi_extra=AUTHENTICATED)
async def unread_count(reader: ReaderDep) -> Envelope[UnreadCount]:
    """How many of your notifications are unread."""
    return ok(UnreadCount(unread=await service.unread_count(reader)))


@router.post("/notifications/read-all", tags=["notifications"], openapi_extra=AUTHENTICATED)
async def read_all(reader: ReaderDep) -> Envelope[MarkedRead]:
    """Mark all your notifications read."""
    return ok(MarkedRead(marked=await service.mark_all_read(reader)))


@router.post(
    "/notifications/{notification_id}/read",
    tags=["notifications"],
    openapi_extra=AUTHENTICATED,
    responses=error_responses(404),
)
async def read(reader: ReaderDep, notification_id: NotificationID) -> Envelope[NotificationRead]:
    """Mark one of your notifications read."""
    return ok(await service.mark_read(reader, notification_id))


@router.delete(
    "/notifications/{notification_id}",
    tags=["notifications"],
    openapi_extra=AUTHENTICATED,
    responses=error_responses(404),
)
async def delete(reader: ReaderDep, notification_id: NotificationID) -> Envelope[None]:
    """Delete one of your notifications."""
    await service.delete(reader, notification_id)
    return ok(None)


@router.post(
    "/notifications/send",
    tags=["notifications"],
    status_code=201,
    responses=error_responses(404, 429),
)
async def send(
    request: NotificationSend,
    notifications: NotificationsDep,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> Envelope[NotificationsSent]:
    """Send a notification to users, to roles, or to everyone (admin)."""
    return ok(await service.send(notifications, session, request, principal.user_id))


@router.post(
    "/messages",
    tags=["messages"],
    openapi_extra=AUTHENTICATED,
    status_code=201,
    responses=error_responses(400, 404, 429),
)
async def send_message(
    request: MessageCreate,
    notifications: NotificationsDep,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> Envelope[MessageRead]:
    """Send a message to another user."""
    return ok(await messages.send(notifications, session, principal.user_id, request))


@router.get("/messages/conversations", tags=["messages"], openapi_extra=AUTHENTICATED)
async def conversations(
    principal: CurrentPrincipal, limit: CursorLimitDep, cursor: Cursor = None
) -> Envelope[CursorPage[ConversationRead]]:
    """Your conversations, latest first, with unread counts."""
    return ok(await messages.conversations(principal.user_id, cursor, limit))


@router.get("/messages/conversations/{peer_id}", tags=["messages"], openapi_extra=AUTHENTICATED)
async def conversation(
    principal: CurrentPrincipal, peer_id: PeerID, limit: CursorLimitDep, cursor: Cursor = None
) -> Envelope[CursorPage[MessageRead]]:
    """The messages between you and another user, newest first."""
    return ok(await messages.conversation(principal.user_id, peer_id, cursor, limit))


@router.post(
    "/messages/conversations/{peer_id}/read", tags=["messages"], openapi_extra=AUTHENTICATED
)
async def read_conversation(
    notifications: NotificationsDep, principal: CurrentPrincipal, peer_id: PeerID
) -> Envelope[MessagesRead]:
    """Mark the messages another user sent you read."""
    return ok(await messages.mark_read(notifications, principal.user_id, peer_id))
