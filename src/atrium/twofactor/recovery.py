"""Recovery codes: 80 random bits each, written ``abcd-efgh-ijkl-mnop`` (base32, no look-alike
digits), stored as SHA-256 digests of their normalised form."""

from __future__ import annotations

import base64
import hashlib
import secrets

CODE_BYTES = 10
GROUP = 4


def new_codes(count: int) -> list[str]:
    return [
        _format(base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode().lower())
        for _ in range(count)
    ]


def _format(raw: str) -> str:
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def normalize(code: str) -> str:
    """What a user typed, as it was generated: case, spaces and dashes do not matter."""
    return "".join(code.split()).replace("-", "").lower()


def code_hash(code: str) -> str:
    return hashlib.sha256(normalize(code).encode()).hexdigest()
