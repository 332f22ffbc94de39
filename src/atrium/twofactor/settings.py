"""The second factor's settings group (``ATRIUM_TWOFACTOR__*``).

``encryption_keys`` are Fernet keys (``python -c "from cryptography.fernet import Fernet;
print(Fernet.generate_key().decode())"``): the first encrypts, every one decrypts, so a new key
goes first and the old ones stay until ``atrium twofactor rotate-keys`` has re-encrypted every
secret. In local and testing, with none set, a development key is derived (``secretbox``);
staging and production refuse to start without one.
"""

from __future__ import annotations

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, field_validator

from atrium.config import SettingsGroup, check_rate, is_default_secret

MAX_RECOVERY_CODES = 20


class TwoFactorSettings(SettingsGroup, section="twofactor"):
    """TOTP parameters, the keys secrets are encrypted with, the login challenge's limits."""

    encryption_keys: list[SecretStr] = []
    # The name authenticator apps show beside the account.
    issuer: str = Field(default="Atrium", min_length=1, max_length=64)
    digits: int = Field(default=6, ge=6, le=8)
    period_seconds: int = Field(default=30, ge=15, le=120)
    # Time steps accepted either side of now (clock drift of the phone).
    valid_window: int = Field(default=1, ge=0, le=3)
    recovery_codes: int = Field(default=10, ge=1, le=MAX_RECOVERY_CODES)
    challenge_ttl_seconds: int = Field(default=300, ge=30, le=3600)
    enrolment_ticket_ttl_seconds: int = Field(default=900, ge=60, le=24 * 3600)
    # Step-two attempts per challenge and per user (``limits`` notation).
    attempts_per_challenge: str = "5/5 minutes"
    attempts_per_user: str = "20/15 minutes"

    _rates = field_validator("attempts_per_challenge", "attempts_per_user")(check_rate)

    @field_validator("encryption_keys")
    @classmethod
    def _fernet_keys(cls, keys: list[SecretStr]) -> list[SecretStr]:
        for index, value in enumerate(keys):
            if is_default_secret(value.get_secret_value()):
                continue  # refused by deployment_problems outside development
            try:
                Fernet(value.get_secret_value())
            except ValueError as exc:
                raise ValueError(
                    f"key {index} is not a Fernet key (32 url-safe base64 bytes)"
                ) from exc
        return keys

    def deployment_problems(self) -> list[str]:
        keys = [key.get_secret_value() for key in self.encryption_keys]
        if not keys or any(is_default_secret(key) for key in keys):
            return ["ATRIUM_TWOFACTOR__ENCRYPTION_KEYS"]
        return []
