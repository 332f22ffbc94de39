"""Files: uploads to object storage, metadata in MongoDB, presigned downloads."""

from atrium.config import StaticPeriodicTask
from atrium.core.domain import Domain
from atrium.files.deps import FILES_ADMIN

domain = Domain(
    "atrium.files",
    requires=("atrium.users", "atrium.auth"),
    router=".router",
    documents=".documents",
    capabilities=(FILES_ADMIN,),
    tasks=".tasks",
    beat={
        "files.cleanup": StaticPeriodicTask(
            task="files.cleanup",
            every=3600,
            description="Remove abandoned uploads and objects without metadata (files).",
        ),
    },
    errors=".errors",
    lifecycle=".lifecycle",
)
