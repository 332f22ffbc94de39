"""The mails of the account flows: which template, to whom, with which link.

Templates are ``accounts/NAME.subject`` / ``.txt`` / ``.html`` among mail's (a team's folder
overrides them like any). A link carries its token in the query string; the mail log keeps the
template and subject only, never the body, so no token is stored outside the hashed row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from atrium.accounts.settings import AccountsSettings
from atrium.config import Settings
from atrium.mail import service as mail_service
from atrium.mail.settings import MailSettings


async def send(
    settings: Settings,
    session: AsyncSession,
    to: str,
    template: str,
    **context: Any,
) -> None:
    """Queue ``accounts/{template}`` to ``to``, sent once ``session`` commits."""
    values = {"project": settings.project_name, **context}
    mail = settings.group(MailSettings)
    await mail_service.queue(mail, [to], f"accounts/{template}", values, session=session)


def link(settings: Settings, path: str, token: str) -> str:
    return settings.group(AccountsSettings).link(path, token)
