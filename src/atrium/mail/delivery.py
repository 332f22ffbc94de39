"""Building a message and handing it to the SMTP server (aiosmtplib: async, no thread)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib

from atrium.mail.rendering import Rendered
from atrium.mail.settings import MailSettings, SmtpSecurity

# What a failed delivery may raise: worth another attempt later.
TRANSIENT = (aiosmtplib.SMTPException, OSError, TimeoutError)


def build(
    settings: MailSettings, to: list[str], rendered: Rendered, message_id: str | None = None
) -> EmailMessage:
    """A text message, with an HTML alternative when the template has one."""
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = ", ".join(to)
    message["Subject"] = rendered.subject
    message["Message-ID"] = message_id or make_msgid()
    message.set_content(rendered.text)
    if rendered.html is not None:
        message.add_alternative(rendered.html, subtype="html")
    return message


async def deliver(settings: MailSettings, message: EmailMessage) -> None:
    """Send one message; raises one of ``TRANSIENT`` when the server cannot take it now."""
    password = settings.password.get_secret_value() if settings.password else None
    await aiosmtplib.send(
        message,
        hostname=settings.host,
        port=settings.port,
        username=settings.username,
        password=password,
        use_tls=settings.security is SmtpSecurity.TLS,
        start_tls=settings.security is SmtpSecurity.STARTTLS,
        timeout=settings.timeout_seconds,
    )
