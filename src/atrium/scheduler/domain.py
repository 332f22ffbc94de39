"""The scheduler: periodic tasks in SQL, the database beat, the run ledger, the ops API."""

from atrium.core.domain import DictionarySeed, Domain
from atrium.scheduler.models import ScheduleKind

domain = Domain(
    "atrium.scheduler",
    requires=("atrium.users", "atrium.auth", "atrium.rbac"),
    models=".models",
    migration_branch="scheduler",
    router=".router",
    documents=".documents",
    tasks=".tasks",
    events=".events",
    celery={"beat_scheduler": "atrium.scheduler.beat:DatabaseScheduler"},
    cli=".cli",
    dictionaries=(DictionarySeed.from_enum("schedule_kind", "Schedule kind", ScheduleKind),),
    errors=".errors",
    lifecycle=".lifecycle",
)
