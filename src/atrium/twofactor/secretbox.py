"""Secrets at rest: TOTP secrets encrypted with the configured keys (Fernet, AES-128-CBC with an
HMAC-SHA256 tag), through ``MultiFernet`` so keys rotate: the first key encrypts, every key
decrypts, ``rotate`` re-encrypts a token under the first key.

Without configured keys (local and testing only: elsewhere settings refuse to start) a
development key is derived from a fixed development string, like the other development secrets.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from atrium.config import DEV_SECRET_PREFIX, is_default_secret
from atrium.twofactor.settings import TwoFactorSettings

DEV_KEY_SOURCE = f"{DEV_SECRET_PREFIX}twofactor-encryption-key"


def dev_key() -> bytes:
    """The development key: the same in every process, never accepted in staging/production."""
    return base64.urlsafe_b64encode(hashlib.sha256(DEV_KEY_SOURCE.encode()).digest())


class SecretBox:
    """Encrypts and decrypts TOTP secrets with the configured keys."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is needed")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    @classmethod
    def from_settings(cls, settings: TwoFactorSettings) -> SecretBox:
        keys = [key.get_secret_value() for key in settings.encryption_keys]
        usable = [key.encode() for key in keys if not is_default_secret(key)]
        return cls(usable or [dev_key()])

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, token: str) -> str:
        """The secret; ``InvalidToken`` if no configured key decrypts it."""
        return self._fernet.decrypt(token.encode()).decode()

    def rotate(self, token: str) -> str:
        """The same secret, encrypted under the first key."""
        return self._fernet.rotate(token.encode()).decode()


__all__ = ["InvalidToken", "SecretBox", "dev_key"]
