"""Dependencies of the files routes: the viewer (owner or files admin), a visible file, the form.

"Files admin" is the capability ``files:admin`` (declared by this domain in ``lifecycle.py``,
listed in the permission catalogue, granted to roles like a route code, matched exactly: no
route pattern implies it). It is read from the caller's current RBAC permission set, never from
the token, so a demoted superuser or a role that lost it loses it on the next request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from atrium.auth.deps import CurrentPrincipal
from atrium.auth.principal import Principal
from atrium.core.codes import CodeKind, DeclaredCode
from atrium.core.deps import RedisDep, SettingsDep
from atrium.core.state import AppState
from atrium.files import access, service
from atrium.files.documents import FileObject
from atrium.files.errors import FilesFormInvalid
from atrium.files.multipart import FormFileReader
from atrium.files.quota import PendingQuota
from atrium.files.schemas import FileID
from atrium.files.service import too_large
from atrium.users import service as users_service

FILES_ADMIN = DeclaredCode(
    code="files:admin",
    kind=CodeKind.CAPABILITY,
    summary="See, download and delete every user's files",
    tags=("files",),
)
RBAC_DOMAIN = "atrium.rbac"
# Room for the form's framing (boundaries, part headers, small fields) on top of the file.
FORM_OVERHEAD_BYTES = 64 * 1024


async def holds_files_admin(request: Request, principal: Principal) -> bool:
    """Whether the caller holds ``files:admin`` now (superusers do)."""
    state: AppState = request.app.state.atrium
    if RBAC_DOMAIN in state.settings.domains:
        # Imported here: the files domain works without RBAC configured.
        from atrium.rbac.deps import holds

        return await holds(request, principal, FILES_ADMIN.code)
    async with state.db.session() as session:  # no RBAC: superusers only, as stored now
        user = await users_service.get(session, principal.user_id)
    return user is not None and user.is_active and user.is_superuser


async def current_viewer(request: Request, principal: CurrentPrincipal) -> service.Viewer:
    answer: list[bool] = []

    async def is_admin() -> bool:
        if not answer:
            answer.append(await holds_files_admin(request, principal))
        return answer[0]

    async def may_read(doc: FileObject) -> bool:
        return await access.granted(request, principal, doc)

    return service.Viewer(principal.user_id, is_admin, may_read)


ViewerDep = Annotated[service.Viewer, Depends(current_viewer)]


async def visible_file(file_id: FileID, viewer: ViewerDep) -> FileObject:
    return await service.get_visible(viewer, file_id)


VisibleFile = Annotated[FileObject, Depends(visible_file)]


async def readable_file(file_id: FileID, viewer: ViewerDep) -> FileObject:
    return await service.get_visible(viewer, file_id, reading=True)


# A file the caller may read: theirs, any with files:admin, or one another domain shares.
ReadableFile = Annotated[FileObject, Depends(readable_file)]


async def upload_form(request: Request, settings: SettingsDep) -> FormFileReader:
    """The request body as a streaming form; 413 at once when Content-Length is too big."""
    declared = request.headers.get("content-length")
    limit = settings.storage.max_upload_bytes
    if declared is not None:
        if not declared.isdigit():
            raise FilesFormInvalid("Content-Length is not a number.")
        if int(declared) > limit + FORM_OVERHEAD_BYTES:
            raise too_large(limit)
    return FormFileReader(request.headers.get("content-type", ""), request.stream())


UploadForm = Annotated[FormFileReader, Depends(upload_form)]


async def pending_quota(redis: RedisDep, settings: SettingsDep) -> PendingQuota:
    return PendingQuota(redis, settings.redis)


QuotaDep = Annotated[PendingQuota, Depends(pending_quota)]
