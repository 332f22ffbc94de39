"""Dictionaries: value lists for frontends' drop-downs, seeded by the domains, edited at runtime."""

from atrium.core.domain import Domain
from atrium.dictionaries.settings import DictionarySettings

domain = Domain(
    "atrium.dictionaries",
    requires=("atrium.users", "atrium.auth", "atrium.rbac"),
    settings=(DictionarySettings,),
    models=".models",
    migration_branch="dictionaries",
    migrations="migrations",
    router=".router",
    initdb=".seed:seed_step",
    errors=".errors",
    lifecycle=".lifecycle",
)
