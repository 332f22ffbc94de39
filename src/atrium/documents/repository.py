"""The documents domain's queries: every read and write of its two collections is here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from atrium.core.datascope import Caller, Reach
from atrium.core.pages import Page, PageParams, make_page
from atrium.documents import search
from atrium.documents.documents import DOCUMENT_SCOPE, DocumentRecord, DocumentRevision


@dataclass(frozen=True, slots=True)
class DocumentFilters:
    """What a list keeps: every filter given must hold."""

    q: str | None = None
    tag: str | None = None
    trash: bool = False

    def mongo(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = [
            {"deleted_at": {"$ne": None}} if self.trash else {"deleted_at": None}
        ]
        if self.q and (words := search.matching(self.q)):
            found.append(words)
        if self.tag:
            found.append({"tags": self.tag.strip().casefold()})
        return found


async def get_in_scope(
    document_id: UUID, caller: Caller, *, trashed: bool = False
) -> DocumentRecord | None:
    """The document if it is within the caller's scope and in (``trashed``) or out of the
    trash, else None."""
    where = {"_id": document_id, "deleted_at": {"$ne": None} if trashed else None}
    return await DocumentRecord.find(
        {"$and": [where, DOCUMENT_SCOPE.mongo(caller)]}
    ).first_or_none()


async def page(
    caller: Caller, filters: DocumentFilters, params: PageParams, reach: Reach
) -> Page[DocumentRecord]:
    """One page of the documents in reach passing the filters, last changed first."""
    query = DocumentRecord.find({"$and": [DOCUMENT_SCOPE.mongo(caller, reach), *filters.mongo()]})
    total = await query.count()
    items = await query.sort("-updated_at", "-_id").skip(params.offset).limit(params.size).to_list()
    return make_page(items, total, params)


async def save_if_current(doc: DocumentRecord, version: int, changes: dict[str, Any]) -> bool:
    """Apply ``changes`` and raise the version, if the stored version is still ``version``:
    one atomic update, so of two saves on the same version exactly one wins."""
    collection = DocumentRecord.get_pymongo_collection()
    result = await collection.update_one(
        {"_id": doc.id, "version": version, "deleted_at": None},
        {"$set": changes, "$inc": {"version": 1}},
    )
    return result.modified_count == 1


async def set_fields(document_id: UUID, changes: dict[str, Any]) -> None:
    """Change fields that are not content (shares, trash): no new version."""
    await DocumentRecord.get_pymongo_collection().update_one(
        {"_id": document_id}, {"$set": changes}
    )


async def reload(document_id: UUID) -> DocumentRecord | None:
    return await DocumentRecord.get(document_id)


async def add_revision(revision: DocumentRevision, keep: int) -> None:
    """Store a revision, then drop the oldest beyond ``keep``."""
    await revision.insert()
    old = (
        await DocumentRevision.find({"document_id": revision.document_id})
        .sort("-number")
        .skip(keep)
        .to_list()
    )
    if old:
        await DocumentRevision.find({"_id": {"$in": [r.id for r in old]}}).delete()


async def revisions(document_id: UUID, params: PageParams) -> Page[DocumentRevision]:
    query = DocumentRevision.find({"document_id": document_id})
    total = await query.count()
    items = await query.sort("-number").skip(params.offset).limit(params.size).to_list()
    return make_page(items, total, params)


async def revision(document_id: UUID, number: int) -> DocumentRevision | None:
    return await DocumentRevision.find_one({"document_id": document_id, "number": number})


async def purge(document_ids: list[UUID]) -> None:
    """Remove documents and every revision of them."""
    await DocumentRevision.find({"document_id": {"$in": document_ids}}).delete()
    await DocumentRecord.find({"_id": {"$in": document_ids}}).delete()


async def trashed_before(moment: datetime, limit: int) -> list[UUID]:
    found = (
        await DocumentRecord.find({"deleted_at": {"$ne": None, "$lt": moment}})
        .limit(limit)
        .to_list()
    )
    return [doc.id for doc in found]


async def attached_in_scope(file_id: UUID, caller: Caller) -> bool:
    """Whether a document the caller reaches (not in the trash) has this file attached."""
    where = {"attachment_ids": file_id, "deleted_at": None}
    found = DocumentRecord.find({"$and": [where, DOCUMENT_SCOPE.mongo(caller)]})
    return await found.count() > 0
