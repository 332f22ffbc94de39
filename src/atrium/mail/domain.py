"""Mail: rendered from templates a team can override, sent by a Celery task over SMTP."""

from atrium.core.domain import Domain
from atrium.mail.settings import MailSettings

domain = Domain(
    "atrium.mail",
    settings=(MailSettings,),
    documents=".documents",
    tasks=".tasks",
    cli=".cli",
    errors=".errors",
    lifecycle=".lifecycle",
)
