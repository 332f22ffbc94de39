"""The calendar domain's entry: everything it brings, registered in one place."""

from atrium.calendar.deps import CALENDAR_ADMIN
from atrium.calendar.models import Response
from atrium.calendar.settings import CalendarSettings
from atrium.config import StaticPeriodicTask
from atrium.core.domain import DictionarySeed, Domain

domain = Domain(
    "atrium.calendar",
    requires=("atrium.users", "atrium.auth", "atrium.rbac", "atrium.notifications"),
    settings=(CalendarSettings,),
    models=".models",
    migration_branch="calendar",
    migrations="migrations",
    router=".router",
    capabilities=(CALENDAR_ADMIN,),
    tasks=".tasks",
    beat={
        "calendar.send_reminders": StaticPeriodicTask(
            task="calendar.send_reminders",
            every=60,
            description="Send event reminders due in the last minutes, once each (calendar).",
        ),
    },
    initdb=".seed",
    dictionaries=(DictionarySeed.from_enum("calendar_response", "Attendee response", Response),),
    errors=".errors",
    widgets=".widgets",
)
