"""The dashboard: figures of users, logins, requests, runs, files and notifications over a range
(behind ``dashboard:read``), and each user's own widgets from the workspace domains."""

from atrium.core.domain import Domain
from atrium.dashboard.deps import DASHBOARD_READ
from atrium.dashboard.settings import DashboardSettings

domain = Domain(
    "atrium.dashboard",
    requires=(
        "atrium.users",
        "atrium.auth",
        "atrium.rbac",
        "atrium.notifications",
        "atrium.files",
        "atrium.scheduler",
    ),
    settings=(DashboardSettings,),
    documents=".documents",
    router=".router",
    capabilities=(DASHBOARD_READ,),
    cli=".cli",
    errors=".errors",
    lifecycle=".lifecycle",
)
