"""Dependencies of the files routes: the viewer (owner or files admin), a visible file, the form.

"Files admin" means: a superuser, or a caller the installed access policy lets through the
``GET /files/all`` route. That route's permission code (``GET:/api/v1/files/all``) is the
files admin permission: grant it (RBAC) to let a role see and manage every user's files.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from atrium.auth.deps import CurrentPrincipal, Principal
from atrium.core.access import ACCESS_POLICY
from atrium.core.deps import SettingsDep
from atrium.core.errors import BadRequest, Forbidden, Unauthorized
from atrium.core.routing import RouteCatalogue, RouteInfo
from atrium.core.state import AppState
from atrium.files import service
from atrium.files.documents import FileObject
from atrium.files.multipart import FormFileReader
from atrium.files.schemas import FileID
from atrium.files.service import too_large

ADMIN_ROUTE = ("GET", "/files/all")
# Room for the form's framing (boundaries, part headers, small fields) on top of the file.
FORM_OVERHEAD_BYTES = 64 * 1024


def admin_route(request: Request) -> RouteInfo | None:
    """The catalogue entry whose permission makes a caller a files admin."""
    state: AppState = request.app.state.atrium
    catalogue: RouteCatalogue = request.app.state.catalogue
    method, path = ADMIN_ROUTE
    full = f"{state.settings.api_prefix}{path}"
    return next((i for i in catalogue if i.method == method and i.path == full), None)


async def holds_files_admin(request: Request, principal: Principal) -> bool:
    """Superusers, and whoever the access policy lets through the admin route."""
    if principal.is_superuser:
        return True
    state: AppState = request.app.state.atrium
    policy, route = state.find(ACCESS_POLICY), admin_route(request)
    if policy is None or route is None:
        return False
    try:
        await policy.authorize(request, route)
    except (Forbidden, Unauthorized):
        return False
    return True


async def current_viewer(request: Request, principal: CurrentPrincipal) -> service.Viewer:
    answer: list[bool] = []

    async def is_admin() -> bool:
        if not answer:
            answer.append(await holds_files_admin(request, principal))
        return answer[0]

    return service.Viewer(principal.user_id, is_admin)


ViewerDep = Annotated[service.Viewer, Depends(current_viewer)]


async def visible_file(file_id: FileID, viewer: ViewerDep) -> FileObject:
    return await service.get_visible(viewer, file_id)


VisibleFile = Annotated[FileObject, Depends(visible_file)]


async def upload_form(request: Request, settings: SettingsDep) -> FormFileReader:
    """The request body as a streaming form; 413 at once when Content-Length is too big."""
    declared = request.headers.get("content-length")
    limit = settings.storage.max_upload_bytes
    if declared is not None:
        if not declared.isdigit():
            raise BadRequest("Content-Length is not a number.", code="FILES_FORM_INVALID")
        if int(declared) > limit + FORM_OVERHEAD_BYTES:
            raise too_large(limit)
    return FormFileReader(request.headers.get("content-type", ""), request.stream())


UploadForm = Annotated[FormFileReader, Depends(upload_form)]
