"""The second factor on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self
from uuid import UUID

from fastapi import Path
from pydantic import Field, StringConstraints, model_validator

from atrium.auth.schemas import Ciphertext, TokenPair
from atrium.core.schemas import Schema

UserID = Annotated[UUID, Path(description="The user whose second factor is reset")]
Code = Annotated[str, StringConstraints(min_length=6, max_length=12, pattern=r"^[0-9 ]+$")]
RecoveryCodeText = Annotated[str, StringConstraints(min_length=16, max_length=32)]
Token = Annotated[str, StringConstraints(min_length=1, max_length=128)]
TOTP = "totp"
RECOVERY_CODE = "recovery_code"


class EnrolmentRead(Schema):
    """A new, not yet active factor: add it to an authenticator app, then confirm a code."""

    secret: str = Field(description="Base32 TOTP secret, for entering by hand")
    otpauth_uri: str = Field(description="otpauth://totp/... (what the QR code holds)")
    qr_svg: str = Field(description="The URI as a QR code, an SVG document")
    issuer: str
    digits: int
    period: int = Field(description="Seconds per code")


class PasswordProof(Schema):
    """The current password, RSA-encrypted like a login's (its own nonce), and the key id."""

    password: Ciphertext = Field(min_length=1, max_length=4096)
    kid: str = Field(min_length=1, max_length=128)


class EnrolmentConfirm(PasswordProof):
    """The current password and the code the app shows: a stolen token alone cannot enrol."""

    code: Code = Field(description="The code the authenticator app shows now")


class RecoveryCodesRenew(PasswordProof):
    """The current password and a current TOTP code (not a recovery code)."""

    code: Code = Field(description="The code the authenticator app shows now")


class RecoveryCodes(Schema):
    """Shown once: each works once instead of a code; only their digests are stored."""

    recovery_codes: list[str]


class StatusRead(Schema):
    enabled: bool
    pending: bool = Field(description="An enrolment was started and not confirmed yet")
    enabled_at: datetime | None
    recovery_codes_left: int
    required_by_role: bool = Field(description="A role of the user requires a second factor")


class OneCode(Schema):
    """A TOTP ``code`` or a ``recoveryCode``: exactly one."""

    code: Code | None = None
    recovery_code: RecoveryCodeText | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.code is None) == (self.recovery_code is None):
            raise ValueError("send either code or recoveryCode")
        return self

    @property
    def method(self) -> str:
        return TOTP if self.code is not None else RECOVERY_CODE


class DisableRequest(OneCode, PasswordProof):
    """The current password (encrypted like a login's) and a current code."""


class SecondStep(OneCode):
    """Step two of the login: step one's challenge and a code."""

    challenge: Token


class TicketRequest(Schema):
    ticket: Token = Field(description="The enrolment ticket of a TWOFACTOR_ENROLMENT_REQUIRED")


class TicketConfirm(EnrolmentConfirm):
    """The ticket, the current password (encrypted) and the code the app shows."""

    ticket: Token = Field(description="The enrolment ticket of a TWOFACTOR_ENROLMENT_REQUIRED")


class TicketConfirmed(RecoveryCodes):
    """The factor is active and the login complete: recovery codes (shown once) and tokens."""

    tokens: TokenPair


class ResetRead(Schema):
    user_id: UUID
    sessions_ended: bool = True
