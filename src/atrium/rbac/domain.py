"""RBAC: roles, permissions (route codes, capabilities, event codes), menus, the cache."""

from atrium.core.domain import Domain
from atrium.rbac.settings import RbacSettings

domain = Domain(
    "atrium.rbac",
    requires=("atrium.users", "atrium.auth"),
    settings=(RbacSettings,),
    models=".models",
    migration_branch="rbac",
    router=".router",
    cli=".cli",
    initdb=".cli:seed_step",
    errors=".errors",
    lifecycle=".lifecycle",
)
