"""The audit log: every state-changing API call and admin command, with what it changed."""

from atrium.audit.deps import AUDIT_READ
from atrium.audit.settings import AuditSettings
from atrium.core.domain import Domain

domain = Domain(
    "atrium.audit",
    requires=("atrium.users", "atrium.auth", "atrium.rbac"),
    settings=(AuditSettings,),
    documents=".documents",
    router=".router",
    capabilities=(AUDIT_READ,),
    cli=".cli",
    errors=".errors",
    lifecycle=".lifecycle",
)
