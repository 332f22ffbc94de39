"""The documents domain's rules: who reaches which document and what each may do with it.

- A document is reached by its owner, the users and roles it is shared with (as viewers or
  editors) and holders of ``documents:admin`` (``DOCUMENT_SCOPE``); anyone else gets 404
  ``DOCUMENTS_NOT_FOUND``, whether it exists or not. A document in the trash is reached only
  by the routes of the trash.
- Viewers read it, its revisions and its attachments; the owner and editors also change it (a
  viewer gets 403 ``DOCUMENTS_EDIT_FORBIDDEN``); only the owner (or an admin) shares, trashes,
  restores or purges it (403 ``DOCUMENTS_OWNER_ONLY``).
- Every save names the version it was made on and raises it by one; a stale version is a 409
  ``DOCUMENTS_VERSION_CONFLICT`` carrying the current document. Each save keeps a revision; past
  ``max_revisions`` the oldest are dropped.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.clock import utcnow
from atrium.core.datascope import Caller, Reach
from atrium.core.pages import Page, PageParams
from atrium.documents import repository, search
from atrium.documents.documents import (
    DOCUMENT_SCOPE,
    EDIT_SCOPE,
    MAX_ATTACHMENTS,
    DocumentRecord,
    DocumentRevision,
)
from atrium.documents.errors import (
    DocumentAttachmentInvalid,
    DocumentContentTooLarge,
    DocumentEditForbidden,
    DocumentNotFound,
    DocumentOwnerOnly,
    DocumentRevisionNotFound,
    DocumentShareInvalid,
    DocumentVersionConflict,
)
from atrium.documents.repository import DocumentFilters
from atrium.documents.schemas import DocumentCreate, DocumentRead, DocumentShares, DocumentUpdate
from atrium.documents.settings import DocumentSettings
from atrium.files import service as files_service
from atrium.files.documents import FileStatus
from atrium.files.errors import FilesNotFound
from atrium.rbac import repository as rbac_repository
from atrium.users import service as users_service


async def list_documents(
    caller: Caller, filters: DocumentFilters, params: PageParams, reach: Reach
) -> Page[DocumentRecord]:
    """The documents within the caller's reach passing every filter, one page."""
    return await repository.page(caller, filters, params, reach)


async def get_visible(
    caller: Caller, document_id: UUID, *, trashed: bool = False
) -> DocumentRecord:
    """The document if the caller reaches it (in the trash or out of it); else a 404."""
    found = await repository.get_in_scope(document_id, caller, trashed=trashed)
    if found is None:
        raise DocumentNotFound()
    return found


def _check_size(settings: DocumentSettings, content: str | None) -> None:
    if content is not None and len(content.encode()) > settings.max_content_bytes:
        limit = settings.max_content_bytes
        raise DocumentContentTooLarge(f"The content is larger than the limit of {limit} bytes.")


def _revision(
    doc: DocumentRecord, author: UUID, restored_from: int | None = None
) -> DocumentRevision:
    return DocumentRevision(
        document_id=doc.id,
        number=doc.version,
        title=doc.title,
        content=doc.content,
        tags=doc.tags,
        author_id=author,
        restored_from=restored_from,
    )


async def create(
    settings: DocumentSettings, owner_id: UUID, data: DocumentCreate
) -> DocumentRecord:
    """A document owned by ``owner_id``, and its first revision."""
    _check_size(settings, data.content)
    doc = DocumentRecord(
        owner_id=owner_id,
        title=data.title,
        content=data.content,
        tags=data.tags,
        words=search.words_of(data.title, data.content),
        updated_by=owner_id,
    )
    await doc.insert()
    await repository.add_revision(_revision(doc, owner_id), settings.max_revisions)
    return doc


def can_edit(doc: DocumentRecord, caller: Caller) -> bool:
    return caller.sees_all or EDIT_SCOPE.reaches(doc, caller)


def _editor_only(doc: DocumentRecord, caller: Caller) -> None:
    if not can_edit(doc, caller):
        raise DocumentEditForbidden()


def _owner_only(doc: DocumentRecord, caller: Caller) -> None:
    if not (caller.sees_all or DOCUMENT_SCOPE.owns(doc, caller)):
        raise DocumentOwnerOnly()


async def _save(
    settings: DocumentSettings,
    doc: DocumentRecord,
    version: int,
    content: dict[str, Any],
    author: UUID,
    restored_from: int | None = None,
) -> DocumentRecord:
    """Save new content on ``version`` (409 with the current document if it is stale)."""
    title, text = content.get("title", doc.title), content.get("content", doc.content)
    changes = {**content, "words": search.words_of(title, text)}
    changes |= {"updated_at": utcnow(), "updated_by": author}
    if not await repository.save_if_current(doc, version, changes):
        current = await repository.reload(doc.id)
        if current is None or current.deleted_at is not None:
            raise DocumentNotFound()
        data = DocumentRead.model_validate(current).model_dump(mode="json")
        raise DocumentVersionConflict(data=data)
    saved = await repository.reload(doc.id)
    if saved is None:  # purged between the save and the read
        raise DocumentNotFound()
    await repository.add_revision(_revision(saved, author, restored_from), settings.max_revisions)
    return saved


async def update(
    settings: DocumentSettings, caller: Caller, doc: DocumentRecord, data: DocumentUpdate
) -> DocumentRecord:
    """Change the fields sent, if ``data.version`` is the current version (else 409)."""
    _editor_only(doc, caller)
    _check_size(settings, data.content)
    content = data.model_dump(include={"title", "content", "tags"}, exclude_none=True)
    if not content and data.version == doc.version:
        return doc  # nothing to change: no new version, no revision
    return await _save(settings, doc, data.version, content, caller.user_id)


async def restore_revision(
    settings: DocumentSettings, caller: Caller, doc: DocumentRecord, number: int
) -> DocumentRecord:
    """Make an old revision the current content again: itself a new revision."""
    _editor_only(doc, caller)
    old = await repository.revision(doc.id, number)
    if old is None:
        raise DocumentRevisionNotFound()
    content = {"title": old.title, "content": old.content, "tags": old.tags}
    return await _save(settings, doc, doc.version, content, caller.user_id, restored_from=number)


async def get_revision(doc: DocumentRecord, number: int) -> DocumentRevision:
    found = await repository.revision(doc.id, number)
    if found is None:
        raise DocumentRevisionNotFound()
    return found


async def revisions(doc: DocumentRecord, params: PageParams) -> Page[DocumentRevision]:
    """The revisions kept of ``doc``, newest first."""
    return await repository.revisions(doc.id, params)


async def _check_shares(session: AsyncSession, shares: DocumentShares) -> None:
    for user_id in {*shares.viewer_ids, *shares.editor_ids}:
        user = await users_service.get(session, user_id)
        if user is None or not user.is_active:
            raise DocumentShareInvalid(f"No active user has the id {user_id}.")
    role_ids = {*shares.viewer_role_ids, *shares.editor_role_ids}
    found = {role.id for role in await rbac_repository.roles_by_ids(session, role_ids)}
    if missing := role_ids - found:
        raise DocumentShareInvalid(f"No role has the id {sorted(map(str, missing))[0]}.")


async def share(
    session: AsyncSession, caller: Caller, doc: DocumentRecord, shares: DocumentShares
) -> tuple[DocumentRecord, set[UUID]]:
    """Replace whom the document is shared with; also the users who may have lost it."""
    _owner_only(doc, caller)
    await _check_shares(session, shares)
    before_users = {*doc.viewer_ids, *doc.editor_ids}
    before_roles = {*doc.viewer_role_ids, *doc.editor_role_ids}
    await repository.set_fields(doc.id, shares.model_dump(by_alias=False))
    changed = await repository.reload(doc.id)
    if changed is None:
        raise DocumentNotFound()
    lost = before_users - {*shares.viewer_ids, *shares.editor_ids}
    lost_roles = before_roles - {*shares.viewer_role_ids, *shares.editor_role_ids}
    if lost_roles:
        lost |= set(await rbac_repository.member_ids(session, lost_roles))
    return changed, lost


async def trash(caller: Caller, doc: DocumentRecord) -> None:
    """Move the document to the trash (purged after the retention period)."""
    _owner_only(doc, caller)
    await repository.set_fields(doc.id, {"deleted_at": utcnow()})


async def restore(caller: Caller, doc: DocumentRecord) -> DocumentRecord:
    """Take the document out of the trash."""
    _owner_only(doc, caller)
    await repository.set_fields(doc.id, {"deleted_at": None})
    doc.deleted_at = None
    return doc


async def purge(caller: Caller, doc: DocumentRecord) -> None:
    """Remove a document in the trash for good, with its revisions."""
    _owner_only(doc, caller)
    await repository.purge([doc.id])


async def _readable_file(viewer: files_service.Viewer, file_id: UUID) -> UUID:
    try:
        found = await files_service.get_visible(viewer, file_id, reading=True)
    except FilesNotFound:
        raise DocumentAttachmentInvalid() from None
    if found.status is not FileStatus.COMPLETE:
        raise DocumentAttachmentInvalid("The file's upload is not complete.")
    return found.id


async def attach(
    caller: Caller, viewer: files_service.Viewer, doc: DocumentRecord, file_id: UUID
) -> DocumentRecord:
    """Attach a complete file the caller may read (asked of the files domain)."""
    _editor_only(doc, caller)
    file_id = await _readable_file(viewer, file_id)
    if file_id not in doc.attachment_ids:
        if len(doc.attachment_ids) >= MAX_ATTACHMENTS:
            raise DocumentAttachmentInvalid(f"A document holds at most {MAX_ATTACHMENTS} files.")
        doc.attachment_ids = [*doc.attachment_ids, file_id]
        await repository.set_fields(doc.id, {"attachment_ids": doc.attachment_ids})
    return doc


async def detach(caller: Caller, doc: DocumentRecord, file_id: UUID) -> DocumentRecord:
    _editor_only(doc, caller)
    if file_id in doc.attachment_ids:
        doc.attachment_ids = [found for found in doc.attachment_ids if found != file_id]
        await repository.set_fields(doc.id, {"attachment_ids": doc.attachment_ids})
    return doc
