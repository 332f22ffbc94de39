"""The key string: ``atr_<lookup>_<secret>``, made, read and hashed.

- ``atr_``: a fixed prefix, so the guard tells a key from an access token at a glance and secret
  scanners can find leaked keys (the pattern: ``atr_[a-z2-7]{16}_[A-Za-z0-9_-]{43}``);
- ``lookup``: 16 base32 characters (80 random bits), public, shown in lists as the key's prefix
  (``atr_<lookup>``) and used to find its row;
- ``secret``: 32 random bytes in URL-safe base64 (43 characters).

The row keeps the SHA-256 of the whole string, compared in constant time. A fast hash is right
here: the secret has 256 random bits, so there is no dictionary to try and nothing a slow hash
would protect; a slow one would only put a password hash's cost on every request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from atrium.apikeys.models import LOOKUP_LENGTH

PREFIX = "atr_"
SECRET_BYTES = 32
PATTERN = re.compile(r"atr_([a-z2-7]{16})_([A-Za-z0-9_-]{43})")
MAX_LENGTH = 80


@dataclass(frozen=True, slots=True)
class NewKey:
    """A key just made: the string (shown once), its lookup part and its hash."""

    key: str
    lookup: str
    secret_hash: str

    @property
    def prefix(self) -> str:
        return shown_prefix(self.lookup)


def shown_prefix(lookup: str) -> str:
    """What lists show of a key: ``atr_<lookup>``."""
    return f"{PREFIX}{lookup}"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("ascii")).hexdigest()


def new_key() -> NewKey:
    lookup = base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()
    assert len(lookup) == LOOKUP_LENGTH
    secret = base64.urlsafe_b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")
    key = f"{PREFIX}{lookup}_{secret.rstrip('=')}"
    return NewKey(key, lookup, digest(key))


def lookup_of(key: str) -> str | None:
    """The lookup part of a well-formed key (None for anything else)."""
    if len(key) > MAX_LENGTH or (found := PATTERN.fullmatch(key)) is None:
        return None
    return found.group(1)


def matches(key: str, secret_hash: str) -> bool:
    return hmac.compare_digest(digest(key), secret_hash)
