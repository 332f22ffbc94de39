"""Mail's error codes."""

from __future__ import annotations

from atrium.core.errors import AppError


class MailNotFound(AppError):
    """The caught message does not exist (or the catcher was emptied)."""

    status_code = 404
    code = "MAIL_NOT_FOUND"
    message = "No such caught message."


class MailCatcherOff(AppError):
    """Reading caught mail needs the embedded catcher (``ATRIUM_MAIL__CATCHER_DIR``)."""

    status_code = 409
    code = "MAIL_CATCHER_OFF"
    message = "No mail catcher is configured (ATRIUM_MAIL__CATCHER_DIR)."
