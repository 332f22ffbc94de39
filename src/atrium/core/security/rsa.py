"""The RSA key ring for encrypted logins (RSA-OAEP with SHA-256, ``RSA-OAEP-256`` in JOSE terms).

Keys come from settings, keyed by key id (``kid``), each as PEM text or a path to a PEM file.
Several keys can decrypt at once (rotation); one, the active key, is published. In local and
testing, with no key configured, one pair is generated once and shared by every process through
a key file (auth's ``rsa_key_file`` setting), created atomically: the first process to link
its complete file wins and every other process reads that one.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from atrium.config import Environment

ALGORITHM = "RSA-OAEP-256"
DEV_KEY_BITS = 2048
DEFAULT_KEY_BITS = 3072
_PEM_MARKER = "-----BEGIN"
_OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


class KeyRingError(Exception):
    """Base for key ring failures."""


class UnknownKid(KeyRingError):
    """No key with this id is loaded."""


class DecryptFailed(KeyRingError):
    """The ciphertext does not decrypt with the named key."""


class LoginKey:
    """One RSA private key and its published forms."""

    def __init__(self, kid: str, private_key: rsa.RSAPrivateKey) -> None:
        self.kid = kid
        self._private_key = private_key
        public = private_key.public_key()
        self.public_pem = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()
        numbers = public.public_numbers()
        self.jwk = {
            "kty": "RSA",
            "kid": kid,
            "use": "enc",
            "alg": ALGORITHM,
            "n": _b64url_uint(numbers.n),
            "e": _b64url_uint(numbers.e),
        }

    def decrypt(self, ciphertext: bytes) -> bytes:
        try:
            return self._private_key.decrypt(ciphertext, _OAEP)
        except ValueError as exc:
            raise DecryptFailed("the ciphertext does not decrypt") from exc


class KeyRing:
    """The keys that may decrypt logins, and the one that is published."""

    def __init__(self, keys: Sequence[LoginKey], active_kid: str) -> None:
        self._keys = {key.kid: key for key in keys}
        if active_kid not in self._keys:
            raise ValueError(f"the active RSA key id {active_kid!r} is not among the keys")
        self.active = self._keys[active_kid]

    @property
    def kids(self) -> list[str]:
        return list(self._keys)

    def get(self, kid: str) -> LoginKey:
        try:
            return self._keys[kid]
        except KeyError:
            raise UnknownKid(kid) from None

    def decrypt(self, kid: str, ciphertext: bytes) -> bytes:
        """Decrypt with the key ``kid``; raises ``UnknownKid`` or ``DecryptFailed``."""
        return self.get(kid).decrypt(ciphertext)


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def generate_private_key(bits: int = DEFAULT_KEY_BITS) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def private_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def parse_private_key(pem: bytes) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the login key must be an RSA private key")
    return key


def load_private_key(source: str) -> rsa.RSAPrivateKey:
    """A key from PEM text, or from the PEM file at the path ``source``."""
    text = source.strip()
    if text.startswith(_PEM_MARKER):
        return parse_private_key(text.encode())
    return parse_private_key(Path(text).expanduser().read_bytes())


def fingerprint_kid(key: rsa.RSAPrivateKey) -> str:
    """A stable key id derived from the public key (same key, same id, in every process)."""
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = hashlib.sha256(der).digest()
    return base64.urlsafe_b64encode(digest).decode()[:16]


def create_key_file(path: Path, key: rsa.RSAPrivateKey) -> bool:
    """Write ``key`` to ``path`` only if no file is there; True if this call created it.

    The PEM is written completely to a private temporary file first, then hard-linked into
    place: ``link`` fails if the target exists, so concurrent processes never see a partial
    file and exactly one of them wins.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(private_pem(key))
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, path)
    except FileExistsError:
        return False
    finally:
        temporary.unlink(missing_ok=True)
    return True


def ensure_dev_key(path: Path) -> rsa.RSAPrivateKey:
    """The development key at ``path``, generated by whichever process gets there first."""
    if not path.exists():
        create_key_file(path, generate_private_key(DEV_KEY_BITS))
    return parse_private_key(path.read_bytes())


class KeySettings(Protocol):
    """Where the login keys come from (the auth domain's settings)."""

    @property
    def rsa_private_keys(self) -> dict[str, str]: ...
    @property
    def rsa_active_kid(self) -> str | None: ...
    @property
    def rsa_key_file(self) -> Path: ...


def load_key_ring(settings: KeySettings, environment: Environment) -> KeyRing:
    """The configured keys; in local/testing with none configured, the shared dev key."""
    if settings.rsa_private_keys:
        keys = [
            LoginKey(kid, load_private_key(src)) for kid, src in settings.rsa_private_keys.items()
        ]
        return KeyRing(keys, settings.rsa_active_kid or _only_kid(keys))
    if environment.is_deployed:
        raise ValueError("ATRIUM_AUTH__RSA_PRIVATE_KEYS is required outside local/testing")
    private_key = ensure_dev_key(settings.rsa_key_file)
    key = LoginKey(f"dev-{fingerprint_kid(private_key)}", private_key)
    return KeyRing([key], key.kid)


def _only_kid(keys: Sequence[LoginKey]) -> str:
    if len(keys) != 1:
        raise ValueError("several RSA keys are configured: set ATRIUM_AUTH__RSA_ACTIVE_KID")
    return keys[0].kid
