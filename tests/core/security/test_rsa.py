"""The login key ring: PEM text or file, rotation, and one shared development key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa as crypto_rsa

from atrium.auth.settings import AuthSettings
from atrium.config import Environment
from atrium.core.security import rsa

OAEP = rsa._OAEP


@pytest.fixture(scope="module")
def keys() -> list[crypto_rsa.RSAPrivateKey]:
    return [rsa.generate_private_key(2048) for _ in range(2)]


def _encrypt(key: crypto_rsa.RSAPrivateKey, plaintext: bytes) -> bytes:
    return key.public_key().encrypt(plaintext, OAEP)


def test_keys_load_from_pem_text_and_from_a_file(
    keys: list[crypto_rsa.RSAPrivateKey], tmp_path: Path
) -> None:
    old, new = keys
    path = tmp_path / "new.pem"
    rsa.create_key_file(path, new)
    settings = AuthSettings(
        rsa_private_keys={"old": rsa.private_pem(old).decode(), "new": str(path)},
        rsa_active_kid="new",
    )
    ring = rsa.load_key_ring(settings, Environment.PRODUCTION)
    assert ring.active.kid == "new"
    assert ring.kids == ["old", "new"]
    # Both decrypt during a rotation; only the active one is published.
    assert ring.decrypt("old", _encrypt(old, b"hi")) == b"hi"
    assert ring.decrypt("new", _encrypt(new, b"hi")) == b"hi"
    assert ring.active.jwk["kid"] == "new"


def test_wrong_key_and_unknown_kid(keys: list[crypto_rsa.RSAPrivateKey]) -> None:
    old, new = keys
    ring = rsa.KeyRing([rsa.LoginKey("old", old)], "old")
    with pytest.raises(rsa.DecryptFailed):
        ring.decrypt("old", _encrypt(new, b"hi"))
    with pytest.raises(rsa.UnknownKid):
        ring.decrypt("new", _encrypt(new, b"hi"))


def test_several_keys_need_an_active_kid(keys: list[crypto_rsa.RSAPrivateKey]) -> None:
    pems = {kid: rsa.private_pem(key).decode() for kid, key in zip("ab", keys, strict=True)}
    with pytest.raises(ValueError, match="RSA_ACTIVE_KID"):
        rsa.load_key_ring(AuthSettings(rsa_private_keys=pems), Environment.PRODUCTION)
    with pytest.raises(ValueError, match="not among"):
        rsa.load_key_ring(
            AuthSettings(rsa_private_keys=pems, rsa_active_kid="c"), Environment.PRODUCTION
        )


def test_deployed_environments_never_generate_a_key(tmp_path: Path) -> None:
    settings = AuthSettings(rsa_key_file=tmp_path / "dev.pem")
    with pytest.raises(ValueError, match="RSA_PRIVATE_KEYS"):
        rsa.load_key_ring(settings, Environment.STAGING)
    assert not settings.rsa_key_file.exists()


_LOAD_DEV_KEY = """
import sys
from pathlib import Path
from atrium.auth.settings import AuthSettings
from atrium.config import Environment
from atrium.core.security.rsa import load_key_ring
ring = load_key_ring(AuthSettings(rsa_key_file=Path(sys.argv[1])), Environment.LOCAL)
print(ring.active.kid)
"""


def test_concurrent_processes_share_one_development_key(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "login-rsa.pem"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _LOAD_DEV_KEY, str(path)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    kids = {process.communicate(timeout=60)[0].strip() for process in processes}
    assert all(process.returncode == 0 for process in processes)
    assert len(kids) == 1
    assert kids.pop().startswith("dev-")
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["login-rsa.pem"]  # no temporary left


def test_create_key_file_never_replaces_a_key(
    keys: list[crypto_rsa.RSAPrivateKey], tmp_path: Path
) -> None:
    path = tmp_path / "k.pem"
    assert rsa.create_key_file(path, keys[0])
    assert not rsa.create_key_file(path, keys[1])
    assert rsa.fingerprint_kid(rsa.load_private_key(str(path))) == rsa.fingerprint_kid(keys[0])
