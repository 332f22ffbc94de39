"""Dependencies of the documents routes: who asks (a data-scope ``Caller``), the document they ask
for, fetched within their scope (another's is a 404), and the domain's settings.

``documents:admin`` is the domain's capability: its holders (and so every superuser) reach and
manage every document. It is read from the caller's current grants, never from the token.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from atrium.auth.deps import CurrentPrincipal
from atrium.core.codes import CodeKind, DeclaredCode
from atrium.core.datascope import Caller
from atrium.core.deps import SettingsDep
from atrium.documents import service
from atrium.documents.documents import DocumentRecord
from atrium.documents.schemas import DocumentID
from atrium.documents.settings import DocumentSettings
from atrium.rbac.deps import data_caller

DOCUMENTS_ADMIN = DeclaredCode(
    code="documents:admin",
    kind=CodeKind.CAPABILITY,
    summary="See, change, share, trash and purge every user's documents",
    tags=("documents",),
)


async def current_caller(request: Request, principal: CurrentPrincipal) -> Caller:
    return await data_caller(request, principal, DOCUMENTS_ADMIN.code)


CallerDep = Annotated[Caller, Depends(current_caller)]


async def visible_document(document_id: DocumentID, caller: CallerDep) -> DocumentRecord:
    return await service.get_visible(caller, document_id)


async def trashed_document(document_id: DocumentID, caller: CallerDep) -> DocumentRecord:
    return await service.get_visible(caller, document_id, trashed=True)


VisibleDocument = Annotated[DocumentRecord, Depends(visible_document)]
TrashedDocument = Annotated[DocumentRecord, Depends(trashed_document)]


def document_settings(settings: SettingsDep) -> DocumentSettings:
    return settings.group(DocumentSettings)


DocumentSettingsDep = Annotated[DocumentSettings, Depends(document_settings)]
