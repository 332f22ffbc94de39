"""The system monitor: API nodes, Celery workers and queues, beat, stores and Redis, pushed live
to subscribed admins."""

from atrium.core.domain import Domain
from atrium.monitor.deps import MONITOR_READ
from atrium.monitor.settings import MonitorSettings

domain = Domain(
    "atrium.monitor",
    requires=("atrium.users", "atrium.auth", "atrium.rbac", "atrium.realtime"),
    settings=(MonitorSettings,),
    router=".router",
    capabilities=(MONITOR_READ,),
    events=".events",
    errors=".errors",
    lifecycle=".lifecycle",
)
