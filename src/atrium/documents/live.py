"""Live documents: a room per document (``document:{id}``) that collaborators join with the socket
event ``documents.watch`` after an access check; every save is announced there as
``documents.updated``; a share revoked takes the user's sockets out of the room on every node.

Everything here is a no-op when the realtime domain is not configured.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import structlog

from atrium.core.datascope import Caller
from atrium.core.state import AppState
from atrium.documents.documents import DOCUMENT_SCOPE, DocumentRecord
from atrium.documents.schemas import DocumentSummary
from atrium.rbac.deps import PERMISSIONS
from atrium.realtime.server import REALTIME, RealtimeServer

log = structlog.get_logger(__name__)

REALTIME_DOMAIN = "atrium.realtime"
UPDATED = "documents.updated"


def room(document_id: UUID) -> str:
    return f"document:{document_id}"


async def caller_of(state: AppState, user_id: UUID, capability: str) -> Caller:
    """The data-scope caller of a user outside a request (a socket event, a revoked share)."""
    found = await state.get(PERMISSIONS).get(user_id)
    sees_all = found.is_superuser or found.allows(capability)
    return Caller(user_id, found.role_ids if found.active else frozenset(), sees_all)


def _server(state: AppState) -> RealtimeServer | None:
    return state.find(REALTIME) if REALTIME_DOMAIN in state.settings.domains else None


def _started(state: AppState) -> RealtimeServer:
    server = _server(state)
    if server is None:
        raise RuntimeError("documents: the realtime domain is not configured")
    return server


async def updated(state: AppState, doc: DocumentRecord) -> None:
    """Tell the document's room it was saved (its summary: clients fetch the content)."""
    server = _server(state)
    if server is None:
        return
    data = DocumentSummary.model_validate(doc).model_dump(mode="json")
    data["updatedBy"] = str(doc.updated_by) if doc.updated_by else None
    await server.emitter.emit(UPDATED, data, room=room(doc.id))


async def enter(state: AppState, sid: str, document_id: UUID) -> None:
    await _started(state).sio.enter_room(sid, room(document_id))


async def leave(state: AppState, sid: str, document_id: UUID) -> None:
    await _started(state).sio.leave_room(sid, room(document_id))


async def drop_lost(
    state: AppState, doc: DocumentRecord, user_ids: Iterable[UUID], capability: str
) -> None:
    """Take out of the room the sockets, on any node, of users who no longer reach ``doc``."""
    server = _server(state)
    if server is None:
        return
    lost: set[UUID] = set()
    for user_id in set(user_ids):
        if not DOCUMENT_SCOPE.reaches(doc, await caller_of(state, user_id, capability)):
            lost.add(user_id)
    if not lost:
        return
    for entry in await server.presence.sockets():
        if entry.user_id in lost:
            # A socket of another node: the Redis manager tells that node to move it.
            await server.sio.leave_room(entry.sid, room(doc.id))
    log.info("documents_room_left", document_id=str(doc.id), users=len(lost))
