"""The trash is emptied after its retention period (``documents.purge_trash``): documents
trashed longer ago go with their revisions; newer ones and documents out of the trash stay."""

from __future__ import annotations

from datetime import timedelta

import httpx

from atrium.core.clock import utcnow
from atrium.core.state import AppState
from atrium.documents import repository
from atrium.documents.documents import DocumentRecord, DocumentRevision
from atrium.documents.tasks import purge_trash
from tests.support.workspace import MakeUser

from .helpers import BASE, create_document


async def test_documents_past_the_retention_are_purged(
    client: httpx.AsyncClient, state: AppState, member: MakeUser
) -> None:
    alice = await member("alice")
    old, recent, kept = [await create_document(client, alice, name) for name in ("a", "b", "c")]
    for doc in (old, recent):
        await client.delete(f"{BASE}/{doc['id']}", headers=alice.headers)
    old_doc = await DocumentRecord.get(old["id"])
    assert old_doc is not None
    await repository.set_fields(old_doc.id, {"deleted_at": utcnow() - timedelta(days=31)})
    assert await purge_trash(state) == 1
    assert await DocumentRecord.get(old["id"]) is None
    assert await DocumentRevision.find({"document_id": old_doc.id}).count() == 0
    for doc in (recent, kept):
        assert await DocumentRecord.get(doc["id"]) is not None
    assert await purge_trash(state) == 0
