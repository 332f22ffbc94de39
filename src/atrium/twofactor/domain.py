"""Second factors: TOTP with recovery codes, the two-step login, roles that require one."""

from atrium.core.domain import Domain
from atrium.twofactor.settings import TwoFactorSettings

domain = Domain(
    "atrium.twofactor",
    requires=("atrium.users", "atrium.auth", "atrium.rbac"),
    settings=(TwoFactorSettings,),
    models=".models",
    migration_branch="twofactor",
    documents=".documents",
    router=".router",
    cli=".cli",
    errors=".errors",
    lifecycle=".lifecycle",
)
