"""Auth: encrypted login, tokens, sessions, login logs, the first superuser."""

from atrium.auth.settings import AuthSettings
from atrium.core.domain import Domain

domain = Domain(
    "atrium.auth",
    requires=("atrium.users",),
    settings=(AuthSettings,),
    router=".router",
    documents=".documents",
    cli=".cli",
    initdb=".cli:ensure_first_superuser",
    errors=".errors",
    lifecycle=".lifecycle",
)
