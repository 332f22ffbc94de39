"""Mail's settings group (``ATRIUM_MAIL__*``): the SMTP server, the sender, retries, templates."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr

from atrium.config import SettingsGroup


class SmtpSecurity(StrEnum):
    NONE = "none"  # plain SMTP: the embedded catcher, or a relay on localhost
    STARTTLS = "starttls"  # connect in plain, then upgrade (port 587)
    TLS = "tls"  # TLS from the first byte (port 465)


class MailSettings(SettingsGroup, section="mail"):
    """Where mail goes and how it is retried (the defaults point at ``make dev``'s catcher)."""

    host: str = "127.0.0.1"
    port: int = Field(default=1025, ge=1, le=65535)
    security: SmtpSecurity = SmtpSecurity.NONE
    username: str | None = None
    password: SecretStr | None = None
    # The From header of every message: "Name <address>".
    sender: str = "Atrium <no-reply@localhost>"
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # Delivery attempts after the first, each waiting longer (up to the cap) before the next.
    max_retries: int = Field(default=8, ge=0, le=50)
    retry_backoff_max_seconds: int = Field(default=600, ge=1)
    # A folder of templates that replace the built-in ones of the same name (NAME.subject,
    # NAME.txt, NAME.html), for a team's own wording and branding.
    templates_dir: Path | None = None
    # The embedded catcher's Maildir (``make dev`` sets it): `atrium mail caught` reads it, and
    # in local and testing so does GET /api/v1/mail/caught.
    catcher_dir: Path | None = None
    # Log entries of sent mail are deleted this long after they were queued.
    log_retention_days: int = Field(default=30, ge=1)
