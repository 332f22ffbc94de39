"""API keys: personal keys scoped to a subset of their owner's codes, on the token guard."""

from atrium.apikeys.settings import ApiKeySettings
from atrium.core.domain import Domain

domain = Domain(
    "atrium.apikeys",
    requires=("atrium.users", "atrium.auth", "atrium.rbac"),
    settings=(ApiKeySettings,),
    models=".models",
    migration_branch="apikeys",
    router=".router",
    errors=".errors",
    lifecycle=".lifecycle",
)
