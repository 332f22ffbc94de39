"""The documents API: list and search, create, read, edit (optimistic concurrency), share,
revisions, attachments, trash.

Each route needs a permission code derived from its method and path, granted through roles
(the seeded ``user`` role holds them all); within a route, ``service.py``'s rules decide who
reaches and may change a document (``documents:admin`` reaches every one).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from atrium.core.datascope import Reach
from atrium.core.deps import SessionDep, StateDep
from atrium.core.pages import Page
from atrium.core.pagination import PageParamsDep
from atrium.core.responses import Envelope, error_responses, ok
from atrium.documents import live, service
from atrium.documents.deps import (
    DOCUMENTS_ADMIN,
    CallerDep,
    DocumentSettingsDep,
    TrashedDocument,
    VisibleDocument,
)
from atrium.documents.documents import DocumentRecord, DocumentRevision
from atrium.documents.repository import DocumentFilters
from atrium.documents.schemas import (
    AttachmentAdd,
    DocumentCreate,
    DocumentRead,
    DocumentShares,
    DocumentSummary,
    DocumentUpdate,
    FileID,
    RevisionNumber,
    RevisionRead,
    RevisionSummary,
)
from atrium.files.deps import ViewerDep

router = APIRouter(prefix="/documents", tags=["documents"])
ONE = error_responses(401, 403, 404)
WRITE = error_responses(401, 403, 404, 409, 413, 422)


def list_filters(
    q: Annotated[
        str | None, Query(max_length=200, description="Words of the title or content, all of them")
    ] = None,
    tag: Annotated[str | None, Query(max_length=40, description="Only with this tag")] = None,
    trash: Annotated[bool, Query(description="The documents in the trash instead")] = False,
) -> DocumentFilters:
    return DocumentFilters(q, tag, trash)


FiltersDep = Annotated[DocumentFilters, Depends(list_filters)]
ScopeQuery = Annotated[
    Reach, Query(description="own: mine; shared: shared with me; all: every one I may see")
]


def read(doc: DocumentRecord) -> DocumentRead:
    return DocumentRead.model_validate(doc)


def revision_page(page: Page[DocumentRevision]) -> Page[RevisionSummary]:
    return Page[RevisionSummary].model_validate(page, from_attributes=True)


@router.get("", responses=error_responses(401, 403, 422))
async def list(
    caller: CallerDep, filters: FiltersDep, params: PageParamsDep, scope: ScopeQuery = Reach.ALL
) -> Envelope[Page[DocumentSummary]]:
    """Documents I own or that are shared with me, searched and filtered, last changed first."""
    found = await service.list_documents(caller, filters, params, scope)
    return ok(Page[DocumentSummary].model_validate(found, from_attributes=True))


@router.post("", status_code=201, responses=error_responses(401, 403, 413, 422))
async def create(
    body: DocumentCreate, caller: CallerDep, settings: DocumentSettingsDep
) -> Envelope[DocumentRead]:
    """Create a document, owned by the caller (its first revision)."""
    return ok(read(await service.create(settings, caller.user_id, body)))


@router.get("/{document_id}", responses=ONE)
async def get(doc: VisibleDocument) -> Envelope[DocumentRead]:
    """One document I may read."""
    return ok(read(doc))


@router.patch("/{document_id}", responses=WRITE)
async def update(
    doc: VisibleDocument,
    body: DocumentUpdate,
    caller: CallerDep,
    settings: DocumentSettingsDep,
    state: StateDep,
) -> Envelope[DocumentRead]:
    """Edit a document on its current version (409 with the current one if it is stale)."""
    saved = await service.update(settings, caller, doc, body)
    await live.updated(state, saved)
    return ok(read(saved))


@router.delete("/{document_id}", responses=ONE)
async def delete(doc: VisibleDocument, caller: CallerDep) -> Envelope[None]:
    """Move a document to the trash (owner only)."""
    await service.trash(caller, doc)
    return ok(None, message="Moved to the trash")


@router.post("/{document_id}/restore", responses=ONE)
async def restore(doc: TrashedDocument, caller: CallerDep) -> Envelope[DocumentRead]:
    """Take a document out of the trash (owner only)."""
    return ok(read(await service.restore(caller, doc)))


@router.delete("/{document_id}/purge", responses=ONE)
async def purge(doc: TrashedDocument, caller: CallerDep) -> Envelope[None]:
    """Remove a document in the trash for good, with its revisions (owner only)."""
    await service.purge(caller, doc)
    return ok(None, message="Purged")


@router.put("/{document_id}/shares", responses=error_responses(401, 403, 404, 422))
async def share(
    doc: VisibleDocument,
    body: DocumentShares,
    caller: CallerDep,
    session: SessionDep,
    state: StateDep,
) -> Envelope[DocumentRead]:
    """Replace whom a document is shared with (owner only); who lost it leaves its room."""
    changed, lost = await service.share(session, caller, doc, body)
    await live.drop_lost(state, changed, lost, DOCUMENTS_ADMIN.code)
    return ok(read(changed))


@router.get("/{document_id}/revisions", responses=ONE)
async def list_revisions(
    doc: VisibleDocument, params: PageParamsDep
) -> Envelope[Page[RevisionSummary]]:
    """The revisions kept of a document, newest first."""
    return ok(revision_page(await service.revisions(doc, params)))


@router.get("/{document_id}/revisions/{number}", responses=ONE)
async def get_revision(doc: VisibleDocument, number: RevisionNumber) -> Envelope[RevisionRead]:
    """One revision of a document."""
    return ok(RevisionRead.model_validate(await service.get_revision(doc, number)))


@router.post("/{document_id}/revisions/{number}/restore", responses=WRITE)
async def restore_revision(
    doc: VisibleDocument,
    number: RevisionNumber,
    caller: CallerDep,
    settings: DocumentSettingsDep,
    state: StateDep,
) -> Envelope[DocumentRead]:
    """Make a revision the current content again (a new revision)."""
    saved = await service.restore_revision(settings, caller, doc, number)
    await live.updated(state, saved)
    return ok(read(saved))


@router.post("/{document_id}/attachments", responses=error_responses(401, 403, 404, 422))
async def attach(
    doc: VisibleDocument, body: AttachmentAdd, caller: CallerDep, viewer: ViewerDep
) -> Envelope[DocumentRead]:
    """Attach a file I may read; whoever reads the document may then read the file."""
    return ok(read(await service.attach(caller, viewer, doc, body.file_id)))


@router.delete("/{document_id}/attachments/{file_id}", responses=ONE)
async def detach(
    doc: VisibleDocument, file_id: FileID, caller: CallerDep
) -> Envelope[DocumentRead]:
    """Detach a file from a document (the file itself stays)."""
    return ok(read(await service.detach(caller, doc, file_id)))
