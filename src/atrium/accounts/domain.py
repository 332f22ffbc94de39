"""Accounts: registration (closed, invite, open), email verification and change, forgot and
reset password, invitations; every flow enumeration-safe, rate limited, its links mailed."""

from atrium.accounts.settings import REGISTRATION, AccountsSettings
from atrium.config import StaticPeriodicTask
from atrium.core.domain import Domain

domain = Domain(
    "atrium.accounts",
    requires=("atrium.users", "atrium.auth", "atrium.rbac", "atrium.mail"),
    settings=(AccountsSettings,),
    models=".models",
    migration_branch="accounts",
    router=".router",
    tasks=".tasks",
    beat={
        "accounts.purge_tokens": StaticPeriodicTask(
            task="accounts.purge_tokens",
            crontab="17 * * * *",
            description="Delete expired account tokens",
        ),
        "accounts.purge_unverified": StaticPeriodicTask(
            task="accounts.purge_unverified",
            crontab="41 3 * * *",
            description="Delete registrations never verified",
        ),
    },
    parameters=(REGISTRATION,),
    errors=".errors",
    lifecycle=".lifecycle",
)
