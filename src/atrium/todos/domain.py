"""The todos domain's entry: everything it brings, registered in one place."""

from atrium.core.domain import Domain

domain = Domain(
    "atrium.todos",
    requires=("atrium.users", "atrium.auth", "atrium.rbac"),
    models=".models",
    migration_branch="todos",
    migrations="migrations",
    documents=".documents",
    router=".router",
    tasks=".tasks",
    errors=".errors",
)
