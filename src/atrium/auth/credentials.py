"""The encrypted login payload: base64 of RSA-OAEP-SHA256 over UTF-8 JSON ``{password, nonce, ts}``.

Checks, each with its own code (400): the key id is loaded (``AUTH_UNKNOWN_KID``), the
ciphertext decrypts to that JSON (``AUTH_DECRYPT_FAILED``), ``ts`` is within the allowed skew
of the server's clock (``AUTH_TIMESTAMP_SKEW``). The nonce is checked against Redis by the
service (``AUTH_REPLAYED_NONCE``), for as long as ``ts`` stays acceptable.
"""

from __future__ import annotations

import base64
import binascii
import math
import time
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from atrium.auth.errors import AuthDecryptFailed, AuthTimestampSkew, AuthUnknownKid
from atrium.core.security.rsa import DecryptFailed, KeyRing, UnknownKid


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")

    password: str = Field(min_length=1, max_length=1024)
    nonce: str = Field(min_length=8, max_length=128)
    ts: float = Field(allow_inf_nan=False)


@dataclass(frozen=True, slots=True)
class Credential:
    password: str
    nonce: str
    ts: float

    def nonce_ttl(self, skew_seconds: int, now: float | None = None) -> int:
        """How long the nonce must be remembered: until ``ts`` leaves the window."""
        now = time.time() if now is None else now
        return max(1, math.ceil(self.ts + skew_seconds - now) + 1)


def _b64decode(text: str) -> bytes:
    compact = "".join(text.split())
    padded = compact + "=" * (-len(compact) % 4)
    try:
        if "-" in padded or "_" in padded:
            return base64.urlsafe_b64decode(padded)
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise AuthDecryptFailed() from exc


def open_credential(keys: KeyRing, kid: str, ciphertext: str, skew_seconds: int) -> Credential:
    """Decrypt and check a login payload (not the nonce: that needs Redis)."""
    try:
        plaintext = keys.decrypt(kid, _b64decode(ciphertext))
    except UnknownKid as exc:
        raise AuthUnknownKid() from exc
    except DecryptFailed as exc:
        raise AuthDecryptFailed() from exc
    try:
        payload = _Payload.model_validate_json(plaintext)
    except ValidationError as exc:
        raise AuthDecryptFailed() from exc
    if abs(time.time() - payload.ts) > skew_seconds:
        raise AuthTimestampSkew()
    return Credential(payload.password, payload.nonce, payload.ts)
