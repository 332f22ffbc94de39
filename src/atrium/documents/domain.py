"""The documents domain's entry: everything it brings, registered in one place."""

from atrium.config import StaticPeriodicTask
from atrium.core.domain import Domain
from atrium.documents.deps import DOCUMENTS_ADMIN
from atrium.documents.settings import DocumentSettings

domain = Domain(
    "atrium.documents",
    requires=("atrium.users", "atrium.auth", "atrium.rbac", "atrium.files"),
    settings=(DocumentSettings,),
    documents=".documents",
    router=".router",
    capabilities=(DOCUMENTS_ADMIN,),
    tasks=".tasks",
    beat={
        "documents.purge_trash": StaticPeriodicTask(
            task="documents.purge_trash",
            every=3600,
            description="Purge documents kept in the trash past the retention (documents).",
        ),
    },
    # Socket events: mounted by the realtime domain when it is configured.
    events=".events",
    initdb=".seed",
    errors=".errors",
    lifecycle=".lifecycle",
)
