"""System parameters: typed values administrators change at runtime, the settings the domains
declare overridable among them, read through a cache on every node."""

from atrium.core.domain import Domain
from atrium.parameters.settings import ParameterSettings

domain = Domain(
    "atrium.parameters",
    requires=("atrium.users", "atrium.auth", "atrium.rbac"),
    settings=(ParameterSettings,),
    models=".models",
    migration_branch="parameters",
    migrations="migrations",
    router=".router",
    initdb=".seed:seed_step",
    errors=".errors",
    lifecycle=".lifecycle",
)
