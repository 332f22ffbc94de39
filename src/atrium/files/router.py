"""Files API: upload (streamed or direct to storage), list, metadata, download, delete.

Every logged-in user manages their own files; another user's file is a 404. Files admins
(superusers, or holders of the capability ``files:admin``) see and manage all of them. Another
domain may let a caller read (metadata, download) a file it does not own (``files.access``).
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request

from atrium.auth.deps import CurrentPrincipal
from atrium.core import limits
from atrium.core.clock import utcnow
from atrium.core.deps import StorageDep
from atrium.core.pages import Page
from atrium.core.pagination import PageParamsDep
from atrium.core.responses import Envelope, error_responses, ok
from atrium.core.routing import Access, access
from atrium.files import service
from atrium.files.deps import QuotaDep, ReadableFile, UploadForm, VisibleFile
from atrium.files.documents import FileObject, FileStatus
from atrium.files.schemas import DownloadLink, FileRead, UploadCreate, UploadTicket

router = APIRouter(prefix="/files", tags=["files"])

OWN = access(Access.AUTHENTICATED)
# Bytes per upload: the same setting the upload stream enforces (core.limits fills it in).
FILE_BYTES = {limits.MARKER: "storage.max_upload_bytes"}
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary", **FILE_BYTES}},
                }
            }
        },
    }
}
StatusQuery = Annotated[FileStatus, Query(description="Which files: complete or pending")]
OwnerQuery = Annotated[UUID | None, Query(alias="ownerId", description="Only this owner's")]


def read(doc: FileObject) -> FileRead:
    return FileRead.model_validate(doc)


def read_page(page: Page[FileObject]) -> Page[FileRead]:
    items = [read(doc) for doc in page.items]
    return Page[FileRead](
        items=items, total=page.total, page=page.page, size=page.size, pages=page.pages
    )


@router.post(
    "",
    status_code=201,
    openapi_extra={**OWN, **UPLOAD_BODY},
    responses=error_responses(400, 401, 413, 415, 503),
)
async def create(
    form: UploadForm, storage: StorageDep, principal: CurrentPrincipal
) -> Envelope[FileRead]:
    """Upload a file (form field ``file``), streamed to storage."""
    return ok(read(await service.upload(storage, principal.user_id, form)))


@router.get("", openapi_extra=OWN, responses=error_responses(401))
async def list_files(
    principal: CurrentPrincipal, params: PageParamsDep, status: StatusQuery = FileStatus.COMPLETE
) -> Envelope[Page[FileRead]]:
    """List my files, newest first."""
    return ok(read_page(await service.list_files(params, principal.user_id, status)))


@router.get("/all", responses=error_responses(401, 403))
async def list_all(
    params: PageParamsDep, owner_id: OwnerQuery = None, status: StatusQuery = FileStatus.COMPLETE
) -> Envelope[Page[FileRead]]:
    """List every user's files (its permission makes a files admin)."""
    return ok(read_page(await service.list_files(params, owner_id, status)))


@router.post(
    "/uploads",
    status_code=201,
    openapi_extra=OWN,
    responses=error_responses(401, 409, 413, 415, 503),
)
async def initiate_upload(
    data: UploadCreate,
    request: Request,
    storage: StorageDep,
    quota: QuotaDep,
    principal: CurrentPrincipal,
) -> Envelope[UploadTicket]:
    """Start a direct-to-storage upload: presigned URL(s) to PUT the bytes to."""
    ticket = await service.initiate(storage, quota, principal.user_id, data)
    complete_url = request.app.url_path_for("complete_upload", file_id=str(ticket.file.id))
    return ok(
        UploadTicket(
            file=read(ticket.file),
            method=ticket.method,
            url=ticket.url,
            fields=ticket.fields,
            part_size=ticket.file.part_size,
            parts=ticket.parts,
            expires_at=utcnow() + ticket.expires_in,
            complete_url=str(complete_url),
        )
    )


@router.post(
    "/{file_id}/complete", openapi_extra=OWN, responses=error_responses(401, 404, 409, 503)
)
async def complete_upload(doc: VisibleFile, storage: StorageDep) -> Envelope[FileRead]:
    """Finish a direct upload: the object must exist with the announced size (and checksum)."""
    return ok(read(await service.complete(storage, doc)))


@router.get("/{file_id}", openapi_extra=OWN, responses=error_responses(401, 404))
async def get(doc: ReadableFile) -> Envelope[FileRead]:
    """A file's metadata."""
    return ok(read(doc))


@router.get("/{file_id}/download", openapi_extra=OWN, responses=error_responses(401, 404, 409))
async def download(doc: ReadableFile, storage: StorageDep) -> Envelope[DownloadLink]:
    """A short-lived presigned URL to download the file."""
    return ok(await service.download_link(storage, doc))


@router.delete("/{file_id}", openapi_extra=OWN, responses=error_responses(401, 404, 503))
async def delete(doc: VisibleFile, storage: StorageDep) -> Envelope[None]:
    """Delete a file: its bytes and its metadata."""
    await service.delete(storage, doc)
    return ok(None, message="Deleted")
