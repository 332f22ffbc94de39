"""The accounts domain's settings group (``ATRIUM_ACCOUNTS__*``): who may register, where the
mailed links point, how long their tokens live, and the rate limits of the public flows."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, field_validator

from atrium.config import SettingsGroup, check_rate
from atrium.core.parameters import DeclaredParameter


class RegistrationMode(StrEnum):
    CLOSED = "closed"  # nobody registers; administrators create or invite users
    INVITE = "invite"  # only addresses with a live invitation register
    OPEN = "open"  # anyone; the address is verified before the first login


class AccountsSettings(SettingsGroup, section="accounts"):
    """Registration, the frontend's pages the mails link to, token lifetimes, rate limits."""

    registration: RegistrationMode = RegistrationMode.CLOSED
    # The frontend the links in mails open: FRONTEND_URL + the flow's path + ?token=...
    frontend_url: str = "http://localhost:5173"
    verify_path: str = "/verify-email"
    reset_path: str = "/reset-password"
    email_change_path: str = "/confirm-email"
    invitation_path: str = "/accept-invitation"
    verify_ttl_seconds: int = Field(default=24 * 3600, ge=60)
    reset_ttl_seconds: int = Field(default=3600, ge=60)
    email_change_ttl_seconds: int = Field(default=24 * 3600, ge=60)
    # Invitations, and the set-your-password link of a user an administrator created.
    invitation_ttl_seconds: int = Field(default=7 * 24 * 3600, ge=60)
    # An open registration never verified is deleted after this many days (its username and
    # address are free again); ``accounts.purge_unverified`` runs daily.
    unverified_ttl_days: int = Field(default=7, ge=1)
    # Register, forgot-password, resend-verification and the token routes, per client address,
    # and per target address (the email or login name asked about) whatever the client.
    rate_per_address: str = "20/minute"
    rate_per_target: str = "5/hour"

    _rates = field_validator("rate_per_address", "rate_per_target")(check_rate)

    def link(self, path: str, token: str) -> str:
        """The frontend page ``path`` carrying ``token``."""
        return f"{self.frontend_url.rstrip('/')}{path}?token={token}"


# Administrators may switch the mode at runtime (read it with ``registration.mode``).
REGISTRATION = DeclaredParameter.from_enum(
    "accounts.registration",
    AccountsSettings,
    "registration",
    "Who may register: closed (nobody), invite (invited addresses only) or open (anyone).",
    RegistrationMode,
)
