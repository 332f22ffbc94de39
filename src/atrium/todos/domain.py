"""The to-dos domain's entry: everything it brings, registered in one place."""

from atrium.config import StaticPeriodicTask
from atrium.core.domain import DictionarySeed, Domain
from atrium.todos.deps import TODOS_ADMIN
from atrium.todos.models import TodoPriority, TodoStatus
from atrium.todos.settings import TodoSettings

domain = Domain(
    "atrium.todos",
    requires=("atrium.users", "atrium.auth", "atrium.rbac", "atrium.notifications"),
    settings=(TodoSettings,),
    models=".models",
    migration_branch="todos",
    migrations="migrations",
    router=".router",
    capabilities=(TODOS_ADMIN,),
    tasks=".tasks",
    beat={
        "todos.remind_due": StaticPeriodicTask(
            task="todos.remind_due",
            every=60,
            description="Remind of to-dos due within the lead time, once each (todos).",
        ),
    },
    initdb=".seed",
    dictionaries=(
        DictionarySeed.from_enum("todo_status", "To-do status", TodoStatus),
        DictionarySeed.from_enum("todo_priority", "To-do priority", TodoPriority),
    ),
    errors=".errors",
    widgets=".widgets",
)
