"""Reading what the embedded mail catcher caught (a Maildir written by ``aiosmtpd``).

Only for local development and tests: ``make dev`` starts the catcher and points
``ATRIUM_MAIL__CATCHER_DIR`` at its folder.
"""

from __future__ import annotations

import mailbox
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from pydantic import BaseModel

from atrium.mail.errors import MailCatcherOff, MailNotFound


class CaughtMail(BaseModel):
    """One caught message: its headers and bodies."""

    id: str
    sender: str
    to: list[str]
    subject: str
    received_at: datetime
    text: str
    html: str | None = None


def _maildir(folder: Path | None) -> mailbox.Maildir:
    if folder is None:
        raise MailCatcherOff()
    for part in ("cur", "new", "tmp"):  # an empty catcher folder reads as an empty Maildir
        (folder / part).mkdir(parents=True, exist_ok=True)
    return mailbox.Maildir(folder, create=False)


def _read(box: mailbox.Maildir, key: str) -> CaughtMail:
    raw = box.get_bytes(key)
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return CaughtMail(
        id=key,
        sender=str(message.get("From", "")),
        to=[part.strip() for part in str(message.get("To", "")).split(",") if part.strip()],
        subject=str(message.get("Subject", "")),
        received_at=datetime.fromtimestamp(box.get_message(key).get_date(), UTC),
        text=text.get_content() if text is not None else "",
        html=html.get_content() if html is not None else None,
    )


def caught(folder: Path | None, limit: int = 50) -> list[CaughtMail]:
    """The newest caught messages first."""
    box = _maildir(folder)
    found = [_read(box, key) for key in box.iterkeys()]
    found.sort(key=lambda mail: mail.received_at, reverse=True)
    return found[:limit]


def one(folder: Path | None, key: str) -> CaughtMail:
    box = _maildir(folder)
    if key not in box:
        raise MailNotFound()
    return _read(box, key)
