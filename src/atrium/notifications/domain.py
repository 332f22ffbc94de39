"""Notifications and messages: stored, then emitted; fetched by whoever was offline."""

from atrium.core.domain import Domain
from atrium.notifications.settings import NotificationSettings

domain = Domain(
    "atrium.notifications",
    requires=("atrium.users", "atrium.auth", "atrium.realtime"),
    settings=(NotificationSettings,),
    router=".router",
    documents=".documents",
    tasks=".tasks",
    events=".events",
    errors=".errors",
)
