"""Socket events of documents: watch one (join its room, after the same access check as
``GET /documents/{id}``) to get ``documents.updated`` on every save, and unwatch it.

Each needs its event code (``EVENT:documents.watch``, ...), granted to the ``user`` role by the
seed (``for_every_user``).
"""

from __future__ import annotations

from atrium.documents import live, service
from atrium.documents.deps import DOCUMENTS_ADMIN
from atrium.documents.schemas import DocumentWatch, DocumentWatched
from atrium.realtime.handlers import SocketContext, SocketRouter

socket_router = SocketRouter()


@socket_router.on("documents.watch", for_every_user=True)
async def watch(payload: DocumentWatch, ctx: SocketContext) -> DocumentWatched:
    """Join a document's room (one I may read) to get its live updates."""
    caller = await live.caller_of(ctx.state, ctx.socket.user_id, DOCUMENTS_ADMIN.code)
    doc = await service.get_visible(caller, payload.document_id)
    await live.enter(ctx.state, ctx.sid, doc.id)
    return DocumentWatched(document_id=doc.id, version=doc.version)


@socket_router.on("documents.unwatch", for_every_user=True)
async def unwatch(payload: DocumentWatch, ctx: SocketContext) -> None:
    """Leave a document's room."""
    await live.leave(ctx.state, ctx.sid, payload.document_id)
