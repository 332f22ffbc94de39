"""The audit log's routes: read and export only; no route changes or deletes an entry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from atrium.audit import service
from atrium.audit.deps import NEEDS_AUDIT_READ, require_audit_read
from atrium.audit.runtime import AUDIT
from atrium.audit.schemas import AuditEntryRead, AuditFilters, ExportFormat, audit_filters
from atrium.core.cursors import CursorPage
from atrium.core.deps import StateDep
from atrium.core.pagination import CursorLimitDep
from atrium.core.responses import Envelope, error_responses, ok

router = APIRouter(prefix="/audit", tags=["audit"], dependencies=[Depends(require_audit_read)])
FiltersDep = Annotated[AuditFilters, Depends(audit_filters)]
READ_ERRORS = error_responses(400, 401, 403, 422)


@router.get("/entries", openapi_extra=NEEDS_AUDIT_READ, responses=READ_ERRORS)
async def list(
    filters: FiltersDep,
    limit: CursorLimitDep,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Envelope[CursorPage[AuditEntryRead]]:
    """Audit entries matching the filters, newest first (cursor paginated)."""
    return ok(await service.list_entries(filters, cursor, limit))


@router.get(
    "/entries/export",
    openapi_extra=NEEDS_AUDIT_READ,
    response_class=StreamingResponse,
    responses={
        **READ_ERRORS,
        200: {"content": {"application/x-ndjson": {}, "text/csv": {}}},
    },
)
async def export(
    filters: FiltersDep, state: StateDep, format: ExportFormat = ExportFormat.NDJSON
) -> StreamingResponse:
    """Stream the matching entries, newest first, as NDJSON or CSV (bounded)."""
    most = state.get(AUDIT).settings.export_max_rows
    lines = service.export(filters, format, most)
    headers = {"Content-Disposition": f'attachment; filename="audit.{format.value}"'}
    return StreamingResponse(lines, media_type=service.MEDIA_TYPES[format], headers=headers)
