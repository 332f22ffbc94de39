"""Dependencies of the audit routes: the capability ``audit:read`` they need besides their codes.

A route code alone (even ``*:/**``) never reads the log: the caller must hold the capability too,
read from their current grants (superusers hold it), so losing it takes effect on the next call.
"""

from __future__ import annotations

from fastapi import Request

from atrium.audit.errors import AuditReadDenied
from atrium.auth.deps import CurrentPrincipal
from atrium.core.codes import CodeKind, DeclaredCode
from atrium.rbac.deps import holds

AUDIT_READ = DeclaredCode(
    code="audit:read",
    kind=CodeKind.CAPABILITY,
    summary="Read and export the audit log",
    tags=("audit",),
)

# On each audit route's OpenAPI operation: the capability it needs besides its route code.
NEEDS_AUDIT_READ = {"x-capabilities": [AUDIT_READ.code]}


async def require_audit_read(request: Request, principal: CurrentPrincipal) -> None:
    if not await holds(request, principal, AUDIT_READ.code):
        raise AuditReadDenied()
