"""Documents at startup: a file attached to a document is readable by whoever reads the document
(the reader this domain installs in the files domain's ``files.access``)."""

from __future__ import annotations

from fastapi import FastAPI, Request

from atrium.auth.principal import Principal
from atrium.core.state import AppState
from atrium.documents import repository
from atrium.documents.deps import DOCUMENTS_ADMIN
from atrium.files import access as files_access
from atrium.files.documents import FileObject
from atrium.rbac.deps import data_caller


async def read_through_documents(request: Request, principal: Principal, doc: FileObject) -> bool:
    """Whether a document the caller reaches (out of the trash) has ``doc`` attached."""
    caller = await data_caller(request, principal, DOCUMENTS_ADMIN.code)
    return await repository.attached_in_scope(doc.id, caller)


async def startup(state: AppState, app: FastAPI) -> None:
    files_access.add_reader(state, read_through_documents)
