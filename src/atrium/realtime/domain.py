"""Realtime: the Socket.IO server, rooms, presence, and every domain's socket events."""

from atrium.core.domain import Domain
from atrium.realtime.settings import RealtimeSettings

domain = Domain(
    "atrium.realtime",
    requires=("atrium.users", "atrium.auth"),
    settings=(RealtimeSettings,),
    router=".router",
    events=".events",
    errors=".errors",
    lifecycle=".lifecycle",
)
